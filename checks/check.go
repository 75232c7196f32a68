package checks

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
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
	// Profile is the named profile the account was read with ("" for none,
	// and for a snapshot): every command of a fix or an advice carries it
	// (fix.Target).
	Profile string
	// FixFormat is how fixes are written (default fix.CLI).
	FixFormat fix.Format
	// Template is set when the functions were read from an infrastructure
	// template (`check --template`): findings point at its resources, and
	// the values it does not give are reported with how to give them.
	Template *Template
}

// Checker accumulates the results of checking a set of functions. It is
// safe for concurrent use; Report assembles the result once all are checked.
type Checker struct {
	opts   Options
	ignore map[string]bool

	mu        sync.Mutex
	functions []FunctionResult
	findings  []*Finding
	roles     map[string]*roleState // by role ARN
	// toFix holds, by function ARN, the closed doors whose fixes Report
	// builds: in one fix.Set, function by function in name order, so that
	// the fixes of a run paste one after another even on a shared role.
	toFix map[string]*fixesOf
	// unparsed holds one LD110 finding per document that does not parse,
	// by owner and policy name, naming every function it leaves undecided.
	unparsed map[string]*Finding
	// specErr is the first expectation (by line) that names a request AWS
	// could not make for the function it is about (see Err).
	specErr *SpecError
	// sources are the template locations of the functions checked, by ARN.
	sources map[string]*account.Location
}

type roleState struct {
	users    []string // function ARNs using the role
	findings []Finding
	// trust holds the role's LD011 finding (by title) with the functions
	// whose requirement it is.
	trust map[string]*Finding
	// gone is the role's deletion (cause role_not_found) and goneFns the
	// functions that name it: one LD020 finding naming them all, however
	// many there are, as the role's other findings.
	gone    *judge.Cause
	goneFns []*account.Function
}

// fixesOf are the closed doors of one function that need fixes.
type fixesOf struct {
	name  string
	index int // of the function's result in Checker.functions
	items []toFix
}

// toFix is one closed door: the finding or the expectation (by index) that
// gets its fixes, and the advice that stands in when there is none.
type toFix struct {
	fn      *account.Function
	v       *judge.Verdict
	finding *Finding
	expect  int
	advice  string
}

