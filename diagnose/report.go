package diagnose

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/internal/jsontext"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Report is the result of one diagnosis; every output format renders it.
// Its JSON form is the contract's (docs/contract.md): the top-level
// fields describe the primary (most likely) diagnosis, and "diagnoses"
// lists every closed or undecidable door found, most likely first.
type Report struct {
	Function  string
	Symptom   string
	Primary   Diagnosis
	Diagnoses []Diagnosis // closed and unknown doors, most likely first (Primary is the first when any)
	Open      []string    // the requests found allowed, one line each
	Notes     []string    // about the whole diagnosis
	// Troubleshooter is how to ask IAM Access Troubleshooter about a
	// pasted denial that carries an authorization id.
	Troubleshooter *Troubleshooter
}

// Troubleshooter says how to ask IAM Access Troubleshooter (preview) why a
// request was denied, from the authorization id of the pasted denial (IAM
// UG, troubleshoot_access-denied-authorization-id).
type Troubleshooter struct {
	AuthorizationID string `json:"authorization_id"`
	// URL is the console page of the evaluation.
	URL string `json:"url"`
	// Command asks for the evaluation: the request context, every policy
	// evaluated (type, attachment, URI) and the statements that matched;
	// it needs iam:GetRequestAuthorizationDetails.
	Command string `json:"command"`
	// PolicyCommand asks for one evaluated policy's document as it was at
	// the time (GetRequestAuthorizationPolicy); POLICY_URI is a policy URI
	// from the first command's answer. It needs
	// iam:GetRequestAuthorizationPolicy.
	PolicyCommand string `json:"policy_command"`
}

// Diagnosis is one door's verdict for one request, explained.
type Diagnosis struct {
	Door Door `json:"door"`
	// Rule is the requirement rule (LD0xx, as `check` reports it) when the
	// door was found judging the function's configuration.
	Rule     string     `json:"rule,omitempty"`
	Summary  string     `json:"summary"`
	Headline string     `json:"headline"`
	Source   string     `json:"source,omitempty"`
	Request  *Request   `json:"request,omitempty"`
	Requests []Request  `json:"requests,omitempty"` // every request judged, when more than one
	Decision string     `json:"decision,omitempty"`
	Reason   string     `json:"reason,omitempty"`
	Evidence []Evidence `json:"evidence"`
	Fixes    []fix.Fix  `json:"fixes"`
	Unseen   []Unseen   `json:"unseen"`
	// Unparsed are the policy documents that do not parse and leave the
	// door undecided.
	Unparsed []Unparsed `json:"unparsed,omitempty"`
	NotThis  string     `json:"not_this,omitempty"`
	Assumed  []string   `json:"assumed,omitempty"`
	Notes    []string   `json:"notes,omitempty"`
	// CrossCheck is IAM SimulatePrincipalPolicy's answer, when asked.
	CrossCheck string `json:"cross_check,omitempty"`
	// Cause is what decides before any grant, when it is not (or not only)
	// a missing permission: the door is then "config" when no policy
	// change helps (docs/contract.md, "cause").
	Cause *Cause `json:"cause,omitempty"`
	// Ambiguous is set when the door is open under one reading of the IAM
	// User Guide and closed under the other: Decision is the engine's
	// reading, and the door is undecided (exit 3).
	Ambiguous *judge.Ambiguity `json:"ambiguous,omitempty"`

	verdict *judge.Verdict
}

// MarshalJSON writes the contract's shape of a diagnosis: the fixes that
// are commands in fixes, the others (no command: who must act, or why no
// command is safe) in fix_advice.
func (d Diagnosis) MarshalJSON() ([]byte, error) {
	type plain Diagnosis
	cmds, advice := fix.Split(d.Fixes)
	if cmds == nil {
		cmds = []fix.Fix{}
	}
	return jsontext.Marshal(struct {
		plain
		Fixes     []fix.Fix    `json:"fixes"`
		FixAdvice []fix.Advice `json:"fix_advice,omitempty"`
	}{plain(d), cmds, advice})
}

