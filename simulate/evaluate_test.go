package simulate

import (
	"strings"
	"testing"
)

const (
	acct    = "111122223333"
	other   = "444455556666"
	roleARN = "arn:aws:iam::111122223333:role/order-role"
	session = "arn:aws:sts::111122223333:assumed-role/order-role/order-processor"
	user    = "arn:aws:iam::111122223333:user/alice"
	table   = "arn:aws:dynamodb:us-east-1:111122223333:table/Orders"
	query   = "dynamodb:Query"
)

func np(name, doc string) NamedPolicy { return NamedPolicy{Name: name, Policy: MustParse(doc)} }
func npp(name, doc string) *NamedPolicy {
	p := np(name, doc)
	return &p
}

func allowQuery(extra string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"Q","Effect":"Allow","Action":"dynamodb:Query","Resource":"*"` + extra + `}]}`
}

const (
	allowAll  = `{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}]}`
	denyQuery = `{"Version":"2012-10-17","Statement":[{"Sid":"NoQuery","Effect":"Deny","Action":"dynamodb:Query","Resource":"*"}]}`
	allowS3   = `{"Version":"2012-10-17","Statement":[{"Sid":"S3","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
)

func resGrant(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"Grant","Effect":"Allow","Principal":` + principal + `,"Action":"dynamodb:Query","Resource":"*"}]}`
}

func decide(t *testing.T, in *Input) *Result {
	t.Helper()
	r, err := Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type flowCase struct {
	name string
	in   Input
	want Decision
}

func runFlow(t *testing.T, tests []flowCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.Request.Action == "" {
				in.Request.Action = query
			}
			if in.Request.Resource == "" {
				in.Request.Resource = table
			}
			r := decide(t, &in)
			if r.Decision != tt.want {
				t.Errorf("got %s, want %s\n%s", r.Decision, tt.want, r.Explain())
			}
		})
	}
}

// IAM User Guide, "Policy evaluation logic"
// (reference_policies_evaluation-logic_policy-eval-denyallow): an explicit
// deny in any policy wins; every SCP and RCP level must allow; with no
// allow the request is implicitly denied.
func TestDecisionFlowDenyAndOrganization(t *testing.T) {
	req := Request{Principal: session}
	runFlow(t, []flowCase{
		{"no policies: implicit deny", Input{Request: req}, ImplicitDeny},
		{"identity allow", Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Request: req}, Allow},
		{"identity deny beats allow", Input{Identity: []NamedPolicy{np("a", allowAll), np("d", denyQuery)}, Request: req}, ExplicitDeny},
		{"boundary deny beats allow", Input{Identity: []NamedPolicy{np("a", allowAll)}, Boundary: npp("b", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"dynamodb:*","Resource":"*"}]}`), Request: req}, ExplicitDeny},
		{"resource policy deny", Input{Identity: []NamedPolicy{np("a", allowAll)}, Resource: npp("r", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"dynamodb:*","Resource":"*"}]}`), Request: req}, ExplicitDeny},
		{"SCP levels each allow", Input{Identity: []NamedPolicy{np("a", allowQuery(""))}, SCPs: [][]NamedPolicy{{np("root", allowAll)}, {np("ou", allowQuery(""))}}, Request: req}, Allow},
		{"SCP level without allow", Input{Identity: []NamedPolicy{np("a", allowQuery(""))}, SCPs: [][]NamedPolicy{{np("root", allowAll)}, {np("ou", allowS3)}}, Request: req}, ImplicitDeny},
		{"SCP empty level", Input{Identity: []NamedPolicy{np("a", allowQuery(""))}, SCPs: [][]NamedPolicy{{np("root", allowAll)}, {}}, Request: req}, ImplicitDeny},
		{"SCP deny", Input{Identity: []NamedPolicy{np("a", allowQuery(""))}, SCPs: [][]NamedPolicy{{np("root", allowAll), np("d", denyQuery)}}, Request: req}, ExplicitDeny},
		{"SCP allow grants nothing alone", Input{SCPs: [][]NamedPolicy{{np("root", allowAll)}}, Request: req}, ImplicitDeny},
		{"RCP levels each allow", Input{Identity: []NamedPolicy{np("a", allowQuery(""))}, RCPs: [][]NamedPolicy{{np("rcp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)}}, Request: req}, Allow},
		{"RCP level without allow", Input{Identity: []NamedPolicy{np("a", allowQuery(""))}, RCPs: [][]NamedPolicy{{np("rcp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)}}, Request: req}, ImplicitDeny},
		{"RCP deny", Input{Identity: []NamedPolicy{np("a", allowQuery(""))}, RCPs: [][]NamedPolicy{{np("full", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`), np("d", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"dynamodb:*","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-1"}}}]}`)}}, Request: req}, ExplicitDeny},
	})
}

// IAM User Guide, "Policy evaluation logic" (reference_policies_evaluation-logic,
// "Resource-based policies" and "Permissions boundaries", and
// access_policies_boundaries): in one account an allow in either the
// identity policies or the resource policy suffices; a boundary limits
// identity-policy grants and grants to the role ARN, not grants to a user or
// session ARN; a grant to the account needs an identity allow as well.
func TestDecisionFlowSameAccount(t *testing.T) {
	boundaryS3 := npp("boundary", allowS3)
	sessionS3 := npp("session-policy", allowS3)
	tests := []flowCase{
		{"resource grant to session ARN alone", Input{Resource: npp("r", resGrant(`{"AWS":"`+session+`"}`)), Request: Request{Principal: session}}, Allow},
		{"resource grant to role ARN covers its sessions", Input{Resource: npp("r", resGrant(`{"AWS":"`+roleARN+`"}`)), Request: Request{Principal: session}}, Allow},
		{"resource grant to role ARN with path covers sessions", Input{Resource: npp("r", resGrant(`{"AWS":"arn:aws:iam::111122223333:role/service-role/order-role"}`)), Request: Request{Principal: session}}, Allow},
		{"resource grant to other role", Input{Resource: npp("r", resGrant(`{"AWS":"arn:aws:iam::111122223333:role/other"}`)), Request: Request{Principal: session}}, ImplicitDeny},
		{"resource grant to user", Input{Resource: npp("r", resGrant(`{"AWS":"`+user+`"}`)), Request: Request{Principal: user}}, Allow},
		{"resource grant to account needs identity allow", Input{Resource: npp("r", resGrant(`{"AWS":"`+acct+`"}`)), Request: Request{Principal: session}}, ImplicitDeny},
		{"resource grant to account root plus identity", Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Resource: npp("r", resGrant(`{"AWS":"arn:aws:iam::`+acct+`:root"}`)), Request: Request{Principal: session}}, Allow},
		{"resource grant to star", Input{Resource: npp("r", resGrant(`"*"`)), Request: Request{Principal: session}}, Allow},
		{"boundary limits identity allow", Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Boundary: boundaryS3, Request: Request{Principal: session}}, ImplicitDeny},
		{"boundary and identity both allow", Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Boundary: npp("b", allowAll), Request: Request{Principal: session}}, Allow},
		{"boundary alone grants nothing", Input{Boundary: npp("b", allowAll), Request: Request{Principal: session}}, ImplicitDeny},
		{"boundary does not limit grant to session ARN", Input{Boundary: boundaryS3, Resource: npp("r", resGrant(`{"AWS":"`+session+`"}`)), Request: Request{Principal: session}}, Allow},
		{"boundary limits grant to role ARN", Input{Boundary: boundaryS3, Resource: npp("r", resGrant(`{"AWS":"`+roleARN+`"}`)), Request: Request{Principal: session}}, ImplicitDeny},
		{"boundary limits grant to role ARN for the role", Input{Boundary: boundaryS3, Resource: npp("r", resGrant(`{"AWS":"`+roleARN+`"}`)), Request: Request{Principal: roleARN}}, ImplicitDeny},
		{"boundary does not limit grant to user ARN", Input{Boundary: boundaryS3, Resource: npp("r", resGrant(`{"AWS":"`+user+`"}`)), Request: Request{Principal: user}}, Allow},
		{"boundary does not limit grant to star", Input{Boundary: boundaryS3, Resource: npp("r", resGrant(`"*"`)), Request: Request{Principal: session}}, Allow},
		{"session policy limits identity allow", Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Session: sessionS3, Request: Request{Principal: session}}, ImplicitDeny},
		{"session policy and identity allow", Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Session: npp("s", allowQuery("")), Request: Request{Principal: session}}, Allow},
		{"session policy limits grant to role ARN", Input{Session: sessionS3, Resource: npp("r", resGrant(`{"AWS":"`+roleARN+`"}`)), Request: Request{Principal: session}}, ImplicitDeny},
		{"session policy does not limit grant to session ARN", Input{Session: sessionS3, Resource: npp("r", resGrant(`{"AWS":"`+session+`"}`)), Request: Request{Principal: session}}, Allow},
		{"session policy limits grant to star", Input{Session: sessionS3, Resource: npp("r", resGrant(`"*"`)), Request: Request{Principal: session}}, ImplicitDeny},
		{"session policy deny beats session grant", Input{Session: npp("s", denyQuery), Resource: npp("r", resGrant(`{"AWS":"`+session+`"}`)), Request: Request{Principal: session}}, ExplicitDeny},
	}
	runFlow(t, tests)
}

// IAM User Guide, "Cross-account policy evaluation logic"
// (reference_policies_evaluation-logic-cross-account): both the identity
// side of the trusted account and the resource policy must allow.
func TestDecisionFlowCrossAccount(t *testing.T) {
	otherTable := "arn:aws:dynamodb:us-east-1:444455556666:table/Orders"
	req := Request{Principal: session, Resource: otherTable}
	tests := []flowCase{
		{"identity only", Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Request: req}, ImplicitDeny},
		{"resource only", Input{Resource: npp("r", resGrant(`{"AWS":"`+session+`"}`)), Request: req}, ImplicitDeny},
		{"both", Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Resource: npp("r", resGrant(`{"AWS":"`+roleARN+`"}`)), Request: req}, Allow},
		{"both, resource grants the account", Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Resource: npp("r", resGrant(`{"AWS":"`+acct+`"}`)), Request: req}, Allow},
		{"both, resource grants another account", Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Resource: npp("r", resGrant(`{"AWS":"999988887777"}`)), Request: req}, ImplicitDeny},
		{"boundary limits", Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Boundary: npp("b", allowS3), Resource: npp("r", resGrant(`{"AWS":"`+session+`"}`)), Request: req}, ImplicitDeny},
		{"resource_account overrides the ARN", Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Request: Request{Principal: session, Resource: table, ResourceAccount: other}}, ImplicitDeny},
	}
	runFlow(t, tests)
	r := decide(t, &Input{Identity: []NamedPolicy{np("id", allowQuery(""))}, Resource: npp("r", resGrant(`{"AWS":"`+roleARN+`"}`)), Request: Request{Principal: session, Action: query, Resource: otherTable}})
	if !r.CrossAccount || len(r.Deciding) != 2 {
		t.Errorf("got cross-account %v, deciding %v; want true and both statements", r.CrossAccount, r.Deciding)
	}
}

// Service principals and anonymous callers have no identity policies: only
// the resource policy can grant (IAM User Guide, "AWS JSON policy elements:
// Principal", "AWS service principals"); SCPs do not apply to them
// (Organizations User Guide, "Service control policies (SCPs)": "SCPs don't
// affect ... service-linked roles ... or service principals").
func TestDecisionFlowServiceAndAnonymous(t *testing.T) {
	const fn = "arn:aws:lambda:us-east-1:111122223333:function:orders"
	apigw := `{"Version":"2012-10-17","Statement":[{"Sid":"apigw","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + fn + `","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:111122223333:a1b2/*"}}}]}`
	src := Context{"aws:SourceArn": one("arn:aws:execute-api:us-east-1:111122223333:a1b2/prod/POST/orders")}
	svc := Request{Principal: "apigateway.amazonaws.com", Action: "lambda:InvokeFunction", Resource: fn, Context: src}
	anon := Request{Principal: "*", Action: "lambda:InvokeFunctionUrl", Resource: fn}
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"` + fn + `","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}}]}`
	runFlow(t, []flowCase{
		{"service granted", Input{Resource: npp("r", apigw), Request: svc}, Allow},
		{"service, wrong source", Input{Resource: npp("r", apigw), Request: Request{Principal: svc.Principal, Action: svc.Action, Resource: fn, Context: Context{"aws:SourceArn": one("arn:aws:execute-api:us-east-1:111122223333:zz9y/prod/POST/orders")}}}, ImplicitDeny},
		{"service, no resource policy", Input{Request: svc}, ImplicitDeny},
		{"service ignores identity policies", Input{Identity: []NamedPolicy{np("id", denyQuery)}, Resource: npp("r", apigw), Request: svc}, Allow},
		{"service ignores SCPs", Input{SCPs: [][]NamedPolicy{{np("scp", allowS3)}}, Resource: npp("r", apigw), Request: svc}, Allow},
		{"service principal names are exact", Input{Resource: npp("r", strings.Replace(apigw, "apigateway.amazonaws.com", "APIGATEWAY.amazonaws.com", 1)), Request: svc}, ImplicitDeny},
		{"service matches AWS *", Input{Resource: npp("r", strings.Replace(apigw, `{"Service":"apigateway.amazonaws.com"}`, `{"AWS":"*"}`, 1)), Request: svc}, Allow},
		{"service does not match an account", Input{Resource: npp("r", strings.Replace(apigw, `{"Service":"apigateway.amazonaws.com"}`, `{"AWS":"111122223333"}`, 1)), Request: svc}, ImplicitDeny},
		{"anonymous, public URL", Input{Resource: npp("r", public), Request: Request{Principal: "*", Action: anon.Action, Resource: fn, Context: Context{"lambda:FunctionUrlAuthType": one("NONE")}}}, Allow},
		{"anonymous, IAM auth URL", Input{Resource: npp("r", public), Request: Request{Principal: "*", Action: anon.Action, Resource: fn, Context: Context{"lambda:FunctionUrlAuthType": one("AWS_IAM")}}}, ImplicitDeny},
		{"anonymous, account grant", Input{Resource: npp("r", strings.Replace(public, `"Principal":"*"`, `"Principal":{"AWS":"111122223333"}`, 1)), Request: Request{Principal: "*", Action: anon.Action, Resource: fn, Context: Context{"lambda:FunctionUrlAuthType": one("NONE")}}}, ImplicitDeny},
		{"anonymous, RCP applies", Input{RCPs: [][]NamedPolicy{{np("rcp", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)}}, Resource: npp("r", public), Request: Request{Principal: "*", Action: anon.Action, Resource: fn, Context: Context{"lambda:FunctionUrlAuthType": one("NONE")}}}, ImplicitDeny},
	})
}

