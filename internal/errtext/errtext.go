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
// Some texts read like a denial but name another cause: a layer version
// that does not exist or is in another region, an image URI Lambda cannot
// find, a disabled or deleted KMS key, a queue URL given as an event source
// ARN, a function in a Failed state. Parse recognizes them too, sets
// Denial.NotIAM when no policy change can fix them, and explains each with
// a Cause in this package's own fixed words; the details the caller needs
// (KeyARN, LayerARN, ImageURI, QueueURL, State...) are fields of Denial.
// A text carrying an IAM Access Troubleshooter authorization id yields the
// command and console link to ask why (TroubleshooterCommand,
// TroubleshooterURL).
//
// A text that holds none of these is refused with an error wrapping
// ErrNotDenial that says what was expected and how long the text was, and
// quotes none of it: it may be a file of secrets given as --error @FILE.
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
	// ecr:GetDownloadUrlForLayer), or "Image repository must be in the same
	// account as the caller". ImageURI is set when the text names the image.
	KindECRImage Kind = "ecr_image"

	// The kinds below were added for texts that read like a denial but whose
	// cause may not be a missing grant; Denial.NotIAM and Denial.Cause say
	// which.

	// KindECRImageInvalid is "Source image URI is not valid. Provide a valid
	// source image.": the image, its tag or its repository does not exist
	// where Lambda looks (the function's own region). Not IAM.
	KindECRImageInvalid Kind = "ecr_image_invalid"
	// KindLayer is a refused lambda:GetLayerVersion on a layer version
	// (LayerARN). Besides a layer its owner has not shared, a layer in
	// another region than the function or a version that does not exist read
	// the same: compare RegionOf(LayerARN) with the function's region.
	KindLayer Kind = "layer_access"
	// KindLayerNotFound is "Layer version ARN does not exist." or the
	// console's "must be a valid layer version ARN and in the same region as
	// your function". Not IAM.
	KindLayerNotFound Kind = "layer_not_found"
	// KindKMSKey is Lambda unable to decrypt the environment variables
	// because the key is disabled (KMSDisabledException), in a state that
	// does not allow Decrypt, such as pending deletion
	// (KMSInvalidStateException), or not found (KMSNotFoundException).
	// KeyARN is set when the text names the key. Not IAM.
	KindKMSKey Kind = "kms_key_state"
	// KindESMNotARN is an event source mapping whose EventSourceArn is not an
	// ARN, typically a queue URL (QueueURL, when the text holds one). Not IAM.
	KindESMNotARN Kind = "esm_not_arn"
	// KindESMSourceAuth is an event source (Kafka cluster, Amazon MQ broker)
	// refusing Lambda: "PROBLEM: Cluster failed to authorize Lambda.",
	// "PROBLEM: SASL authentication failed.", StateTransitionReason
	// EVENT_SOURCE_AUTHN_ERROR / EVENT_SOURCE_AUTHZ_ERROR. With IAM access
	// control the execution role decides; with SASL/SCRAM, mTLS or broker
	// users, credentials and ACLs outside IAM do.
	KindESMSourceAuth Kind = "esm_source_auth"
	// KindFunctionState is a function in a Failed (or Inactive) state, with
	// State, StateReasonCode and StateReason as far as the text gives them.
	// NotIAM depends on the reason code.
	KindFunctionState Kind = "function_state"
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
	Function  string
	SourceARN string // e.g. the target group of an ELB message
	// AuthorizationID is the IAM Access Troubleshooter id newer messages end
	// with (IAM UG, troubleshoot_access-denied-authorization-id);
	// AuthorizationRegion is the region of the console link that carried it,
	// if one did. See TroubleshooterCommand and TroubleshooterURL.
	AuthorizationID     string
	AuthorizationRegion string
	Message             string // the message as found, trimmed

	// Actions are all the IAM actions the message says are needed, in its
	// order (Action is the first), e.g. the four of "Please ensure the role
	// can perform the GetRecords, GetShardIterator, DescribeStream, and
	// ListStreams Actions on your stream".
	Actions []string
	// KeyARN is the KMS key the message names (KindKMSEnv, KindKMSKey).
	KeyARN string
	// KMSException is the KMS error Lambda relays in "KMS Exception: X KMS
	// Message: ...", e.g. "AccessDeniedException" or
	// "UnrecognizedClientException" (a grant made for a deleted role).
	KMSException string
	// LayerARN is the layer version of KindLayer and KindLayerNotFound.
	LayerARN string
	// ImageURI is the container image of KindECRImage and
	// KindECRImageInvalid, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag.
	ImageURI string
	// QueueURL is the SQS queue URL given where an ARN was expected.
	QueueURL string
	// State, StateReasonCode and StateReason describe a KindFunctionState
	// function, e.g. "Failed", "InsufficientRolePermissions".
	State           string
	StateReasonCode string
	StateReason     string

	// NotIAM is set when the text itself says the cause is not a missing
	// grant (a deleted layer version, a disabled key, a queue URL for an
	// ARN, ...): no policy change fixes it.
	NotIAM bool
	// Cause is this package's own one-line explanation of what the text
	// means when a missing grant is not, or not the only, explanation. It is
	// built from fixed wording only, never from the input.
	Cause string

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

// RegionOf returns the region in an ARN (the fourth field), or "".
func RegionOf(arn string) string { return regionOf(arn) }

// TroubleshooterRegion is where IAM Access Troubleshooter (the IAM Toolbox
// API, in preview) answers: the console link in the IAM UG example and the
// preview endpoint are in us-east-1.
const TroubleshooterRegion = "us-east-1"

// TroubleshooterCommand is the AWS CLI command that asks IAM Access
// Troubleshooter why the request was denied (CLI reference, iam-toolbox
// get-request-authorization-details; needs
// iam:GetRequestAuthorizationDetails; details are kept at least 24 hours),
// or "" when the text carried no authorization id.
func (d *Denial) TroubleshooterCommand() string {
	if d.AuthorizationID == "" {
		return ""
	}
	return "aws iam-toolbox get-request-authorization-details --authorization-id " + d.AuthorizationID +
		" --region " + d.troubleshooterRegion()
}

// TroubleshooterURL is the console page for the authorization id, in the
// form of the IAM UG example, or "" when there is no id.
func (d *Denial) TroubleshooterURL() string {
	if d.AuthorizationID == "" {
		return ""
	}
	r := d.troubleshooterRegion()
	return "https://" + r + ".console.aws.amazon.com/iam/home?region=" + r + "#/authorization-details/" + d.AuthorizationID
}

func (d *Denial) troubleshooterRegion() string {
	if d.AuthorizationRegion != "" {
		return d.AuthorizationRegion
	}
	return TroubleshooterRegion
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
