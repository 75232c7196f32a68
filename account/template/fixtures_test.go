package template

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
)

var update = flag.Bool("update", false, "rewrite the golden models in testdata/golden (read the diff before committing)")

var fixtureOpts = Options{Region: "us-east-1", Account: "111122223333", StackName: "fixture"}

// goldenModel is what a golden file holds: the snapshot of the functions
// (roles stored once) and the unknowns.
func goldenModel(t *testing.T, res *Result) []byte {
	t.Helper()
	snap := account.NewSnapshot(res.Origin, res.Functions)
	var b bytes.Buffer
	if err := account.WriteSnapshot(&b, snap); err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal(b.Bytes(), &generic); err != nil {
		t.Fatal(err)
	}
	delete(generic, "created_at")
	var unknowns []string
	for _, u := range res.Unknowns {
		unknowns = append(unknowns, u.String())
	}
	generic["unknowns"] = unknowns
	out, err := json.MarshalIndent(generic, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

// TestFixtureModels reads every test template and compares the model with
// its golden file (go test -run TestFixtureModels -update rewrites them).
func TestFixtureModels(t *testing.T) {
	for _, file := range fixtureTemplates(t) {
		dir := filepath.Base(filepath.Dir(file))
		name := dir + "-" + strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		t.Run(name, func(t *testing.T) {
			rel, _ := filepath.Rel("../..", file)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Parse(rel, data, fixtureOpts)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if len(res.Functions) == 0 {
				t.Fatal("no functions")
			}
			for _, f := range res.Functions {
				if f.Source == nil || f.Source.File != rel || f.Source.Line == 0 || f.Source.LogicalID == "" {
					t.Errorf("%s: source %+v, want the file, line and logical id", f.Name, f.Source)
				}
				for _, tr := range f.Triggers {
					if tr.Source == nil || tr.Source.LogicalID == "" {
						t.Errorf("%s: trigger %s %s without its source", f.Name, tr.Kind, tr.SourceARN)
					}
				}
			}
			got := goldenModel(t, res)
			golden := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestFixtureModels -update, then read the diff)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the model differs from %s (go test -update, then read the diff):\n%s", golden, lineDiff(string(want), string(got)))
			}
		})
	}
}