// New returns a Checker.
func New(opts Options) *Checker {
	c := &Checker{opts: opts, ignore: map[string]bool{}, roles: map[string]*roleState{}, unparsed: map[string]*Finding{},
		toFix: map[string]*fixesOf{}, sources: map[string]*account.Location{}}
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
	fr := FunctionResult{Name: fn.Name, ARN: fn.ARN, Unseen: fn.Unseen, Source: fn.Source}
	var findings []*Finding
	add := func(fs ...Finding) {
		for i := range fs {
			findings = append(findings, &fs[i])
		}
	}
	var unparsed []judge.Unparsed
	var fixes []toFix

	// Every requirement of the configuration (judge.Requirements), as
	// diagnose judges them.
	var trust *toFix
	reqs, outside := judgeRequirements(fn)
	for _, j := range reqs {
		q := requirement(j)
		if c.opts.Template != nil {
			q.Unresolved = c.unresolved(j.v)
		}
		fr.Requirements = append(fr.Requirements, q)
		unparsed = append(unparsed, j.v.Unparsed...)
		f, advice, ok := requirementFinding(fn, j)
		if ok {
			f.Location = j.req.At
			if f.Location == nil {
				f.Location = c.statementResource(j.req.Source)
			}
		}
		if !ok || c.ignore[f.ID] {
			continue
		}
		t := toFix{fn: fn, v: j.v, finding: &f, expect: -1, advice: advice}
		if j.req.Rule == judge.RuleTrust {
			trust = &t // reported once per role
			continue
		}
		findings = append(findings, &f)
		fixes = append(fixes, t)
	}
	for _, r := range outside {
		if f, ok := outsideFinding(fn, r); ok {
			add(f)
		}
	}
	t := fix.TargetOf(fn, c.opts.Profile)
	// What fails before any grant, as diagnose reports it: a cause a
	// requirement's verdict already carries is reported there.
	carried := map[string]bool{}
	for _, j := range reqs {
		if cs := j.v.Cause; cs != nil && len(j.v.Probes) > 0 {
			carried[cs.Kind+" "+cs.Resource] = true
		}
	}
	var gone *judge.Cause
	for _, cause := range judge.Causes(fn) {
		switch {
		case carried[cause.Kind+" "+cause.Resource]:
		case cause.Kind == judge.CauseRoleNotFound && !c.ignore[cause.Rule]:
			gone = &cause // reported once per role, in Report
		default:
			add(causeFinding(fn, cause, c.opts.Profile))
		}
	}
	rpf, rpu := resourcePolicyFindings(fn, t)
	add(rpf...)
	unparsed = append(unparsed, rpu...)
	add(functionURLFindings(fn, t)...)
	if spec, ok := c.opts.Spec.For(fn.Name, fn.ARN, c.opts.Function); ok {
		if err := spec.crossPartition(c.opts.Spec.File, fn); err != nil {
			c.mu.Lock()
			if c.specErr == nil || err.Line < c.specErr.Line {
				c.specErr = err
			}
			c.mu.Unlock()
			return
		}
		var closed map[int]*judge.Verdict
		fr.Expectations, closed = expectations(fn, spec)
		for i := range fr.Expectations {
			if v := closed[i]; v != nil {
				fixes = append(fixes, toFix{fn: fn, v: v, expect: i})
			}
		}
	}

	// Rules on the role run once per role, however many functions use it.
	var roleFindings []Finding
	roleKey := fn.Config.RoleARN
	c.mu.Lock()
	rs := c.roles[roleKey]
	first := rs == nil
	if first {
		rs = &roleState{trust: map[string]*Finding{}}
		c.roles[roleKey] = rs
	}
	rs.users = append(rs.users, fn.ARN)
	c.mu.Unlock()
	if first && fn.Role != nil {
		var ru []judge.Unparsed
		roleFindings, ru = roleRules(fn, t)
		unparsed = append(unparsed, ru...)
	}

	for i := range roleFindings {
		c.locate(&roleFindings[i], fn)
	}
	for _, f := range findings {
		c.locate(f, fn)
	}
	if trust != nil {
		c.locate(trust.finding, fn)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if first {
		rs.findings = roleFindings
	}
	if gone != nil {
		rs.gone = gone
		rs.goneFns = append(rs.goneFns, fn)
	}
	if trust != nil {
		if have := rs.trust[trust.finding.Title]; have != nil {
			have.Functions = append(have.Functions, fn.ARN)
		} else {
			trust.finding.Functions = []string{fn.ARN}
			rs.trust[trust.finding.Title] = trust.finding
			fixes = append([]toFix{*trust}, fixes...)
		}
	}
	for _, u := range unparsed {
		c.addUnparsed(u, fn.ARN)
	}
	if len(fixes) > 0 {
		c.toFix[fn.ARN] = &fixesOf{name: fn.Name, index: len(c.functions), items: fixes}
	}
	c.functions = append(c.functions, fr)
	if fn.Source != nil {
		c.sources[fn.ARN] = fn.Source
	}
	for _, f := range findings {
		if !c.ignore[f.ID] {
			c.findings = append(c.findings, f)
		}
	}
}

// buildFixes writes the fixes of every closed door found so far, in one
// fix.Set: function by function in name order, each function's in the
// order its findings were found.
func (c *Checker) buildFixes() {
	var all []*fixesOf
	for _, fx := range c.toFix {
		all = append(all, fx)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].name != all[j].name {
			return all[i].name < all[j].name
		}
		return all[i].index < all[j].index
	})
	set := fix.NewSet()
	set.Profile = c.opts.Profile
	set.Template = c.opts.Template.fixTemplate()
	for _, fx := range all {
		for _, t := range fx.items {
			fixes := set.For(t.fn, t.v, c.opts.FixFormat)
			if c.opts.Template != nil {
				for i := range fixes {
					needsValues(&fixes[i])
				}
			}
			if t.finding != nil {
				t.finding.Fixes = fixes
				t.finding.Advice = ""
				if len(fixes) == 0 {
					t.finding.Advice = t.advice
				}
				continue
			}
			c.functions[fx.index].Expectations[t.expect].Fixes = fixes
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
	c.buildFixes()
	r := &Report{FailOn: c.opts.FailOn, Functions: append([]FunctionResult(nil), c.functions...), Template: c.opts.Template}
	if c.opts.Spec != nil {
		r.Spec = c.opts.Spec.File
	}
	for _, f := range c.findings {
		r.Findings = append(r.Findings, *f)
	}
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
		r.Findings = c.merged(r.Findings, rs.trust)
		if rs.gone != nil {
			r.Findings = append(r.Findings, c.deletedRole(rs))
		}
		if len(users) > 1 && arn != "" && !c.ignore["LD104"] {
			f := newFinding("LD104", arn, fmt.Sprintf("role %s is the execution role of %d functions", lastSegment(arn), len(users)), users...)
			f.Evidence = []Evidence{{Detail: "used by " + strings.Join(names(users), ", ")}}
			f.Advice = "Give each function its own execution role holding only what that function needs."
			r.Findings = append(r.Findings, f)
		}
	}
	r.Findings = c.merged(r.Findings, c.unparsed)
	r.Findings = mergeShared(r.Findings)
	if c.opts.Template != nil {
		// The findings assembled here (a shared role, a document that
		// does not parse) point at the role, else the first function.
		for i := range r.Findings {
			f := &r.Findings[i]
			if f.Location != nil {
				continue
			}
			if l, ok := c.opts.Template.RoleSources[f.Subject]; ok {
				f.Location = &l
			} else if l := c.sources[f.Subject]; l != nil {
				f.Location = l
			} else if len(f.Functions) > 0 {
				f.Location = c.sources[f.Functions[0]]
			}
		}
	}
	r.summarize()
	if t := c.opts.Template; t != nil {
		// Each value with the number of checks it leaves undecided.
		tc := *t
		tc.Unknowns = append([]TemplateValue{}, t.Unknowns...)
		for i := range tc.Unknowns {
			for _, fr := range r.Functions {
				for _, q := range fr.Requirements {
					for _, u := range q.Unresolved {
						if u.Value == tc.Unknowns[i].Value {
							tc.Unknowns[i].Decides++
							break
						}
					}
				}
			}
		}
		r.Template = &tc
	}
	return r
}

