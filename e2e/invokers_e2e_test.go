//go:build integration

package e2e

// Issue 11's proof: for each invoker kind, the broken wiring is built with
// the aws CLI, `lambda-doctor diagnose --function F` with no other flag
// finds the refused invoker, `check --function F` fails with the same
// fixes, every printed fix is run with the aws CLI, and then both commands
// exit 0. Every call the tool sends on the wire is a read (onlyReads).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lambda-doctor/lambda-doctor/diagnose/fix/fixtest"
)

// isRead reports whether one call on the wire (operation's name for it) is
// a read: a REST call with GET or HEAD, or a JSON or query protocol
// operation named Get…, List…, Describe…, Filter… or Simulate… (IAM's
// policy simulator, diagnose --cross-check), but never a secret's value.
func isRead(op string) bool {
	if method, _, ok := strings.Cut(op, " "); ok && strings.HasPrefix(op, strings.ToUpper(method)+" /") {
		return method == http.MethodGet || method == http.MethodHead
	}
	name := op[strings.LastIndex(op, ".")+1:]
	if name == "GetSecretValue" {
		return false
	}
	for _, p := range []string{"Get", "List", "Describe", "Filter", "Simulate"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// onlyReads fails the test for any call that is not a read: the tool never
// writes (docs/contract.md, "The tool only ever reads").
func onlyReads(t *testing.T, calls []call) {
	t.Helper()
	for _, c := range calls {
		if !isRead(c.op) {
			t.Errorf("the tool sent a call that is not a read: %s", c.op)
		}
	}
}

func TestIsRead(t *testing.T) {
	for op, want := range map[string]bool{
		"GET /2015-03-31/functions/f":                     true,
		"POST /2015-03-31/functions/f/policy":             false,
		"DELETE /2015-03-31/functions/f/policy/s":         false,
		"PUT /2020-05-31/distribution/E1/config":          false,
		"AWSCognitoIdentityProviderService.ListUserPools": true,
		"Logs_20140328.PutSubscriptionFilter":             false,
		"secretsmanager.GetSecretValue":                   false,
		"TrentService.GetKeyPolicy":                       true,
		"TrentService.PutKeyPolicy":                       false,
		"DescribeTargetGroups":                            true,
		"RegisterTargets":                                 false,
		"SimulatePrincipalPolicy":                         true,
	} {
		if got := isRead(op); got != want {
			t.Errorf("isRead(%q): got %v, want %v", op, got, want)
		}
	}
}

// checkReport is the part of `check --output json` these tests rely on.
type checkReport struct {
	Functions []struct {
		Requirements []struct {
			ID     string `json:"id"`
			Need   string `json:"need"`
			Passed bool   `json:"passed"`
		} `json:"requirements"`
	} `json:"functions"`
	Findings []struct {
		ID    string       `json:"id"`
		Title string       `json:"title"`
		Fixes []printedFix `json:"fixes"`
	} `json:"findings"`
}

// check runs `lambda-doctor check ARGS --output json` through the counting
// proxy and returns the parsed report and the exit code.
func (e *env) check(args ...string) (*checkReport, int) {
	e.t.Helper()
	e.proxy.reset()
	cmd := exec.Command(binary, append(append([]string{"check"}, args...), "--output", "json")...)
	cmd.Env = e.environ()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		e.t.Fatalf("run lambda-doctor: %v", err)
	}
	calls, rounds := e.proxy.stats()
	e.t.Logf("check %s: exit %d, %d API calls in %d dependent rounds\nstderr: %s", strings.Join(args, " "), code, len(calls), rounds, stderr.String())
	onlyReads(e.t, calls)
	var r checkReport
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		e.t.Fatalf("check %s: exit %d, output is not JSON (%v):\n%s\n%s", strings.Join(args, " "), code, err, stdout.String(), stderr.String())
	}
	for _, f := range r.Findings {
		var fixes []fixtest.Fix
		for _, x := range f.Fixes {
			fixes = append(fixes, fixtest.Fix{Command: x.Command, Document: x.Document})
		}
		neverPublic(e.t, fixes)
	}
	return &r, code
}