// Cause is a judge.Cause as reported.
type Cause struct {
	// Kind is one of function_failed, layer_region, layer_not_found,
	// layer_access, image_region, image_not_found, esm_not_arn,
	// esm_source_auth, kms_key_state, kms_key_not_found, stale_grant,
	// deleted_principal.
	Kind     string `json:"kind"`
	Rule     string `json:"rule,omitempty"` // check's rule id, when the model shows it
	Resource string `json:"resource,omitempty"`
	Summary  string `json:"summary"`
	// NotIAM is true when no policy change fixes it.
	NotIAM bool     `json:"not_iam"`
	Doc    string   `json:"doc,omitempty"`
	Detail []string `json:"detail,omitempty"`
}

func causeOut(c *judge.Cause) *Cause {
	if c == nil {
		return nil
	}
	return &Cause{Kind: c.Kind, Rule: c.Rule, Resource: c.Resource, Summary: c.Summary, NotIAM: c.NotIAM, Doc: c.Doc, Detail: c.Detail}
}

// Request is a simulated request as reported.
type Request struct {
	Principal string         `json:"principal"`
	Action    string         `json:"action"`
	Resource  string         `json:"resource"`
	Context   map[string]any `json:"context"`
}

// Evidence is one statement (or the lack of one) that decided.
type Evidence struct {
	Policy    string `json:"policy"`
	Statement string `json:"statement"`
	Effect    string `json:"effect"`
	Why       string `json:"why"`
}

// Unparsed is a policy document that does not parse, as reported.
type Unparsed struct {
	Policy string `json:"policy"`
	Error  string `json:"error"`
}

// Unseen is a read that was refused, with the permission the operator lacks.
type Unseen struct {
	Operation  string `json:"operation"`
	Resource   string `json:"resource,omitempty"`
	Permission string `json:"permission,omitempty"`
	Error      string `json:"error,omitempty"`
}

// ExitCode is the contract's exit code: 0 every door judged is open, 1 a
// closed door explained, 3 could not see enough to decide (or the door is
// open under one reading of the documentation and closed under the other,
// and no door is closed under both).
func (r *Report) ExitCode() int {
	switch {
	case r.Primary.Door == None:
		return 0
	case r.Primary.Door == Unknown, r.Primary.Ambiguous != nil:
		return 3
	}
	return 1
}

// MarshalJSON writes the contract's shape.
func (r *Report) MarshalJSON() ([]byte, error) {
	p := r.Primary
	notes := append(append([]string{}, r.Notes...), p.Notes...)
	out := struct {
		Function   string           `json:"function"`
		Symptom    string           `json:"symptom"`
		Door       Door             `json:"door"`
		Rule       string           `json:"rule,omitempty"`
		Summary    string           `json:"summary"`
		Request    *Request         `json:"request"`
		Requests   []Request        `json:"requests,omitempty"`
		Decision   string           `json:"decision"`
		Evidence   []Evidence       `json:"evidence"`
		Fixes      []fix.Fix        `json:"fixes"`
		FixAdvice  []fix.Advice     `json:"fix_advice,omitempty"`
		Unseen     []Unseen         `json:"unseen"`
		Unparsed   []Unparsed       `json:"unparsed,omitempty"`
		NotThis    string           `json:"not_this,omitempty"`
		Assumed    []string         `json:"assumed,omitempty"`
		CrossCheck string           `json:"cross_check,omitempty"`
		Cause      *Cause           `json:"cause,omitempty"`
		Ambiguous  *judge.Ambiguity `json:"ambiguous,omitempty"`
		Notes      []string         `json:"notes,omitempty"`
		Trouble    *Troubleshooter  `json:"troubleshooter,omitempty"`
		Diagnoses  []Diagnosis      `json:"diagnoses"`
		Open       []string         `json:"open"`
		ExitCode   int              `json:"exit_code"`
	}{r.Function, r.Symptom, p.Door, p.Rule, p.Summary, p.Request, p.Requests, p.Decision, p.Evidence, nil, nil, p.Unseen,
		p.Unparsed, p.NotThis, p.Assumed, p.CrossCheck, p.Cause, p.Ambiguous, notes, r.Troubleshooter, r.Diagnoses, r.Open, r.ExitCode()}
	out.Fixes, out.FixAdvice = fix.Split(p.Fixes)
	if out.Evidence == nil {
		out.Evidence = []Evidence{}
	}
	if out.Fixes == nil {
		out.Fixes = []fix.Fix{}
	}
	if out.Unseen == nil {
		out.Unseen = []Unseen{}
	}
	if out.Diagnoses == nil {
		out.Diagnoses = []Diagnosis{}
	}
	if out.Open == nil {
		out.Open = []string{}
	}
	return jsontext.Marshal(out)
}

