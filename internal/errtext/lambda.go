package errtext

import (
	"strings"
)

// This file reads the texts Lambda itself prints for event source mappings,
// environment-variable decryption, layers, container images and function
// states, and the details newer denials carry. Each reader looks at a
// bounded window around its phrase, so parsing stays linear.

// withCause is a fill that sets the fixed Cause (and NotIAM) of a kind.
func withCause(cause string, notIAM bool) func(v *view, at int, d *Denial) {
	return func(v *view, at int, d *Denial) {
		d.Cause, d.NotIAM = cause, notIAM
	}
}

// refine completes a detected denial with what depends on its kind: a
// refused lambda:GetLayerVersion becomes KindLayer, KMS texts get their key
// and relayed exception.
func refine(v *view, d *Denial) {
	if d.Kind == KindNotAuthorized && strings.EqualFold(d.Action, "lambda:GetLayerVersion") {
		d.Kind = KindLayer
		d.Cause = causeLayerAccess
		if strings.Contains(d.Resource, ":layer:") {
			d.LayerARN = d.Resource
		} else {
			d.LayerARN = arnWhere(v, ":lambda:", func(a string) bool { return strings.Contains(a, ":layer:") })
		}
	}
	switch d.Kind {
	case KindKMSEnv, KindKMSKey:
		if strings.Contains(d.Resource, ":kms:") {
			d.KeyARN = d.Resource
		} else {
			d.KeyARN = arnWhere(v, ":kms:", func(a string) bool { return strings.Contains(a, ":key/") || strings.Contains(a, ":alias/") })
		}
		d.KMSException = kmsException(near(v, d.Message))
	}
	if d.Kind == KindKMSEnv {
		switch {
		case d.KMSException == "UnrecognizedClientException":
			d.Cause, d.NotIAM = causeKMSStaleGrant, true
		case v.index(0, "ciphertext refers to a customer master key that does not exist") >= 0:
			d.Cause = causeKMSCiphertext
		}
	}
}

// kmsException reads "KMS Exception: CODE" (Lambda glues the next words on:
// "AccessDeniedExceptionKMS Message: ...").
func kmsException(v *view) string {
	i := v.index(0, "kms exception:")
	if i < 0 {
		return ""
	}
	tok, _ := v.token(v.skipSpace(i + len("kms exception:")))
	tok = trimToken(tok)
	if strings.HasSuffix(tok, "ExceptionKMS") {
		tok = strings.TrimSuffix(tok, "KMS")
	}
	if !isCode(tok) || strings.ContainsRune(tok, '.') || tok[0] < 'A' || tok[0] > 'Z' {
		return ""
	}
	return tok
}

// kmsKey is the fill of the KindKMSKey phrases.
func kmsKey(cause string) func(v *view, at int, d *Denial) {
	return func(v *view, at int, d *Denial) {
		d.Cause, d.NotIAM = cause, true
		d.Function = lambdaARN(v)
	}
}

// streamARNFollows accepts "Cannot access stream ARN" (Lambda's
// CreateEventSourceMapping refusal for Kinesis and DynamoDB streams).
func streamARNFollows(v *view, at int) bool {
	tok, _ := v.token(v.skipSpace(at + len("cannot access stream ")))
	return strings.HasPrefix(trimToken(tok), "arn:")
}

