package simulate

import (
	"fmt"
	"slices"
	"strings"
)

// The layers of the decision flow, as StatementTrace.Layer names them.
const (
	LayerSCP      = "scp"
	LayerRCP      = "rcp"
	LayerResource = "resource"
	LayerIdentity = "identity"
	LayerBoundary = "boundary"
	LayerSession  = "session"
)

// principalKind classifies the request's principal.
type principalKind uint8

const (
	pkOther     principalKind = iota
	pkUser                    // arn:aws:iam::A:user/path/name
	pkRole                    // arn:aws:iam::A:role/path/name
	pkSession                 // arn:aws:sts::A:assumed-role/name/session
	pkAccount                 // arn:aws:iam::A:root or a bare account id
	pkFederated               // arn:aws:sts::A:federated-user/name
	pkService                 // lambda.amazonaws.com
	pkAnonymous               // *
)

type principal struct {
	kind     principalKind
	arn      string
	account  string
	roleName string   // pkRole, pkSession
	aliases  []string // pkService: the service's other names (Request.PrincipalAliases)
}

func parsePrincipal(p string) (principal, error) {
	pr := principal{arn: p}
	switch {
	case p == "":
		return pr, fmt.Errorf("request.principal: empty")
	case p == "*":
		pr.kind = pkAnonymous
		return pr, nil
	case isAccountID(p):
		pr.kind, pr.account = pkAccount, p
		return pr, nil
	case !strings.HasPrefix(p, "arn:"):
		if strings.Contains(p, ".") {
			pr.kind = pkService
			return pr, nil
		}
		return pr, fmt.Errorf("request.principal: %q is neither an ARN, an account id, a service principal nor \"*\"", p)
	}
	a := splitARN(p)
	if !a.ok {
		return pr, fmt.Errorf("request.principal: %q is not a valid ARN", p)
	}
	pr.account = a.seg[4]
	res := a.seg[5]
	switch {
	case a.seg[2] == "iam" && res == "root":
		pr.kind = pkAccount
	case a.seg[2] == "iam" && strings.HasPrefix(res, "user/"):
		pr.kind = pkUser
	case a.seg[2] == "iam" && strings.HasPrefix(res, "role/"):
		pr.kind = pkRole
		pr.roleName = res[strings.LastIndexByte(res, '/')+1:]
	case a.seg[2] == "sts" && strings.HasPrefix(res, "assumed-role/"):
		rest := res[len("assumed-role/"):]
		i := strings.IndexByte(rest, '/')
		if i <= 0 || i == len(rest)-1 || strings.IndexByte(rest[i+1:], '/') >= 0 {
			return pr, fmt.Errorf("request.principal: %q: want arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION", p)
		}
		pr.kind, pr.roleName = pkSession, rest[:i]
	case a.seg[2] == "sts" && strings.HasPrefix(res, "federated-user/"):
		pr.kind = pkFederated
	}
	return pr, nil
}

// requestPrincipal parses the request's principal with its aliases, which
// only a service principal may have, each itself a service principal name.
func requestPrincipal(req *Request) (principal, error) {
	p, err := parsePrincipal(req.Principal)
	if err != nil || len(req.PrincipalAliases) == 0 {
		return p, err
	}
	if p.kind != pkService {
		return p, fmt.Errorf("request.principal_aliases: %q is not a service principal; only a service has other names", req.Principal)
	}
	for _, a := range req.PrincipalAliases {
		if q, err := parsePrincipal(a); err != nil || q.kind != pkService {
			return p, fmt.Errorf("request.principal_aliases: %q is not a service principal name", a)
		}
	}
	p.aliases = req.PrincipalAliases
	return p, nil
}

func isAccountID(s string) bool { return len(s) == 12 && isDigits(s) }

// grant says how a resource policy's Principal element named the request's
// principal. It decides whether implicit denies on the identity side limit
// the grant in the same account: IAM User Guide, "Policy evaluation logic"
// (reference_policies_evaluation-logic, "Resource-based policies") and
// "Session policies" (access_policies#policies_session).
type grant uint8

