package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/account/template"
	"github.com/lambda-doctor/lambda-doctor/checks"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/internal/limits"
	"github.com/lambda-doctor/lambda-doctor/internal/validate"
	"github.com/lambda-doctor/lambda-doctor/internal/version"
)

// defaultFailOn is the severity at or above which a finding fails `check`
// when neither --fail-on nor the spec's fail_on says otherwise: high and
// critical findings break the pipeline, medium and low ones are reported.
const defaultFailOn = "high"

// defaultMaxSpec bounds the spec file (--max-spec-size).
const defaultMaxSpec = 4 << 20

// checkOptions are what `lambda-doctor check` was told.
type checkOptions struct {
	Source    sourceOptions
	Function  string
	All       bool
	Spec      *checks.Spec
	Output    string // text | json | sarif | junit
	FailOn    checks.Severity
	Ignore    []string
	Workers   int
	Verbose   bool
	SARIFFile string
	// FixFormat is --fix-format; "" lets the source choose (cli for an
	// account, the template's own language for --template).
	FixFormat fix.Format
	// Template is --template FILE: the functions come from the template,
	// read with these options.
	Template     string
	TemplateOpts template.Options
	// AccountPlan says whether --template reads the values the template
	// does not give from the account.
	AccountPlan accountPlan
	// specErr is why --spec could not be read, kept for runCheck when the
	// output is a document (json, sarif, junit), which it then still
	// writes: a spec is input, and its error is bad input (exit 2).
	specErr error
}

// checkCommand is `lambda-doctor check`; runF, when set, gets the options
// instead of runCheck (tests of flag parsing).
func checkCommand(runF func(context.Context, *streams, *checkOptions) error) *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "CI smoke checks: required permissions, least-privilege findings and spec expectations",
		UsageText: "lambda-doctor check (--function NAME|ARN | --all) [--spec FILE] [--max-spec-size BYTES] [--output FORMAT] " +
			"[--fail-on SEVERITY] [--ignore ID ...] [--verbose] [--sarif-file FILE] [--fix-format FORMAT] [--concurrency N] " +
			"[--profile PROFILE] [--region REGION] [--snapshot FILE] [--max-snapshot-size BYTES] [--discovery-limit KIND=N ...]\n" +
			"lambda-doctor check --template FILE [--parameter KEY=VALUE ...] [--region REGION] [--account ID] [--stack-name NAME] [--offline] [--profile PROFILE] " +
			"[--function NAME|LOGICAL_ID] [--spec FILE] [--output FORMAT] [--fail-on SEVERITY] [--ignore ID ...] [--fix-format FORMAT] " +
			"[--sarif-file FILE]",
		Description: `Checks one function (--function) or every function of the account (--all):
what its configuration requires (the execution role's logs, VPC, event
source, dead-letter, destination, X-Ray, KMS and EFS permissions, Lambda's
trust, and every invoker the account shows), least-privilege findings on its
role and resource policy, and the expectations of a spec file (--spec).
With --template FILE it judges a CloudFormation or SAM template (or cdk synth
output) before deploy: the same rules on the functions the template
defines, with --parameter K=V for its parameters and --region/--account for
its pseudo parameters. With credentials (--profile, or keys the environment
or shared config show) what the template does not give is read from the
account: the account and region, --stack-name's deployed parameters and
ids, exports, roles and policies outside the template; --offline never
reads. A requirement that depends on a value still not known is undecided
and named with how to give it.

Exit codes: 0 all is well (one line), 1 an expectation fails or a finding is
at or above --fail-on, 2 bad usage or input, 3 the account could not be read
(or a policy parsed, or a template's values known) well enough to decide;
--output sarif and junit then still write a document that says the run
failed.`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "function", Aliases: []string{"f"}, Usage: "function `NAME` or ARN to check"},
			&cli.BoolFlag{Name: "all", Usage: "check every function of the account (or snapshot)"},
			&cli.StringFlag{Name: "spec", Usage: "expectations `FILE` (YAML or JSON): invokers, calls, denied calls"},
			&cli.Int64Flag{Name: "max-spec-size", Value: defaultMaxSpec, Usage: "largest spec file read, in `BYTES`"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "output `FORMAT`: text, json, sarif or junit"},
			&cli.StringFlag{Name: "fail-on", Usage: "lowest finding `SEVERITY` that fails the check: low, medium, high, critical or none (default: the spec's fail_on, else " + defaultFailOn + ")"},
			&cli.StringSliceFlag{Name: "ignore", Usage: "rule `ID` whose findings are not reported (repeatable, e.g. --ignore LD104)"},
			&cli.IntFlag{Name: "concurrency", Value: 16, Usage: "read and check at most `N` functions at once (--all)"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "text output: list every finding, expectation and requirement judged, also when all is well"},
			&cli.StringFlag{Name: "sarif-file", Usage: "repository `FILE` the SARIF results point at (code scanning needs one; default: the --template or --spec file)"},
			&cli.StringFlag{Name: "fix-format", Usage: "write fixes as `FORMAT`: cli, cloudformation, sam or terraform (default: cli; with --template, the template's own: cloudformation or sam)"},
			&cli.StringFlag{Name: "template", Usage: "judge the CloudFormation or SAM template `FILE` (YAML or JSON, cdk synth output too) instead of an account"},
			&cli.StringSliceFlag{Name: "parameter", Usage: "--template: the value of a template parameter, `KEY=VALUE` (repeatable; a list parameter takes a comma-separated value)"},
			&cli.StringFlag{Name: "account", Usage: "--template: the account `ID` the template is deployed to (AWS::AccountId)"},
			&cli.StringFlag{Name: "stack-name", Usage: "--template: the stack `NAME` (AWS::StackName); with credentials, the deployed stack's parameters and physical ids are read"},
			&cli.BoolFlag{Name: "offline", Usage: "--template: never read an account, even with credentials (values the template does not give stay unknown)"},
		}, append(sourceFlags(), triggerFlags()...)...),
		Action: action(checkOptionsFrom, runCheck, runF),
	}
}

