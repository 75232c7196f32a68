package diagnose

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
	"github.com/lambda-doctor/lambda-doctor/simulate/iamdata"
)

// BasicExecutionRoleARN is the AWS managed policy that lets a function
// write its logs (Lambda DG lambda-intro-execution-role).
const BasicExecutionRoleARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

// basicExecutionRoleDoc is its document (version 1) for verification.
const basicExecutionRoleDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`

// Fixes synthesises the smallest fixes that open the verdict's door for its
// request, in the order they are to be applied, and verifies them: each is
// applied (with the ones before it) to a copy of fn and the verdict's
// request is simulated again; Verified is true when it is then allowed (and
// every command of a chain is Verified when the whole chain opens the door). A
// fix nobody in this account can apply (an SCP or RCP, the identity side of
// a caller in another account) has no Command and names its Owner. An open
// or unknown verdict has no fixes.
func Fixes(fn *account.Function, v *Verdict, f Format) []Fix {
	if v == nil || v.Unknown || v.Decision == simulate.Allow || v.Decision == "" {
		return nil
	}
	if f == "" {
		f = CLI
	}
	if v.Blamed != "" {
		return []Fix{blamedFix(fn, v)}
	}
	plans := planFixes(fn, v)
	work := cloneFunction(fn)
	var out []Fix
	for _, p := range plans {
		fix := p.fix
		if p.apply != nil {
			if err := p.apply(work); err == nil {
				if nv, err := recheck(work, v); err == nil && nv.Open() {
					fix.Verified = true
				}
			}
		}
		if f != CLI && p.iac != nil {
			fix.Command = p.iac(f)
			fix.Format = f
		} else {
			fix.Format = CLI
		}
		out = append(out, fix)
	}
	// Fixes that must be applied together (a deny edited out, then the
	// missing allow) are verified together: when the last one opens the
	// door, every command before it is part of the verified change.
	if n := len(out); n > 1 && out[n-1].Verified {
		for i := range out {
			if out[i].Command != "" {
				out[i].Verified = true
			}
		}
	}
	return out
}

// plan is one fix with how to apply it to the model and render it as IaC.
type plan struct {
	fix   Fix
	apply func(*account.Function) error
	iac   func(Format) string
}

func recheck(fn *account.Function, v *Verdict) (*Verdict, error) {
	switch v.Door {
	case Outbound:
		if v.Call == nil {
			return CheckOutboundAll(fn, v.Calls)
		}
		return CheckOutbound(fn, *v.Call)
	case Inbound:
		return CheckInbound(fn, *v.Invoker)
	case Logs:
		return CheckLogs(fn)
	case Trust:
		return CheckTrust(fn)
	}
	return nil, fmt.Errorf("no door %q", v.Door)
}

func planFixes(fn *account.Function, v *Verdict) []plan {
	var plans []plan
	// Explicit denies first: each is edited out for this request only.
	seen := map[string]bool{}
	for _, pr := range v.Probes {
		if pr.Result == nil || pr.Result.Decision != simulate.ExplicitDeny {
			continue
		}
		for _, d := range pr.Result.Deciding {
			key := d.Policy + "#" + d.Statement
			if seen[key] {
				continue
			}
			seen[key] = true
			plans = append(plans, denyPlan(fn, v, pr.Input.Request, d))
		}
	}
	// Then the missing allows, judged on the model with the denies edited
	// out, layer by layer.
	work := cloneFunction(fn)
	for _, p := range plans {
		if p.apply != nil {
			_ = p.apply(work)
		}
	}
	nv, err := recheck(work, v)
	if err != nil || nv.Decision != simulate.ImplicitDeny {
		return plans
	}
	switch v.Door {
	case Inbound:
		plans = append(plans, inboundPlans(work, nv)...)
	case Trust:
		plans = append(plans, trustPlan(work, nv))
	case Logs:
		plans = append(plans, logsPlans(work, nv)...)
	case Outbound:
		plans = append(plans, outboundPlans(work, nv)...)
	}
	return plans
}

// missingLayers are the layers of the failing probes that allow nothing.
func missingLayers(v *Verdict) map[string]bool {
	out := map[string]bool{}
	for _, pr := range v.Probes {
		if pr.Result == nil || pr.Result.Decision == simulate.Allow {
			continue
		}
		for _, l := range pr.Result.Layers {
			if l.Decision != simulate.Allow && !strings.HasPrefix(l.Note, "not evaluated") {
				out[l.Layer] = true
			}
		}
	}
	return out
}

// orgPlan names who must act on an SCP or RCP.
func orgPlan(door Door, layer string, r simulate.Request) plan {
	kind := "service control policies (SCPs)"
	if layer == simulate.LayerRCP {
		kind = "resource control policies (RCPs)"
	}
	return plan{fix: Fix{
		Door:        door,
		Owner:       "the AWS Organizations administrators (management account or delegated administrator)",
		Explanation: fmt.Sprintf("the organization's %s allow nothing that matches %s on %s; this account cannot change them: ask the organization's administrators to allow it", kind, r.Action, r.Resource),
	}}
}

// --- outbound and logs -----------------------------------------------------

func outboundPlans(fn *account.Function, v *Verdict) []plan {
	r := v.Request()
	missing := missingLayers(v)
	var plans []plan
	for _, l := range []string{simulate.LayerRCP, simulate.LayerSCP} {
		if missing[l] {
			return []plan{orgPlan(v.Door, l, r)}
		}
	}
	grants := failingGrants(v)
	what := r.Action + " on " + grantResource(r.Action, r.Resource)
	if len(grants) > 1 || len(anyList(grants[0].Action)) > 1 {
		var parts []string
		for _, g := range grants {
			parts = append(parts, strings.Join(anyList(g.Action), ", ")+" on "+fmt.Sprint(g.Resource))
		}
		what = strings.Join(parts, "; ")
	}
	if missing[simulate.LayerIdentity] {
		plans = append(plans, inlinePlan(fn, v.Door, grants,
			fmt.Sprintf("no policy of role %s allows %s; this adds one inline policy with exactly that grant", fn.Role.Name, what)))
	}
	if missing[simulate.LayerBoundary] {
		plans = append(plans, boundaryPlan(fn, v.Door, grants, r))
	}
	return plans
}

// failingGrants is one Allow statement per resource for the probes that
// are not allowed: the exact actions on the exact resource ("*" for
// actions that take none).
func failingGrants(v *Verdict) []stmt {
	var order []string
	acts := map[string][]string{}
	for _, p := range v.Probes {
		if p.Result == nil || p.Result.Decision == simulate.Allow {
			continue
		}
		r := p.Input.Request
		res := grantResource(r.Action, r.Resource)
		if _, ok := acts[res]; !ok {
			order = append(order, res)
		}
		if !containsFold(acts[res], r.Action) {
			acts[res] = append(acts[res], r.Action)
		}
	}
	var out []stmt
	for _, res := range order {
		a := acts[res]
		var act any = a
		sid := sidFor(a[0])
		if len(a) == 1 {
			act = a[0]
		} else {
			sid = sidFor(strings.SplitN(a[0], ":", 2)[0] + ":Access")
		}
		out = append(out, stmt{Sid: sid, Effect: "Allow", Action: act, Resource: res})
	}
	return out
}

// grantResource is the Resource of a grant: the request's resource, or "*"
// for an action that accepts no resource-level permission (IAM service
// authorization reference, via iamdata).
func grantResource(action, resource string) string {
	if a, ok := iamdata.Action(action); ok && a.NeedsStar() {
		return "*"
	}
	return resource
}

func logsPlans(fn *account.Function, v *Verdict) []plan {
	missing := missingLayers(v)
	r := v.Request()
	for _, l := range []string{simulate.LayerRCP, simulate.LayerSCP} {
		if missing[l] {
			return []plan{orgPlan(Logs, l, r)}
		}
	}
	var plans []plan
	group := logGroupName(fn)
	groupARN := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", fn.PartitionName(), fn.Region, fn.Account, group)
	var actions []string
	for _, p := range v.Probes {
		if p.Result != nil && p.Result.Decision != simulate.Allow {
			actions = append(actions, p.Input.Request.Action)
		}
	}
	if missing[simulate.LayerIdentity] {
		if !fn.Config.Logging.Custom && !hasManaged(fn.Role, BasicExecutionRoleARN) {
			role := fn.Role.Name
			plans = append(plans, plan{
				fix: Fix{Door: Logs,
					Command:     "aws iam attach-role-policy --role-name " + shellQuote(role) + " --policy-arn " + BasicExecutionRoleARN,
					Explanation: fmt.Sprintf("role %s may not write the function's logs (%s); the AWS managed policy AWSLambdaBasicExecutionRole grants logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents", role, strings.Join(actions, ", "))},
				apply: func(w *account.Function) error {
					w.Role.Managed = append(w.Role.Managed, account.ManagedPolicy{ARN: BasicExecutionRoleARN, Name: "AWSLambdaBasicExecutionRole", Document: basicExecutionRoleDoc})
					return nil
				},
				iac: func(f Format) string { return iacManaged(f, role, BasicExecutionRoleARN) },
			})
		} else {
			sts := logStatements(groupARN, actions)
			plans = append(plans, inlinePlan(fn, Logs, sts,
				fmt.Sprintf("role %s may not write to the log group %s (%s); this adds one inline policy for that group", fn.Role.Name, group, strings.Join(actions, ", "))))
		}
	}
	if missing[simulate.LayerBoundary] {
		plans = append(plans, boundaryPlan(fn, Logs, logStatements(groupARN, actions), r))
	}
	return plans
}

// logStatements grants actions on the log group: logs:CreateLogGroup on the
// group's ARN, the stream actions on its streams (GROUP-ARN:*).
func logStatements(groupARN string, actions []string) []stmt {
	var sts []stmt
	var streamActions []string
	for _, a := range actions {
		if a == "logs:CreateLogGroup" {
			sts = append(sts, stmt{Sid: "CreateLogGroup", Effect: "Allow", Action: a, Resource: groupARN})
		} else {
			streamActions = append(streamActions, a)
		}
	}
	if len(streamActions) > 0 {
		var act any = streamActions
		if len(streamActions) == 1 {
			act = streamActions[0]
		}
		sts = append(sts, stmt{Sid: "WriteLogs", Effect: "Allow", Action: act, Resource: groupARN + ":*"})
	}
	return sts
}

func hasManaged(r *account.Role, arn string) bool {
	for _, m := range r.Managed {
		if m.ARN == arn {
			return true
		}
	}
	return false
}

// inlinePlan adds one inline policy under a name the role does not use yet,
// so no existing grant is overwritten.
func inlinePlan(fn *account.Function, door Door, sts []stmt, why string) plan {
	role := fn.Role.Name
	used := map[string]bool{}
	for _, p := range fn.Role.Inline {
		used[p.Name] = true
	}
	base := "lambda-doctor-" + fn.Name
	if len(sts) == 1 {
		if a, ok := sts[0].Action.(string); ok {
			base = "lambda-doctor-" + strings.NewReplacer(":", "-", "*", "all").Replace(a)
		}
	}
	if door == Logs {
		base = "lambda-doctor-logs"
	}
	name := unique(sanitize(base, 128), used)
	d := &rawDoc{Version: "2012-10-17"}
	for _, s := range sts {
		d.add(s)
	}
	doc := d.String()
	return plan{
		fix: Fix{Door: door,
			Command:     "aws iam put-role-policy --role-name " + shellQuote(role) + " --policy-name " + shellQuote(name) + " --policy-document " + shellQuote(doc),
			Explanation: why,
			Document:    doc},
		apply: func(w *account.Function) error {
			w.Role.Inline = append(w.Role.Inline, account.InlinePolicy{Name: name, Document: doc})
			return nil
		},
		iac: func(f Format) string { return iacInline(f, role, name, doc) },
	}
}

// boundaryPlan adds the grant to the permissions boundary as a new default
// version carrying every existing statement.
func boundaryPlan(fn *account.Function, door Door, grants []stmt, r simulate.Request) plan {
	b := fn.Role.Boundary
	d, err := decodeDoc(b.Document)
	if err != nil {
		return plan{fix: Fix{Door: door, Explanation: fmt.Sprintf("the permissions boundary %s does not allow %s on %s, and its document could not be edited: %v", b.ARN, r.Action, r.Resource, err)}}
	}
	used := d.sids()
	for _, g := range grants {
		g.Sid = unique(g.Sid, used)
		used[g.Sid] = true
		d.add(g)
	}
	doc := d.String()
	if strings.HasPrefix(b.ARN, "arn:aws:iam::aws:") {
		return plan{fix: Fix{Door: door, Owner: "whoever chose the AWS managed boundary " + b.ARN,
			Explanation: fmt.Sprintf("the permissions boundary is the AWS managed policy %s, which does not allow %s on %s and cannot be edited: set a customer managed boundary that allows it", b.ARN, r.Action, r.Resource)}}
	}
	arn := b.ARN
	return plan{
		fix: Fix{Door: door,
			Command:     "aws iam create-policy-version --policy-arn " + shellQuote(arn) + " --set-as-default --policy-document " + shellQuote(doc),
			Explanation: fmt.Sprintf("the permissions boundary %s does not allow %s on %s; this makes a new default version of it with every existing statement and the missing grant (IAM keeps at most 5 versions: delete an old one first if it has 5)", arn, r.Action, r.Resource),
			Document:    doc},
		apply: func(w *account.Function) error {
			w.Role.Boundary.Document = doc
			return nil
		},
		iac: func(f Format) string { return iacManagedDoc(f, arn, doc) },
	}
}

// --- trust -------------------------------------------------------------------

func trustPlan(fn *account.Function, v *Verdict) plan {
	d, err := decodeDoc(fn.Role.Trust)
	if err != nil {
		return plan{fix: Fix{Door: Trust, Explanation: "the trust policy could not be read as JSON: " + err.Error()}}
	}
	add := stmt{Sid: unique("AllowLambdaAssumeRole", d.sids()), Effect: "Allow", Principal: map[string]string{"Service": "lambda.amazonaws.com"}, Action: "sts:AssumeRole"}
	if strings.Contains(strings.ToLower(fn.Role.Trust), "aws:sourceaccount") {
		// Keep the confused-deputy scoping the policy already uses.
		add.Condition = map[string]map[string]string{"StringEquals": {"aws:SourceAccount": fn.Account}}
	}
	d.add(add)
	doc := d.String()
	role := fn.Role.Name
	n := len(d.Statement) - 1
	keep := "keeping its existing statement"
	if n != 1 {
		keep = fmt.Sprintf("keeping its %d existing statements", n)
	}
	if n == 0 {
		keep = "which had no statement"
	}
	return plan{
		fix: Fix{Door: Trust,
			Command:     "aws iam update-assume-role-policy --role-name " + shellQuote(role) + " --policy-document " + shellQuote(doc),
			Explanation: fmt.Sprintf("the trust policy of role %s does not let lambda.amazonaws.com assume it; this is the whole trust policy with that statement added, %s", role, keep),
			Document:    doc},
		apply: func(w *account.Function) error {
			w.Role.Trust = doc
			return nil
		},
		iac: func(f Format) string { return iacTrust(f, role, doc) },
	}
}

// --- inbound -----------------------------------------------------------------

func inboundPlans(fn *account.Function, v *Verdict) []plan {
	inv := v.Invoker
	missing := missingLayers(v)
	r := v.Request()
	var plans []plan
	for _, l := range []string{simulate.LayerRCP, simulate.LayerSCP} {
		if missing[l] {
			return []plan{orgPlan(Inbound, l, r)}
		}
	}
	principal := principalARN(invokerPrincipal(fn, inv.Principal))
	caller := arnAccount(principal, "")
	if !missing[simulate.LayerResource] && !missingResource(v) {
		if caller != "" && caller != fn.Account {
			return []plan{crossAccountPlan(fn, inv, principal, caller)}
		}
		return nil
	}
	used := map[string]bool{}
	for _, p := range fn.ResourcePolicies {
		if d, err := decodeDoc(p.Document); err == nil {
			for s := range d.sids() {
				used[s] = true
			}
		}
	}
	svc := isServicePrincipal(principal)
	sourceAccount := inv.SourceAccount
	if svc && sourceAccount == "" {
		sourceAccount = arnAccount(inv.SourceARN, "")
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
				perms = append(perms, perm{sid: "FunctionURLAllowPublicAccess", action: "lambda:InvokeFunctionUrl", urlAuth: urlAuthType(fn, inv.Qualifier)})
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
	var iacs []func(Format) string
	for _, p := range perms {
		sid := unique(p.sid, used)
		used[sid] = true
		args := []string{"aws lambda add-permission --function-name " + shellQuote(fn.Name)}
		if inv.Qualifier != "" {
			args = append(args, "--qualifier "+shellQuote(inv.Qualifier))
		}
		args = append(args, "--statement-id "+shellQuote(sid), "--action "+p.action, "--principal "+shellQuote(cliPrincipal(principal)))
		if svc && sourceAccount != "" {
			args = append(args, "--source-account "+sourceAccount)
		}
		if inv.SourceARN != "" {
			args = append(args, "--source-arn "+shellQuote(inv.SourceARN))
		}
		if p.urlAuth != "" {
			args = append(args, "--function-url-auth-type "+p.urlAuth)
		}
		if p.viaURL {
			args = append(args, "--invoked-via-function-url")
		}
		cmds = append(cmds, strings.Join(args, " "))
		s := permissionStatement(fn, inv, principal, sid, p.action, sourceAccount, p.urlAuth, p.viaURL, svc)
		sts = append(sts, s)
		pp := p
		iacs = append(iacs, func(f Format) string {
			return iacPermission(f, fn, inv, principal, sid, pp.action, sourceAccount, pp.urlAuth, pp.viaURL, svc)
		})
	}
	if len(cmds) == 0 {
		return plans
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
	plans = append(plans, plan{
		fix: Fix{Door: Inbound, Command: strings.Join(cmds, " && "), Explanation: expl},
		apply: func(w *account.Function) error {
			return addStatements(w, inv.Qualifier, sts)
		},
		iac: func(f Format) string {
			var parts []string
			for _, g := range iacs {
				parts = append(parts, g(f))
			}
			return strings.Join(parts, "\n")
		},
	})
	if caller != "" && caller != fn.Account {
		plans = append(plans, crossAccountPlan(fn, inv, principal, caller))
	}
	return plans
}

// missingResource: for a same-account caller both the resource policy and
// the caller's identity side lack an allow; the resource policy is the door
// this account controls.
func missingResource(v *Verdict) bool {
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
func crossAccountPlan(fn *account.Function, inv *Invoker, principal, caller string) plan {
	res := fn.ARN
	if inv.Qualifier != "" {
		res += ":" + inv.Qualifier
	}
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
	return plan{fix: Fix{Door: Inbound,
		Owner:       "the owner of account " + caller,
		Explanation: fmt.Sprintf("the caller is in account %s, whose policies this tool cannot see: an identity policy of %s must also allow %s on %s", caller, principal, strings.Join(actions, " and "), res),
		Document:    d.String()}}
}

func cliPrincipal(p string) string {
	if m := regexp.MustCompile(`^arn:[^:]+:iam::(\d{12}):root$`).FindStringSubmatch(p); m != nil {
		return m[1]
	}
	return p
}

// permissionStatement is the statement AddPermission writes (Lambda API
// reference, AddPermission; the shapes GetPolicy returns).
func permissionStatement(fn *account.Function, inv *Invoker, principal, sid, action, sourceAccount, urlAuth string, viaURL, svc bool) stmt {
	res := fn.ARN
	if inv.Qualifier != "" {
		res += ":" + inv.Qualifier
	}
	s := stmt{Sid: sid, Effect: "Allow", Action: action, Resource: res}
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
			return nil
		}
	}
	// No policy for the qualifier yet (a source that keeps every statement in
	// the unqualified policy is handled by resourcePolicyFor's fallback, which
	// then no longer applies: copy its statements so nothing is lost).
	d := &rawDoc{Version: "2012-10-17", ID: "default"}
	if fb, _ := resourcePolicyFor(w, qualifier); fb != nil {
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

// statementID derives a readable statement id from the invoker:
// apigw-a1b2c3d4e5-prod-POST-orders for an API route.
func statementID(inv *Invoker, principal string) string {
	prefix := "invoke"
	switch {
	case principal == "*":
		prefix = "public"
	case isServicePrincipal(principal):
		prefix = strings.SplitN(principal, ".", 2)[0]
		switch prefix {
		case "apigateway":
			prefix = "apigw"
		case "elasticloadbalancing":
			prefix = "elb"
		}
	case strings.HasSuffix(principal, ":root"):
		prefix = "account-" + arnAccount(principal, "")
	case strings.HasPrefix(principal, "arn:"):
		prefix = "principal-" + arnAccount(principal, "") + "-" + roleName(principal)
	}
	suffix := ""
	if inv.SourceARN != "" {
		suffix = account.ARNField(inv.SourceARN, 5)
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

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9_-]+|--+`)