const (
	gAccount grant = 1 << iota // the principal's account (id or root ARN)
	gName                      // the principal itself, its role or its user, or "*"
	gWild                      // "*" or {"AWS": "*"}
	gExact                     // the principal's own ARN
	gNot                       // a NotPrincipal statement that does not exclude it
)

// direct: the grant stands without an identity-policy allow (same account).
func (g grant) direct() bool { return g&(gName|gNot) != 0 }

// principalMatch reports how the Principal element names p (0: not at all).
func principalMatch(ps *Principals, p *principal) grant {
	if ps.All {
		return gName | gWild
	}
	var g grant
	for typ, vals := range ps.Values {
		for _, v := range vals {
			g |= principalEntry(typ, v, p)
		}
	}
	return g
}

func principalEntry(typ, v string, p *principal) grant {
	switch typ {
	case "Service":
		if p.kind == pkService && (v == p.arn || slices.Contains(p.aliases, v)) {
			return gName | gExact
		}
		return 0
	case "Federated", "CanonicalUser":
		if v == p.arn {
			return gName | gExact
		}
		return 0
	}
	// "AWS"
	if v == "*" {
		return gName | gWild
	}
	if p.kind == pkService || p.kind == pkAnonymous {
		return 0
	}
	if isAccountID(v) {
		if v == p.account {
			return gAccount
		}
		return 0
	}
	a := splitARN(v)
	if !a.ok {
		return 0
	}
	if a.seg[2] == "iam" && a.seg[5] == "root" {
		if a.seg[4] == p.account {
			return gAccount
		}
		return 0
	}
	if v == p.arn {
		return gName | gExact
	}
	if a.seg[2] != "iam" || a.seg[4] != p.account {
		return 0
	}
	res := a.seg[5]
	switch {
	case p.kind == pkSession && strings.HasPrefix(res, "role/") && res[strings.LastIndexByte(res, '/')+1:] == p.roleName:
		// A role ARN names every session of the role.
		return gName
	case p.kind == pkFederated && res == "user/"+p.arn[strings.IndexByte(p.arn, '/')+1:]:
		// A user ARN names the user's federated sessions.
		return gName
	}
	return 0
}

// evaluator carries one request through the statements.
type evaluator struct {
	req         *Request
	p           principal
	res         arn
	svc, name   string // the request action split at ':'
	hasBoundary bool
	trace       bool
	result      *Result
	rd          reading     // how wildcards next to ':' are read, and what depended on it
	amb         []Ambiguity // patterns whose match depended on the reading
}

// hit is an applicable statement.
type hit struct {
	policy string
	st     *Statement
}

// hits collects applicable statements without allocating for the first few.
type hits struct {
	n     int
	first [4]hit
	more  []hit
}

func (h *hits) add(x hit) {
	if h.n < len(h.first) {
		h.first[h.n] = x
	} else {
		h.more = append(h.more, x)
	}
	h.n++
}

func (h *hits) at(i int) hit {
	if i < len(h.first) {
		return h.first[i]
	}
	return h.more[i-len(h.first)]
}

func (h *hits) appendRefs(dst []StatementRef) []StatementRef {
	for i := 0; i < h.n; i++ {
		x := h.at(i)
		dst = append(dst, x.st.ref(x.policy))
	}
	return dst
}

func (h *hits) merge(o *hits) {
	for i := 0; i < o.n; i++ {
		h.add(o.at(i))
	}
}

// layerScan is what one layer's statements said.
type layerScan struct {
	allows, denies hits
	// Resource layer, over the applicable allows: some allow names the
	// principal beyond its account; some is not limited by an implicit deny
	// in a permissions boundary; some names the session itself.
	direct, overBoundary, overSession bool
	account                           bool // some allow names only the account
}

func (s *layerScan) allow() bool { return s.allows.n > 0 }
func (s *layerScan) deny() bool  { return s.denies.n > 0 }

