package errtext

import (
	"strings"
	"unicode/utf8"
)

// findNotAuthorized finds the first standard message, "User: P is not
// authorized to perform: A on resource: R because ...", that names an
// action.
func findNotAuthorized(v *view) *Denial {
	const phrase = "not authorized to perform"
	for p, tries := 0, 0; tries < 64; tries++ {
		i := v.index(p, phrase)
		if i < 0 {
			return nil
		}
		if e := i + len(phrase); i > 0 && isWordByte(v.s[i-1]) || e < len(v.s) && isWordByte(v.s[e]) {
			p = e // inside a word ("isnot", "perform0")
			continue
		}
		if d := parseNotAuthorizedAt(v, i, i+len(phrase)); d != nil {
			return d
		}
		p = i + len(phrase)
	}
	return nil
}

// principalStop are words found where a principal would be that are not one.
var principalStop = map[string]bool{
	"user": true, "user:": true, "you": true, "caller": true, "principal": true, "identity": true,
	"which": true, "that": true, "who": true, "it": true, "role": true, "and": true, "or": true,
	"message:": true, "error:": true, "exception:": true, "entity": true, "": true,
}

func parseNotAuthorizedAt(v *view, i, p int) *Denial {
	d := &Denial{Kind: KindNotAuthorized}
	start := i
	w, ws := v.wordBefore(i)
	switch strings.ToLower(w) {
	case "is":
		start = ws
		pw, ps := v.wordBefore(ws)
		pr, prStart := pw, ps
		if k := strings.Index(strings.ToLower(pr), "user:"); k >= 0 && len(pr) > k+5 {
			pr, prStart = pr[k+5:], ps+k // "User:arn:..." glued
		}
		pr = trimToken(pr)
		if !principalStop[strings.ToLower(pr)] && !strings.HasSuffix(pr, ":") && ps < ws {
			d.Principal = pr
			start = prStart
			if uw, us := v.wordBefore(ps); prStart == ps && strings.HasSuffix(strings.ToLower(uw), "user:") {
				start = us + len(uw) - len("user:")
			}
		} else if pw != "" && len(pw) < 16 && !strings.HasSuffix(pw, ":") {
			start = ps // "User is not authorized", "User: ... is not authorized"
			if uw, us := v.wordBefore(ps); strings.EqualFold(uw, "user:") {
				start = us
			}
		}
	case "are":
		if _, ys := v.wordBefore(ws); ys < ws {
			start = ys
		}
	}

	// The action.
	p = v.skipSpace(p)
	if p < len(v.s) && v.s[p] == ':' {
		p = v.skipSpace(p + 1)
	}
	tok, e := v.token(p)
	act := trimToken(tok)
	if k := strings.IndexAny(act, "()[]{},;"); k > 0 {
		act = act[:k] // "lambda:InvokeFunction(Service: ..."
	}
	var end int
	if isAction(act) {
		d.Action = act
		end = p + strings.Index(tok, act) + len(act)
		p = e
	} else {
		// A paraphrase ("... is not authorized to perform API action on
		// resource: ..."): go on only if a resource follows closely.
		k := v.indexWithin(p, 80, " on resource")
		switch {
		case k >= 0:
			end, p = k, k
		case d.Principal != "":
			end = p // "User: P is not authorized to perform" and nothing usable after
		default:
			return nil
		}
	}

	// The resource.
	q := v.skipSpace(p)
	switch {
	case v.has(q, "on resource:") || v.has(q, "on resources:"):
		q = v.skipSpace(q + strings.IndexByte(v.lo[q:], ':') + 1)
		end = v.readResource(q, d)
	case v.has(q, "on resource "):
		end = v.readResource(v.skipSpace(q+len("on resource ")), d)
	case v.has(q, "on this resource"):
		end = q + len("on this resource")
	case v.has(q, "on the resource associated with this ciphertext"):
		end = q + len("on the resource associated with this ciphertext")
	}

	// The reason.
	q = v.skipSpace(end)
	// Punctuation between the resource and the reason ("+358.... because").
	k := q
	for k < len(v.s) && k-q < 8 && strings.IndexByte(".,; ", v.s[k]) >= 0 {
		k++
	}
	if k > q && (v.has(k, "because ") || v.has(k, "with an explicit deny")) {
		q = k
	}
	if e := v.parseReason(q, d); e > q {
		d.Reason = strings.TrimSpace(v.s[q:e])
		end = e
	}
	if d.Action == "" && d.Resource == "" && d.Principal == "" && d.PolicyType == "" && !d.Explicit {
		return nil
	}
	end = v.authorizationID(end, d)
	d.Message = strings.TrimSpace(v.s[start:end])
	return d
}