// checkOptionsFrom reads and checks the flags and the spec file.
func checkOptionsFrom(c *cli.Context) (*checkOptions, error) {
	if c.NArg() > 0 {
		return nil, usageErrorf("check takes no arguments (got %q); name the function with --function", c.Args().First())
	}
	o := &checkOptions{Function: c.String("function"), All: c.Bool("all"), Output: c.String("output"),
		Workers: c.Int("concurrency"), Verbose: c.Bool("verbose"), SARIFFile: c.String("sarif-file")}
	switch o.Output {
	case "text", "json", "sarif", "junit":
	default:
		return nil, usageErrorf("--output must be text, json, sarif or junit, not %q", o.Output)
	}
	if o.Workers < 1 {
		return nil, usageErrorf("--concurrency must be at least 1")
	}
	if o.All && o.Function != "" {
		return nil, usageErrorf("give --function or --all, not both")
	}
	if o.Function != "" {
		if _, err := validate.FunctionName(o.Function); err != nil {
			return nil, badInput(fmt.Errorf("--function: %w", err))
		}
	}
	if f := c.String("fix-format"); f != "" {
		o.FixFormat = fix.Format(f)
		if !slices.Contains(fix.Formats, o.FixFormat) {
			return nil, usageErrorf("--fix-format must be cli, cloudformation, sam or terraform, not %q", f)
		}
	}
	if err := templateOptionsFrom(c, o); err != nil {
		return nil, err
	}
	if path := c.String("spec"); path != "" {
		limit, err := sizeFlag(c, "max-spec-size")
		if err != nil {
			return nil, err
		}
		data, err := limits.ReadTextFile(path, limit, "--max-spec-size")
		if err != nil {
			o.specErr = badInput(fmt.Errorf("read spec: %w", err))
		} else if o.Spec, err = checks.ParseSpec(path, data); err != nil {
			o.specErr = badInput(err)
		}
		if o.specErr != nil && o.Output == "text" {
			return nil, o.specErr
		}
	}
	if o.specErr == nil && !o.All && o.Function == "" && o.Template == "" && (o.Spec == nil || len(o.Spec.Names()) == 0) {
		return nil, usageErrorf("name a function with --function NAME, or check every function with --all")
	}
	if o.Spec != nil && o.Function == "" && o.Template == "" {
		for _, fs := range o.Spec.Functions {
			if fs.Function == "" {
				return nil, badInput(&checks.SpecError{File: o.Spec.File, Line: fs.Line,
					Msg: "expectations without a function name apply to --function, which is not given; add `function: NAME`"})
			}
		}
	}
	var err error
	if o.FailOn, err = checks.ParseSeverity(defaultFailOn); err != nil {
		return nil, err
	}
	if o.Spec != nil && o.Spec.FailOn != nil {
		o.FailOn = *o.Spec.FailOn
	}
	if c.IsSet("fail-on") {
		if o.FailOn, err = checks.ParseSeverity(c.String("fail-on")); err != nil {
			return nil, usageErrorf("--fail-on: %v", err)
		}
	}
	for _, id := range c.StringSlice("ignore") {
		for _, one := range strings.Split(id, ",") {
			r, ok := checks.RuleByID(strings.TrimSpace(one))
			if !ok {
				return nil, usageErrorf("--ignore: unknown rule id %q (see the rule list in the README)", one)
			}
			o.Ignore = append(o.Ignore, r.ID)
		}
	}
	if o.Template != "" {
		return o, nil
	}
	if o.Source, err = sourceOptionsFrom(c); err != nil {
		return nil, err
	}
	return o, nil
}

