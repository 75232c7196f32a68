package live

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/middleware"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// discoveryScenario wires function P-fn (and its alias live) to every
// invoker kind moto emulates, with the aws CLI, plus decoys that invoke
// P-other, and returns the triggers the reader must find for P-fn, with
// the invoking roles by ARN.
func discoveryScenario(t *testing.T, s *motoserver.Server, p string) (want []account.Trigger) {
	t.Helper()
	const acct, region = "123456789012", "us-east-1"
	aws := func(args ...string) string { t.Helper(); return strings.TrimSpace(s.AWS(t, args...)) }
	c := newSetup(t, s)
	execRole := c.createRole(t, p+"-role", "/", lambdaTrust)
	fn := p + "-fn"
	fnARN := c.createFunction(t, fn, execRole, nil)
	otherARN := c.createFunction(t, p+"-other", execRole, nil)
	aws("lambda", "publish-version", "--function-name", fn)
	aws("lambda", "create-alias", "--function-name", fn, "--name", "live", "--function-version", "1")
	role := func(name, service string) string {
		return c.createRole(t, name, "/", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"%s"},"Action":"sts:AssumeRole"}]}`, service))
	}
	uri := func(fnRef string) string {
		return "arn:aws:apigateway:" + region + ":lambda:path/2015-03-31/functions/" + fnRef + "/invocations"
	}
	execAPI := func(rest string) string { return "arn:aws:execute-api:" + region + ":" + acct + ":" + rest }

	// REST API: GET /orders (proxy, custom authorizer), ANY /orders/{id}
	// (the alias, through an integration role), GET /report (non-proxy,
	// function from stage variable fn: this function in stage prod,
	// another in stage dev), POST /elsewhere (another function).
	apigwRole := role(p+"-apigw", "apigateway.amazonaws.com")
	rest := aws("apigateway", "create-rest-api", "--name", p+"-rest", "--query", "id", "--output", "text")
	root := aws("apigateway", "get-resources", "--rest-api-id", rest, "--query", "items[0].id", "--output", "text")
	auth := aws("apigateway", "create-authorizer", "--rest-api-id", rest, "--name", p+"-auth", "--type", "TOKEN",
		"--authorizer-uri", uri(fnARN), "--identity-source", "method.request.header.Authorization", "--query", "id", "--output", "text")
	resource := func(parent, part string) string {
		return aws("apigateway", "create-resource", "--rest-api-id", rest, "--parent-id", parent, "--path-part", part, "--query", "id", "--output", "text")
	}
	method := func(res, verb, typ, target string, extra ...string) {
		args := []string{"apigateway", "put-method", "--rest-api-id", rest, "--resource-id", res, "--http-method", verb, "--authorization-type", "NONE"}
		if len(extra) > 0 && extra[0] == "auth" {
			args = []string{"apigateway", "put-method", "--rest-api-id", rest, "--resource-id", res, "--http-method", verb, "--authorization-type", "CUSTOM", "--authorizer-id", auth}
			extra = extra[1:]
		}
		aws(args...)
		aws(append([]string{"apigateway", "put-integration", "--rest-api-id", rest, "--resource-id", res, "--http-method", verb,
			"--type", typ, "--integration-http-method", "POST", "--uri", target}, extra...)...)
	}
	orders := resource(root, "orders")
	method(orders, "GET", "AWS_PROXY", uri(fnARN), "auth")
	method(resource(orders, "{id}"), "ANY", "AWS_PROXY", uri(fnARN+":live"), "--credentials", apigwRole)
	method(resource(root, "report"), "GET", "AWS", uri("arn:aws:lambda:"+region+":"+acct+":function:${stageVariables.fn}"))
	method(resource(root, "elsewhere"), "POST", "AWS_PROXY", uri(otherARN))
	aws("apigateway", "create-deployment", "--rest-api-id", rest, "--stage-name", "prod", "--variables", "fn="+fn)
	aws("apigateway", "create-deployment", "--rest-api-id", rest, "--stage-name", "dev", "--variables", "fn="+p+"-other")
	testInvoke := func(path string) string {
		return "the console's Test button invokes with stage test-invoke-stage: " + execAPI(rest+"/test-invoke-stage/"+path)
	}
	restName := func(route, stage string) string {
		return fmt.Sprintf("%s of REST API %s-rest (%s), stage %s", route, p, rest, stage)
	}
	for _, stage := range []string{"dev", "prod"} {
		want = append(want,
			account.Trigger{Kind: "apigateway", Principal: "apigateway.amazonaws.com", SourceARN: execAPI(rest + "/" + stage + "/GET/orders"), SourceAccount: acct,
				Name: restName("GET /orders", stage), Notes: []string{testInvoke("GET/orders")}},
			account.Trigger{Kind: "apigateway", Principal: "apigateway.amazonaws.com", SourceARN: execAPI(rest + "/" + stage + "/*/orders/*"), SourceAccount: acct,
				Qualifier: "live", RoleARN: apigwRole, Name: restName("ANY /orders/{id}", stage), Notes: []string{
					"API Gateway invokes with the role " + apigwRole + " (the integration's credentials): that role's policies must allow lambda:InvokeFunction, the function's resource policy is not asked",
					"path parameters are written * in SourceArn: API Gateway sends the request's own path", testInvoke("*/orders/*")}})
	}
	want = append(want,
		account.Trigger{Kind: "apigateway", Principal: "apigateway.amazonaws.com", SourceARN: execAPI(rest + "/prod/GET/report"), SourceAccount: acct,
			Name: restName("GET /report", "prod"), Notes: []string{
				"the function name comes from stage variable fn: in stage prod it names arn:aws:lambda:us-east-1:123456789012:function:" + fn, testInvoke("GET/report")}},
		account.Trigger{Kind: "apigateway-authorizer", Principal: "apigateway.amazonaws.com", SourceARN: execAPI(rest + "/authorizers/" + auth), SourceAccount: acct,
			Name: fmt.Sprintf("authorizer %s-auth (TOKEN) of REST API %s-rest (%s)", p, p, rest)},
	)

	// HTTP API: GET /items/{id} with a Lambda authorizer on the alias, and
	// the $default route, in stage $default. WebSocket API: $connect and
	// sendmessage in stage prod.
	httpAPI := aws("apigatewayv2", "create-api", "--name", p+"-http", "--protocol-type", "HTTP", "--query", "ApiId", "--output", "text")
	integ := aws("apigatewayv2", "create-integration", "--api-id", httpAPI, "--integration-type", "AWS_PROXY", "--integration-uri", fnARN,
		"--payload-format-version", "2.0", "--query", "IntegrationId", "--output", "text")
	hauth := aws("apigatewayv2", "create-authorizer", "--api-id", httpAPI, "--authorizer-type", "REQUEST", "--name", p+"-hauth",
		"--authorizer-uri", uri(fnARN+":live"), "--identity-source", "$request.header.Authorization", "--authorizer-payload-format-version", "2.0",
		"--query", "AuthorizerId", "--output", "text")
	aws("apigatewayv2", "create-route", "--api-id", httpAPI, "--route-key", "GET /items/{id}", "--target", "integrations/"+integ,
		"--authorization-type", "CUSTOM", "--authorizer-id", hauth)
	aws("apigatewayv2", "create-route", "--api-id", httpAPI, "--route-key", "$default", "--target", "integrations/"+integ)
	aws("apigatewayv2", "create-stage", "--api-id", httpAPI, "--stage-name", "$default")
	wsAPI := aws("apigatewayv2", "create-api", "--name", p+"-ws", "--protocol-type", "WEBSOCKET", "--route-selection-expression", "$request.body.action",
		"--query", "ApiId", "--output", "text")
	wsInteg := aws("apigatewayv2", "create-integration", "--api-id", wsAPI, "--integration-type", "AWS_PROXY", "--integration-uri", uri(fnARN),
		"--query", "IntegrationId", "--output", "text")
	for _, key := range []string{"$connect", "sendmessage"} {
		aws("apigatewayv2", "create-route", "--api-id", wsAPI, "--route-key", key, "--target", "integrations/"+wsInteg)
	}
	aws("apigatewayv2", "create-stage", "--api-id", wsAPI, "--stage-name", "prod")
	want = append(want,
		account.Trigger{Kind: "apigateway", Principal: "apigateway.amazonaws.com", SourceARN: execAPI(httpAPI + "/$default/$default"), SourceAccount: acct,
			Name: fmt.Sprintf("route $default of HTTP API %s-http (%s), stage $default", p, httpAPI)},
		account.Trigger{Kind: "apigateway", Principal: "apigateway.amazonaws.com", SourceARN: execAPI(httpAPI + "/$default/GET/items/*"), SourceAccount: acct,
			Name: fmt.Sprintf("GET /items/{id} of HTTP API %s-http (%s), stage $default", p, httpAPI), Notes: []string{"path parameters are written * in SourceArn: API Gateway sends the request's own path"}},
		account.Trigger{Kind: "apigateway-authorizer", Principal: "apigateway.amazonaws.com", SourceARN: execAPI(httpAPI + "/authorizers/" + hauth), SourceAccount: acct,
			Qualifier: "live", Name: fmt.Sprintf("authorizer %s-hauth (REQUEST) of HTTP API %s-http (%s)", p, p, httpAPI)},
		account.Trigger{Kind: "apigateway", Principal: "apigateway.amazonaws.com", SourceARN: execAPI(wsAPI + "/prod/$connect"), SourceAccount: acct,
			Name: fmt.Sprintf("route $connect of WebSocket API %s-ws (%s), stage prod", p, wsAPI)},
		account.Trigger{Kind: "apigateway", Principal: "apigateway.amazonaws.com", SourceARN: execAPI(wsAPI + "/prod/sendmessage"), SourceAccount: acct,
			Name: fmt.Sprintf("route sendmessage of WebSocket API %s-ws (%s), stage prod", p, wsAPI)},
	)

	// Cognito: PreSignUp and a custom SMS sender on the function (one
	// invoker, which keeps the sender's key whichever slot is read first:
	// account.AddTrigger), a custom email sender on the alias with its KMS
	// key, a PostConfirmation on another function.
	// A real key: the reader reads it (moto answers ListGrants of a key
	// that does not exist with a 500, which the SDK retries).
	key := aws("kms", "create-key", "--description", p+" sender", "--query", "KeyMetadata.Arn", "--output", "text")
	pool := aws("cognito-idp", "create-user-pool", "--pool-name", p+"-pool", "--lambda-config",
		fmt.Sprintf(`{"PreSignUp":"%s","PostConfirmation":"%s","CustomEmailSender":{"LambdaVersion":"V1_0","LambdaArn":"%s:live"},"CustomSMSSender":{"LambdaVersion":"V1_0","LambdaArn":"%s"},"KMSKeyID":"%s"}`,
			fnARN, otherARN, fnARN, fnARN, key),
		"--query", "UserPool.Id", "--output", "text")
	poolARN := "arn:aws:cognito-idp:" + region + ":" + acct + ":userpool/" + pool
	want = append(want,
		account.Trigger{Kind: "cognito", Principal: "cognito-idp.amazonaws.com", SourceARN: poolARN, SourceAccount: acct, KMSKeyARN: key,
			Name:  fmt.Sprintf("PreSignUp trigger of user pool %s-pool (%s)", p, pool),
			Notes: []string{"Cognito encrypts the codes it sends this trigger with KMS key " + key + ": the function's role needs kms:Decrypt on it"}},
		account.Trigger{Kind: "cognito", Principal: "cognito-idp.amazonaws.com", SourceARN: poolARN, SourceAccount: acct, Qualifier: "live", KMSKeyARN: key,
			Name:  fmt.Sprintf("CustomEmailSender trigger of user pool %s-pool (%s)", p, pool),
			Notes: []string{"Cognito encrypts the codes it sends this trigger with KMS key " + key + ": the function's role needs kms:Decrypt on it"}},
	)

	// A load balancer target group of type lambda with the alias registered.
	tg := aws("elbv2", "create-target-group", "--name", p+"-tg", "--target-type", "lambda", "--query", "TargetGroups[0].TargetGroupArn", "--output", "text")
	aws("elbv2", "register-targets", "--target-group-arn", tg, "--targets", "Id="+fnARN+":live")
	want = append(want, account.Trigger{Kind: "elb", Principal: "elasticloadbalancing.amazonaws.com", SourceARN: tg, SourceAccount: acct, Qualifier: "live",
		Name: "target group " + p + "-tg", Notes: []string{"no load balancer forwards to this target group yet"}})

	// A log group subscription to the function, one to another function.
	for _, sub := range []struct{ group, dest string }{{p + "-app", fnARN}, {p + "-other-app", otherARN}} {
		aws("logs", "create-log-group", "--log-group-name", sub.group)
		aws("logs", "put-subscription-filter", "--log-group-name", sub.group, "--filter-name", "ship", "--filter-pattern", "", "--destination-arn", sub.dest)
	}
	want = append(want, account.Trigger{Kind: "logs", Principal: "logs.amazonaws.com", SourceARN: "arn:aws:logs:" + region + ":" + acct + ":log-group:" + p + "-app:*",
		SourceAccount: acct, Name: "subscription filter ship of log group " + p + "-app"})

	// A secret the function rotates.
	secret := aws("secretsmanager", "create-secret", "--name", p+"-secret", "--secret-string", "not-read", "--query", "ARN", "--output", "text")
	aws("secretsmanager", "rotate-secret", "--secret-id", secret, "--rotation-lambda-arn", fnARN, "--rotation-rules", "AutomaticallyAfterDays=30")
	want = append(want, account.Trigger{Kind: "secretsmanager", Principal: "secretsmanager.amazonaws.com", SourceARN: secret, SourceAccount: acct,
		Name: "rotation of secret " + p + "-secret"})

	// A state machine: the alias through lambda:invoke (in a Parallel
	// branch too), the function as a Task resource, a name chosen at run
	// time (not a trigger).
	sfnRole := role(p+"-sfn", "states.amazonaws.com")
	def := fmt.Sprintf(`{"StartAt":"Charge","States":{
		"Charge":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"%s:live","Payload.$":"$"},"Next":"Fan"},
		"Fan":{"Type":"Parallel","Branches":[{"StartAt":"Again","States":{"Again":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"%s:live"},"End":true}}}],"Next":"Notify"},
		"Notify":{"Type":"Task","Resource":"%s","Next":"Dynamic"},
		"Dynamic":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName.$":"$.fn"},"End":true}}}`, fn, fn, fnARN)
	sm := aws("stepfunctions", "create-state-machine", "--name", p+"-sm", "--role-arn", sfnRole, "--definition", def, "--query", "stateMachineArn", "--output", "text")
	want = append(want,
		account.Trigger{Kind: "states", Principal: "states.amazonaws.com", SourceARN: sm, SourceAccount: acct, RoleARN: sfnRole, Name: "state Notify of state machine " + p + "-sm"},
		account.Trigger{Kind: "states", Principal: "states.amazonaws.com", SourceARN: sm, SourceAccount: acct, RoleARN: sfnRole, Qualifier: "live", Name: "states Again, Charge of state machine " + p + "-sm"},
	)

	// Schedules: the alias as a templated target, the function through the
	// universal target in another group (disabled), another function.
	schedRole := role(p+"-sched", "scheduler.amazonaws.com")
	aws("scheduler", "create-schedule-group", "--name", p+"-group")
	sch := func(name, group, target, input, state string) string {
		tgt := fmt.Sprintf(`{"Arn":"%s","RoleArn":"%s"}`, target, schedRole)
		if input != "" {
			tgt = fmt.Sprintf(`{"Arn":"%s","RoleArn":"%s","Input":%q}`, target, schedRole, input)
		}
		return aws("scheduler", "create-schedule", "--name", name, "--group-name", group, "--schedule-expression", "rate(1 day)",
			"--flexible-time-window", `{"Mode":"OFF"}`, "--target", tgt, "--state", state, "--query", "ScheduleArn", "--output", "text")
	}
	s1 := sch(p+"-nightly", "default", fnARN+":live", "", "ENABLED")
	s2 := sch(p+"-universal", p+"-group", "arn:aws:scheduler:::aws-sdk:lambda:invoke", fmt.Sprintf(`{"FunctionName":"%s"}`, fn), "DISABLED")
	sch(p+"-elsewhere", "default", otherARN, "", "ENABLED")
	want = append(want,
		account.Trigger{Kind: "scheduler", Principal: "scheduler.amazonaws.com", SourceARN: s1, SourceAccount: acct, RoleARN: schedRole, Qualifier: "live",
			Name: "schedule " + p + "-nightly (group default)"},
		account.Trigger{Kind: "scheduler", Principal: "scheduler.amazonaws.com", SourceARN: s2, SourceAccount: acct, RoleARN: schedRole,
			Name: "schedule " + p + "-universal (group " + p + "-group)", Notes: []string{"the schedule is disabled"}},
	)
	sortTriggers(want)
	return want
}

