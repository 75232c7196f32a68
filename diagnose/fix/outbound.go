package fix

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// --- outbound and logs: the execution role ----------------------------------

func outboundPlans(fn *account.Function, v *judge.Verdict, t Target) []plan {
	r := v.Request()
	missing := missingLayers(v)
	if p, ok := orgPlans(v.Door, missing, r); ok {
		return p
	}
	grants := failingGrants(v)
	what := r.Action + " on " + judge.GrantResource(r.Action, r.Resource)
	if len(grants) > 1 || len(listOf(grants[0].Action)) > 1 {
		var parts []string
		for _, g := range grants {
			parts = append(parts, strings.Join(listOf(g.Action), ", ")+" on "+strings.Join(listOf(g.Resource), ", "))
		}
		what = strings.Join(parts, "; ")
	}
	if missing[simulate.LayerResource] && judge.IsKMSKey(r.Resource) {
		// The key policy neither delegates to IAM nor names the role: no
		// identity policy can open it; the key policy must.
		return []plan{keyPolicyPlan(fn, v, r, t)}
	}
	var plans []plan
	if missing[simulate.LayerIdentity] {
		plans = append(plans, inlinePlan(fn, v.Door, grants,
			fmt.Sprintf("no policy of role %s allows %s; this adds one inline policy with exactly that grant", fn.Role.Name, what), t))
	}
	if missing[simulate.LayerBoundary] {
		plans = append(plans, boundaryPlan(fn, v.Door, grants, r, t))
	}
	return plans
}

// failingGrants are the Allow statements for the probes that are not
// allowed: the exact actions on the exact resources ("*" for actions that
// take none), one statement per distinct set of actions naming every
// resource that needs exactly that set, each with its own Sid.
func failingGrants(v *judge.Verdict) []stmt {
	var order []string
	acts := map[string][]string{}
	for _, p := range v.Probes {
		if p.Result == nil || p.Result.Decision == simulate.Allow {
			continue
		}
		r := p.Input.Request
		res := judge.GrantResource(r.Action, r.Resource)
		if _, ok := acts[res]; !ok {
			order = append(order, res)
		}
		if !judge.ContainsFold(acts[res], r.Action) {
			acts[res] = append(acts[res], r.Action)
		}
	}
	type group struct {
		actions   []string
		resources []string
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, res := range order {
		key := strings.Join(acts[res], "\x00")
		g := byKey[key]
		if g == nil {
			g = &group{actions: acts[res]}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.resources = append(g.resources, res)
	}
	var out []stmt
	used := map[string]bool{}
	for _, g := range groups {
		a := g.actions
		var act any = a
		sid := sidFor(a[0])
		if len(a) == 1 {
			act = a[0]
		} else {
			sid = sidFor(strings.SplitN(a[0], ":", 2)[0] + ":Access")
		}
		sid = uniqueSid(sid, used)
		used[sid] = true
		var res any = g.resources
		if len(g.resources) == 1 {
			res = g.resources[0]
		}
		out = append(out, stmt{Sid: sid, Effect: "Allow", Action: act, Resource: res})
	}
	return out
}

// listOf is a string-or-list element as a list.
func listOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []string:
		return x
	}
	return nil
}

