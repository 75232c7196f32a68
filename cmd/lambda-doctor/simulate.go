package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/internal/limits"
	"github.com/lambda-doctor/lambda-doctor/internal/term"
	"github.com/lambda-doctor/lambda-doctor/simulate"
	"github.com/lambda-doctor/lambda-doctor/simulate/batch"
)

func simulateCommand() *cli.Command {
	return &cli.Command{
		Name:  "simulate",
		Usage: "decide whether IAM would allow a request, and why",
		UsageText: "lambda-doctor simulate --cases FILE.jsonl [--trace] [--max-case-size BYTES]\n" +
			"lambda-doctor simulate --policy FILE ... [--boundary FILE] [--session-policy FILE] [--resource-policy FILE] " +
			"[--scp FILE ...] [--rcp FILE ...] --principal PRINCIPAL --action SERVICE:ACTION --resource ARN " +
			"[--resource-account ID] [--context KEY=VALUE ...] [--no-default-context] [--max-policy-size BYTES] [--output FORMAT]\n" +
			"lambda-doctor simulate --function NAME|ARN --action SERVICE:ACTION --resource ARN [--context KEY=VALUE ...] " +
			"[--output FORMAT] [--profile PROFILE] [--region REGION] [--snapshot FILE] [--max-snapshot-size BYTES]",
		Description: "The policy engine on its own: a file of cases in JSON Lines (docs/simulate-cases.md), or one " +
			"request judged against the policies given, or against a function's execution role as the account has it. " +
			"It prints the decision and, for every statement, whether it applied and what did not match.\n\n" +
			"Exit codes: 0 decided (every case as expected), 1 a case did not get its expected decision (or its expect could not be checked), 2 bad usage or input, " +
			"3 the account could not be read.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "cases", Usage: "evaluate every case of a JSON Lines `FILE` (\"-\" for stdin), one result a line"},
			&cli.BoolFlag{Name: "trace", Usage: "with --cases: write each case's trace to stderr"},
			&cli.Int64Flag{Name: "max-case-size", Value: batch.DefaultMaxLine, Usage: "with --cases: longest case line in `BYTES`; a longer line gets an error result"},
			&cli.Int64Flag{Name: "max-policy-size", Value: defaultMaxPolicy, Usage: "largest policy `BYTES` read from a file"},
			&cli.StringSliceFlag{Name: "policy", Usage: "identity policy `FILE` (JSON or URL-encoded JSON); repeatable"},
			&cli.StringFlag{Name: "boundary", Usage: "permissions boundary policy `FILE`"},
			&cli.StringFlag{Name: "session-policy", Usage: "session policy `FILE`"},
			&cli.StringFlag{Name: "resource-policy", Usage: "resource-based policy `FILE`"},
			&cli.StringSliceFlag{Name: "scp", Usage: "service control policy `FILE`, one level each (repeatable)"},
			&cli.StringSliceFlag{Name: "rcp", Usage: "resource control policy `FILE`, one level each (repeatable)"},
			&cli.StringFlag{Name: "function", Aliases: []string{"f"}, Usage: "simulate a request of the execution role of function `NAME` (or ARN)"},
			&cli.StringFlag{Name: "principal", Usage: "who makes the request (`PRINCIPAL`): an ARN, an account id, a service principal or \"*\""},
			&cli.StringFlag{Name: "action", Usage: "the action (`SERVICE:ACTION`), such as dynamodb:Query"},
			&cli.StringFlag{Name: "resource", Usage: "resource `ARN` (\"*\" when the action takes none)"},
			&cli.StringFlag{Name: "resource-account", Usage: "account `ID` that owns the resource (default: from the ARN)"},
			&cli.GenericFlag{Name: "context", Value: &repeated{}, Usage: "a request context key and its value (`KEY=VALUE`), repeatable; repeat a key or give a JSON array for a multivalued key"},
			&cli.BoolFlag{Name: "no-default-context", Usage: "do not add the keys AWS sets on every request (aws:PrincipalArn, aws:CurrentTime, ...)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "output `FORMAT`: text or json"},
		}, sourceFlags()...),
		Action: runSimulate,
	}
}

func runSimulate(c *cli.Context) error {
	if c.NArg() > 0 {
		return usageErrorf("simulate takes no arguments, got %q", c.Args().First())
	}
	if f := c.String("cases"); f != "" {
		return runCases(c, f)
	}
	if c.String("function") != "" {
		return simulateFunction(c)
	}
	return simulateOne(c)
}

