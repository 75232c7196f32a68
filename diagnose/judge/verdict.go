// Package judge is lambda-doctor's judging core: the one list of what a
// function's configuration requires of its two doors (Requirements), the
// engine inputs for each request against the account model, and the
// verdicts (door, decision, deciding statements, what could not be seen).
// diagnose and checks both ask it, so they never disagree about a function.
// It builds no fix and renders nothing (package fix does the former).
package judge

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Door names where a request is judged.
type Door string

// The doors of a Lambda function (docs/contract.md, "door").
const (
	Inbound  Door = "inbound"  // the function's resource-based policy: who may invoke it
	Outbound Door = "outbound" // the execution role: what the code may call
	Logs     Door = "logs"     // the execution role's CloudWatch Logs permissions
	Trust    Door = "trust"    // the role's trust policy: may Lambda assume it
	// Config is not a door of IAM: the function's configuration, or a
	// resource it names (a layer, an image, a KMS key, an event source), is
	// what fails, and no grant fixes it (Cause.NotIAM).
	Config  Door = "config"
	None    Door = "none"    // every door judged is open
	Unknown Door = "unknown" // a read that was refused, or a document that does not parse, prevents a decision
)

// Call is a request the function's code makes with its execution role.
type Call struct {
	Action   string           // service:Action, e.g. dynamodb:Query
	Resource string           // resource ARN, or "*" for actions with no resource
	Context  simulate.Context // extra request context keys; may be nil
	// Why says where the call comes from ("log line at ...", "event source
	// mapping ...", "--action/--resource"); shown in reports.
	Why string
	// ByLambda is set for a call Lambda makes itself on the function's
	// behalf, with the execution role but outside the execution environment
	// (writing logs, managing network interfaces, decrypting the
	// environment, polling event sources, delivering async records): it
	// carries no lambda:SourceFunctionArn and, made from Lambda's own
	// infrastructure, no aws:SourceVpc (see sessionContext).
	ByLambda bool
}

// Invoker is a caller of the function: a service principal, an account, an
// IAM role or user, or "*" (anonymous, e.g. a public function URL).
type Invoker struct {
	// Principal as given: "apigateway.amazonaws.com", "444455556666",
	// "arn:aws:iam::444455556666:role/caller", or "*".
	Principal     string
	SourceARN     string // aws:SourceArn (rule, topic, API route, bucket, log group...)
	SourceAccount string // aws:SourceAccount
	// Qualifier is the alias or version the request names; "" invokes the
	// unqualified function. A permission on the unqualified ARN does not
	// cover an alias-qualified invoke, and vice versa.
	Qualifier string
	// FunctionURL is true for a call through the function URL: it needs
	// lambda:InvokeFunctionUrl and lambda:InvokeFunction (the latter with
	// lambda:InvokedViaFunctionUrl = true).
	FunctionURL bool
	// Action is the invoke action when not a function-URL call; "" means
	// lambda:InvokeFunction.
	Action string
	// CallerDenied is set when AWS reported (in a pasted error) that the
	// caller's own identity policies allow nothing: for a caller in another
	// account, whose policies are not read, they are then judged as
	// granting nothing instead of assumed to allow.
	CallerDenied bool
	// Role is set for an invoker that calls with a role of its own (a Step
	// Functions state machine, an EventBridge Scheduler schedule, a target
	// or integration with a role): Principal is then a session of that role,
	// and the role's identity policies are judged with the function's
	// resource policy. RoleARN names it when Role could not be read.
	Role    *account.Role
	RoleARN string
	// Context holds more request context keys (an invoke a statement is
	// meant for carries what its conditions ask for, e.g. aws:PrincipalOrgID).
	Context simulate.Context
	Why     string // where the invoker was found: "--caller", "trigger ...", "statement Sid"
}

