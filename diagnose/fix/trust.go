package fix

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// --- trust ---------------------------------------------------------------------

func trustPlan(fn *account.Function, v *judge.Verdict, t Target) plan {
	d, err := decodeDoc(fn.Role.Trust)
	if err != nil {
		return plan{fix: Fix{Door: judge.Trust, Explanation: "the trust policy could not be read as JSON: " + err.Error()}}
	}
	add := stmt{Sid: uniqueSid("AllowLambdaAssumeRole", d.sids()), Effect: "Allow", Principal: map[string]string{"Service": "lambda.amazonaws.com"}, Action: "sts:AssumeRole"}
	// Keep the confused-deputy scoping the policy already uses (Lambda DG
	// permissions-managed-policies: "you can include the aws:SourceAccount
	// and aws:SourceArn global condition context keys in your role trust
	// policy"), in a form every reading of the IAM User Guide agrees on:
	// the account, and the function's exact ARN (no wildcard that could
	// have to match ':').
	trust := strings.ToLower(fn.Role.Trust)
	if strings.Contains(trust, "aws:sourceaccount") || strings.Contains(trust, "aws:sourcearn") {
		add.Condition = map[string]map[string]string{}
	}
	if strings.Contains(trust, "aws:sourceaccount") {
		add.Condition["StringEquals"] = map[string]string{"aws:SourceAccount": fn.Account}
	}
	if strings.Contains(trust, "aws:sourcearn") {
		add.Condition["ArnLike"] = map[string]string{"aws:SourceArn": fn.ARN}
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
		fix: Fix{Door: judge.Trust,
			Command:     updateAssumeRolePolicy(t, role, doc),
			Explanation: fmt.Sprintf("the trust policy of role %s does not let lambda.amazonaws.com assume it; this is the whole trust policy with that statement added, %s", role, keep),
			Document:    doc},
		apply: func(w *account.Function) error {
			w.Role.Trust = doc
			return nil
		},
		iac: func(r render) string { return iacTrust(r, fn.Role.ARN, role, doc) },
	}
}

// lambdaPrincipals are the service principals an execution role may trust.
var lambdaPrincipals = map[string]bool{"lambda.amazonaws.com": true, "edgelambda.amazonaws.com": true}

// NarrowTrust is the fix for a trust policy that trusts more than Lambda:
// the role's trust policy with every Allow statement limited to the Lambda
// service principals (statements left with no principal are dropped; Deny
// statements and conditions are kept). It is verified when Lambda can
// still assume the role and no Allow statement names another principal.
// false when the policy trusts only Lambda, or cannot be edited. The
// command runs with the named profile ("" for none; see Target).
func NarrowTrust(fn *account.Function, profile string) (Fix, bool) {
	if fn.Role == nil {
		return Fix{}, false
	}
	d, err := decodeDoc(fn.Role.Trust)
	if err != nil {
		return Fix{}, false
	}
	var kept []json.RawMessage
	var removed []string
	for _, raw := range d.Statement {
		var st map[string]json.RawMessage
		if err := json.Unmarshal(raw, &st); err != nil {
			return Fix{}, false
		}
		var effect string
		_ = json.Unmarshal(st["Effect"], &effect)
		if effect != "Allow" {
			kept = append(kept, raw)
			continue
		}
		if _, ok := st["NotPrincipal"]; ok {
			removed = append(removed, "NotPrincipal")
			continue
		}
		var services []string
		var principal map[string]json.RawMessage
		if err := json.Unmarshal(st["Principal"], &principal); err != nil {
			removed = append(removed, "\"*\"")
			continue // "*" or malformed: nothing to keep
		}
		for kind, v := range principal {
			vals, ok := strList(v)
			if !ok {
				return Fix{}, false
			}
			for _, p := range vals {
				if kind == "Service" && lambdaPrincipals[p] {
					services = append(services, p)
				} else {
					removed = append(removed, kind+" "+p)
				}
			}
		}
		if len(services) == 0 {
			continue
		}
		sort.Strings(services)
		var svc any = services
		if len(services) == 1 {
			svc = services[0]
		}
		st["Principal"] = mustRaw(map[string]any{"Service": svc})
		kept = append(kept, orderedStatement(st))
	}
	if len(removed) == 0 {
		return Fix{}, false
	}
	d.Statement = kept
	doc := d.String()

	work := cloneFunction(fn)
	work.Role.Trust = doc
	verified := judge.CheckTrust(work).Open() && onlyLambdaTrusted(doc)
	sort.Strings(removed)
	removed = slices.Compact(removed)
	role := fn.Role.Name
	f := Fix{
		Door:        judge.Trust,
		Format:      CLI,
		Command:     updateAssumeRolePolicy(TargetOf(fn, profile), role, doc),
		Explanation: fmt.Sprintf("the whole trust policy of role %s without %s; Lambda can still assume the role", role, strings.Join(removed, ", ")),
		Verified:    verified,
		Document:    doc,
	}
	if why := UnsafeCommand(f.Command); why != "" {
		f = refused(f, why)
	}
	return f, true
}

// onlyLambdaTrusted reports whether every Allow statement of a trust policy
// names only the Lambda service principals.
func onlyLambdaTrusted(doc string) bool {
	p, err := judge.ParsePolicy(doc)
	if err != nil {
		return false
	}
	for _, st := range p.Statements {
		if st.Effect != "Allow" {
			continue
		}
		if st.NotPrincipal != nil || st.Principal == nil || st.Principal.All {
			return false
		}
		for kind, vals := range st.Principal.Values {
			for _, v := range vals {
				if kind != "Service" || !lambdaPrincipals[v] {
					return false
				}
			}
		}
	}
	return true
}