// readFixture reads one fixture with the fixture options.
func readFixture(t *testing.T, path string) *Result {
	t.Helper()
	res, err := Read(filepath.Join("../../fixtures/templates", path), fixtureOpts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func fnNamed(t *testing.T, res *Result, logicalID string) *account.Function {
	t.Helper()
	for _, f := range res.Functions {
		if f.Source.LogicalID == logicalID {
			return f
		}
	}
	t.Fatalf("no function %s", logicalID)
	return nil
}

// TestWirings checks, for each wiring, the trigger the template reader
// finds: the principal and SourceArn shape AWS sends (account.Trigger*
// documents them), the qualifier and the invoking role.
func TestWirings(t *testing.T) {
	tests := []struct {
		file, fn           string
		kind, principal    string
		sourceARN          string // exact, or a prefix ending in "…"
		qualifier, roleARN string
		statements         int // statements in the unqualified resource policy
	}{
		{"cfn/orders-api-healthy.yaml", "OrdersFunction", account.TriggerAPIGateway, "apigateway.amazonaws.com",
			"arn:aws:execute-api:us-east-1:111122223333:{{generated.RestApiId.Api}}/prod/GET/orders/*", "", "", 1},
		{"cfn/orders-api-broken.yaml", "Fn", account.TriggerAPIGateway, "apigateway.amazonaws.com",
			"arn:aws:execute-api:us-east-1:111122223333:{{generated.RestApiId.Api}}/prod/GET/orders/*", "", "", 1},
		{"cfn/rest-authorizer-healthy.yaml", "Fn", account.TriggerAPIAuthorizer, "apigateway.amazonaws.com",
			"arn:aws:execute-api:us-east-1:111122223333:{{generated.RestApiId.Api}}/authorizers/{{generated.Ref.Authorizer}}", "", "", 1},
		{"cfn/http-api-healthy.yaml", "Fn", account.TriggerAPIGateway, "apigateway.amazonaws.com",
			"arn:aws:execute-api:us-east-1:111122223333:{{generated.ApiId.HttpApi}}/live/POST/items", "", "", 2},
		{"cfn/http-api-broken.yaml", "Fn", account.TriggerAPIGateway, "apigateway.amazonaws.com",
			"arn:aws:execute-api:us-east-1:111122223333:{{generated.ApiId.HttpApi}}/$default/$default", "", "", 0},
		{"cfn/events-healthy.yaml", "Fn", account.TriggerEvents, "events.amazonaws.com",
			"arn:aws:events:us-east-1:111122223333:rule/orders/order-placed", "", "", 1},
		{"cfn/events-broken.yaml", "Fn", account.TriggerEvents, "events.amazonaws.com",
			"arn:aws:events:us-east-1:111122223333:rule/nightly-report", "", "", 1},
		{"cfn/sns-healthy.yaml", "Fn", account.TriggerSNS, "sns.amazonaws.com", "arn:aws:sns:us-east-1:111122223333:order-events", "", "", 1},
		{"cfn/sns-broken.yaml", "Fn", account.TriggerSNS, "sns.amazonaws.com", "arn:aws:sns:us-east-1:111122223333:alerts", "", "", 0},
		{"cfn/s3-healthy.yaml", "Fn", account.TriggerS3, "s3.amazonaws.com", "arn:aws:s3:::uploads-111122223333", "", "", 1},
		{"cfn/s3-broken.yaml", "Fn", account.TriggerS3, "s3.amazonaws.com", "arn:aws:s3:::{{generated.Name.Bucket}}", "", "", 0},
		{"cfn/logs-healthy.yaml", "Fn", account.TriggerLogs, "logs.amazonaws.com", "arn:aws:logs:us-east-1:111122223333:log-group:/app/orders:*", "", "", 1},
		{"cfn/logs-broken.yaml", "Fn", account.TriggerLogs, "logs.amazonaws.com", "arn:aws:logs:us-east-1:111122223333:log-group:/app/payments:*", "", "", 1},
		{"cfn/cognito-healthy.yaml", "Fn", account.TriggerCognito, "cognito-idp.amazonaws.com",
			"arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_{{generated.UserPoolId.Pool}}", "", "", 1},
		{"cfn/cognito-broken.yaml", "Fn", account.TriggerCognito, "cognito-idp.amazonaws.com",
			"arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_{{generated.UserPoolId.Pool}}", "", "", 0},
		{"cfn/elb-healthy.yaml", "Fn", account.TriggerELB, "elasticloadbalancing.amazonaws.com",
			"arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/orders-tg/{{generated.TargetGroupId.TargetGroup}}", "", "", 1},
		{"cfn/elb-broken.yaml", "Fn", account.TriggerELB, "elasticloadbalancing.amazonaws.com",
			"arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/{{generated.Name.TargetGroup}}/{{generated.TargetGroupId.TargetGroup}}", "", "", 0},
		{"cfn/states-healthy.yaml", "Fn", account.TriggerStates, "states.amazonaws.com",
			"arn:aws:states:us-east-1:111122223333:stateMachine:order-flow", "", "arn:aws:iam::111122223333:role/{{generated.Name.MachineRole}}", 0},
		{"cfn/states-broken.yaml", "Fn", account.TriggerStates, "states.amazonaws.com",
			"arn:aws:states:us-east-1:111122223333:stateMachine:{{generated.Name.Machine}}", "", "arn:aws:iam::111122223333:role/{{generated.Name.MachineRole}}", 0},
		{"cfn/scheduler-healthy.yaml", "Fn", account.TriggerScheduler, "scheduler.amazonaws.com",
			"arn:aws:scheduler:us-east-1:111122223333:schedule/default/hourly-sync", "", "arn:aws:iam::111122223333:role/{{generated.Name.SchedulerRole}}", 0},
		{"cfn/scheduler-broken.yaml", "Fn", account.TriggerScheduler, "scheduler.amazonaws.com",
			"arn:aws:scheduler:us-east-1:111122223333:schedule/default/{{generated.Name.Schedule}}", "live", "arn:aws:iam::111122223333:role/{{generated.Name.SchedulerRole}}", 0},
		{"cfn/alias-permission-broken.yaml", "Fn", account.TriggerSNS, "sns.amazonaws.com",
			"arn:aws:sns:us-east-1:111122223333:{{generated.Name.Topic}}", "prod", "", 1},
		{"cfn/rotation-healthy.yaml", "Fn", account.TriggerSecretsManager, "secretsmanager.amazonaws.com",
			"arn:aws:secretsmanager:us-east-1:111122223333:secret:db-password-{{generated.SecretSuffix.Secret}}", "", "", 1},
		{"sam/cognito-iot-alexa.yaml", "SignUpHook", account.TriggerCognito, "cognito-idp.amazonaws.com",
			"arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_{{generated.UserPoolId.UserPool}}", "", "", 1},
		{"sam/cognito-iot-alexa.yaml", "Device", account.TriggerOther, "iot.amazonaws.com",
			"arn:aws:iot:us-east-1:111122223333:rule/{{generated.Name.DeviceTelemetry}}", "", "", 2},
		{"sam/all-events-alias.yaml", "Fn", account.TriggerScheduler, "scheduler.amazonaws.com",
			"arn:aws:scheduler:us-east-1:111122223333:schedule/default/FnSched2", "live", "arn:aws:iam::111122223333:role/{{generated.Name.FnSched2Role}}", 0},
		{"sam/all-events-alias.yaml", "Fn", account.TriggerAPIGateway, "apigateway.amazonaws.com",
			"arn:aws:execute-api:us-east-1:111122223333:{{generated.ApiId.ServerlessHttpApi}}/$default/POST/h", "live", "", 0},
		{"sam/explicit-api-authorizer.yaml", "AuthFunction", account.TriggerAPIAuthorizer, "apigateway.amazonaws.com",
			"arn:aws:execute-api:us-east-1:111122223333:{{generated.RestApiId.OrdersApi}}/authorizers/{{generated.AuthorizerId.OrdersApi.TokenCheck}}", "", "", 1},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.kind, func(t *testing.T) {
			f := fnNamed(t, readFixture(t, tc.file), tc.fn)
			var found *account.Trigger
			var have []string
			for i, tr := range f.Triggers {
				have = append(have, tr.Kind+" "+tr.SourceARN+" q="+tr.Qualifier)
				if tr.Kind == tc.kind && tr.SourceARN == tc.sourceARN {
					found = &f.Triggers[i]
				}
			}
			if found == nil {
				t.Fatalf("no %s trigger with SourceArn %s; have %v", tc.kind, tc.sourceARN, have)
			}
			if found.Principal != tc.principal || found.Qualifier != tc.qualifier || found.RoleARN != tc.roleARN {
				t.Errorf("got principal %q qualifier %q role %q, want %q %q %q", found.Principal, found.Qualifier, found.RoleARN, tc.principal, tc.qualifier, tc.roleARN)
			}
			if tc.roleARN != "" && (found.Role == nil || found.Role.ARN != tc.roleARN) {
				t.Errorf("the invoking role %s was not attached to the trigger", tc.roleARN)
			}
			n := 0
			for _, p := range f.ResourcePolicies {
				if p.Qualifier == "" {
					var doc struct{ Statement []json.RawMessage }
					if err := json.Unmarshal([]byte(p.Document), &doc); err != nil {
						t.Fatalf("resource policy: %v", err)
					}
					n = len(doc.Statement)
				}
			}
			if n != tc.statements {
				t.Errorf("got %d statements in the unqualified resource policy, want %d", n, tc.statements)
			}
		})
	}
}

// TestUnknownsReachTheFunction: each value the template cannot know and
// the function depends on is an Unseen entry of that function, so a
// requirement that depends on it is undecided.
func TestUnknownsReachTheFunction(t *testing.T) {
	f := fnNamed(t, readFixture(t, "cfn/unknowns.yaml"), "Fn")
	want := []string{
		"{{unknown.ImportValue.shared-LambdaRoleArn}}",
		"{{unknown.Parameter.QueueArn}}",
		"{{unknown.Resolve.ssm--shop-lambda-key-arn}}",
		"{{unknown.NestedStack.Network.Outputs.PrivateSubnet}}",
		"{{unknown.Condition.UseTracing}}",
	}
	for _, m := range want {
		ok := false
		for _, u := range f.Unseen {
			if u.Operation == "template" && u.Resource == m {
				ok = true
			}
		}
		if !ok {
			t.Errorf("no Unseen entry for %s; have %+v", m, f.Unseen)
		}
	}
	if f.Role != nil {
		t.Errorf("an imported role was given a model: %+v", f.Role)
	}
	for _, u := range f.Unseen {
		if strings.Contains(u.Resource, "TableName") {
			t.Errorf("the environment variable value (an SSM parameter) reached the model: %+v", u)
		}
	}
	// With the values given, nothing is unknown any more.
	res, err := Read("../../fixtures/templates/cfn/unknowns.yaml", Options{Region: "us-east-1", Account: "111122223333",
		Parameters: map[string]string{"QueueArn": "arn:aws:sqs:us-east-1:111122223333:dlq"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range res.Functions[0].Unseen {
		if strings.Contains(u.Resource, "Parameter.QueueArn") || strings.Contains(u.Resource, "UseTracing") {
			t.Errorf("still unknown after --parameter: %+v", u)
		}
	}
}
