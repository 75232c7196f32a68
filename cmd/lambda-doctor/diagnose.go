package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/internal/limits"
	"github.com/lambda-doctor/lambda-doctor/internal/term"
	"github.com/lambda-doctor/lambda-doctor/internal/validate"
)

// diagnoseOptions are what `lambda-doctor diagnose` was told.
type diagnoseOptions struct {
	Source     sourceOptions
	Function   string // name or ARN, without the qualifier
	Output     string // text | json | markdown
	CrossCheck bool
	Diagnose   diagnose.Options
}

// diagnoseCommand is `lambda-doctor diagnose`; runF, when set, gets the
// options instead of runDiagnose (tests of flag parsing).
func diagnoseCommand(runF func(context.Context, *streams, *diagnoseOptions) error) *cli.Command {
	return &cli.Command{
		Name:  "diagnose",
		Usage: "find the closed door (inbound, outbound, logs, trust) and the smallest verified fix",
		UsageText: "lambda-doctor diagnose --function NAME|ARN [--qualifier QUALIFIER] [--symptom SYMPTOM] " +
			"[--error TEXT|@FILE|-] [--max-error-size BYTES] [--caller PRINCIPAL] [--source-arn ARN] [--source-account ID] [--function-url] " +
			"[--action SERVICE:ACTION] [--resource ARN] [--output FORMAT] [--fix-format FORMAT] [--since DURATION] " +
			"[--cross-check] [--profile PROFILE] [--region REGION] [--snapshot FILE] [--max-snapshot-size BYTES] [--discovery-limit KIND=N ...]",
		Description: "Judges the failing request (from --symptom and the flags of the inbound or outbound door, " +
			"or a pasted --error) against the function's policies, names the closed door and the statement that " +
			"decides, and prints the smallest fix, verified by simulating again with the fix applied. With no " +
			"symptom (auto) it judges every requirement of the configuration, as check does, and the denials in " +
			"the function's recent logs.\n\n" +
			"Exit codes: 0 the doors are open for the request, 1 a closed door was found and explained, " +
			"2 bad usage or input, 3 the account could not be read well enough to decide.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "function", Aliases: []string{"f"}, Usage: "the function's `NAME`, ARN, or NAME:QUALIFIER"},
			&cli.StringFlag{Name: "qualifier", Usage: "the alias or version (`QUALIFIER`) the failing request names"},
			&cli.StringFlag{Name: "symptom", Value: "auto", Usage: "what goes wrong (`SYMPTOM`): auto, invoke-denied, access-denied, no-logs or role-assume"},
			&cli.StringFlag{Name: "error", Usage: "the AWS error `TEXT` as pasted (@FILE reads a file, - reads standard input)"},
			&cli.Int64Flag{Name: "max-error-size", Value: defaultMaxErrorText, Usage: "largest --error @FILE or - read, in `BYTES`"},
			&cli.StringFlag{Name: "caller", Usage: "who invokes (`PRINCIPAL`): a service principal, an account id, a role or user ARN, or '*'"},
			&cli.StringFlag{Name: "source-arn", Usage: "the `ARN` of the invoking resource (API route, rule, topic, bucket, log group...)"},
			&cli.StringFlag{Name: "source-account", Usage: "the account `ID` that owns the invoking resource (with --caller or --source-arn)"},
			&cli.BoolFlag{Name: "function-url", Usage: "the invoke comes through the function URL (with --caller)"},
			&cli.StringFlag{Name: "action", Usage: "the `SERVICE:ACTION` the function's code was refused"},
			&cli.StringFlag{Name: "resource", Usage: "the resource `ARN` it was refused on (with --action)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "text", Usage: "output `FORMAT`: text, json or markdown"},
			&cli.StringFlag{Name: "fix-format", Value: "cli", Usage: "write fixes as `FORMAT`: cli, cloudformation, sam or terraform"},
			&cli.BoolFlag{Name: "cross-check", Usage: "also ask IAM SimulatePrincipalPolicy about outbound requests (live account only)"},
			&cli.StringFlag{Name: "since", Usage: "search the function's logs this far back for access denials: a `DURATION` such as 90m, 36h or 7d (default: 24h; 0: do not search; live account only)"},
		}, append(sourceFlags(), triggerFlags()...)...),
		Action: action(diagnoseOptionsFrom, runDiagnose, runF),
	}
}

