package errtext

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// detect finds the denial in normalized text: a Lambda- or caller-specific
// message (taking principal, action and resource from a standard message
// embedded in it), else the standard message, else a bare AccessDenied.
func detect(v *view) *Denial {
	na := findNotAuthorized(v)
	d := findSpecial(v)
	switch {
	case d != nil && na != nil && d.Kind == KindEncodedEC2:
		na.EncodedMessage = d.EncodedMessage
		d = na
	case d != nil && na != nil && consistent(d, na.Action):
		mergeStandard(d, na)
	case d != nil && na != nil:
		// Two unrelated messages: the first one in the text wins.
		if strings.Index(v.s, na.Message) < strings.Index(v.s, d.Message) {
			d = na
		}
	case d == nil && na != nil:
		d = na
	case d == nil:
		d = findBare(v)
	}
	if d == nil {
		return nil
	}
	refine(v, d)
	fillImplied(d)
	envelope(near(v, d.Message), d)
	return d
}

// near returns the part of v within 4 KiB of msg: the envelope of a
// message (its code, status and request ID) is written around it.
func near(v *view, msg string) *view {
	const span = 4 << 10
	i := strings.Index(v.s, msg)
	if i < 0 || len(v.s) <= 2*span+len(msg) {
		return v
	}
	a, b := max(0, i-span), min(len(v.s), i+len(msg)+span)
	return &view{s: v.s[a:b], lo: v.lo[a:b]}
}

// consistent reports whether a standard message naming action can be the
// detail of the special message d (e.g. the KMS denial inside a
// KMSAccessDeniedException), rather than an unrelated line.
func consistent(d *Denial, action string) bool {
	a := strings.ToLower(action)
	switch d.Kind {
	case KindAPIGatewayInvoke, KindAPIGatewayMethod, KindS3Notification, KindLogsSubscription, KindELBTarget:
		return a == "lambda:invokefunction"
	case KindFunctionURL:
		return strings.HasPrefix(a, "lambda:invokefunction")
	case KindKMSEnv:
		return strings.HasPrefix(a, "kms:")
	case KindRoleAssume:
		return strings.HasPrefix(a, "sts:")
	case KindVPCNetworking:
		return strings.HasPrefix(a, "ec2:")
	case KindECRImage:
		return strings.HasPrefix(a, "ecr:")
	case KindESMPermission:
		return d.Action == "" || strings.EqualFold(d.Action, action)
	case KindKMSKey:
		return strings.HasPrefix(a, "kms:")
	case KindESMSourceAuth:
		return strings.HasPrefix(a, "kafka-cluster:")
	case KindLayerNotFound, KindECRImageInvalid, KindESMNotARN, KindFunctionState:
		return false // their own text says what is wrong; a denial elsewhere is another matter
	}
	return true
}

// mergeStandard copies what a standard message embedded in a special one
// says (it names the real principal, action and resource).
func mergeStandard(d, na *Denial) {
	d.Principal = na.Principal
	d.Action = na.Action
	if na.Resource != "" {
		d.Resource = na.Resource
	}
	d.PolicyType, d.Explicit, d.PolicyARN, d.ViaPolicyType = na.PolicyType, na.Explicit, na.PolicyARN, na.ViaPolicyType
	d.Reason = na.Reason
	if na.AuthorizationID != "" {
		d.AuthorizationID, d.AuthorizationRegion = na.AuthorizationID, na.AuthorizationRegion
	}
}

