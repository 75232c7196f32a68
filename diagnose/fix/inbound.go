package fix

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// --- inbound: the resource policy (and an invoking role) -----------------------

func inboundPlans(fn *account.Function, v *judge.Verdict, t Target) []plan {
	inv := v.Invoker
	missing := missingLayers(v)
	r := v.Request()
	if p, ok := orgPlans(judge.Inbound, missing, r); ok {
		return p
	}
	principal := judge.PrincipalARN(judge.InvokerPrincipal(fn, inv.Principal))
	caller := judge.ARNAccount(principal, "")
	if inv.RoleARN != "" {
		return roleInvokerPlans(fn, v, missing, caller, t)
	}
	if !missing[simulate.LayerResource] && !missingResource(v) {
		if caller != "" && caller != fn.Account {
			return []plan{crossAccountPlan(fn, inv, principal, caller)}
		}
		return nil
	}
	if p, refused := publicRefusal(fn, inv, principal); refused {
		return []plan{p}
	}
	used := resourcePolicySids(fn)
	svc := judge.IsServicePrincipal(principal)
	sourceAccount := inv.SourceAccount
	if svc && sourceAccount == "" {
		sourceAccount = judge.ARNAccount(inv.SourceARN, "")
	}
	type perm struct {
		sid, action, urlAuth string
		viaURL               bool
	}
	var perms []perm
	if inv.FunctionURL {
		for _, p := range v.Probes {
			if p.Result.Decision == simulate.Allow {
				continue
			}
			switch p.Input.Request.Action {
			case "lambda:InvokeFunctionUrl":
				perms = append(perms, perm{sid: "FunctionURLAllowPublicAccess", action: "lambda:InvokeFunctionUrl", urlAuth: judge.URLAuthType(fn, inv.Qualifier)})
			default:
				perms = append(perms, perm{sid: "FunctionURLAllowInvokeAction", action: "lambda:InvokeFunction", viaURL: true})
			}
		}
		if principal != "*" {
			for i := range perms {
				perms[i].sid = strings.Replace(perms[i].sid, "Public", "", 1)
			}
		}
	} else {
		perms = append(perms, perm{sid: statementID(inv, principal), action: r.Action})
	}
	var cmds []string
	var sts []stmt
	var iacs []func(render) string
	viaURL := false
	for _, p := range perms {
		sid := unique(p.sid, used)
		used[sid] = true
		perm := permission{qualifier: inv.Qualifier, sid: sid, action: p.action, principal: cliPrincipal(principal),
			sourceARN: inv.SourceARN, urlAuth: p.urlAuth, viaURL: p.viaURL}
		if svc {
			perm.sourceAccount = sourceAccount
		}
		if p.viaURL {
			viaURL = true
		}
		cmds = append(cmds, addPermission(t, fn, perm))
		s := permissionStatement(fn, inv, principal, sid, p.action, sourceAccount, p.urlAuth, p.viaURL, svc)
		sts = append(sts, s)
		pp := p
		iacs = append(iacs, func(r render) string {
			return iacPermission(r, fn, inv, principal, sid, pp.action, sourceAccount, pp.urlAuth, pp.viaURL, svc)
		})
	}
	if len(cmds) == 0 {
		return nil
	}
	who := principal
	if inv.SourceARN != "" {
		who += " from " + inv.SourceARN
	}
	target := fn.Name
	if inv.Qualifier != "" {
		target += ":" + inv.Qualifier
	}
	expl := fmt.Sprintf("the resource policy of %s allows no invoke by %s; this adds exactly that permission", target, who)
	if inv.FunctionURL {
		expl = fmt.Sprintf("a function URL call needs lambda:InvokeFunctionUrl and lambda:InvokeFunction (conditioned on lambda:InvokedViaFunctionUrl); the resource policy of %s lacks %d of them for %s", target, len(cmds), whoName(principal))
	}
	if viaURL {
		expl += "; needs " + invokedViaURLCLI
	}
	plans := []plan{{
		fix: Fix{Door: judge.Inbound, Command: strings.Join(cmds, " && "), Explanation: expl},
		apply: func(w *account.Function) error {
			return addStatements(w, inv.Qualifier, sts)
		},
		iac: func(r render) string {
			if r.f == SAM && r.t == nil && principal == "*" && inv.FunctionURL && judge.URLAuthType(fn, inv.Qualifier) == "NONE" {
				return samPublicURL(inv.Qualifier)
			}
			var parts []string
			for _, g := range iacs {
				parts = append(parts, g(r))
			}
			return strings.Join(parts, "\n")
		},
	}}
	if caller != "" && caller != fn.Account {
		plans = append(plans, crossAccountPlan(fn, inv, principal, caller))
	}
	return plans
}