// runCheck checks the functions, prints the report and gives its exit
// code: 1 when it fails, 3 when it is incomplete. Once the flags are
// valid, --output json, sarif and junit always write a document: a run
// that stops (the spec, the account or a function cannot be read) writes one that
// says the run failed and why, never an empty file.
func runCheck(ctx context.Context, s *streams, o *checkOptions) error {
	var rep *checks.Report
	var err error
	switch {
	case o.specErr != nil:
		err = o.specErr
	case o.Template != "":
		rep, err = checkTemplateReport(ctx, o)
	default:
		rep, err = checkReport(ctx, s, o)
	}
	if err != nil {
		if o.Output == "text" {
			return err
		}
		reason := err.Error()
		if _, advice := exitCode(err); advice != "" {
			reason += "; " + advice
		}
		if rep == nil {
			rep = checks.NotRun(o.FailOn, o.Spec, errors.New(reason))
		} else {
			rep.WithError(errors.New(reason))
		}
		if werr := writeCheckReport(s, o, rep); werr != nil {
			return fmt.Errorf("write report: %w (after: %w)", werr, err)
		}
		return err
	}
	return writeCheck(s, o, rep)
}

// writeCheck prints the report in the format asked for and gives the exit
// code: 1 when it fails, 3 when it is incomplete.
func writeCheck(s *streams, o *checkOptions, rep *checks.Report) error {
	if err := writeCheckReport(s, o, rep); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	switch {
	case rep.Summary.Failed:
		return problemFound()
	case rep.Incomplete():
		return &incompleteError{err: errors.New(incomplete(rep))}
	}
	return nil
}

// writeCheckReport writes rep in the format of --output.
func writeCheckReport(s *streams, o *checkOptions, rep *checks.Report) error {
	switch o.Output {
	case "json":
		return checks.WriteJSON(s.out, rep)
	case "sarif":
		return checks.WriteSARIF(s.out, rep, checks.SARIFOptions{Artifact: o.SARIFFile, Version: version.Get().Version})
	case "junit":
		return checks.WriteJUnit(s.out, rep)
	}
	return checks.WriteText(s.out, rep, checks.TextOptions{Palette: s.io.Palette(), Verbose: o.Verbose, Width: s.io.Width()})
}

