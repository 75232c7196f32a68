package checks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// lambdaPrincipals are the service principals an execution role may trust.
var lambdaPrincipals = map[string]bool{"lambda.amazonaws.com": true, "edgelambda.amazonaws.com": true}

// narrowTrust returns the role's trust policy with every Allow statement
// limited to the Lambda service principals (statements left with no
// principal are dropped; Deny statements and conditions are kept), and a
// fix that applies it, verified when Lambda can still assume the role and
// no other principal can.
func narrowTrust(fn *account.Function) (Fix, bool) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(fn.Role.Trust), &top); err != nil {
		return Fix{}, false
	}
	var stmts []json.RawMessage
	if raw := bytes.TrimSpace(top["Statement"]); len(raw) > 0 && raw[0] == '{' {
		stmts = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &stmts); err != nil {
		return Fix{}, false
	}
	var kept []json.RawMessage
	var removed []string
	for _, raw := range stmts {
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
			vals, err := stringOrList(v)
			if err != nil {
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
		var svc any = services
		if len(services) == 1 {
			svc = services[0]
		}
		st["Principal"] = mustMarshal(map[string]any{"Service": svc})
		kept = append(kept, orderedObject(st))
	}
	if len(removed) == 0 {
		return Fix{}, false
	}
	top["Statement"] = mustMarshal(kept)
	doc := string(orderedObject(top))

	work := *fn
	role := *fn.Role
	role.Trust = doc
	work.Role = &role
	verified := judge.CheckTrust(&work).Open()
	for _, f := range trustFindings(&work) {
		if f.ID == "LD109" || f.ID == "LD011" {
			verified = false
		}
	}
	sort.Strings(removed)
	return Fix{
		Command: fmt.Sprintf("aws iam update-assume-role-policy --role-name %s --policy-document '%s'",
			shellQuote(fn.Role.Name), strings.ReplaceAll(doc, "'", `'\''`)),
		Explanation: fmt.Sprintf("the whole trust policy of role %s without %s; Lambda can still assume the role",
			fn.Role.Name, strings.Join(dedupe(removed), ", ")),
		Verified: verified,
	}, true
}

func stringOrList(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var list []string
	err := json.Unmarshal(raw, &list)
	return list, err
}

func mustMarshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// orderedObject writes a policy object with its keys in the order IAM
// documents show them, then any others sorted.
func orderedObject(m map[string]json.RawMessage) json.RawMessage {
	order := []string{"Version", "Id", "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
		"Resource", "NotResource", "Condition", "Statement"}
	rank := map[string]int{}
	for i, k := range order {
		rank[k] = i + 1
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank[keys[i]], rank[keys[j]]
		switch {
		case ri != 0 && rj != 0:
			return ri < rj
		case ri != 0 || rj != 0:
			return ri != 0
		}
		return keys[i] < keys[j]
	})
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(mustMarshal(k))
		b.WriteByte(':')
		var c bytes.Buffer
		if json.Compact(&c, m[k]) == nil {
			b.Write(c.Bytes())
		} else {
			b.Write(m[k])
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}