func (d *diagnosis) report(ctx context.Context) *Report {
	fn := d.fn
	rep := &Report{Function: fn.ARN, Symptom: d.o.Symptom, Notes: d.notes, Troubleshooter: d.troubleshooter}
	d.dropCarriedCauses()
	if note := orgNote(fn, d.findings); note != "" {
		rep.Notes = append(rep.Notes, note)
	}
	sort.SliceStable(d.findings, func(i, j int) bool {
		a, b := d.findings[i], d.findings[j]
		if ca, cb := closedRank(a.v), closedRank(b.v); ca != cb {
			return ca < cb
		}
		return a.rank < b.rank
	})
	for _, f := range d.findings {
		if f.v.Open() {
			rep.Open = append(rep.Open, openLine(fn, f))
			continue
		}
		x := d.explain(ctx, f)
		x.nonNil()
		rep.Diagnoses = append(rep.Diagnoses, x)
	}
	for _, x := range d.undecided {
		x.nonNil()
		rep.Diagnoses = append(rep.Diagnoses, x)
	}
	switch {
	case len(rep.Diagnoses) > 0:
		rep.Primary = rep.Diagnoses[0]
	case len(d.findings) == 1:
		p := d.explain(ctx, d.findings[0])
		p.Door = None
		p.Fixes = nil
		p.Summary = "the " + string(d.findings[0].v.Door) + " door is open: " + p.Headline
		if p.Reason != "" {
			p.Summary += " (" + p.Reason + ")"
		}
		rep.Primary = p
	default:
		rep.Primary = Diagnosis{Door: None, Decision: string(simulate.Allow)}
		switch len(d.findings) {
		case 0:
			rep.Primary.Summary = "nothing to judge: the function's resource policy names no invoker and the account shows no trigger; pass --caller (and --source-arn) to judge one"
			rep.Primary.Decision = ""
		default:
			rep.Primary.Summary = fmt.Sprintf("no closed door found: %d requests judged, all allowed", len(d.findings))
		}
	}
	return rep
}

// dropCarriedCauses drops a cause found in the model by itself when a
// judged request carries the same cause (the request says more), and
// keeps one of the findings a cause decides without a request (a deleted
// execution role closes every requirement on it), as check reports it once.
func (d *diagnosis) dropCarriedCauses() {
	carried := map[string]bool{}
	for _, f := range d.findings {
		if c := f.v.Cause; c != nil && len(f.v.Probes) > 0 {
			carried[c.Kind+" "+c.Resource] = true
		}
	}
	shown := map[string]bool{}
	out := d.findings[:0]
	for _, f := range d.findings {
		if c := f.v.Cause; c != nil && len(f.v.Probes) == 0 {
			k := c.Kind + " " + c.Resource
			if carried[k] || shown[k] {
				continue
			}
			shown[k] = true
		}
		out = append(out, f)
	}
	d.findings = out
}

// closedRank orders closed doors before the ones that hang on a reading
// of the documentation, before undecided ones, before open ones.
func closedRank(v *judge.Verdict) int {
	switch {
	case v.Open():
		return 3
	case v.Unknown:
		return 2
	case v.IsAmbiguous():
		return 1
	}
	return 0
}

