package simulate

import (
	"strings"
	"unicode/utf8"
)

// Patterns use '*' and '?' as wildcards as written. Text substituted into a
// pattern (${*}, ${?} and the values of policy variables) is literal: its
// '*' and '?' are written as these two bytes, which match only a literal
// '*' or '?'.
const (
	litStar = '\x01'
	litOne  = '\x02'
)

// hasWild reports whether s has a wildcard or a literal-wildcard marker.
func hasWild(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?', litStar, litOne:
			return true
		}
	}
	return false
}

func hasBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// glob matches s against the pattern p: '*' matches any run of characters
// (none included), '?' exactly one character, litStar and litOne a literal
// '*' and '?'. With fold, ASCII letters compare case-insensitively.
func glob(p, s string, fold bool) bool { return globx(p, s, fold, false) }

// globx is glob; with prefix, p need only match a prefix of s.
func globx(p, s string, fold, prefix bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if prefix && pi == len(p) {
			return true
		}
		if pi < len(p) {
			switch c := p[pi]; c {
			case '*':
				starP, starS = pi, si
				pi++
				continue
			case '?':
				_, n := utf8.DecodeRuneInString(s[si:])
				pi++
				si += n
				continue
			default:
				switch c {
				case litStar:
					c = '*'
				case litOne:
					c = '?'
				}
				sc := s[si]
				if fold {
					c, sc = lower(c), lower(sc)
				}
				if c == sc {
					pi++
					si++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last star absorb one more character.
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		pi, si = starP+1, starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// arn is an ARN split into its six parts (the resource part keeps its ':'
// and '/'); ok is false for strings that are not ARNs.
type arn struct {
	ok  bool
	seg [6]string
}

func splitARN(s string) arn {
	var a arn
	if !strings.HasPrefix(s, "arn:") {
		return a
	}
	rest := s
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return a
		}
		a.seg[i] = rest[:j]
		rest = rest[j+1:]
	}
	a.seg[5] = rest
	a.ok = true
	return a
}

// resPattern is a compiled Resource/NotResource entry or Arn* condition
// value. ARN patterns match part by part (partition, service, region and
// account each on their own, the resource part across ':' and '/'): IAM User
// Guide, "IAM JSON policy elements: Resource" (reference_policies_elements_resource)
// and "Amazon Resource Names" (reference-arns).
type resPattern struct {
	raw  string   // as written
	text string   // what is matched: raw, or raw with its variables substituted
	end  [5]int32 // arn: the index in text of the colon after each of the first five parts
	wild uint8    // bit i: part i (arn) or the whole pattern (bit 0) has a wildcard
	all  bool     // "*"
	arn  bool     // six parts: match part by part
	vars bool     // contains policy variables to substitute first
	// exact: an Arn* condition value: must be an ARN, every part
	// case-sensitive.
	exact bool
	// amb: the resource part has a wildcard that the two readings of the
	// documentation treat differently against a subject holding ':' (see
	// reading). Set at compile time so that other patterns cost nothing.
	amb bool
}

// part is part i (0 "arn", ..., 5 the resource) of an ARN pattern.
func (rp *resPattern) part(i int) string {
	start := 0
	if i > 0 {
		start = int(rp.end[i-1]) + 1
	}
	if i == 5 {
		return rp.text[start:]
	}
	return rp.text[start:rp.end[i]]
}

func compileResource(r string, vars bool) resPattern {
	var rp resPattern
	rp.init(r, vars, false)
	return rp
}

// compileArnValue compiles an Arn* condition value: all six parts must be
// present, and each is compared case-sensitively.
func compileArnValue(r string, vars bool) resPattern {
	var rp resPattern
	rp.init(r, vars, true)
	return rp
}

func (rp *resPattern) init(r string, vars, exact bool) {
	*rp = resPattern{raw: r, exact: exact}
	if r == "*" && !exact {
		rp.all = true
		return
	}
	if vars && strings.Contains(r, "${") {
		rp.vars = true
		return
	}
	rp.compile(r)
}

// compile fills the pattern from text whose wildcards are '*' and '?' (and,
// after substitution, the literal markers), in one pass.
func (rp *resPattern) compile(text string) {
	rp.text = text
	isARN := strings.HasPrefix(text, "arn:")
	part := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case ':':
			if isARN && part < 5 {
				rp.end[part] = int32(i)
				part++
			}
		case '*', '?', litStar, litOne:
			rp.wild |= 1 << part
		}
	}
	if !isARN || part < 5 {
		if rp.wild != 0 {
			rp.wild = 1
		}
		return
	}
	rp.arn = true
	rp.amb = rp.wild&(1<<5) != 0 && colonWild(rp.part(5))
}