// Probe is one simulated request with the input it was judged on.
type Probe struct {
	Input  *simulate.Input
	Result *simulate.Result
	// Assumed lists layers that could not be read and were assumed to
	// allow (the caller's identity side of a cross-account invoke, the
	// resource policy of another account's resource...).
	Assumed []string
	// Unresolved lists the markers (values a template does not give, see
	// Markers) the result depends on: Result is then one of the decisions
	// their values could give, not the decision.
	Unresolved []string
	// Unread lists, when the decision would change with a context key
	// AWS sets from state the model did not read (unreadAmbiguity: a
	// resource's tags, a key's aliases), the conditions it hangs on, each
	// with Key set; Other is the input with the keys set as they change it.
	Unread []simulate.Ambiguity
	Other  *simulate.Input
	// PrincipalTagsUnread is set when the request's principal is an IAM
	// identity whose tags the model did not read (a caller without a role
	// in the model): aws:PrincipalTag/* is then unread.
	PrincipalTagsUnread bool
	// ResourceTagsRead is set when the tags of the requested resource were
	// read (account.Function.ResourceTags): aws:ResourceTag/* and
	// SERVICE:ResourceTag/* are then known, a key not among them absent.
	ResourceTagsRead bool
}

// Unparsed is a policy document of the model that the engine could not
// parse: every request that needs it is undecided.
type Unparsed struct {
	Policy string // the name the verdict's trace would use: role/R/inline/P, a policy ARN, "function policy"...
	Owner  string // the ARN of the role or function that holds it
	Err    error
}

func (u Unparsed) Error() string { return fmt.Sprintf("policy %s does not parse: %v", u.Policy, u.Err) }

// Verdict is the judgement of one door for one request (two probes for a
// function-URL call, both of which must be allowed).
type Verdict struct {
	Door Door // the door judged (never None/Unknown)
	Call *Call
	// Calls are the calls of an outbound verdict that judges several at
	// once (an event source mapping needs three actions); Call is nil then.
	Calls    []Call
	Invoker  *Invoker
	Probes   []Probe
	Decision simulate.Decision // allow when every probe allows, else the first that does not
	// Rule is the requirement's rule id (LD0xx) when the verdict judges one
	// of Requirements.
	Rule string
	// Unknown is true when reads that failed (Unseen) or documents that do
	// not parse (Unparsed) prevent a decision.
	Unknown  bool
	Unseen   []account.Unseen
	Unparsed []Unparsed
	// Unresolved are the values the decision depends on that the model
	// does not know (a template's parameters without a value, imports,
	// names assigned at deploy), each with where it comes from: an Unseen
	// of Operation "template" whose Resource is the marker. They make the
	// verdict Unknown unless a probe is denied whatever they are.
	Unresolved []account.Unseen
	// Notes are facts a person needs to read the verdict ("the caller's
	// identity policies are in account 4444 and were not read").
	Notes []string
	// Blamed is set when AWS itself reported the denial (a pasted error) in
	// a policy type the model does not hold (a VPC endpoint policy, the
	// target's resource-based policy, an organization policy missing from
	// the model) while the policies seen allow: the door is closed there.
	// BlamedExplicit says AWS reported an explicit deny.
	Blamed         string
	BlamedExplicit bool
	// BlamedPolicy is the policy ARN AWS named in the denial, when it did
	// (an SCP's arn:aws:organizations::...:policy/o-.../p-...).
	BlamedPolicy string
	// Cause is set when something other than the policies decides the
	// request before any grant (CauseFor): a KMS key that is not Enabled
	// (NotIAM), or a stale grant to make again. The door is then not open,
	// and no grant is its fix.
	Cause *Cause
	// Ambiguous lists, when the decision depends on a reading of the IAM
	// User Guide that the guide does not settle (simulate.Ambiguity: a
	// wildcard inside a segment that would have to match ':'), the
	// patterns it depends on. Decision is then the engine's reading and
	// Otherwise the decision under the other one; the door is neither Open
	// nor Closed. Empty when every reading gives the same decision (a
	// probe flagged on its own does not make the verdict ambiguous when
	// another probe decides it either way).
	Ambiguous []simulate.Ambiguity
	Otherwise simulate.Decision
}

// Open reports whether the door is open for the request: allowed, decided,
// nothing but the policies deciding it, and under every reading of the
// documentation.
func (v *Verdict) Open() bool {
	return v.Decision == simulate.Allow && !v.Unknown && v.Blamed == "" && v.Cause == nil && len(v.Ambiguous) == 0
}

