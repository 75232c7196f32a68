package diagnose

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/errtext"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Symptoms a person can name (shared/contract.md).
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
	FixFormat     Format
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
	v       *Verdict
	source  string   // what made us check it
	notes   []string // subtleties found on the way
	rank    int      // lower is more likely
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
		o.FixFormat = CLI
	}
	d := &diagnosis{fn: fn, o: o}
	var notes []string
	if o.Error != "" {
		den, err := errtext.Parse(o.Error)
		if err != nil {
			// errtext.ErrNotDenial, with what was expected.
			return nil, &InputError{Flag: "--error", Err: err}
		}
		n, err := d.fromError(den)
		if err != nil {
			return nil, err
		}
		notes = append(notes, n...)
	} else {
		if err := d.fromSymptom(); err != nil {
			return nil, err
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	rep := d.report(ctx)
	rep.Notes = append(notes, rep.Notes...)
	if o.Error != "" && o.Symptom == SymptomAuto && len(d.findings) > 0 {
		// The pasted error names the symptom.
		rep.Symptom = map[Door]string{Inbound: SymptomInvokeDenied, Outbound: SymptomAccessDenied, Logs: SymptomNoLogs, Trust: SymptomRoleAssume}[d.findings[0].v.Door]
	}
	return rep, nil
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
	findings []*finding
	notes    []string
	err      error
	seen     map[string]bool
}

func (d *diagnosis) add(v *Verdict, err error, source string, rank int, notes ...string) *finding {
	if err != nil {
		if d.err == nil {
			d.err = err
		}
		return nil
	}
	key := v.String()
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
			v, err := CheckOutbound(d.fn, c)
			d.add(v, err, "--action "+o.Action, 0)
		} else {
			d.denials(0)
		}
	case SymptomNoLogs:
		v, err := CheckLogs(d.fn)
		d.add(v, err, "--symptom no-logs", 0)
	case SymptomRoleAssume:
		v, err := CheckTrust(d.fn)
		d.add(v, err, "--symptom role-assume", 0)
	default: // auto
		if o.Action != "" {
			c, err := d.call(o.Action, o.Resource, "--action/--resource")
			if err != nil {
				return err
			}
			v, err := CheckOutbound(d.fn, c)
			d.add(v, err, "--action "+o.Action, 0)
		}
		d.denials(1)
		v, err := CheckTrust(d.fn)
		d.add(v, err, "the execution role's trust policy", 2)
		v, err = CheckLogs(d.fn)
		d.add(v, err, "the function's logging permissions", 3)
		d.invokers()
		d.eventSources(6)
	}
	return nil
}

func (d *diagnosis) call(action, resource, why string) (Call, error) {
	if !regexp.MustCompile(`^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$`).MatchString(action) {
		return Call{}, inputErrorf("--action", "%q is not an IAM action; want SERVICE:ACTION, e.g. dynamodb:Query", action)
	}
	if resource == "" {
		if grantResource(action, "x") == "*" {
			resource = "*"
		} else {
			return Call{}, inputErrorf("--resource", "%s acts on a resource: give its ARN with --resource", action)
		}
	}
	if resource != "*" && !strings.HasPrefix(resource, "arn:") {
		return Call{}, inputErrorf("--resource", "%q is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) or *", resource)
	}
	return Call{Action: action, Resource: resource, Why: why}, nil
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
		c := Call{Action: den.Action, Resource: res, Why: "log line " + den.Time.UTC().Format("2006-01-02 15:04:05") + " in " + den.LogGroup}
		v, err := CheckOutbound(d.fn, c)
		f := d.add(v, err, c.Why, rank)
		if f != nil {
			f.notes = append(f.notes, "the function logged: "+oneLine(den.Message, 300))
		}
	}
}

func (d *diagnosis) isOwnPrincipal(p string) bool {
	if p == "" || d.fn.Role == nil {
		return true
	}
	return principalARN(p) == principalARN(SessionARN(d.fn)) || p == d.fn.Role.ARN ||
		strings.Contains(p, ":assumed-role/"+d.fn.Role.Name+"/")
}