func openLine(fn *account.Function, f *finding) string {
	return headline(fn, f, true) + " (" + f.source + ")"
}

func (d *diagnosis) explain(ctx context.Context, f *finding) Diagnosis {
	fn, v := d.fn, f.v
	out := Diagnosis{Door: v.Door, Rule: v.Rule, Source: f.source, NotThis: f.notThis, Notes: f.notes, verdict: v}
	out.Headline = headline(fn, f, v.Open() || (v.IsAmbiguous() && v.Decision == simulate.Allow))
	for _, u := range v.Unseen {
		out.Unseen = append(out.Unseen, Unseen{Operation: u.Operation, Resource: u.Resource, Permission: u.Permission, Error: u.Error})
	}
	for _, u := range v.Unparsed {
		out.Unparsed = append(out.Unparsed, Unparsed{Policy: u.Policy, Error: u.Err.Error()})
	}
	if len(v.Probes) > 0 {
		r := reqOut(v.Request())
		out.Request = &r
		if len(v.Probes) > 1 {
			for _, p := range v.Probes {
				out.Requests = append(out.Requests, reqOut(p.Input.Request))
			}
		}
		for _, p := range v.Probes {
			for _, a := range p.Assumed {
				if !judge.ContainsFold(out.Assumed, a) {
					out.Assumed = append(out.Assumed, a)
				}
			}
		}
	}
	if len(v.Probes) == 0 && v.Call != nil {
		out.Request = &Request{Principal: judge.SessionARN(fn), Action: v.Call.Action, Resource: v.Call.Resource, Context: map[string]any{}}
	}
	if v.Unknown {
		out.Door = Unknown
		var ops, perms, causes []string
		for _, u := range v.Unseen {
			ops = append(ops, u.Operation)
			if u.Permission != "" && !judge.ContainsFold(perms, u.Permission) {
				perms = append(perms, u.Permission)
			}
		}
		if len(ops) > 0 {
			causes = append(causes, strings.Join(ops, ", ")+" could not be read")
		}
		for _, u := range v.Unparsed {
			causes = append(causes, "the policy "+u.Policy+" does not parse ("+oneLine(u.Err.Error(), 160)+")")
		}
		out.Summary = fmt.Sprintf("could not decide whether %s: %s", headline(fn, f, true), strings.Join(causes, "; "))
		if len(perms) > 0 {
			out.Summary += "; the operator needs " + strings.Join(perms, ", ")
		}
		// What could not be read might allow it; what does not parse might
		// deny it.
		switch {
		case len(v.Unparsed) == 0 || v.Decision != simulate.Allow:
			out.Reason = "not decided: " + strings.Join(causes, "; ") + ", and what could be read does not allow it"
		default:
			out.Reason = "not decided: " + strings.Join(causes, "; ") + ": what could be read allows it, but that document could deny it"
		}
		return out
	}
	if v.Cause != nil {
		out.Cause = causeOut(v.Cause)
		if v.Cause.Rule != "" {
			out.Rule = v.Cause.Rule // reported as what it is, as check reports it
		}
		if v.Cause.NotIAM {
			out.Door = Config
			out.NotThis = "no policy change fixes this: " + notThisCause
		}
	}
	if len(v.Probes) == 0 && v.Cause != nil {
		// A cause the model shows by itself (judge.Causes), not a request.
		out.Summary = v.Cause.Summary
		if d.fixes == nil {
			d.fixes = fix.NewSet()
			d.fixes.Profile = d.o.Profile
		}
		out.Fixes = fix.CLIOnly(d.fixes.ForCause(fn, *v.Cause), d.o.FixFormat)
		return out
	}
	out.Decision = string(v.Decision)
	out.Evidence, out.Reason = evidence(fn, v)
	if v.Blamed != "" {
		allowed := out.Reason
		kind := "no " + v.Blamed + " policy allows"
		if v.BlamedExplicit {
			kind = "an explicit deny in " + article(v.Blamed) + " " + v.Blamed + " policy"
		}
		r := v.Request()
		out.Reason = fmt.Sprintf("AWS reported %s %s on %s; that policy is not in the model, and the role's own policies allow the call (%s)", kind, r.Action, r.Resource, allowed)
		if judge.IsServicePrincipal(r.Principal) {
			out.Reason = fmt.Sprintf("AWS reported %s %s on %s for %s; that policy is not in the model", kind, r.Action, r.Resource, r.Principal)
		}
		out.Evidence = append([]Evidence{{Policy: v.Blamed + " policy (not in the model)", Statement: "-", Effect: map[bool]string{true: "Deny"}[v.BlamedExplicit], Why: "AWS reported " + kind + " " + r.Action}}, out.Evidence...)
	}
	if v.Door == Inbound && !v.Open() && v.Invoker != nil && v.Invoker.RoleARN == "" && strings.HasPrefix(judge.InvokerPrincipal(fn, v.Invoker.Principal), "arn:") {
		for _, b := range judge.BareIDs(fn) {
			out.Reason = fmt.Sprintf("statement %s names the bare unique id %s, which is how a deleted principal shows and which a recreated role does not match; %s", judge.Quote(b[0]), b[1], out.Reason)
			break
		}
	}
	out.Summary = out.Headline
	if v.Cause != nil {
		// The cause decides before the policies: it is the summary.
		out.Summary += ": " + v.Cause.Summary
		if v.Cause.NotIAM && v.Decision != simulate.Allow {
			out.Notes = append(out.Notes, "the policies deny it too ("+out.Reason+"); once the cause is fixed, diagnose again")
		}
	} else if out.Reason != "" {
		short := out.Reason
		if i := strings.Index(short, "; \""); i > 0 {
			short = short[:i]
		}
		out.Summary += ": " + short
	}
	if a := v.Ambiguity(); a != nil {
		// Never called open or closed on one reading alone.
		out.Ambiguous = a
		out.Summary = "undecided: " + out.Summary + " — " + a.Note
	}
	if !v.Open() {
		// One set for the report (an ambiguous door gets the fix that
		// makes it open under both readings): its fixes paste one after another.
		if d.fixes == nil {
			d.fixes = fix.NewSet()
			d.fixes.Profile = d.o.Profile
		}
		out.Fixes = d.fixes.For(fn, v, d.o.FixFormat)
	}
	if d.o.CrossCheck != nil && (v.Door == Outbound || v.Door == Logs) && fn.Role != nil {
		out.CrossCheck = crossCheck(ctx, d.o.CrossCheck, fn.Role.ARN, v)
	}
	return out
}

