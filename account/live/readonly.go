package live

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/smithy-go/middleware"
)

// WriteRefusedError is returned, before anything is sent, for any AWS
// operation that is not one of the reads lambda-doctor makes.
type WriteRefusedError struct {
	Service, Operation string
}

func (e *WriteRefusedError) Error() string {
	return fmt.Sprintf("%s %s refused: lambda-doctor only makes the read calls it lists", e.Service, e.Operation)
}

// readOperations are the AWS operations the live reader calls, and nothing
// else is ever sent: keys are "ServiceID Operation" (the SDK's service ID
// and operation name), values the IAM action each needs. Adding a read
// means adding it here, to the list TestReadOperations spells out, and to
// the README's read-only IAM policy (ReadActions prints it).
var readOperations = map[string]string{
	"Lambda GetFunction":                    "lambda:GetFunction",
	"Lambda ListFunctions":                  "lambda:ListFunctions",
	"Lambda GetPolicy":                      "lambda:GetPolicy",
	"Lambda ListAliases":                    "lambda:ListAliases",
	"Lambda ListVersionsByFunction":         "lambda:ListVersionsByFunction",
	"Lambda GetFunctionUrlConfig":           "lambda:GetFunctionUrlConfig",
	"Lambda ListEventSourceMappings":        "lambda:ListEventSourceMappings",
	"Lambda ListFunctionEventInvokeConfigs": "lambda:ListFunctionEventInvokeConfigs",
	"Lambda GetLayerVersion":                "lambda:GetLayerVersion",

	"IAM GetRole":                  "iam:GetRole",
	"IAM ListRolePolicies":         "iam:ListRolePolicies",
	"IAM GetRolePolicy":            "iam:GetRolePolicy",
	"IAM ListAttachedRolePolicies": "iam:ListAttachedRolePolicies",
	"IAM GetPolicy":                "iam:GetPolicy",
	"IAM GetPolicyVersion":         "iam:GetPolicyVersion",
	"IAM SimulatePrincipalPolicy":  "iam:SimulatePrincipalPolicy", // diagnose --cross-check only

	"CloudWatch Logs DescribeLogGroups":  "logs:DescribeLogGroups",
	"CloudWatch Logs DescribeLogStreams": "logs:DescribeLogStreams",
	"CloudWatch Logs FilterLogEvents":    "logs:FilterLogEvents",

	// STS API reference, GetCallerIdentity: "No permissions are required
	// to perform this operation."
	"STS GetCallerIdentity": "",

	"EventBridge ListEventBuses":        "events:ListEventBuses",
	"EventBridge ListRuleNamesByTarget": "events:ListRuleNamesByTarget",
	"EventBridge ListTargetsByRule":     "events:ListTargetsByRule",

	"SNS ListSubscriptions": "sns:ListSubscriptions",

	"S3 ListBuckets":                        "s3:ListAllMyBuckets",
	"S3 GetBucketNotificationConfiguration": "s3:GetBucketNotification",

	// KMS keys a function depends on (kms.go), and what names them.
	"KMS DescribeKey":               "kms:DescribeKey",
	"KMS GetKeyPolicy":              "kms:GetKeyPolicy",
	"KMS ListGrants":                "kms:ListGrants",
	"SQS GetQueueAttributes":        "sqs:GetQueueAttributes",
	"Kinesis DescribeStreamSummary": "kinesis:DescribeStreamSummary",
	"SNS GetTopicAttributes":        "sns:GetTopicAttributes",

	"Organizations DescribeOrganization":  "organizations:DescribeOrganization",
	"Organizations ListParents":           "organizations:ListParents",
	"Organizations ListPoliciesForTarget": "organizations:ListPoliciesForTarget",
	"Organizations DescribePolicy":        "organizations:DescribePolicy",

	// Trigger discovery (discover.go). Every API Gateway read is
	// apigateway:GET on the API's management resource.
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

	// The tags of the resources a function's requests name (tags.go).
	"Resource Groups Tagging API GetResources": "tag:GetResources",

	// check --template: the values a template does not give (stack.go).
	"CloudFormation DescribeStacks":     "cloudformation:DescribeStacks",
	"CloudFormation ListStackResources": "cloudformation:ListStackResources",
	"CloudFormation ListExports":        "cloudformation:ListExports",
}

// credentialOperations are the credential exchanges the SDK's credential
// providers make for the operator's own profile (they change nothing in
// the account). The providers' clients are built from the reader's
// configuration, so they pass through the guard too.
var credentialOperations = map[string]bool{
	"STS AssumeRole":                true, // profiles with role_arn
	"STS AssumeRoleWithWebIdentity": true, // web identity token files
	"SSO GetRoleCredentials":        true, // IAM Identity Center profiles
	"SSO OIDC CreateToken":          true, // refreshing an SSO token
	"Signin CreateOAuth2Token":      true, // refreshing "aws login" credentials
}

// requiredOperations are the reads without which nothing can be decided:
// they are never skipped because their service stalled before (see
// stallBreaker), and their failure ends the read.
var requiredOperations = map[string]bool{
	"Lambda GetFunction":    true,
	"Lambda ListFunctions":  true,
	"STS GetCallerIdentity": true,
}

// IsReadOperation reports whether the live reader may send operation op of
// the service with SDK service ID svc: one of its reads, or a credential
// exchange of the operator's profile.
func IsReadOperation(svc, op string) bool {
	key := svc + " " + op
	_, read := readOperations[key]
	return read || credentialOperations[key]
}

// ReadActions returns the IAM actions the live reader's reads need, sorted
// and without duplicates: the Action list of a read-only policy for
// lambda-doctor.
func ReadActions() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range readOperations {
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// readOnlyMiddleware fails every operation that is not a listed read in
// the Initialize step, before the request is even serialized.
func readOnlyMiddleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("LambdaDoctorReadOnly",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			svc, op := middleware.GetServiceID(ctx), middleware.GetOperationName(ctx)
			if !IsReadOperation(svc, op) {
				return middleware.InitializeOutput{}, middleware.Metadata{}, &WriteRefusedError{Service: svc, Operation: op}
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

// callCounter counts operations (once per call) and attempts (once per
// HTTP request, retries included) by "service:Operation".
type callCounter struct {
	mu       sync.Mutex
	ops      map[string]int
	attempts atomic.Int64
}

func newCallCounter() *callCounter { return &callCounter{ops: map[string]int{}} }

func (c *callCounter) middleware(stack *middleware.Stack) error {
	err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("LambdaDoctorCountCalls",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			key := iamPrefix(middleware.GetServiceID(ctx)) + ":" + middleware.GetOperationName(ctx)
			c.mu.Lock()
			c.ops[key]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	if err != nil {
		return err
	}
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("LambdaDoctorCountAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c.attempts.Add(1)
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

func (c *callCounter) snapshot() (map[string]int, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.ops))
	for k, v := range c.ops {
		m[k] = v
	}
	return m, c.attempts.Load()
}

// iamPrefix maps an SDK service ID to its IAM action prefix.
func iamPrefix(serviceID string) string {
	switch serviceID {
	case "CloudWatch Logs":
		return "logs"
	case "EventBridge":
		return "events"
	case "SSO OIDC":
		return "sso-oauth"
	case "API Gateway", "ApiGatewayV2":
		return "apigateway"
	case "Cognito Identity Provider":
		return "cognito-idp"
	case "Elastic Load Balancing v2":
		return "elasticloadbalancing"
	case "SFN":
		return "states"
	case "Resource Groups Tagging API":
		return "tag"
	}
	return strings.ToLower(strings.ReplaceAll(serviceID, " ", ""))
}