// checkReport reads the account and checks the functions. An error that
// stops the run comes with the report so far, when there is one.
func checkReport(ctx context.Context, s *streams, o *checkOptions) (*checks.Report, error) {
	src, err := o.Source.open(ctx, s)
	if err != nil {
		return nil, err
	}
	opts := checks.Options{FailOn: o.FailOn, Spec: o.Spec, Function: o.Function, Ignore: o.Ignore, Workers: o.Workers, FixFormat: o.FixFormat}
	if o.Source.Snapshot == "" {
		// The fixes run with the credentials that read the account.
		opts.Profile = o.Source.Profile
	}
	if o.All {
		defer tuneGC()()
	}
	var rep *checks.Report
	if ra, ok := src.(wholeAccountReader); ok && o.All {
		// The live reader reads the account in one sweep with its own
		// concurrency and progress; functions are checked as they come.
		if rep, err = checks.Each(ctx, ra.ReadAll, opts); err != nil {
			return nil, err
		}
	}
	if rep == nil {
		var names []string
		switch {
		case o.All:
			if names, err = src.FunctionNames(ctx); err != nil {
				return nil, fmt.Errorf("list functions: %w", err)
			}
		case o.Function != "":
			// A function named on the command line that cannot be read is
			// an error of the run (exit 2 or 3), not a line in the report.
			if _, err := src.Function(ctx, o.Function); err != nil {
				return nil, err
			}
			names = []string{o.Function}
			for _, n := range o.Spec.Names() {
				if n != o.Function {
					names = append(names, n)
				}
			}
		default:
			names = o.Spec.Names()
		}
		bar := s.io.Progress("checking", len(names))
		if bar != nil {
			opts.Progress = bar.Update
		}
		rep, err = checks.Run(ctx, src, names, opts)
		bar.Done()
		if err != nil {
			return nil, err
		}
	}
	if o.Spec != nil {
		if err := specFunctionsFound(o.Spec, rep, o.Function); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// tuneGC trades memory for CPU during a whole-account check, unless the
// user set GOGC or GOMEMLIMIT: the garbage collector runs at 5× the live
// heap, but never lets the heap pass 300 MiB. On 5,000 functions this saves
// about a fifth of the CPU time, with a peak RSS near 320 MB
// (scripts/bench-check). It returns the function that restores the settings.
func tuneGC() func() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	gc := debug.SetGCPercent(400)
	limit := debug.SetMemoryLimit(300 << 20)
	return func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	}
}

// wholeAccountReader is a source that reads every function of the account
// in one sweep (live.Reader).
type wholeAccountReader interface {
	ReadAll(ctx context.Context, each func(*account.Function) error) error
}

// specFunctionsFound refuses a spec that names a function the run did not
// check: a renamed function must not make its expectations pass silently.
func specFunctionsFound(spec *checks.Spec, rep *checks.Report, cmdFn string) error {
	for _, fs := range spec.Functions {
		name := fs.Function
		if name == "" {
			name = cmdFn
		}
		found := false
		for _, fr := range rep.Functions {
			if fr.Error == "" && (fr.Name == name || fr.ARN == name || (fs.Function == "" && cmdFn != "")) {
				found = true
				break
			}
		}
		if !found {
			return &incompleteError{err: &checks.SpecError{File: spec.File, Line: fs.Line,
				Msg: fmt.Sprintf("function %q named by the spec was not found or could not be read", name)}}
		}
	}
	return nil
}

func incomplete(rep *checks.Report) string {
	return "incomplete check: " + strings.Join(rep.IncompleteReasons(), "; ")
}