// nonNil makes empty lists render as [] in JSON.
func (d *Diagnosis) nonNil() {
	if d.Evidence == nil {
		d.Evidence = []Evidence{}
	}
	if d.Fixes == nil {
		d.Fixes = []fix.Fix{}
	}
	if d.Unseen == nil {
		d.Unseen = []Unseen{}
	}
}

func crossCheck(ctx context.Context, f func(context.Context, string, string, string) (string, error), roleARN string, v *judge.Verdict) string {
	r := v.Request()
	got, err := f(ctx, roleARN, r.Action, r.Resource)
	if err != nil {
		return "IAM SimulatePrincipalPolicy not available: " + oneLine(err.Error(), 160)
	}
	want := map[simulate.Decision]string{simulate.Allow: "allowed", simulate.ImplicitDeny: "implicitdeny", simulate.ExplicitDeny: "explicitdeny"}[v.Decision]
	if strings.EqualFold(got, want) {
		return "IAM SimulatePrincipalPolicy agrees: " + got
	}
	return fmt.Sprintf("IAM SimulatePrincipalPolicy DISAGREES: it answers %s, the local engine %s (it does not see SCPs/RCPs or the session the same way; the local engine stays the judge)", got, v.Decision)
}

func reqOut(r simulate.Request) Request {
	out := Request{Principal: r.Principal, Action: r.Action, Resource: r.Resource, Context: map[string]any{}}
	for k, v := range r.Context {
		if v.Multi || len(v.Values) != 1 {
			out.Context[k] = v.Values
		} else {
			out.Context[k] = v.Values[0]
		}
	}
	return out
}