// Closed reports whether the door is known to be closed: blamed by AWS, a
// cause other than the policies, or denied, decided and under every
// reading of the documentation.
func (v *Verdict) Closed() bool {
	return !v.Unknown && (v.Blamed != "" || v.Cause != nil || (v.Decision != simulate.Allow && len(v.Ambiguous) == 0))
}

// IsAmbiguous reports whether the door is open under one reading of the
// documentation and closed under the other (and neither AWS, by reporting
// the denial, nor a cause other than the policies settles it).
func (v *Verdict) IsAmbiguous() bool {
	return len(v.Ambiguous) > 0 && !v.Unknown && v.Blamed == "" && v.Cause == nil
}

// Ambiguity is the output form of an ambiguous verdict, the same in the
// reports of diagnose and check (docs/contract.md, "ambiguous").
type Ambiguity struct {
	// Decision is the engine's reading (the verdict's decision), Otherwise
	// the decision under the other reading.
	Decision  simulate.Decision `json:"decision"`
	Otherwise simulate.Decision `json:"otherwise"`
	Note      string            `json:"note"`
	Patterns  []AmbiguousMatch  `json:"patterns"`
}

// AmbiguousMatch is one pattern the decision hangs on.
type AmbiguousMatch struct {
	Policy    string `json:"policy"`
	Statement string `json:"statement"`
	Element   string `json:"element"` // Resource, NotResource, or "ArnLike aws:SourceArn"
	Pattern   string `json:"pattern"`
	Value     string `json:"value"` // the request's value it is matched against
	Reason    string `json:"reason"`
	// Key is set when the decision hangs on a context key AWS sets from
	// state lambda-doctor did not read (aws:ResourceTag/env): Value is
	// then the value that changes it, not one of the request.
	Key string `json:"key,omitempty"`
}

// Ambiguity is the output form of the verdict's ambiguity; nil when it is
// not ambiguous.
func (v *Verdict) Ambiguity() *Ambiguity {
	if !v.IsAmbiguous() {
		return nil
	}
	a := &Ambiguity{Decision: v.Decision, Otherwise: v.Otherwise, Note: v.AmbiguityNote()}
	for _, m := range v.Ambiguous {
		a.Patterns = append(a.Patterns, AmbiguousMatch{Policy: m.Policy, Statement: m.Statement, Element: m.Element,
			Pattern: m.Pattern, Value: m.Value, Reason: m.Reason, Key: m.Key})
	}
	return a
}

// Unread reports whether values the model did not read (unreadAmbiguity),
// not the documentation, leave the decision open.
func (a *Ambiguity) Unread() bool {
	for _, p := range a.Patterns {
		if p.Key == "" {
			return false
		}
	}
	return len(a.Patterns) > 0
}

// Split says in a few words how the door stands, for a headline: "open
// under one reading of the IAM User Guide, closed under the other".
func (a *Ambiguity) Split() string {
	if a.Unread() {
		return "open or closed depending on values lambda-doctor did not read"
	}
	return "open under one reading of the IAM User Guide, closed under the other"
}

// Only says under what a requirement holds when it is undecided:
// "under one reading of the IAM User Guide only".
func (a *Ambiguity) Only() string {
	if a.Unread() {
		return "only for some values lambda-doctor did not read"
	}
	return "under one reading of the IAM User Guide only"
}

// AmbiguityNote says, for an ambiguous verdict, which way each reading
// decides and which patterns it hangs on; "" otherwise.
func (v *Verdict) AmbiguityNote() string {
	if !v.IsAmbiguous() {
		return ""
	}
	state := func(d simulate.Decision) string {
		if d == simulate.Allow {
			return "open (allow)"
		}
		return "closed (" + strings.ReplaceAll(string(d), "_", " ") + ")"
	}
	var why, unread []string
	for _, a := range v.Ambiguous {
		if a.Key != "" {
			if !slices.Contains(unread, a.Reason) {
				unread = append(unread, a.Reason)
			}
			continue
		}
		why = append(why, fmt.Sprintf("statement %s of %s: %s %q against %q", Quote(a.Statement), a.Policy, a.Element, a.Pattern, a.Value))
	}
	if len(why) == 0 {
		// Only values the model did not read decide.
		return fmt.Sprintf("%s as read, %s otherwise: %s", state(v.Decision), state(v.Otherwise), strings.Join(unread, "; "))
	}
	note := fmt.Sprintf("%s under lambda-doctor's reading, %s under the other: the IAM User Guide does not say whether a wildcard inside an ARN segment may match ':' (it says so only of a * that ends a segment): %s",
		state(v.Decision), state(v.Otherwise), strings.Join(why, "; "))
	if len(unread) > 0 {
		note += "; and " + strings.Join(unread, "; ")
	}
	return note
}

