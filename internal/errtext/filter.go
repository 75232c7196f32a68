package errtext

import "bytes"

// FilterPattern selects candidate denial lines with CloudWatch Logs
// FilterLogEvents (at most 1024 characters, the API's limit). Terms
// prefixed with ? are OR-ed and a quoted term matches the exact phrase
// (CloudWatch Logs UG, "Filter pattern syntax for metric filters,
// subscription filters, filter log events, and Live Tail": "?ERROR
// ?Exception" returns events with either term). Matching is taken to be
// case-sensitive, so the terms use AWS's own spelling; whether a bare term
// also matches inside a longer word is not stated, so error codes are
// listed whole. Lines it selects still go through IsDenialLine and Parse.
const FilterPattern = `?"not authorized to perform" ?AccessDenied ?AccessDeniedException ?KMSAccessDeniedException ` +
	`?EC2AccessDeniedException ?AuthorizationErrorException ?"Access Denied" ?"Access denied" ` +
	`?"Invalid permissions on Lambda function" ?"cannot be assumed by Lambda" ?UnauthorizedOperation ` +
	`?"Encoded authorization failure message" ?"does not have permission" ?"does not have permissions" ` +
	`?"doesn't have permissions" ?"Need additional permissions" ?"Function URL authorization" ` +
	`?"Unable to validate the following destination configurations" ?"given CloudWatch Logs permission" ` +
	`?"unable to decrypt the environment variables" ?"Unable to determine service/operation name" ?AuthorizationError`

// denialNeedles are lower-case phrases one of which every text Parse
// accepts contains (before unescaping).
var denialNeedles = []string{
	"not authorized to perform",
	"accessdenied", // also AccessDeniedException, KMSAccessDeniedException, EC2AccessDeniedException
	"access denied",
	"invalid permissions on lambda function",
	"cannot be assumed by lambda",
	"unauthorizedoperation",
	"encoded authorization failure message",
	"does not have permission", // also "permissions"
	"need additional permissions",
	"function url authorization",
	"unable to determine service/operation name to be authorized",
	"unable to validate the following destination configurations",
	"could not execute the lambda function",
	"cloudwatch logs permission",
	"authorizationerror",
	"decrypt the environment variables", // also KMSDisabledException and the other key states
	"kmsdisabledexception",
	"kmsinvalidstateexception",
	"kmsnotfoundexception",
	"cannot access stream",
	"failed to assume your function execution role",
	"the role with name", // IAM NoSuchEntity: "The role with name NAME cannot be found."
	"cluster failed to authorize lambda",
	"sasl authentication failed",
	"event_source_auth", // EVENT_SOURCE_AUTHN_ERROR, EVENT_SOURCE_AUTHZ_ERROR
	"eventsourcearn",
	"layer version",
	"source image",
	"image repository must be",
	"following state",
	"unexpected state",
	"statereasoncode",
	"doesn't have permission", // also "doesn't have permissions"
}

// IsDenialLine is a cheap pre-filter for log lines: it reports whether line
// contains a phrase every denial Parse recognizes contains. Lines it
// accepts may still not parse; lines it rejects are not denials (unless
// the phrase itself is escaped, e.g. with \u0020, or broken across lines).
func IsDenialLine(line string) bool {
	var buf [1024]byte
	var lo []byte
	if len(line) <= len(buf) {
		lo = buf[:len(line)]
	} else {
		lo = make([]byte, len(line))
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lo[i] = c
	}
	for _, n := range needleBytes {
		if bytes.Contains(lo, n) {
			return true
		}
	}
	return false
}

var needleBytes = func() [][]byte {
	b := make([][]byte, len(denialNeedles))
	for i, n := range denialNeedles {
		b[i] = []byte(n)
	}
	return b
}()