// fillImplied fills the principal and action a special kind implies.
func fillImplied(d *Denial) {
	def := func(p, a string) {
		if d.Principal == "" {
			d.Principal = p
		}
		if d.Action == "" {
			d.Action = a
		}
	}
	switch d.Kind {
	case KindAPIGatewayInvoke, KindAPIGatewayMethod:
		def("apigateway.amazonaws.com", "lambda:InvokeFunction")
	case KindRoleAssume:
		def("lambda.amazonaws.com", "sts:AssumeRole")
	case KindKMSEnv:
		def("", "kms:Decrypt")
	case KindFunctionURL:
		def("", "lambda:InvokeFunctionUrl")
	case KindELBTarget:
		def("elasticloadbalancing.amazonaws.com", "lambda:InvokeFunction")
	case KindLogsSubscription:
		// The service's global name; its regional name names it too (IAM
		// UG, multivalued context keys: aws:PrincipalServiceNamesList).
		def("logs.amazonaws.com", "lambda:InvokeFunction")
	case KindVPCNetworking:
		def("", "ec2:CreateNetworkInterface")
	case KindECRImage:
		def("lambda.amazonaws.com", "ecr:BatchGetImage")
	}
	if d.Resource == "" && d.Function != "" {
		d.Resource = d.Function
	}
}

// regionOf returns the region field of an ARN, or "".
func regionOf(arn string) string {
	f := strings.SplitN(arn, ":", 5)
	if len(f) < 5 || f[0] != "arn" {
		return ""
	}
	return f[3]
}

// special is one detector: a lower-case phrase and what to make of it at
// its position. A weak phrase (a bare error code) is used only when no
// other phrase is found; on a tie in position the first listed wins.
type special struct {
	phrase string
	kind   Kind
	fill   func(v *view, at int, d *Denial) // may be nil
	// check, when set, must accept an occurrence of the phrase for it to
	// count (e.g. "layer version " followed by a layer ARN and "does not exist").
	check func(v *view, at int) bool
	weak  bool
}