// CheckOutbound judges a call the function's code makes with its execution
// role. A role that could not be read, or a needed policy that does not
// parse, gives an Unknown verdict.
func CheckOutbound(fn *account.Function, c Call) *Verdict {
	in, gaps := OutboundInput(fn, c)
	v := &Verdict{Door: Outbound, Call: &c}
	v.addGaps(fn, gaps)
	if in == nil {
		v.Unknown = true
		v.roleGone(fn)
		return v
	}
	_, tagged := fn.TagsOf(c.Resource)
	v.Probes = []Probe{{Input: in, Assumed: gaps.Assumed, ResourceTagsRead: tagged}}
	v.settle(fn)
	v.setCause(fn)
	return v
}

// CheckOutboundAll judges several calls the code (or the Lambda poller for
// an event source mapping) must all be able to make; one probe each.
func CheckOutboundAll(fn *account.Function, calls []Call) *Verdict {
	if len(calls) == 1 {
		return CheckOutbound(fn, calls[0])
	}
	return checkCalls(fn, Outbound, calls)
}

// CheckLogs judges the execution role's CloudWatch Logs permissions for the
// function's log group (one probe per call of LogCalls).
func CheckLogs(fn *account.Function) *Verdict {
	return checkCalls(fn, Logs, LogCalls(fn))
}

func checkCalls(fn *account.Function, door Door, calls []Call) *Verdict {
	v := &Verdict{Door: door}
	if door == Outbound {
		v.Calls = calls
	}
	for _, c := range calls {
		in, gaps := OutboundInput(fn, c)
		v.addGaps(fn, gaps)
		if in == nil {
			v.Unknown = true
			v.Probes = nil
			v.roleGone(fn)
			return v
		}
		_, tagged := fn.TagsOf(c.Resource)
		v.Probes = append(v.Probes, Probe{Input: in, Assumed: gaps.Assumed, ResourceTagsRead: tagged})
	}
	v.settle(fn)
	v.setCause(fn)
	return v
}

// CheckInbound judges one invoke of the function by inv.
func CheckInbound(fn *account.Function, inv Invoker) *Verdict {
	ins, gaps := InboundInputs(fn, inv)
	v := &Verdict{Door: Inbound, Invoker: &inv}
	v.addGaps(fn, gaps)
	if len(ins) == 0 {
		v.Unknown = true
		return v
	}
	// A caller that is an IAM identity without a role in the model: its
	// tags (aws:PrincipalTag/*) were not read.
	untagged := InvokerRole(fn, inv) == nil && !IsServicePrincipal(ins[0].Request.Principal) && ins[0].Request.Principal != "*"
	for _, in := range ins {
		v.Probes = append(v.Probes, Probe{Input: in, Assumed: gaps.Assumed, PrincipalTagsUnread: untagged})
	}
	v.settle(fn)
	return v
}

// CheckTrust judges whether Lambda may assume the execution role.
func CheckTrust(fn *account.Function) *Verdict {
	in, gaps := TrustInput(fn)
	v := &Verdict{Door: Trust}
	v.addGaps(fn, gaps)
	if in == nil {
		v.Unknown = true
		v.roleGone(fn)
		return v
	}
	v.Probes = []Probe{{Input: in}}
	v.settle(fn)
	return v
}

// setCause attaches what decides v before any grant (CauseFor); a cause no
// policy change fixes decides even what could not be read.
func (v *Verdict) setCause(fn *account.Function) {
	v.Cause = CauseFor(fn, v)
	if v.Cause != nil && v.Cause.NotIAM {
		v.Unknown = false
	}
}