// proveInvokers is issue 11's proof for function fn, whose invokers are
// wired and refused: `diagnose --function fn` alone exits 1 with one
// diagnosis of rule LD012 per refused invoker, each with a verified fix
// command, and for each entry of want some fix command holds all its
// strings; `check --function fn` exits 1 with LD012 findings carrying the
// same commands; every command is run with the aws CLI, and then both
// commands exit 0. It returns the commands run.
func (e *env) proveInvokers(fn string, want ...[]string) []string {
	e.t.Helper()
	args := []string{"--function", fn}
	d, code := e.diagnose(args...)
	if code != 1 || d.Door == "none" {
		e.t.Fatalf("diagnose --function %s: got exit %d door %q, want 1 and a closed door; summary: %s", fn, code, d.Door, d.Summary)
	}
	var cmds []string
	for _, x := range d.Diagnoses {
		e.t.Logf("diagnosis %s %s (%s): %s", x.Door, x.Rule, x.Source, x.Summary)
		if x.Rule != "LD012" {
			e.t.Errorf("diagnosis %q: rule %q, want LD012 (an invoker is refused)", x.Summary, x.Rule)
		}
		n := 0
		for _, f := range x.Fixes {
			e.t.Logf("  fix (verified %v): %s", f.Verified, f.Command)
			if f.Verified && f.Command != "" {
				n++
				if !slices.Contains(cmds, f.Command) {
					cmds = append(cmds, f.Command)
				}
			}
		}
		if n == 0 {
			e.t.Errorf("diagnosis %q has no verified fix command", x.Summary)
		}
	}
	for _, subs := range want {
		if !slices.ContainsFunc(cmds, func(c string) bool { return containsAll(c, subs) }) {
			e.t.Errorf("no fix command contains all of %q:\n%s", subs, strings.Join(cmds, "\n"))
		}
	}

	c, code := e.check(args...)
	if code != 1 {
		e.t.Errorf("check --function %s: got exit %d, want 1", fn, code)
	}
	var checkCmds []string
	for _, f := range c.Findings {
		if f.ID != "LD012" {
			continue
		}
		for _, x := range f.Fixes {
			if x.Verified && x.Command != "" && !slices.Contains(checkCmds, x.Command) {
				checkCmds = append(checkCmds, x.Command)
			}
		}
	}
	if !sameSet(cmds, checkCmds) {
		e.t.Errorf("check's LD012 fixes differ from diagnose's:\ncheck:\n%s\ndiagnose:\n%s", strings.Join(checkCmds, "\n"), strings.Join(cmds, "\n"))
	}
	if e.t.Failed() {
		e.t.FailNow()
	}

	for _, cmd := range cmds {
		e.runFix(cmd)
	}
	e.expectOpen(args...)
	if c, code := e.check(args...); code != 0 {
		e.t.Errorf("check --function %s after the fixes: got exit %d, want 0; findings: %+v", fn, code, c.Findings)
	}
	return cmds
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// lambdaURI is the integration URI of API Gateway for a function ARN.
func lambdaURI(fnARN string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fnARN + "/invocations"
}

// restAPI builds a REST API named name and returns its id and root
// resource id.
func (e *env) restAPI(name string) (id, root string) {
	e.t.Helper()
	id = e.aws("apigateway", "create-rest-api", "--name", name, "--query", "id", "--output", "text")
	root = e.aws("apigateway", "get-resources", "--rest-api-id", id, "--query", "items[0].id", "--output", "text")
	return id, root
}

// restMethod adds VERB on a new resource PART under parent, integrated
// with uri (AWS_PROXY); authorizer, when set, is its custom authorizer.
func (e *env) restMethod(api, parent, part, verb, uri, authorizer string) string {
	e.t.Helper()
	res := e.aws("apigateway", "create-resource", "--rest-api-id", api, "--parent-id", parent, "--path-part", part, "--query", "id", "--output", "text")
	put := []string{"apigateway", "put-method", "--rest-api-id", api, "--resource-id", res, "--http-method", verb, "--authorization-type", "NONE"}
	if authorizer != "" {
		put = []string{"apigateway", "put-method", "--rest-api-id", api, "--resource-id", res, "--http-method", verb, "--authorization-type", "CUSTOM", "--authorizer-id", authorizer}
	}
	e.aws(put...)
	e.aws("apigateway", "put-integration", "--rest-api-id", api, "--resource-id", res, "--http-method", verb,
		"--type", "AWS_PROXY", "--integration-http-method", "POST", "--uri", uri)
	return res
}

func (e *env) execAPI(rest string) string {
	return fmt.Sprintf("arn:aws:execute-api:us-east-1:%s:%s", e.acct, rest)
}

// The seed's headline: API Gateway answers 500 "Invalid permissions on
// Lambda function". The function's only statement names an older API; the
// routes of the new one (a path parameter among them) are found and each
// gets its permission with the SourceArn API Gateway sends:
// API_ID/STAGE/VERB/PATH, a path parameter written * (Lambda DG,
// services-apigateway).
func TestInvokerRESTRoutes(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-inv-rest")
	old, _ := e.restAPI("e2e-inv-rest-old")
	e.aws("lambda", "add-permission", "--function-name", "e2e-inv-rest", "--statement-id", "apigw-old",
		"--action", "lambda:InvokeFunction", "--principal", "apigateway.amazonaws.com", "--source-arn", e.execAPI(old+"/*"))
	api, root := e.restAPI("e2e-inv-rest")
	orders := e.restMethod(api, root, "orders", "POST", lambdaURI(fn), "")
	e.restMethod(api, orders, "{id}", "GET", lambdaURI(fn), "")
	e.aws("apigateway", "create-deployment", "--rest-api-id", api, "--stage-name", "prod")

	e.proveInvokers("e2e-inv-rest",
		[]string{"add-permission", "--principal apigateway.amazonaws.com", e.execAPI(api + "/prod/POST/orders")},
		[]string{"add-permission", "--principal apigateway.amazonaws.com", e.execAPI(api + "/prod/GET/orders/*")})
	if pol := e.aws("lambda", "get-policy", "--function-name", "e2e-inv-rest"); !strings.Contains(pol, "apigw-old") {
		t.Errorf("the fixes removed the existing statement apigw-old: %s", pol)
	}
}

// A REST API's Lambda (TOKEN) authorizer is invoked with SourceArn
// API_ID/authorizers/AUTHORIZER_ID, not a route's (API Gateway DG,
// apigateway-use-lambda-authorizer). The method's backend is another,
// healthy function.
func TestInvokerRESTAuthorizer(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-inv-authz")
	backend, _ := e.healthyFunction("e2e-inv-authz-backend")
	api, root := e.restAPI("e2e-inv-authz")
	auth := e.aws("apigateway", "create-authorizer", "--rest-api-id", api, "--name", "token-check", "--type", "TOKEN",
		"--authorizer-uri", lambdaURI(fn), "--identity-source", "method.request.header.Authorization", "--query", "id", "--output", "text")
	e.restMethod(api, root, "secure", "GET", lambdaURI(backend), auth)
	e.aws("apigateway", "create-deployment", "--rest-api-id", api, "--stage-name", "prod")

	cmds := e.proveInvokers("e2e-inv-authz",
		[]string{"add-permission", "--function-name", "e2e-inv-authz", "--principal apigateway.amazonaws.com", e.execAPI(api + "/authorizers/" + auth)})
	for _, c := range cmds {
		if strings.Contains(c, "/prod/") {
			t.Errorf("the authorizer function got a route's permission: %s", c)
		}
	}
}

// An HTTP API: the route GET /items/{id} on the function (stage $default),
// and a REQUEST authorizer on the function's alias live: the authorizer's
// permission goes on the alias (a permission applies only to the ARN it
// was added for; Lambda DG, using-aliases).
func TestInvokerHTTPAPIRouteAndAuthorizer(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-inv-http")
	e.aws("lambda", "publish-version", "--function-name", "e2e-inv-http")
	e.aws("lambda", "create-alias", "--function-name", "e2e-inv-http", "--name", "live", "--function-version", "1")
	api := e.aws("apigatewayv2", "create-api", "--name", "e2e-inv-http", "--protocol-type", "HTTP", "--query", "ApiId", "--output", "text")
	integ := e.aws("apigatewayv2", "create-integration", "--api-id", api, "--integration-type", "AWS_PROXY", "--integration-uri", fn,
		"--payload-format-version", "2.0", "--query", "IntegrationId", "--output", "text")
	auth := e.aws("apigatewayv2", "create-authorizer", "--api-id", api, "--authorizer-type", "REQUEST", "--name", "http-check",
		"--authorizer-uri", lambdaURI(fn+":live"), "--identity-source", "$request.header.Authorization",
		"--authorizer-payload-format-version", "2.0", "--query", "AuthorizerId", "--output", "text")
	e.aws("apigatewayv2", "create-route", "--api-id", api, "--route-key", "GET /items/{id}", "--target", "integrations/"+integ,
		"--authorization-type", "CUSTOM", "--authorizer-id", auth)
	e.aws("apigatewayv2", "create-stage", "--api-id", api, "--stage-name", "$default")

	e.proveInvokers("e2e-inv-http",
		[]string{"--principal apigateway.amazonaws.com", e.execAPI(api + "/$default/GET/items/*")},
		[]string{"--principal apigateway.amazonaws.com", "--qualifier live", e.execAPI(api + "/authorizers/" + auth)})
}

// A WebSocket API's routes invoke with SourceArn API_ID/STAGE/ROUTE_KEY;
// $connect must reach AWS as written, not as an empty shell variable.
func TestInvokerWebSocket(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-inv-ws")
	api := e.aws("apigatewayv2", "create-api", "--name", "e2e-inv-ws", "--protocol-type", "WEBSOCKET",
		"--route-selection-expression", "$request.body.action", "--query", "ApiId", "--output", "text")
	integ := e.aws("apigatewayv2", "create-integration", "--api-id", api, "--integration-type", "AWS_PROXY", "--integration-uri", lambdaURI(fn),
		"--query", "IntegrationId", "--output", "text")
	for _, key := range []string{"$connect", "sendmessage"} {
		e.aws("apigatewayv2", "create-route", "--api-id", api, "--route-key", key, "--target", "integrations/"+integ)
	}
	e.aws("apigatewayv2", "create-stage", "--api-id", api, "--stage-name", "prod")

	e.proveInvokers("e2e-inv-ws",
		[]string{"--principal apigateway.amazonaws.com", e.execAPI(api + "/prod/$connect")},
		[]string{"--principal apigateway.amazonaws.com", e.execAPI(api + "/prod/sendmessage")})
	pol := e.aws("lambda", "get-policy", "--function-name", "e2e-inv-ws", "--query", "Policy", "--output", "text")
	if !strings.Contains(pol, api+"/prod/$connect") {
		t.Errorf("the $connect permission did not reach the policy as written: %s", pol)
	}
}

// A Cognito user pool's PreSignUp trigger: cognito-idp.amazonaws.com with
// the user pool ARN as SourceArn (Cognito DG, cognito-user-pools-working-
// with-lambda-triggers; the console adds it silently, the SDK does not).
func TestInvokerCognitoTrigger(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-inv-cognito")
	pool := e.aws("cognito-idp", "create-user-pool", "--pool-name", "e2e-inv-pool", "--lambda-config",
		fmt.Sprintf(`{"PreSignUp":%q}`, fn), "--query", "UserPool.Id", "--output", "text")
	poolARN := fmt.Sprintf("arn:aws:cognito-idp:us-east-1:%s:userpool/%s", e.acct, pool)

	e.proveInvokers("e2e-inv-cognito", []string{"--principal cognito-idp.amazonaws.com", poolARN})
}

// An Application Load Balancer target group of type lambda with the alias
// live registered: elasticloadbalancing.amazonaws.com with the target
// group ARN (ELB UG, lambda-functions), on the alias.
func TestInvokerALBTargetGroup(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-inv-alb")
	e.aws("lambda", "publish-version", "--function-name", "e2e-inv-alb")
	e.aws("lambda", "create-alias", "--function-name", "e2e-inv-alb", "--name", "live", "--function-version", "1")
	tg := e.aws("elbv2", "create-target-group", "--name", "e2e-inv-alb-tg", "--target-type", "lambda",
		"--query", "TargetGroups[0].TargetGroupArn", "--output", "text")
	e.aws("elbv2", "register-targets", "--target-group-arn", tg, "--targets", "Id="+fn+":live")

	e.proveInvokers("e2e-inv-alb", []string{"--principal elasticloadbalancing.amazonaws.com", "--qualifier live", tg})
}

// A CloudWatch Logs subscription filter whose destination is the
// function: the fix grants the global principal logs.amazonaws.com (as SAM
// and CDK do) with the log group ARN ending :* (CloudWatch Logs UG,
// SubscriptionFilters). The healthy account's permission names the regional
// form, which names the same service (judge.ServiceAliases).
func TestInvokerLogsSubscription(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-inv-logs")
	e.aws("logs", "create-log-group", "--log-group-name", "/e2e/inv/app")
	e.aws("logs", "put-subscription-filter", "--log-group-name", "/e2e/inv/app", "--filter-name", "ship",
		"--filter-pattern", "", "--destination-arn", fn)

	e.proveInvokers("e2e-inv-logs", []string{"--principal logs.amazonaws.com",
		fmt.Sprintf("arn:aws:logs:us-east-1:%s:log-group:/e2e/inv/app:*", e.acct)})
}

// A Secrets Manager secret rotated by the function:
// secretsmanager.amazonaws.com must be allowed to invoke it (Secrets
// Manager UG, rotate-secrets_lambda).
func TestInvokerSecretsRotation(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-inv-rotate")
	secret := e.aws("secretsmanager", "create-secret", "--name", "e2e-inv-db", "--secret-string", "not-read", "--query", "ARN", "--output", "text")
	e.aws("secretsmanager", "rotate-secret", "--secret-id", secret, "--rotation-lambda-arn", fn, "--rotation-rules", "AutomaticallyAfterDays=30")

	e.proveInvokers("e2e-inv-rotate", []string{"--principal secretsmanager.amazonaws.com"})
}

// A CloudFront distribution with an origin access control in front of the
// function URL (auth type AWS_IAM): cloudfront.amazonaws.com with the
// distribution ARN must be allowed lambda:InvokeFunctionUrl, and
// lambda:InvokeFunction too (CloudFront DG, private-content-restricting-
// access-to-lambda; Lambda DG, urls-auth).
//
// moto gap: moto 5.2's ListDistributions answers summaries without their
// origins, so the counting proxy answers that one read with a
// distribution shaped as AWS's API reference documents it; the origin
// access control, the function URL, the policy and the fixes are moto's.
func TestInvokerCloudFrontOAC(t *testing.T) {
	e := newEnv(t)
	e.healthyFunction("e2e-inv-cf")
	fnURL := e.aws("lambda", "create-function-url-config", "--function-name", "e2e-inv-cf", "--auth-type", "AWS_IAM",
		"--query", "FunctionUrl", "--output", "text")
	u, err := url.Parse(fnURL)
	if err != nil {
		t.Fatal(err)
	}
	oac := e.aws("cloudfront", "create-origin-access-control", "--origin-access-control-config",
		"Name=e2e-inv-cf,SigningProtocol=sigv4,SigningBehavior=always,OriginAccessControlOriginType=lambda",
		"--query", "OriginAccessControl.Id", "--output", "text")
	dist := fmt.Sprintf("arn:aws:cloudfront::%s:distribution/E2EINVCF", e.acct)
	e.proxy.setAnswer(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || r.URL.Path != "/2020-05-31/distribution" {
			return false
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><DistributionList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">`+
			`<Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>1</Quantity><Items>`+
			`<DistributionSummary><Id>E2EINVCF</Id><ARN>%s</ARN><Status>Deployed</Status><DomainName>d2e2.cloudfront.net</DomainName><Enabled>true</Enabled>`+
			`<Origins><Quantity>1</Quantity><Items><Origin><Id>fnurl</Id><DomainName>%s</DomainName><OriginPath></OriginPath>`+
			`<OriginAccessControlId>%s</OriginAccessControlId><CustomOriginConfig><HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort>`+
			`<OriginProtocolPolicy>https-only</OriginProtocolPolicy></CustomOriginConfig></Origin></Items></Origins></DistributionSummary>`+
			`</Items></DistributionList>`, dist, u.Hostname(), oac)
		return true
	})

	e.proveInvokers("e2e-inv-cf",
		[]string{"--principal cloudfront.amazonaws.com", "lambda:InvokeFunctionUrl", dist},
		[]string{"--principal cloudfront.amazonaws.com", "lambda:InvokeFunction ", dist})
}