func (s *layerScan) decision() Decision {
	switch {
	case s.deny():
		return ExplicitDeny
	case s.allow():
		return Allow
	}
	return ImplicitDeny
}

func (e *evaluator) scan(layer string, np *NamedPolicy, s *layerScan) {
	if np == nil || np.Policy == nil {
		return
	}
	for j := range np.Policy.Statements {
		st := &np.Policy.Statements[j]
		applies, g, failed, why := e.statement(st, layer, np.Name)
		if e.trace {
			tr := StatementTrace{StatementRef: st.ref(np.Name), Layer: layer, Applies: applies, Failed: failed, Why: why}
			e.result.Trace = append(e.result.Trace, tr)
		}
		if !applies {
			continue
		}
		if st.deny {
			s.denies.add(hit{np.Name, st})
			continue
		}
		s.allows.add(hit{np.Name, st})
		if layer == LayerResource {
			s.direct = s.direct || g.direct()
			s.account = s.account || g&gAccount != 0
			s.overBoundary = s.overBoundary || e.overBoundary(g)
			s.overSession = s.overSession || e.overSession(g)
		}
	}
}

// statement checks every element of st against the request. The principal
// grant is reported for resource-policy allows.
func (e *evaluator) statement(st *Statement, layer, policy string) (applies bool, g grant, failed, why string) {
	// Action / NotAction.
	hit := false
	for i := range st.actions {
		if st.actions[i].match(e.svc, e.name) {
			hit = true
			break
		}
	}
	if st.Action != nil && !hit {
		return false, 0, "action", e.why(func() string {
			return fmt.Sprintf("action %q matches none of %s", e.req.Action, quoteList(st.Action))
		})
	}
	if st.NotAction != nil && hit {
		return false, 0, "notaction", e.why(func() string {
			return fmt.Sprintf("action %q is listed in NotAction %s", e.req.Action, quoteList(st.NotAction))
		})
	}
	// Resource / NotResource.
	if st.Resource != nil || st.NotResource != nil {
		hit, resolved := false, true
		for i := range st.resources {
			m, ok := st.resources[i].match(e.req.Resource, &e.res, e.req.Context, &e.rd)
			if e.rd.hit {
				e.noteAmbiguity(st, layer, policy, resourceElem(st))
			}
			if !ok {
				resolved = false
				continue
			}
			if m {
				hit = true
				break
			}
		}
		if st.Resource != nil && !hit {
			return false, 0, "resource", e.why(func() string {
				s := fmt.Sprintf("resource %q matches none of %s", e.req.Resource, quoteList(st.Resource))
				if !resolved {
					s += " (a policy variable has no value in the request)"
				}
				return s
			})
		}
		if st.NotResource != nil && (hit || !resolved) {
			return false, 0, "notresource", e.why(func() string {
				if hit {
					return fmt.Sprintf("resource %q is listed in NotResource %s", e.req.Resource, quoteList(st.NotResource))
				}
				return fmt.Sprintf("NotResource %s has a policy variable with no value in the request", quoteList(st.NotResource))
			})
		}
	}
	// Principal / NotPrincipal: only resource-based policies and RCPs name
	// principals (identity policies and SCPs cannot).
	if layer == LayerResource || layer == LayerRCP {
		switch {
		case st.Principal != nil:
			g = principalMatch(st.Principal, &e.p)
			if g == 0 {
				return false, 0, "principal", e.why(func() string {
					if len(e.p.aliases) > 0 {
						return fmt.Sprintf("principal %q (also named %s) is not named in Principal %s", e.req.Principal, quoteList(e.p.aliases), principalsString(st.Principal))
					}
					return fmt.Sprintf("principal %q is not named in Principal %s", e.req.Principal, principalsString(st.Principal))
				})
			}
		case st.NotPrincipal != nil:
			// A Deny with NotPrincipal in a resource-based policy always
			// denies a principal with a permissions boundary: IAM User Guide,
			// "AWS JSON policy elements: NotPrincipal".
			excluded := principalMatch(st.NotPrincipal, &e.p) != 0
			if excluded && !(layer == LayerResource && st.deny && e.hasBoundary) {
				return false, 0, "notprincipal", e.why(func() string {
					return fmt.Sprintf("principal %q is named in NotPrincipal %s", e.req.Principal, principalsString(st.NotPrincipal))
				})
			}
			g = gNot
		case layer == LayerResource:
			return false, 0, "principal", e.why(func() string { return "statement has no Principal" })
		default:
			g = gName | gWild
		}
	}
	// Conditions: all must hold.
	for i := range st.Conditions {
		c := &st.Conditions[i]
		r := c.eval(e.req.Context, &e.rd)
		if e.rd.hit {
			e.noteAmbiguity(st, layer, policy, c.Operator+" "+c.Key)
		}
		if !r.ok {
			return false, 0, "condition", e.why(func() string { return c.explain(r, e.req.Context) })
		}
	}
	return true, g, "", ""
}

