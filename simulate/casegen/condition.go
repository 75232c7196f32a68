package main

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lambda-doctor/lambda-doctor/simulate/iamdata"
)

// absentKeys are keys a condition may name that the request may lack.
var absentKeys = []string{"aws:SourceArn", "aws:SourceAccount", "aws:SourceVpce", "aws:PrincipalOrgID",
	"aws:PrincipalTag/team", "aws:PrincipalTag/cost-center", "aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge",
	"aws:TokenIssueTime", "aws:PrincipalOrgPaths", "aws:CalledVia", "aws:username", "aws:SourceIp",
	"aws:PrincipalArn", "aws:ResourceTag/team", "aws:SourceOrgID", "aws:referer"}

// condition builds a Condition block with n operators.
func (g *gen) condition(s *scen, n int) obj {
	keys := make([]string, 0, len(s.ctx))
	for k := range s.ctx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cond := obj{}
	for i := 0; i < n; i++ {
		var key string
		if len(keys) > 0 && g.pct(75) {
			key = pick(g, keys...)
		} else {
			key = pick(g, absentKeys...)
			if !applicable(s.action, key) && !isGlobal(key) {
				key = "aws:PrincipalTag/team"
			}
		}
		op, vals := g.operator(s, key)
		name := key
		if g.pct(8) {
			name = flipCase(key, g.intn(len(key)))
		}
		block, _ := cond[op].(obj)
		if block == nil {
			block = obj{}
			cond[op] = block
		}
		block[name] = g.list(vals)
	}
	return cond
}

func isGlobal(key string) bool {
	lk := strings.ToLower(key)
	return strings.HasPrefix(lk, "aws:") && !strings.HasPrefix(lk, "aws:resourcetag/") &&
		!strings.HasPrefix(lk, "aws:requesttag/") && lk != "aws:tagkeys"
}

func keyType(key string) string {
	t, ok := iamdata.ConditionKeyType(key)
	if !ok {
		return "String"
	}
	return t
}

var stringOps = []string{"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"}
var arnOps = []string{"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"}
var numOps = []string{"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"}
var dateOps = []string{"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"}

// operator picks an operator for key and values near the request's value.
func (g *gen) operator(s *scen, key string) (string, []string) {
	v, present := s.ctx[key]
	typ := keyType(key)
	if g.pct(8) {
		if a, ok := v.([]string); !ok || len(a) > 0 || g.all {
			// Null on a key given as an empty set: AWS does not say whether
			// an empty set is present; the reference and we differ. Not compared.
			return "Null", []string{pick(g, "true", "false")}
		}
	}
	ifExists := func(op string) string {
		if g.pct(18) {
			return op + "IfExists"
		}
		return op
	}
	nvals := 1 + g.intn(2)
	if strings.HasPrefix(typ, "ArrayOf") {
		base := pick(g, stringOps...)
		if typ == "ArrayOfARN" && g.pct(50) {
			base = pick(g, arnOps...)
		}
		var ctxVals []string
		if present {
			ctxVals, _ = v.([]string)
		}
		var vals []string
		for len(vals) < nvals {
			v := g.setValue(key, ctxVals)
			if !g.all && (unresolved(v, s.ctx) || s.version != "2012-10-17" && strings.Contains(v, "${")) {
				continue
			}
			vals = append(vals, v)
		}
		switch k := g.intn(100); {
		case k < 45:
			return "ForAnyValue:" + ifExists(base), vals
		case k < 90:
			return "ForAllValues:" + ifExists(base), vals
		default:
			return ifExists(base), vals // a single-valued operator on a multivalued key
		}
	}
	str, _ := v.(string)
	var op string
	var vals []string
	switch typ {
	case "Bool":
		op = "Bool"
		for i := 0; i < nvals; i++ {
			vals = append(vals, pick(g, "true", "false", "true", "True"))
		}
		if g.pct(10) {
			op = "StringEquals"
		}
	case "Numeric":
		op = pick(g, numOps...)
		base, err := strconv.Atoi(str)
		if err != nil {
			base = 3600
		}
		for i := 0; i < nvals; i++ {
			d := pick(g, 0, 0, 1, -1, 100)
			vals = append(vals, strconv.Itoa(base+d))
		}
	case "Date":
		op = pick(g, dateOps...)
		for i := 0; i < nvals; i++ {
			vals = append(vals, g.dateValue(s, key))
		}
	case "IPAddress":
		op = pick(g, "IpAddress", "NotIpAddress")
		for i := 0; i < nvals; i++ {
			vals = append(vals, g.ipValue(str))
		}
	case "ARN":
		op = pick(g, append(arnOps, "StringLike", "StringEquals")...)
		for len(vals) < nvals {
			v := g.arnValue(s, str)
			if !g.all && unresolved(v, s.ctx) {
				continue
			}
			vals = append(vals, v)
		}
	default:
		op = pick(g, stringOps...)
		if g.pct(4) {
			op = "BinaryEquals"
			return ifExists(op), []string{base64.StdEncoding.EncodeToString([]byte(pick(g, str, "orders")))}
		}
		for len(vals) < nvals {
			v := g.stringValue(s, key, str)
			if !g.all && unresolved(v, s.ctx) {
				continue
			}
			vals = append(vals, v)
		}
	}
	if g.pct(6) && !strings.HasPrefix(op, "Null") {
		op = "ForAnyValue:" + op // a set operator on a single-valued key
		if !g.all {
			return op, vals
		}
	}
	return ifExists(op), vals
}

