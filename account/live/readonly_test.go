package live

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/readonly-policy.json")

// TestReadOperations spells out every operation the live reader may send,
// with the IAM action it needs. It fails on any change to the allow-list:
// adding a read is a conscious change, made here, in readOperations, and
// in the README's read-only IAM policy (testdata/readonly-policy.json).
func TestReadOperations(t *testing.T) {
	want := map[string]string{
		"Lambda GetFunction":                             "lambda:GetFunction",
		"Lambda ListFunctions":                           "lambda:ListFunctions",
		"Lambda GetPolicy":                               "lambda:GetPolicy",
		"Lambda ListAliases":                             "lambda:ListAliases",
		"Lambda ListVersionsByFunction":                  "lambda:ListVersionsByFunction",
		"Lambda GetFunctionUrlConfig":                    "lambda:GetFunctionUrlConfig",
		"Lambda ListEventSourceMappings":                 "lambda:ListEventSourceMappings",
		"Lambda ListFunctionEventInvokeConfigs":          "lambda:ListFunctionEventInvokeConfigs",
		"Lambda GetLayerVersion":                         "lambda:GetLayerVersion",
		"IAM GetRole":                                    "iam:GetRole",
		"IAM ListRolePolicies":                           "iam:ListRolePolicies",
		"IAM GetRolePolicy":                              "iam:GetRolePolicy",
		"IAM ListAttachedRolePolicies":                   "iam:ListAttachedRolePolicies",
		"IAM GetPolicy":                                  "iam:GetPolicy",
		"IAM GetPolicyVersion":                           "iam:GetPolicyVersion",
		"IAM SimulatePrincipalPolicy":                    "iam:SimulatePrincipalPolicy",
		"CloudWatch Logs DescribeLogGroups":              "logs:DescribeLogGroups",
		"CloudWatch Logs DescribeLogStreams":             "logs:DescribeLogStreams",
		"CloudWatch Logs FilterLogEvents":                "logs:FilterLogEvents",
		"STS GetCallerIdentity":                          "",
		"EventBridge ListEventBuses":                     "events:ListEventBuses",
		"EventBridge ListRuleNamesByTarget":              "events:ListRuleNamesByTarget",
		"EventBridge ListTargetsByRule":                  "events:ListTargetsByRule",
		"SNS ListSubscriptions":                          "sns:ListSubscriptions",
		"S3 ListBuckets":                                 "s3:ListAllMyBuckets",
		"S3 GetBucketNotificationConfiguration":          "s3:GetBucketNotification",
		"Organizations DescribeOrganization":             "organizations:DescribeOrganization",
		"Organizations ListParents":                      "organizations:ListParents",
		"KMS DescribeKey":                                "kms:DescribeKey",
		"Resource Groups Tagging API GetResources":       "tag:GetResources",
		"KMS GetKeyPolicy":                               "kms:GetKeyPolicy",
		"KMS ListGrants":                                 "kms:ListGrants",
		"SQS GetQueueAttributes":                         "sqs:GetQueueAttributes",
		"Kinesis DescribeStreamSummary":                  "kinesis:DescribeStreamSummary",
		"SNS GetTopicAttributes":                         "sns:GetTopicAttributes",
		"Organizations ListPoliciesForTarget":            "organizations:ListPoliciesForTarget",
		"Organizations DescribePolicy":                   "organizations:DescribePolicy",
		"API Gateway GetRestApis":                        "apigateway:GET",
		"API Gateway GetResources":                       "apigateway:GET",
		"API Gateway GetAuthorizers":                     "apigateway:GET",
		"API Gateway GetStages":                          "apigateway:GET",
		"ApiGatewayV2 GetApis":                           "apigateway:GET",
		"ApiGatewayV2 GetIntegrations":                   "apigateway:GET",
		"ApiGatewayV2 GetRoutes":                         "apigateway:GET",
		"ApiGatewayV2 GetAuthorizer":                     "apigateway:GET",
		"ApiGatewayV2 GetStages":                         "apigateway:GET",
		"Cognito Identity Provider ListUserPools":        "cognito-idp:ListUserPools",
		"Elastic Load Balancing v2 DescribeTargetGroups": "elasticloadbalancing:DescribeTargetGroups",
		"Elastic Load Balancing v2 DescribeTargetHealth": "elasticloadbalancing:DescribeTargetHealth",
		"CloudWatch Logs DescribeSubscriptionFilters":    "logs:DescribeSubscriptionFilters",
		"Secrets Manager ListSecrets":                    "secretsmanager:ListSecrets",
		"CloudFront ListDistributions":                   "cloudfront:ListDistributions",
		"CloudFront ListOriginAccessControls":            "cloudfront:ListOriginAccessControls",
		"SFN ListStateMachines":                          "states:ListStateMachines",
		"SFN DescribeStateMachine":                       "states:DescribeStateMachine",
		"Scheduler ListSchedules":                        "scheduler:ListSchedules",
		"Scheduler GetSchedule":                          "scheduler:GetSchedule",
		"CloudFormation DescribeStacks":                  "cloudformation:DescribeStacks",
		"CloudFormation ListStackResources":              "cloudformation:ListStackResources",
		"CloudFormation ListExports":                     "cloudformation:ListExports",
	}
	if !reflect.DeepEqual(readOperations, want) {
		for k, v := range readOperations {
			if w, ok := want[k]; !ok || w != v {
				t.Errorf("allow-list has %s → %q; the test does not list it so", k, v)
			}
		}
		for k := range want {
			if _, ok := readOperations[k]; !ok {
				t.Errorf("allow-list lacks %s", k)
			}
		}
	}
	wantCred := map[string]bool{"STS AssumeRole": true, "STS AssumeRoleWithWebIdentity": true, "SSO GetRoleCredentials": true,
		"SSO OIDC CreateToken": true, "Signin CreateOAuth2Token": true}
	if !reflect.DeepEqual(credentialOperations, wantCred) {
		t.Errorf("credential exchanges: got %v, want %v", credentialOperations, wantCred)
	}
}