// runCases is the batch form (docs/simulate-cases.md), run by package batch.
func runCases(c *cli.Context, file string) error {
	s := ioFrom(c)
	var r io.Reader
	if file == "-" {
		r = s.in
	} else {
		f, err := os.Open(file)
		if err != nil {
			return badInput(fmt.Errorf("read cases: %w", err))
		}
		defer f.Close()
		r = f
	}
	maxLine := c.Int64("max-case-size")
	if maxLine <= 0 || maxLine > 1<<30 {
		return usageErrorf("--max-case-size: want a size in bytes between 1 and %d, got %d", 1<<30, maxLine)
	}
	// A batch allocates much per case and keeps little alive (the chunks in
	// flight, a bounded policy cache): collect only when the heap reaches a
	// limit that keeps the whole process well under 100 MB.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(40 << 20))
	// Results are JSON lines; messages (traces, mismatches) quote the
	// cases: both reach the terminal escaped (batch writes whole lines).
	sum, err := batch.Run(r, &term.JSONWriter{W: s.out}, cleanWriter{s.err}, batch.Options{Name: file, Trace: c.Bool("trace"),
		MaxLine: int(maxLine), MaxLineFlag: "--max-case-size"})
	if err != nil {
		return badInput(err)
	}
	if sum.Mismatches > 0 {
		fmt.Fprintf(s.err, "lambda-doctor: %d of %d cases did not get the expected decision\n", sum.Mismatches, sum.Cases)
	}
	if sum.Unchecked > 0 {
		// An expectation that could not be checked does not hold: a
		// policy test whose case is broken must not pass.
		fmt.Fprintf(s.err, "lambda-doctor: %d of %d lines could not be evaluated and carry an expect (or are no case at all); see their error results\n", sum.Unchecked, sum.Cases)
	}
	if sum.Mismatches+sum.Unchecked > 0 {
		return problemFound()
	}
	return nil
}

// simulateOne is the single-request form for people.
func simulateOne(c *cli.Context) error {
	var in simulate.Input
	for i, f := range c.StringSlice("policy") {
		p, err := readPolicy(c, f)
		if err != nil {
			return err
		}
		in.Identity = append(in.Identity, simulate.NamedPolicy{Name: nameOrIndex(f, "identity", i), Policy: p})
	}
	var err error
	if in.Boundary, err = namedPolicyFlag(c, "boundary"); err != nil {
		return err
	}
	if in.Session, err = namedPolicyFlag(c, "session-policy"); err != nil {
		return err
	}
	if in.Resource, err = namedPolicyFlag(c, "resource-policy"); err != nil {
		return err
	}
	for _, f := range c.StringSlice("scp") {
		p, err := readPolicy(c, f)
		if err != nil {
			return err
		}
		in.SCPs = append(in.SCPs, []simulate.NamedPolicy{{Name: f, Policy: p}})
	}
	for _, f := range c.StringSlice("rcp") {
		p, err := readPolicy(c, f)
		if err != nil {
			return err
		}
		in.RCPs = append(in.RCPs, []simulate.NamedPolicy{{Name: f, Policy: p}})
	}
	for _, name := range []string{"principal", "action", "resource"} {
		if c.String(name) == "" {
			return usageErrorf("--%s is required (or give --cases FILE or --function NAME)", name)
		}
	}
	in.Request = simulate.Request{
		Principal:       c.String("principal"),
		Action:          c.String("action"),
		Resource:        c.String("resource"),
		ResourceAccount: c.String("resource-account"),
	}
	ctx, err := parseContextFlags(contextFlags(c))
	if err != nil {
		return err
	}
	in.Request.Context = ctx
	return decideAndPrint(c, &in, !c.Bool("no-default-context"))
}

// decideAndPrint evaluates the input and prints the decision with its trace.
// With defaults, the keys AWS sets on every request are added to the context.
func decideAndPrint(c *cli.Context, in *simulate.Input, defaults bool) error {
	format := c.String("output")
	if format != "text" && format != "json" {
		return usageErrorf("--output: unknown format %q (want text or json)", format)
	}
	if defaults {
		in.Request.Context = simulate.DefaultContext(in.Request)
	}
	warnUnknownActions(ioFrom(c).err, in)
	res, err := simulate.Evaluate(in)
	if err != nil {
		return badInput(err)
	}
	s := ioFrom(c)
	if format == "json" {
		out := simulateJSON(in, res)
		enc := json.NewEncoder(&term.JSONWriter{W: s.out})
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		// The explanation quotes the policies (Sids, actions, values).
		fmt.Fprintf(s.out, "request: %s %s on %s\n", term.Line(in.Request.Principal), term.Line(in.Request.Action), term.Line(in.Request.Resource))
		fmt.Fprint(s.out, term.Clean(res.Explain()))
	}
	if res.Decision != simulate.Allow {
		return problemFound()
	}
	return nil
}

