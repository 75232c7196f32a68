package main

import (
	"strings"
)

type obj = map[string]any

func (g *gen) doc(s *scen, stmts []any) obj {
	p := obj{}
	if s.version != "" {
		p["Version"] = s.version
	}
	if len(stmts) == 1 && g.pct(35) {
		p["Statement"] = stmts[0]
	} else {
		p["Statement"] = stmts
	}
	return p
}

// list returns one value as a string or, sometimes, as a one-element array.
func (g *gen) list(vals []string) any {
	if len(vals) == 1 && g.pct(60) {
		return vals[0]
	}
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out
}

// policy builds an identity, boundary or session policy.
func (g *gen) policy(s *scen, layer string) obj {
	n := 1 + g.intn(3)
	var stmts []any
	for i := 0; i < n; i++ {
		deny := g.pct(22)
		if layer == "boundary" || layer == "session" {
			deny = g.pct(15)
		}
		stmts = append(stmts, g.statement(s, layer, deny))
	}
	return g.doc(s, stmts)
}

func (g *gen) statement(s *scen, layer string, deny bool) obj {
	st := obj{"Effect": "Allow"}
	if deny {
		st["Effect"] = "Deny"
	}
	if g.pct(30) {
		st["Sid"] = pick(g, "ReadOrders", "Stmt1", "DenyOutsideRegion", "AllowAll", "LambdaBasic")
	}
	if layer != "rcp" && g.pct(12) {
		st["NotAction"] = g.list(g.actions(s, 1+g.intn(2)))
	} else {
		st["Action"] = g.list(g.actions(s, 1+g.intn(2)))
	}
	if g.pct(12) {
		st["NotResource"] = g.list(g.resources(s, 1+g.intn(2)))
	} else {
		st["Resource"] = g.list(g.resources(s, 1+g.intn(2)))
	}
	if layer == "resource" || layer == "rcp" {
		g.principalElement(s, st, layer, deny)
	}
	if g.pct(45) {
		st["Condition"] = g.condition(s, 1+g.intn(2))
	}
	return st
}

// actions picks action patterns, most of them about the request's action.
func (g *gen) actions(s *scen, n int) []string {
	svc, name, _ := strings.Cut(s.action, ":")
	var out []string
	for i := 0; i < n; i++ {
		var a string
		switch k := g.intn(100); {
		case k < 30:
			a = s.action
		case k < 36:
			a = strings.ToUpper(svc) + ":" + strings.ToLower(name)
		case k < 46:
			a = svc + ":*"
		case k < 50:
			a = "*"
		case k < 58:
			a = svc + ":" + name[:1+g.intn(len(name))] + "*"
		case k < 62:
			j := g.intn(len(name))
			a = svc + ":" + name[:j] + "?" + name[j+1:]
		case k < 65:
			a = svc + ":*" + name[len(name)-1-g.intn(len(name)-1):]
		case k < 70:
			a = svc + ":" + name[:len(name)-1] // one character short
		case k < 85:
			a = svc + ":" + pick(g, s.prof.actions...)
		default:
			a = pick(g, otherActions...)
		}
		out = append(out, a)
	}
	return out
}

// resources picks resource patterns near the request's resource.
func (g *gen) resources(s *scen, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, g.resourcePattern(s))
	}
	return out
}

func (g *gen) resourcePattern(s *scen) string {
	for {
		p := g.resourcePattern1(s)
		if g.all || !peerMisreadsResource(p) {
			return p
		}
	}
}

// peerMisreadsResource reports a pattern with a wildcard in the resource
// type (the resource segment before its first "/" or ":"), followed by more
// of the resource: iam-simulate compares the type literally and never
// matches it, while AWS matches wildcards within any ARN segment
// (simulate/testdata/known-differences.md).
func peerMisreadsResource(p string) bool {
	parts := strings.SplitN(p, ":", 6)
	if len(parts) < 6 {
		return false
	}
	res := parts[5]
	cut := strings.IndexAny(res, "/:")
	return cut >= 0 && strings.ContainsAny(res[:cut], "*?")
}

