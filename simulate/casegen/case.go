package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lambda-doctor/lambda-doctor/simulate/iamdata"
)

// scen is the request a case is built around, and what policies may say of it.
type scen struct {
	kind      string // "user", "role", "session", "service", "anonymous"
	principal string
	pAcct     string
	roleARN   string // the role of a session (or the role itself)
	userName  string
	service   string // the service principal
	prof      *profile
	action    string
	resource  string
	name      string // the resource name in the ARN
	rAcct     string
	region    string
	org       bool // the caller's account is in the organization
	now       time.Time
	ctx       map[string]any
	version   string // policy Version for this case's policies
}

var baseTimes = []time.Time{
	time.Date(2024, 6, 15, 12, 0, 0, 0, time.UTC),
	time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2023, 12, 31, 23, 59, 59, 0, time.UTC),
}

func (g *gen) newCase(id string) Case {
	s := g.scenario()
	c := Case{ID: id}
	c.Request = Request{Principal: s.principal, Action: s.action, Resource: s.resource, Context: s.ctx}
	if s.prof.global && s.resource != "*" || g.pct(15) {
		c.Request.ResourceAccount = s.rAcct
	}
	iamPrincipal := s.kind == "user" || s.kind == "role" || s.kind == "session" || s.kind == "root"
	if iamPrincipal {
		n := pick(g, 0, 1, 1, 1, 2, 2, 3)
		for i := 0; i < n; i++ {
			c.Identity = append(c.Identity, g.policy(s, "identity"))
		}
		if g.pct(25) {
			c.Boundary = g.policy(s, "boundary")
		}
		if (s.kind == "role" || s.kind == "session") && g.pct(20) {
			c.Session = g.policy(s, "session")
		}
		if s.org && g.pct(60) {
			c.SCPs = g.scps(s)
		}
	}
	if s.prof.resPolicy && s.resource != "*" {
		p := 55
		if !iamPrincipal {
			p = 92
		}
		if s.prof.always {
			p = 100
		}
		if g.pct(p) {
			c.ResourcePolicy = g.resourcePolicy(s)
		}
	}
	if s.resource != "*" && g.pct(18) {
		c.RCPs = g.rcps(s)
	}
	if len(c.Identity) > 0 && g.pct(1) {
		// A bad document: both evaluators must report an error.
		p := c.Identity[0].(obj)
		st := obj{"Effect": "Allow", "Action": s.action, "Resource": "*"}
		switch g.intn(3) {
		case 0:
			st["Condition"] = obj{"StringEqualsLoosely": obj{"aws:username": "alice"}}
		case 1:
			st["Effect"] = "Permit"
		default:
			delete(st, "Action")
		}
		p["Statement"] = []any{st}
	}
	return c
}

func (g *gen) scenario() *scen {
	s := &scen{pAcct: acctA, region: pick(g, "us-east-1", "us-east-1", "eu-west-1")}
	s.now = pick(g, baseTimes...)
	s.version = "2012-10-17"
	switch {
	case g.pct(4):
		s.version = "2008-10-17"
	case g.pct(3):
		s.version = ""
	}
	for {
		s.prof = pick(g, profiles...)
		s.action = s.prof.service + ":" + pick(g, s.prof.actions...)
		if _, ok := iamdata.Action(s.action); !ok {
			panic("casegen: unknown action " + s.action)
		}
		switch k := g.intn(100); {
		case k < 28:
			s.kind = "user"
		case k < 45:
			s.kind = "role"
		case k < 78:
			s.kind = "session"
		case k < 91:
			s.kind = "service"
		case k < 93:
			s.kind = "root"
		default:
			s.kind = "anonymous"
		}
		if (s.kind == "service" || s.kind == "anonymous") && !s.prof.resPolicy {
			continue
		}
		if s.kind == "service" && len(s.prof.callers) == 0 && s.prof.service != "sqs" {
			s.kind = "session"
		}
		break
	}
	s.rAcct = acctA
	if g.pct(35) {
		s.rAcct = pick(g, acctB, acctB, acctC)
	}
	if s.prof.names == nil {
		s.resource = "*"
		s.rAcct = acctA
	} else {
		s.name = pick(g, s.prof.names...)
		s.resource = s.prof.arn(s.region, s.rAcct, s.name)
		if _, ok := iamdata.ResourceTypeOf(s.action, s.resource); !ok {
			panic(fmt.Sprintf("casegen: %s does not fit %s", s.resource, s.action))
		}
	}
	s.org = s.pAcct != acctC && g.pct(70)
	g.principal(s)
	g.context(s)
	return s
}