// diagnoseOptionsFrom reads and checks the flags; every error is bad usage
// or bad input (exit 2).
func diagnoseOptionsFrom(c *cli.Context) (*diagnoseOptions, error) {
	if c.NArg() > 0 {
		return nil, strayArgument(c)
	}
	name := strings.TrimSpace(c.String("function"))
	if name == "" {
		return nil, usageErrorf("--function is required: the function's name or ARN")
	}
	o := &diagnoseOptions{Function: name, Output: c.String("output"), CrossCheck: c.Bool("cross-check")}
	switch o.Output {
	case "text", "json", "markdown", "md":
	default:
		return nil, usageErrorf("--output %q: want text, json or markdown", o.Output)
	}
	format := fix.Format(c.String("fix-format"))
	switch format {
	case fix.CLI, fix.CloudFormation, fix.SAM, fix.Terraform:
	default:
		return nil, usageErrorf("--fix-format %q: want cli, cloudformation, sam or terraform", format)
	}
	errText, err := readErrorText(c)
	if err != nil {
		return nil, err
	}
	o.Diagnose = diagnose.Options{
		Symptom:       c.String("symptom"),
		Error:         errText,
		Caller:        strings.TrimSpace(c.String("caller")),
		SourceARN:     strings.TrimSpace(c.String("source-arn")),
		SourceAccount: strings.TrimSpace(c.String("source-account")),
		Qualifier:     strings.TrimSpace(c.String("qualifier")),
		Action:        strings.TrimSpace(c.String("action")),
		Resource:      strings.TrimSpace(c.String("resource")),
		FunctionURL:   c.Bool("function-url"),
		FixFormat:     format,
	}
	d := &o.Diagnose
	// NAME:QUALIFIER and ARN:QUALIFIER name the qualifier too.
	f, err := validate.FunctionName(name)
	if err != nil {
		return nil, badInput(fmt.Errorf("--function: %w", err))
	}
	if f.Qualifier != "" {
		if d.Qualifier != "" && d.Qualifier != f.Qualifier {
			return nil, usageErrorf("--function %s names qualifier %q but --qualifier is %q", name, f.Qualifier, d.Qualifier)
		}
		o.Function, d.Qualifier = strings.TrimSuffix(name, ":"+f.Qualifier), f.Qualifier
	}
	// A request AWS could not make is bad input, before any account is read.
	if err := diagnose.ValidateOptions(*d); err != nil {
		return nil, badInput(err)
	}
	if o.Source, err = sourceOptionsFrom(c); err != nil {
		return nil, err
	}
	// A flag that is given is used or is an error (the request flags:
	// diagnose.ValidateOptions).
	if o.Source.LogWindow > 0 && !diagnose.ReadsLogDenials(*d) {
		what := "--symptom " + d.Symptom
		switch {
		case d.Error != "":
			what = "a pasted error that names its own request"
		case d.Symptom == diagnose.SymptomAccessDenied:
			what = "--symptom access-denied with --action"
		}
		return nil, usageErrorf("--since searches the function's logs for access denials, which %s does not judge: drop --since (symptom auto, and access-denied without --action, judge them)", what)
	}
	if o.CrossCheck && (d.Symptom == diagnose.SymptomInvokeDenied || d.Symptom == diagnose.SymptomRoleAssume) && d.Error == "" {
		return nil, usageErrorf("--cross-check asks IAM about the execution role's calls, which --symptom %s does not judge: drop --cross-check", d.Symptom)
	}
	if o.CrossCheck && o.Source.Snapshot != "" {
		return nil, usageErrorf("--cross-check asks IAM's simulator of a live account: it does not apply to --snapshot")
	}
	return o, nil
}

// principalSimulator is what a live source offers for --cross-check.
type principalSimulator interface {
	SimulatePrincipalPolicy(ctx context.Context, roleARN, action, resource string, context map[string][]string) (string, error)
}

// withNamedKeys returns fn with the KMS keys named on the command line
// that it does not reference, read from the source when it can read keys
// (account.KeySource); fn itself is not changed. A key the source cannot
// read is left out: its key policy is then assumed, and said to be.
func withNamedKeys(ctx context.Context, s *streams, src account.Source, fn *account.Function, arns []string) *account.Function {
	ks, ok := src.(account.KeySource)
	if !ok {
		return fn
	}
	var more []*account.Key
	for _, a := range arns {
		if fn.KeyByARN(a) != nil {
			continue
		}
		k, err := ks.Key(ctx, a)
		if err != nil {
			if !errors.Is(err, account.ErrNotFound) {
				fmt.Fprintf(s.err, "lambda-doctor: KMS key %s not read: %s\n", term.Line(a), term.Line(err.Error()))
			}
			continue
		}
		more = append(more, k)
	}
	if len(more) == 0 {
		return fn
	}
	c := *fn
	c.Keys = append(append([]*account.Key(nil), fn.Keys...), more...)
	return &c
}