func sanitize(s string, max int) string {
	s = strings.Trim(unsafeID.ReplaceAllString(s, "-"), "-")
	if len(s) > max {
		s = strings.TrimRight(s[:max], "-")
	}
	if s == "" {
		s = "lambda-doctor"
	}
	return s
}

// unique returns base, or base-2, base-3... whichever is not used.
func unique(base string, used map[string]bool) string {
	if !used[base] {
		return base
	}
	for i := 2; ; i++ {
		c := fmt.Sprintf("%s-%d", base, i)
		if !used[c] {
			return c
		}
	}
}

// sidFor is a Sid (alphanumeric) for a grant of action.
func sidFor(action string) string { return logicalID("Allow", action) }

// --- explicit denies ---------------------------------------------------------

// denyPlan edits one explicit deny out of its policy for this request only.
func denyPlan(fn *account.Function, v *Verdict, r simulate.Request, d simulate.StatementRef) plan {
	loc := locate(fn, v.Door, d.Policy)
	what := fmt.Sprintf("statement %s of %s explicitly denies %s on %s", d.Statement, d.Policy, r.Action, r.Resource)
	switch loc.kind {
	case "scp", "rcp":
		kind := "a service control policy (SCP)"
		if loc.kind == "rcp" {
			kind = "a resource control policy (RCP)"
		}
		return plan{fix: Fix{Door: v.Door,
			Owner:       "the AWS Organizations administrators (management account or delegated administrator)",
			Explanation: fmt.Sprintf("%s; it is %s, which this account cannot change: only the organization's administrators can make an exception for this request", what, kind)}}
	case "":
		return plan{fix: Fix{Door: v.Door, Explanation: what + "; lambda-doctor cannot tell where that policy lives: remove the deny for this request by hand"}}
	}
	var doc string
	var caveats []string
	var err error
	if loc.kind == "function" || loc.kind == "trust" {
		// In a resource policy the action and resource are this function's
		// (or role's) own: the request is set apart by its principal.
		doc, caveats, err = exceptPrincipal(loc.doc, d.Index, r)
	} else {
		var onlyFor []string
		if (loc.kind == "managed" || loc.kind == "boundary") && fn.Role != nil {
			// A managed policy can be attached to other roles too: the edit
			// applies to this role only, the others keep the deny as it was.
			onlyFor = rolePrincipalARNs(fn.Role)
		}
		doc, caveats, err = editDeny(loc.doc, d.Index, r.Action, r.Resource, allowedResources(fn, r.Action), onlyFor)
	}
	if err != nil {
		return plan{fix: Fix{Door: v.Door, Explanation: what + "; the edit could not be computed: " + err.Error()}}
	}
	expl := what + "; this is the same document with that deny narrowed so it no longer covers this request (every other statement unchanged)"
	if len(caveats) > 0 {
		expl += "; " + strings.Join(caveats, "; ")
	}
	p := plan{fix: Fix{Door: v.Door, Explanation: expl, Document: doc}}
	role := ""
	if fn.Role != nil {
		role = fn.Role.Name
	}
	switch loc.kind {
	case "inline":
		name := loc.name
		p.fix.Command = "aws iam put-role-policy --role-name " + shellQuote(role) + " --policy-name " + shellQuote(name) + " --policy-document " + shellQuote(doc)
		p.apply = func(w *account.Function) error {
			for i := range w.Role.Inline {
				if w.Role.Inline[i].Name == name {
					w.Role.Inline[i].Document = doc
				}
			}
			return nil
		}
		p.iac = func(f Format) string { return iacInline(f, role, name, doc) }
	case "managed", "boundary":
		arn := loc.name
		if strings.HasPrefix(arn, "arn:aws:iam::aws:") {
			p.fix.Explanation = what + "; it is an AWS managed policy, which cannot be edited: replace it with a customer managed copy without that deny"
			p.fix.Owner = "the role's owner"
			return p
		}
		p.fix.Command = "aws iam create-policy-version --policy-arn " + shellQuote(arn) + " --set-as-default --policy-document " + shellQuote(doc)
		p.fix.Explanation += " (IAM keeps at most 5 versions: delete an old one first if it has 5)"
		kind := loc.kind
		p.apply = func(w *account.Function) error {
			if kind == "boundary" {
				w.Role.Boundary.Document = doc
				return nil
			}
			for i := range w.Role.Managed {
				if w.Role.Managed[i].ARN == arn {
					w.Role.Managed[i].Document = doc
				}
			}
			return nil
		}
		p.iac = func(f Format) string { return iacManagedDoc(f, arn, doc) }
	case "trust":
		p.fix.Command = "aws iam update-assume-role-policy --role-name " + shellQuote(role) + " --policy-document " + shellQuote(doc)
		p.apply = func(w *account.Function) error { w.Role.Trust = doc; return nil }
		p.iac = func(f Format) string { return iacTrust(f, role, doc) }
	case "function":
		q := loc.name
		p.fix.Command = "aws lambda put-resource-policy --resource-arn " + shellQuote(qualifiedARN(fn, q)) + " --policy " + shellQuote(doc)
		p.fix.Explanation += "; AddPermission cannot remove a deny, so the whole resource policy is written back with every statement"
		p.apply = func(w *account.Function) error {
			for i := range w.ResourcePolicies {
				if w.ResourcePolicies[i].Qualifier == q {
					w.ResourcePolicies[i].Document = doc
				}
			}
			return nil
		}
	}
	return p
}

