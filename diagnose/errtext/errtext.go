// Package errtext parses AWS access-denied messages, as pasted from a log, a
// ticket or a caller's response, into the request AWS refused and the policy
// type it blamed. It has no dependencies beyond the standard library so the
// account reader can use it on log lines.
package errtext

import "errors"

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
)

// Denial is what a message says about a refused request. Empty fields were
// not in the text.
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
}

// ErrNotDenial is returned (wrapped, with what was expected) when the text is
// not an access-denied message.
var ErrNotDenial = errors.New("not an AWS access-denied message")

// Parse finds the first access-denied message in text.
func Parse(text string) (*Denial, error) {
	return nil, errors.New("errtext.Parse: not implemented yet")
}