// headline is the one-line statement of the door's state.
func headline(fn *account.Function, f *finding, open bool) string {
	v := f.v
	may := "may not"
	if open {
		may = "may"
	}
	role := judge.RoleName(fn.Config.RoleARN)
	switch v.Door {
	case Inbound:
		target := fn.Name
		if v.Invoker != nil && v.Invoker.Qualifier != "" {
			target += ":" + v.Invoker.Qualifier
		}
		who := "the caller"
		if v.Invoker != nil {
			who = judge.InvokerPrincipal(fn, v.Invoker.Principal)
			if who == "*" {
				who = "an anonymous caller"
			}
			if v.Invoker.RoleARN != "" {
				who = "role " + judge.RoleName(v.Invoker.RoleARN)
			}
		}
		s := fmt.Sprintf("%s %s invoke %s", who, may, target)
		if v.Invoker != nil && v.Invoker.FunctionURL {
			s += " through its function URL"
		}
		return s
	case Outbound:
		r := v.Request()
		if len(v.Calls) > 1 {
			var acts, resources []string
			for _, c := range v.Calls {
				if !judge.ContainsFold(acts, c.Action) {
					acts = append(acts, c.Action)
				}
				if !judge.ContainsFold(resources, c.Resource) {
					resources = append(resources, c.Resource)
				}
			}
			if len(resources) > 1 && f.req != nil {
				return fmt.Sprintf("role %s %s %s", role, may, f.req.Need)
			}
			return fmt.Sprintf("role %s %s call %s on %s", role, may, strings.Join(acts, ", "), r.Resource)
		}
		if judge.IsServicePrincipal(r.Principal) {
			return fmt.Sprintf("%s %s call %s on %s for function %s", r.Principal, may, r.Action, r.Resource, fn.Name)
		}
		return fmt.Sprintf("role %s %s call %s on %s", role, may, r.Action, r.Resource)
	case Logs:
		return fmt.Sprintf("role %s %s write the function's logs to %s", role, may, judge.LogGroupName(fn))
	case Trust:
		return fmt.Sprintf("Lambda %s assume role %s", may, role)
	case Config:
		if v.Cause != nil {
			return v.Cause.Summary
		}
	}
	return ""
}

