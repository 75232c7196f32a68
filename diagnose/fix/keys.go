package fix

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// --- KMS keys and the causes that are not a missing grant --------------------

// keyPolicyPlan opens a KMS key whose policy neither delegates to IAM nor
// names the execution role: the same key policy with one statement that
// lets the role make the failing calls (scoped to the function's
// encryption context when the request carries it), every other statement
// kept. put-key-policy replaces the whole document (KMS API, PutKeyPolicy).
func keyPolicyPlan(fn *account.Function, v *judge.Verdict, r simulate.Request, t Target) plan {
	arn := r.Resource
	key := fn.KeyByARN(arn)
	role := fn.Role
	var actions []string
	var ctx simulate.Context
	for _, p := range v.Probes {
		if p.Result != nil && p.Result.Decision != simulate.Allow && p.Input.Request.Resource == arn && !judge.ContainsFold(actions, p.Input.Request.Action) {
			actions = append(actions, p.Input.Request.Action)
			ctx = p.Input.Request.Context
		}
	}
	what := fmt.Sprintf("the key policy of %s neither lets IAM policies grant access (no statement allowing arn:%s:iam::%s:root) nor names role %s, so no identity policy can allow %s on it (AWS KMS Developer Guide, key-policies)",
		arn, fn.PartitionName(), judge.ARNAccount(arn, fn.Account), role.Name, strings.Join(actions, ", "))
	if key == nil || key.Policy == "" {
		return plan{fix: Fix{Door: v.Door, Explanation: what + "; its document is not in the model: add a statement for the role to it"}}
	}
	d, err := decodeDoc(key.Policy)
	if err != nil {
		return plan{fix: Fix{Door: v.Door, Explanation: what + "; the key policy could not be edited: " + err.Error()}}
	}
	used := d.sids()
	st := stmt{Sid: uniqueSid(logicalID("Allow", role.Name), used), Effect: "Allow", Principal: map[string]string{"AWS": role.ARN}, Resource: "*"}
	if len(actions) == 1 {
		st.Action = actions[0]
	} else {
		st.Action = actions
	}
	if fa := ctx["kms:EncryptionContext:aws:lambda:FunctionArn"]; len(fa.Values) == 1 {
		st.Condition = map[string]map[string]string{"StringEquals": {"kms:EncryptionContext:aws:lambda:FunctionArn": fa.Values[0]}}
	}
	d.add(st)
	doc := d.String()
	expl := what + "; this is the same key policy with one statement added for the role, every other statement unchanged (put-key-policy replaces the whole policy)"
	f := Fix{Door: v.Door, Explanation: expl, Document: doc}
	switch {
	case key.KeyManager == account.KeyManagerAWS:
		f.Document = ""
		f.Owner = "AWS (an AWS managed key's policy cannot be changed)"
		f.Explanation = what + "; it is an AWS managed key, whose policy nobody can change: use a customer managed key whose policy lets the role in"
		return plan{fix: f}
	case judge.ARNAccount(arn, fn.Account) != fn.Account:
		f.Owner = "the administrators of key " + arn + " in account " + judge.ARNAccount(arn, "")
		f.Explanation = what + "; the key is another account's: its administrators must add the statement in Document to its policy"
		return plan{fix: f}
	}
	f.Command = putKeyPolicy(t, arn, doc)
	return plan{fix: f, apply: func(w *account.Function) error {
		k := w.KeyByARN(arn)
		if k == nil {
			return fmt.Errorf("key %s not in the model", arn)
		}
		k.Policy = doc
		return nil
	}}
}

// causeFixes are the fixes of a verdict that a cause decides first
// (judge.CauseFor), verified by judging the verdict again.
func causeFixes(fn *account.Function, v *judge.Verdict, c judge.Cause, t Target) []Fix {
	return plansToFixes(fn, causePlans(fn, c, v.Door, t), func(w *account.Function) bool { return judge.Recheck(w, v).Open() })
}