// streamAccess reads "Cannot access stream ARN. Please ensure the role can
// perform the A, B, C, and D Actions on your stream in IAM."
func streamAccess(v *view, at int, d *Denial) {
	tok, e := v.token(v.skipSpace(at + len("cannot access stream ")))
	arn := trimToken(tok)
	d.Resource = arn
	end := at + len("cannot access stream ") + strings.Index(tok, arn) + len(arn)
	if end < len(v.s) && v.s[end] == '.' {
		end++
	}
	const ensure, tail = "please ensure the role can perform the ", " actions on your stream"
	if q := v.indexWithin(e, 16, ensure); q >= 0 {
		r := q + len(ensure)
		if k := v.indexWithin(r, 300, tail); k > r {
			svc := ""
			if f := strings.SplitN(arn, ":", 4); len(f) == 4 {
				svc = f[2]
			}
			for _, name := range strings.Split(v.s[r:k], ",") {
				name = strings.TrimSpace(name)
				name = strings.TrimSpace(strings.TrimPrefix(name, "and "))
				if a := svc + ":" + name; svc != "" && isAction(a) && !strings.ContainsAny(name, ":*") {
					d.Actions = append(d.Actions, a)
				}
			}
			end = k + len(tail)
			if v.has(end, " in iam") {
				end += len(" in iam")
			}
			if end < len(v.s) && v.s[end] == '.' {
				end++
			}
		}
	}
	if len(d.Actions) > 0 {
		d.Action = d.Actions[0]
	}
	d.Message = strings.TrimSpace(v.s[at:end])
}

// layerMissing accepts "Layer version ARN does not exist".
func layerMissing(v *view, at int) bool {
	tok, e := v.token(v.skipSpace(at + len("layer version ")))
	a := trimToken(tok)
	return strings.HasPrefix(a, "arn:") && strings.Contains(a, ":layer:") && v.has(v.skipSpace(e), "does not exist")
}

func layerNotFound(v *view, at int, d *Denial) {
	tok, e := v.token(v.skipSpace(at + len("layer version ")))
	d.LayerARN = trimToken(tok)
	d.Cause, d.NotIAM = causeLayerNotFound, true
	d.Message = messageThrough(v, at, v.skipSpace(e)+len("does not exist"))
}

// roleMissing accepts IAM's NoSuchEntity text for a role: "The role with
// name NAME cannot be found." (IAM API, GetRole: NoSuchEntity).
func roleMissing(v *view, at int) bool {
	tok, e := v.token(v.skipSpace(at + len("the role with name ")))
	return tok != "" && v.has(v.skipSpace(e), "cannot be found")
}

func roleNotFound(v *view, at int, d *Denial) {
	_, e := v.token(v.skipSpace(at + len("the role with name ")))
	d.Cause, d.NotIAM = causeRoleNotFound, true
	d.Message = messageThrough(v, at, v.skipSpace(e)+len("cannot be found"))
}

// messageThrough is the message from the start of at's sentence through
// end (and the period after it).
func messageThrough(v *view, at, end int) string {
	end = min(end, len(v.s))
	if end < len(v.s) && v.s[end] == '.' {
		end++
	}
	return strings.TrimSpace(v.s[sentenceStart(v, at):end])
}

// sourceImageInvalid accepts "Source image URI is not valid".
func sourceImageInvalid(v *view, at int) bool {
	tok, e := v.token(v.skipSpace(at + len("source image ")))
	return trimToken(tok) != "" && v.has(v.skipSpace(e), "is not valid")
}

func ecrInvalid(v *view, at int, d *Denial) {
	tok, e := v.token(v.skipSpace(at + len("source image ")))
	d.ImageURI = trimToken(tok)
	d.Cause, d.NotIAM = causeECRInvalid, true
	d.Message = messageThrough(v, at, v.skipSpace(e)+len("is not valid"))
}

func ecrImage(v *view, at int, d *Denial) {
	d.ImageURI = ecrURI(v)
	d.Function = lambdaARN(v)
	d.Cause = causeECRRepositoryPolicy
}

func ecrSameAccount(v *view, at int, d *Denial) {
	ecrImage(v, at, d)
	d.Cause = causeECRSameAccount
}