func (g *gen) resourcePattern1(s *scen) string {
	if s.resource == "*" || g.pct(12) {
		return "*"
	}
	parts := strings.SplitN(s.resource, ":", 6)
	if len(parts) < 6 {
		return s.resource
	}
	res := parts[5]
	join := func(p []string) string { return strings.Join(p, ":") }
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return join(p)
	}
	switch k := g.intn(100); {
	case k < 26:
		return s.resource
	case k < 30:
		if parts[3] == "" {
			return with(3, "*")
		}
		return with(3, pick(g, "*", "us-east-?", "eu-west-1", "*-1"))
	case k < 34:
		if parts[4] == "" {
			return s.resource
		}
		return with(4, pick(g, "*", acctA, acctB, "1111222233?3"))
	case k < 37:
		return with(5, "*")
	case k < 40:
		// No wildcard in the service segment: IAM User Guide, "IAM JSON
		// policy elements: Resource" says it cannot be used there.
		return with(1, pick(g, "*", "aws-cn"))
	case k < 52:
		// wildcard after a segment border or in the middle of a word
		cuts := []int{}
		for j := 0; j < len(res); j++ {
			if res[j] == '/' || res[j] == ':' {
				cuts = append(cuts, j+1)
			}
		}
		cut := 1 + g.intn(len(res))
		if len(cuts) > 0 && g.pct(60) {
			cut = pick(g, cuts...)
		}
		if cut > len(res) {
			cut = len(res)
		}
		return with(5, res[:cut]+"*")
	case k < 56:
		j := g.intn(len(res))
		return with(5, res[:j]+"?"+res[j+1:])
	case k < 62:
		// one letter's case changed
		for tries := 0; tries < 5; tries++ {
			j := g.intn(len(res))
			if f := flipCase(res, j); f != res {
				return with(5, f)
			}
		}
		return with(5, strings.ToUpper(res))
	case k < 67:
		return with(5, res+pick(g, "/*", "*", "/", "-*"))
	case k < 72:
		return s.prof.arn(s.region, s.rAcct, pick(g, s.prof.names...))
	case k < 76:
		return with(5, pick(g, "*/*", "*:*", "*?"))
	default:
		if s.version != "2012-10-17" && !g.all {
			// The reference substitutes variables in 2008-10-17 policies too
			// (known-differences.md).
			return s.resource
		}
		return g.variableResource(s, parts)
	}
}

// variableResource puts a policy variable where the request has a name.
func (g *gen) variableResource(s *scen, parts []string) string {
	res := parts[5]
	vars := []string{"${aws:username}", "${aws:PrincipalTag/team}", "${aws:userid}", "${aws:PrincipalAccount}",
		"${aws:PrincipalTag/team, 'orders'}", "${aws:PrincipalTag/nope, 'Orders'}", "${*}", "${?}", "${$}",
		"${aws:ResourceAccount}", "${aws:username, 'alice'}", "${aws:SourceAccount}"}
	v := pick(g, vars...)
	if (s.prof.service == "sqs" || s.prof.service == "sns") && g.pct(75) {
		// The reference cannot evaluate a variable in an untyped resource id.
		return s.resource
	}
	switch g.intn(4) {
	case 0:
		if parts[4] != "" && g.pct(10) {
			p := append([]string(nil), parts...)
			p[4] = pick(g, "${aws:PrincipalAccount}", "${aws:ResourceAccount}")
			return strings.Join(p, ":")
		}
		fallthrough
	case 1:
		// replace the last path element (or the part after the last ':')
		j := strings.LastIndexAny(res, "/:")
		return strings.Join(parts[:5], ":") + ":" + res[:j+1] + v + pick(g, "", "*", "/*")
	default:
		// replace a word that a variable's value could equal
		for _, w := range []string{"alice", "Alice", "bob", "orders", "Orders", acctA, acctB} {
			if i := strings.Index(res, w); i >= 0 {
				src := map[string]string{"alice": "${aws:username}", "Alice": "${aws:username}", "bob": "${aws:username}",
					"orders": "${aws:PrincipalTag/team}", "Orders": "${aws:PrincipalTag/team, 'Orders'}", acctA: "${aws:PrincipalAccount}", acctB: "${aws:PrincipalAccount}"}[w]
				if g.pct(30) {
					src = v
				}
				return strings.Join(parts[:5], ":") + ":" + res[:i] + src + res[i+len(w):]
			}
		}
		return strings.Join(parts[:5], ":") + ":" + res + v
	}
}