// readResource reads a resource at q, quoted or not, and returns where it
// ends.
func (v *view) readResource(q int, d *Denial) int {
	if q < len(v.s) {
		if c := v.s[q]; c == '"' || c == '\'' || c == '`' {
			if k := strings.IndexByte(v.s[q+1:min(len(v.s), q+2049)], c); k >= 0 {
				if r := strings.TrimSpace(v.s[q+1 : q+1+k]); r != "" {
					d.Resource = r
					return q + 2 + k
				}
				return q
			}
		}
	}
	tok, _ := v.token(q)
	r := trimToken(tok)
	if r == "" || strings.EqualFold(r, "because") || strings.EqualFold(r, "with") {
		return q
	}
	d.Resource = r
	return q + strings.Index(tok, r) + len(r)
}

// policyPhrases map the words after "because no" / "explicit deny in a" to
// a policy type; longest first where one is a prefix of another.
var policyPhrases = []struct{ phrase, typ string }{
	{"identity-based polic", PolicyIdentityBased},
	{"identity based polic", PolicyIdentityBased},
	{"resource-based polic", PolicyResourceBased},
	{"resource based polic", PolicyResourceBased},
	{"permissions boundary polic", PolicyBoundary},
	{"permissions boundaries", PolicyBoundary},
	{"permissions boundary", PolicyBoundary},
	{"permission boundary", PolicyBoundary},
	{"sessions polic", PolicySession},
	{"session polic", PolicySession},
	{"service control polic", PolicySCP},
	{"resource control polic", PolicyRCP},
	{"vpc endpoint polic", PolicyVPCEndpoint},
	{"role trust polic", PolicyRoleTrust},
	{"trust polic", PolicyRoleTrust},
}

// policyPhrase matches a policy type phrase at q and returns it and where
// the phrase ends ("policy" or "policies" included).
func (v *view) policyPhrase(q int) (string, int) {
	for _, pp := range policyPhrases {
		if v.has(q, pp.phrase) {
			e := q + len(pp.phrase)
			switch {
			case v.has(e, "ies"):
				e += 3
			case v.has(e, "y"):
				e++
			}
			return pp.typ, e
		}
	}
	return "", q
}

// parseReason parses the clause after the resource, fills the policy
// fields of d and returns where the clause ends (q if there is none).
func (v *view) parseReason(q int, d *Denial) int {
	switch {
	case v.has(q, "because no "):
		r := q + len("because no ")
		typ, e := v.policyPhrase(r)
		if typ == "" {
			a := v.indexWithin(r, 60, " allow")
			if a < 0 || v.allowsTail(a+1) == a+1 {
				return v.sentenceEnd(q)
			}
			// An unknown type is taken only in the documented shape, "... policy".
			typ = strings.TrimSpace(v.s[r:a])
			lt := strings.ToLower(typ)
			switch {
			case strings.HasSuffix(lt, " policy"):
				typ = typ[:len(typ)-len(" policy")]
			case strings.HasSuffix(lt, " policies"):
				typ = typ[:len(typ)-len(" policies")]
			default:
				return v.sentenceEnd(q)
			}
			e = a
		}
		d.PolicyType = typ
		d.Explicit = typ == PolicySCP // SCP denials always read as explicit (IAM UG)
		return v.allowsTail(v.skipSpace(e))
	case v.has(q, "because the role trust policy allows"):
		// The IAM UG's own (apparently garbled) role-trust example.
		d.PolicyType = PolicyRoleTrust
		return v.allowsTail(q + len("because the role trust policy "))
	case v.has(q, "with an explicit deny"):
		d.Explicit = true
		e := q + len("with an explicit deny")
		r := v.skipSpace(e)
		if !v.has(r, "in ") {
			return e
		}
		r = v.skipSpace(r + 3)
		for _, art := range []string{"a ", "an ", "the "} {
			if v.has(r, art) {
				r = v.skipSpace(r + len(art))
				break
			}
		}
		typ, te := v.policyPhrase(r)
		if typ == "" {
			return e
		}
		d.PolicyType = typ
		e = te
		if t := v.skipSpace(e); v.has(t, "transitively through a ") || v.has(t, "transitively through an ") {
			t = v.skipSpace(t + len("transitively through a"))
			if v.has(t, "n ") {
				t++
			}
			t = v.skipSpace(t)
			if via, ve := v.policyPhrase(t); via != "" {
				d.ViaPolicyType = via
				e = ve
			}
		}
		return v.policyARN(e, d)
	case v.has(q, "because public policies are prevented by the blockpublicpolicy setting in s3 block public access"),
		v.has(q, "because public access") && strings.Contains(v.lo[q:min(len(v.lo), q+200)], "block public access"):
		d.PolicyType = PolicyS3BlockPublic
		return v.sentenceEnd(q)
	case v.has(q, "because "):
		return v.sentenceEnd(q)
	}
	return q
}