// evidence lists the statements that decided and says why in one phrase.
func evidence(fn *account.Function, v *judge.Verdict) ([]Evidence, string) {
	var out []Evidence
	p := v.Failing()
	if p == nil {
		if len(v.Probes) == 0 {
			return nil, ""
		}
		// The door's own statement comes first: for an invoke, the
		// function's resource policy, not the caller's identity side
		// (which, in another account, is assumed).
		own := "identity"
		if v.Door == Inbound || v.Door == Trust {
			own = "resource"
		}
		var others []Evidence
		for _, pr := range v.Probes {
			for _, ref := range pr.Result.Deciding {
				e := Evidence{Policy: ref.Policy, Statement: ref.Statement, Effect: ref.Effect, Why: traceWhy(pr.Result, ref, "allows "+pr.Input.Request.Action)}
				if layerOf(pr.Result, ref) == own {
					out = append(out, e)
				} else {
					others = append(others, e)
				}
			}
		}
		out = append(out, others...)
		if len(out) > 0 {
			return out, fmt.Sprintf("allowed by statement %s of %s", judge.Quote(out[0].Statement), out[0].Policy)
		}
		return nil, "allowed"
	}
	res, req := p.Result, p.Input.Request
	if res.Decision == simulate.ExplicitDeny {
		for _, ref := range res.Deciding {
			out = append(out, Evidence{Policy: ref.Policy, Statement: ref.Statement, Effect: "Deny", Why: traceWhy(res, ref, "denies "+req.Action+" on "+req.Resource)})
		}
		if len(out) > 0 {
			return out, fmt.Sprintf("explicit deny in statement %s of %s", judge.Quote(out[0].Statement), layerOfPolicy(res, out[0].Policy))
		}
		return out, "explicit deny"
	}
	// Implicit deny: the layers that allow nothing, with their near misses.
	var reasons []string
	for _, l := range res.Layers {
		if l.Decision == simulate.Allow || strings.HasPrefix(l.Note, "not evaluated") {
			continue
		}
		if l.Layer == simulate.LayerIdentity && v.Door == Inbound && (v.Invoker == nil || v.Invoker.RoleARN == "") {
			// The caller's identity side is never read: only AWS's own
			// word (a pasted error) says it allows nothing.
			if v.Invoker != nil && v.Invoker.CallerDenied {
				who := judge.PrincipalARN(judge.InvokerPrincipal(fn, v.Invoker.Principal))
				why := fmt.Sprintf("AWS reported that no identity-based policy of %s (account %s) allows %s; those policies are not visible from this account", who, judge.ARNAccount(who, "?"), req.Action)
				out = append(out, Evidence{Policy: "identity policies of " + who, Statement: "-", Why: why})
				reasons = append(reasons, why)
			}
			continue
		}
		if l.Layer == "request" {
			reasons = append(reasons, "the request could not be judged: "+l.Note)
			continue
		}
		ev, reason := layerEvidence(fn, v, p, l)
		out = append(out, ev...)
		if reason != "" {
			reasons = append(reasons, reason)
		}
	}
	if len(reasons) == 0 && v.Door == Inbound {
		reasons = append(reasons, "the resource policy allows no invoke by this caller")
	}
	if p != &v.Probes[0] || len(v.Probes) > 1 {
		reasons = append([]string{req.Action + " is denied"}, reasons...)
	}
	return out, strings.Join(reasons, "; ")
}

func traceWhy(res *simulate.Result, ref simulate.StatementRef, def string) string {
	for _, t := range res.Trace {
		if t.Policy == ref.Policy && t.Index == ref.Index {
			if t.Why != "" {
				return t.Why
			}
			break
		}
	}
	return def
}

func layerOfPolicy(res *simulate.Result, policy string) string {
	for _, t := range res.Trace {
		if t.Policy == policy {
			switch t.Layer {
			case simulate.LayerSCP:
				return "the service control policy " + policy
			case simulate.LayerRCP:
				return "the resource control policy " + policy
			case simulate.LayerBoundary:
				return "the permissions boundary " + policy
			case simulate.LayerResource:
				return "the " + policy
			case simulate.LayerIdentity:
				return "the identity policy " + policy
			}
		}
	}
	return policy
}