var specials = []special{
	{phrase: "invalid permissions on lambda function", kind: KindAPIGatewayInvoke, fill: apigwFunction},
	{phrase: "doesn't have permissions to call the integration", kind: KindAPIGatewayInvoke, fill: apigwFunction},
	{phrase: "does not have permissions to call the integration", kind: KindAPIGatewayInvoke, fill: apigwFunction},
	{phrase: "doesn't have permissions to call the authorizer", kind: KindAPIGatewayInvoke, fill: apigwFunction},
	{phrase: "does not have permissions to call the authorizer", kind: KindAPIGatewayInvoke, fill: apigwFunction},
	{phrase: "unable to determine service/operation name to be authorized", kind: KindAPIGatewayMethod, fill: apigwFunction},
	{phrase: "cannot be assumed by lambda", kind: KindRoleAssume},
	{phrase: "the role with name ", kind: KindRoleAssume, check: roleMissing, fill: roleNotFound},
	{phrase: "decrypt the environment variables because kms access was denied", kind: KindKMSEnv, fill: kmsEnv},
	{phrase: "kmsaccessdeniedexception", kind: KindKMSEnv, fill: kmsEnv, weak: true},
	{phrase: "forbidden. for troubleshooting function url authorization issues", kind: KindFunctionURL},
	{phrase: "for troubleshooting function url authorization issues", kind: KindFunctionURL},
	{phrase: "unable to validate the following destination configurations", kind: KindS3Notification, fill: s3Destination},
	{phrase: "could not execute the lambda function. make sure you have given cloudwatch logs permission to execute your function", kind: KindLogsSubscription, fill: logsFunction},
	{phrase: "make sure you have given cloudwatch logs permission to execute your function", kind: KindLogsSubscription, fill: logsFunction},
	{phrase: "could not execute the lambda function", kind: KindLogsSubscription, fill: logsFunction},
	{phrase: "elasticloadbalancing principal does not have permission to invoke", kind: KindELBTarget, fill: elbTarget},
	{phrase: "encoded authorization failure message", kind: KindEncodedEC2, fill: encodedMessage},
	{phrase: "need additional permissions to configure vpc settings", kind: KindVPCNetworking},
	{phrase: "ec2accessdeniedexception", kind: KindVPCNetworking, weak: true},
	{phrase: "execution role does not have permissions to call", kind: KindESMPermission, fill: roleCall},
	{phrase: "lambda does not have permission to access the ecr image", kind: KindECRImage, fill: ecrImage},
	{phrase: "does not have permission to access the specified image", kind: KindECRImage, fill: ecrImage},
	{phrase: "image repository must be in the same account as the caller", kind: KindECRImage, fill: ecrSameAccount},
	{phrase: "source image ", kind: KindECRImageInvalid, check: sourceImageInvalid, fill: ecrInvalid},
	{phrase: "cannot access stream ", kind: KindESMPermission, check: streamARNFollows, fill: streamAccess},
	{phrase: "lambda failed to assume your function execution role", kind: KindRoleAssume, fill: withCause(causeESMAssume, false)},
	{phrase: "cluster failed to authorize lambda", kind: KindESMSourceAuth, fill: withCause(causeKafkaAuthorize, false)},
	{phrase: "problem: sasl authentication failed", kind: KindESMSourceAuth, fill: withCause(causeKafkaSASL, false)},
	{phrase: "event_source_authz_error", kind: KindESMSourceAuth, fill: withCause(causeSourceAuthz, false)},
	{phrase: "event_source_authn_error", kind: KindESMSourceAuth, fill: withCause(causeSourceAuthn, true)},
	{phrase: "at 'eventsourcearn' failed to satisfy constraint", kind: KindESMNotARN, fill: esmNotARN},
	{phrase: "#/eventsourcearn: failed validation constraint", kind: KindESMNotARN, fill: esmNotARN},
	{phrase: "decrypt the environment variables because the kms key used is disabled", kind: KindKMSKey, fill: kmsKey(causeKMSDisabled)},
	{phrase: "decrypt the environment variables because the kms key is in an invalid state", kind: KindKMSKey, fill: kmsKey(causeKMSState)},
	{phrase: "decrypt the environment variables because the kms key used is in an invalid state", kind: KindKMSKey, fill: kmsKey(causeKMSState)},
	{phrase: "decrypt the environment variables because the state of the kms key used is not valid", kind: KindKMSKey, fill: kmsKey(causeKMSState)},
	{phrase: "decrypt the environment variables because the kms key was not found", kind: KindKMSKey, fill: kmsKey(causeKMSNotFound)},
	{phrase: "kmsdisabledexception", kind: KindKMSKey, fill: kmsKey(causeKMSDisabled), weak: true},
	{phrase: "kmsinvalidstateexception", kind: KindKMSKey, fill: kmsKey(causeKMSState), weak: true},
	{phrase: "kmsnotfoundexception", kind: KindKMSKey, fill: kmsKey(causeKMSNotFound), weak: true},
	{phrase: "layer version ", kind: KindLayerNotFound, check: layerMissing, fill: layerNotFound},
	{phrase: "must be a valid layer version arn and in the same region as your function", kind: KindLayerNotFound, fill: withCause(causeLayerRegion, true)},
	{phrase: "is currently in the following state:", kind: KindFunctionState, check: failedStateFollows, fill: functionState},
	{phrase: "unexpected state 'failed'", kind: KindFunctionState, fill: functionState},
	{phrase: "the function's execution role doesn't have permission to perform this operation", kind: KindFunctionState, fill: functionState},
	{phrase: "statereasoncode", kind: KindFunctionState, check: failureCodeFollows, fill: functionState, weak: true},
}

// findSpecial returns the Lambda- or caller-specific message that occurs
// first in the text.
func findSpecial(v *view) *Denial {
	best, bestAt, bestWeak := -1, len(v.lo)+1, true
	for k, sp := range specials {
		i := v.index(0, sp.phrase)
		for tries := 0; i >= 0 && sp.check != nil && !sp.check(v, i); tries++ {
			if tries == 16 {
				i = -1
				break
			}
			i = v.index(i+1, sp.phrase)
		}
		if i < 0 {
			continue
		}
		if (bestWeak && !sp.weak) || (sp.weak == bestWeak && i < bestAt) {
			best, bestAt, bestWeak = k, i, sp.weak
		}
	}
	if best < 0 {
		return nil
	}
	sp := specials[best]
	d := &Denial{Kind: sp.kind}
	// Take the sentence around the phrase as the message.
	start := sentenceStart(v, bestAt)
	end := v.sentenceEnd(bestAt + len(sp.phrase))
	if end < len(v.s) && v.s[end] == '.' {
		end++
	}
	d.Message = strings.TrimSpace(v.s[start:end])
	if sp.fill != nil {
		sp.fill(v, bestAt, d)
	}
	return d
}