func sortTriggers(ts []account.Trigger) {
	f := account.Function{Triggers: ts}
	f.SortLists()
}

// withoutRoles returns ts with Role cleared, and the ARNs of the roles
// that were read.
func withoutRoles(ts []account.Trigger) ([]account.Trigger, []string) {
	out := append([]account.Trigger(nil), ts...)
	var read []string
	for i := range out {
		if out[i].Role != nil {
			read = append(read, out[i].Role.ARN)
			out[i].Role = nil
		}
	}
	sort.Strings(read)
	return out, read
}

// Every invoker kind moto emulates is found, with the exact trigger fields
// AWS sends, the invoking roles read, nothing unseen; region-wide lists
// are read once per Reader; a snapshot keeps it all.
func TestLiveDiscoversEveryInvoker(t *testing.T) {
	s := motoserver.Start(t)
	want := discoveryScenario(t, s, "disc")
	p := newFaultProxy(t, s.Endpoint) // only watches
	l := newTestLive(t, s, p.URL, Options{Limits: Limits{"logs": 10000}, APIOptions: []func(*middleware.Stack) error{tagOperations}})
	ctx := context.Background()
	f, err := l.Function(ctx, "disc-fn")
	if err != nil {
		t.Fatal(err)
	}
	got, roles := withoutRoles(f.Triggers)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("triggers:")
		for i := range max(len(got), len(want)) {
			var g, w account.Trigger
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("  [%d]\n   got  %+v\n   want %+v", i, g, w)
			}
		}
	}
	var wantRoles []string
	for _, tr := range want {
		if tr.RoleARN != "" {
			wantRoles = append(wantRoles, tr.RoleARN)
		}
	}
	sort.Strings(wantRoles)
	if !reflect.DeepEqual(roles, wantRoles) {
		t.Errorf("invoking roles read: got %v, want %v", roles, wantRoles)
	}
	// The custom sender's key is read like every key the function depends on.
	for _, tr := range want {
		if tr.KMSKeyARN == "" {
			continue
		}
		if k := f.KeyByARN(tr.KMSKeyARN); k == nil || k.State != account.KeyEnabled || k.Policy == "" || len(k.Unseen) != 0 {
			t.Errorf("the sender key %s: got %+v, want it read", tr.KMSKeyARN, k)
		}
	}
	for _, tr := range f.Triggers {
		if tr.Role != nil && (tr.Role.Trust == "" || !strings.Contains(tr.Role.Trust, "amazonaws.com")) {
			t.Errorf("role %s read without its trust policy: %+v", tr.Role.ARN, tr.Role)
		}
	}
	if len(f.Unseen) != 0 {
		t.Errorf("unseen: %+v", f.Unseen)
	}
	calls, _ := l.Calls()
	t.Logf("calls for one function: %v", calls)

	// Another function reuses the region-wide lists and reads only the
	// stages of the APIs that name it.
	other, err := l.Function(ctx, "disc-other")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, tr := range other.Triggers {
		kinds[tr.Kind]++
	}
	// POST /elsewhere in both stages, GET /report in stage dev
	if want := map[string]int{"apigateway": 3, "cognito": 1, "logs": 1, "scheduler": 1}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("disc-other triggers by kind: got %v (%+v), want %v", kinds, other.Triggers, want)
	}
	after, _ := l.Calls()
	for op, n := range calls {
		if strings.HasSuffix(op, "GetStages") || op == "scheduler:GetSchedule" || strings.HasPrefix(op, "iam:") || strings.HasPrefix(op, "lambda:") || strings.HasPrefix(op, "logs:") && !strings.HasSuffix(op, "SubscriptionFilters") ||
			strings.HasPrefix(op, "events:ListRuleNamesByTarget") || strings.HasPrefix(op, "organizations") || op == "sts:GetCallerIdentity" {
			continue // read per function or per role
		}
		if after[op] != n {
			t.Errorf("%s: %d calls after a second function, want %d (read once per reader)", op, after[op], n)
		}
	}

	// Schedules are read once each, when a function they target is read:
	// the second function adds only its own.
	if d := after["scheduler:GetSchedule"] - calls["scheduler:GetSchedule"]; d != 1 {
		t.Errorf("scheduler:GetSchedule: %d more calls for disc-other, want 1 (its own schedule; the universal one is read once)", d)
	}

	// On the wire: only listed reads, every request tagged.
	seen, n := 0, p.requests()
	for key, k := range p.operations() {
		seen += k
		i := strings.LastIndexByte(key, ' ')
		if !IsReadOperation(key[:i], key[i+1:]) {
			t.Errorf("%s reached the server %d times: not a listed read", key, k)
		}
	}
	if int64(seen) != n {
		t.Errorf("%d requests reached the server, %d of them tagged", n, seen)
	}

	// Dependent rounds, measured: every request delayed by the same time,
	// the read takes about rounds × that time (a measurement, logged).
	t.Run("rounds", func(t *testing.T) {
		const delay = 300 * time.Millisecond
		slow := newFaultProxy(t, s.Endpoint)
		slow.set("*", "slow", -1, delay)
		l := newTestLive(t, s, slow.URL, Options{Limits: Limits{"logs": 10000}, APIOptions: []func(*middleware.Stack) error{tagOperations}})
		start := time.Now()
		if _, err := l.Function(ctx, "disc-fn"); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		calls, _ := l.Calls()
		total := 0
		for _, n := range calls {
			total += n
		}
		t.Logf("one function wired to every kind: %d calls (sts:GetCallerIdentity included) in %v with %v per request: about %.1f dependent rounds after New",
			total, took.Round(10*time.Millisecond), delay, took.Seconds()/delay.Seconds())
	})

	// A snapshot keeps every field, and each invoking role once.
	var buf strings.Builder
	if err := account.WriteSnapshot(&buf, account.NewSnapshot(l.Origin(), []*account.Function{f, other})); err != nil {
		t.Fatal(err)
	}
	snap, err := account.ParseSnapshot([]byte(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	back, err := account.NewSnapshotSource(snap).Function(ctx, "disc-fn")
	if err != nil {
		t.Fatal(err)
	}
	for i := range max(len(back.Triggers), len(f.Triggers)) {
		if i >= len(back.Triggers) || i >= len(f.Triggers) || !reflect.DeepEqual(back.Triggers[i], f.Triggers[i]) {
			t.Errorf("trigger %d after a snapshot round trip:\n got %+v %+v\nwant %+v %+v", i, back.Triggers[i], back.Triggers[i].Role, f.Triggers[i], f.Triggers[i].Role)
			break
		}
	}
}

// Refused discovery reads land in Unseen with the permission the operator
// lacks (the region-wide listings, then the reads they fan out to), and
// limits turn a kind off or cut its listing, named in Unseen too.
func TestLiveDiscoveryRefusedAndLimited(t *testing.T) {
	s := motoserver.Start(t)
	discoveryScenario(t, s, "discdeny")
	ctx := context.Background()
	unseenOps := func(f *account.Function) map[string]account.Unseen {
		m := map[string]account.Unseen{}
		for _, u := range f.Unseen {
			m[u.Operation+" "+u.Resource] = u
		}
		return m
	}
	read := func(t *testing.T, opts Options, deny ...string) *account.Function {
		t.Helper()
		p := newFaultProxy(t, s.Endpoint)
		for _, op := range deny {
			p.set(op, "deny", -1, 0)
		}
		opts.APIOptions = []func(*middleware.Stack) error{tagOperations}
		f, err := newTestLive(t, s, p.URL, opts).Function(ctx, "discdeny-fn")
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	region := func(svc, res string) string { return "arn:aws:" + svc + ":us-east-1:123456789012:" + res }

	t.Run("listings refused", func(t *testing.T) {
		f := read(t, Options{}, "apigateway:GetRestApis", "apigateway:GetApis", "cognito-idp:ListUserPools", "elasticloadbalancing:DescribeTargetGroups",
			"logs:DescribeLogGroups", "secretsmanager:ListSecrets", "cloudfront:ListDistributions", "states:ListStateMachines", "scheduler:ListSchedules")
		got := unseenOps(f)
		for _, w := range []struct{ op, resource string }{
			{"apigateway:GET", "arn:aws:apigateway:us-east-1::/restapis"},
			{"apigateway:GET", "arn:aws:apigateway:us-east-1::/apis"},
			{"cognito-idp:ListUserPools", region("cognito-idp", "userpool/*")},
			{"elasticloadbalancing:DescribeTargetGroups", region("elasticloadbalancing", "targetgroup/*")},
			{"logs:DescribeLogGroups", region("logs", "log-group:*")},
			{"secretsmanager:ListSecrets", region("secretsmanager", "secret:*")},
			{"cloudfront:ListDistributions", "arn:aws:cloudfront::123456789012:distribution/*"},
			{"states:ListStateMachines", region("states", "stateMachine:*")},
			{"scheduler:ListSchedules", region("scheduler", "schedule/*")},
		} {
			u, ok := got[w.op+" "+w.resource]
			if !ok || u.Permission != w.op || !strings.Contains(u.Error, "AccessDenied") {
				t.Errorf("%s on %s: got %+v (ok %v), want a refusal naming the permission", w.op, w.resource, u, ok)
			}
		}
		for _, tr := range f.Triggers {
			switch tr.Kind {
			case "events", "sns", "s3":
			default:
				t.Errorf("a trigger from a refused listing: %+v", tr)
			}
		}
	})

	t.Run("fan-out refused", func(t *testing.T) {
		f := read(t, Options{}, "apigateway:GetResources", "apigateway:GetRoutes", "elasticloadbalancing:DescribeTargetHealth",
			"logs:DescribeSubscriptionFilters", "states:DescribeStateMachine", "scheduler:GetSchedule")
		want := map[string]bool{"apigateway:GET /resources": false, "apigateway:GET /routes": false, "elasticloadbalancing:DescribeTargetHealth": false,
			"logs:DescribeSubscriptionFilters": false, "states:DescribeStateMachine": false, "scheduler:GetSchedule": false}
		for _, u := range f.Unseen {
			key := u.Operation
			if u.Operation == "apigateway:GET" {
				key += " " + u.Resource[strings.LastIndexByte(u.Resource, '/'):]
			}
			if _, ok := want[key]; ok && u.Permission == u.Operation {
				want[key] = true
			}
		}
		for k, seen := range want {
			if !seen {
				t.Errorf("no refused %s in %+v", k, f.Unseen)
			}
		}
		kinds := map[string]bool{}
		for _, tr := range f.Triggers {
			kinds[tr.Kind] = true
		}
		for _, k := range []string{"apigateway", "apigateway-authorizer", "elb", "logs", "states", "scheduler"} {
			if kinds[k] {
				t.Errorf("a %s trigger although its reads were refused", k)
			}
		}
		if !kinds["cognito"] || !kinds["secretsmanager"] {
			t.Errorf("the readable kinds were not read: %v", kinds)
		}
	})

	t.Run("limits", func(t *testing.T) {
		off := Limits{}
		for k := range LimitKinds {
			off[k] = 0
		}
		f := read(t, Options{Limits: off})
		if len(f.Triggers) != 0 {
			t.Errorf("triggers with every discovery off: %+v", f.Triggers)
		}
		turnedOff := 0
		for _, u := range f.Unseen {
			if strings.Contains(u.Error, "(turned off): discovery limit ") && u.Permission == "" {
				turnedOff++
			}
		}
		if turnedOff != len(LimitKinds) {
			t.Errorf("%d kinds say they were turned off, want %d: %+v", turnedOff, len(LimitKinds), f.Unseen)
		}

		// With a limit of one, listings with more items are cut.
		one := Limits{}
		for k := range LimitKinds {
			one[k] = 1
		}
		f = read(t, Options{Limits: one})
		cut := map[string]bool{}
		for _, u := range f.Unseen {
			if strings.Contains(u.Error, "read the first 1 ") && strings.Contains(u.Error, "(discovery limit ") {
				cut[u.Error[strings.Index(u.Error, "limit ")+6:strings.Index(u.Error, "=1)")]] = true
			}
		}
		for _, k := range []string{"apigatewayv2", "logs", "scheduler"} { // the scenario made several of each
			if !cut[k] {
				t.Errorf("%s: no cut named in %+v", k, f.Unseen)
			}
		}
	})
}

func TestParseLimits(t *testing.T) {
	got, err := ParseLimits(" logs=500, s3=0 ,")
	if err != nil || !reflect.DeepEqual(got, Limits{"logs": 500, "s3": 0}) {
		t.Errorf("got %v, %v", got, err)
	}
	for _, bad := range []string{"logs", "lgos=1", "logs=-1", "logs=x", "logs=1.5"} {
		if _, err := ParseLimits(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if len(DefaultLimits) != len(LimitKinds) {
		t.Errorf("%d default limits for %d kinds", len(DefaultLimits), len(LimitKinds))
	}
	for k := range LimitKinds {
		if DefaultLimits[k] <= 0 {
			t.Errorf("kind %s has no default limit", k)
		}
	}
}
