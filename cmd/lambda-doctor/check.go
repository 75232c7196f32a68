package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/checks"
)

// defaultFailOn is the severity at or above which a finding fails `check`
// when neither --fail-on nor the spec's fail_on says otherwise: high and
// critical findings break the pipeline, medium and low ones are reported.
const defaultFailOn = "high"

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "CI smoke checks: required permissions, least-privilege findings and spec expectations",
		Description: `Checks one function (--function) or every function of the account (--all):
the permissions its configuration requires of its execution role (logs, VPC,
event sources, dead-letter target, destinations, X-Ray, KMS, EFS), least-
privilege findings on its role and resource policy, and the expectations of
a spec file (--spec). Exit 0 when all is well (quietly), 1 when an
expectation fails or a finding is at or above --fail-on, 2 on bad input,
3 when the account could not be read well enough to decide.`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "function", Usage: "function `NAME` or ARN to check"},
			&cli.BoolFlag{Name: "all", Usage: "check every function of the account (or snapshot)"},
			&cli.StringFlag{Name: "spec", Usage: "expectations `FILE` (YAML or JSON): invokers, calls, denied calls"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "text, json, sarif or junit"},
			&cli.StringFlag{Name: "fail-on", Usage: "lowest finding `SEVERITY` that fails the check: low, medium, high, critical or none (default: the spec's fail_on, else " + defaultFailOn + ")"},
			&cli.StringSliceFlag{Name: "ignore", Usage: "rule `ID` whose findings are not reported (repeatable, e.g. --ignore LD104)"},
			&cli.IntFlag{Name: "concurrency", Value: 16, Usage: "functions read and checked at once with --all"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "text output: list every finding and expectation, also when all is well"},
			&cli.StringFlag{Name: "sarif-file", Usage: "repository `FILE` the SARIF results point at (code scanning needs one; default: the --spec file)"},
		}, sourceFlags()...),
		Action: runCheck,
	}
}

func runCheck(c *cli.Context) error {
	s := ioFrom(c)
	if c.NArg() > 0 {
		return usageErrorf("check takes no arguments (got %q); name the function with --function", c.Args().First())
	}
	format := c.String("output")
	switch format {
	case "text", "json", "sarif", "junit":
	default:
		return usageErrorf("--output must be text, json, sarif or junit, not %q", format)
	}
	if c.Int("concurrency") < 1 {
		return usageErrorf("--concurrency must be at least 1")
	}
	all, fn := c.Bool("all"), c.String("function")
	if all && fn != "" {
		return usageErrorf("give --function or --all, not both")
	}
	var spec *checks.Spec
	if path := c.String("spec"); path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return badInput(fmt.Errorf("read spec: %w", err))
		}
		if spec, err = checks.ParseSpec(path, data); err != nil {
			return badInput(err)
		}
	}
	if !all && fn == "" && (spec == nil || len(spec.Names()) == 0) {
		return usageErrorf("name a function with --function NAME, or check every function with --all")
	}
	if spec != nil && fn == "" {
		for _, fs := range spec.Functions {
			if fs.Function == "" {
				return badInput(&checks.SpecError{File: spec.File, Line: fs.Line,
					Msg: "expectations without a function name apply to --function, which is not given; add `function: NAME`"})
			}
		}
	}
	failOn, err := checks.ParseSeverity(defaultFailOn)
	if err != nil {
		return err
	}
	if spec != nil && spec.FailOn != nil {
		failOn = *spec.FailOn
	}
	if c.IsSet("fail-on") {
		if failOn, err = checks.ParseSeverity(c.String("fail-on")); err != nil {
			return usageErrorf("--fail-on: %v", err)
		}
	}
	var ignore []string
	for _, id := range c.StringSlice("ignore") {
		for _, one := range strings.Split(id, ",") {
			r, ok := checks.RuleByID(strings.TrimSpace(one))
			if !ok {
				return usageErrorf("--ignore: unknown rule id %q (see the rule list in the README)", one)
			}
			ignore = append(ignore, r.ID)
		}
	}

	src, err := openSource(c)
	if err != nil {
		return err
	}
	ctx := c.Context
	opts := checks.Options{FailOn: failOn, Spec: spec, Function: fn, Ignore: ignore, Workers: c.Int("concurrency")}
	if all {
		defer tuneGC()()
	}
	var rep *checks.Report
	if all {
		if ra, ok := src.(wholeAccountReader); ok {
			// The live reader reads the account in one sweep with its own
			// concurrency and progress; functions are checked as they come.
			rep, err = checks.Each(ctx, ra.ReadAll, opts)
			if err != nil {
				return err
			}
		}
	}
	if rep == nil {
		var names []string
		switch {
		case all:
			if names, err = src.FunctionNames(ctx); err != nil {
				return fmt.Errorf("list functions: %w", err)
			}
		case fn != "":
			// A function named on the command line that cannot be read is
			// an error of the run (exit 2 or 3), not a line in the report.
			if _, err := src.Function(ctx, fn); err != nil {
				return err
			}
			names = []string{fn}
			for _, n := range spec.Names() {
				if n != fn {
					names = append(names, n)
				}
			}
		default:
			names = spec.Names()
		}
		var bar *progressBar
		if s.errTTY && len(names) > 1 {
			bar = &progressBar{w: s.err, total: len(names)}
			opts.Progress = bar.update
		}
		rep, err = checks.Run(ctx, src, names, opts)
		if bar != nil {
			bar.finish()
		}
		if err != nil {
			return err
		}
	}
	if spec != nil {
		if err := specFunctionsFound(spec, rep, fn); err != nil {
			return err
		}
	}

	switch format {
	case "json":
		err = checks.WriteJSON(s.out, rep)
	case "sarif":
		err = checks.WriteSARIF(s.out, rep, checks.SARIFOptions{Artifact: c.String("sarif-file")})
	case "junit":
		err = checks.WriteJUnit(s.out, rep)
	default:
		err = checks.WriteText(s.out, rep, checks.TextOptions{Color: s.color(), Verbose: c.Bool("verbose")})
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	switch {
	case rep.Summary.Failed:
		return problemFound()
	case rep.Incomplete():
		return &exitError{code: exitUnseen, err: errors.New(incomplete(rep))}
	}
	return nil
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
			return &exitError{code: exitUnseen, err: &checks.SpecError{File: spec.File, Line: fs.Line,
				Msg: fmt.Sprintf("function %q named by the spec was not found or could not be read", name)}}
		}
	}
	return nil
}

func incomplete(rep *checks.Report) string {
	var parts []string
	if n := rep.Summary.Errors; n > 0 {
		parts = append(parts, fmt.Sprintf("%d function(s) could not be read", n))
	}
	if n := rep.Summary.Unknown; n > 0 {
		parts = append(parts, fmt.Sprintf("%d check(s) could not be decided because reads were refused or documents do not parse", n))
	}
	if n := rep.Summary.Unparsed; n > 0 {
		parts = append(parts, fmt.Sprintf("%d policy document(s) do not parse (LD110)", n))
	}
	return "incomplete check: " + strings.Join(parts, "; ")
}

// progressBar draws "checking  1234/5000 [=====>    ]  25%" on a terminal.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	total int
	last  time.Time
	drawn bool
}

func (p *progressBar) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	fill := width * done / total
	bar := strings.Repeat("=", fill)
	if fill < width {
		bar += ">" + strings.Repeat(" ", width-fill-1)
	}
	fmt.Fprintf(p.w, "\rchecking %*d/%d [%s] %3d%%", len(fmt.Sprint(total)), done, total, bar, 100*done/total)
	p.drawn = true
}

func (p *progressBar) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