func (g *gen) principal(s *scen) {
	switch s.kind {
	case "user":
		s.userName = pick(g, "alice", "bob", "Alice")
		path := pick(g, "", "", "dev/")
		s.principal = "arn:aws:iam::" + s.pAcct + ":user/" + path + s.userName
	case "role", "session":
		role := pick(g, "order-processor-role", "service-role/fn-exec-role", "deploy-role")
		s.roleARN = "arn:aws:iam::" + s.pAcct + ":role/" + role
		if s.kind == "role" {
			s.principal = s.roleARN
		} else {
			short := role[strings.LastIndexByte(role, '/')+1:]
			s.principal = "arn:aws:sts::" + s.pAcct + ":assumed-role/" + short + "/" + pick(g, "order-fn", "alice", "i-0abc123")
		}
	case "root":
		s.principal = "arn:aws:iam::" + s.pAcct + ":root"
	case "service":
		callers := s.prof.callers
		if len(callers) == 0 {
			callers = []string{"events.amazonaws.com"}
		}
		s.service = pick(g, callers...)
		s.principal = s.service
	case "anonymous":
		s.principal = "*"
	}
}

// context writes the keys AWS sets for this caller, and some optional ones.
func (g *gen) context(s *scen) {
	ctx := map[string]any{}
	s.ctx = ctx
	ctx["aws:CurrentTime"] = s.now.Format(time.RFC3339)
	ctx["aws:EpochTime"] = strconv.FormatInt(s.now.Unix(), 10)
	ctx["aws:SecureTransport"] = pick(g, "true", "true", "true", "false")
	if s.resource != "*" || g.pct(50) {
		ctx["aws:RequestedRegion"] = s.region
	}
	switch s.kind {
	case "user", "role", "session", "root":
		ctx["aws:SourceIp"] = pick(g, "203.0.113.10", "198.51.100.7", "10.0.5.23", "2001:db8::1", "2001:db8:abcd::42")
		ctx["aws:PrincipalAccount"] = s.pAcct
		ctx["aws:PrincipalIsAWSService"] = "false"
		ctx["aws:ViaAWSService"] = "false"
		ctx["aws:UserAgent"] = pick(g, "aws-sdk-go-v2/1.30.0", "Boto3/1.34.0 Python/3.12")
		if s.resource != "*" {
			ctx["aws:ResourceAccount"] = s.rAcct
		}
		if s.kind == "root" {
			ctx["aws:PrincipalArn"] = s.principal
			ctx["aws:PrincipalType"] = "Account"
			ctx["aws:userid"] = s.pAcct
		} else if s.kind == "user" {
			ctx["aws:PrincipalArn"] = s.principal
			ctx["aws:PrincipalType"] = "User"
			ctx["aws:username"] = s.userName
			ctx["aws:userid"] = "AIDAEXAMPLEUSERID"
			if g.pct(40) {
				ctx["aws:MultiFactorAuthPresent"] = pick(g, "true", "false")
				ctx["aws:MultiFactorAuthAge"] = pick(g, "300", "3600", "3601", "0")
			}
		} else {
			ctx["aws:PrincipalArn"] = s.roleARN
			ctx["aws:PrincipalType"] = "AssumedRole"
			session := "order-fn"
			if i := strings.LastIndexByte(s.principal, '/'); s.kind == "session" && i >= 0 {
				session = s.principal[i+1:]
			}
			ctx["aws:userid"] = "AROAEXAMPLEROLEID:" + session
			if g.pct(50) {
				ctx["aws:TokenIssueTime"] = s.now.Add(-time.Duration(pick(g, 1, 60, 3600)) * time.Second).Format(time.RFC3339)
			}
			if g.pct(15) {
				ctx["aws:SourceIdentity"] = pick(g, "alice", "bob")
			}
		}
		if g.pct(60) {
			ctx["aws:PrincipalTag/team"] = pick(g, "orders", "Orders", "payments")
		}
		if g.pct(25) {
			ctx["aws:PrincipalTag/env"] = pick(g, "prod", "dev")
		}
		if s.org && g.pct(85) {
			ctx["aws:PrincipalOrgID"] = orgID
			if g.pct(60) {
				ctx["aws:PrincipalOrgPaths"] = []string{pick(g, orgPaths...)}
			}
		}
		if g.pct(25) {
			ctx["aws:SourceVpce"] = pick(g, "vpce-0a1b2c3d", "vpce-0ffee")
			ctx["aws:SourceVpc"] = pick(g, "vpc-0a1b2c3d", "vpc-0ffee")
			ctx["aws:VpcSourceIp"] = pick(g, "10.0.5.23", "10.1.0.9")
			delete(ctx, "aws:SourceIp")
		}
		if g.pct(10) {
			ctx["aws:CalledVia"] = pick(g, []string{"cloudformation.amazonaws.com"}, []string{"cloudformation.amazonaws.com", "dynamodb.amazonaws.com"}, []string{})
			ctx["aws:ViaAWSService"] = "true"
		}
		if s.kind == "session" && g.pct(20) {
			ctx["lambda:SourceFunctionArn"] = "arn:aws:lambda:us-east-1:" + s.pAcct + ":function:" + pick(g, "order-handler", "payment-handler")
		}
	case "service":
		ctx["aws:PrincipalServiceName"] = s.service
		ctx["aws:PrincipalIsAWSService"] = "true"
		if g.pct(85) {
			ctx["aws:SourceAccount"] = pick(g, acctA, acctA, acctB, acctC)
		}
		if g.pct(80) {
			ctx["aws:SourceArn"] = g.sourceARN(s)
		}
		if g.pct(30) {
			ctx["aws:SourceOrgID"] = pick(g, orgID, "o-zzzzzzzzzz")
		}
	case "anonymous":
		ctx["aws:SourceIp"] = pick(g, "203.0.113.10", "2001:db8::1", "192.0.2.44")
		ctx["aws:UserAgent"] = "curl/8.5.0"
		if g.pct(30) {
			ctx["aws:referer"] = pick(g, "https://www.example.com/orders", "https://evil.example.net/")
		}
	}
	// Service keys, only those the action has (else the reference drops them).
	keys := make([]string, 0, len(s.prof.keys))
	for k := range s.prof.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys) // map order would make the output depend on more than the seed
	for _, k := range keys {
		if !g.pct(45) || !applicable(s.action, k) {
			continue
		}
		ctx[k] = pick(g, s.prof.keys[k]...)
	}
}

