package errtext

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxScan is how much of a text Parse reads: longer texts are scanned in
// their first and last MaxScan/2 bytes only (a pasted log is long at both
// ends, and the denial is usually near one of them).
const MaxScan = 1 << 20

// expected is what Parse tells a user whose text is not a denial.
const expected = `expected an AWS access-denied message such as "User: ARN is not authorized to perform: ACTION on resource: ARN because ...", ` +
	`an AccessDenied/AccessDeniedException error, or a message Lambda or its caller prints, such as "Invalid permissions on Lambda function", ` +
	`"The role defined for the function cannot be assumed by Lambda", "Cannot access stream ARN", ` +
	`"Lambda was unable to decrypt the environment variables because ..." or "Layer version ARN does not exist"`

// Parse finds the first access-denied message in text.
//
// The text may be a bare message, a CLI or SDK error string, a JSON log
// record (escaped once or several times), an XML or JSON HTTP body, or a
// CloudWatch log line with its prefix. Line breaks and runs of spaces
// inside a message are accepted. Texts longer than MaxScan are scanned at
// both ends only. Text that is not a denial yields an error wrapping
// ErrNotDenial.
func Parse(text string) (*Denial, error) {
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("%w: the text is empty; %s", ErrNotDenial, expected)
	}
	orig := text
	truncated := false
	if len(text) > MaxScan {
		text = text[:MaxScan/2] + "\n" + text[len(text)-MaxScan/2:]
		truncated = true
	}
	if n, bad := binaryBytes(text); bad {
		return nil, fmt.Errorf("%w: the text looks like binary data (%d control or NUL bytes); %s", ErrNotDenial, n, expected)
	}
	invalid := !utf8.ValidString(text)
	if invalid {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	v := normalize(text)
	if d := detect(v); d != nil {
		return d, nil
	}
	var notes []string
	if hint := nonDenialHint(v); hint != "" {
		notes = append(notes, hint)
	}
	if invalid {
		notes = append(notes, "the text had invalid UTF-8, replaced before scanning")
	}
	if truncated {
		notes = append(notes, fmt.Sprintf("only the first and last %d KiB of the text were scanned", MaxScan/2/1024))
	}
	note := ""
	if len(notes) > 0 {
		note = " (" + strings.Join(notes, "; ") + ")"
	}
	// The text is not quoted back: it may be a file holding secrets
	// (--error @FILE). Its size says which text was read.
	return nil, fmt.Errorf("%w: found none in the %s%s; %s", ErrNotDenial, describe(orig), note, expected)
}

// describe says how large a text is without showing any of it.
func describe(s string) string {
	lines := strings.Count(s, "\n")
	if !strings.HasSuffix(s, "\n") {
		lines++
	}
	if lines == 1 {
		return fmt.Sprintf("%d-byte text (one line)", len(s))
	}
	return fmt.Sprintf("%d-byte text (%d lines)", len(s), lines)
}

// binaryBytes counts NUL and control bytes other than whitespace and ESC
// (terminal colours); text with a NUL or with more than 1 in 20 such
// bytes is taken as binary.
func binaryBytes(s string) (int, bool) {
	n, nul := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0:
			nul = true
			n++
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b, c == 0x7f:
			n++
		}
	}
	return n, nul || n*20 > len(s)
}

// view is normalized text and an ASCII-lowercased copy with the same byte
// offsets, for case-insensitive search. breaks holds, in order, the
// positions of the spaces that stand for a line break.
type view struct {
	s, lo  string
	breaks []int
}

func newView(s string, breaks []int) *view {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return &view{s: s, lo: string(b), breaks: breaks}
}

// isBreak reports whether the space at p stands for a line break.
func (v *view) isBreak(p int) bool {
	i := sort.SearchInts(v.breaks, p)
	return i < len(v.breaks) && v.breaks[i] == p
}

// index finds lower-case needle at or after from; -1 if absent.
func (v *view) index(from int, needle string) int {
	if from < 0 || from > len(v.lo) {
		return -1
	}
	return indexLong(v.lo, from, len(v.lo), needle)
}