// colonWild reports whether a resource part has a wildcard whose reach over
// ':' the IAM User Guide leaves open: a '?', or a '*' that is not the last
// character of its colon-separated segment. (A '*' that ends a segment "can
// expand to match beyond the colon boundaries": that one is settled.)
func colonWild(p string) bool {
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '?':
			return true
		case '*':
			if i+1 < len(p) && p[i+1] != ':' {
				return true
			}
		}
	}
	return false
}

// reading is how the resource part of an ARN pattern is read where the IAM
// User Guide does not decide. The guide ("IAM JSON policy elements:
// Resource", "Using wildcards in resource ARNs") says wildcards work "within
// the individual segments of an ARN (the parts separated by colons)" and "If
// the * wildcard is the last character of a resource ARN segment, it can
// expand to match beyond the colon boundaries". The engine's reading keeps
// every other wildcard inside its segment; the other reading lets a '?' or
// a mid-segment '*' match ':' too, as a plain glob over the resource part
// does. Every match under the first reading is one under the other.
type reading struct {
	other bool // evaluate under the other reading
	// hit is set when a pattern matched under the other reading only;
	// pattern and value are the first such pair since the last reset.
	hit            bool
	pattern, value string
}

func (rd *reading) reset() { rd.hit, rd.pattern, rd.value = false, "", "" }

// differs is called when pattern does not match value under the engine's
// reading but does under the other one; it returns the match to use.
func (rd *reading) differs(pattern, value string) bool {
	if !rd.hit {
		rd.hit, rd.pattern, rd.value = true, pattern, value
	}
	return rd.other
}

// match reports whether the request resource (split once by the caller)
// matches. ok is false when a policy variable could not be resolved: then
// neither Resource nor NotResource matches. rd (nil: the engine's reading,
// untracked) notes a match that depends on the reading.
func (rp *resPattern) match(res string, ra *arn, ctx Context, rd *reading) (matched, ok bool) {
	if rp.all {
		return true, true
	}
	if rp.vars {
		sub, ok := substitute(rp.raw, ctx)
		if !ok {
			return false, false
		}
		c := resPattern{raw: rp.raw, exact: rp.exact}
		c.compileSubstituted(sub)
		return c.matchCompiled(res, ra, rd), true
	}
	return rp.matchCompiled(res, ra, rd), true
}

func (rp *resPattern) matchCompiled(res string, ra *arn, rd *reading) bool {
	if rp.arn && ra.ok {
		// Partition, service, region and account compare case-insensitively,
		// the resource part case-sensitively.
		start := 0
		for i := 0; i < 5; i++ {
			p, s := rp.text[start:rp.end[i]], ra.seg[i]
			start = int(rp.end[i]) + 1
			fold := i >= 1 && i <= 4 && !rp.exact
			if rp.wild&(1<<i) == 0 {
				if p != s && !(fold && strings.EqualFold(p, s)) {
					return false
				}
			} else if !glob(p, s, fold) {
				return false
			}
		}
		p := rp.text[start:]
		if rp.wild&(1<<5) == 0 {
			return p == ra.seg[5]
		}
		if matchResourcePart(p, ra.seg[5]) {
			return true
		}
		if rp.amb && rd != nil && strings.IndexByte(ra.seg[5], ':') >= 0 && glob(p, ra.seg[5], false) {
			return rd.differs(rp.raw, res)
		}
		return false
	}
	if rp.arn || rp.exact {
		return false
	}
	if rp.wild == 0 {
		return rp.text == res
	}
	return glob(rp.text, res, false)
}

