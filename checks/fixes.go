package checks

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// fixesFor returns the fixes that open every closed verdict. Several calls
// that the role lacks only an allow for (the three SQS polling actions, the
// ENI actions of a VPC function) get one inline policy holding exactly those
// grants, verified by judging every call again on a copy of the function;
// anything else comes from diagnose's fix synthesis (each verified there).
func fixesFor(fn *account.Function, rule string, closed []*judge.Verdict) []Fix {
	if len(closed) > 1 || assumedKeyPolicy(closed) {
		if f, ok := mergedGrant(fn, rule, closed); ok {
			return []Fix{f}
		}
	}
	var out []Fix
	seen := map[string]bool{}
	for _, v := range closed {
		for _, f := range fix.For(fn, v, fix.CLI) {
			cmd := f.Command
			expl := f.Explanation
			if cmd == "" {
				if f.Owner == "" {
					continue
				}
				// Nobody in this account can apply it: say who must act.
				expl = "to be done by " + f.Owner + ": " + f.Explanation
				if f.Document != "" {
					expl += " " + f.Document
				}
			}
			key := cmd + "\x00" + expl
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, Fix{Command: cmd, Explanation: expl, Verified: f.Verified && cmd != ""})
		}
	}
	return out
}

type grantStmt struct {
	Sid      string   `json:"Sid"`
	Effect   string   `json:"Effect"`
	Action   []string `json:"Action"`
	Resource []string `json:"Resource"`
}

// mergedGrant builds one put-role-policy for calls that only lack an allow
// in the role's identity policies.
func mergedGrant(fn *account.Function, rule string, closed []*judge.Verdict) (Fix, bool) {
	if fn.Role == nil {
		return Fix{}, false
	}
	byResource := map[string][]string{}
	var order []string
	for _, v := range closed {
		if v.Door != judge.Outbound || v.Call == nil {
			return Fix{}, false
		}
		p := v.Failing()
		if p == nil || p.Result.Decision != simulate.ImplicitDeny || lackingLayer(p.Result) != "identity" {
			return Fix{}, false
		}
		r := p.Input.Request
		if _, ok := byResource[r.Resource]; !ok {
			order = append(order, r.Resource)
		}
		if !contains(byResource[r.Resource], r.Action) {
			byResource[r.Resource] = append(byResource[r.Resource], r.Action)
		}
	}
	// One statement per distinct set of actions, naming every resource
	// that needs exactly that set.
	var stmts []grantStmt
	index := map[string]int{}
	for _, res := range order {
		acts := byResource[res]
		key := strings.Join(acts, ",")
		if i, ok := index[key]; ok {
			stmts[i].Resource = append(stmts[i].Resource, res)
			continue
		}
		index[key] = len(stmts)
		stmts = append(stmts, grantStmt{Effect: "Allow", Action: acts, Resource: []string{res}})
	}
	base := "Lambda"
	for _, w := range strings.Split(rulesByID[rule].Name, "-") {
		if w != "" {
			base += strings.ToUpper(w[:1]) + w[1:]
		}
	}
	for i := range stmts {
		stmts[i].Sid = base
		if len(stmts) > 1 {
			stmts[i].Sid += fmt.Sprint(i + 1)
		}
	}
	doc, err := json.Marshal(struct {
		Version   string      `json:"Version"`
		Statement []grantStmt `json:"Statement"`
	}{"2012-10-17", stmts})
	if err != nil {
		return Fix{}, false
	}
	name := unusedPolicyName(fn.Role, "lambda-doctor-"+rulesByID[rule].Name)

	// Verify: the same calls, judged on a copy of the function whose role
	// has the new inline policy.
	work := *fn
	role := *fn.Role
	role.Inline = append(append([]account.InlinePolicy(nil), fn.Role.Inline...), account.InlinePolicy{Name: name, Document: string(doc)})
	work.Role = &role
	verified := true
	for _, v := range closed {
		if !judge.CheckOutbound(&work, *v.Call).Open() {
			verified = false
			break
		}
	}
	var acts []string
	for _, s := range stmts {
		acts = append(acts, s.Action...)
	}
	acts = dedupe(acts)
	sort.Strings(acts)
	return Fix{
		Command: fmt.Sprintf("aws iam put-role-policy --role-name %s --policy-name %s --policy-document '%s'",
			shellQuote(fn.Role.Name), shellQuote(name), strings.ReplaceAll(string(doc), "'", `'\''`)),
		Explanation: fmt.Sprintf("adds one inline policy to role %s granting exactly the missing %s on the resources the configuration names",
			fn.Role.Name, strings.Join(acts, ", ")),
		Verified: verified,
	}, true
}

// assumedKeyPolicy reports whether a verdict was judged with an assumed
// KMS key policy, which diagnose's verification does not know about.
func assumedKeyPolicy(vs []*judge.Verdict) bool {
	for _, v := range vs {
		for _, p := range v.Probes {
			if p.Input.Resource != nil && strings.HasPrefix(p.Input.Resource.Name, "key policy of ") {
				return true
			}
		}
	}
	return false
}

// lackingLayer names the first layer of the decision flow that did not
// allow.
func lackingLayer(r *simulate.Result) string {
	for _, l := range r.Layers {
		if l.Decision != simulate.Allow {
			return l.Layer
		}
	}
	return ""
}

func unusedPolicyName(r *account.Role, base string) string {
	used := map[string]bool{}
	for _, p := range r.Inline {
		used[p.Name] = true
	}
	name := base
	for i := 2; used[name]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	return name
}