// ForCause is the fix of a cause found in the model (judge.Causes), for
// `check` and for diagnose's configuration findings: a command when this
// account's operator can apply one, verified by finding the cause gone
// from a copy of the model with the fix applied; otherwise what to do and
// who must.
func ForCause(fn *account.Function, c judge.Cause) []Fix { return NewSet().ForCause(fn, c) }

// ForDeletedRole is ForCause of a deleted execution role
// (judge.RoleNotFoundCause, cause role_not_found) that every function of
// fns names: the role created again once, verified on fns[0]'s model, and
// the advice said of them all. fns is not empty.
func (s *Set) ForDeletedRole(fns []*account.Function, c judge.Cause) []Fix {
	return roleNotFoundFixes(fns, c, s.Profile)
}

// ForCause is the package's ForCause, its commands carrying the Set's
// profile.
func (s *Set) ForCause(fn *account.Function, c judge.Cause) []Fix {
	door := judge.Config
	if !c.NotIAM {
		door = judge.Outbound
	}
	if c.Kind == judge.CauseRoleNotFound {
		return roleNotFoundFixes([]*account.Function{fn}, c, s.Profile)
	}
	return plansToFixes(fn, causePlans(fn, c, door, TargetOf(fn, s.Profile)), func(w *account.Function) bool {
		for _, g := range judge.Causes(w) {
			if g.Kind == c.Kind && g.Resource == c.Resource {
				return false
			}
		}
		return true
	})
}

// plansToFixes applies the plans one after another to a copy of fn; when
// the last one leaves done true, every command of the chain is verified.
func plansToFixes(fn *account.Function, plans []plan, done func(*account.Function) bool) []Fix {
	work := cloneFunction(fn)
	for _, p := range plans {
		// A key a pasted text told about, not in the model: judged as the
		// text reports it.
		if k := p.key; k != nil && work.KeyByARN(k.ARN) == nil {
			kc := *k
			work.Keys = append(work.Keys, &kc)
		}
	}
	var out []Fix
	ok := true
	for _, p := range plans {
		if p.apply == nil {
			ok = false
		} else if err := p.apply(work); err != nil {
			ok = false
		}
		fx := p.fix
		fx.Format = CLI
		if why := UnsafeCommand(fx.Command); why != "" && fx.Command != "" {
			fx = refused(fx, why)
			ok = false
		}
		out = append(out, fx)
	}
	if ok && len(out) > 0 && done(work) {
		for i := range out {
			if out[i].Command != "" {
				out[i].Verified = true
			}
		}
	}
	return out
}

func causePlans(fn *account.Function, c judge.Cause, door judge.Door, t Target) []plan {
	if c.NotIAM {
		door = judge.Config
	}
	switch c.Kind {
	case judge.CauseKeyState:
		if c.Key != nil {
			return keyStatePlans(fn, c, door, t)
		}
	case judge.CauseStaleGrant:
		if c.Grant != nil {
			return []plan{staleGrantPlan(fn, c, door, t)}
		}
		// Told by a pasted text, the grant not in the model.
	}
	expl := strings.TrimSuffix(c.Summary, ".")
	for _, d := range c.Detail {
		expl += "; " + strings.TrimSuffix(d, ".")
	}
	return []plan{{fix: Fix{Door: door, Explanation: expl}}}
}