// principalElement sets Principal or NotPrincipal of a resource-policy or
// RCP statement.
func (g *gen) principalElement(s *scen, st obj, layer string, deny bool) {
	if layer == "rcp" {
		st["Principal"] = "*"
		return
	}
	var cands []any
	switch s.kind {
	case "user", "role", "session", "root":
		cands = []any{
			"*", obj{"AWS": "*"}, obj{"AWS": s.pAcct}, obj{"AWS": "arn:aws:iam::" + s.pAcct + ":root"},
			obj{"AWS": s.principal}, obj{"AWS": s.principal}, obj{"AWS": s.principal},
			obj{"AWS": []any{"arn:aws:iam::" + acctC + ":root", s.principal}},
			obj{"AWS": "arn:aws:iam::" + acctC + ":root"}, obj{"AWS": acctB},
			obj{"AWS": "arn:aws:iam::" + s.pAcct + ":user/mallory"},
			obj{"Service": "lambda.amazonaws.com"},
			obj{"Federated": "cognito-identity.amazonaws.com"},
			obj{"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
		}
		if s.roleARN != "" {
			cands = append(cands, obj{"AWS": s.roleARN}, obj{"AWS": s.roleARN})
		}
		if s.kind == "session" {
			cands = append(cands, obj{"AWS": s.principal})
		}
		if s.kind == "user" {
			cands = append(cands, obj{"AWS": strings.ToUpper(s.principal[:8]) + s.principal[8:]})
		}
	case "service":
		cands = []any{
			obj{"Service": s.service}, obj{"Service": s.service}, obj{"Service": []any{"sns.amazonaws.com", s.service}},
			obj{"Service": pick(g, "events.amazonaws.com", "apigateway.amazonaws.com", "s3.amazonaws.com")},
			"*", obj{"AWS": "*"}, obj{"AWS": s.rAcct},
		}
	case "anonymous":
		cands = []any{"*", "*", obj{"AWS": "*"}, obj{"AWS": s.rAcct}, obj{"Service": "s3.amazonaws.com"}}
	}
	p := pick(g, cands...)
	if deny && g.pct(25) {
		st["NotPrincipal"] = p
		if p == "*" {
			st["NotPrincipal"] = obj{"AWS": s.rAcct}
		}
		return
	}
	st["Principal"] = p
}

// resourcePolicy builds a resource-based policy (for KMS a key policy, for
// sts:AssumeRole a role trust policy).
func (g *gen) resourcePolicy(s *scen) obj {
	var stmts []any
	if s.prof.service == "kms" && g.pct(70) {
		stmts = append(stmts, obj{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
			"Principal": obj{"AWS": "arn:aws:iam::" + s.rAcct + ":root"}, "Action": "kms:*", "Resource": "*"})
	}
	n := 1 + g.intn(3)
	for i := 0; i < n; i++ {
		stmts = append(stmts, g.statement(s, "resource", g.pct(20)))
	}
	return g.doc(s, stmts)
}

func fullAWSAccess() obj {
	return obj{"Version": "2012-10-17", "Statement": []any{obj{"Effect": "Allow", "Action": "*", "Resource": "*"}}}
}

func (g *gen) scps(s *scen) [][]any {
	levels := make([][]any, 1+g.intn(3))
	for i := range levels {
		var level []any
		if g.pct(88) {
			level = append(level, fullAWSAccess())
		} else {
			svc := strings.SplitN(s.action, ":", 2)[0]
			allowed := []any{pick(g, svc+":*", "s3:*", s.action)}
			if g.pct(50) {
				allowed = append(allowed, "logs:*", "xray:*")
			}
			level = append(level, obj{"Version": "2012-10-17", "Statement": obj{"Effect": "Allow", "Action": allowed, "Resource": "*"}})
		}
		if g.pct(30) {
			level = append(level, g.denySCP(s))
		}
		levels[i] = level
	}
	return levels
}

func (g *gen) denySCP(s *scen) obj {
	var st obj
	switch g.intn(4) {
	case 0:
		st = obj{"Effect": "Deny", "NotAction": []any{"iam:*", "sts:*", "xray:*"}, "Resource": "*",
			"Condition": obj{"StringNotEquals": obj{"aws:RequestedRegion": []any{"us-east-1", "us-west-2"}}}}
	case 1:
		st = obj{"Effect": "Deny", "Action": []any{"iam:PassRole", "kms:Decrypt", "s3:DeleteObject", "dynamodb:DeleteItem"}, "Resource": "*",
			"Condition": obj{"ArnNotLike": obj{"aws:PrincipalArn": "arn:aws:iam::*:role/deploy-*"}}}
	case 2:
		st = obj{"Effect": "Deny", "Action": "*", "Resource": "*",
			"Condition": obj{"BoolIfExists": obj{"aws:SecureTransport": "false"}}}
	default:
		st = g.statement(s, "scp", true)
	}
	if g.pct(40) {
		st["Sid"] = "Guardrail"
	}
	return obj{"Version": "2012-10-17", "Statement": []any{st}}
}

// rcps builds resource control policy levels; every level has
// RCPFullAWSAccess, as AWS attaches it, plus sometimes a deny.
func (g *gen) rcps(s *scen) [][]any {
	levels := make([][]any, 1+g.intn(2))
	for i := range levels {
		level := []any{obj{"Version": "2012-10-17", "Statement": []any{obj{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}}}}
		if g.pct(60) {
			level = append(level, g.denyRCP(s))
		}
		levels[i] = level
	}
	return levels
}

func (g *gen) denyRCP(s *scen) obj {
	svc := strings.SplitN(s.action, ":", 2)[0]
	acts := []any{pick(g, svc+":*", s.action, "s3:*", "sqs:*")}
	var st obj
	switch g.intn(4) {
	case 0:
		st = obj{"Effect": "Deny", "Principal": "*", "Action": acts, "Resource": "*",
			"Condition": obj{"StringNotEqualsIfExists": obj{"aws:PrincipalOrgID": orgID}, "BoolIfExists": obj{"aws:PrincipalIsAWSService": "false"}}}
	case 1:
		st = obj{"Effect": "Deny", "Principal": "*", "Action": acts, "Resource": "*",
			"Condition": obj{"BoolIfExists": obj{"aws:SecureTransport": "false"}}}
	case 2:
		st = obj{"Effect": "Deny", "Principal": "*", "Action": acts, "Resource": "*",
			"Condition": obj{"StringNotEqualsIfExists": obj{"aws:SourceOrgID": orgID}, "Null": obj{"aws:SourceAccount": "false"}, "Bool": obj{"aws:PrincipalIsAWSService": "true"}}}
	default:
		st = g.statement(s, "rcp", true)
		if a, ok := st["Action"].(string); ok && a == "*" {
			st["Action"] = svc + ":*"
		}
		if l, ok := st["Action"].([]any); ok {
			for i, a := range l {
				if a == "*" {
					l[i] = svc + ":*"
				}
			}
		}
	}
	return obj{"Version": "2012-10-17", "Statement": []any{st}}
}