// roleGone decides a verdict on the execution role that could not be
// judged because the role does not exist (RoleNotFoundCause): closed by
// that cause, with no probe (there is no policy to simulate), never
// undecided as a refused read is.
func (v *Verdict) roleGone(fn *account.Function) {
	if c, ok := RoleNotFoundCause(fn); ok {
		v.Cause = &c
		v.Unknown = false
		v.Decision = simulate.ImplicitDeny
	}
}

// Recheck judges v's request(s) again on fn (a copy with a fix applied).
func Recheck(fn *account.Function, v *Verdict) *Verdict {
	var nv *Verdict
	switch v.Door {
	case Outbound:
		if v.Call == nil {
			nv = CheckOutboundAll(fn, v.Calls)
		} else {
			nv = CheckOutbound(fn, *v.Call)
		}
	case Inbound:
		nv = CheckInbound(fn, *v.Invoker)
	case Logs:
		nv = CheckLogs(fn)
	case Trust:
		nv = CheckTrust(fn)
	default:
		return &Verdict{Door: v.Door, Unknown: true}
	}
	nv.Rule = v.Rule
	return nv
}

// addUnresolved records markers the verdict depends on, each described by
// where fn's model says it comes from.
func (v *Verdict) addUnresolved(fn *account.Function, markers ...string) {
next:
	for _, m := range markers {
		for _, have := range v.Unresolved {
			if have.Resource == m {
				continue next
			}
		}
		v.Unresolved = append(v.Unresolved, MarkerSource(fn, m))
	}
}

func (v *Verdict) addGaps(fn *account.Function, g Gaps) {
	v.Unseen = appendUnseen(v.Unseen, templateGaps(fn, g.Unseen)...)
	for _, u := range g.Unparsed {
		dup := false
		for _, have := range v.Unparsed {
			dup = dup || have.Policy == u.Policy
		}
		if !dup {
			v.Unparsed = append(v.Unparsed, u)
		}
	}
}

// settle evaluates every probe that has no result and sets the decision:
// allow when every probe allows, else the first explicit deny, else the
// first implicit deny. Unseen reads make the verdict Unknown unless an
// explicit deny already decides; so does a needed document that does not
// parse (it was left out of the input, and could hold a deny).
func (v *Verdict) settle(fn *account.Function) {
	v.Decision = simulate.Allow
	certainDeny := false
	var unresolved []string
	for i := range v.Probes {
		p := &v.Probes[i]
		if p.Result == nil {
			p.Result, p.Unresolved = evaluateProbe(p.Input)
			p.Unread, p.Other = nil, nil
			if len(p.Unresolved) == 0 && len(p.Result.Ambiguous) == 0 {
				p.Unread, p.Other = unreadAmbiguity(p)
			}
		}
		if len(p.Unresolved) == 0 && p.Result.Decision != simulate.Allow {
			certainDeny = true
		}
		for _, m := range p.Unresolved {
			if !slices.Contains(unresolved, m) {
				unresolved = append(unresolved, m)
			}
		}
		switch p.Result.Decision {
		case simulate.ExplicitDeny:
			v.Decision = simulate.ExplicitDeny
		case simulate.ImplicitDeny:
			if v.Decision == simulate.Allow {
				v.Decision = simulate.ImplicitDeny
			}
		}
	}
	v.Unknown = (len(v.Unseen) > 0 && v.Decision == simulate.ImplicitDeny) ||
		(len(v.Unparsed) > 0 && v.Decision != simulate.ExplicitDeny)
	if len(unresolved) > 0 && !certainDeny {
		// A value the model does not know decides: undecided, whatever
		// decision the markers as written give.
		v.Unknown = true
		v.addUnresolved(fn, unresolved...)
	}
	v.settleReadings()
}