// IAM User Guide, "AWS JSON policy elements: NotPrincipal", NotAction and
// NotResource pages.
func TestNotElements(t *testing.T) {
	notPrincipalDeny := func(p string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"dynamodb:Query","Resource":"*"},{"Sid":"OnlyRole","Effect":"Deny","NotPrincipal":` + p + `,"Action":"dynamodb:*","Resource":"*"}]}`
	}
	runFlow(t, []flowCase{
		{"NotPrincipal Deny excludes the named role's sessions", Input{Resource: npp("r", notPrincipalDeny(`{"AWS":["`+roleARN+`","arn:aws:iam::`+acct+`:root"]}`)), Request: Request{Principal: session}}, Allow},
		{"NotPrincipal Deny hits others", Input{Resource: npp("r", notPrincipalDeny(`{"AWS":"`+roleARN+`"}`)), Request: Request{Principal: user}}, ExplicitDeny},
		{"NotPrincipal Deny with a boundary always denies", Input{Boundary: npp("b", allowAll), Resource: npp("r", notPrincipalDeny(`{"AWS":"`+roleARN+`"}`)), Request: Request{Principal: session}}, ExplicitDeny},
		{"NotPrincipal Allow grants everyone else, anonymous too", Input{Resource: npp("r", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"`+user+`"},"Action":"dynamodb:Query","Resource":"*"}]}`), Request: Request{Principal: "*"}}, Allow},
		{"NotAction Allow grants other actions", Input{Identity: []NamedPolicy{np("id", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`)}, Request: Request{Principal: session}}, Allow},
		{"NotAction Allow excludes listed", Input{Identity: []NamedPolicy{np("id", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"dynamodb:*","Resource":"*"}]}`)}, Request: Request{Principal: session}}, ImplicitDeny},
		{"NotResource Deny denies everything else", Input{Identity: []NamedPolicy{np("a", allowAll), np("d", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","NotResource":"arn:aws:dynamodb:*:*:table/Other"}]}`)}, Request: Request{Principal: session}}, ExplicitDeny},
		{"NotResource Deny spares the listed", Input{Identity: []NamedPolicy{np("a", allowAll), np("d", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","NotResource":"`+table+`"}]}`)}, Request: Request{Principal: session}}, Allow},
		{"NotResource Deny grants nothing", Input{Identity: []NamedPolicy{np("d", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","NotResource":"`+table+`"}]}`)}, Request: Request{Principal: session}}, ImplicitDeny},
	})
}

func TestTraceNamesTheFailingElement(t *testing.T) {
	apigw := `{"Version":"2012-10-17","Statement":[{"Sid":"apigw","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:orders","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:111122223333:zz9y/*"}}},{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"*"},{"Sid":"other","Effect":"Allow","Principal":"*","Action":"lambda:GetFunction","Resource":"*"}]}`
	r := decide(t, &Input{Resource: npp("function policy", apigw), Request: Request{
		Principal: "apigateway.amazonaws.com", Action: "lambda:InvokeFunction",
		Resource: "arn:aws:lambda:us-east-1:111122223333:function:orders",
		Context:  Context{"aws:SourceArn": one("arn:aws:execute-api:us-east-1:111122223333:a1b2/prod/POST/orders")}}})
	if r.Decision != ImplicitDeny || len(r.Trace) != 3 {
		t.Fatalf("got %s with %d trace lines", r.Decision, len(r.Trace))
	}
	want := []struct{ stmt, failed, why string }{
		{"apigw", "condition", `condition ArnLike AWS:SourceArn: request value "arn:aws:execute-api:us-east-1:111122223333:a1b2/prod/POST/orders" matches none of ["arn:aws:execute-api:us-east-1:111122223333:zz9y/*"]`},
		{"#1", "principal", `principal "apigateway.amazonaws.com" is not named in Principal {Service: ["sns.amazonaws.com"]}`},
		{"other", "action", `action "lambda:InvokeFunction" matches none of ["lambda:GetFunction"]`},
	}
	for i, w := range want {
		tr := r.Trace[i]
		if tr.Statement != w.stmt || tr.Failed != w.failed || tr.Why != w.why || tr.Layer != LayerResource || tr.Policy != "function policy" {
			t.Errorf("trace[%d]: got %+v, want %+v", i, tr, w)
		}
	}
	ex := r.Explain()
	for _, s := range []string{"decision: implicit_deny", "missing allow in", "resource", "[no ] resource function policy statement apigw (Allow): condition ArnLike"} {
		if !strings.Contains(ex, s) {
			t.Errorf("Explain() lacks %q:\n%s", s, ex)
		}
	}
	// Decide gives the same decision without a trace.
	d, err := Decide(&Input{Resource: npp("function policy", apigw), Request: Request{Principal: "apigateway.amazonaws.com", Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:111122223333:function:orders"}})
	if err != nil || d.Decision != ImplicitDeny || d.Trace != nil {
		t.Errorf("Decide: got %+v, %v", d, err)
	}
}

func TestDecidingStatements(t *testing.T) {
	r := decide(t, &Input{Identity: []NamedPolicy{np("a", allowAll), np("d", denyQuery), np("d2", denyQuery)}, Request: Request{Principal: session, Action: query, Resource: table}})
	if r.Decision != ExplicitDeny || len(r.Deciding) != 2 || r.Deciding[0].Policy != "d" || r.Deciding[0].Statement != "NoQuery" || r.Deciding[0].Effect != "Deny" {
		t.Errorf("got %s %+v", r.Decision, r.Deciding)
	}
	r = decide(t, &Input{Identity: []NamedPolicy{np("a", allowAll), np("q", allowQuery(""))}, Request: Request{Principal: session, Action: query, Resource: table}})
	if r.Decision != Allow || len(r.Deciding) != 2 || r.Deciding[1].Statement != "Q" {
		t.Errorf("got %s %+v", r.Decision, r.Deciding)
	}
}

func TestBadRequests(t *testing.T) {
	for _, req := range []Request{
		{Principal: "", Action: query, Resource: table},
		{Principal: "bob", Action: query, Resource: table},
		{Principal: "arn:aws:iam", Action: query, Resource: table},
		{Principal: "arn:aws:sts::111122223333:assumed-role/x", Action: query, Resource: table},
		{Principal: session, Action: "", Resource: table},
		{Principal: session, Action: query, Resource: ""},
	} {
		if _, err := Evaluate(&Input{Request: req}); err == nil {
			t.Errorf("%+v: no error", req)
		}
	}
	if _, err := Evaluate(nil); err == nil {
		t.Error("nil input: no error")
	}
}

// IAM User Guide, "AWS global condition context keys".
func TestDefaultContext(t *testing.T) {
	got := func(req Request, k string) string {
		v, ok := DefaultContext(req).lookup(k)
		if !ok {
			return "<absent>"
		}
		return strings.Join(v.Values, ",")
	}
	tests := []struct{ principal, key, want string }{
		{session, "aws:PrincipalArn", roleARN},
		{session, "aws:PrincipalType", "AssumedRole"},
		{session, "aws:PrincipalAccount", acct},
		{session, "aws:username", "<absent>"},
		{user, "aws:username", "alice"},
		{user, "aws:PrincipalType", "User"},
		{"arn:aws:iam::111122223333:root", "aws:PrincipalType", "Account"},
		{"apigateway.amazonaws.com", "aws:PrincipalServiceName", "apigateway.amazonaws.com"},
		{"apigateway.amazonaws.com", "aws:PrincipalIsAWSService", "true"},
		{"apigateway.amazonaws.com", "aws:PrincipalArn", "<absent>"},
		{"*", "aws:PrincipalType", "Anonymous"},
		{session, "aws:SecureTransport", "true"},
		{session, "aws:RequestedRegion", "us-east-1"},
	}
	for _, tt := range tests {
		if g := got(Request{Principal: tt.principal, Resource: table}, tt.key); g != tt.want {
			t.Errorf("%s %s: got %q, want %q", tt.principal, tt.key, g, tt.want)
		}
	}
	ctx := DefaultContext(Request{Principal: user, Resource: table, Context: Context{"AWS:USERNAME": one("override")}})
	if v, _ := ctx.lookup("aws:username"); v.Values[0] != "override" || len(ctx) != len(DefaultContext(Request{Principal: user, Resource: table})) {
		t.Errorf("request keys must win: got %v", ctx)
	}
	if _, ok := DefaultContext(Request{Principal: user}).lookup("aws:CurrentTime"); !ok {
		t.Error("no aws:CurrentTime")
	}
}