func TestIsReadOperation(t *testing.T) {
	for _, tc := range []struct {
		svc, op string
		want    bool
	}{
		{"Lambda", "GetFunction", true},
		{"CloudWatch Logs", "FilterLogEvents", true},
		{"IAM", "SimulatePrincipalPolicy", true},
		{"STS", "GetCallerIdentity", true},
		{"STS", "AssumeRole", true},           // a profile with role_arn
		{"SSO OIDC", "CreateToken", true},     // an SSO session refreshing its token
		{"Signin", "CreateOAuth2Token", true}, // aws login credentials
		// Reads (or credential calls) the tool does not make are refused
		// too: a prefix rule would have let them through.
		{"STS", "GetSessionToken", false},
		{"STS", "DecodeAuthorizationMessage", false},
		{"S3", "GetObject", false},
		{"Secrets Manager", "GetSecretValue", false},
		{"Secrets Manager", "DescribeSecret", false},
		{"API Gateway", "GetExport", false},
		{"API Gateway", "GetApiKeys", false},
		{"Cognito Identity Provider", "ListUsers", false},
		{"Cognito Identity Provider", "DescribeUserPoolClient", false},
		{"CloudFront", "GetDistributionConfig", false},
		{"Lambda", "GetFunctionConfiguration", false},
		{"Lambda", "GetAccountSettings", false},
		{"IAM", "GetAccountAuthorizationDetails", false},
		{"IAM", "CreateRole", false},
		{"Lambda", "AddPermission", false},
		{"Lambda", "Invoke", false},
		{"Lambda", "PutFunctionEventInvokeConfig", false},
		{"IAM", "PutRolePolicy", false},
		{"IAM", "CreatePolicyVersion", false},
		{"CloudWatch Logs", "DeleteLogGroup", false},
		{"Lambda", "getfunction", false},
		{"", "GetFunction", false},
	} {
		if got := IsReadOperation(tc.svc, tc.op); got != tc.want {
			t.Errorf("%s %s: got %v, want %v", tc.svc, tc.op, got, tc.want)
		}
	}
}

// TestReadOnlyPolicy keeps testdata/readonly-policy.json, the identity
// policy that lets lambda-doctor make every read it makes (for the
// README), in step with the allow-list. Regenerate with -update and read
// the diff.
func TestReadOnlyPolicy(t *testing.T) {
	actions := ReadActions()
	if !sort.StringsAreSorted(actions) {
		t.Errorf("ReadActions is not sorted: %v", actions)
	}
	type statement struct {
		Sid      string
		Effect   string
		Action   []string
		Resource string
	}
	doc := struct {
		Version   string
		Statement []statement
	}{"2012-10-17", []statement{{"LambdaDoctorReadOnly", "Allow", actions, "*"}}}
	got, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "readonly-policy.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is out of date (run go test ./account/live -run TestReadOnlyPolicy -update):\ngot  %s", path, got)
	}

	// The README shows the same policy, between its markers.
	readme := filepath.Join("..", "..", "README.md")
	text, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- readonly-policy: generated, do not edit -->\n```json\n", "```\n<!-- end readonly-policy -->"
	i, j := strings.Index(string(text), begin), strings.Index(string(text), end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no read-only policy block between %q and %q", begin, end)
	}
	block := string(text[i+len(begin) : j])
	if *update && block != string(got) {
		text = []byte(string(text[:i+len(begin)]) + string(got) + string(text[j:]))
		if err := os.WriteFile(readme, text, 0o644); err != nil {
			t.Fatal(err)
		}
		block = string(got)
	}
	if block != string(got) {
		t.Errorf("README.md's read-only policy is out of date (run go test ./account/live -run TestReadOnlyPolicy -update)")
	}
}

func TestFixMilliseconds(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"logStreams":[{"lastEventTimestamp":1796417185722.511,"logStreamName":"s"}]}`, `{"logStreams":[{"lastEventTimestamp":1796417185722,"logStreamName":"s"}]}`},
		{`{"events":[{"timestamp":1.5,"message":"a.b"}],"nextToken":"x"}`, `{"events":[{"message":"a.b","timestamp":1}],"nextToken":"x"}`},
		{`{"events":[{"timestamp":17,"message":"a.b"}]}`, `{"events":[{"timestamp":17,"message":"a.b"}]}`}, // untouched
		{`{"events":[{"timestamp":17.0}]}`, `{"events":[{"timestamp":17}]}`},
		{`{"message":1.5}`, `{"message":1.5}`},
		{`not json.`, `not json.`},
	} {
		if got := string(fixMilliseconds([]byte(tc.in))); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.in, got, tc.want)
		}
	}
}