// invokers judges every invoker: the one named by --caller, or every one
// the resource policy names and every trigger the account shows.
func (d *diagnosis) invokers() {
	o := d.o
	fn := d.fn
	if o.Caller != "" || o.SourceARN != "" {
		inv := Invoker{Principal: o.Caller, SourceARN: o.SourceARN, SourceAccount: o.SourceAccount,
			Qualifier: o.Qualifier, FunctionURL: o.FunctionURL, Why: "--caller"}
		if inv.Principal == "" {
			inv.Principal = principalForSource(fn, o.SourceARN)
			if inv.Principal == "" {
				d.err = inputErrorf("--source-arn", "cannot tell which service invokes from %s: pass --caller too", o.SourceARN)
				return
			}
		}
		invs := []Invoker{inv}
		var notes []string
		if inv.SourceARN == "" && isServicePrincipal(invokerPrincipal(fn, inv.Principal)) {
			// Judge the invokes the account shows for this service.
			var fromTriggers []Invoker
			for _, t := range fn.Triggers {
				if t.Principal == inv.Principal && t.RoleARN == "" && t.SourceARN != "" {
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
		for _, inv := range invs {
			d.normalizeInvoker(&inv)
			v, err := CheckInbound(fn, inv)
			src := "--caller " + inv.Principal
			if len(invs) > 1 || (o.SourceARN == "" && inv.SourceARN != "") {
				src += " (trigger " + inv.SourceARN + ")"
			}
			f := d.add(v, err, src, 0)
			if f != nil {
				f.notes = append(f.notes, notes...)
				f.notes = append(f.notes, d.inboundNotes(inv)...)
			}
		}
		return
	}
	for _, t := range fn.Triggers {
		if t.RoleARN != "" {
			d.notes = append(d.notes, fmt.Sprintf("the %s trigger %s invokes through role %s, so the resource policy is not what lets it in: that role needs lambda:InvokeFunction on %s (its policies were not read)", t.Kind, t.SourceARN, t.RoleARN, qualifiedARN(fn, t.Qualifier)))
			continue
		}
		inv := Invoker{Principal: t.Principal, SourceARN: t.SourceARN, SourceAccount: t.SourceAccount, Qualifier: t.Qualifier, Why: "trigger"}
		if inv.Principal == "" {
			inv.Principal = principalForSource(fn, t.SourceARN)
		}
		if o.Qualifier != "" && inv.Qualifier == "" {
			inv.Qualifier = o.Qualifier
		}
		d.normalizeInvoker(&inv)
		v, err := CheckInbound(fn, inv)
		f := d.add(v, err, fmt.Sprintf("%s trigger %s", t.Kind, t.SourceARN), 4)
		if f != nil {
			f.notes = append(f.notes, d.inboundNotes(inv)...)
		}
	}
	for _, u := range fn.URLConfigs {
		if o.Qualifier != "" && u.Qualifier != o.Qualifier {
			continue
		}
		if u.AuthType == "NONE" {
			inv := Invoker{Principal: "*", Qualifier: u.Qualifier, FunctionURL: true, Why: "function URL"}
			v, err := CheckInbound(fn, inv)
			d.add(v, err, "the public function URL "+u.URL, 4)
		}
	}
	for _, st := range policyInvokers(fn) {
		if o.Qualifier != "" && st.inv.Qualifier != o.Qualifier {
			continue
		}
		v, err := CheckInbound(fn, st.inv)
		f := d.add(v, err, st.source, 5, st.notes...)
		if f != nil && v != nil && !v.Open() {
			f.notes = append(f.notes, d.inboundNotes(st.inv)...)
		}
	}
	d.notes = append(d.notes, bareIDStatements(fn)...)
}

// normalizeInvoker fills what a service invoker implies: S3 bucket ARNs hold
// no account, so aws:SourceAccount is the function's account unless given
// (Lambda DG access-control-resource-based); a FunctionURL caller; the
// logs service principal is regional.
func (d *diagnosis) normalizeInvoker(inv *Invoker) {
	fn := d.fn
	if account.ARNField(inv.SourceARN, 2) == "execute-api" {
		if r := arnRegion(inv.SourceARN); r != "" && r != fn.Region {
			parts := strings.SplitN(inv.SourceARN, ":", 6)
			parts[3] = fn.Region
			d.notes = append(d.notes, fmt.Sprintf("the SourceArn %s names region %s; API Gateway presents the function's region in the SourceArn when the API and the function are in different regions (Lambda DG services-apigateway), so the request judged carries %s", inv.SourceARN, r, strings.Join(parts, ":")))
			inv.SourceARN = strings.Join(parts, ":")
		}
	}
	if inv.Principal == "logs.amazonaws.com" {
		inv.Principal = "logs." + fn.Region + ".amazonaws.com"
	}
	if isServicePrincipal(inv.Principal) && inv.SourceAccount == "" {
		if a := arnAccount(inv.SourceARN, ""); a != "" {
			inv.SourceAccount = a
		} else if strings.HasPrefix(inv.Principal, "s3.") {
			inv.SourceAccount = fn.Account
		}
	}
	if inv.Principal == "*" && !inv.FunctionURL && len(fn.URLConfigs) > 0 {
		inv.FunctionURL = true
	}
}

// principalForSource guesses the service principal from a source ARN.
func principalForSource(fn *account.Function, src string) string {
	switch account.ARNField(src, 2) {
	case "execute-api":
		return "apigateway.amazonaws.com"
	case "s3":
		return "s3.amazonaws.com"
	case "events":
		return "events.amazonaws.com"
	case "sns":
		return "sns.amazonaws.com"
	case "logs":
		return "logs." + fn.Region + ".amazonaws.com"
	case "elasticloadbalancing":
		return "elasticloadbalancing.amazonaws.com"
	case "iot":
		return "iot.amazonaws.com"
	case "cognito-idp":
		return "cognito-idp.amazonaws.com"
	}
	return ""
}

// inboundNotes are the subtleties worth a line for an invoke that is
// denied.
func (d *diagnosis) inboundNotes(inv Invoker) []string {
	fn := d.fn
	var notes []string
	if account.ARNField(inv.SourceARN, 2) == "execute-api" && arnRegion(inv.SourceARN) != "" && arnRegion(inv.SourceARN) != fn.Region {
		notes = append(notes, fmt.Sprintf("the SourceArn names region %s, but API Gateway sends the function's region (%s) in the SourceArn when the API and the function are in different regions (Lambda DG services-apigateway)", arnRegion(inv.SourceARN), fn.Region))
	}
	if strings.HasPrefix(inv.Principal, "s3.") && d.o.SourceAccount == "" {
		notes = append(notes, "S3 bucket ARNs carry no account id, so S3 permissions are scoped with aws:SourceAccount (taken here as the function's account, "+fn.Account+"; pass --source-account if the bucket is another account's)")
	}
	if strings.HasPrefix(invokerPrincipal(fn, inv.Principal), "arn:") {
		notes = append(notes, bareIDStatements(fn)...)
	}
	// Statements granting the same principal on another qualifier.
	for _, p := range policyInvokers(fn) {
		if p.inv.Principal == invokerPrincipal(fn, inv.Principal) && p.inv.Qualifier != inv.Qualifier && !p.inv.FunctionURL {
			want := "the unqualified function"
			if inv.Qualifier != "" {
				want = "alias/version " + inv.Qualifier
			}
			have := "the unqualified function"
			if p.inv.Qualifier != "" {
				have = "qualifier " + p.inv.Qualifier
			}
			notes = append(notes, fmt.Sprintf("%s grants %s on %s, but the request invokes %s: a permission covers only the exact (un)qualified ARN it names", p.source, inv.Principal, have, want))
			break
		}
	}
	return notes
}

// eventSources judges the execution role's permissions for poll-based event
// sources (Lambda DG with-sqs, with-kinesis, with-ddb: the execution role
// reads the source).
func (d *diagnosis) eventSources(rank int) {
	for _, es := range d.fn.EventSources {
		var calls []Call
		for _, a := range esmActions(es.EventSourceARN) {
			calls = append(calls, Call{Action: a, Resource: grantResource(a, es.EventSourceARN), Why: "event source mapping " + es.UUID})
		}
		if len(calls) == 0 {
			continue
		}
		v, err := CheckOutboundAll(d.fn, calls)
		d.add(v, err, "event source mapping "+es.EventSourceARN, rank)
	}
}

func esmActions(arn string) []string {
	switch account.ARNField(arn, 2) {
	case "sqs":
		return []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
	case "kinesis":
		return []string{"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"}
	case "dynamodb":
		return []string{"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"}
	}
	return nil
}

// --- from a pasted error -------------------------------------------------------

func (d *diagnosis) fromError(den *errtext.Denial) ([]string, error) {
	fn, o := d.fn, d.o
	var notes []string
	notes = append(notes, fmt.Sprintf("parsed the error as %s: %s", den.Kind, oneLine(den.Message, 200)))
	if den.PolicyType != "" {
		kind := "no " + den.PolicyType + " policy allows"
		if den.Explicit {
			kind = "an explicit deny in " + article(den.PolicyType) + " " + den.PolicyType + " policy"
		}
		notes = append(notes, "AWS blamed: "+kind)
	}
	inbound := func(principal string, url bool) {
		inv := Invoker{Principal: principal, SourceARN: o.SourceARN, SourceAccount: o.SourceAccount, Qualifier: o.Qualifier, FunctionURL: url || o.FunctionURL, Why: "--error"}
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
		if inv.SourceARN == "" && isServicePrincipal(inv.Principal) {
			// Use the triggers the account shows for this service.
			for _, t := range fn.Triggers {
				if t.Principal == inv.Principal && t.RoleARN == "" {
					inv.SourceARN, inv.SourceAccount = t.SourceARN, firstNonEmpty(inv.SourceAccount, t.SourceAccount)
					break
				}
			}
			if inv.SourceARN == "" {
				notes = append(notes, "the error does not say which "+inv.Principal+" resource called: pass --source-arn for an exact, scoped check and fix")
			}
		}
		d.normalizeInvoker(&inv)
		v, err := CheckInbound(fn, inv)
		f := d.add(v, err, "--error", 0)
		if f != nil {
			f.notes = append(f.notes, d.inboundNotes(inv)...)
		}
	}
	switch den.Kind {
	case errtext.KindRoleAssume:
		v, err := CheckTrust(fn)
		d.add(v, err, "--error", 0)
	case errtext.KindAPIGatewayInvoke:
		inbound("apigateway.amazonaws.com", false)
	case errtext.KindFunctionURL:
		p := "*"
		if urlAuthType(fn, o.Qualifier) == "AWS_IAM" && o.Caller == "" {
			notes = append(notes, "the function URL uses AWS_IAM auth: pass --caller with the calling principal's ARN; judged here as an anonymous caller")
		}
		inbound(p, true)
	case errtext.KindS3Notification:
		inbound("s3.amazonaws.com", false)
	case errtext.KindLogsSubscription:
		inbound("logs."+fn.Region+".amazonaws.com", false)
	case errtext.KindELBTarget:
		inbound("elasticloadbalancing.amazonaws.com", false)
	case errtext.KindKMSEnv:
		key := fn.Config.KMSKeyARN
		if key == "" {
			notes = append(notes, "the function has no customer managed key for its environment in the model; the error names a KMS key the role cannot use")
			key = firstNonEmpty(den.Resource, "*")
		}
		v, err := CheckOutbound(fn, Call{Action: "kms:Decrypt", Resource: key, Why: "decrypting the environment variables"})
		d.add(v, err, "--error", 0)
	case errtext.KindESMPermission:
		act := firstNonEmpty(den.Action, "sqs:ReceiveMessage")
		found := false
		for _, es := range fn.EventSources {
			if strings.EqualFold(account.ARNField(es.EventSourceARN, 2), strings.SplitN(act, ":", 2)[0]) {
				v, err := CheckOutbound(fn, Call{Action: act, Resource: es.EventSourceARN, Why: "event source mapping " + es.UUID})
				d.add(v, err, "--error", 0)
				found = true
			}
		}
		if !found {
			res := firstNonEmpty(o.Resource, den.Resource)
			if res == "" {
				return nil, inputErrorf("--resource", "the error names %s but not the event source: pass --resource with its ARN", act)
			}
			v, err := CheckOutbound(fn, Call{Action: act, Resource: res, Why: "--error"})
			d.add(v, err, "--error", 0)
		}
	case errtext.KindVPCNetworking:
		for _, a := range []string{"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"} {
			v, err := CheckOutbound(fn, Call{Action: a, Resource: "*", Why: "VPC networking (Lambda DG configuration-vpc)"})
			d.add(v, err, "--error", 0)
		}
	case errtext.KindECRImage:
		if f := d.add(ecrImageVerdict(fn), nil, "--error", 0); f != nil {
			f.notes = append(f.notes, "Lambda pulls the image with its own service principal, not the execution role: the role's policies do not matter here")
		}
	case errtext.KindAPIGatewayMethod:
		notes = append(notes, "\"Unable to determine service/operation name to be authorized\" is not a permission problem: the API Gateway integration calls Lambda with an HTTP method other than POST; set the integration method to POST")
	case errtext.KindBareAccessDenied, errtext.KindEncodedEC2:
		if den.EncodedMessage != "" {
			notes = append(notes, "decode the authorization failure with: aws sts decode-authorization-message --encoded-message '<message>'")
		}
		notes = append(notes, "the error names no principal or action; checking every door instead")
		if err := d.fromSymptomAuto(); err != nil {
			return nil, err
		}
	default: // not authorized
		action := firstNonEmpty(o.Action, den.Action)
		resource := firstNonEmpty(o.Resource, den.Resource)
		switch {
		case strings.EqualFold(action, "sts:AssumeRole") && (fn.Role == nil || resource == fn.Role.ARN || strings.HasSuffix(resource, "/"+roleName(fn.Config.RoleARN))):
			v, err := CheckTrust(fn)
			d.add(v, err, "--error", 0)
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
				resource = grantResource(action, "*")
			}
			if !strings.HasPrefix(resource, "arn:") && resource != "*" {
				notes = append(notes, fmt.Sprintf("the error names the resource %q, not its ARN: pass --resource with the ARN for an exact check", resource))
				resource = resourceFromName(fn, action, resource)
			}
			if den.Principal != "" && !d.isOwnPrincipal(den.Principal) {
				notes = append(notes, fmt.Sprintf("the error is about %s, not this function's execution role (%s): judged against the execution role anyway", den.Principal, SessionARN(fn)))
			}
			v, err := CheckOutbound(fn, Call{Action: action, Resource: resource, Why: "--error"})
			if err == nil && v.Open() && unseenLayer(fn, den.PolicyType) {
				v.Blamed, v.BlamedExplicit = den.PolicyType, den.Explicit
				v.Decision = simulate.ImplicitDeny
				if den.Explicit {
					v.Decision = simulate.ExplicitDeny
				}
			}
			f := d.add(v, err, "--error", 0)
			if f != nil && v != nil && v.Open() {
				f.notes = append(f.notes, d.openButDenied(den)...)
			}
		}
	}
	return notes, nil
}

func (d *diagnosis) fromSymptomAuto() error {
	o := d.o
	d.o.Symptom = SymptomAuto
	err := d.fromSymptom()
	d.o = o
	return err
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

// --- invokers named by the resource policy ------------------------------------

type policyInvoker struct {
	inv    Invoker
	source string
	notes  []string
}

var bareID = regexp.MustCompile(`^A(ROA|IDA|GPA|NPA|IPA)[A-Z0-9]{12,}$`)

// policyInvokers turns each Allow statement of the function's resource
// policies into the invoke it is meant for, as AWS would send it (the
// logs principal regional, an API Gateway SourceArn in the function's
// region), so that a statement that can never match is found.
func policyInvokers(fn *account.Function) []policyInvoker {
	var out []policyInvoker
	eachResourceStatement(fn, func(rp account.ResourcePolicy, name string, raw json.RawMessage) {
		var st struct {
			Effect    string
			Principal any
			Action    any
			Resource  any
			Condition map[string]map[string]any
		}
		if jsonUnmarshal(raw, &st) != nil || st.Effect != "Allow" {
			return
		}
		source := "statement " + quoteID(name)
		for _, p := range principalsOf(st.Principal) {
			if bareID.MatchString(p) {
				continue
			}
			// The statement's Resource says which (un)qualified ARN it
			// grants (AddPermission writes the exact ARN); a source that
			// files every statement under each qualifier (moto) is read
			// right that way too.
			inv := Invoker{Principal: p, Why: source, Qualifier: rp.Qualifier}
			for _, r := range anyList(st.Resource) {
				if r == fn.ARN {
					inv.Qualifier = ""
				} else if q := qualifierOf(fn, r); q != "" && !strings.ContainsAny(q, "*?") {
					inv.Qualifier = q
				}
			}
			var notes []string
			for op, kv := range st.Condition {
				for k, v := range kv {
					vals := anyList(v)
					if len(vals) == 0 {
						continue
					}
					val := vals[0]
					switch strings.ToLower(k) {
					case "aws:sourcearn":
						inv.SourceARN = val
					case "aws:sourceaccount":
						inv.SourceAccount = val
					case "lambda:functionurlauthtype", "lambda:invokedviafunctionurl":
						// Set by the builder from the URL config.
					default:
						// The invoke the statement is meant for carries
						// what its other conditions ask for.
						if cv, ok := satisfying(op, val); ok {
							if inv.Context == nil {
								inv.Context = simulate.Context{}
							}
							inv.Context[k] = cv
						}
					}
				}
			}
			acts := anyList(st.Action)
			if containsFold(acts, "lambda:InvokeFunctionUrl") {
				inv.FunctionURL = true
			} else if !matchesInvoke(acts) {
				continue
			}
			if strings.HasPrefix(p, "logs.amazonaws.com") {
				notes = append(notes, fmt.Sprintf("%s names logs.amazonaws.com, but CloudWatch Logs invokes as logs.%s.amazonaws.com", source, fn.Region))
			}
			if p == "logs.amazonaws.com" {
				inv.Principal = "logs." + fn.Region + ".amazonaws.com"
			}
			if account.ARNField(inv.SourceARN, 2) == "execute-api" {
				if r := arnRegion(inv.SourceARN); r != "" && r != "*" && r != fn.Region {
					notes = append(notes, fmt.Sprintf("%s allows the SourceArn %s in region %s; API Gateway sends the function's region (%s) in the SourceArn, so this statement never matches (Lambda DG services-apigateway)", source, inv.SourceARN, r, fn.Region))
					parts := strings.SplitN(inv.SourceARN, ":", 6)
					parts[3] = fn.Region
					inv.SourceARN = strings.Join(parts, ":")
				}
			}
			if isServicePrincipal(inv.Principal) && inv.SourceAccount == "" {
				inv.SourceAccount = arnAccount(inv.SourceARN, "")
			}
			out = append(out, policyInvoker{inv: inv, source: source, notes: notes})
		}
	})
	return out
}

func matchesInvoke(acts []string) bool {
	for _, a := range acts {
		if wildMatch(strings.ToLower(a), "lambda:invokefunction") {
			return true
		}
	}
	return false
}

func wildMatch(p, s string) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(p)) + "$"
	ok, _ := regexp.MatchString(re, s)
	return ok
}

func containsFold(l []string, v string) bool {
	for _, x := range l {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// bareIDStatements reports statements whose principal is a bare unique id:
// IAM shows a deleted principal that way, and a role recreated under the
// same name does not match it (IAM UG reference_policies_elements_principal).
func bareIDStatements(fn *account.Function) []string {
	var out []string
	for _, b := range bareIDs(fn) {
		out = append(out, fmt.Sprintf("statement %s names the principal %s: a bare unique id is how a policy shows a role or user that was deleted; if it was deleted and recreated under the same name, the statement no longer matches it; grant the new ARN again and remove %s", quoteID(b[0]), b[1], quoteID(b[0])))
	}
	return out
}

// bareIDs lists (statement, unique id) pairs of resource-policy principals
// given as bare unique ids.
func bareIDs(fn *account.Function) [][2]string {
	var out [][2]string
	eachResourceStatement(fn, func(_ account.ResourcePolicy, name string, raw json.RawMessage) {
		var st struct{ Principal any }
		if jsonUnmarshal(raw, &st) != nil {
			return
		}
		for _, p := range principalsOf(st.Principal) {
			if bareID.MatchString(p) {
				out = append(out, [2]string{name, p})
			}
		}
	})
	return out
}

// eachResourceStatement calls yield with every statement of the function's
// resource policies (documents that do not decode are skipped), named by
// its Sid, or "#N" when it has none.
func eachResourceStatement(fn *account.Function, yield func(rp account.ResourcePolicy, name string, raw json.RawMessage)) {
	for _, rp := range fn.ResourcePolicies {
		d, err := decodeDoc(rp.Document)
		if err != nil {
			continue
		}
		for i, raw := range d.Statement {
			var st struct{ Sid string }
			if jsonUnmarshal(raw, &st) != nil {
				continue
			}
			name := st.Sid
			if name == "" {
				name = fmt.Sprintf("#%d", i)
			}
			yield(rp, name, raw)
		}
	}
}

func quoteID(s string) string { return `"` + s + `"` }

func principalsOf(p any) []string {
	switch v := p.(type) {
	case string:
		return []string{v}
	case map[string]any:
		var out []string
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, anyList(v[k])...)
		}
		return out
	}
	return nil
}

func anyList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case bool:
		return []string{fmt.Sprint(x)}
	case []string:
		return x
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			} else {
				out = append(out, fmt.Sprint(e))
			}
		}
		return out
	}
	return nil
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