// indexLong is strings.Index on s[from:to] returning an absolute position.
// Needles longer than the SIMD search handles (63 bytes on amd64) are
// found by their prefix and then checked, which keeps long phrases fast.
func indexLong(s string, from, to int, needle string) int {
	const pre = 32
	if len(needle) <= pre {
		i := strings.Index(s[from:to], needle)
		if i < 0 {
			return -1
		}
		return from + i
	}
	for p := from; p <= to-len(needle); {
		i := strings.Index(s[p:to], needle[:pre])
		if i < 0 {
			return -1
		}
		if strings.HasPrefix(s[p+i:to], needle) {
			return p + i
		}
		p += i + 1
	}
	return -1
}

// indexWithin is index limited to needles starting within n bytes of from.
func (v *view) indexWithin(from, n int, needle string) int {
	if from < 0 || from > len(v.lo) {
		return -1
	}
	return indexLong(v.lo, from, min(len(v.lo), from+n+len(needle)), needle)
}

// has reports whether lower-case needle starts at p.
func (v *view) has(p int, needle string) bool {
	return p >= 0 && p <= len(v.lo) && strings.HasPrefix(v.lo[p:], needle)
}

func (v *view) skipSpace(p int) int {
	for p < len(v.s) && v.s[p] == ' ' {
		p++
	}
	return p
}

// token returns the run of non-space bytes at p (at most maxToken bytes).
func (v *view) token(p int) (string, int) {
	const maxToken = 2048
	e := p
	for e < len(v.s) && v.s[e] != ' ' && e-p < maxToken {
		e++
	}
	for e < len(v.s) && e > p && !utf8.RuneStart(v.s[e]) {
		e-- // a token cut at maxToken ends on a rune boundary
	}
	return v.s[p:e], e
}

// wordBefore returns the run of non-space bytes ending before p (skipping
// spaces), and where it starts.
func (v *view) wordBefore(p int) (string, int) {
	const maxBack = 2048
	e := p
	for e > 0 && v.s[e-1] == ' ' {
		e--
	}
	b := e
	for b > 0 && v.s[b-1] != ' ' && e-b < maxBack {
		b--
	}
	for b < e && !utf8.RuneStart(v.s[b]) {
		b++
	}
	return v.s[b:e], b
}

// normalize undoes JSON/HTML escaping (up to three levels: logs often carry
// a JSON error inside a JSON record), strips terminal colour codes and
// collapses every run of whitespace to one space, remembering which runs
// held a line break.
func normalize(s string) *view {
	for i := 0; i < 3 && (strings.IndexByte(s, '\\') >= 0 || strings.IndexByte(s, '&') >= 0); i++ {
		u := unescape(s)
		if u == s {
			break
		}
		s = u
	}
	var b strings.Builder
	b.Grow(len(s))
	space, nl, lineStart := false, false, true
	var breaks []int
	for i := 0; i < len(s); {
		c := s[i]
		if c == 0x1b { // ANSI CSI sequence: ESC [ params final
			j := i + 1
			if j < len(s) && s[j] == '[' {
				j++
				for j < len(s) && j-i < 32 && (s[j] < 0x40 || s[j] > 0x7e) {
					j++
				}
				if j < len(s) {
					j++
				}
			}
			i = j
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		switch {
		case lineStart && (r == '│' || r == '┃' || r == '>' && (i == len(s) || s[i] == ' ' || s[i] == '>')):
			// Quoting and box prefixes of wrapped lines: "> " (mail,
			// markdown), "│ " (Terraform diagnostics).
			space = true
			continue
		case c > ' ' && c < 0x7f: // printable ASCII, the common case
		case r == '\u200b' || r == '\ufeff' || r == '\u200c' || r == '\u200d':
			continue
		case r <= ' ' || r == 0x7f || unicode.IsSpace(r):
			space = true
			if r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' {
				nl, lineStart = true, true
			}
			continue
		}
		lineStart = false
		if space && b.Len() > 0 {
			if nl {
				breaks = append(breaks, b.Len())
			}
			b.WriteByte(' ')
		}
		space, nl = false, false
		if size == 1 {
			b.WriteByte(c)
		} else {
			b.WriteRune(r)
		}
	}
	return newView(b.String(), breaks)
}

