package fix

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
	"github.com/lambda-doctor/lambda-doctor/simulate/iamdata"
)

// --- explicit denies ---------------------------------------------------------

// denyPlan edits one explicit deny out of its policy for this request only.
func denyPlan(fn *account.Function, v *judge.Verdict, r simulate.Request, d simulate.StatementRef, t Target) plan {
	loc := locate(fn, d.Policy)
	what := fmt.Sprintf("statement %s of %s explicitly denies %s on %s", d.Statement, d.Policy, r.Action, r.Resource)
	switch loc.kind {
	case "scp", "rcp":
		kind := "a service control policy (SCP)"
		if loc.kind == "rcp" {
			kind = "a resource control policy (RCP)"
		}
		return plan{fix: Fix{Door: v.Door,
			Owner: orgOwnerOf(fn, loc.name),
			Explanation: fmt.Sprintf("%s; %s is %s, which this account cannot change: only the organization's administrators can make an exception for this request%s",
				what, orgPolicyWhere(fn, loc.name), kind, lambdasOwnCall(v, r))}}
	case "":
		return plan{fix: Fix{Door: v.Door, Explanation: what + "; lambda-doctor cannot tell where that policy lives: remove the deny for this request by hand"}}
	}
	var doc string
	var caveats []string
	var err error
	if loc.kind == "function" || loc.kind == "trust" || loc.kind == "key" {
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
		p.fix.Command = putRolePolicy(t, role, name, doc)
		p.apply = func(w *account.Function) error {
			for i := range w.Role.Inline {
				if w.Role.Inline[i].Name == name {
					w.Role.Inline[i].Document = doc
				}
			}
			return nil
		}
		roleARN := fn.Role.ARN
		p.iac = func(r render) string { return iacInline(r, roleARN, role, name, doc) }
	case "managed", "boundary":
		arn := loc.name
		if awsManaged(arn) {
			p.fix.Explanation = what + "; it is an AWS managed policy, which cannot be edited: replace it with a customer managed copy without that deny"
			p.fix.Owner = "the role's owner"
			return p
		}
		p.fix.Command = createPolicyVersion(t, arn, doc)
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
		p.iac = func(r render) string { return iacManagedDoc(r, arn, doc) }
	case "trust":
		p.fix.Command = updateAssumeRolePolicy(t, role, doc)
		p.apply = func(w *account.Function) error { w.Role.Trust = doc; return nil }
		roleARN := fn.Role.ARN
		p.iac = func(r render) string { return iacTrust(r, roleARN, role, doc) }
	case "key":
		arn := loc.name
		if k := fn.KeyByARN(arn); k != nil && k.KeyManager == account.KeyManagerAWS {
			p.fix.Explanation = what + "; it is an AWS managed key, whose policy nobody can change"
			p.fix.Owner = "AWS (an AWS managed key's policy cannot be changed)"
			p.fix.Document = ""
			return p
		}
		if a := judge.ARNAccount(arn, fn.Account); a != fn.Account {
			p.fix.Owner = "the administrators of key " + arn + " in account " + a
			return p
		}
		p.fix.Command = putKeyPolicy(t, arn, doc)
		p.fix.Explanation += "; put-key-policy replaces the whole key policy, so every statement is written back"
		p.apply = func(w *account.Function) error {
			if k := w.KeyByARN(arn); k != nil {
				k.Policy = doc
			}
			return nil
		}
	case "function":
		q := loc.name
		p.fix.Explanation += "; AddPermission cannot remove a deny, so the whole resource policy is written back with every statement, " +
			"only if it is still the revision that was read (--revision-id); needs " + putResourcePolicyCLI
		if rev := revisionOf(fn, q); rev != "" {
			p.fix.Command = putResourcePolicy(t, judge.QualifiedARN(fn, q), doc, rev)
		} else {
			p.fix = refused(p.fix, "the revision of this resource policy is not known (not in the snapshot, or changed by a fix above), "+
				"and put-resource-policy without --revision-id could overwrite a change made since it was read; read the policy again (aws lambda get-policy) and write the document back with --revision-id")
		}
		p.apply = func(w *account.Function) error {
			for i := range w.ResourcePolicies {
				if w.ResourcePolicies[i].Qualifier == q {
					w.ResourcePolicies[i].Document = doc
					w.ResourcePolicies[i].RevisionID = "" // a new one, not known here
				}
			}
			return nil
		}
	}
	return p
}

// revisionOf is the revision id of fn's resource policy for qualifier q, as
// read ("" when not known).
func revisionOf(fn *account.Function, q string) string {
	for _, p := range fn.ResourcePolicies {
		if p.Qualifier == q {
			return p.RevisionID
		}
	}
	return ""
}