func resourceElem(st *Statement) string {
	if st.Resource != nil {
		return "Resource"
	}
	return "NotResource"
}

// noteAmbiguity records the pattern the reading noted, and resets it.
func (e *evaluator) noteAmbiguity(st *Statement, layer, policy, element string) {
	if !e.rd.other {
		e.amb = append(e.amb, Ambiguity{Layer: layer, StatementRef: st.ref(policy), Element: element,
			Pattern: e.rd.pattern, Value: e.rd.value})
	}
	e.rd.reset()
}

// overBoundary: a same-account grant that an implicit deny in a permissions
// boundary does not limit: one naming a user or session ARN (or "*") for a
// user or session, and only "*" for a role.
func (e *evaluator) overBoundary(g grant) bool {
	switch e.p.kind {
	case pkSession, pkUser, pkFederated:
		return g&(gExact|gWild|gNot) != 0
	case pkRole:
		return g&gWild != 0
	}
	return false
}

// overSession: a grant that names the session itself is not limited by the
// session policy (IAM User Guide, "Session policies").
func (e *evaluator) overSession(g grant) bool {
	return g&gExact != 0 && (e.p.kind == pkSession || e.p.kind == pkFederated)
}

func (e *evaluator) why(f func() string) string {
	if !e.trace {
		return ""
	}
	return f()
}

func quoteList(l []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", s)
	}
	b.WriteByte(']')
	return b.String()
}