func qualifiedARN(fn *account.Function, q string) string {
	if q == "" {
		return fn.ARN
	}
	return fn.ARN + ":" + q
}

type location struct {
	kind string // inline | managed | boundary | trust | function | scp | rcp
	name string // inline policy name, policy ARN, or qualifier
	doc  string
}

// locate finds the policy a trace name refers to (the names the builders
// give: role/R/inline/P, a managed policy ARN, "function policy (Q)"...).
func locate(fn *account.Function, door Door, name string) location {
	if r := fn.Role; r != nil {
		for _, p := range r.Inline {
			if name == "role/"+r.Name+"/inline/"+p.Name {
				return location{"inline", p.Name, p.Document}
			}
		}
		for _, p := range r.Managed {
			if name == p.ARN {
				return location{"managed", p.ARN, p.Document}
			}
		}
		if b := r.Boundary; b != nil && name == b.ARN {
			return location{"boundary", b.ARN, b.Document}
		}
		if name == "trust policy of role/"+r.Name {
			return location{"trust", "", r.Trust}
		}
	}
	for _, p := range fn.ResourcePolicies {
		n := "function policy"
		if p.Qualifier != "" {
			n += " (" + p.Qualifier + ")"
		}
		if n == name {
			return location{"function", p.Qualifier, p.Document}
		}
	}
	if o := fn.Org; o != nil {
		for kind, levels := range map[string][][]account.ManagedPolicy{"scp": o.SCPs, "rcp": o.RCPs} {
			for _, l := range levels {
				for _, p := range l {
					if name == p.ARN || name == p.Name {
						return location{kind, p.ARN, p.Document}
					}
				}
			}
		}
	}
	return location{}
}