// allowsTail reads "allows the ACTION action" at q; returns its end.
func (v *view) allowsTail(q int) int {
	for _, w := range []string{"allows", "allow"} {
		if v.has(q, w) && (q+len(w) == len(v.s) || !isWordByte(v.s[q+len(w)])) {
			q += len(w)
			if !v.has(q, " ") {
				return q
			}
			q = v.skipSpace(q)
			if v.has(q, "the ") {
				t := v.skipSpace(q + 4)
				tok, te := v.token(t)
				if isAction(trimToken(tok)) {
					if a := v.skipSpace(te); v.has(a, "action") {
						return a + len("action")
					}
					return t + strings.Index(tok, trimToken(tok)) + len(trimToken(tok))
				}
			}
			return q
		}
	}
	return q
}

// policyARN reads the ": arn:..." newer messages append after the policy
// type.
func (v *view) policyARN(e int, d *Denial) int {
	t, colon := e, e < len(v.s) && v.s[e] == ':'
	if colon {
		t++
	}
	t = v.skipSpace(t)
	tok, _ := v.token(t)
	a := trimToken(tok)
	if !strings.HasPrefix(a, "arn:") && !(colon && isPolicyName(a)) {
		return e
	}
	d.PolicyARN = a
	return t + strings.Index(tok, a) + len(a)
}

// sentenceEnd returns the end of the sentence starting at q: before ". ",
// " (" or the end, at most 300 bytes on.
func (v *view) sentenceEnd(q int) int {
	lim := min(len(v.s), q+300)
	for k := q; k < lim; k++ {
		switch v.s[k] {
		case '.':
			if k+1 == len(v.s) || v.s[k+1] == ' ' {
				return k
			}
		case '(', '"', '<', ']':
			return k
		case ' ':
			if v.isBreak(k) {
				return k
			}
		}
	}
	for lim < len(v.s) && lim > q && !utf8.RuneStart(v.s[lim]) {
		lim--
	}
	return lim
}

// authorizationID reads the authorization-ID sentence newer messages end
// with, if it follows e closely, and returns the new end.
func (v *view) authorizationID(e int, d *Denial) int {
	lim := min(len(v.lo), e+700)
	w := v.lo[e:lim]
	if k := strings.Index(w, "/authorization-details/"); k >= 0 {
		d.AuthorizationRegion = authorizationRegion(v, e+k)
	}
	if k := strings.Index(w, "authorization id:"); k >= 0 {
		t := v.skipSpace(e + k + len("authorization id:"))
		if id, n := alnum(v.s[t:]); id != "" {
			d.AuthorizationID = id
			return t + n
		}
	}
	if k := strings.Index(w, "/authorization-details/"); k >= 0 {
		t := e + k + len("/authorization-details/")
		if id, n := alnum(v.s[t:]); id != "" {
			d.AuthorizationID = id
			return t + n
		}
	}
	return e
}

func alnum(s string) (string, int) {
	n := 0
	for n < len(s) && n < 256 {
		c := s[n]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			break
		}
		n++
	}
	return s[:n], n
}

// isPolicyName reports whether s can be an IAM policy name (some messages
// append a name rather than an ARN after the colon).
func isPolicyName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isWordByte(c) && !strings.ContainsRune("+=,.@-", rune(c)) {
			return false
		}
	}
	return true
}
