package checks

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Options tune a check run.
type Options struct {
	// FailOn is the lowest severity that fails the run (SeverityNone: no
	// finding fails it, only expectations do).
	FailOn Severity
	Spec   *Spec
	// Function is the function named on the command line; the spec's
	// top-level expectations apply to it.
	Function string
	// Ignore holds rule ids whose findings are dropped (with the spec's).
	Ignore []string
	// Workers bounds concurrency in Run (default: 4 × GOMAXPROCS).
	Workers int
	// Progress, when set, is called after each function with the number
	// done and the total (0 when not known), never concurrently.
	Progress func(done, total int)
}

// Checker accumulates the results of checking a set of functions. It is
// safe for concurrent use; Report assembles the result once all are checked.
type Checker struct {
	opts   Options
	ignore map[string]bool

	mu        sync.Mutex
	functions []FunctionResult
	findings  []Finding
	roles     map[string]*roleState // by role ARN
}

type roleState struct {
	users    []string // function ARNs using the role
	findings []Finding
}

// New returns a Checker.
func New(opts Options) *Checker {
	c := &Checker{opts: opts, ignore: map[string]bool{}, roles: map[string]*roleState{}}
	for _, id := range opts.Ignore {
		c.ignore[strings.ToUpper(id)] = true
	}
	if opts.Spec != nil {
		for _, id := range opts.Spec.Ignore {
			c.ignore[id] = true
		}
	}
	return c
}

// Check runs every rule on fn and records the result.
func (c *Checker) Check(fn *account.Function) {
	fr := FunctionResult{Name: fn.Name, ARN: fn.ARN, Unseen: fn.Unseen}
	var findings []Finding
	add := func(f ...Finding) { findings = append(findings, f...) }

	req, fs := requiredPermissions(fn)
	fr.Requirements = req
	add(fs...)
	add(resourcePolicyFindings(fn)...)
	add(functionURLFindings(fn)...)
	add(artifactFindings(fn)...)
	if spec, ok := c.opts.Spec.For(fn.Name, fn.ARN, c.opts.Function); ok {
		fr.Expectations = expectations(fn, spec)
	}

	// Rules on the role run once per role, however many functions use it.
	var roleFindings []Finding
	roleKey := fn.Config.RoleARN
	c.mu.Lock()
	rs := c.roles[roleKey]
	first := rs == nil
	if first {
		rs = &roleState{}
		c.roles[roleKey] = rs
	}
	rs.users = append(rs.users, fn.ARN)
	c.mu.Unlock()
	if first && fn.Role != nil {
		roleFindings = roleRules(fn)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if first {
		rs.findings = roleFindings
	}
	c.functions = append(c.functions, fr)
	for _, f := range findings {
		if !c.ignore[f.ID] {
			c.findings = append(c.findings, f)
		}
	}
}

// Unreadable records a function that could not be read.
func (c *Checker) Unreadable(name string, err error) {
	fr := FunctionResult{Name: name, Error: err.Error()}
	var ae *account.AccessError
	switch {
	case errors.As(err, &ae), errors.Is(err, account.ErrNotFound):
		fr.ErrorCode = 3
	default:
		fr.ErrorCode = 2
	}
	c.mu.Lock()
	c.functions = append(c.functions, fr)
	c.mu.Unlock()
}

// Report assembles the report of every function checked so far.
func (c *Checker) Report() *Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := &Report{FailOn: c.opts.FailOn, Functions: append([]FunctionResult(nil), c.functions...)}
	if c.opts.Spec != nil {
		r.Spec = c.opts.Spec.File
	}
	r.Findings = append(r.Findings, c.findings...)
	roleARNs := make([]string, 0, len(c.roles))
	for arn := range c.roles {
		roleARNs = append(roleARNs, arn)
	}
	sort.Strings(roleARNs)
	for _, arn := range roleARNs {
		rs := c.roles[arn]
		users := append([]string(nil), rs.users...)
		sort.Strings(users)
		for _, f := range rs.findings {
			if c.ignore[f.ID] {
				continue
			}
			f.Functions = users
			r.Findings = append(r.Findings, f)
		}
		if len(users) > 1 && arn != "" && !c.ignore["LD104"] {
			f := newFinding("LD104", arn, fmt.Sprintf("role %s is the execution role of %d functions", lastSegment(arn), len(users)), users...)
			f.Evidence = []Evidence{{Detail: "used by " + strings.Join(names(users), ", ")}}
			f.Advice = "Give each function its own execution role holding only what that function needs."
			r.Findings = append(r.Findings, f)
		}
	}
	r.summarize()
	return r
}

