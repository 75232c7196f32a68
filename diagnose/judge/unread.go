package judge

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Context keys AWS sets from state lambda-doctor does not read. A request
// the engine judges without them is judged as if the state were empty (no
// tag, no alias): a condition on one of them fails, and a door looks
// closed (or open) because of a value the tool never saw. Such a decision
// is undecided when some value of the keys would change it:
//
//   - aws:ResourceTag/tag-key: "included in the request context when the
//     requested resource already has attached tags" (IAM User Guide, "AWS
//     global condition context keys"), when the model did not read the
//     requested resource's tags (account.Function.ResourceTags);
//   - the services' own resource tag keys, SERVICE:ResourceTag/tag-key
//     (Service Authorization Reference, e.g. secretsmanager:ResourceTag/
//     tag-key), unless the resource's tags were read (Probe.
//     ResourceTagsRead: then a key not among them is absent, decided);
//     and s3:ExistingObjectTag/tag-key, the tags of the object
//     (Amazon S3 User Guide, "Tagging and access control policies").
//   - kms:ResourceAliases, the aliases of the KMS key (AWS KMS Developer
//     Guide, "Use aliases to control access to KMS keys"); ListAliases is
//     not read.
//   - aws:PrincipalTag/tag-key, "included ... for a principal using an IAM
//     role with attached tags" (IAM User Guide, same page), only when the
//     principal's tags were not read: the execution role's, and an
//     invoker's role's, are read with the role (sessionContext,
//     InboundInputs); another caller's are not.
//
// A key the request already carries is known, whatever its kind.

// unreadKind says what state AWS reads key from when the model did not
// read it for the probe: "resource tag", "object tag", "aliases",
// "principal tag"; "" for a key the model knows.
func unreadKind(key string, p *Probe) string {
	k := strings.ToLower(key)
	if _, ok := lookup(p.Input.Request.Context, key); ok {
		return ""
	}
	svc, rest, ok := strings.Cut(k, ":")
	switch {
	case !ok || svc == "":
		return ""
	case strings.HasPrefix(rest, "resourcetag/") && len(rest) > len("resourcetag/") && !p.ResourceTagsRead:
		return "resource tag"
	case svc == "s3" && strings.HasPrefix(rest, "existingobjecttag/") && len(rest) > len("existingobjecttag/"):
		return "object tag"
	case k == "kms:resourcealiases":
		return "aliases"
	case svc == "aws" && strings.HasPrefix(rest, "principaltag/") && p.PrincipalTagsUnread:
		return "principal tag"
	}
	return ""
}

// stateKey reports whether key is one AWS may set from state the model
// does not read (unreadKind, before knowing the probe).
func stateKey(key string) bool {
	k := strings.ToLower(key)
	svc, rest, ok := strings.Cut(k, ":")
	return ok && svc != "" && (strings.HasPrefix(rest, "resourcetag/") ||
		svc == "s3" && strings.HasPrefix(rest, "existingobjecttag/") ||
		k == "kms:resourcealiases" || svc == "aws" && strings.HasPrefix(rest, "principaltag/"))
}

// withStateKeys caches, by parsed policy, whether a condition of it names
// a key of stateKey.
var withStateKeys sync.Map // *simulate.Policy → bool

func policyHasStateKeys(p *simulate.Policy) bool {
	return policyFlag(&withStateKeys, p, func(st *simulate.Statement) bool {
		for _, c := range st.Conditions {
			if stateKey(c.Key) {
				return true
			}
		}
		return false
	})
}

// otherValueSentinel is a value no policy names: the key set, to a value
// other than every one the conditions compare it with.
const otherValueSentinel = "lambda-doctor:another-value"

// maxUnreadWorlds bounds the combinations of values judged; beyond it each
// key is varied alone.
const maxUnreadWorlds = 256