// warnUnknownActions prints, on stderr, every action of the input's policies
// that AWS does not know (a typo makes a grant that never works).
func warnUnknownActions(w io.Writer, in *simulate.Input) {
	var all []simulate.NamedPolicy
	all = append(all, in.Identity...)
	for _, p := range []*simulate.NamedPolicy{in.Boundary, in.Session, in.Resource} {
		if p != nil {
			all = append(all, *p)
		}
	}
	for _, l := range append(in.SCPs, in.RCPs...) {
		all = append(all, l...)
	}
	for _, np := range all {
		for _, f := range simulate.UnknownActions(np.Policy) {
			fmt.Fprintf(w, "warning: %s: %s\n", term.Line(np.Name), term.Line(f.String()))
		}
	}
}

type jsonRef struct {
	Policy    string `json:"policy"`
	Statement string `json:"statement"`
	Effect    string `json:"effect"`
}

type jsonTrace struct {
	jsonRef
	Layer   string `json:"layer"`
	Applies bool   `json:"applies"`
	Failed  string `json:"failed,omitempty"`
	Why     string `json:"why,omitempty"`
}

type jsonLayer struct {
	Layer    string `json:"layer"`
	Decision string `json:"decision"`
	Note     string `json:"note,omitempty"`
}

type jsonResult struct {
	Request struct {
		Principal       string                    `json:"principal"`
		Action          string                    `json:"action"`
		Resource        string                    `json:"resource"`
		ResourceAccount string                    `json:"resource_account,omitempty"`
		Context         map[string]simulate.Value `json:"-"`
		ContextJSON     map[string]any            `json:"context,omitempty"`
	} `json:"request"`
	Decision     string      `json:"decision"`
	CrossAccount bool        `json:"cross_account"`
	Deciding     []jsonRef   `json:"deciding"`
	Layers       []jsonLayer `json:"layers"`
	Trace        []jsonTrace `json:"trace"`
	// Ambiguous: the decision would differ under another reading of what
	// the IAM User Guide leaves open (simulate.Ambiguity).
	Ambiguous []jsonAmbiguity `json:"ambiguous,omitempty"`
}

type jsonAmbiguity struct {
	jsonRef
	Layer     string `json:"layer"`
	Element   string `json:"element"`
	Pattern   string `json:"pattern"`
	Value     string `json:"value"`
	Otherwise string `json:"otherwise"`
	Reason    string `json:"reason"`
}

func simulateJSON(in *simulate.Input, r *simulate.Result) jsonResult {
	var out jsonResult
	out.Request.Principal = in.Request.Principal
	out.Request.Action = in.Request.Action
	out.Request.Resource = in.Request.Resource
	out.Request.ResourceAccount = in.Request.ResourceAccount
	if len(in.Request.Context) > 0 {
		out.Request.ContextJSON = map[string]any{}
		for k, v := range in.Request.Context {
			if v.Multi {
				out.Request.ContextJSON[k] = v.Values
			} else if len(v.Values) == 1 {
				out.Request.ContextJSON[k] = v.Values[0]
			}
		}
	}
	out.Decision = string(r.Decision)
	out.CrossAccount = r.CrossAccount
	out.Deciding = []jsonRef{}
	for _, d := range r.Deciding {
		out.Deciding = append(out.Deciding, jsonRef{d.Policy, d.Statement, d.Effect})
	}
	out.Layers = []jsonLayer{}
	for _, l := range r.Layers {
		out.Layers = append(out.Layers, jsonLayer{l.Layer, string(l.Decision), l.Note})
	}
	out.Trace = []jsonTrace{}
	for _, t := range r.Trace {
		out.Trace = append(out.Trace, jsonTrace{jsonRef{t.Policy, t.Statement, t.Effect}, t.Layer, t.Applies, t.Failed, t.Why})
	}
	for _, a := range r.Ambiguous {
		out.Ambiguous = append(out.Ambiguous, jsonAmbiguity{jsonRef{a.Policy, a.Statement, a.Effect}, a.Layer, a.Element,
			a.Pattern, a.Value, string(a.Otherwise), a.Reason})
	}
	return out
}