type location struct {
	kind string // inline | managed | boundary | trust | function | scp | rcp
	name string // inline policy name, policy ARN, or qualifier
	doc  string
}

// locate finds the policy a trace name refers to (the names the builders
// give: role/R/inline/P, a managed policy ARN, "function policy (Q)"...).
func locate(fn *account.Function, name string) location {
	if r := fn.Role; r != nil {
		for _, p := range r.Inline {
			if name == judge.InlineName(r.Name, p.Name) {
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
		if name == judge.TrustName(r.Name) {
			return location{"trust", "", r.Trust}
		}
	}
	for _, p := range fn.ResourcePolicies {
		if judge.FunctionPolicyName(p.Qualifier) == name {
			return location{"function", p.Qualifier, p.Document}
		}
	}
	if arn, ok := judge.KeyPolicyOf(name); ok && name == judge.KeyPolicyName(arn) {
		if k := fn.KeyByARN(arn); k != nil && k.Policy != "" {
			return location{"key", arn, k.Policy}
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

// maxExpand bounds the expansion of a wildcard action list into literal
// actions when an action is taken out of a deny.
const maxExpand = 60

// editDeny narrows statement idx (a Deny) of doc so that it no longer
// covers action on resource and keeps denying everything else it denied:
//
//   - the other actions stay denied as they were (a wildcard list is
//     expanded into its actions from the IAM data);
//   - for the request's action, a literal resource is taken out of the
//     Resource list; a "*" resource becomes NotResource [resource];
//   - a pattern resource (arn:aws:s3:::audit-*/*) cannot lose one ARN in the
//     policy grammar, so the action is denied everywhere except the request's
//     resource and the resources the role's own Allow statements grant for
//     the action outside the pattern (allowed): the role keeps what it could
//     do, the pattern stays protected, and only resources no identity policy
//     grants (reachable only through a resource-based policy) are newly
//     denied, which the returned caveat says.
//
// With onlyFor (the role's aws:PrincipalArn values), the narrowed
// statements apply to that role only and the original statement stays for
// every other principal, as a managed policy or boundary shared by several
// roles needs.
func editDeny(doc string, idx int, action, resource string, allowed, onlyFor []string) (string, []string, error) {
	d, err := decodeDoc(doc)
	if err != nil {
		return "", nil, err
	}
	if idx < 0 || idx >= len(d.Statement) {
		return "", nil, fmt.Errorf("statement %d not found", idx)
	}
	var st, st0 map[string]json.RawMessage
	if err := json.Unmarshal(d.Statement[idx], &st); err != nil {
		return "", nil, err
	}
	_ = json.Unmarshal(d.Statement[idx], &st0)
	var caveats []string
	sid := ""
	if raw, ok := st["Sid"]; ok {
		_ = json.Unmarshal(raw, &sid)
	}
	clone := func(suffix string, mod func(map[string]json.RawMessage)) json.RawMessage {
		c := map[string]json.RawMessage{}
		for k, v := range st {
			c[k] = v
		}
		if sid != "" && suffix != "" {
			c["Sid"] = mustRaw(sid + suffix)
		}
		mod(c)
		return orderedStatement(c)
	}
	var repl []json.RawMessage

	// 1. The other actions, unchanged.
	actionOnly := []string{action}
	if raw, ok := st["Action"]; ok {
		acts, _ := strList(raw)
		var lits []string
		expandable := true
		for _, a := range acts {
			if strings.ContainsAny(a, "*?") {
				exp := iamdata.Actions(a)
				if len(exp) == 0 || len(lits)+len(exp) > maxExpand {
					expandable = false
					break
				}
				lits = append(lits, exp...)
				continue
			}
			lits = append(lits, a)
		}
		if expandable {
			var rest []string
			seen := map[string]bool{}
			for _, a := range lits {
				k := strings.ToLower(a)
				if strings.EqualFold(a, action) || seen[k] {
					continue
				}
				seen[k] = true
				rest = append(rest, a)
			}
			if len(rest) > 0 {
				repl = append(repl, clone("Others", func(c map[string]json.RawMessage) { c["Action"] = jsonList(rest) }))
			}
		} else {
			actionOnly = acts
			caveats = append(caveats, fmt.Sprintf("the deny's actions %s are too many to list one by one, so the narrowing applies to all of them on this resource", strings.Join(acts, ", ")))
		}
	} else if raw, ok := st["NotAction"]; ok {
		// Deny everything but NotAction: stop denying the action there, and
		// deny it again below on everything but this resource.
		na, _ := strList(raw)
		repl = append(repl, clone("", func(c map[string]json.RawMessage) { c["NotAction"] = jsonList(append(na, action)) }))
		delete(st, "NotAction")
	}

	// 2. The request's action (or the unexpanded list), minus the resource.
	withAction := func(suffix string, mod func(map[string]json.RawMessage)) json.RawMessage {
		return clone(suffix, func(c map[string]json.RawMessage) {
			delete(c, "NotAction")
			c["Action"] = jsonList(actionOnly)
			mod(c)
		})
	}
	if raw, ok := st["Resource"]; ok {
		res, _ := strList(raw)
		var literalRest, patterns, others []string
		for _, p := range res {
			switch {
			case p == resource:
			case p == "*" || (strings.ContainsAny(p, "*?") && simulate.Glob(p, resource, false)):
				patterns = append(patterns, p)
			default:
				if strings.ContainsAny(p, "*?") {
					others = append(others, p)
				} else {
					literalRest = append(literalRest, p)
				}
			}
		}
		keep := append(literalRest, others...)
		if len(keep) > 0 {
			repl = append(repl, withAction("", func(c map[string]json.RawMessage) { c["Resource"] = jsonList(keep) }))
		}
		if len(patterns) > 0 {
			not := []string{resource}
			star := false
			for _, p := range patterns {
				star = star || p == "*"
			}
			if !star {
				for _, a := range allowed {
					disjoint := true
					for _, p := range patterns {
						if judge.GlobsIntersect(a, p) {
							disjoint = false
							break
						}
					}
					if disjoint && !judge.ContainsFold(not, a) {
						not = append(not, a)
					}
				}
				caveats = append(caveats, fmt.Sprintf("IAM cannot take one ARN out of the pattern %s, so the deny of %s now covers every resource except this one and those the role's own policies grant outside the pattern: a grant to this role only from some other resource-based policy would now be denied", strings.Join(patterns, ", "), strings.Join(actionOnly, ", ")))
			}
			repl = append(repl, withAction("", func(c map[string]json.RawMessage) {
				delete(c, "Resource")
				c["NotResource"] = jsonList(not)
			}))
		}
	} else {
		nr, _ := strList(st["NotResource"])
		repl = append(repl, withAction("", func(c map[string]json.RawMessage) { c["NotResource"] = jsonList(append(nr, resource)) }))
	}

	if len(onlyFor) > 0 {
		keep := map[string]json.RawMessage{}
		for k, v := range st0 {
			keep[k] = v
		}
		if addCond(keep, []string{"ArnNotEquals", "StringNotEquals"}, "aws:PrincipalArn", onlyFor) {
			ok := true
			for i, raw := range repl {
				var m map[string]json.RawMessage
				if json.Unmarshal(raw, &m) != nil || !addCond(m, []string{"ArnEquals", "StringEquals"}, "aws:PrincipalArn", onlyFor) {
					ok = false
					break
				}
				if sid != "" {
					var cur string
					_ = json.Unmarshal(m["Sid"], &cur)
					m["Sid"] = mustRaw(cur + "ForThisRole")
				}
				repl[i] = orderedStatement(m)
			}
			if ok {
				repl = append([]json.RawMessage{orderedStatement(keep)}, repl...)
				caveats = append(caveats, "the policy may be attached to other roles: they keep the deny unchanged (aws:PrincipalArn conditions)")
			}
		} else {
			caveats = append(caveats, "the deny already conditions on aws:PrincipalArn, so the edit could not be limited to this role: every role the policy is attached to gets it")
		}
	}
	out := append([]json.RawMessage{}, d.Statement[:idx]...)
	out = append(out, uniqueSids(d, idx, repl)...)
	out = append(out, d.Statement[idx+1:]...)
	if len(out) == 0 {
		return "", nil, fmt.Errorf("removing the deny leaves the policy empty")
	}
	d.Statement = out
	return d.String(), caveats, nil
}

// uniqueSids renames the Sids of the replacement statements that clash with
// each other or with the policy's other statements (Sids must be unique
// within a policy).
func uniqueSids(d *rawDoc, idx int, repl []json.RawMessage) []json.RawMessage {
	used := map[string]bool{}
	for i, raw := range d.Statement {
		if i == idx {
			continue
		}
		var st struct{ Sid string }
		if json.Unmarshal(raw, &st) == nil && st.Sid != "" {
			used[st.Sid] = true
		}
	}
	out := make([]json.RawMessage, len(repl))
	for i, raw := range repl {
		var st map[string]json.RawMessage
		out[i] = raw
		if json.Unmarshal(raw, &st) != nil {
			continue
		}
		var sid string
		if json.Unmarshal(st["Sid"], &sid) != nil || sid == "" {
			continue
		}
		if used[sid] {
			u := sid
			for n := 2; used[u]; n++ {
				u = fmt.Sprintf("%s%d", sid, n)
			}
			sid = u
			st["Sid"] = mustRaw(sid)
			out[i] = orderedStatement(st)
		}
		used[sid] = true
	}
	return out
}

// allowedResources lists the Resource patterns of the role's Allow
// statements (inline and managed) whose Action matches action, read through
// the engine's parsed policies.
func allowedResources(fn *account.Function, action string) []string {
	if fn.Role == nil {
		return nil
	}
	var docs []string
	for _, p := range fn.Role.Inline {
		docs = append(docs, p.Document)
	}
	for _, p := range fn.Role.Managed {
		docs = append(docs, p.Document)
	}
	var out []string
	for _, doc := range docs {
		p, err := judge.ParsePolicy(doc)
		if err != nil {
			continue
		}
		for _, st := range p.Statements {
			if st.Effect != "Allow" || st.Action == nil {
				continue
			}
			match := false
			for _, a := range st.Action {
				match = match || simulate.Glob(a, action, true)
			}
			if !match {
				continue
			}
			for _, r := range st.Resource {
				if !judge.ContainsFold(out, r) {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// exceptPrincipal narrows Deny statement idx of a resource-based policy so
// that it no longer applies to the request's principal: a condition on
// aws:PrincipalArn (the role for a role session) or, for a service,
// aws:PrincipalServiceName is added, which the policy's other conditions
// AND with. An anonymous principal cannot be set apart this way.
func exceptPrincipal(doc string, idx int, r simulate.Request) (string, []string, error) {
	key, op, val := "aws:PrincipalArn", "ArnNotEquals", judge.PrincipalARN(r.Principal)
	if v, ok := r.Context["aws:PrincipalArn"]; ok && len(v.Values) == 1 {
		// The role's ARN as the request carries it, with its path.
		val = v.Values[0]
	}
	src := ""
	if v, ok := r.Context["aws:SourceArn"]; ok && len(v.Values) == 1 {
		src = v.Values[0]
	}
	switch {
	case src != "":
		// A service call is set apart by the resource that made it.
		key, op, val = "aws:SourceArn", "ArnNotEquals", src
	case r.Principal == "*" || r.Principal == "":
		return "", nil, fmt.Errorf("an anonymous caller cannot be excepted from a deny")
	case judge.IsServicePrincipal(r.Principal):
		key, op, val = "aws:PrincipalServiceName", "StringNotEquals", r.Principal
	}
	d, err := decodeDoc(doc)
	if err != nil {
		return "", nil, err
	}
	if idx < 0 || idx >= len(d.Statement) {
		return "", nil, fmt.Errorf("statement %d not found", idx)
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal(d.Statement[idx], &st); err != nil {
		return "", nil, err
	}
	cond := map[string]map[string]any{}
	if raw, ok := st["Condition"]; ok {
		if err := json.Unmarshal(raw, &cond); err != nil {
			return "", nil, fmt.Errorf("Condition: %w", err)
		}
	}
	if cond[op] == nil {
		cond[op] = map[string]any{}
	}
	if old, ok := cond[op][key]; ok {
		cond[op][key] = append(anyList(old), val)
	} else {
		cond[op][key] = val
	}
	st["Condition"] = mustRaw(cond)
	d.Statement[idx] = orderedStatement(st)
	return d.String(), []string{fmt.Sprintf("the deny now skips requests whose %s is %s (%s added to its conditions)", key, val, op)}, nil
}

// addCond adds key: vals under the first of ops the statement's Condition
// does not already use for key; false when every op is taken.
func addCond(st map[string]json.RawMessage, ops []string, key string, vals []string) bool {
	cond := map[string]map[string]json.RawMessage{}
	if raw, ok := st["Condition"]; ok {
		if json.Unmarshal(raw, &cond) != nil {
			return false
		}
	}
	for _, op := range ops {
		taken := false
		for k := range cond[op] {
			taken = taken || strings.EqualFold(k, key)
		}
		if taken {
			continue
		}
		if cond[op] == nil {
			cond[op] = map[string]json.RawMessage{}
		}
		cond[op][key] = jsonList(vals)
		st["Condition"] = mustRaw(cond)
		return true
	}
	return false
}

// rolePrincipalARNs are the aws:PrincipalArn values of the role's sessions:
// the role ARN, and without its path when it has one.
func rolePrincipalARNs(r *account.Role) []string {
	out := []string{r.ARN}
	if bare := fmt.Sprintf("arn:%s:iam::%s:role/%s", account.ARNField(r.ARN, 1), account.ARNField(r.ARN, 4), r.Name); bare != r.ARN {
		out = append(out, bare)
	}
	return out
}

// anyList reads a decoded string-or-list value.
func anyList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case bool, float64:
		return []string{fmt.Sprint(x)}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}