// satisfying is a context value that meets a positive condition operator's
// first value: the value itself (a pattern's wildcards match themselves),
// the address of a CIDR. Negated, Null and date/number comparisons give
// nothing.
func satisfying(op, val string) (simulate.Value, bool) {
	base := op
	multi := false
	if i := strings.Index(base, ":"); i >= 0 {
		multi = true
		base = base[i+1:]
	}
	base = strings.TrimSuffix(base, "IfExists")
	switch base {
	case "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "Bool", "BinaryEquals", "NumericEquals":
		return simulate.Value{Values: []string{val}, Multi: multi}, true
	case "IpAddress":
		if i := strings.Index(val, "/"); i > 0 {
			val = val[:i]
		}
		return simulate.Value{Values: []string{val}, Multi: multi}, true
	}
	return simulate.Value{}, false
}

// ecrImageVerdict judges Lambda pulling the function's container image. The
// execution role plays no part: the ECR repository policy must let the
// Lambda service principal call ecr:BatchGetImage and
// ecr:GetDownloadUrlForLayer (Lambda DG, "Create a Lambda function using a
// container image", Amazon ECR permissions). The repository policy is not in
// the model, so the door is closed there and its owner must act.
func ecrImageVerdict(fn *account.Function) *Verdict {
	in := &simulate.Input{Request: simulate.Request{
		Principal: "lambda.amazonaws.com",
		Action:    "ecr:BatchGetImage",
		Resource:  ecrRepositoryARN(fn),
	}}
	return &Verdict{
		Door:     Outbound,
		Call:     &Call{Action: in.Request.Action, Resource: in.Request.Resource, Why: "pulling the container image"},
		Probes:   []Probe{{Input: in, Result: evaluate(in)}},
		Decision: simulate.ImplicitDeny,
		Blamed:   "ECR repository",
	}
}

// ecrRepositoryARN is the ARN of the repository of the function's image URI
// (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO[:TAG|@DIGEST]), or "*".
func ecrRepositoryARN(fn *account.Function) string {
	host, path, ok := strings.Cut(fn.Config.ImageURI, "/")
	acct, rest, _ := strings.Cut(host, ".dkr.ecr.")
	region, _, _ := strings.Cut(rest, ".")
	if !ok || !account.IsAccountID(acct) || region == "" {
		return "*"
	}
	if i := strings.IndexAny(path, ":@"); i >= 0 {
		path = path[:i]
	}
	return fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", fn.PartitionName(), region, acct, path)
}