// matchResourcePart matches the resource part of an ARN (after the fifth
// colon) against a compiled pattern, colon-separated segment by segment:
// wildcards match within a segment, and a '*' that ends a segment "can
// expand to match beyond the colon boundaries" (IAM User Guide, "IAM JSON
// policy elements: Resource", "Using wildcards in resource ARNs").
func matchResourcePart(p, s string) bool {
	if strings.IndexByte(p, ':') < 0 {
		// One pattern segment: it must match the whole subject, unless it
		// ends with a star, which may then absorb the other segments.
		if n := len(p); n > 0 && p[n-1] == '*' {
			sseg, _, _ := cutColon(s)
			return globx(p[:n-1], sseg, false, true)
		}
		return strings.IndexByte(s, ':') < 0 && glob(p, s, false)
	}
	// Subject segment starts; every pattern segment consumes at least one
	// subject segment, a star-ended one possibly more. cur holds the subject
	// segments at which the rest of the pattern may start.
	var startsBuf [32]int
	starts := append(startsBuf[:0], 0)
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			starts = append(starts, i+1)
		}
	}
	m := len(starts)
	seg := func(j int) string {
		end := len(s)
		if j+1 < m {
			end = starts[j+1] - 1
		}
		return s[starts[j]:end]
	}
	var curBuf, nextBuf [4]uint64
	words := (m + 1 + 63) / 64
	cur, next := curBuf[:0], nextBuf[:0]
	if words <= len(curBuf) {
		cur, next = curBuf[:words], nextBuf[:words]
	} else {
		cur, next = make([]uint64, words), make([]uint64, words)
	}
	cur[0] = 1
	for rest := p; ; {
		pseg, after, more := cutColon(rest)
		clear(next)
		any := false
		free := len(pseg) > 0 && pseg[len(pseg)-1] == '*'
		for j := 0; j < m; j++ {
			if cur[j/64]&(1<<(j%64)) == 0 {
				continue
			}
			if !free {
				if glob(pseg, seg(j), false) {
					next[(j+1)/64] |= 1 << ((j + 1) % 64)
					any = true
				}
				continue
			}
			if globx(pseg[:len(pseg)-1], seg(j), false, true) {
				for k := j + 1; k <= m; k++ {
					next[k/64] |= 1 << (k % 64)
				}
				any = true
				break // later starts add nothing new
			}
		}
		if !any {
			return false
		}
		cur, next = next, cur
		if !more {
			break
		}
		rest = after
	}
	return cur[m/64]&(1<<(m%64)) != 0
}

func cutColon(s string) (before, after string, found bool) {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// compileSubstituted compiles the result of substitute.
func (rp *resPattern) compileSubstituted(sub string) { rp.compile(sub) }

// substitute replaces the policy variables in s: '*' and '?' written in s
// stay wildcards, while ${*}, ${?}, ${$} and the values of variables are
// literal (litStar, litOne). ok is false when a variable has no value
// and no default. IAM User Guide, "IAM policy elements: Variables and tags"
// (reference_policies_variables).
func substitute(s string, ctx Context) (string, bool) {
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c := s[i]
		if c == '$' && i+1 < len(s) && s[i+1] == '{' {
			end := strings.IndexByte(s[i+2:], '}')
			if end >= 0 {
				body := s[i+2 : i+2+end]
				v, ok := resolveVar(body, ctx)
				if !ok {
					return "", false
				}
				for k := 0; k < len(v); k++ {
					switch v[k] {
					case '*':
						b.WriteByte(litStar)
					case '?':
						b.WriteByte(litOne)
					default:
						b.WriteByte(v[k])
					}
				}
				i += 2 + end + 1
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String(), true
}

// resolveVar resolves the inside of ${...}: a key with an optional default,
// "aws:username, 'nobody'", or one of the special characters *, ?, $.
func resolveVar(body string, ctx Context) (string, bool) {
	switch body {
	case "*", "?", "$":
		return body, true
	}
	key, def, hasDef := body, "", false
	if i := strings.IndexByte(body, ','); i >= 0 {
		key = body[:i]
		d := strings.TrimSpace(body[i+1:])
		if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
			def, hasDef = d[1:len(d)-1], true
		} else {
			return "", false
		}
	}
	key = strings.TrimSpace(key)
	if v, ok := ctx.lookup(key); ok && !v.Multi && len(v.Values) == 1 {
		return v.Values[0], true
	}
	if hasDef {
		return def, true
	}
	return "", false
}

// lookup finds a context key case-insensitively.
func (c Context) lookup(key string) (Value, bool) {
	if v, ok := c[key]; ok {
		return v, true
	}
	for k, v := range c {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return Value{}, false
}

// actPattern is a compiled Action/NotAction entry. The service prefix is
// compared as is, case-insensitively; the action name is a case-insensitive
// pattern with * and ?: IAM User Guide, "IAM JSON policy elements: Action"
// (reference_policies_elements_action).
type actPattern struct {
	all  bool   // "*"
	bad  bool   // an empty or blank action name never matches
	lit  bool   // the name has no wildcard
	svc  string // compared case-insensitively
	name string // compiled glob, compared case-insensitively
}

func compileAction(a string) actPattern {
	if a == "*" {
		return actPattern{all: true}
	}
	svc, name, _ := strings.Cut(a, ":")
	return actPattern{svc: svc, name: name, lit: !hasWild(name), bad: name == "" || hasBlank(name)}
}

func (p *actPattern) match(svc, name string) bool {
	if p.all {
		return true
	}
	if p.bad || len(p.svc) != len(svc) {
		return false
	}
	for k := 0; k < len(svc); k++ {
		if lower(p.svc[k]) != lower(svc[k]) {
			return false
		}
	}
	if p.lit {
		if len(p.name) != len(name) {
			return false
		}
		for k := 0; k < len(name); k++ {
			if lower(p.name[k]) != lower(name[k]) {
				return false
			}
		}
		return true
	}
	return glob(p.name, name, true)
}