func jsonList(l []string) json.RawMessage {
	if len(l) == 1 {
		return mustRaw(l[0])
	}
	return mustRaw(l)
}

func mustRaw(v any) json.RawMessage { return json.RawMessage(mustJSON(v)) }

// orderedStatement writes a statement's elements in IAM's usual order.
func orderedStatement(m map[string]json.RawMessage) json.RawMessage {
	order := []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
	var keys []string
	seen := map[string]bool{}
	for _, k := range order {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
			seen[k] = true
		}
	}
	var extra []string
	for k := range m {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	keys = append(keys, extra...)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(mustJSON(k))
		b.WriteByte(':')
		b.Write(compactRaw(m[k]))
	}
	b.WriteByte('}')
	return json.RawMessage(b.String())
}

func compactRaw(r json.RawMessage) []byte {
	var v any
	if json.Unmarshal(r, &v) != nil {
		return r
	}
	b, err := marshal(v)
	if err != nil {
		return r
	}
	return b
}

// cloneFunction deep-copies the parts of fn that fixes change.
func cloneFunction(fn *account.Function) *account.Function {
	c := *fn
	c.ResourcePolicies = append([]account.ResourcePolicy(nil), fn.ResourcePolicies...)
	if fn.Role != nil {
		r := *fn.Role
		r.Inline = append([]account.InlinePolicy(nil), r.Inline...)
		r.Managed = append([]account.ManagedPolicy(nil), r.Managed...)
		if r.Boundary != nil {
			b := *r.Boundary
			r.Boundary = &b
		}
		c.Role = &r
	}
	return &c
}