// settleReadings sets Ambiguous and Otherwise when the verdict's decision
// under the other reading of the wildcard rule (each probe's
// Result.Ambiguous[].Otherwise) differs from the engine's.
func (v *Verdict) settleReadings() {
	v.Ambiguous, v.Otherwise = nil, ""
	if v.Unknown {
		return
	}
	other := simulate.Allow
	var amb []simulate.Ambiguity
	for _, p := range v.Probes {
		d := p.Result.Decision
		flagged := p.Result.Ambiguous
		if len(flagged) == 0 {
			flagged = p.Unread
		}
		if len(flagged) > 0 {
			d = flagged[0].Otherwise
		next:
			for _, a := range flagged {
				for _, have := range amb {
					if have.StatementRef == a.StatementRef && have.Element == a.Element && have.Pattern == a.Pattern && have.Value == a.Value {
						continue next
					}
				}
				amb = append(amb, a)
			}
		}
		switch {
		case d == simulate.ExplicitDeny:
			other = simulate.ExplicitDeny
		case d == simulate.ImplicitDeny && other == simulate.Allow:
			other = simulate.ImplicitDeny
		}
	}
	switch {
	case (other == simulate.Allow) != (v.Decision == simulate.Allow):
		v.Ambiguous, v.Otherwise = amb, other
	case other != v.Decision && amb[0].Key == "":
		// Closed either way; only the kind of denial hangs on the reading.
		v.Notes = append(v.Notes, fmt.Sprintf("the door is closed under every reading, but it is %s under lambda-doctor's reading of %s and %s under the other (the IAM User Guide does not settle whether a wildcard inside an ARN segment may match ':')",
			strings.ReplaceAll(string(v.Decision), "_", " "), amb[0].Pattern, strings.ReplaceAll(string(other), "_", " ")))
	}
}

// UnderOtherReading is an ambiguous verdict judged again under the other
// reading of the wildcard rule: the same requests with the results that
// reading gives, so that a change can be planned for the decision the
// engine's reading does not reach. v itself for a verdict that is not
// ambiguous.
func (v *Verdict) UnderOtherReading() *Verdict {
	if !v.IsAmbiguous() {
		return v
	}
	o := *v
	o.Probes = make([]Probe, len(v.Probes))
	for i, p := range v.Probes {
		r := EvaluateOtherReading
		if p.Other != nil {
			// Judged with the unread keys set as they change the decision.
			r = func(*simulate.Input) *simulate.Result { return Evaluate(p.Other) }
		}
		o.Probes[i] = Probe{Input: p.Input, Assumed: p.Assumed, Result: r(p.Input)}
	}
	o.Notes = append([]string(nil), v.Notes...)
	o.settle(nil)
	return &o
}

// CallFor is the call of v that made request r, or nil.
func (v *Verdict) CallFor(r simulate.Request) *Call {
	if v.Call != nil && v.Call.Action == r.Action && v.Call.Resource == r.Resource {
		return v.Call
	}
	for i := range v.Calls {
		if v.Calls[i].Action == r.Action && v.Calls[i].Resource == r.Resource {
			return &v.Calls[i]
		}
	}
	return nil
}

// Failing is the first probe that is not allowed (nil when all are).
func (v *Verdict) Failing() *Probe {
	for i := range v.Probes {
		if v.Probes[i].Result != nil && v.Probes[i].Result.Decision == v.Decision && v.Decision != simulate.Allow {
			return &v.Probes[i]
		}
	}
	return nil
}

// Request is the request of the first failing probe, else the first probe.
func (v *Verdict) Request() simulate.Request {
	if p := v.Failing(); p != nil {
		return p.Input.Request
	}
	if len(v.Probes) > 0 {
		return v.Probes[0].Input.Request
	}
	if v.Call != nil {
		return simulate.Request{Action: v.Call.Action, Resource: v.Call.Resource}
	}
	return simulate.Request{}
}

func appendUnseen(list []account.Unseen, more ...account.Unseen) []account.Unseen {
next:
	for _, u := range more {
		for _, have := range list {
			if have.Operation == u.Operation && have.Resource == u.Resource {
				continue next
			}
		}
		list = append(list, u)
	}
	return list
}

func (v *Verdict) String() string {
	r := v.Request()
	return fmt.Sprintf("%s %s → %s on %s: %s", v.Door, r.Principal, r.Action, r.Resource, v.Decision)
}