// withNamedTags returns fn with the tags of the resources named on the
// command line that its requests do not name, read from the source when
// it can read tags (account.TagSource); fn itself is not changed. A read
// that is refused or fails is in the copy's Unseen; its resources stay
// unread (a condition on their tags undecided).
func withNamedTags(ctx context.Context, src account.Source, fn *account.Function, arns []string) (*account.Function, error) {
	ts, ok := src.(account.TagSource)
	if !ok {
		return fn, nil
	}
	var ask []string
	for _, a := range arns {
		if _, read := fn.TagsOf(a); !read {
			ask = append(ask, a)
		}
	}
	if len(ask) == 0 {
		return fn, nil
	}
	tags, unseen, err := ts.ResourceTags(ctx, ask)
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 && len(unseen) == 0 {
		return fn, nil
	}
	c := *fn
	c.ResourceTags = make(map[string]map[string]string, len(fn.ResourceTags)+len(tags))
	for a, t := range fn.ResourceTags {
		c.ResourceTags[a] = t
	}
	for a, t := range tags {
		c.ResourceTags[a] = t
	}
	c.Unseen = append(append([]account.Unseen(nil), fn.Unseen...), unseen...)
	return &c, nil
}

// runDiagnose reads the function, diagnoses it and prints the report; the
// exit code is the report's.
func runDiagnose(ctx context.Context, s *streams, o *diagnoseOptions) error {
	src, err := o.Source.open(ctx, s)
	if err != nil {
		return err
	}
	name := o.Function
	if q := o.Diagnose.Qualifier; q != "" {
		// Read as NAME:QUALIFIER, so that an alias or version the
		// function does not have is not found (exit 3), as in check and
		// snapshot, rather than judged.
		name += ":" + q
	}
	fn, err := src.Function(ctx, name)
	if err != nil {
		return err
	}
	fn = withNamedKeys(ctx, s, src, fn, diagnose.KeysNamed(o.Diagnose))
	if fn, err = withNamedTags(ctx, src, fn, diagnose.ResourcesNamed(o.Diagnose)); err != nil {
		return err
	}
	opts := o.Diagnose
	if o.Source.Snapshot == "" {
		// The fixes run with the credentials that read the account.
		opts.Profile = o.Source.Profile
	}
	if o.CrossCheck {
		if ps, ok := src.(principalSimulator); ok {
			opts.CrossCheck = func(ctx context.Context, roleARN, action, resource string) (string, error) {
				return ps.SimulatePrincipalPolicy(ctx, roleARN, action, resource, nil)
			}
		} else {
			// A snapshot is refused with --cross-check (diagnoseOptionsFrom).
			return usageErrorf("--cross-check asks IAM's simulator of a live account: this source has none")
		}
	}
	rep, err := diagnose.Diagnose(ctx, fn, opts)
	if err != nil {
		var ie *diagnose.InputError
		if errors.As(err, &ie) {
			return badInput(err)
		}
		return badInput(fmt.Errorf("function %s: %w", fn.Name, err))
	}
	switch o.Output {
	case "json":
		err = diagnose.RenderJSON(s.out, rep)
	case "markdown", "md":
		err = diagnose.RenderMarkdown(s.out, rep)
	default:
		err = diagnose.RenderText(s.out, rep, diagnose.TextOptions{Palette: s.io.Palette(), Width: s.io.Width()})
	}
	if err != nil {
		return err
	}
	return exitWith(rep.ExitCode())
}

// defaultMaxErrorText bounds --error @FILE and --error - (--max-error-size).
const defaultMaxErrorText = 4 << 20

// readErrorText returns --error's text: as given, from a file (@FILE) or
// from stdin (-), each read with a size limit.
func readErrorText(c *cli.Context) (string, error) {
	v := c.String("error")
	limit, err := sizeFlag(c, "max-error-size")
	if err != nil {
		return "", err
	}
	switch {
	case v == "-":
		b, err := limits.ReadText(ioFrom(c).in, limit, "standard input", "--max-error-size")
		if err != nil {
			return "", badInput(fmt.Errorf("--error -: %w", err))
		}
		return string(b), nil
	case strings.HasPrefix(v, "@"):
		b, err := limits.ReadTextFile(v[1:], limit, "--max-error-size")
		if err != nil {
			return "", badInput(fmt.Errorf("--error %s: %w", v, err))
		}
		return string(b), nil
	}
	if c.IsSet("error") && strings.TrimSpace(v) == "" {
		return "", usageErrorf("--error is empty: paste the AWS error text")
	}
	if c.IsSet("max-error-size") {
		return "", usageErrorf("--max-error-size bounds what --error @FILE or --error - reads; --error TEXT (or none) reads nothing: drop --max-error-size")
	}
	return v, nil
}

// strayArgument is the usage error of an argument diagnose does not take,
// with the flag it was most likely meant for: --function for a function
// name when none was given, --error for a pasted text of several words.
func strayArgument(c *cli.Context) error {
	arg := c.Args().First()
	_, notName := validate.FunctionName(arg)
	switch {
	case !c.IsSet("function") && notName == nil:
		return usageErrorf("diagnose takes no arguments, got %q (did you mean --function %s?)", arg, arg)
	case strings.ContainsAny(strings.TrimSpace(arg), " \t\n") && !c.IsSet("error"):
		return usageErrorf("diagnose takes no arguments, got %q (to diagnose a pasted error text, give it with --error)", arg)
	}
	return usageErrorf("diagnose takes no arguments, got %q", arg)
}
