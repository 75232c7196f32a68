package judge

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// invokerRequirements are the invokes the account shows the function must
// admit: every trigger (through the resource policy with a service
// principal, or through a role of its own), every public function URL, and
// the invoke each Allow statement of the resource policy is meant for, as
// AWS would send it. A statement's own principal "*" is never taken for an
// invoker: it names anyone, not a caller the account shows (a public URL's
// anonymous caller comes from the URL's configuration).
func invokerRequirements(fn *account.Function) []Requirement {
	var out []Requirement
	var seen []Invoker
	add := func(inv Invoker, source string, notes []string, at *account.Location) {
		for _, s := range seen {
			if sameInvoke(s, inv) {
				return
			}
		}
		seen = append(seen, inv)
		i := inv
		out = append(out, Requirement{Rule: RuleInvoker, Door: Inbound, Invoker: &i, Source: source, Notes: notes,
			Need: invokeNeed(fn, inv), At: at})
	}
	for _, t := range fn.Triggers {
		inv, notes, ok := TriggerInvoker(fn, t)
		if !ok {
			out = append(out, Requirement{Rule: RuleInvoker, Door: Inbound, Source: triggerSource(t), Notes: notes, At: t.Source,
				Need: "be invoked by the " + t.Kind + " trigger " + t.SourceARN, Outside: "the principal it invokes as, which the account does not show"})
			continue
		}
		add(inv, triggerSource(t), notes, t.Source)
	}
	for _, u := range fn.URLConfigs {
		switch {
		case strings.EqualFold(u.AuthType, "NONE"):
			add(Invoker{Principal: "*", Qualifier: u.Qualifier, FunctionURL: true, Why: "function URL"}, "the public function URL "+u.URL, nil, nil)
		case account.HasMarker(u.AuthType):
			// Public for some values of a parameter or condition: an open
			// door holds either way, a closed one is undecided.
			inv := Invoker{Principal: "*", Qualifier: u.Qualifier, FunctionURL: true, Why: "function URL"}
			out = append(out, Requirement{Rule: RuleInvoker, Door: Inbound, Invoker: &inv, Need: invokeNeed(fn, inv),
				Source: "the function URL " + u.URL + " (auth type " + u.AuthType + ", NONE for some values)", If: Markers(u.AuthType)[0]})
		}
	}
	for _, p := range PolicyInvokers(fn) {
		add(p.Invoker, p.Source, p.Notes, nil)
	}
	return out
}

func triggerSource(t account.Trigger) string {
	s := fmt.Sprintf("%s trigger %s", t.Kind, t.SourceARN)
	if t.RoleARN != "" {
		s += " (role " + t.RoleARN + ")"
	}
	return s
}

// invokeNeed says what an invoker requirement needs, after "cannot".
func invokeNeed(fn *account.Function, inv Invoker) string {
	who := InvokerPrincipal(fn, inv.Principal)
	switch {
	case inv.RoleARN != "":
		who = "role " + RoleName(inv.RoleARN)
	case who == "*":
		who = "anonymous callers"
	}
	s := "be invoked by " + who
	if inv.FunctionURL {
		s += " through its function URL"
	}
	if inv.SourceARN != "" {
		s += " from " + inv.SourceARN
	}
	if inv.Qualifier != "" {
		s += " (qualifier " + inv.Qualifier + ")"
	}
	return s
}

// sameInvoke reports whether a and b are the same request: principal,
// source, qualifier and kind of invoke (the source account aside, which a
// statement may leave out where a trigger names it).
func sameInvoke(a, b Invoker) bool {
	return a.Principal == b.Principal && a.SourceARN == b.SourceARN && a.Qualifier == b.Qualifier &&
		a.FunctionURL == b.FunctionURL && a.Action == b.Action && a.RoleARN == b.RoleARN
}

