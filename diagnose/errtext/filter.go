package errtext

// FilterPattern selects candidate denial lines with CloudWatch Logs
// FilterLogEvents (at most 1024 characters, the API's limit). Terms
// prefixed with ? are OR-ed and a quoted term matches the exact phrase
// (CloudWatch Logs UG, "Filter pattern syntax for metric filters,
// subscription filters, filter log events, and Live Tail": "?ERROR
// ?Exception" returns events with either term). Matching is taken to be
// case-sensitive, so the terms use AWS's own spelling. Lines it selects
// still go through IsDenialLine and Parse.
const FilterPattern = `?"not authorized to perform" ?AccessDenied ?"Access Denied" ?"Access denied" ` +
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
	"doesn't have permissions",
	"need additional permissions",
	"function url authorization",
	"unable to determine service/operation name to be authorized",
	"unable to validate the following destination configurations",
	"could not execute the lambda function",
	"cloudwatch logs permission",
	"authorizationerror",
	"unable to decrypt the environment variables",
}

// IsDenialLine is a cheap pre-filter for log lines: it reports whether line
// contains a phrase every denial Parse recognizes contains. Lines it
// accepts may still not parse; lines it rejects are not denials (unless
// the phrase itself is escaped, e.g. with \u0020, or broken across lines).
func IsDenialLine(line string) bool {
	for _, n := range denialNeedles {
		if containsFold(line, n) {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains lower-case ASCII needle, ignoring
// ASCII case, without allocating.
func containsFold(s, needle string) bool {
	n := len(needle)
	if n == 0 {
		return true
	}
	c0 := needle[0]
	for i := 0; i+n <= len(s); i++ {
		c := s[i]
		if c|0x20 != c0 && c != c0 {
			continue
		}
		j := 1
		for ; j < n; j++ {
			b := s[i+j]
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			if b != needle[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}