// cleanWriter writes through term.Clean; each write must hold whole
// characters (batch writes whole lines).
type cleanWriter struct{ w io.Writer }

func (c cleanWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, term.Clean(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// repeated collects every occurrence of a flag as given (no splitting at
// commas, which JSON arrays and ARNs contain).
type repeated []string

func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }
func (r *repeated) String() string     { return strings.Join(*r, " ") }

func contextFlags(c *cli.Context) []string {
	if r, ok := c.Generic("context").(*repeated); ok && r != nil {
		return *r
	}
	return nil
}

// parseContextFlags reads --context k=v flags. A repeated key, or a value
// given as a JSON array, makes a multivalued key.
func parseContextFlags(flags []string) (simulate.Context, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	ctx := simulate.Context{}
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return nil, usageErrorf("--context %q: want key=value", f)
		}
		if strings.HasPrefix(v, "[") {
			var l []string
			if err := json.Unmarshal([]byte(v), &l); err != nil {
				return nil, usageErrorf("--context %s: a value starting with '[' must be a JSON array of strings", k)
			}
			cur := ctx[k]
			ctx[k] = simulate.Value{Values: append(cur.Values, l...), Multi: true}
			continue
		}
		if cur, ok := ctx[k]; ok {
			ctx[k] = simulate.Value{Values: append(cur.Values, v), Multi: true}
			continue
		}
		ctx[k] = simulate.Value{Values: []string{v}}
	}
	return ctx, nil
}

// defaultMaxPolicy bounds a policy file: far above the largest document AWS
// stores (a KMS key policy, 32 KB; three times that URL-encoded).
const defaultMaxPolicy = 1 << 20

func readPolicy(c *cli.Context, file string) (*simulate.Policy, error) {
	limit, err := sizeFlag(c, "max-policy-size")
	if err != nil {
		return nil, err
	}
	b, err := limits.ReadTextFile(file, limit, "--max-policy-size")
	if err != nil {
		return nil, badInput(fmt.Errorf("read policy: %w", err))
	}
	p, err := simulate.Parse(b)
	if err != nil {
		return nil, badInput(fmt.Errorf("%s: %w", file, err))
	}
	return p, nil
}

func namedPolicyFlag(c *cli.Context, flag string) (*simulate.NamedPolicy, error) {
	f := c.String(flag)
	if f == "" {
		return nil, nil
	}
	p, err := readPolicy(c, f)
	if err != nil {
		return nil, err
	}
	return &simulate.NamedPolicy{Name: f, Policy: p}, nil
}

func nameOrIndex(file, layer string, i int) string {
	if file != "" {
		return file
	}
	return fmt.Sprintf("%s[%d]", layer, i)
}

// simulateFunction simulates a call the function's code makes, as its
// execution role's session, with every policy that applies to it (built by
// judge.OutboundInput, the same input diagnose and check use).
func simulateFunction(c *cli.Context) error {
	for _, name := range []string{"action", "resource"} {
		if c.String(name) == "" {
			return usageErrorf("--%s is required with --function", name)
		}
	}
	extra, err := parseContextFlags(contextFlags(c))
	if err != nil {
		return err
	}
	src, err := openSource(c)
	if err != nil {
		return err
	}
	fn, err := src.Function(c.Context, c.String("function"))
	if err != nil {
		return err
	}
	in, gaps := judge.OutboundInput(fn, judge.Call{
		Action: c.String("action"), Resource: c.String("resource"), Context: extra, Why: "--action/--resource"})
	if len(gaps.Unparsed) > 0 {
		// A policy of the account that does not parse leaves the call
		// undecided: bad input, as for a policy file.
		return badInput(gaps.Unparsed[0])
	}
	s := ioFrom(c)
	for _, u := range gaps.Unseen {
		fmt.Fprintf(s.err, "lambda-doctor: not seen: %s %s: %s\n", term.Line(u.Operation), term.Line(u.Resource), term.Line(u.Error))
	}
	if in == nil {
		return &account.AccessError{Operation: "iam:GetRole", Permission: "iam:GetRole",
			Err: fmt.Errorf("the execution role %s of %s could not be read", fn.Config.RoleARN, fn.Name)}
	}
	for _, a := range gaps.Assumed {
		fmt.Fprintf(s.err, "lambda-doctor: assumed: %s\n", term.Line(a))
	}
	if v := c.String("resource-account"); v != "" {
		in.Request.ResourceAccount = v
	}
	return decideAndPrint(c, in, !c.Bool("no-default-context"))
}