// layerEvidence explains one layer that allows nothing: the statements that
// came closest (the action matched, something else did not).
func layerEvidence(fn *account.Function, v *judge.Verdict, p *judge.Probe, l simulate.LayerResult) ([]Evidence, string) {
	res, req := p.Result, p.Input.Request
	var near, all []simulate.StatementTrace
	policies := map[string]bool{}
	for _, t := range res.Trace {
		if t.Layer != l.Layer {
			continue
		}
		policies[t.Policy] = true
		if t.Effect != "Allow" {
			continue
		}
		all = append(all, t)
		if t.Failed != "action" && t.Failed != "notaction" {
			near = append(near, t)
		}
	}
	var out []Evidence
	for i, t := range near {
		if i == 4 {
			break
		}
		out = append(out, Evidence{Policy: t.Policy, Statement: t.Statement, Effect: t.Effect, Why: t.Why})
	}
	n := len(all)
	stmts := fmt.Sprintf("%d Allow statements", n)
	if n == 1 {
		stmts = "1 Allow statement"
	}
	var reason string
	switch l.Layer {
	case simulate.LayerResource:
		if p.Input.Resource == nil {
			out = append(out, Evidence{Policy: "function policy", Statement: "-", Effect: "", Why: "the function has no resource-based policy"})
			return out, "the function has no resource-based policy"
		}
		reason = fmt.Sprintf("the resource policy has %s; none allows this request", stmts)
		if arn, ok := judge.KeyPolicyOf(p.Input.Resource.Name); ok {
			// A key policy must allow even in the key's own account (AWS
			// KMS Developer Guide, key-policies).
			reason = fmt.Sprintf("the key policy of %s neither lets IAM policies grant access (no statement allowing arn:%s:iam::%s:root) nor names role %s or its session; without that, identity policies that allow %s have no effect (AWS KMS Developer Guide, key-policies)",
				arn, fn.PartitionName(), judge.ARNAccount(arn, fn.Account), judge.RoleName(fn.Config.RoleARN), req.Action)
		}
		if v.Door == Trust {
			reason = fmt.Sprintf("the trust policy has %s; none lets %s %s", stmts, req.Principal, req.Action)
		}
	case simulate.LayerIdentity:
		role := judge.RoleName(fn.Config.RoleARN)
		if v.Invoker != nil && v.Invoker.RoleARN != "" {
			role = judge.RoleName(v.Invoker.RoleARN)
		}
		reason = fmt.Sprintf("no policy of role %s allows %s on %s", role, req.Action, req.Resource)
		if len(p.Input.Identity) == 0 {
			reason = fmt.Sprintf("role %s has no policies", role)
		}
	case simulate.LayerBoundary:
		b := "the permissions boundary"
		if p.Input.Boundary != nil {
			b += " " + p.Input.Boundary.Name
		}
		reason = fmt.Sprintf("%s does not allow %s on %s (the role's own policies do)", b, req.Action, req.Resource)
	case simulate.LayerSCP:
		reason = fmt.Sprintf("the organization's service control policies allow nothing that matches at %s", l.Note)
	case simulate.LayerRCP:
		reason = fmt.Sprintf("the organization's resource control policies allow nothing that matches at %s", l.Note)
	default:
		reason = "no " + l.Layer + " policy allows it"
	}
	if len(near) > 0 {
		reason += "; " + judge.Quote(near[0].Statement) + ": " + near[0].Why
	}
	if len(out) == 0 {
		var names []string
		for n := range policies {
			names = append(names, n)
		}
		sort.Strings(names)
		pol := strings.Join(names, ", ")
		if pol == "" {
			pol = l.Layer
		}
		out = append(out, Evidence{Policy: pol, Statement: "-", Effect: "", Why: "no statement allows " + req.Action})
	}
	return out, reason
}

// MarshalIndent renders the report as indented JSON.
func (r *Report) marshalIndent() ([]byte, error) {
	b, err := r.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(json.RawMessage(b)); err != nil {
		return nil, err
	}
	return []byte(buf.String()), nil
}

// layerOf is the layer of the decision flow a deciding statement belongs to.
func layerOf(res *simulate.Result, ref simulate.StatementRef) string {
	for _, st := range res.Trace {
		if st.Policy == ref.Policy && st.Index == ref.Index {
			return st.Layer
		}
	}
	return ""
}

// orgNote says, when every door judged is open and a call of the function's
// code was among them, that organization policies the model lacks could
// still deny it: an allow here is an allow as far as the account's own
// policies go.
func orgNote(fn *account.Function, findings []*finding) string {
	if fn.Org != nil && !fn.Org.PoliciesUnread {
		return ""
	}
	for _, f := range findings {
		if !f.v.Open() {
			return "" // a closed door is the answer; this caveat is for an all-clear
		}
	}
	for _, f := range findings {
		if f.v.Door == Outbound || f.v.Door == Logs {
			if fn.Org == nil {
				return "the organization's SCPs and RCPs are not in the model, so they were assumed to allow; if AWS still denies, ask whether the account is in an organization"
			}
			return "the SCPs and RCPs of organization " + fn.Org.ID + " could not be read (only its management account or a delegated administrator may), so they were assumed to allow"
		}
	}
	return ""
}