// deletedRole is the one LD020 finding of a deleted execution role,
// naming every function that names the role (in name order), with the
// role created again once: as `check` reports what a role shares.
func (c *Checker) deletedRole(rs *roleState) Finding {
	fns := slices.Clone(rs.goneFns)
	sort.Slice(fns, func(i, j int) bool { return fns[i].ARN < fns[j].ARN })
	f := causeFinding(fns[0], *rs.gone, c.opts.Profile)
	f.Functions = nil
	for _, fn := range fns {
		f.Functions = append(f.Functions, fn.ARN)
	}
	set := fix.NewSet()
	set.Profile = c.opts.Profile
	f.Fixes = set.ForDeletedRole(fns, *rs.gone)
	return f
}

// mergeShared prints a fix once however many functions need it. A
// requirement finding on a role's permissions whose one fix is
// fix.CoveredAbove (an earlier fix of the run, for another function of the
// same role, opens its door too) is folded into the first finding of the
// same rule on that role that carries a fix: one finding naming every
// function, with the first one's title and the count of the others.
func mergeShared(fs []Finding) []Finding {
	key := func(f Finding) string {
		if f.role == "" || !fromRequirement(f.ID) {
			return ""
		}
		return f.ID + "\x00" + f.role
	}
	holder := map[string]int{} // rule and role → the finding with the fix
	for i, f := range fs {
		if k := key(f); k != "" && !covered(f) {
			if _, ok := holder[k]; !ok {
				holder[k] = i
			}
		}
	}
	into := map[int][]Finding{}
	var keep []int
	for i, f := range fs {
		if h, ok := holder[key(f)]; ok && covered(f) {
			into[h] = append(into[h], f)
			continue
		}
		keep = append(keep, i)
	}
	out := make([]Finding, 0, len(keep))
	for _, i := range keep {
		f := fs[i]
		if more := into[i]; len(more) > 0 {
			f.parts = []string{f.Title}
			f.Functions = slices.Clone(f.Functions)
			for _, m := range more {
				f.parts = append(f.parts, m.Title)
				f.Functions = append(f.Functions, m.Functions...)
			}
			f.Functions = dedupe(f.Functions)
			sort.Strings(f.Functions)
			f.Title = fmt.Sprintf("%s, and the same for %s sharing the role (one fix)", f.Title, plural2(len(more), "more function"))
		}
		out = append(out, f)
	}
	return out
}