func (g *gen) stringValue(s *scen, key, v string) string {
	choices := []string{"orders", "payments", "alice", "prod"}
	if pk := s.prof.keys[key]; len(pk) > 0 {
		if x, ok := pick(g, pk...).(string); ok {
			choices = append(choices, x)
		}
	}
	switch k := g.intn(100); {
	case k < 30 && v != "":
		return v
	case k < 38 && v != "" && hasLetter(v):
		for {
			if f := flipCase(v, g.intn(len(v))); f != v {
				return f
			}
		}
	case k < 48 && v != "":
		return v[:g.intn(len(v))] + "*"
	case k < 53 && v != "":
		return "*" + v[1+g.intn(len(v)-1+1)-1:]
	case k < 57 && v != "":
		j := g.intn(len(v))
		return v[:j] + "?" + v[j+1:]
	case k < 64 && s.version == "2012-10-17":
		return pick(g, "${aws:username}", "${aws:PrincipalTag/team}", "${aws:PrincipalTag/team, 'orders'}", "${aws:userid}", "${aws:PrincipalAccount}", "${aws:username}-*", "*${?}*")
	case k < 68:
		return "*"
	case k < 70:
		return ""
	}
	return pick(g, choices...)
}

func (g *gen) setValue(key string, ctxVals []string) string {
	if len(ctxVals) > 0 && g.pct(55) {
		v := pick(g, ctxVals...)
		switch g.intn(5) {
		case 0:
			if hasLetter(v) {
				return flipCase(v, 0)
			}
		case 1:
			return v[:g.intn(len(v))] + "*"
		}
		return v
	}
	switch strings.ToLower(key) {
	case "aws:tagkeys", "s3:requestobjecttagkeys", "kms:encryptioncontextkeys":
		return pick(g, "team", "env", "cost", "aws:lambda:FunctionArn", "t*")
	case "aws:principalorgpaths":
		return pick(g, orgPaths[0], "o-a1b2c3d4e5/r-ab12/*", "o-a1b2c3d4e5/*", "o-zzzz/*")
	case "aws:calledvia":
		return pick(g, "cloudformation.amazonaws.com", "dynamodb.amazonaws.com", "athena.amazonaws.com")
	case "dynamodb:leadingkeys":
		return pick(g, "alice", "bob", "${aws:username}", "${aws:userid}", "a*")
	case "dynamodb:attributes":
		return pick(g, "id", "status", "secret", "*")
	}
	return pick(g, "orders", "x")
}