// sentenceStart walks back from at to the start of its sentence (after
// ". ", ": " following an error code, a quote or '>'), at most 300 bytes.
func sentenceStart(v *view, at int) int {
	lim := max(0, at-300)
	for k := at - 1; k >= lim; k-- {
		switch v.s[k] {
		case '"', '>', '[':
			return k + 1
		case ' ':
			if v.isBreak(k) || k > 0 && (v.s[k-1] == '.' || v.s[k-1] == ':') {
				return k + 1
			}
		}
	}
	if lim == 0 {
		return 0
	}
	// Do not start inside a word.
	for k := lim; k < at; k++ {
		if v.s[k] == ' ' {
			return k + 1
		}
	}
	return at
}

// lambdaARN returns the first Lambda function ARN in the text (any
// partition), with its qualifier if any.
func lambdaARN(v *view) string {
	return arnWhere(v, ":lambda:", func(a string) bool { return strings.Contains(a, ":function:") })
}

// apigwFunction reads the function from API Gateway's "Sending request to
// https://lambda.REGION.amazonaws.com/2015-03-31/functions/ARN/invocations"
// line, or from any function ARN in the text.
func apigwFunction(v *view, at int, d *Denial) {
	if i := v.index(0, "/functions/"); i >= 0 {
		s := i + len("/functions/")
		if j := v.indexWithin(s, 512, "/invocations"); j > s {
			f := v.s[s:j]
			if u, err := url.PathUnescape(f); err == nil {
				f = u
			}
			if strings.IndexFunc(f, func(r rune) bool { return r <= ' ' || unicode.IsSpace(r) || r == utf8.RuneError }) < 0 {
				d.Function = f
			}
		}
	}
	if d.Function == "" {
		d.Function = lambdaARN(v)
	}
	if v.index(0, "authorizer error") >= 0 || v.index(0, "permissions to call the authorizer") >= 0 {
		d.Reason = "the function is the API's Lambda authorizer"
	}
}

func kmsEnv(v *view, at int, d *Denial) {
	d.Function = lambdaARN(v)
}

func logsFunction(v *view, at int, d *Denial) {
	d.Function = lambdaARN(v)
	d.SourceARN = arnWhere(v, ":logs:", func(a string) bool { return strings.Contains(a, ":log-group:") })
}

// arnWith returns the first ARN in the text that contains part (which
// must start with ':' and come right after the partition, e.g. ":sqs:").
func arnWith(v *view, part string) string {
	return arnWhere(v, part, func(string) bool { return true })
}

// arnWhere returns the first ARN holding part for which ok is true.
func arnWhere(v *view, part string, ok func(string) bool) string {
	for p, tries := 0, 0; tries < 32; tries++ {
		i := v.index(p, part)
		if i < 0 {
			return ""
		}
		p = i + 1
		// "arn:" + partition ("aws", "aws-us-gov", ...) ends at i.
		k := strings.LastIndex(v.lo[max(0, i-24):i], "arn:")
		if k < 0 {
			continue
		}
		b := max(0, i-24) + k
		if strings.ContainsAny(v.s[b:i], " :\"<>") && strings.Count(v.s[b:i], ":") != 1 {
			continue
		}
		tok, _ := v.token(b)
		if a := trimToken(tok); ok(a) {
			return a
		}
	}
	return ""
}

// s3Destination reads the destination S3 could not validate: S3's XML body
// names it in ArgumentName1 and "Not authorized to invoke function [ARN]".
func s3Destination(v *view, at int, d *Denial) {
	d.Principal = "s3.amazonaws.com"
	if f := lambdaARN(v); f != "" {
		d.Function = f
		d.Action = "lambda:InvokeFunction"
		return
	}
	for _, t := range []struct{ svc, action string }{{":sqs:", "sqs:SendMessage"}, {":sns:", "sns:Publish"}} {
		if a := arnWith(v, t.svc); a != "" {
			d.Resource = a
			d.Action = t.action
			return
		}
	}
	d.Action = "lambda:InvokeFunction"
}