// covered reports whether f's one fix is an earlier one's.
func covered(f Finding) bool {
	return len(f.Fixes) == 1 && f.Fixes[0].Command == "" && f.Fixes[0].Explanation == fix.CoveredAbove
}

// merged appends the findings that name every function they were found on
// (a role's LD011, a document's LD110), functions sorted.
func (c *Checker) merged(out []Finding, fs map[string]*Finding) []Finding {
	for _, f := range fs {
		if c.ignore[f.ID] {
			continue
		}
		g := *f
		g.Functions = append([]string(nil), f.Functions...)
		sort.Strings(g.Functions)
		out = append(out, g)
	}
	return out
}

// addUnparsed records a document that does not parse: one LD110 finding per
// document, naming every function it leaves undecided.
func (c *Checker) addUnparsed(u judge.Unparsed, fnARN string) {
	key := u.Owner + "\x00" + u.Policy
	if f := c.unparsed[key]; f != nil {
		if !contains(f.Functions, fnARN) {
			f.Functions = append(f.Functions, fnARN)
		}
		return
	}
	subject := u.Owner
	if subject == "" {
		subject = u.Policy
	}
	f := newFinding("LD110", subject, describePolicy(u)+" does not parse: what needs it was not decided", fnARN)
	f.Evidence = []Evidence{{Policy: u.Policy, Detail: u.Err.Error()}}
	f.Advice = "Fix the document; until it parses, the checks that need it cannot decide and the run is incomplete (exit 3)."
	c.unparsed[key] = &f
}

// describePolicy names a document of the model for a sentence.
func describePolicy(u judge.Unparsed) string {
	switch {
	case strings.HasPrefix(u.Policy, "function policy"):
		q := strings.TrimSuffix(strings.TrimPrefix(u.Policy, "function policy ("), ")")
		name := lastSegment(u.Owner)
		if q != u.Policy {
			name += ":" + q
		}
		return "the resource policy of " + name
	case strings.HasPrefix(u.Policy, "trust policy of role/"):
		return "the trust policy of role " + strings.TrimPrefix(u.Policy, "trust policy of role/")
	}
	return "the policy " + u.Policy
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
	if err := c.Err(); err != nil {
		return nil, err
	}
	return c.Report(), nil
}

// Err is the spec's error found while checking, if any: an expectation
// that names an ARN in another partition than its function's, a request AWS
// could not make (a *SpecError with its line; bad input, exit 2). Its
// function has no result.
func (c *Checker) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.specErr == nil {
		return nil
	}
	return c.specErr
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
	if err := c.Err(); err != nil {
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
	for _, u := range v.Unparsed {
		out = append(out, Evidence{Policy: u.Policy, Detail: "does not parse: " + u.Err.Error()})
	}
	return out
}
