// Package diagnose is the flow of `lambda-doctor diagnose`: a symptom, a
// pasted AWS error or the function's own configuration becomes the requests
// to explain; package judge judges each (door, decision, deciding
// statements), package fix writes the smallest verified fix, and this
// package assembles the report and renders it as text, JSON or Markdown.
// It never talks to AWS.
package diagnose

import (
	"context"
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/internal/errtext"
	"github.com/lambda-doctor/lambda-doctor/internal/validate"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Door is where a request is judged (judge.Door).
type Door = judge.Door

// The doors, as the report names them.
const (
	Inbound  = judge.Inbound
	Outbound = judge.Outbound
	Logs     = judge.Logs
	Trust    = judge.Trust
	Config   = judge.Config
	None     = judge.None
	Unknown  = judge.Unknown
)

// notThisCause is the not_this of a configuration finding.
const notThisCause = "the function's configuration, or a resource it names, is what fails; granting a permission would not change it"

// Symptoms a person can name (docs/contract.md).
const (
	SymptomAuto         = "auto"
	SymptomInvokeDenied = "invoke-denied"
	SymptomAccessDenied = "access-denied"
	SymptomNoLogs       = "no-logs"
	SymptomRoleAssume   = "role-assume"
)

// Symptoms lists the valid symptoms.
var Symptoms = []string{SymptomAuto, SymptomInvokeDenied, SymptomAccessDenied, SymptomNoLogs, SymptomRoleAssume}

// Options are what the person told the command.
type Options struct {
	Symptom       string // one of Symptoms; "" is auto
	Error         string // pasted AWS error text
	Caller        string // --caller: service principal, account id, ARN or "*"
	SourceARN     string
	SourceAccount string
	Qualifier     string
	Action        string
	Resource      string
	FunctionURL   bool // the invoke comes through the function URL
	FixFormat     fix.Format
	// Profile is the named profile the account was read with ("" for none,
	// and for a snapshot): every fix command carries it (fix.Target).
	Profile string
	// CrossCheck, when set, asks IAM's SimulatePrincipalPolicy about an
	// outbound request (roleARN as policy source) and returns its decision
	// ("allowed", "implicitDeny", "explicitDeny"). The local engine stays
	// the judge; a disagreement is reported.
	CrossCheck func(ctx context.Context, roleARN, action, resource string) (string, error)
}

// InputError is bad input (exit 2): a flag value or an error text that is
// not what was expected.
type InputError struct {
	Flag string
	Err  error
}

func (e *InputError) Error() string { return e.Flag + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(flag, format string, args ...any) error {
	return &InputError{Flag: flag, Err: fmt.Errorf(format, args...)}
}

// finding is one judged request and where it came from.
type finding struct {
	v       *judge.Verdict
	req     *judge.Requirement // the requirement it judges, if any
	source  string             // what made us check it
	notes   []string           // subtleties found on the way
	rank    int                // lower is more likely
	notThis string
}

// Diagnose explains why fn refuses (or would refuse) what the options
// describe: it builds the requests, judges each, and returns the report
// with the closed doors first. An error is bad input (*InputError) or a
// malformed policy in the model.
func Diagnose(ctx context.Context, fn *account.Function, o Options) (*Report, error) {
	if o.Symptom == "" {
		o.Symptom = SymptomAuto
	}
	if !validSymptom(o.Symptom) {
		return nil, inputErrorf("--symptom", "unknown symptom %q; want one of %s", o.Symptom, strings.Join(Symptoms, ", "))
	}
	if o.FixFormat == "" {
		o.FixFormat = fix.CLI
	}
	if err := ValidateOptions(o); err != nil {
		return nil, err
	}
	if err := validateForFunction(fn, o); err != nil {
		return nil, err
	}
	d := &diagnosis{fn: fn, o: o}
	var notes []string
	var den *errtext.Denial
	if o.Error != "" {
		var err error
		den, err = errtext.Parse(o.Error)
		if err != nil {
			// errtext.ErrNotDenial, with what was expected.
			return nil, &InputError{Flag: "--error", Err: err}
		}
		n, err := d.fromError(den)
		if err != nil {
			return nil, err
		}
		if err := d.flagsUsed(den); err != nil {
			return nil, err
		}
		notes = append(notes, n...)
		if others := errtext.Others(o.Error, den); len(others) > 0 {
			notes = append(notes, otherDenialsNote(others))
		}
	} else {
		if err := d.fromSymptom(); err != nil {
			return nil, err
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	rep := d.report(ctx)
	if den != nil && rep.Primary.Door == None && d.used["--symptom"] {
		// A pasted denial that names no request, which every door
		// judged open does not explain, is undecided, never green. (A
		// denial that names its request is judged as that request: open
		// after its fix, with the notes of openButDenied.)
		d.unexplained(rep, den)
	}
	rep.Notes = append(notes, rep.Notes...)
	if o.Error != "" && o.Symptom == SymptomAuto && len(d.findings) > 0 && !(rep.Primary.Door == Unknown && rep.Primary.verdict == nil) {
		// The pasted error names the symptom.
		if s := doorSymptom[d.findings[0].v.Door]; s != "" {
			rep.Symptom = s
		}
	}
	return rep, nil
}

// KeysNamed are the KMS key ARNs the options name besides the function's
// own keys: --resource, or the key a pasted KMS error names. A source that
// can read keys (account.KeySource) adds them to the function before
// Diagnose, so that their key policies decide instead of an assumed one.
func KeysNamed(o Options) []string {
	return namedARNs(o, judge.IsKMSKey, func(den *errtext.Denial) []string { return []string{den.KeyARN, den.Resource} })
}

// ResourcesNamed lists the resource ARNs the options name (--resource, a
// pasted error's resource), whose tags a live source reads
// (account.TagSource) when the function's requests do not name them.
func ResourcesNamed(o Options) []string {
	return namedARNs(o, func(a string) bool { return strings.HasPrefix(a, "arn:") },
		func(den *errtext.Denial) []string { return []string{den.Resource} })
}

// namedARNs lists once each, in order, the ARNs keep accepts among
// --resource and the fields of a pasted error that named picks.
func namedARNs(o Options, keep func(string) bool, named func(*errtext.Denial) []string) []string {
	var out []string
	add := func(a string) {
		if keep(a) && !judge.ContainsFold(out, a) {
			out = append(out, a)
		}
	}
	add(o.Resource)
	if o.Error != "" {
		if den, err := errtext.Parse(o.Error); err == nil {
			for _, a := range named(den) {
				add(a)
			}
		}
	}
	return out
}

// ReadsLogDenials reports whether a diagnosis with these options judges
// the denial lines of the function's logs (what --since searches for):
// symptom auto, and access-denied without --action, when no pasted error
// names its own request.
func ReadsLogDenials(o Options) bool {
	if o.Error != "" {
		den, err := errtext.Parse(o.Error)
		if err != nil || den.Kind != errtext.KindBareAccessDenied && den.Kind != errtext.KindEncodedEC2 {
			return false
		}
	}
	switch o.Symptom {
	case "", SymptomAuto:
		return true
	case SymptomAccessDenied:
		return o.Action == ""
	}
	return false
}

func validSymptom(s string) bool {
	for _, v := range Symptoms {
		if s == v {
			return true
		}
	}
	return false
}

type diagnosis struct {
	fn       *account.Function
	o        Options
	fixes    *fix.Set // the report's fixes, in the order printed
	findings []*finding
	notes    []string
	err      error
	seen     map[string]bool
	// troubleshooter is set from a pasted denial's authorization id.
	troubleshooter *Troubleshooter
	// undecided are diagnoses made without a judged request: a pasted
	// denial of another principal (otherPrincipal).
	undecided []Diagnosis
	// used are the request flags a pasted error's diagnosis read: the
	// others given are refused (flagsUsed).
	used map[string]bool
}

// use marks request flags as read.
func (d *diagnosis) use(flags ...flag) {
	if d.used == nil {
		d.used = map[string]bool{}
	}
	for _, f := range flags {
		d.used[f.name] = true
	}
}

// flagsUsed refuses a request flag given with a pasted error that the
// error's diagnosis did not read (an invoke flag for a denial of the
// function's own call, --action for a KMS key's state...), and a --symptom
// that names another door than the pasted text: a flag that is given is
// used or is an error.
func (d *diagnosis) flagsUsed(den *errtext.Denial) error {
	o := d.o
	for _, fs := range [][]flag{inboundFlags(o), outboundFlags(o)} {
		for _, f := range fs {
			if f.given && !d.used[f.name] {
				return inputErrorf(f.name, "not used: the pasted error (%s) names its own request, and %s does not describe it; drop %s", den.Kind, f.name, f.name)
			}
		}
	}
	if o.CrossCheck != nil && !d.used["--symptom"] {
		calls := false
		for _, f := range d.findings {
			calls = calls || f.v.Door == Outbound || f.v.Door == Logs
		}
		if !calls {
			return inputErrorf("--cross-check", "asks IAM about the execution role's calls, and the pasted error (%s) is about none: drop --cross-check", den.Kind)
		}
	}
	if o.Symptom != SymptomAuto && !d.used["--symptom"] && len(d.findings) > 0 {
		if s := doorSymptom[d.findings[0].v.Door]; s != "" && s != o.Symptom {
			return inputErrorf("--symptom", "the pasted error (%s) is about the %s door (--symptom %s), not --symptom %s; drop --symptom, the text says what to judge", den.Kind, d.findings[0].v.Door, s, o.Symptom)
		}
	}
	return nil
}

// doorSymptom is the symptom of a door.
var doorSymptom = map[Door]string{Inbound: SymptomInvokeDenied, Outbound: SymptomAccessDenied, Logs: SymptomNoLogs, Trust: SymptomRoleAssume}

func (d *diagnosis) add(v *judge.Verdict, source string, rank int, notes ...string) *finding {
	key := v.String()
	if v.Invoker != nil {
		// Invokes that differ only in their source are distinct requests.
		key += " " + v.Invoker.SourceARN + " " + v.Invoker.RoleARN
	}
	if v.Rule != "" {
		// Each requirement is reported, as check reports each.
		key = v.Rule + " " + source + " " + key
	}
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	if d.seen[key] {
		return nil
	}
	d.seen[key] = true
	f := &finding{v: v, source: source, rank: rank, notes: notes}
	switch v.Door {
	case Inbound:
		f.notThis = "the execution role is not involved in who may invoke the function"
	case Outbound:
		f.notThis = "the function's resource policy only says who may invoke it, not what its code may call"
	case Logs:
		f.notThis = "writing logs is the execution role's job: no invoker and no resource policy is involved"
	case Trust:
		f.notThis = "the role's permissions do not matter until Lambda may assume the role"
	}
	d.findings = append(d.findings, f)
	return f
}

// --- from the flags ----------------------------------------------------------

func (d *diagnosis) fromSymptom() error {
	o := d.o
	if o.Symptom != SymptomAuto {
		d.causes(false)
	}
	switch o.Symptom {
	case SymptomInvokeDenied:
		d.invokers()
	case SymptomAccessDenied:
		if o.Action == "" && len(d.fn.Denials) == 0 {
			return inputErrorf("--action", "--symptom access-denied needs --action SERVICE:ACTION and --resource ARN (or --error with the denial text); the function's logs show no denial to start from")
		}
		if o.Action != "" {
			c, err := d.call(o.Action, o.Resource, "--action/--resource")
			if err != nil {
				return err
			}
			v := judge.CheckOutbound(d.fn, c)
			d.add(v, "--action "+o.Action, 0)
		} else {
			d.denials(0)
		}
	case SymptomNoLogs:
		d.add(judge.CheckLogs(d.fn), "--symptom no-logs", 0)
	case SymptomRoleAssume:
		d.add(judge.CheckTrust(d.fn), "--symptom role-assume", 0)
	default: // auto
		d.causes(true)
		if o.Action != "" {
			c, err := d.call(o.Action, o.Resource, "--action/--resource")
			if err != nil {
				return err
			}
			d.add(judge.CheckOutbound(d.fn, c), "--action "+o.Action, 0)
		}
		d.denials(1)
		if o.Caller != "" || o.SourceARN != "" {
			d.invokers()
			d.requirements(func(r judge.Requirement) bool { return r.Door != judge.Inbound })
		} else {
			d.requirements(func(judge.Requirement) bool { return true })
			d.notes = append(d.notes, bareIDStatements(d.fn)...)
		}
	}
	return nil
}

// causes adds what the model shows fails before any grant (judge.Causes):
// every cause with all, else only a Failed state or a deleted execution
// role, which refuse every request whatever was asked about.
func (d *diagnosis) causes(all bool) {
	for _, c := range judge.Causes(d.fn) {
		if !all && c.Kind != judge.CauseFunctionFailed && c.Kind != judge.CauseRoleNotFound {
			continue
		}
		rank := 1
		if c.Kind == judge.CauseFunctionFailed || c.Kind == judge.CauseRoleNotFound {
			rank = -1 // refuses every request: named first
		}
		d.causeFinding(c, "the function's configuration", rank)
	}
}

// causeFinding adds a cause as a finding of its own (door config).
func (d *diagnosis) causeFinding(c judge.Cause, source string, rank int) *finding {
	v := &judge.Verdict{Door: judge.Config, Cause: &c, Rule: c.Rule}
	for _, f := range d.findings {
		if f.v.Cause != nil && f.v.Cause.Kind == c.Kind && f.v.Cause.Resource == c.Resource {
			return nil // a judged request carries it already
		}
	}
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	key := "cause " + c.Kind + " " + c.Resource
	if d.seen[key] {
		return nil
	}
	d.seen[key] = true
	f := &finding{v: v, source: source, rank: rank, notThis: notThisCause}
	if !c.NotIAM {
		f.notThis = ""
	}
	d.findings = append(d.findings, f)
	return f
}

// requirements judges every requirement of the function's configuration
// (judge.Requirements) that keep selects; a requirement decided outside
// the model becomes a note.
func (d *diagnosis) requirements(keep func(judge.Requirement) bool) {
	fn, o := d.fn, d.o
	for _, r := range judge.Requirements(fn) {
		if !keep(r) {
			continue
		}
		if r.Outside != "" {
			d.notes = append(d.notes, fmt.Sprintf("not judged: %s needs to %s; that depends on %s", fn.Name, r.Need, r.Outside))
			continue
		}
		rank := 6
		switch r.Rule {
		case judge.RuleTrust:
			rank = 2
		case judge.RuleLogs:
			rank = 3
		case judge.RuleInvoker:
			rank = 4
			if strings.HasPrefix(r.Invoker.Why, "statement ") {
				rank = 5
			}
			if o.Qualifier != "" && r.Invoker.Qualifier != o.Qualifier {
				if r.Invoker.Why != "trigger" || r.Invoker.Qualifier != "" {
					continue
				}
				// A trigger of the unqualified function, judged for the
				// qualifier the operator names.
				inv := *r.Invoker
				inv.Qualifier = o.Qualifier
				r.Invoker = &inv
			}
		}
		v := judge.Judge(fn, r)
		f := d.add(v, r.Source, rank, r.Notes...)
		if f == nil {
			continue
		}
		f.req = &r
		if r.Door == judge.Inbound && (r.Invoker.Why == "trigger" || !v.Open()) {
			f.notes = append(f.notes, d.inboundNotes(*r.Invoker)...)
		}
	}
}

func (d *diagnosis) call(action, resource, why string) (judge.Call, error) {
	if resource == "" {
		if judge.GrantResource(action, "x") != "*" {
			return judge.Call{}, inputErrorf("--resource", "%s acts on a resource: give its ARN with --resource", action)
		}
		resource = "*"
	}
	action, err := validCall(d.fn, action, resource, "--action")
	if err != nil {
		return judge.Call{}, err
	}
	return judge.Call{Action: action, Resource: resource, Why: why}, nil
}

// denials judges the denial lines found in the function's logs.
func (d *diagnosis) denials(rank int) {
	for _, den := range d.fn.Denials {
		if den.Action == "" {
			continue
		}
		res := den.Resource
		if res == "" {
			res = "*"
		}
		if !d.isOwnPrincipal(den.Principal) {
			continue
		}
		why := "log line " + den.Time.UTC().Format("2006-01-02 15:04:05") + " in " + den.LogGroup
		// A line naming a request AWS could not make (an unknown action, a
		// resource the action does not act on) is not judged: no fix for it.
		action, err := validCall(d.fn, den.Action, res, why)
		if err != nil {
			d.notes = append(d.notes, "not judged: "+err.Error())
			continue
		}
		c := judge.Call{Action: action, Resource: res, Why: why}
		v := judge.CheckOutbound(d.fn, c)
		f := d.add(v, c.Why, rank)
		if f != nil {
			f.notes = append(f.notes, "the function logged: "+oneLine(den.Message, 300))
		}
	}
}

// invokers judges every invoker: the one named by --caller, or every one
// the account shows (judge.Requirements: triggers, public URLs, the
// invokes the resource policy's statements are meant for).
func (d *diagnosis) invokers() {
	o := d.o
	fn := d.fn
	if o.Caller == "" && o.SourceARN == "" {
		d.requirements(func(r judge.Requirement) bool { return r.Door == judge.Inbound })
		d.notes = append(d.notes, bareIDStatements(fn)...)
		return
	}
	inv := judge.Invoker{Principal: o.Caller, SourceARN: o.SourceARN, SourceAccount: o.SourceAccount,
		Qualifier: o.Qualifier, FunctionURL: o.FunctionURL, Why: "--caller"}
	if inv.Principal == "" {
		inv.Principal = judge.PrincipalForSource(o.SourceARN)
		if inv.Principal == "" {
			d.err = inputErrorf("--source-arn", "cannot tell which service invokes from %s: pass --caller too", o.SourceARN)
			return
		}
	}
	invs := []judge.Invoker{inv}
	var notes []string
	if inv.SourceARN == "" && judge.IsServicePrincipal(judge.InvokerPrincipal(fn, inv.Principal)) {
		// Judge the invokes the account shows for this service.
		var fromTriggers []judge.Invoker
		for _, t := range fn.Triggers {
			if judge.GlobalService(t.Principal) == judge.GlobalService(inv.Principal) && t.RoleARN == "" && t.SourceARN != "" {
				ti := inv
				ti.SourceARN, ti.SourceAccount = t.SourceARN, firstNonEmpty(inv.SourceAccount, t.SourceAccount)
				if ti.Qualifier == "" {
					ti.Qualifier = t.Qualifier
				}
				fromTriggers = append(fromTriggers, ti)
			}
		}
		if len(fromTriggers) > 0 {
			invs = fromTriggers
		} else {
			notes = append(notes, "no --source-arn: the request is judged without aws:SourceArn, so statements scoped to a source do not match it; pass --source-arn for an exact check and a scoped fix")
		}
	}
	renamed := false
	for _, inv := range invs {
		given := inv.Principal
		d.normalizeInvoker(&inv)
		if inv.Principal != given && judge.GlobalService(given) == inv.Principal && !renamed {
			renamed = true
			notes = append(notes, fmt.Sprintf("%s is the regional name of %s: the service presents both names, so a statement naming either admits it; judged as %s, the name a fix grants (IAM UG, multivalued context keys: aws:PrincipalServiceNamesList)", given, inv.Principal, inv.Principal))
		}
		src := "--caller " + given
		if len(invs) > 1 || (o.SourceARN == "" && inv.SourceARN != "") {
			src += " (trigger " + inv.SourceARN + ")"
		}
		f := d.add(judge.CheckInbound(fn, inv), src, 0)
		if f != nil {
			f.notes = append(f.notes, notes...)
			f.notes = append(f.notes, d.inboundNotes(inv)...)
		}
	}
}

// normalizeInvoker fills what a service invoker implies
// (judge.NormalizeInvoker); what it changed goes to the report's notes.
func (d *diagnosis) normalizeInvoker(inv *judge.Invoker) {
	d.notes = append(d.notes, judge.NormalizeInvoker(d.fn, inv)...)
}

// inboundNotes are the subtleties worth a line for an invoke that is
// denied.
func (d *diagnosis) inboundNotes(inv judge.Invoker) []string {
	fn := d.fn
	var notes []string
	if account.ARNField(inv.SourceARN, 2) == "execute-api" && judge.ARNRegion(inv.SourceARN) != "" && judge.ARNRegion(inv.SourceARN) != fn.Region {
		notes = append(notes, fmt.Sprintf("the SourceArn names region %s, but API Gateway sends the function's region (%s) in the SourceArn when the API and the function are in different regions (Lambda DG services-apigateway)", judge.ARNRegion(inv.SourceARN), fn.Region))
	}
	if strings.HasPrefix(inv.Principal, "s3.") && d.o.SourceAccount == "" {
		notes = append(notes, "S3 bucket ARNs carry no account id, so S3 permissions are scoped with aws:SourceAccount (taken here as the function's account, "+fn.Account+"; pass --source-account if the bucket is another account's)")
	}
	if strings.HasPrefix(judge.InvokerPrincipal(fn, inv.Principal), "arn:") && inv.RoleARN == "" {
		notes = append(notes, bareIDStatements(fn)...)
	}
	// Statements granting the same principal on another qualifier.
	for _, p := range judge.PolicyInvokers(fn) {
		if p.Invoker.Principal == judge.InvokerPrincipal(fn, inv.Principal) && p.Invoker.Qualifier != inv.Qualifier && !p.Invoker.FunctionURL {
			want := "the unqualified function"
			if inv.Qualifier != "" {
				want = "alias/version " + inv.Qualifier
			}
			have := "the unqualified function"
			if p.Invoker.Qualifier != "" {
				have = "qualifier " + p.Invoker.Qualifier
			}
			notes = append(notes, fmt.Sprintf("%s grants %s on %s, but the request invokes %s: a permission covers only the exact (un)qualified ARN it names", p.Source, inv.Principal, have, want))
			break
		}
	}
	return notes
}

// --- from a pasted error -------------------------------------------------------

// otherDenialsNote says which denials of a pasted text were not diagnosed
// (the first is): each is another request, with a fix of its own.
func otherDenialsNote(others []*errtext.Denial) string {
	const shown = 3
	var names []string
	for i, d := range others {
		if i == shown {
			names = append(names, fmt.Sprintf("and %d more", len(others)-shown))
			break
		}
		names = append(names, fmt.Sprintf("%s on %s by %s", d.Action, oneLine(d.Resource, 200), oneLine(d.Principal, 200)))
	}
	return fmt.Sprintf("the text holds %d other denial(s), not diagnosed here: %s; give each to --error on its own to diagnose it",
		len(others), strings.Join(names, "; "))
}

func (d *diagnosis) fromError(den *errtext.Denial) ([]string, error) {
	fn, o := d.fn, d.o
	var notes []string
	notes = append(notes, fmt.Sprintf("parsed the error as %s: %s", den.Kind, oneLine(den.Message, 200)))
	// A Failed function refuses whatever the text is about.
	d.causes(false)
	if den.AuthorizationID != "" {
		d.troubleshooter = &Troubleshooter{AuthorizationID: den.AuthorizationID, URL: den.TroubleshooterURL(), Command: den.TroubleshooterCommand(),
			PolicyCommand: "aws iam-toolbox get-request-authorization-policy --authorization-id " + den.AuthorizationID +
				" --policy-uri POLICY_URI --region " + firstNonEmpty(den.AuthorizationRegion, errtext.TroubleshooterRegion)}
	}
	if den.PolicyType != "" {
		kind := "no " + den.PolicyType + " policy allows"
		if den.Explicit {
			kind = "an explicit deny in " + article(den.PolicyType) + " " + den.PolicyType + " policy"
		}
		notes = append(notes, "AWS blamed: "+kind)
	}
	inbound := func(principal string, url bool) {
		d.use(inboundFlags(o)...)
		inv := judge.Invoker{Principal: principal, SourceARN: o.SourceARN, SourceAccount: o.SourceAccount, Qualifier: o.Qualifier, FunctionURL: url || o.FunctionURL, Why: "--error"}
		if den.PolicyType == errtext.PolicyIdentityBased && den.CrossAccount() {
			inv.CallerDenied = true
		}
		if o.Caller != "" {
			inv.Principal = o.Caller
		}
		if inv.SourceARN == "" {
			inv.SourceARN = den.SourceARN
		}
		if inv.Qualifier == "" {
			inv.Qualifier = qualifierOf(fn, den.Function)
			if inv.Qualifier == "" {
				inv.Qualifier = qualifierOf(fn, den.Resource)
			}
		}
		if inv.SourceARN == "" && judge.IsServicePrincipal(inv.Principal) {
			// Use the triggers the account shows for this service.
			for _, t := range fn.Triggers {
				if judge.GlobalService(t.Principal) == judge.GlobalService(inv.Principal) && t.RoleARN == "" {
					inv.SourceARN, inv.SourceAccount = t.SourceARN, firstNonEmpty(inv.SourceAccount, t.SourceAccount)
					break
				}
			}
			if inv.SourceARN == "" {
				notes = append(notes, "the error does not say which "+inv.Principal+" resource called: pass --source-arn for an exact, scoped check and fix")
			}
		}
		d.normalizeInvoker(&inv)
		v := judge.CheckInbound(fn, inv)
		f := d.add(v, "--error", 0)
		if f != nil {
			f.notes = append(f.notes, d.inboundNotes(inv)...)
		}
	}
	switch den.Kind {
	case errtext.KindRoleAssume:
		v := judge.CheckTrust(fn)
		d.add(v, "--error", 0)
	case errtext.KindAPIGatewayInvoke:
		inbound("apigateway.amazonaws.com", false)
	case errtext.KindFunctionURL:
		p := "*"
		if judge.URLAuthType(fn, o.Qualifier) == "AWS_IAM" && o.Caller == "" {
			notes = append(notes, "the function URL uses AWS_IAM auth: pass --caller with the calling principal's ARN; judged here as an anonymous caller")
		}
		inbound(p, true)
	case errtext.KindS3Notification:
		inbound("s3.amazonaws.com", false)
	case errtext.KindLogsSubscription:
		inbound("logs.amazonaws.com", false)
	case errtext.KindELBTarget:
		inbound("elasticloadbalancing.amazonaws.com", false)
	case errtext.KindKMSEnv:
		key := fn.Config.KMSKeyARN
		if key == "" {
			notes = append(notes, "the function has no customer managed key for its environment in the model; the error names a KMS key the role cannot use")
			key = firstNonEmpty(den.KeyARN, den.Resource, "*")
		}
		if strings.EqualFold(den.KMSException, "UnrecognizedClientException") {
			d.staleGrant(key, den)
			break
		}
		c := judge.Call{Action: "kms:Decrypt", Resource: key, Why: "decrypting the environment variables", ByLambda: true}
		if judge.IsKMSKey(key) {
			c = judge.EnvDecryptCall(fn, key)
		}
		d.add(judge.CheckOutbound(fn, c), "--error", 0)
	case errtext.KindKMSKey:
		d.keyState(firstNonEmpty(den.KeyARN, fn.Config.KMSKeyARN), den)
	case errtext.KindLayer, errtext.KindLayerNotFound:
		d.layer(den)
	case errtext.KindECRImageInvalid:
		uri := firstNonEmpty(den.ImageURI, fn.Config.ImageURI)
		if r := judge.ImageRegion(uri); r != "" && r != fn.Region {
			d.textCause(judge.CauseImageRegion, judge.RuleImageRegion, uri, true, docImages,
				fmt.Sprintf("the image is in an Amazon ECR registry of region %s, the function in %s: Lambda pulls images from its own region only; replicate the repository to %s and use that image URI", r, fn.Region, fn.Region))
			break
		}
		d.textCause(judge.CauseImageNotFound, "", uri, true, docImages, den.Cause)
	case errtext.KindESMNotARN:
		d.causeFinding(judge.ESMNotARNCause("", firstNonEmpty(den.QueueURL, den.Resource)), "--error", 0)
	case errtext.KindESMSourceAuth:
		d.textCause(judge.CauseSourceAuth, "", den.Resource, den.NotIAM, "https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html", den.Cause)
		if !den.NotIAM {
			// With IAM access control the execution role decides: judge it.
			d.eventSources(den)
		}
	case errtext.KindFunctionState:
		if c, ok := judge.FailedCause(fn); ok {
			d.causeFinding(c, "--error", -1)
			break
		}
		state := firstNonEmpty(den.State, "Failed")
		sum := "the function is " + state
		if den.StateReasonCode != "" {
			sum += " (" + den.StateReasonCode + ")"
		}
		c := judge.Cause{Kind: judge.CauseFunctionFailed, Rule: judge.RuleFunctionFailed, Resource: fn.ARN, NotIAM: den.NotIAM, Doc: docStates,
			Summary: sum + ": " + den.Cause}
		if den.StateReason != "" {
			c.Detail = append(c.Detail, "AWS says: "+oneLine(den.StateReason, 300))
		}
		c.Detail = append(c.Detail, "the model shows the function as "+firstNonEmpty(fn.Config.State, "of unknown state")+"; Lambda leaves the Failed state only when the function is updated")
		d.causeFinding(c, "--error", -1)
	case errtext.KindESMPermission:
		d.eventSources(den)
	case errtext.KindVPCNetworking:
		// Lambda creates the network interfaces itself with the execution
		// role (judge.Requirements, LD002, Call.ByLambda).
		judged := false
		for _, r := range judge.Requirements(fn) {
			if r.Rule == judge.RuleVPC {
				if f := d.add(judge.Judge(fn, r), "--error", 0, r.Notes...); f != nil {
					req := r
					f.req = &req
				}
				judged = true
			}
		}
		if !judged {
			for _, a := range []string{"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"} {
				v := judge.CheckOutbound(fn, judge.Call{Action: a, Resource: "*", Why: "VPC networking (Lambda DG configuration-vpc)", ByLambda: true})
				d.add(v, "--error", 0)
			}
		}
	case errtext.KindECRImage:
		if f := d.add(judge.ECRImageVerdict(fn), "--error", 0); f != nil {
			f.notes = append(f.notes, "Lambda pulls the image with its own service principal, not the execution role: the role's policies do not matter here")
		}
	case errtext.KindAPIGatewayMethod:
		notes = append(notes, "\"Unable to determine service/operation name to be authorized\" is not a permission problem: the API Gateway integration calls Lambda with an HTTP method other than POST; set the integration method to POST")
	case errtext.KindBareAccessDenied, errtext.KindEncodedEC2:
		if den.EncodedMessage != "" {
			notes = append(notes, "decode the authorization failure with: aws sts decode-authorization-message --encoded-message '<message>'")
		}
		// The denial names nothing: the symptom (auto unless given) and
		// the request flags say what to judge, as without --error.
		noText := o
		noText.Error = ""
		if err := flagsJudged(noText); err != nil {
			return nil, err
		}
		d.use(inboundFlags(o)...)
		d.use(outboundFlags(o)...)
		d.use(flag{name: "--symptom"})
		if o.Symptom == SymptomAuto {
			notes = append(notes, "the error names no principal or action; checking every door instead")
		} else {
			notes = append(notes, "the error names no principal or action; judging --symptom "+o.Symptom+" instead")
		}
		if err := d.fromSymptom(); err != nil {
			return nil, err
		}
	default: // not authorized
		d.use(outboundFlags(o)...)
		action := firstNonEmpty(o.Action, den.Action)
		resource := firstNonEmpty(o.Resource, den.Resource)
		flag := "--error"
		if o.Action != "" {
			flag = "--action"
		}
		if action != "" {
			// A pasted text naming an action AWS does not know is bad
			// input as much as a flag (did you mean ...?).
			a, err := validate.Action(action)
			if err != nil {
				return nil, &InputError{Flag: flag, Err: err}
			}
			action = a
		}
		switch {
		case strings.EqualFold(action, "sts:AssumeRole") && (fn.Role == nil || resource == fn.Role.ARN || strings.HasSuffix(resource, "/"+judge.RoleName(fn.Config.RoleARN))):
			v := judge.CheckTrust(fn)
			d.add(v, "--error", 0)
		case isInvokeAction(action) && (resource == "" || sameFunction(fn, resource)):
			p := firstNonEmpty(den.Principal, "*")
			if den.CrossAccount() {
				notes = append(notes, "the caller is in account "+errtext.AccountOf(den.Principal)+" and the function in "+fn.Account+": both sides must allow")
			}
			inbound(p, strings.EqualFold(action, "lambda:InvokeFunctionUrl"))
		default:
			if action == "" {
				return nil, inputErrorf("--error", "the error names no action: pass --action and --resource")
			}
			if resource == "" {
				resource = judge.GrantResource(action, "*")
			}
			if !strings.HasPrefix(resource, "arn:") && resource != "*" {
				notes = append(notes, fmt.Sprintf("the error names the resource %q, not its ARN: pass --resource with the ARN for an exact check", resource))
				resource = resourceFromName(fn, action, resource)
			}
			if _, err := validCall(fn, action, resource, flag); err != nil {
				return nil, err
			}
			if !d.isOwnPrincipal(den.Principal) {
				// Another principal's denial: not this function's
				// outbound door, and no grant to its role.
				d.otherPrincipal(den, action, resource)
				break
			}
			v := judge.CheckOutbound(fn, judge.Call{Action: action, Resource: resource, Why: "--error"})
			if v.Open() && unseenLayer(fn, den.PolicyType) {
				v.Blamed, v.BlamedExplicit, v.BlamedPolicy = den.PolicyType, den.Explicit, den.PolicyARN
				v.Decision = simulate.ImplicitDeny
				if den.Explicit {
					v.Decision = simulate.ExplicitDeny
				}
			}
			f := d.add(v, "--error", 0)
			if f != nil && v.Open() {
				f.notes = append(f.notes, d.openButDenied(den)...)
			}
			if f != nil && v.IsAmbiguous() && v.Decision == simulate.Allow {
				if v.Ambiguity().Unread() {
					f.notes = append(f.notes, "AWS reported this request denied: that fits the values lambda-doctor did not read that close the door; the fix below makes it open whatever they are")
				} else {
					f.notes = append(f.notes, "AWS reported this request denied: that fits the other reading, under which the door is closed; the fix below makes the door open under both")
				}
			}
		}
	}
	return notes, nil
}

// Docs the causes of pasted texts cite.
const (
	docStates = "https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html"
	docImages = "https://docs.aws.amazon.com/lambda/latest/dg/images-create.html"
	docLayers = "https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html"
	docKeys   = "https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html"
	docGrants = "https://docs.aws.amazon.com/kms/latest/developerguide/grants.html"
)

// textCause adds a cause told by the pasted text (its Cause is errtext's
// fixed wording, never the input's).
func (d *diagnosis) textCause(kind, rule, resource string, notIAM bool, doc, summary string) *finding {
	return d.causeFinding(judge.Cause{Kind: kind, Rule: rule, Resource: resource, NotIAM: notIAM, Doc: doc, Summary: summary}, "--error", 0)
}

// keyState explains a KMS key the text says is disabled, pending deletion
// or not found: from the key's state in the model when it was read, else
// from the text (a disabled key gets its enable-key fix; the other states
// need the key's state to say which command).
func (d *diagnosis) keyState(key string, den *errtext.Denial) {
	fn := d.fn
	if k := fn.KeyByARN(key); k != nil && k.State != "" {
		if c, ok := judge.KeyStateCause(k); ok {
			d.causeFinding(c, "--error", 0)
			return
		}
		d.notes = append(d.notes, "the text says key "+key+" cannot be used, but the model reads it Enabled: it may have been enabled since, or the function uses another key")
	}
	kind := judge.CauseKeyState
	if strings.EqualFold(den.Code, "KMSNotFoundException") {
		kind = judge.CauseKeyNotFound
	}
	c := judge.Cause{Kind: kind, Rule: judge.RuleKeyState, Resource: key, NotIAM: true, Doc: docKeys, Summary: den.Cause}
	if kind == judge.CauseKeyState && strings.EqualFold(den.Code, "KMSDisabledException") && judge.IsKMSKey(key) {
		c, _ = judge.KeyStateCause(&account.Key{ARN: key, State: account.KeyDisabled})
		c.Detail = append(c.Detail, "the key's state was not read; the text says it is disabled")
	}
	d.causeFinding(c, "--error", 0)
}

// staleGrant explains KMS's UnrecognizedClientException for the
// environment's key: the grant Lambda made was for a deleted role of the
// same name (re:Post knowledge center,
// lambda-kmsaccessdeniedexception-errors).
func (d *diagnosis) staleGrant(key string, den *errtext.Denial) {
	fn := d.fn
	if judge.IsKMSKey(key) && key == fn.Config.KMSKeyARN {
		// Judged as the request it is: the verdict carries the stale
		// grant (judge.CauseFor) when the model shows it.
		if v := judge.CheckOutbound(fn, judge.EnvDecryptCall(fn, key)); v.Cause != nil && v.Cause.Kind == judge.CauseStaleGrant {
			d.add(v, "--error", 0)
			return
		}
	}
	found := false
	for _, sg := range judge.StaleGrants(fn) {
		if sg.Key.ARN == key || key == "*" {
			d.causeFinding(judge.StaleGrantCause(fn, sg), "--error", 0)
			found = true
		}
	}
	if found {
		return
	}
	c := judge.Cause{Kind: judge.CauseStaleGrant, Rule: judge.RuleDeletedPrincipal, Resource: key, Doc: docGrants, Summary: den.Cause}
	if fn.KeyByARN(key) == nil {
		c.Detail = append(c.Detail, "the key's grants were not read: kms:ListGrants shows the stale grant's grantee as the old role's unique id (AROA...)")
	}
	d.causeFinding(c, "--error", 0)
}

// layer explains a refused or missing layer version: another region or a
// version that does not exist is not IAM; otherwise
// lambda:GetLayerVersion is the deployer's permission and, for another
// account's layer, that account's layer permission: never the execution
// role (Lambda DG adding-layers).
func (d *diagnosis) layer(den *errtext.Denial) {
	fn := d.fn
	l := den.LayerARN
	if r := judge.ARNRegion(l); r != "" && r != fn.Region {
		d.textCause(judge.CauseLayerRegion, judge.RuleLayerUnusable, l, true, docLayers,
			fmt.Sprintf("layer %s is in region %s, the function in %s: a function uses layers of its own region only; publish the layer in %s and use that version's ARN", judge.LayerName(l), r, fn.Region, fn.Region))
		return
	}
	for _, u := range fn.Unseen {
		if u.NotFound && u.Resource == l && strings.EqualFold(u.Operation, "lambda:GetLayerVersion") {
			den.Kind = errtext.KindLayerNotFound
		}
	}
	if den.Kind == errtext.KindLayerNotFound {
		d.textCause(judge.CauseLayerNotFound, judge.RuleLayerUnusable, l, true, docLayers, den.Cause)
		return
	}
	sum := "lambda:GetLayerVersion on layer version " + judge.LayerName(l) + " is refused: the version may not exist (aws lambda get-layer-version-by-arn tells), or its owner has not shared it; the permission is checked for whoever creates or updates the function, not for the execution role"
	if owner := judge.ARNAccount(l, ""); owner != "" && owner != fn.Account {
		sum += fmt.Sprintf(", and the layer belongs to account %s, whose owner must grant it to account %s (aws lambda add-layer-version-permission)", owner, fn.Account)
	}
	d.textCause("layer_access", "", l, false, docLayers, sum)
}

// eventSources judges the event source mappings a pasted event source text
// is about: the mapping of the ARN it names (or of its service), with every
// call its requirement holds (judge.Requirements, LD003); else the actions
// the text lists on the resource it names.
func (d *diagnosis) eventSources(den *errtext.Denial) {
	fn, o := d.fn, d.o
	actions := den.Actions
	if len(actions) == 0 && den.Action != "" {
		actions = []string{den.Action}
	}
	svc := ""
	if len(actions) > 0 {
		svc, _, _ = strings.Cut(actions[0], ":")
	}
	d.use(flag{name: "--resource"})
	res := firstNonEmpty(o.Resource, den.Resource)
	found := false
	for _, r := range judge.Requirements(fn) {
		if r.Rule != judge.RuleEventSource {
			continue
		}
		arn := strings.TrimPrefix(r.Source, "event source mapping ")
		if res != "" && arn != res || res == "" && !strings.EqualFold(account.ARNField(arn, 2), svc) {
			continue
		}
		if f := d.add(judge.Judge(fn, r), "--error", 0, r.Notes...); f != nil {
			req := r
			f.req = &req
		}
		found = true
	}
	if found {
		return
	}
	if res == "" {
		d.err = inputErrorf("--resource", "the error names %s but not the event source: pass --resource with its ARN", strings.Join(actions, ", "))
		return
	}
	if len(actions) == 0 {
		d.err = inputErrorf("--action", "the error names no action: pass --action")
		return
	}
	var calls []judge.Call
	for _, a := range actions {
		calls = append(calls, judge.Call{Action: a, Resource: judge.GrantResource(a, res), Why: "event source " + res, ByLambda: true})
	}
	d.add(judge.CheckOutboundAll(fn, calls), "--error", 0)
}

// openButDenied explains an AWS denial the model cannot reproduce.
func (d *diagnosis) openButDenied(den *errtext.Denial) []string {
	var out []string
	switch den.PolicyType {
	case errtext.PolicyResourceBased:
		out = append(out, "AWS blamed the target's resource-based policy, which this tool does not read: its owner must allow the role there")
	case errtext.PolicySCP, errtext.PolicyRCP:
		if d.fn.Org == nil {
			out = append(out, "AWS blamed an organization policy, and the snapshot holds none: the organization's administrators must look at it")
		}
	case errtext.PolicyVPCEndpoint:
		out = append(out, "AWS blamed a VPC endpoint policy, which this tool does not read: the endpoint's owner must allow the request")
	case errtext.PolicySession:
		out = append(out, "AWS blamed a session policy; Lambda passes none for the execution role, so the credentials were not the function's")
	}
	out = append(out, "the policies this tool sees allow the request; if AWS still denies it, recently changed policies may not have propagated, or Lambda still uses cached credentials (update the function's configuration to get new ones)")
	return out
}

func isInvokeAction(a string) bool {
	return strings.EqualFold(a, "lambda:InvokeFunction") || strings.EqualFold(a, "lambda:InvokeFunctionUrl") || strings.EqualFold(a, "lambda:InvokeAsync")
}

func sameFunction(fn *account.Function, res string) bool {
	return res == fn.Name || res == fn.ARN || strings.HasPrefix(res, fn.ARN+":") || strings.HasPrefix(res, fn.Name+":")
}

func qualifierOf(fn *account.Function, s string) string {
	for _, p := range []string{fn.ARN + ":", fn.Name + ":"} {
		if strings.HasPrefix(s, p) {
			return strings.TrimPrefix(s, p)
		}
	}
	return ""
}

// resourceFromName turns a bare name into an ARN for the few services whose
// errors name one (old Lambda messages name the function).
func resourceFromName(fn *account.Function, action, name string) string {
	if strings.HasPrefix(strings.ToLower(action), "lambda:") {
		return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", fn.PartitionName(), fn.Region, fn.Account, name)
	}
	return name
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// bareIDStatements reports statements whose principal is a bare unique id
// (judge.BareIDs).
func bareIDStatements(fn *account.Function) []string {
	var out []string
	for _, b := range judge.BareIDs(fn) {
		out = append(out, fmt.Sprintf("statement %s names the principal %s: a bare unique id is how a policy shows a role or user that was deleted; if it was deleted and recreated under the same name, the statement no longer matches it; grant the new ARN again and remove %s", judge.Quote(b[0]), b[1], judge.Quote(b[0])))
	}
	return out
}

func article(w string) string {
	if w != "" && strings.ContainsRune("aeiouAEIOU", rune(w[0])) {
		return "an"
	}
	return "a"
}

// unseenLayer reports whether AWS blamed a policy type the model does not
// hold for this function, so the model cannot reproduce the denial.
func unseenLayer(fn *account.Function, policyType string) bool {
	switch policyType {
	case errtext.PolicyVPCEndpoint, errtext.PolicyResourceBased, errtext.PolicyS3BlockPublic:
		return true
	case errtext.PolicySCP, errtext.PolicyRCP:
		return fn.Org == nil
	}
	return false
}