// elbTarget reads "... does not have permission to invoke FN from target
// group TG".
func elbTarget(v *view, at int, d *Denial) {
	p := v.skipSpace(at + len("elasticloadbalancing principal does not have permission to invoke"))
	tok, e := v.token(p)
	d.Function = trimToken(tok)
	q := v.skipSpace(e)
	if v.has(q, "from target group ") {
		tok, e = v.token(v.skipSpace(q + len("from target group ")))
		d.SourceARN = trimToken(tok)
		d.Message = strings.TrimSpace(strings.TrimRight(v.s[sentenceStart(v, at):e], `"'<`))
	}
}

func encodedMessage(v *view, at int, d *Denial) {
	p := v.skipSpace(at + len("encoded authorization failure message"))
	if p < len(v.s) && v.s[p] == ':' {
		p = v.skipSpace(p + 1)
	}
	tok, _ := v.token(p)
	m := trimToken(tok)
	d.EncodedMessage = m
	if m == "" {
		return
	}
	start := sentenceStart(v, at)
	const you = "you are not authorized to perform this operation."
	if k := v.index(max(0, start-len(you)-2), you); k >= 0 && k < start {
		start = k
	}
	d.Message = strings.TrimSpace(v.s[start : p+strings.Index(tok, m)+len(m)])
}

// roleServicePrefix maps the service names Lambda uses in "does not have
// permissions to call X on SERVICE" to IAM action prefixes.
var roleServicePrefix = map[string]string{
	"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "ec2": "ec2", "kafka": "kafka", "msk": "kafka",
	"mq": "mq", "kms": "kms", "s3": "s3", "sns": "sns", "secretsmanager": "secretsmanager", "documentdb": "rds",
}

// roleCall reads "The provided execution role does not have permissions to
// call OP on SERVICE".
func roleCall(v *view, at int, d *Denial) {
	p := v.skipSpace(at + len("execution role does not have permissions to call"))
	op, e := v.token(p)
	op = trimToken(op)
	q := v.skipSpace(e)
	if !v.has(q, "on ") {
		return
	}
	svc, se := v.token(v.skipSpace(q + 3))
	svc = trimToken(svc)
	prefix, ok := roleServicePrefix[strings.ToLower(svc)]
	if !ok {
		prefix = strings.ToLower(svc)
	}
	if a := prefix + ":" + op; isAction(a) {
		d.Action = a
	}
	if prefix == "ec2" {
		d.Kind = KindVPCNetworking
	}
	if se < len(v.s) && v.s[se-1] != '.' && v.s[se] == '.' {
		se++
	}
	d.Message = strings.TrimSpace(v.s[sentenceStart(v, at):se])
}

// bare AccessDenied codes and phrases, lower case.
var bareCodes = []string{"access denied", "you are not authorized to perform this operation", "accessdeniedexception", "accessdenied", "authorizationerror", "unauthorizedoperation"}