var htmlEntities = []struct{ from, to string }{
	{"&quot;", `"`}, {"&#34;", `"`}, {"&#x22;", `"`}, {"&apos;", "'"}, {"&#39;", "'"}, {"&#x27;", "'"},
	{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&#x2F;", "/"}, {"&#47;", "/"},
}

// unescape undoes one level of JSON string escaping and the common HTML
// entities. Unknown escapes are kept as they are.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if k := strings.IndexAny(s[i:], "&\\"); k != 0 {
			if k < 0 {
				k = len(s) - i
			}
			b.WriteString(s[i : i+k])
			i += k
			continue
		}
		c := s[i]
		if c == '&' {
			done := false
			for _, e := range htmlEntities {
				if i+1 >= len(s) || s[i+1]|0x20 != e.from[1]|0x20 {
					continue
				}
				if len(s)-i >= len(e.from) && strings.EqualFold(s[i:i+len(e.from)], e.from) {
					b.WriteString(e.to)
					i += len(e.from)
					done = true
					break
				}
			}
			if !done {
				b.WriteByte(c)
				i++
			}
			continue
		}
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			i++
			continue
		}
		switch n := s[i+1]; n {
		case '"', '\\', '/', '\'':
			b.WriteByte(n)
			i += 2
		case 'n', 'r':
			b.WriteByte('\n')
			i += 2
		case 't', 'f', 'b':
			b.WriteByte(' ')
			i += 2
		case 'u':
			if r, ok := hex4(s, i+2); ok {
				if r < 0x20 {
					r = ' '
				}
				if utf8.ValidRune(r) {
					b.WriteRune(r)
				} else {
					b.WriteRune(utf8.RuneError)
				}
				i += 6
			} else {
				b.WriteByte(c)
				i++
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func hex4(s string, p int) (rune, bool) {
	if p+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[p : p+4]) {
		switch {
		case '0' <= c && c <= '9':
			r = r*16 + rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r*16 + rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r*16 + rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// trimToken removes quotes, brackets and sentence punctuation around a
// principal, resource or ARN taken from running text.
func trimToken(s string) string {
	// Cut at characters that never occur in an ARN but end one in JSON,
	// XML or escaped text.
	if i := strings.IndexAny(s, "\"<>\\`“”"); i >= 0 {
		if i == 0 {
			s = strings.TrimLeft(s, "\"<>\\`“”")
			if j := strings.IndexAny(s, "\"<>\\`“”"); j >= 0 {
				s = s[:j]
			}
		} else {
			s = s[:i]
		}
	}
	s = strings.TrimLeft(s, "'([{")
	// Sentence punctuation and unbalanced closing brackets, in any order:
	// "arn:...:function:f)." or "[arn:...]".
	var depth [3]int // ( [ {: closers minus openers
	for i := 0; i < len(s); i++ {
		if k := strings.IndexByte("([{", s[i]); k >= 0 {
			depth[k]--
		} else if k := strings.IndexByte(")]}", s[i]); k >= 0 {
			depth[k]++
		}
	}
	for len(s) > 0 {
		c := s[len(s)-1]
		if k := strings.IndexByte(")]}", c); k >= 0 && depth[k] > 0 {
			depth[k]--
		} else if strings.IndexByte(".,;:'", c) < 0 {
			return s
		}
		s = s[:len(s)-1]
	}
	return s
}

// isAction reports whether s looks like an IAM action, service:Name.
func isAction(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 || i == len(s)-1 || len(s) > 128 {
		return false
	}
	for j := 0; j < len(s); j++ {
		c := s[j]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '*'
		if !ok && j != i {
			return false
		}
	}
	return true
}