func (g *gen) dateValue(s *scen, key string) string {
	t := s.now
	if strings.EqualFold(key, "aws:TokenIssueTime") {
		if v, ok := s.ctx[key].(string); ok {
			if p, err := time.Parse(time.RFC3339, v); err == nil {
				t = p
			}
		}
	}
	d := pick(g, 0, 0, time.Second, -time.Second, 24*time.Hour, -24*time.Hour, 365*24*time.Hour)
	t = t.Add(d)
	if strings.EqualFold(key, "aws:EpochTime") {
		return strconv.FormatInt(t.Unix(), 10)
	}
	switch g.intn(10) {
	case 0:
		return t.Format("2006-01-02T15:04:05.000Z")
	case 1:
		return t.Format("2006-01-02")
	}
	return t.Format(time.RFC3339)
}

func (g *gen) ipValue(v string) string {
	for {
		c := g.ipValue1(v)
		if g.all || c != "0.0.0.0/0" {
			return c // the reference never matches 0.0.0.0/0 (known-differences.md)
		}
	}
}

func (g *gen) ipValue1(v string) string {
	if strings.Contains(v, ":") {
		return pick(g, "2001:db8::/32", v+"/128", v, "2001:db9::/32", "::/0", "2001:db8:abcd::/48", "203.0.113.0/24")
	}
	if v == "" {
		v = "203.0.113.10"
	}
	p := strings.Split(v, ".")
	if len(p) != 4 {
		return "203.0.113.0/24"
	}
	net24 := strings.Join(p[:3], ".") + ".0/24"
	return pick(g, net24, net24, v+"/32", v, p[0]+".0.0.0/8", "0.0.0.0/0", "203.0.112.0/24", "198.51.100.0/25", "2001:db8::/32", p[0]+"."+p[1]+".0.0/16")
}

// arnValue picks an ARN pattern near the ARN v.
func (g *gen) arnValue(s *scen, v string) string {
	if v == "" || g.pct(15) {
		v = pick(g, "arn:aws:iam::"+acctA+":role/deploy-role", "arn:aws:execute-api:us-east-1:"+acctA+":a1b2c3d4e5/prod/POST/orders",
			"arn:aws:lambda:us-east-1:"+acctA+":function:order-handler")
	}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) < 6 {
		return v
	}
	with := func(i int, x string) string {
		p := append([]string(nil), parts...)
		p[i] = x
		return strings.Join(p, ":")
	}
	res := parts[5]
	switch k := g.intn(100); {
	case k < 30:
		return v
	case k < 36 && parts[3] != "":
		return with(3, "*")
	case k < 42:
		return with(4, pick(g, "*", acctB, "1111*"))
	case k < 58:
		cut := g.intn(len(res) + 1)
		if j := strings.IndexAny(res, "/:"); j >= 0 && g.pct(60) {
			cut = j + 1
		}
		return with(5, res[:cut]+"*")
	case k < 63:
		j := g.intn(len(res))
		return with(5, res[:j]+"?"+res[j+1:])
	case k < 70:
		if f := flipCase(res, g.intn(len(res))); f != res {
			return with(5, f)
		}
		return with(5, res+"x")
	case k < 78:
		return "arn:aws:iam::" + pick(g, acctA, "*") + ":role/" + pick(g, "deploy-*", "service-role/*", "*")
	case k < 82:
		return "arn:aws:sts::" + acctA + ":assumed-role/" + pick(g, "order-processor-role", "*") + "/*"
	case k < 86 && s.version == "2012-10-17":
		return "arn:aws:iam::${aws:PrincipalAccount}:role/*"
	}
	if s.prof.arn == nil {
		return v
	}
	return s.prof.arn(s.region, s.rAcct, pick(g, append(s.prof.names, "x")...))
}

// unresolved reports a condition value with a policy variable (without a
// default) whose key the request lacks. AWS documents that such a variable
// has no value, but not how each operator treats it, and the reference's
// reading differs from ours: kept out of compared cases.
func unresolved(v string, ctx map[string]any) bool {
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			return false
		}
		j := strings.IndexByte(v[i:], '}')
		if j < 0 {
			return false
		}
		name := v[i+2 : i+j]
		v = v[i+j+1:]
		if name == "*" || name == "?" || name == "$" || strings.Contains(name, ",") {
			continue
		}
		found := false
		for k, x := range ctx {
			if _, ok := x.(string); ok && strings.EqualFold(k, name) {
				found = true
			}
		}
		if !found {
			return true
		}
	}
}