func (g *gen) sourceARN(s *scen) string {
	acct := pick(g, acctA, acctA, acctB)
	switch s.service {
	case "apigateway.amazonaws.com":
		return pick(g, "arn:aws:execute-api:us-east-1:"+acct+":a1b2c3d4e5/prod/POST/orders", "arn:aws:execute-api:us-east-1:"+acct+":a1b2c3d4e5/dev/GET/orders/123")
	case "events.amazonaws.com":
		return "arn:aws:events:us-east-1:" + acct + ":rule/" + pick(g, "nightly", "orders-bus/on-order")
	case "s3.amazonaws.com", "logging.s3.amazonaws.com":
		return "arn:aws:s3:::" + pick(g, "uploads-bucket", "orders-archive")
	case "sns.amazonaws.com":
		return "arn:aws:sns:us-east-1:" + acct + ":" + pick(g, "alerts", "order-events")
	case "cloudtrail.amazonaws.com":
		return "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/org-trail"
	case "lambda.amazonaws.com":
		return "arn:aws:lambda:us-east-1:" + acct + ":function:order-handler"
	}
	return "arn:aws:" + strings.TrimSuffix(s.service, ".amazonaws.com") + ":us-east-1:" + acct + ":thing/x"
}

// applicable reports whether the service authorization reference lists key
// for action (or for one of its resource types).
func applicable(action, key string) bool {
	a, ok := iamdata.Action(action)
	if !ok {
		return false
	}
	lk := strings.ToLower(key)
	match := func(keys []string) bool {
		for _, k := range keys {
			k = strings.ToLower(k)
			if k == lk {
				return true
			}
			if i := strings.IndexAny(k, "$<"); i >= 0 && strings.HasPrefix(lk, k[:i]) && len(lk) > i {
				return true
			}
		}
		return false
	}
	if match(a.ConditionKeys) {
		return true
	}
	for _, rt := range a.ResourceTypes {
		if match(rt.ConditionKeys) {
			return true
		}
	}
	return false
}