func whoName(p string) string {
	if p == "*" {
		return "anonymous callers (*)"
	}
	return p
}

// blamedFix names who must act on a denial in a policy the model does not
// hold; no command is offered (nothing here could be verified).
func blamedFix(fn *account.Function, v *Verdict) Fix {
	r := v.Request()
	role := fn.Config.RoleARN
	f := Fix{Door: v.Door}
	switch v.Blamed {
	case "VPC endpoint":
		f.Owner = "the owner of the VPC endpoint the function's traffic goes through (the network team)"
		f.Explanation = fmt.Sprintf("AWS reported that the VPC endpoint policy does not allow %s on %s; the role's own policies do, so changing them would not help: the endpoint policy must allow the request (aws ec2 describe-vpc-endpoints shows it; edit it with aws ec2 modify-vpc-endpoint --policy-document)", r.Action, r.Resource)
	case "resource-based":
		f.Owner = "the owner of " + r.Resource
		f.Explanation = fmt.Sprintf("AWS reported that the resource-based policy of %s does not allow %s for role %s; that policy is not in the model and the role's own policies allow the call: the resource's policy (bucket, key, queue or topic policy) must allow it", r.Resource, r.Action, role)
	case "ECR repository":
		f.Owner = "the owner of the ECR repository " + r.Resource
		f.Explanation = fmt.Sprintf("Lambda could not pull the container image: the repository policy of %s must allow the principal lambda.amazonaws.com ecr:BatchGetImage and ecr:GetDownloadUrlForLayer (from another account, also scoped with an aws:sourceARN condition on arn:%s:lambda:%s:%s:function:*); see it with aws ecr get-repository-policy. aws ecr set-repository-policy replaces the whole policy, so keep every existing statement", r.Resource, fn.PartitionName(), fn.Region, fn.Account)
	case "service control", "resource control":
		f.Owner = "the AWS Organizations administrators (management account or delegated administrator)"
		f.Explanation = fmt.Sprintf("AWS reported a %s policy denying %s on %s; the organization's policies are not in the model: only the organization's administrators can change them", v.Blamed, r.Action, r.Resource)
	default:
		f.Owner = "whoever controls the " + v.Blamed + " policy"
		f.Explanation = fmt.Sprintf("AWS reported that a %s policy denies %s on %s; that policy is not in the model", v.Blamed, r.Action, r.Resource)
	}
	return f
}