func principalsString(p *Principals) string {
	if p.All {
		return `"*"`
	}
	var parts []string
	for _, k := range []string{"AWS", "Service", "Federated", "CanonicalUser"} {
		if v, ok := p.Values[k]; ok {
			parts = append(parts, k+": "+quoteList(v))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func (c *Condition) explain(r condResult, ctx Context) string {
	head := fmt.Sprintf("condition %s %s: ", c.Operator, c.Key)
	v, _ := ctx.lookup(c.Key)
	switch {
	case c.op.kind == opNull:
		if r.absent {
			return head + "key absent from the request, policy wants it present"
		}
		return head + fmt.Sprintf("key present in the request (%s), policy wants it absent", valueString(v))
	case r.absent:
		return head + "key absent from the request"
	case r.multi:
		return head + fmt.Sprintf("request value %s is multivalued; only ForAnyValue:/ForAllValues: operators match it", valueString(v))
	}
	verb := "matches none of"
	if c.op.negated {
		verb = "matches one of"
	}
	if c.op.set == setAll && !c.op.negated {
		verb = "has a value outside"
	}
	s := head + fmt.Sprintf("request value %s %s %s", valueString(v), verb, quoteList(c.Values))
	if r.unknown {
		s += " (a policy variable has no value in the request)"
	}
	return s
}

func valueString(v Value) string {
	if v.Multi {
		return quoteList(v.Values)
	}
	if len(v.Values) == 1 {
		return fmt.Sprintf("%q", v.Values[0])
	}
	return quoteList(v.Values)
}

// Evaluate decides the request as IAM would and explains the decision with a
// trace of every statement. It derives no context keys: see DefaultContext.
// The flow follows the IAM User Guide, "Policy evaluation logic"
// (reference_policies_evaluation-logic and
// reference_policies_evaluation-logic_policy-eval-denyallow, and
// reference_policies_evaluation-logic-cross-account for cross-account requests).
func Evaluate(in *Input) (*Result, error) { return evaluate(in, true) }

// Decide is Evaluate without the per-statement trace: the decision, the
// deciding statements and the layers only. It is the fast path for batches.
func Decide(in *Input) (*Result, error) { return evaluate(in, false) }

// evaluate decides under the engine's reading. When a pattern matched
// differently under the other reading (see reading), it decides again under
// that one, and reports the patterns when the two decisions differ.
func evaluate(in *Input, trace bool) (*Result, error) {
	res, amb, err := evaluateAs(in, trace, false)
	if err != nil || len(amb) == 0 {
		return res, err
	}
	alt, _, err := evaluateAs(in, false, true)
	if err != nil || alt.Decision == res.Decision {
		return res, nil
	}
	for i := range amb {
		a := &amb[i]
		a.Otherwise = alt.Decision
		a.Reason = ambiguityReason(a, res.Decision)
	}
	res.Ambiguous = amb
	return res, nil
}

func ambiguityReason(a *Ambiguity, d Decision) string {
	return fmt.Sprintf("%s statement %s: %s %q matches %q only if a wildcard inside a segment may match ':' "+
		"(documented only for a * that ends a segment); then %s, not %s", a.Policy, a.Statement, a.Element, a.Pattern, a.Value, a.Otherwise, d)
}

// evaluateAs decides under the engine's reading, or with other under the
// other one; it returns the patterns whose match depended on the reading.
func evaluateAs(in *Input, trace, other bool) (*Result, []Ambiguity, error) {
	if in == nil {
		return nil, nil, fmt.Errorf("no input")
	}
	req := &in.Request
	p, err := requestPrincipal(req)
	if err != nil {
		return nil, nil, err
	}
	if req.Action == "" {
		return nil, nil, fmt.Errorf("request.action: empty")
	}
	if req.Resource == "" {
		return nil, nil, fmt.Errorf("request.resource: empty")
	}
	res := &Result{}
	e := evaluator{req: req, p: p, res: splitARN(req.Resource), trace: trace, result: res, hasBoundary: in.Boundary != nil,
		rd: reading{other: other}}
	if i := strings.IndexByte(req.Action, ':'); i >= 0 {
		e.svc, e.name = req.Action[:i], req.Action[i+1:]
	}

	resAcct := req.ResourceAccount
	if resAcct == "" {
		resAcct = e.res.seg[4]
	}
	if resAcct == "" {
		resAcct = p.account
	}
	identitySide := p.kind != pkService && p.kind != pkAnonymous
	res.CrossAccount = identitySide && resAcct != p.account
	// SCPs restrict principals of the organization's accounts, never AWS
	// service principals or anonymous callers (AWS Organizations User Guide,
	// "Service control policies").
	scpApplies := identitySide

	n := len(in.RCPs) + len(in.SCPs) + 4
	res.Layers = make([]LayerResult, 0, n)
	var denies hits
	orgOK := true
	// Each RCP level, then each SCP level, must allow.
	for i := range in.RCPs {
		var s layerScan
		for j := range in.RCPs[i] {
			e.scan(LayerRCP, &in.RCPs[i][j], &s)
		}
		res.Layers = append(res.Layers, LayerResult{Layer: LayerRCP, Decision: s.decision(), Note: levelNote(i, len(in.RCPs))})
		denies.merge(&s.denies)
		orgOK = orgOK && s.allow()
	}
	if !scpApplies && len(in.SCPs) > 0 {
		res.Layers = append(res.Layers, LayerResult{Layer: LayerSCP, Decision: Allow, Note: "not evaluated: SCPs do not apply to " + kindName(p.kind)})
	}
	if scpApplies {
		for i := range in.SCPs {
			var s layerScan
			for j := range in.SCPs[i] {
				e.scan(LayerSCP, &in.SCPs[i][j], &s)
			}
			res.Layers = append(res.Layers, LayerResult{Layer: LayerSCP, Decision: s.decision(), Note: levelNote(i, len(in.SCPs))})
			denies.merge(&s.denies)
			orgOK = orgOK && s.allow()
		}
	}
	var resource, identity, boundary, session layerScan
	trust := !res.CrossAccount && identitySide && explicitTrust(in, &e)
	if in.Resource != nil {
		e.scan(LayerResource, in.Resource, &resource)
		note := ""
		if trust {
			note = "must trust the principal or its account: " + trustWhat(&e)
		}
		res.Layers = append(res.Layers, LayerResult{Layer: LayerResource, Decision: resource.decision(), Note: note})
		denies.merge(&resource.denies)
	}
	if identitySide {
		for i := range in.Identity {
			e.scan(LayerIdentity, &in.Identity[i], &identity)
		}
		note := ""
		if len(in.Identity) == 0 {
			note = "no identity policies"
		}
		res.Layers = append(res.Layers, LayerResult{Layer: LayerIdentity, Decision: identity.decision(), Note: note})
		denies.merge(&identity.denies)
		if in.Boundary != nil {
			e.scan(LayerBoundary, in.Boundary, &boundary)
			res.Layers = append(res.Layers, LayerResult{Layer: LayerBoundary, Decision: boundary.decision()})
			denies.merge(&boundary.denies)
		}
		if in.Session != nil {
			e.scan(LayerSession, in.Session, &session)
			res.Layers = append(res.Layers, LayerResult{Layer: LayerSession, Decision: session.decision()})
			denies.merge(&session.denies)
		}
	} else if len(in.Identity) > 0 || in.Boundary != nil || in.Session != nil {
		res.Layers = append(res.Layers, LayerResult{Layer: LayerIdentity, Decision: ImplicitDeny, Note: "not evaluated: " + kindName(p.kind) + " have no identity policies"})
	}

	if identitySide && strings.EqualFold(req.Action, "sts:GetCallerIdentity") {
		// "No permissions are required to perform this operation", even
		// with an explicit deny (STS API Reference, GetCallerIdentity).
		res.Decision = Allow
		res.Layers = append(res.Layers, LayerResult{Layer: "service", Decision: Allow, Note: "sts:GetCallerIdentity needs no permission"})
		return res, e.amb, nil
	}
	if denies.n > 0 {
		res.Decision = ExplicitDeny
		res.Deciding = denies.appendRefs(make([]StatementRef, 0, denies.n))
		return res, e.amb, nil
	}
	res.Decision = ImplicitDeny
	if !orgOK {
		return res, e.amb, nil
	}
	bOK := in.Boundary == nil || boundary.allow()
	sOK := in.Session == nil || session.allow()
	var by []*hits
	switch {
	case !identitySide:
		if resource.allow() {
			by = []*hits{&resource.allows}
		}
	case res.CrossAccount:
		// Cross-account: the identity side and the resource policy must each
		// allow (reference_policies_evaluation-logic-cross-account).
		if identity.allow() && bOK && (sOK || resource.overSession) && resource.allow() {
			by = []*hits{&identity.allows, &resource.allows}
		}
	default:
		// Same account: an allow on either side suffices; a boundary or a
		// session policy that does not allow limits both sides, except for
		// resource-policy grants that name the principal itself. Role trust
		// policies and KMS key policies must trust the account explicitly.
		resOK := resource.allow() && resource.direct
		idOK := identity.allow()
		if trust {
			idOK = idOK && resource.account
		}
		switch {
		case !(resOK || idOK):
		case !bOK && !(resOK && resource.overBoundary):
		case !sOK && !(resOK && resource.overSession):
		case resOK && (!idOK || !bOK || !sOK):
			by = []*hits{&resource.allows}
		case resOK:
			by = []*hits{&identity.allows, &resource.allows}
		default:
			by = []*hits{&identity.allows}
		}
	}
	if by != nil && serviceForbids(&e) {
		res.Layers = append(res.Layers, LayerResult{Layer: "service", Decision: ImplicitDeny, Note: "AWS does not let anyone change AWS managed policies, aws-reserved roles or aws/ KMS aliases"})
		by = nil
	}
	if by != nil {
		res.Decision = Allow
		n := 0
		for _, h := range by {
			n += h.n
		}
		res.Deciding = make([]StatementRef, 0, n)
		for _, h := range by {
			res.Deciding = h.appendRefs(res.Deciding)
		}
	}
	return res, e.amb, nil
}

// explicitTrust reports whether a same-account request needs the resource
// policy to allow even when an identity policy does: a role's trust policy
// (IAM User Guide, "Policy evaluation logic": "IAM role trust policies and
// KMS key policies ... must explicitly allow") and a KMS key policy (AWS KMS
// Developer Guide, "Key policies": without the key policy's account
// statement, IAM policies do not give access to the key).
func explicitTrust(in *Input, e *evaluator) bool {
	switch {
	case strings.EqualFold(e.svc, "sts"):
		return in.Resource != nil
	case strings.EqualFold(e.svc, "kms"):
		return e.res.ok && hasPrefixFold(e.res.seg[5], "key/")
	}
	return false
}

// serviceForbids reports requests AWS refuses whatever the policies say:
// changing AWS managed policies or aws-reserved roles, and changing the
// aws/ aliases of AWS managed KMS keys.
func serviceForbids(e *evaluator) bool {
	if !e.res.ok || !(strings.EqualFold(e.svc, "iam") || strings.EqualFold(e.svc, "kms")) {
		return false
	}
	name := strings.ToLower(e.name)
	switch strings.ToLower(e.svc) {
	case "iam":
		switch {
		case e.res.seg[4] == "aws" && hasPrefixFold(e.res.seg[5], "policy/"):
			return iamManagedPolicyActions[name]
		case hasPrefixFold(e.res.seg[5], "role/aws-reserved/"):
			return iamReservedRoleActions[name]
		}
	case "kms":
		return kmsAliasActions[name] && hasPrefixFold(e.res.seg[5], "alias/aws/")
	}
	return false
}

func trustWhat(e *evaluator) string {
	if strings.EqualFold(e.svc, "kms") {
		return "a KMS key policy must allow, even in the key's own account"
	}
	return "a role's trust policy must allow, even in the role's own account"
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

var (
	iamManagedPolicyActions = setOf("createpolicy", "createpolicyversion", "deletepolicy", "deletepolicyversion",
		"setdefaultpolicyversion", "tagpolicy", "untagpolicy")
	iamReservedRoleActions = setOf("attachrolepolicy", "createrole", "createservicelinkedrole", "deleterole",
		"deleterolepermissionsboundary", "deleterolepolicy", "deleteservicelinkedrole", "detachrolepolicy", "passrole",
		"putrolepermissionsboundary", "putrolepolicy", "tagrole", "untagrole", "updateassumerolepolicy", "updaterole",
		"updateroledescription")
	kmsAliasActions = setOf("createalias", "deletealias", "updatealias")
)

func setOf(l ...string) map[string]bool {
	m := make(map[string]bool, len(l))
	for _, s := range l {
		m[s] = true
	}
	return m
}

var levelNotes = [...]string{"level 1 of 1", "level 1 of 2", "level 2 of 2", "level 1 of 3", "level 2 of 3", "level 3 of 3",
	"level 1 of 4", "level 2 of 4", "level 3 of 4", "level 4 of 4"}

func levelNote(i, n int) string {
	if n <= 4 {
		return levelNotes[n*(n-1)/2+i]
	}
	return fmt.Sprintf("level %d of %d", i+1, n)
}

func kindName(k principalKind) string {
	switch k {
	case pkService:
		return "service principals"
	case pkAnonymous:
		return "anonymous principals"
	}
	return "this principal"
}