// publicRefusal refuses to open the function to anyone: the only grants to
// Principal "*" lambda-doctor writes are the two of a function URL whose
// auth type is NONE, scoped by lambda:FunctionUrlAuthType and
// lambda:InvokedViaFunctionUrl (Lambda DG urls-auth). An anonymous direct
// invoke, or an anonymous call of an AWS_IAM URL (which admits only signed
// requests), gets no command.
func publicRefusal(fn *account.Function, inv *judge.Invoker, principal string) (plan, bool) {
	if principal != "*" {
		return plan{}, false
	}
	if inv.FunctionURL && strings.EqualFold(judge.URLAuthType(fn, inv.Qualifier), "NONE") {
		return plan{}, false
	}
	expl := "the request is an anonymous direct invoke: letting it in would grant lambda:InvokeFunction to Principal \"*\", opening the function to anyone; lambda-doctor never writes that grant. Name the real caller with --caller (a service principal with --source-arn, an account id or an IAM ARN)"
	if inv.FunctionURL {
		expl = "the function URL uses AWS_IAM auth, which admits only requests signed by an IAM principal: an anonymous caller cannot be let in without opening the URL to every AWS account; name the calling principal with --caller"
	}
	return plan{fix: Fix{Door: judge.Inbound, Explanation: expl}}, true
}

// roleInvokerPlans open the door for an invoker that calls with a role of
// its own: an inline policy on that role allowing exactly the invoke (its
// owner acts when the role is in another account, and then the function's
// resource policy must also name the role).
func roleInvokerPlans(fn *account.Function, v *judge.Verdict, missing map[string]bool, caller string, t Target) []plan {
	inv := v.Invoker
	r := judge.InvokerRole(fn, *inv)
	if r == nil {
		return nil
	}
	target := judge.QualifiedARN(fn, inv.Qualifier)
	var plans []plan
	if missing[simulate.LayerIdentity] || missing[simulate.LayerBoundary] {
		var acts []string
		for _, p := range v.Probes {
			if p.Result != nil && p.Result.Decision != simulate.Allow && !judge.ContainsFold(acts, p.Input.Request.Action) {
				acts = append(acts, p.Input.Request.Action)
			}
		}
		var act any = acts
		if len(acts) == 1 {
			act = acts[0]
		}
		sts := []stmt{{Sid: "AllowInvoke" + logicalID(fn.Name), Effect: "Allow", Action: act, Resource: target}}
		why := fmt.Sprintf("role %s invokes %s for its trigger, and no policy of it allows %s on %s; this adds one inline policy with exactly that grant", r.Name, fn.Name, strings.Join(acts, ", "), target)
		roleOf := func(w *account.Function) *account.Role {
			// The copy shares the model's roles: give it its own copy of
			// the invoking role before the fix changes it.
			var c *account.Role
			for i := range w.Triggers {
				if w.Triggers[i].RoleARN == r.ARN && w.Triggers[i].Role != nil {
					if c == nil {
						c = cloneRole(w.Triggers[i].Role)
					}
					w.Triggers[i].Role = c
				}
			}
			return c
		}
		p := rolePolicyPlan(r, judge.Inbound, "lambda-doctor-invoke-"+shortMarkers(fn.Name), sts, why, roleOf, t)
		if caller != "" && caller != fn.Account {
			p.fix.Command, p.apply, p.iac = "", nil, nil
			p.fix.Owner = "the owner of account " + caller
		}
		plans = append(plans, p)
	}
	if missing[simulate.LayerResource] && caller != "" && caller != fn.Account {
		plain := *v
		pinv := *inv
		pinv.Role, pinv.RoleARN = nil, ""
		plain.Invoker = &pinv
		for _, p := range inboundPlans(fn, &plain, t) {
			if p.fix.Owner == "" {
				plans = append(plans, p)
			}
		}
	}
	return plans
}

// resourcePolicySids lists the statement ids the function's resource
// policies use (AddPermission refuses a statement id in use).
func resourcePolicySids(fn *account.Function) map[string]bool {
	used := map[string]bool{}
	judge.EachResourceStatement(fn, func(_ account.ResourcePolicy, _ string, st *simulate.Statement) {
		if st.Sid != "" {
			used[st.Sid] = true
		}
	})
	return used
}

// missingResource: for a same-account caller both the resource policy and
// the caller's identity side lack an allow; the resource policy is the door
// this account controls.
func missingResource(v *judge.Verdict) bool {
	for _, p := range v.Probes {
		if p.Result == nil || p.Result.Decision == simulate.Allow {
			continue
		}
		for _, l := range p.Result.Layers {
			if l.Layer == simulate.LayerResource && l.Decision != simulate.Allow {
				return true
			}
		}
		if p.Input.Resource == nil {
			return true
		}
	}
	return false
}

// crossAccountPlan names what the caller account's owner must grant.
func crossAccountPlan(fn *account.Function, inv *judge.Invoker, principal, caller string) plan {
	res := judge.QualifiedARN(fn, inv.Qualifier)
	actions := []string{"lambda:InvokeFunction"}
	if inv.FunctionURL {
		actions = []string{"lambda:InvokeFunctionUrl", "lambda:InvokeFunction"}
	}
	var act any = actions
	if len(actions) == 1 {
		act = actions[0]
	}
	d := &rawDoc{Version: "2012-10-17"}
	d.add(stmt{Effect: "Allow", Action: act, Resource: res})
	return plan{fix: Fix{Door: judge.Inbound,
		Owner:       "the owner of account " + caller,
		Explanation: fmt.Sprintf("the caller is in account %s, whose policies this tool cannot see: an identity policy of %s must also allow %s on %s", caller, principal, strings.Join(actions, " and "), res),
		Document:    d.String()}}
}