// TriggerInvoker is the invoke trigger t makes: with its service principal
// and source through the resource policy, or as a session of its own role.
// false when nothing says which principal invokes.
func TriggerInvoker(fn *account.Function, t account.Trigger) (Invoker, []string, bool) {
	if t.RoleARN != "" {
		inv := Invoker{Principal: t.RoleARN, RoleARN: t.RoleARN, Role: t.Role, Qualifier: t.Qualifier, Why: "trigger"}
		if t.Role != nil {
			inv.Principal = RoleSessionARN(t.Role, t.Kind)
		}
		return inv, []string{fmt.Sprintf("the %s trigger %s invokes with role %s: that role's identity policies must allow lambda:InvokeFunction on %s (and, from another account, the resource policy too)",
			t.Kind, t.SourceARN, t.RoleARN, QualifiedARN(fn, t.Qualifier))}, true
	}
	inv := Invoker{Principal: t.Principal, SourceARN: t.SourceARN, SourceAccount: t.SourceAccount, Qualifier: t.Qualifier, Why: "trigger",
		// CloudFront (origin access control) calls the function URL:
		// lambda:InvokeFunctionUrl, and lambda:InvokeFunction through it
		// (Lambda DG urls-auth; CloudFront DG, restricting access to a
		// Lambda function URL origin).
		FunctionURL: t.Kind == account.TriggerCloudFront}
	if inv.Principal == "" {
		inv.Principal = PrincipalForSource(t.SourceARN)
	}
	if inv.Principal == "" {
		return inv, []string{fmt.Sprintf("the %s trigger %s names no principal, and its source says none", t.Kind, t.SourceARN)}, false
	}
	notes := NormalizeInvoker(fn, &inv)
	return inv, notes, true
}

// NormalizeInvoker fills what a service invoker implies and returns what it
// changed, for people: API Gateway sends the function's region in the
// SourceArn (Lambda DG services-apigateway); S3 bucket ARNs hold no
// account, so aws:SourceAccount is the function's account unless given
// (Lambda DG access-control-resource-based); a service is named by its
// global name (canonicalService); an anonymous caller of a function with a
// URL calls through it.
func NormalizeInvoker(fn *account.Function, inv *Invoker) []string {
	var notes []string
	if src, r, ok := apiSourceInFunctionRegion(fn, inv.SourceARN); ok {
		notes = append(notes, fmt.Sprintf("the SourceArn %s names region %s; API Gateway presents the function's region in the SourceArn when the API and the function are in different regions (Lambda DG services-apigateway), so the request judged carries %s", inv.SourceARN, r, src))
		inv.SourceARN = src
	}
	who := inv.Why
	if who == "" {
		who = "the invoker"
	}
	notes = append(notes, canonicalService(fn, inv, who)...)
	if IsServicePrincipal(inv.Principal) && inv.SourceAccount == "" {
		if a := ARNAccount(inv.SourceARN, ""); a != "" {
			inv.SourceAccount = a
		} else if strings.HasPrefix(inv.Principal, "s3.") {
			inv.SourceAccount = fn.Account
		}
	}
	if inv.Principal == "*" && !inv.FunctionURL && len(fn.URLConfigs) > 0 {
		inv.FunctionURL = true
	}
	return notes
}

// apiSourceInFunctionRegion is an API Gateway SourceArn src as API Gateway
// sends it, in the function's region (Lambda DG services-apigateway), with
// the region src names; ok is false when src is no execute-api ARN of
// another region.
func apiSourceInFunctionRegion(fn *account.Function, src string) (string, string, bool) {
	r := ARNRegion(src)
	if account.ARNField(src, 2) != "execute-api" || r == "" || r == fn.Region {
		return "", "", false
	}
	parts := strings.SplitN(src, ":", 6)
	parts[3] = fn.Region
	return strings.Join(parts, ":"), r, true
}

