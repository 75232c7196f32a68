// Package errtext parses AWS access-denied messages, as pasted from a log, a
// ticket or a caller's response, into the request AWS refused and the policy
// type it blamed. It has no dependencies beyond the standard library so the
// account reader can use it on log lines.
//
// Parse accepts the message alone or wrapped: AWS CLI/botocore ("An error
// occurred (CODE) when calling the OP operation: ..."), Go SDK v1 and v2,
// Java SDK "(Service: ...; Status Code: ...)" suffixes, JavaScript error
// objects, CloudFormation handler messages, Terraform diagnostics (with
// their "│ " prefixes), JSON log records and HTTP bodies (escaped up to
// three times), XML bodies, CloudWatch lines with a timestamp and request
// ID, markdown or mail quotes, terminal colours, and lines wrapped between words.
// The standard message ("User: P is not authorized to perform: A on
// resource: R because no T policy allows the A action" / "with an explicit
// deny in a T policy[: ARN]", authorization ID, encoded EC2 message) and the
// Lambda- and caller-specific texts listed as Kinds are recognized; the
// test tables cite the public transcript each form comes from.
//
// Parsing is linear in the input: hand-written scanning over a normalized
// copy, no regular expressions; texts over MaxScan bytes are read at both
// ends only.
package errtext

import (
	"errors"
	"strings"
)

// Kind says which door or special case a message points at.
type Kind string

// Kinds of messages.
const (
	KindNotAuthorized    Kind = "not_authorized"     // "User: X is not authorized to perform: A on resource: R because ..."
	KindAPIGatewayInvoke Kind = "apigateway_invoke"  // "Invalid permissions on Lambda function"
	KindRoleAssume       Kind = "role_assume"        // "The role defined for the function cannot be assumed by Lambda"
	KindKMSEnv           Kind = "kms_env"            // KMSAccessDeniedException decrypting environment variables
	KindFunctionURL      Kind = "function_url"       // function URL 403 "Forbidden. For troubleshooting Function URL authorization issues..."
	KindS3Notification   Kind = "s3_notification"    // "Unable to validate the following destination configurations"
	KindLogsSubscription Kind = "logs_subscription"  // "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission..."
	KindELBTarget        Kind = "elb_target"         // "elasticloadbalancing principal does not have permission to invoke"
	KindEncodedEC2       Kind = "ec2_encoded"        // UnauthorizedOperation with an encoded authorization failure message
	KindVPCNetworking    Kind = "vpc_networking"     // EC2AccessDeniedException / "Need additional permissions to configure VPC settings"
	KindESMPermission    Kind = "esm_permission"     // "The provided execution role does not have permissions to call ReceiveMessage on SQS"
	KindBareAccessDenied Kind = "bare_access_denied" // "Access Denied" / AccessDeniedException with nothing more
	// KindAPIGatewayMethod is API Gateway's "Unable to determine
	// service/operation name to be authorized": an integration calling
	// Lambda with an HTTP method other than POST, not a missing permission.
	KindAPIGatewayMethod Kind = "apigateway_method"
	// KindECRImage is Lambda failing to pull a container image: "Lambda
	// does not have permission to access the ECR image" (the repository
	// policy must allow lambda.amazonaws.com ecr:BatchGetImage and
	// ecr:GetDownloadUrlForLayer).
	KindECRImage Kind = "ecr_image"
)

// Policy types AWS names in "because no ... allows" and "with an explicit
// deny in ..." (IAM UG troubleshoot_access-denied).
const (
	PolicyIdentityBased = "identity-based"
	PolicyResourceBased = "resource-based"
	PolicyBoundary      = "permissions boundary"
	PolicySession       = "session"
	PolicySCP           = "service control"
	PolicyRCP           = "resource control"
	PolicyVPCEndpoint   = "VPC endpoint"
	PolicyRoleTrust     = "role trust"
	PolicyS3BlockPublic = "S3 Block Public Access" // "because public policies are prevented by the BlockPublicPolicy setting"
)

// Denial is what a message says about a refused request. Empty fields were
// not in the text, except that for the Lambda- and caller-specific kinds
// Principal and Action are filled with what the kind implies when the text
// does not name them (e.g. apigateway.amazonaws.com and
// lambda:InvokeFunction for KindAPIGatewayInvoke).
type Denial struct {
	Kind      Kind
	Principal string // user/role/assumed-role ARN, or service principal
	Action    string // IAM action, e.g. lambda:InvokeFunction
	Resource  string // resource ARN or name as given
	// PolicyType is the policy type AWS blamed: "identity-based",
	// "resource-based", "permissions boundary", "session", "service control",
	// "resource control", "VPC endpoint", "role trust"; empty if not named.
	PolicyType string
	Explicit   bool   // "with an explicit deny in ..." (and every SCP message)
	PolicyARN  string // the policy ARN newer messages append, if any
	// Function is the Lambda function (name or ARN) the message names, for
	// the Lambda- and caller-specific texts.
	Function        string
	SourceARN       string // e.g. the target group of an ELB message
	AuthorizationID string
	Message         string // the message as found, trimmed

	// ViaPolicyType is set for "with an explicit deny in a VPC endpoint
	// policy transitively through a service control policy" ("service control").
	ViaPolicyType string
	// Reason is the clause after the resource as written ("because no
	// identity-based policy allows the s3:GetObject action", "with an explicit
	// deny in ..."), kept for clauses this package does not classify.
	Reason string
	// EncodedMessage is the EC2/STS "Encoded authorization failure message"
	// (decode with `aws sts decode-authorization-message`).
	EncodedMessage string

	// Envelope of the error, when the pasted text carries it (CLI, SDKs,
	// HTTP bodies).
	Code       string // error code, e.g. AccessDeniedException, AccessDenied
	Service    string // e.g. "Lambda" (Go SDK v2), "AWSLambda" (Java SDK)
	Operation  string // API operation, e.g. "Invoke", "GetObject"
	StatusCode int    // HTTP status, when given
	RequestID  string
}

// ErrNotDenial is returned (wrapped, with what was expected) when the text is
// not an access-denied message.
var ErrNotDenial = errors.New("not an AWS access-denied message")

// CrossAccount reports whether the principal and the resource (or function)
// ARNs both name an account and the accounts differ.
func (d *Denial) CrossAccount() bool {
	p := AccountOf(d.Principal)
	r := AccountOf(d.Resource)
	if r == "" {
		r = AccountOf(d.Function)
	}
	return p != "" && r != "" && p != r
}

// AccountOf returns the account ID in an ARN (the fifth field), or "" when s
// is not an ARN or has no account (S3 buckets, service principals).
func AccountOf(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return ""
	}
	f := strings.SplitN(s, ":", 6)
	if len(f) < 6 || len(f[4]) != 12 {
		return ""
	}
	for _, c := range f[4] {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return f[4]
}
