package errtext

import "strings"

// Causes: the fixed wording of Denial.Cause. Nothing here is built from the
// input, so a Cause never echoes a pasted text. The AWS page each one rests
// on is named in the test that exercises it.
const (
	causeLayerAccess = "lambda:GetLayerVersion is refused alike for a layer version its owner has not shared with this account, " +
		"for a layer in another region than the function (a function uses layers of its own region only) and for a version that does not exist: " +
		"compare the layer's region and version with the function's before granting anything"
	causeLayerNotFound = "the layer version does not exist where the function is: it was deleted or never published, " +
		"or it is in another region (a function uses layers of its own region only); no policy change helps"
	causeLayerRegion = "the layer is not in the function's region (a function uses layers of its own region only); no policy change helps"

	causeECRInvalid = "Lambda finds no image under that URI: the repository, tag or digest does not exist, " +
		"or the repository is in another region than the function (Lambda pulls images from its own region only); no policy change helps"
	causeECRRepositoryPolicy = "the ECR repository policy must allow lambda.amazonaws.com ecr:BatchGetImage and ecr:GetDownloadUrlForLayer " +
		"(and, for another account, that account's principal); it is the repository owner's policy, not the execution role"
	causeECRSameAccount = "this older error means the image's repository is in another account: " +
		"its repository policy must allow this account and lambda.amazonaws.com (Lambda DG, cross-account images)"

	causeKMSDisabled = "the KMS key of the environment variables is disabled: enable it or configure another key; no policy change helps"
	causeKMSState    = "the KMS key of the environment variables is in a state that does not allow Decrypt, " +
		"typically pending deletion (cancel the deletion) or pending import; no policy change helps"
	causeKMSNotFound   = "the KMS key of the environment variables does not exist (deleted) or cannot be found from the function's region; no policy change helps"
	causeKMSStaleGrant = "the execution role was deleted and re-created under the same name: the KMS grant Lambda made for the old role " +
		"no longer matches (UnrecognizedClientException); re-create the grant by updating the function's configuration, do not widen a policy"
	causeKMSCiphertext = "the key is missing, in another region, or not usable by the role; " +
		"when the role was re-created under the same name, the grant Lambda made for the old role is stale and the fix is to re-create it"

	causeRoleNotFound = "the role does not exist (IAM NoSuchEntity: deleted, or never created); when it is the function's execution role, " +
		"Lambda cannot assume it and every invocation fails; no policy change helps: create the role again or point the function at another role"

	causeESMNotARN = "the event source mapping was given something that is not an ARN, typically a queue URL " +
		"(CloudFormation's Ref of an SQS queue is its URL; use its Arn attribute); no policy change helps"
	causeKafkaAuthorize = "with IAM access control the execution role lacks kafka-cluster permissions on the topic and the consumer group; " +
		"with SASL/SCRAM or mTLS the Kafka ACLs (outside IAM) are missing DescribeConfigs Cluster, Describe/Read Group or Describe/Read Topic"
	causeKafkaSASL = "with IAM access control the execution role lacks kafka-cluster:Connect on the cluster; " +
		"with SASL/SCRAM the user name and password in the secret are not valid (outside IAM)"
	causeSourceAuthn = "Lambda failed to authenticate to the event source (broker credentials or certificate), which is not an IAM permission"
	causeSourceAuthz = "Lambda lacks the permissions to access the event source: the execution role, or the broker's own users and permissions"
	causeESMAssume   = "the event source mapping could not assume the execution role: its trust policy must allow lambda.amazonaws.com " +
		"sts:AssumeRole without requiring a source identity"

	causeStateRole    = "the function is Failed because its execution role lacks a permission Lambda needs to set it up (network interfaces, KMS key, image)"
	causeStateKMS     = "the function is Failed because its KMS key is disabled, not found or in a state that does not allow use; no policy change helps"
	causeStateKMSDeny = "the function is Failed because the KMS key refuses the execution role"
	causeStateImage   = "the function is Failed because its container image was deleted or is not valid; no policy change helps"
	causeStateImageAD = "the function is Failed because Lambda may not read its container image (the repository policy)"
	causeStateNetwork = "the function is Failed because of its VPC configuration (subnet, security group, addresses or network interfaces); no policy change helps"
	causeStateEFS     = "the function is Failed because its file system could not be mounted"
	causeStateOther   = "the function is Failed or Inactive for a reason that is not a permission; its StateReason says which"
	causeStateUnknown = "the function is Failed or Inactive; the text gives no reason code this tool knows: read the function's StateReason"
)

// causes is every Cause Parse may set; the fuzz test checks that no other
// text reaches the field.
var causes = map[string]bool{
	causeLayerAccess: true, causeLayerNotFound: true, causeLayerRegion: true,
	causeECRInvalid: true, causeECRRepositoryPolicy: true, causeECRSameAccount: true,
	causeKMSDisabled: true, causeKMSState: true, causeKMSNotFound: true, causeKMSStaleGrant: true, causeKMSCiphertext: true,
	causeRoleNotFound: true,
	causeESMNotARN:    true, causeKafkaAuthorize: true, causeKafkaSASL: true, causeSourceAuthn: true, causeSourceAuthz: true, causeESMAssume: true,
	causeStateRole: true, causeStateKMS: true, causeStateKMSDeny: true, causeStateImage: true, causeStateImageAD: true,
	causeStateNetwork: true, causeStateEFS: true, causeStateOther: true, causeStateUnknown: true,
}

// stateReasons maps the StateReasonCode values of a Failed function
// (Lambda API, FunctionConfiguration.StateReasonCode) to a Cause and
// whether a policy change can fix it.
var stateReasons = map[string]struct {
	cause  string
	notIAM bool
}{
	"insufficientrolepermissions": {causeStateRole, false},
	"kmskeyaccessdenied":          {causeStateKMSDeny, false},
	"imageaccessdenied":           {causeStateImageAD, false},
	"efsmountfailure":             {causeStateEFS, false}, // "due to a permission or configuration issue" (API_Invoke)
	"kmskeynotfound":              {causeStateKMS, true},
	"invalidstatekmskey":          {causeStateKMS, true},
	"disabledkmskey":              {causeStateKMS, true},
	"imagedeleted":                {causeStateImage, true},
	"invalidimage":                {causeStateImage, true},
	"enilimitexceeded":            {causeStateNetwork, true},
	"subnetoutofipaddresses":      {causeStateNetwork, true},
	"invalidsubnet":               {causeStateNetwork, true},
	"invalidsecuritygroup":        {causeStateNetwork, true},
	"efsioerror":                  {causeStateEFS, true},
	"efsmountconnectivityerror":   {causeStateEFS, true},
	"efsmounttimeout":             {causeStateEFS, true},
	"invalidconfiguration":        {causeStateOther, true},
	"internalerror":               {causeStateOther, true},
	"invalidruntime":              {causeStateOther, true},
	"invalidzipfileexception":     {causeStateOther, true},
	"functionerror":               {causeStateOther, true},
}

// StateReason explains a StateReasonCode (or LastUpdateStatusReasonCode) of
// a Failed or Inactive function (Lambda API, FunctionConfiguration), in
// this package's fixed words, and says whether a policy change can fix it;
// ok is false for a code this package does not know.
func StateReason(code string) (cause string, notIAM, ok bool) {
	r, ok := stateReasons[strings.ToLower(code)]
	return r.cause, r.notIAM, ok
}