// PrincipalForSource guesses the service principal from a source ARN, by
// its global name.
func PrincipalForSource(src string) string {
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
		return "logs.amazonaws.com"
	case "elasticloadbalancing":
		return "elasticloadbalancing.amazonaws.com"
	case "iot":
		return "iot.amazonaws.com"
	case "cognito-idp":
		return "cognito-idp.amazonaws.com"
	}
	return ""
}

// PolicyInvoker is the invoke an Allow statement of the function's resource
// policy is meant for.
type PolicyInvoker struct {
	Invoker Invoker
	Source  string // statement "Sid"
	Notes   []string
}

var bareID = regexp.MustCompile(`^A(ROA|IDA|GPA|NPA|IPA)[A-Z0-9]{12,}$`)

// PolicyInvokers turns each Allow statement of the function's resource
// policies into the invoke it is meant for, as AWS would send it (a service
// by its global name, an API Gateway SourceArn in the function's region),
// so that a statement that can never match is found. A principal "*" (or
// {"AWS": "*"}) names anyone and gives no invoker; a bare unique id is a
// deleted principal (BareIDs); a statement conditioned on the function URL
// keys is an invoke through the URL.
func PolicyInvokers(fn *account.Function) []PolicyInvoker {
	var out []PolicyInvoker
	EachResourceStatement(fn, func(rp account.ResourcePolicy, name string, st *simulate.Statement) {
		if st.Effect != "Allow" || st.Principal == nil || st.Principal.All {
			return
		}
		source := "statement " + Quote(name)
		viaURL := false
		for _, c := range st.Conditions {
			switch strings.ToLower(c.Key) {
			case "lambda:functionurlauthtype", "lambda:invokedviafunctionurl":
				viaURL = true
			}
		}
		for _, p := range principalsOf(st.Principal) {
			if bareID.MatchString(p) || p == "*" {
				continue
			}
			// The statement's Resource says which (un)qualified ARN it
			// grants (AddPermission writes the exact ARN); a source that
			// files every statement under each qualifier (moto) is read
			// right that way too.
			inv := Invoker{Principal: p, Why: source, Qualifier: rp.Qualifier}
			for _, r := range st.Resource {
				if r == fn.ARN {
					inv.Qualifier = ""
				} else if q := qualifierOf(fn, r); q != "" && !strings.ContainsAny(q, "*?") {
					inv.Qualifier = q
				}
			}
			var notes []string
			for _, c := range st.Conditions {
				if len(c.Values) == 0 {
					continue
				}
				val := c.Values[0]
				switch strings.ToLower(c.Key) {
				case "aws:sourcearn":
					inv.SourceARN = val
				case "aws:sourceaccount":
					inv.SourceAccount = val
				case "lambda:functionurlauthtype", "lambda:invokedviafunctionurl":
					// Set by the builder from the URL config.
				default:
					// The invoke the statement is meant for carries what
					// its other conditions ask for.
					if cv, ok := satisfying(c.Operator, val); ok {
						if inv.Context == nil {
							inv.Context = simulate.Context{}
						}
						inv.Context[c.Key] = cv
					}
				}
			}
			switch {
			case ContainsFold(st.Action, "lambda:InvokeFunctionUrl") || viaURL:
				inv.FunctionURL = true
			case !matchesInvoke(st.Action):
				continue
			}
			if src, r, ok := apiSourceInFunctionRegion(fn, inv.SourceARN); ok && r != "*" {
				notes = append(notes, fmt.Sprintf("%s allows the SourceArn %s in region %s; API Gateway sends the function's region (%s) in the SourceArn, so this statement never matches (Lambda DG services-apigateway)", source, inv.SourceARN, r, fn.Region))
				inv.SourceARN = src
			}
			notes = append(notes, canonicalService(fn, &inv, source)...)
			if IsServicePrincipal(inv.Principal) && inv.SourceAccount == "" {
				inv.SourceAccount = ARNAccount(inv.SourceARN, "")
			}
			out = append(out, PolicyInvoker{Invoker: inv, Source: source, Notes: notes})
		}
	})
	return out
}