func names(arns []string) []string {
	out := make([]string, len(arns))
	for i, a := range arns {
		out[i] = lastSegment(a)
	}
	return out
}

// Run checks the named functions of src with bounded concurrency and
// returns the report. A function that cannot be read is recorded in the
// report, not returned as an error; only a cancelled context is.
func Run(ctx context.Context, src account.Source, fnNames []string, opts Options) (*Report, error) {
	c := New(opts)
	workers := opts.Workers
	if workers <= 0 {
		workers = 4 * runtime.GOMAXPROCS(0)
	}
	if workers > len(fnNames) {
		workers = len(fnNames)
	}
	jobs := make(chan string)
	var done atomic.Int64
	var progressMu sync.Mutex // Progress is called by one worker at a time
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range jobs {
				fn, err := src.Function(ctx, name)
				if err != nil {
					c.Unreadable(name, err)
				} else {
					c.Check(fn)
				}
				if opts.Progress != nil {
					progressMu.Lock()
					opts.Progress(int(done.Add(1)), len(fnNames))
					progressMu.Unlock()
				}
			}
		}()
	}
feed:
	for _, name := range fnNames {
		select {
		case jobs <- name:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.Report(), nil
}

// Each checks every function readAll yields (a reader that reads a whole
// account with its own bounded concurrency, such as live.Reader.ReadAll)
// and returns the report.
func Each(ctx context.Context, readAll func(context.Context, func(*account.Function) error) error, opts Options) (*Report, error) {
	c := New(opts)
	n := 0
	err := readAll(ctx, func(fn *account.Function) error {
		c.Check(fn)
		n++
		if opts.Progress != nil {
			opts.Progress(n, 0)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.Report(), nil
}

// lastSegment is the name at the end of an ARN ("role/path/name" → name).
func lastSegment(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	res := parts[len(parts)-1]
	if i := strings.LastIndexAny(res, "/:"); i >= 0 {
		return res[i+1:]
	}
	return res
}

// request turns a simulated request into its output form.
func request(r simulate.Request) RequestJSON {
	out := RequestJSON{Principal: r.Principal, Action: r.Action, Resource: r.Resource}
	return out
}

func withContext(out RequestJSON, ctx simulate.Context) RequestJSON {
	if len(ctx) == 0 {
		return out
	}
	out.Context = map[string][]string{}
	for k, v := range ctx {
		out.Context[k] = v.Values
	}
	return out
}

// decisionOf names a verdict's decision for the outputs.
func decisionOf(v *judge.Verdict) string {
	if v.Unknown {
		return "unknown"
	}
	return string(v.Decision)
}

// verdictEvidence says why a verdict is not allow (or, for a denied call
// that is allowed, which statements allow it).
func verdictEvidence(v *judge.Verdict) []Evidence {
	var out []Evidence
	for _, p := range v.Probes {
		if p.Result == nil {
			continue
		}
		r := p.Input.Request
		req := fmt.Sprintf("%s on %s", r.Action, r.Resource)
		switch p.Result.Decision {
		case simulate.Allow:
			if v.Decision != simulate.Allow {
				continue
			}
			for _, d := range p.Result.Deciding {
				out = append(out, Evidence{Policy: d.Policy, Statement: d.Statement, Detail: "allows " + req})
			}
		case simulate.ExplicitDeny:
			for _, d := range p.Result.Deciding {
				out = append(out, Evidence{Policy: d.Policy, Statement: d.Statement, Detail: "explicitly denies " + req})
			}
		case simulate.ImplicitDeny:
			detail := "no policy allows " + req
			for _, l := range p.Result.Layers {
				if l.Decision != simulate.Allow {
					detail = fmt.Sprintf("implicit deny in the %s layer: %s", l.Layer, req)
					if l.Note != "" {
						detail += " (" + l.Note + ")"
					}
					break
				}
			}
			out = append(out, Evidence{Detail: detail})
		}
		for _, a := range p.Assumed {
			out = append(out, Evidence{Detail: "assumed: " + a})
		}
	}
	for _, u := range v.Unseen {
		out = append(out, Evidence{Detail: fmt.Sprintf("not readable: %s %s (the operator needs %s)", u.Operation, u.Resource, u.Permission)})
	}
	return out
}