// A Step Functions state machine invokes the alias live with its own role
// (lambda:invoke with FunctionName NAME:live): no resource policy is asked;
// the role's identity policy must allow lambda:InvokeFunction on the
// alias ARN (Step Functions DG, connect-lambda; procedure-create-iam-role).
// The fix goes on that role, not on the function.
func TestInvokerStepFunctionsRole(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-inv-sfn")
	e.aws("lambda", "publish-version", "--function-name", "e2e-inv-sfn")
	e.aws("lambda", "create-alias", "--function-name", "e2e-inv-sfn", "--name", "live", "--function-version", "1")
	role := e.role("e2e-inv-sfn-machine", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	e.putRolePolicy("e2e-inv-sfn-machine", "logs", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:CreateLogDelivery","Resource":"*"}]}`)
	def := fmt.Sprintf(`{"StartAt":"Charge","States":{"Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"%s:live","Payload.$":"$"},"End":true}}}`, fn)
	e.aws("stepfunctions", "create-state-machine", "--name", "e2e-inv-sfn-machine", "--role-arn", role, "--definition", def)

	cmds := e.proveInvokers("e2e-inv-sfn", []string{"aws iam put-role-policy", "--role-name e2e-inv-sfn-machine", "lambda:InvokeFunction", fn + ":live"})
	for _, c := range cmds {
		if strings.Contains(c, "add-permission") {
			t.Errorf("a role-based invoker got a resource-policy fix: %s", c)
		}
	}
	if doc := e.aws("iam", "get-role-policy", "--role-name", "e2e-inv-sfn-machine", "--policy-name", "logs"); !strings.Contains(doc, "logs:CreateLogDelivery") {
		t.Errorf("the fix overwrote the role's inline policy logs: %s", doc)
	}
}

// An EventBridge Scheduler schedule targets the function with its own
// role (Scheduler UG, setting-up: execution role): the role must allow
// lambda:InvokeFunction on the function; the fix goes on that role.
func TestInvokerSchedulerRole(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-inv-sched")
	role := e.role("e2e-inv-sched-invoker", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	e.aws("scheduler", "create-schedule", "--name", "e2e-inv-nightly", "--schedule-expression", "rate(1 day)",
		"--flexible-time-window", `{"Mode":"OFF"}`, "--target", fmt.Sprintf(`{"Arn":%q,"RoleArn":%q}`, fn, role))

	e.proveInvokers("e2e-inv-sched", []string{"aws iam put-role-policy", "--role-name e2e-inv-sched-invoker", "lambda:InvokeFunction", fn})
}

// The kinds the live reader found before issue 11, with no flag but
// --function: an S3 notification, an SNS subscription, an EventBridge rule.
func TestInvokerS3SNSEventBridge(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-inv-classic")
	bucket := "e2e-inv-uploads-" + e.acct
	e.aws("s3api", "create-bucket", "--bucket", bucket)
	e.aws("s3api", "put-bucket-notification-configuration", "--bucket", bucket, "--notification-configuration",
		fmt.Sprintf(`{"LambdaFunctionConfigurations":[{"LambdaFunctionArn":%q,"Events":["s3:ObjectCreated:*"]}]}`, fn))
	topic := e.aws("sns", "create-topic", "--name", "e2e-inv-events", "--query", "TopicArn", "--output", "text")
	e.aws("sns", "subscribe", "--topic-arn", topic, "--protocol", "lambda", "--notification-endpoint", fn)
	rule := e.aws("events", "put-rule", "--name", "e2e-inv-hourly", "--schedule-expression", "rate(1 hour)", "--query", "RuleArn", "--output", "text")
	e.aws("events", "put-targets", "--rule", "e2e-inv-hourly", "--targets", fmt.Sprintf(`[{"Id":"fn","Arn":%q}]`, fn))

	e.proveInvokers("e2e-inv-classic",
		[]string{"--principal s3.amazonaws.com", "--source-account " + e.acct, "arn:aws:s3:::" + bucket},
		[]string{"--principal sns.amazonaws.com", topic},
		[]string{"--principal events.amazonaws.com", rule})
}

// One healthy function wired to many kinds at once, each allowed exactly
// as its invoker calls: diagnose --function F and check --function F exit
// 0, with nothing unseen, and check shows each invoker as a requirement
// that passed (so the all-clear comes from invokers found and judged, not
// from invokers missed).
func TestInvokersHealthyManyKinds(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-inv-healthy")
	permit := func(sid, principal, source string, extra ...string) {
		t.Helper()
		args := []string{"lambda", "add-permission", "--function-name", "e2e-inv-healthy", "--statement-id", sid,
			"--action", "lambda:InvokeFunction", "--principal", principal, "--source-arn", source}
		e.aws(append(args, extra...)...)
	}
	api, root := e.restAPI("e2e-inv-healthy")
	e.restMethod(api, root, "orders", "POST", lambdaURI(fn), "")
	e.aws("apigateway", "create-deployment", "--rest-api-id", api, "--stage-name", "prod")
	permit("rest", "apigateway.amazonaws.com", e.execAPI(api+"/*/POST/orders"))

	httpAPI := e.aws("apigatewayv2", "create-api", "--name", "e2e-inv-healthy-http", "--protocol-type", "HTTP", "--query", "ApiId", "--output", "text")
	integ := e.aws("apigatewayv2", "create-integration", "--api-id", httpAPI, "--integration-type", "AWS_PROXY", "--integration-uri", fn,
		"--payload-format-version", "2.0", "--query", "IntegrationId", "--output", "text")
	e.aws("apigatewayv2", "create-route", "--api-id", httpAPI, "--route-key", "GET /items/{id}", "--target", "integrations/"+integ)
	e.aws("apigatewayv2", "create-stage", "--api-id", httpAPI, "--stage-name", "$default")
	permit("http", "apigateway.amazonaws.com", e.execAPI(httpAPI+"/*"))

	pool := e.aws("cognito-idp", "create-user-pool", "--pool-name", "e2e-inv-healthy-pool", "--lambda-config",
		fmt.Sprintf(`{"PostConfirmation":%q}`, fn), "--query", "UserPool.Id", "--output", "text")
	permit("cognito", "cognito-idp.amazonaws.com", fmt.Sprintf("arn:aws:cognito-idp:us-east-1:%s:userpool/%s", e.acct, pool))

	tg := e.aws("elbv2", "create-target-group", "--name", "e2e-inv-healthy-tg", "--target-type", "lambda",
		"--query", "TargetGroups[0].TargetGroupArn", "--output", "text")
	e.aws("elbv2", "register-targets", "--target-group-arn", tg, "--targets", "Id="+fn)
	permit("alb", "elasticloadbalancing.amazonaws.com", tg)

	e.aws("logs", "create-log-group", "--log-group-name", "/e2e/inv/healthy")
	e.aws("logs", "put-subscription-filter", "--log-group-name", "/e2e/inv/healthy", "--filter-name", "ship",
		"--filter-pattern", "", "--destination-arn", fn)
	permit("logs", "logs.us-east-1.amazonaws.com", fmt.Sprintf("arn:aws:logs:us-east-1:%s:log-group:/e2e/inv/healthy:*", e.acct), "--source-account", e.acct)

	secret := e.aws("secretsmanager", "create-secret", "--name", "e2e-inv-healthy-db", "--secret-string", "not-read", "--query", "ARN", "--output", "text")
	e.aws("secretsmanager", "rotate-secret", "--secret-id", secret, "--rotation-lambda-arn", fn, "--rotation-rules", "AutomaticallyAfterDays=30")
	permit("rotation", "secretsmanager.amazonaws.com", secret)

	bucket := "e2e-inv-healthy-" + e.acct
	e.aws("s3api", "create-bucket", "--bucket", bucket)
	e.aws("s3api", "put-bucket-notification-configuration", "--bucket", bucket, "--notification-configuration",
		fmt.Sprintf(`{"LambdaFunctionConfigurations":[{"LambdaFunctionArn":%q,"Events":["s3:ObjectCreated:*"]}]}`, fn))
	permit("s3", "s3.amazonaws.com", "arn:aws:s3:::"+bucket, "--source-account", e.acct)

	topic := e.aws("sns", "create-topic", "--name", "e2e-inv-healthy", "--query", "TopicArn", "--output", "text")
	e.aws("sns", "subscribe", "--topic-arn", topic, "--protocol", "lambda", "--notification-endpoint", fn)
	permit("sns", "sns.amazonaws.com", topic)

	rule := e.aws("events", "put-rule", "--name", "e2e-inv-healthy", "--schedule-expression", "rate(1 hour)", "--query", "RuleArn", "--output", "text")
	e.aws("events", "put-targets", "--rule", "e2e-inv-healthy", "--targets", fmt.Sprintf(`[{"Id":"fn","Arn":%q}]`, fn))
	permit("events", "events.amazonaws.com", rule)

	invoke := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":[%q,%q]}]}`, fn, fn+":*")
	sfnRole := e.role("e2e-inv-healthy-sfn", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	e.putRolePolicy("e2e-inv-healthy-sfn", "invoke", invoke)
	e.aws("stepfunctions", "create-state-machine", "--name", "e2e-inv-healthy", "--role-arn", sfnRole, "--definition",
		fmt.Sprintf(`{"StartAt":"Run","States":{"Run":{"Type":"Task","Resource":%q,"End":true}}}`, fn))
	schedRole := e.role("e2e-inv-healthy-sched", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	e.putRolePolicy("e2e-inv-healthy-sched", "invoke", invoke)
	e.aws("scheduler", "create-schedule", "--name", "e2e-inv-healthy", "--schedule-expression", "rate(1 day)",
		"--flexible-time-window", `{"Mode":"OFF"}`, "--target", fmt.Sprintf(`{"Arn":%q,"RoleArn":%q}`, fn, schedRole))

	start := time.Now()
	d := e.expectOpen("--function", "e2e-inv-healthy")
	t.Logf("diagnosed in %v", time.Since(start).Round(time.Millisecond))
	if len(d.Unseen) != 0 {
		t.Errorf("unseen: %+v", d.Unseen)
	}
	c, code := e.check("--function", "e2e-inv-healthy")
	if code != 0 {
		t.Fatalf("check: got exit %d, want 0; findings %+v", code, c.Findings)
	}
	var invokers []string
	for _, f := range c.Functions {
		for _, r := range f.Requirements {
			if r.ID == "LD012" {
				invokers = append(invokers, r.Need)
				if !r.Passed {
					t.Errorf("requirement %q did not pass", r.Need)
				}
			}
		}
	}
	t.Logf("invokers judged:\n%s", strings.Join(invokers, "\n"))
	for _, want := range []string{api + "/prod/POST/orders", httpAPI + "/$default/GET/items/*", "userpool/" + pool, tg,
		"log-group:/e2e/inv/healthy:*", secret, "arn:aws:s3:::" + bucket, topic, rule, "e2e-inv-healthy-sfn", "e2e-inv-healthy-sched"} {
		if !slices.ContainsFunc(invokers, func(n string) bool { return strings.Contains(n, want) }) {
			t.Errorf("no invoker requirement names %s: the invoker was not found, so the all-clear says nothing about it", want)
		}
	}
}