// unreadAmbiguity judges p (decided, with its result) again with the
// context keys it lacks and AWS would set from state the model did not
// read (unreadKind): each absent, set to each value a condition compares
// it with, or to another value. It returns, when one of those changes
// whether the request is allowed, one simulate.Ambiguity per condition on
// such a key in each statement whose applying changed (Key set, Otherwise
// the changed decision, Reason saying what to check), and the input that
// gives it. Only a probe with a statement that matched but for its
// conditions, one of which names such a key, is judged again.
func unreadAmbiguity(p *Probe) ([]simulate.Ambiguity, *simulate.Input) {
	in, base := p.Input, p.Result
	policies := map[string]*simulate.NamedPolicy{}
	has := false
	eachPolicy(in, func(np *simulate.NamedPolicy, _ string) {
		policies[np.Name] = np
		has = has || policyHasStateKeys(np.Policy)
	})
	if !has || failedRequest(base) {
		return nil, nil
	}
	stmt := func(t simulate.StatementTrace) *simulate.Statement {
		np := policies[t.Policy]
		if np == nil || t.Index < 0 || t.Index >= len(np.Policy.Statements) {
			return nil
		}
		return &np.Policy.Statements[t.Index]
	}
	// The keys named by a condition of a statement that matched the
	// request but for its conditions.
	var keys []string
	for _, t := range base.Trace {
		if !t.Applies && t.Failed != "condition" {
			continue
		}
		st := stmt(t)
		if st == nil {
			continue
		}
		for _, c := range st.Conditions {
			if unreadKind(c.Key, p) != "" && !ContainsFold(keys, c.Key) {
				keys = append(keys, c.Key)
			}
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	sort.Strings(keys)
	full := withDefaults(in)
	cands := make([][]*simulate.Value, len(keys))
	worlds := 1
	for i, k := range keys {
		cands[i] = candidates(k, full)
		worlds *= len(cands[i])
		if worlds > maxUnreadWorlds {
			worlds = maxUnreadWorlds + 1
		}
	}
	with := func(set []*simulate.Value) *simulate.Input {
		alt := *in
		ctx := simulate.Context{}
		for k, v := range in.Request.Context {
			ctx[k] = v
		}
		for i, v := range set {
			if v != nil {
				ctx[keys[i]] = *v
			}
		}
		alt.Request.Context = ctx
		return &alt
	}
	var found *simulate.Input
	var foundSet []*simulate.Value
	var other simulate.Decision
	try := func(set []*simulate.Value) bool {
		alt := with(set)
		r := evaluateWith(simulate.Decide, alt)
		if (r.Decision == simulate.Allow) == (base.Decision == simulate.Allow) {
			return false
		}
		if found == nil || r.Decision == simulate.ExplicitDeny && other != simulate.ExplicitDeny {
			found, foundSet, other = alt, append([]*simulate.Value(nil), set...), r.Decision
		}
		// An allow, or an explicit deny, is as far as a change goes.
		return other != simulate.ImplicitDeny
	}
	set := make([]*simulate.Value, len(keys))
	if worlds <= maxUnreadWorlds {
		var walk func(i int) bool
		walk = func(i int) bool {
			if i == len(keys) {
				return try(set)
			}
			for _, v := range cands[i] {
				set[i] = v
				if walk(i + 1) {
					return true
				}
			}
			set[i] = nil
			return false
		}
		walk(0)
	} else {
	each:
		for i := range keys {
			for _, v := range cands[i] {
				set[i] = v
				if try(set) {
					break each
				}
			}
			set[i] = nil
		}
	}
	if found == nil {
		return nil, nil
	}
	alt := Evaluate(found)
	reason := unreadReason(p, keys, foundSet, alt)
	applied := map[simulate.StatementRef]bool{}
	for _, t := range base.Trace {
		applied[t.StatementRef] = t.Applies
	}
	var out []simulate.Ambiguity
	for _, t := range alt.Trace {
		if was, ok := applied[t.StatementRef]; !ok || was == t.Applies {
			continue
		}
		st := stmt(t)
		if st == nil {
			continue
		}
		for _, c := range st.Conditions {
			i := indexFold(keys, c.Key)
			if i < 0 || foundSet[i] == nil {
				continue
			}
			out = append(out, simulate.Ambiguity{Layer: t.Layer, StatementRef: t.StatementRef,
				Element: c.Operator + " " + c.Key, Pattern: patternText(c.Values), Value: valueText(*foundSet[i]),
				Otherwise: alt.Decision, Reason: reason, Key: c.Key})
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, found
}

// candidates are the values key could have that matter to the policies:
// absent (nil), each value a condition compares it with (a pattern's
// wildcards matching nothing, or one character; a policy variable taken
// from the request), and another value.
func candidates(key string, full *simulate.Input) []*simulate.Value {
	multi := strings.EqualFold(key, "kms:ResourceAliases")
	out := []*simulate.Value{nil}
	seen := map[string]bool{}
	add := func(s string) {
		if seen[s] {
			return
		}
		seen[s] = true
		v := simulate.Value{Values: []string{s}, Multi: multi}
		out = append(out, &v)
	}
	eachPolicy(full, func(np *simulate.NamedPolicy, _ string) {
		for i := range np.Policy.Statements {
			for _, c := range np.Policy.Statements[i].Conditions {
				if !strings.EqualFold(c.Key, key) || strings.HasSuffix(strings.ToLower(c.Operator), "null") {
					continue
				}
				for _, v := range c.Values {
					s, ok := resolveVariables(v, full.Request.Context)
					if !ok {
						continue
					}
					if strings.Contains(strings.ToLower(c.Operator), "like") {
						s = strings.NewReplacer("*", "", "?", "x").Replace(s)
					}
					add(s)
				}
			}
		}
	})
	add(otherValueSentinel)
	return out
}

// resolveVariables replaces the policy variables ${key} of v with the
// request's single values; ok is false when one has no value.
func resolveVariables(v string, ctx simulate.Context) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			b.WriteString(v)
			return b.String(), true
		}
		j := strings.Index(v[i:], "}")
		if j < 0 {
			b.WriteString(v)
			return b.String(), true
		}
		b.WriteString(v[:i])
		name := v[i+2 : i+j]
		switch name {
		case "*", "?", "$":
			b.WriteString(name)
		default:
			name, _, _ = strings.Cut(name, ", ") // ${key, 'default'}
			val, ok := lookup(ctx, name)
			if !ok || len(val.Values) != 1 {
				return "", false
			}
			b.WriteString(val.Values[0])
		}
		v = v[i+j+1:]
	}
}

// unreadReason says what was not read, the values that change the
// decision, and what decides then: "the tags of table/Orders were not
// read: if it is tagged env=prod, statement Orders of role/r/inline/p
// allows".
func unreadReason(p *Probe, keys []string, set []*simulate.Value, alt *simulate.Result) string {
	req := p.Input.Request
	res := resourcePart(req.Resource)
	var what, ifs []string
	addWhat := func(s string) {
		if !slices.Contains(what, s) {
			what = append(what, s)
		}
	}
	for i, k := range keys {
		if set[i] == nil {
			continue
		}
		_, tag, _ := strings.Cut(k, "/")
		val := set[i].Values[0]
		is := tag + "=" + val
		if val == otherValueSentinel {
			is = tag + " with a value no policy names"
		}
		switch unreadKind(k, p) {
		case "resource tag":
			addWhat("the tags of " + res)
			ifs = append(ifs, "it is tagged "+is)
		case "object tag":
			addWhat("the tags of object " + res)
			ifs = append(ifs, "it is tagged "+is)
		case "aliases":
			addWhat("the aliases of key " + res)
			if val == otherValueSentinel {
				ifs = append(ifs, "it has an alias no policy names")
			} else {
				ifs = append(ifs, "it has the alias "+val)
			}
		case "principal tag":
			addWhat("the tags of " + req.Principal)
			ifs = append(ifs, "the caller is tagged "+is)
		}
	}
	var who []string
	for _, d := range alt.Deciding {
		who = append(who, fmt.Sprintf("statement %s of %s", Quote(d.Statement), d.Policy))
	}
	var then string
	switch {
	case alt.Decision == simulate.Allow && len(who) > 0:
		then = strings.Join(who, " and ") + " allows"
	case alt.Decision == simulate.Allow:
		then = "the request is allowed"
	case alt.Decision == simulate.ExplicitDeny && len(who) > 0:
		then = strings.Join(who, " and ") + " denies"
	case alt.Decision == simulate.ExplicitDeny:
		then = "the request is denied"
	default:
		then = "no statement allows the request"
	}
	return fmt.Sprintf("%s were not read: if %s, %s", strings.Join(what, " and "), strings.Join(ifs, " and "), then)
}

// resourcePart is the resource part of an ARN (table/Orders), or the ARN.
func resourcePart(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[5] != "" {
		return parts[5]
	}
	return arn
}

func patternText(vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	return "[" + strings.Join(vs, ", ") + "]"
}

func valueText(v simulate.Value) string {
	if len(v.Values) == 1 && v.Values[0] == otherValueSentinel {
		return "(another value)"
	}
	return strings.Join(v.Values, ", ")
}