func logsPlans(fn *account.Function, v *judge.Verdict, t Target) []plan {
	missing := missingLayers(v)
	r := v.Request()
	if p, ok := orgPlans(judge.Logs, missing, r); ok {
		return p
	}
	var plans []plan
	group := judge.LogGroupName(fn)
	groupARN := judge.LogGroupARN(fn)
	var actions []string
	for _, p := range v.Probes {
		if p.Result != nil && p.Result.Decision != simulate.Allow {
			actions = append(actions, p.Input.Request.Action)
		}
	}
	if missing[simulate.LayerIdentity] {
		basic := basicExecutionRoleARN(t.Partition)
		if !fn.Config.Logging.Custom && !hasManaged(fn.Role, basic) {
			role := fn.Role.Name
			plans = append(plans, plan{
				fix: Fix{Door: judge.Logs,
					Command:     attachRolePolicy(t, role, basic),
					Explanation: fmt.Sprintf("role %s may not write the function's logs (%s); the AWS managed policy AWSLambdaBasicExecutionRole grants logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents", role, strings.Join(actions, ", "))},
				apply: func(w *account.Function) error {
					w.Role.Managed = append(w.Role.Managed, account.ManagedPolicy{ARN: basic, Name: "AWSLambdaBasicExecutionRole", Document: basicExecutionRoleDoc})
					return nil
				},
				iac: func(r render) string { return iacManaged(r, fn.Role.ARN, role, basic) },
			})
		} else {
			sts := logStatements(groupARN, actions)
			plans = append(plans, inlinePlan(fn, judge.Logs, sts,
				fmt.Sprintf("role %s may not write to the log group %s (%s); this adds one inline policy for that group", fn.Role.Name, group, strings.Join(actions, ", ")), t))
		}
	}
	if missing[simulate.LayerBoundary] {
		plans = append(plans, boundaryPlan(fn, judge.Logs, logStatements(groupARN, actions), r, t))
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

// inlinePlan adds one inline policy to the execution role under a name the
// role does not use yet, so no existing grant is overwritten.
func inlinePlan(fn *account.Function, door judge.Door, sts []stmt, why string, t Target) plan {
	base := "lambda-doctor-" + shortMarkers(fn.Name)
	if len(sts) == 1 {
		if a, ok := sts[0].Action.(string); ok {
			base = "lambda-doctor-" + strings.NewReplacer(":", "-", "*", "all").Replace(a)
		}
	}
	if door == judge.Logs {
		base = "lambda-doctor-logs"
	}
	return rolePolicyPlan(fn.Role, door, base, sts, why, func(w *account.Function) *account.Role { return w.Role }, t)
}

// rolePolicyPlan adds one inline policy named after base to role r (the
// execution role, or an invoking role: roleOf finds it in a copy of the
// function).
func rolePolicyPlan(r *account.Role, door judge.Door, base string, sts []stmt, why string, roleOf func(*account.Function) *account.Role, t Target) plan {
	role := r.Name
	used := map[string]bool{}
	for _, p := range r.Inline {
		used[p.Name] = true
	}
	name := unique(sanitize(base, 128), used)
	d := &rawDoc{Version: "2012-10-17"}
	for _, s := range sts {
		d.add(s)
	}
	doc := d.String()
	return plan{
		fix: Fix{Door: door,
			Command:     putRolePolicy(t, role, name, doc),
			Explanation: why,
			Document:    doc},
		apply: func(w *account.Function) error {
			wr := roleOf(w)
			if wr == nil {
				return fmt.Errorf("role %s not in the model", role)
			}
			wr.Inline = append(wr.Inline, account.InlinePolicy{Name: name, Document: doc})
			return nil
		},
		iac: func(rr render) string { return iacInline(rr, r.ARN, role, name, doc) },
	}
}

// boundaryPlan adds the grant to the permissions boundary as a new default
// version carrying every existing statement.
func boundaryPlan(fn *account.Function, door judge.Door, grants []stmt, r simulate.Request, t Target) plan {
	b := fn.Role.Boundary
	d, err := decodeDoc(b.Document)
	if err != nil {
		return plan{fix: Fix{Door: door, Explanation: fmt.Sprintf("the permissions boundary %s does not allow %s on %s, and its document could not be edited: %v", b.ARN, r.Action, r.Resource, err)}}
	}
	used := d.sids()
	for _, g := range grants {
		g.Sid = uniqueSid(g.Sid, used)
		used[g.Sid] = true
		d.add(g)
	}
	doc := d.String()
	if awsManaged(b.ARN) {
		return plan{fix: Fix{Door: door, Owner: "whoever chose the AWS managed boundary " + b.ARN,
			Explanation: fmt.Sprintf("the permissions boundary is the AWS managed policy %s, which does not allow %s on %s and cannot be edited: set a customer managed boundary that allows it", b.ARN, r.Action, r.Resource)}}
	}
	arn := b.ARN
	return plan{
		fix: Fix{Door: door,
			Command:     createPolicyVersion(t, arn, doc),
			Explanation: fmt.Sprintf("the permissions boundary %s does not allow %s on %s; this makes a new default version of it with every existing statement and the missing grant (IAM keeps at most 5 versions: delete an old one first if it has 5)", arn, r.Action, r.Resource),
			Document:    doc},
		apply: func(w *account.Function) error {
			w.Role.Boundary.Document = doc
			return nil
		},
		iac: func(r render) string { return iacManagedDoc(r, arn, doc) },
	}
}