// keyStatePlans turn a key back on: a Disabled key is enabled; a key
// pending deletion has its deletion cancelled, which leaves it Disabled,
// then is enabled (KMS API, CancelKeyDeletion: "the key state of the KMS
// key is Disabled. To enable the KMS key, use EnableKey").
func keyStatePlans(fn *account.Function, c judge.Cause, door judge.Door, t Target) []plan {
	k := c.Key
	arn := k.ARN
	owner := ""
	if a := judge.ARNAccount(arn, fn.Account); a != fn.Account {
		owner = "the administrators of key " + arn + " in account " + a
	}
	set := func(state string) func(*account.Function) error {
		return func(w *account.Function) error {
			wk := w.KeyByARN(arn)
			if wk == nil {
				return fmt.Errorf("key %s not in the model", arn)
			}
			wk.State = state
			return nil
		}
	}
	cmd := func(s string) string {
		if owner != "" {
			return ""
		}
		return s
	}
	switch k.State {
	case account.KeyDisabled:
		return []plan{{fix: Fix{Door: door, Owner: owner, Command: cmd(enableKey(t, arn)),
			Explanation: c.Summary + "; this enables it (no policy change helps)"}, apply: set(account.KeyEnabled), key: k}}
	case account.KeyPendingDeletion:
		return []plan{
			{fix: Fix{Door: door, Owner: owner, Command: cmd(cancelKeyDeletion(t, arn)),
				Explanation: c.Summary + "; this cancels the deletion, which leaves the key Disabled (KMS API, CancelKeyDeletion)"}, apply: set(account.KeyDisabled), key: k},
			{fix: Fix{Door: door, Owner: owner, Command: cmd(enableKey(t, arn)),
				Explanation: "then this enables the key again"}, apply: set(account.KeyEnabled), key: k},
		}
	}
	return []plan{{fix: Fix{Door: door, Owner: owner, Explanation: c.Summary}}}
}

// staleGrantPlan makes a stale grant again for the role as it is now.
// Lambda's own grant for the environment can only be made again by Lambda,
// when the function's configuration is updated (re:Post knowledge center,
// lambda-kmsaccessdeniedexception-errors: "reset the AWS KMS grant for the
// function's execution role"); a grant on an AWS managed key cannot be
// made by anyone else. Any other grant is created again with the same
// operations and constraints for the role's ARN.
func staleGrantPlan(fn *account.Function, c judge.Cause, door judge.Door, t Target) plan {
	sg := c.Grant
	arn := sg.Key.ARN
	if sg.Lambda {
		return plan{fix: Fix{Door: door,
			Explanation: c.Summary + ". Update the function's configuration so that Lambda creates the grant again for the role as it is now: for example set its execution role to another role and back (aws lambda update-function-configuration --role), or redeploy the function; whoever does it needs kms:CreateGrant on the key. A wider key or role policy is not the fix"}}
	}
	if sg.Key.KeyManager == account.KeyManagerAWS {
		return plan{fix: Fix{Door: door, Owner: "the AWS service that made the grant (grants on AWS managed keys cannot be created by anyone else)",
			Explanation: c.Summary + "; the key is AWS managed: update the resource that uses it so that its service makes the grant again"}}
	}
	constraints := ""
	if ct := sg.Grant.Constraints; ct != nil && (len(ct.EncryptionContextEquals) > 0 || len(ct.EncryptionContextSubset) > 0) {
		m := map[string]map[string]string{}
		if len(ct.EncryptionContextEquals) > 0 {
			m["EncryptionContextEquals"] = ct.EncryptionContextEquals
		}
		if len(ct.EncryptionContextSubset) > 0 {
			m["EncryptionContextSubset"] = ct.EncryptionContextSubset
		}
		b, _ := json.Marshal(m)
		constraints = string(b)
	}
	ops := append([]string(nil), sg.Grant.Operations...)
	sort.Strings(ops)
	grantee := fn.Role.ARN
	f := Fix{Door: door, Command: createGrant(t, arn, grantee, ops, constraints),
		Explanation: c.Summary + fmt.Sprintf("; this creates the grant again for %s with the same operations and constraints (the stale grant %s can then be revoked: aws kms revoke-grant)", grantee, sg.Grant.GrantID)}
	if a := judge.ARNAccount(arn, fn.Account); a != fn.Account {
		f.Command = ""
		f.Owner = "the administrators of key " + arn + " in account " + a
	}
	g := sg.Grant
	return plan{fix: f, apply: func(w *account.Function) error {
		wk := w.KeyByARN(arn)
		if wk == nil {
			return fmt.Errorf("key %s not in the model", arn)
		}
		ng := g
		ng.GrantID = "lambda-doctor-new"
		ng.GranteePrincipal = grantee
		ng.RetiringPrincipal = ""
		wk.Grants = append(wk.Grants, ng)
		return nil
	}}
}