// findBare finds an AccessDenied error that says nothing more, such as S3's
// "Access Denied".
func findBare(v *view) *Denial {
	for _, c := range bareCodes {
		for p, tries := 0, 0; tries < 16; tries++ {
			i := v.index(p, c)
			if i < 0 {
				break
			}
			p = i + len(c)
			if c == "access denied" {
				rest := v.lo[p:min(len(v.lo), p+12)]
				// MySQL's "Access denied for user 'x'@'host'" and the like.
				if strings.HasPrefix(rest, " for user") || strings.HasPrefix(rest, " for '") {
					continue
				}
			} else if i > 0 && isWordByte(v.lo[i-1]) || c[0] != 'y' && p < len(v.lo) && isWordByte(v.lo[p]) && !strings.HasPrefix(v.lo[p:], "exception") {
				continue // part of a longer word
			}
			d := &Denial{Kind: KindBareAccessDenied}
			start := sentenceStart(v, i)
			if k := v.index(max(0, i-300), "an error occurred ("); k >= 0 && k < i {
				start = k
			}
			end := v.sentenceEnd(p)
			if end < len(v.s) && v.s[end] == '.' {
				end++
			}
			d.Message = strings.TrimSpace(v.s[start:end])
			return d
		}
	}
	return nil
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// envelope fills the error code, service, operation, status and request ID
// from the CLI/SDK/HTTP wrapping around the message.
func envelope(v *view, d *Denial) {
	// AWS CLI / botocore: An error occurred (CODE) when calling the OP operation
	if i := v.index(0, "an error occurred ("); i >= 0 {
		p := i + len("an error occurred (")
		if j := strings.IndexByte(v.s[p:min(len(v.s), p+80)], ')'); j > 0 && isCode(v.s[p:p+j]) {
			d.Code = v.s[p : p+j]
			q := v.skipSpace(p + j + 1)
			if v.has(q, "when calling the ") {
				op, _ := v.token(q + len("when calling the "))
				d.Operation = op
			}
		}
	}
	// aws-sdk-go-v2: operation error SERVICE: OP, https response error StatusCode: N, RequestID: ID, api error CODE: msg
	if i := v.index(0, "operation error "); i >= 0 {
		p := i + len("operation error ")
		if j := strings.IndexByte(v.s[p:min(len(v.s), p+64)], ':'); j > 0 {
			d.Service = strings.TrimSpace(v.s[p : p+j])
			op, _ := v.token(v.skipSpace(p + j + 1))
			d.Operation = strings.TrimRight(op, ",")
		}
	}
	if i := v.index(0, "api error "); i >= 0 && d.Code == "" {
		if tok, _ := v.token(i + len("api error ")); isCode(strings.TrimRight(tok, ":")) {
			d.Code = strings.TrimRight(tok, ":")
		}
	}
	// Java SDK: (Service: AWSLambda; Status Code: 403; Error Code: X; Request ID: Y)
	if i := v.index(0, "(service: "); i >= 0 {
		p := i + len("(service: ")
		if j := strings.IndexAny(v.s[p:min(len(v.s), p+64)], ";,)"); j > 0 && d.Service == "" {
			d.Service = strings.TrimSpace(v.s[p : p+j])
		}
	}
	if d.Code == "" {
		d.Code = codeBefore(v, d.Message)
	}
	if d.Code == "" {
		for _, k := range []string{"error code: ", "<code>", `"__type":"`, `"__type": "`, "x-amzn-errortype: ", `"code":"`, `"code": "`, `code: '`,
			`"errortype":"`, `"errortype": "`, "handlererrorcode: "} {
			for p, tries := 0, 0; tries < 4; tries++ {
				i := v.index(p, k)
				if i < 0 {
					break
				}
				p = i + len(k)
				if k[0] >= 'a' && k[0] <= 'z' && i > 0 && isWordByte(v.lo[i-1]) {
					continue // part of a longer key, e.g. StateReasonCode: 'X'
				}
				if c := codeAt(v, p); c != "" {
					d.Code = c
					break
				}
			}
			if d.Code != "" {
				break
			}
		}
	}
	if d.Code == "" {
		// A known code standing alone, e.g. in an XML element name.
		for _, c := range []string{"AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "AuthorizationError", "KMSAccessDeniedException", "EC2AccessDeniedException", "InvalidParameterValueException", "InvalidParameterException", "InvalidArgument"} {
			if i := strings.Index(v.s, c); i >= 0 && (i == 0 || !isWordByte(v.s[i-1])) {
				e := i + len(c)
				if e == len(v.s) || !isWordByte(v.s[e]) {
					d.Code = c
					break
				}
			}
		}
	}
	for _, k := range []string{"statuscode: ", "status code: ", "status: ", `"statuscode":`, `"status":`, "http/1.1 ", "http/2 "} {
		if i := v.index(0, k); i >= 0 {
			p := v.skipSpace(i + len(k))
			e := p
			for e < len(v.s) && e-p < 3 && '0' <= v.s[e] && v.s[e] <= '9' {
				e++
			}
			if n, err := strconv.Atoi(v.s[p:e]); err == nil && e-p == 3 && n >= 400 && n < 600 {
				d.StatusCode = n
				break
			}
		}
	}
	for _, k := range []string{"requestid: ", "request id: ", "<requestid>", `"requestid":"`, `"requestid": "`, "x-amzn-requestid: "} {
		if i := v.index(0, k); i >= 0 {
			p := v.skipSpace(i + len(k))
			if p < len(v.s) && (v.s[p] == '"' || v.s[p] == '\'') {
				p++
			}
			e := p
			for e < len(v.s) && e-p < 128 && (isWordByte(v.s[e]) || v.s[e] == '-') {
				e++
			}
			if e > p {
				d.RequestID = v.s[p:e]
				break
			}
		}
	}
}

// nonDenialHint says what a common non-denial text is instead.
func nonDenialHint(v *view) string {
	switch {
	case v.index(0, "internal server error") >= 0:
		return `API Gateway's "Internal server error" hides the cause: paste the execution log lines ("Invalid permissions on Lambda function") or use --symptom invoke-denied`
	case v.index(0, "security token included in the request is invalid") >= 0, v.index(0, "unrecognizedclientexception") >= 0,
		v.index(0, "expiredtoken") >= 0, v.index(0, "invalidclienttokenid") >= 0, v.index(0, "signaturedoesnotmatch") >= 0:
		return "this is a credentials (authentication) error, not an authorization denial"
	case v.index(0, "resourcenotfoundexception") >= 0 || v.index(0, "function not found") >= 0:
		return "this says the resource does not exist, not that access was denied"
	case v.index(0, "permission denied") >= 0 || v.index(0, "eacces") >= 0:
		return "a file-system permission error inside the function is not an AWS authorization denial"
	case v.index(0, "task timed out") >= 0:
		return "a timeout is not an access denial (a function in a VPC without a route to the service can time out)"
	case v.index(0, "throttl") >= 0 || v.index(0, "rate exceeded") >= 0:
		return "throttling is not an access denial"
	}
	return ""
}

// codeAt reads an error code at p: a word, possibly namespaced
// ("com.amazon.coral.service#AccessDeniedException"); "" if what is there
// is not a code (e.g. "Runtime.UnhandledPromiseRejection").
func codeAt(v *view, p int) string {
	e := p
	for e < len(v.s) && e-p < 128 && (isWordByte(v.s[e]) || v.s[e] == '#' || v.s[e] == '.') {
		e++
	}
	c := v.s[p:e]
	if h := strings.LastIndexByte(c, '#'); h >= 0 {
		c = c[h+1:]
	}
	if c == "" || strings.ContainsRune(c, '.') || c[0] < 'A' || c[0] > 'Z' {
		return ""
	}
	return c
}

// codeSuffixes end the names of AWS error codes.
var codeSuffixes = []string{"Exception", "Denied", "Error", "Operation", "Argument", "Fault", "Request", "Forbidden"}

// codeBefore returns the error code written just before the message, as in
// "AccessDeniedException: User: ..." (JavaScript and Go SDKs, Terraform).
func codeBefore(v *view, msg string) string {
	if msg == "" {
		return ""
	}
	i := strings.Index(v.s, msg)
	if i <= 0 {
		return ""
	}
	w, _ := v.wordBefore(i)
	if !strings.HasSuffix(w, ":") {
		return ""
	}
	w = strings.Trim(w, `:"'[({`)
	for j := 0; j < len(w); j++ {
		if !isWordByte(w[j]) {
			return ""
		}
	}
	if w == "" || w[0] < 'A' || w[0] > 'Z' {
		return ""
	}
	for _, suf := range codeSuffixes {
		if strings.HasSuffix(w, suf) && len(w) > len(suf) {
			return w
		}
	}
	return ""
}

// isCode reports whether s can be an error code: one word of letters,
// digits and dots ("Client.UnauthorizedOperation").
func isCode(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) && s[i] != '.' {
			return false
		}
	}
	return true
}