func matchesInvoke(acts []string) bool {
	for _, a := range acts {
		if simulate.Glob(a, "lambda:InvokeFunction", true) {
			return true
		}
	}
	return false
}

// ContainsFold reports whether l holds v, ignoring case (IAM action names).
func ContainsFold(l []string, v string) bool { return indexFold(l, v) >= 0 }

// indexFold is the index of v in l, ignoring case; -1 when absent.
func indexFold(l []string, v string) int {
	for i, x := range l {
		if strings.EqualFold(x, v) {
			return i
		}
	}
	return -1
}

// BareIDs lists (statement, unique id) pairs of resource-policy principals
// given as bare unique ids: IAM shows a deleted principal that way, and a
// role recreated under the same name does not match it (IAM UG
// reference_policies_elements_principal).
func BareIDs(fn *account.Function) [][2]string {
	var out [][2]string
	EachResourceStatement(fn, func(_ account.ResourcePolicy, name string, st *simulate.Statement) {
		for _, p := range principalsOf(st.Principal) {
			if bareID.MatchString(p) {
				out = append(out, [2]string{name, p})
			}
		}
	})
	return out
}

// EachResourceStatement calls yield with every statement of the function's
// resource policies (documents that do not parse are skipped: the verdicts
// that need them say so), named by its Sid, or "#N" when it has none.
func EachResourceStatement(fn *account.Function, yield func(rp account.ResourcePolicy, name string, st *simulate.Statement)) {
	for _, rp := range fn.ResourcePolicies {
		p, err := ParsePolicy(rp.Document)
		if err != nil {
			continue
		}
		for i := range p.Statements {
			st := &p.Statements[i]
			name := st.Sid
			if name == "" {
				name = fmt.Sprintf("#%d", st.Index)
			}
			yield(rp, name, st)
		}
	}
}

// Quote quotes a statement id for a sentence: "id".
func Quote(s string) string { return `"` + s + `"` }

// principalsOf lists a Principal element's values, kinds in sorted order.
func principalsOf(p *simulate.Principals) []string {
	if p == nil {
		return nil
	}
	if p.All {
		return []string{"*"}
	}
	keys := make([]string, 0, len(p.Values))
	for k := range p.Values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, p.Values[k]...)
	}
	return out
}

func qualifierOf(fn *account.Function, s string) string {
	for _, p := range []string{fn.ARN + ":", fn.Name + ":"} {
		if strings.HasPrefix(s, p) {
			return strings.TrimPrefix(s, p)
		}
	}
	return ""
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

// ECRImageVerdict judges Lambda pulling the function's container image. The
// execution role plays no part: the ECR repository policy must let the
// Lambda service principal call ecr:BatchGetImage and
// ecr:GetDownloadUrlForLayer (Lambda DG, "Create a Lambda function using a
// container image", Amazon ECR permissions). The repository policy is not in
// the model, so when AWS reported the denial the door is closed there and
// its owner must act.
func ECRImageVerdict(fn *account.Function) *Verdict {
	in := &simulate.Input{Request: simulate.Request{
		Principal: "lambda.amazonaws.com",
		Action:    "ecr:BatchGetImage",
		Resource:  ECRRepositoryARN(fn),
	}}
	return &Verdict{
		Door:     Outbound,
		Call:     &Call{Action: in.Request.Action, Resource: in.Request.Resource, Why: "pulling the container image"},
		Probes:   []Probe{{Input: in, Result: Evaluate(in)}},
		Decision: simulate.ImplicitDeny,
		Blamed:   "ECR repository",
	}
}

// ECRRepositoryARN is the ARN of the repository of the function's image URI
// (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO[:TAG|@DIGEST]), or "*".
func ECRRepositoryARN(fn *account.Function) string {
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