var rootARN = regexp.MustCompile(`^arn:[^:]+:iam::(\d{12}):root$`)

func cliPrincipal(p string) string {
	if m := rootARN.FindStringSubmatch(p); m != nil {
		return m[1]
	}
	return p
}

// permissionStatement is the statement AddPermission writes (Lambda API
// reference, AddPermission; the shapes GetPolicy returns).
func permissionStatement(fn *account.Function, inv *judge.Invoker, principal, sid, action, sourceAccount, urlAuth string, viaURL, svc bool) stmt {
	s := stmt{Sid: sid, Effect: "Allow", Action: action, Resource: judge.QualifiedARN(fn, inv.Qualifier)}
	switch {
	case principal == "*":
		s.Principal = "*"
	case svc:
		s.Principal = map[string]string{"Service": principal}
	default:
		s.Principal = map[string]string{"AWS": principal}
	}
	cond := map[string]map[string]string{}
	put := func(op, k, val string) {
		if cond[op] == nil {
			cond[op] = map[string]string{}
		}
		cond[op][k] = val
	}
	if svc && sourceAccount != "" {
		put("StringEquals", "AWS:SourceAccount", sourceAccount)
	}
	if inv.SourceARN != "" {
		put("ArnLike", "AWS:SourceArn", inv.SourceARN)
	}
	if urlAuth != "" {
		put("StringEquals", "lambda:FunctionUrlAuthType", urlAuth)
	}
	if viaURL {
		put("Bool", "lambda:InvokedViaFunctionUrl", "true")
	}
	if len(cond) > 0 {
		s.Condition = cond
	}
	return s
}

func addStatements(w *account.Function, qualifier string, sts []stmt) error {
	for i := range w.ResourcePolicies {
		p := &w.ResourcePolicies[i]
		if p.Qualifier == qualifier {
			d, err := decodeDoc(p.Document)
			if err != nil {
				return err
			}
			for _, s := range sts {
				d.add(s)
			}
			p.Document = d.String()
			p.RevisionID = "" // a new one, not known here
			return nil
		}
	}
	// No policy for the qualifier yet (a source that keeps every statement in
	// the unqualified policy is handled by ResourcePolicyFor's fallback, which
	// then no longer applies: copy its statements so nothing is lost).
	d := &rawDoc{Version: "2012-10-17", ID: "default"}
	if fb, _ := judge.ResourcePolicyFor(w, qualifier); fb != nil {
		if fd, err := decodeDoc(fb.Document); err == nil {
			d = fd
		}
	}
	for _, s := range sts {
		d.add(s)
	}
	w.ResourcePolicies = append(w.ResourcePolicies, account.ResourcePolicy{Qualifier: qualifier, Document: d.String()})
	return nil
}

// shortMarkers writes each marker of a template's model as its last part
// (the logical id): {{generated.ApiId.HttpApi}} → HttpApi.
func shortMarkers(s string) string {
	for _, m := range judge.Markers(s) {
		body := strings.TrimSuffix(m, account.MarkerEnd)
		s = strings.ReplaceAll(s, m, body[strings.LastIndexByte(body, '.')+1:])
	}
	return s
}

// statementID derives a readable statement id from the invoker:
// apigw-a1b2c3d4e5-prod-POST-orders for an API route.
func statementID(inv *judge.Invoker, principal string) string {
	prefix := "invoke"
	switch {
	case principal == "*":
		prefix = "public"
	case judge.IsServicePrincipal(principal):
		prefix = strings.SplitN(principal, ".", 2)[0]
		switch prefix {
		case "apigateway":
			prefix = "apigw"
		case "elasticloadbalancing":
			prefix = "elb"
		}
	case strings.HasSuffix(principal, ":root"):
		prefix = "account-" + judge.ARNAccount(principal, "")
	case strings.HasPrefix(principal, "arn:"):
		prefix = "principal-" + judge.ARNAccount(principal, "") + "-" + judge.RoleName(principal)
	}
	suffix := ""
	if inv.SourceARN != "" {
		suffix = account.ARNField(shortMarkers(inv.SourceARN), 5)
		if suffix == "" {
			suffix = inv.SourceARN
		}
		if s := account.ARNField(inv.SourceARN, 2); s == "logs" {
			suffix = strings.TrimPrefix(strings.TrimSuffix(suffix, ":*"), "log-group:")
		}
		suffix = strings.NewReplacer("*", "any").Replace(suffix)
	}
	id := prefix
	if suffix != "" {
		id += "-" + suffix
	}
	return sanitize(id, 100)
}

func whoName(p string) string {
	if p == "*" {
		return "anonymous callers (*)"
	}
	return p
}