// ecrURI returns the first private ECR image URI in the text
// (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO[:TAG|@DIGEST]).
func ecrURI(v *view) string {
	for p, tries := 0, 0; tries < 16; tries++ {
		i := v.index(p, ".dkr.ecr.")
		if i < 0 {
			return ""
		}
		p = i + 1
		if i < 12 {
			continue
		}
		b := i - 12
		if !allDigits(v.s[b:i]) || b > 0 && !strings.ContainsRune(" \"'`=(:[", rune(v.s[b-1])) {
			continue
		}
		tok, _ := v.token(b)
		if u := trimToken(tok); strings.Contains(u, ".amazonaws.com") {
			return u
		}
	}
	return ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// esmNotARN fills KindESMNotARN with the queue URL the text holds, if any.
func esmNotARN(v *view, at int, d *Denial) {
	d.Cause, d.NotIAM = causeESMNotARN, true
	// CloudFormation's "Model validation failed (#/EventSourceArn: failed
	// validation constraint for keyword [pattern])": keep the parenthesis whole.
	if v.has(at, "#/eventsourcearn:") {
		if k := v.indexWithin(at, 80, "])"); k >= 0 {
			d.Message = strings.TrimSpace(v.s[sentenceStart(v, at) : k+2])
		}
	}
	for p, tries := 0, 0; tries < 16; tries++ {
		i := v.index(p, "https://")
		if i < 0 {
			return
		}
		p = i + 1
		tok, _ := v.token(i)
		u := trimToken(tok)
		lu := strings.ToLower(u)
		if h, _, _ := strings.Cut(lu[len("https://"):], "/"); strings.HasPrefix(h, "sqs.") || h == "queue.amazonaws.com" || strings.HasSuffix(h, ".queue.amazonaws.com") {
			d.QueueURL = u
			return
		}
	}
}

// failedStateFollows accepts "is currently in the following state: 'Failed'"
// (or Inactive); Pending and Active are not failures.
func failedStateFollows(v *view, at int) bool {
	s := strings.ToLower(valueAt(v, at+len("is currently in the following state:"), false))
	return s == "failed" || s == "inactive"
}

// failureCodeFollows accepts a StateReasonCode that names a failure.
func failureCodeFollows(v *view, at int) bool {
	c := valueAt(v, at+len("statereasoncode"), false)
	if len(c) < 2 || c[0] < 'A' || c[0] > 'Z' || !isCode(c) || strings.ContainsRune(c, '.') {
		return false // the codes are CamelCase words: InsufficientRolePermissions
	}
	c = strings.ToLower(c)
	return c != "idle" && c != "creating" && c != "restoring"
}

// valueAt reads the value written after a key at p: it skips quotes,
// colons, equal signs and spaces, then reads a word (or, with text, up to
// the closing quote or the end of the sentence, at most 512 bytes).
func valueAt(v *view, p int, text bool) string {
	quote := byte(0)
	for n := 0; p < len(v.s) && n < 8; n++ {
		c := v.s[p]
		if c == '"' || c == '\'' {
			quote = c
		} else if c != ':' && c != '=' && c != ' ' {
			break
		}
		p++
	}
	e := p
	for e < len(v.s) && e-p < 512 {
		c := v.s[e]
		if quote != 0 && c == quote || c == '"' || !text && !isWordByte(c) && c != '-' {
			break
		}
		if text && quote == 0 && (c == '.' && (e+1 == len(v.s) || v.s[e+1] == ' ') || c == '(') {
			break
		}
		e++
	}
	return strings.TrimSpace(v.s[p:e])
}

// functionState reads a Failed function's state and reason from the forms
// seen: Lambda's "The operation cannot be performed at this time. The
// resource ARN is currently in the following state: 'Failed'.
// StateReasonCode: 'CODE'", Terraform's "unexpected state 'Failed', wanted
// target 'Active'. last error: CODE: REASON", and GetFunctionConfiguration
// output ("State": "Failed", "StateReason": ..., "StateReasonCode": ...).
func functionState(v *view, at int, d *Denial) {
	w := near(v, v.s[at:min(len(v.s), at+64)])
	if i := w.index(0, "is currently in the following state:"); i >= 0 {
		d.State = valueAt(w, i+len("is currently in the following state:"), false)
	} else if i := w.index(0, "unexpected state "); i >= 0 {
		d.State = valueAt(w, i+len("unexpected state "), false)
	} else if i := w.index(0, `"state":`); i >= 0 {
		d.State = valueAt(w, i+len(`"state":`), false)
	}
	if i := w.index(0, "statereasoncode"); i >= 0 {
		d.StateReasonCode = valueAt(w, i+len("statereasoncode"), false)
	}
	if i := w.index(0, `"statereason"`); i >= 0 {
		d.StateReason = valueAt(w, i+len(`"statereason"`), true)
	}
	if i := w.index(0, "last error: "); i >= 0 {
		p := i + len("last error: ")
		tok, e := w.token(p)
		if c := strings.TrimSuffix(tok, ":"); len(c) < len(tok) && isCode(c) {
			if d.StateReasonCode == "" {
				d.StateReasonCode = c
			}
			if d.StateReason == "" {
				d.StateReason = valueAt(w, e, true)
			}
		}
	}
	if d.StateReasonCode == "" && v.has(at, "the function's execution role doesn't have permission") {
		// "... creation: InsufficientRolePermissions: The function's execution role ..."
		if w, _ := v.wordBefore(at); strings.HasSuffix(w, ":") {
			d.StateReasonCode = strings.TrimSuffix(w, ":")
		}
	}
	if !isCode(d.StateReasonCode) || strings.ContainsRune(d.StateReasonCode, '.') {
		d.StateReasonCode = ""
	}
	if d.StateReason == "" && v.has(at, "the function's execution role doesn't have permission to perform this operation") {
		d.StateReason = strings.TrimSpace(v.s[at : at+len("the function's execution role doesn't have permission to perform this operation")])
	}
	d.Function = lambdaARN(v)
	code := strings.ToLower(d.StateReasonCode)
	if code == "" && v.has(at, "the function's execution role doesn't have permission") {
		code = "insufficientrolepermissions"
	}
	if r, ok := stateReasons[code]; ok {
		d.Cause, d.NotIAM = r.cause, r.notIAM
	} else {
		d.Cause = causeStateUnknown
	}
	// The message: the phrase with the value that made it count.
	switch {
	case v.has(at, "statereasoncode"):
		p := at + len("statereasoncode")
		c := valueAt(v, p, false)
		if k := strings.Index(v.s[p:min(len(v.s), p+16+len(c))], c); c != "" && k >= 0 {
			d.Message = strings.TrimSpace(v.s[at : p+k+len(c)])
		}
	case v.has(at, "is currently in the following state:"):
		p := at + len("is currently in the following state:")
		s := valueAt(v, p, false)
		if k := strings.Index(v.s[p:min(len(v.s), p+16)], s); s != "" && k >= 0 {
			start := sentenceStart(v, at)
			e := p + k + len(s)
			if e < len(v.s) && v.s[e] == '\'' {
				e++
			}
			d.Message = strings.TrimSpace(v.s[start:e])
		}
	}
}

// authorizationRegion reads the region of the console link ending at e
// ("https://REGION.console.aws.amazon.com/iam/home?region=REGION#/authorization-details/").
func authorizationRegion(v *view, e int) string {
	w := v.lo[max(0, e-160):e]
	k := strings.LastIndex(w, "region=")
	if k < 0 {
		return ""
	}
	r := w[k+len("region="):]
	if j := strings.IndexAny(r, "#&/ "); j >= 0 {
		r = r[:j]
	}
	if !regionLike(r) {
		return ""
	}
	return r
}

// regionLike reports whether s has the shape of a region name: lower-case
// letters and digits in dash-separated words, ending in a number.
func regionLike(s string) bool {
	if len(s) < 4 || len(s) > 32 || s[len(s)-1] < '0' || s[len(s)-1] > '9' || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	dashes := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-':
			if s[i-1] == '-' {
				return false
			}
			dashes++
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return dashes >= 2
}
