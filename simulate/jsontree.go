package simulate

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// A small strict JSON parser into a flat tree. Policies and case lines are
// parsed with it instead of encoding/json: strings are substrings of the
// source (no copy unless they hold escapes), and the node array is reused
// from line to line, which keeps the batch path fast.

type jkind uint8

const (
	jNull jkind = iota
	jFalse
	jTrue
	jNum
	jStr
	jArr
	jObj
)

func (k jkind) String() string {
	return [...]string{"null", "false", "true", "number", "string", "array", "object"}[k]
}

type jnode struct {
	key      string // the member name, for members of an object
	s        string // string value (unescaped) or number text
	off, end int32  // the value's source text is src[off:end]
	first    int32  // first child (array element or object member), -1 if none
	next     int32  // next sibling, -1 if none
	n        int32  // number of children
	kind     jkind
}

// raw is the source text of node i.
func (t *jtree) raw(i int32) string { return t.src[t.nodes[i].off:t.nodes[i].end] }

type jtree struct {
	src   string
	b     []byte // src's bytes, read only: for reading 8 bytes at a time
	nodes []jnode
	pos   int
	depth int
}

const maxJSONDepth = 200

type jsonError struct {
	off int
	msg string
}

func (e *jsonError) Error() string { return fmt.Sprintf("invalid JSON at byte %d: %s", e.off, e.msg) }

// parse parses src as one JSON value; the root is node 0.
func (t *jtree) parse(src string) error {
	t.src, t.nodes, t.pos, t.depth = "", t.nodes[:0], 0, 0
	if len(src) > math.MaxInt32 {
		return t.errf("larger than 2 GiB")
	}
	t.src = src
	t.b = unsafe.Slice(unsafe.StringData(src), len(src))
	t.ws()
	if _, err := t.value(); err != nil {
		return err
	}
	t.ws()
	if t.pos != len(t.src) {
		return t.errf("unexpected %q after the value", t.src[t.pos])
	}
	return nil
}

func (t *jtree) errf(format string, args ...any) error {
	return &jsonError{off: t.pos, msg: fmt.Sprintf(format, args...)}
}

func (t *jtree) ws() {
	for t.pos < len(t.src) {
		switch t.src[t.pos] {
		case ' ', '\t', '\n', '\r':
			t.pos++
		default:
			return
		}
	}
}

func (t *jtree) add(n jnode) int32 {
	t.nodes = append(t.nodes, n)
	return int32(len(t.nodes) - 1)
}

func (t *jtree) value() (int32, error) {
	if t.pos >= len(t.src) {
		return -1, t.errf("unexpected end of input")
	}
	start := t.pos
	switch c := t.src[t.pos]; {
	case c == '{':
		return t.container(jObj, '}')
	case c == '[':
		return t.container(jArr, ']')
	case c == '"':
		s, err := t.str()
		if err != nil {
			return -1, err
		}
		return t.add(jnode{kind: jStr, s: s, off: int32(start), end: int32(t.pos), first: -1, next: -1}), nil
	case c == 't':
		return t.lit("true", jTrue)
	case c == 'f':
		return t.lit("false", jFalse)
	case c == 'n':
		return t.lit("null", jNull)
	case c == '-' || (c >= '0' && c <= '9'):
		if err := t.num(); err != nil {
			return -1, err
		}
		return t.add(jnode{kind: jNum, s: t.src[start:t.pos], off: int32(start), end: int32(t.pos), first: -1, next: -1}), nil
	default:
		return -1, t.errf("unexpected %q", c)
	}
}

func (t *jtree) lit(word string, k jkind) (int32, error) {
	if !strings.HasPrefix(t.src[t.pos:], word) {
		return -1, t.errf("invalid literal")
	}
	t.pos += len(word)
	return t.add(jnode{kind: k, off: int32(t.pos - len(word)), end: int32(t.pos), first: -1, next: -1}), nil
}

func (t *jtree) container(k jkind, closer byte) (int32, error) {
	t.depth++
	if t.depth > maxJSONDepth {
		return -1, t.errf("nested too deeply")
	}
	start := t.pos
	idx := t.add(jnode{kind: k, off: int32(start), first: -1, next: -1})
	t.pos++ // opener
	t.ws()
	last := int32(-1)
	var count int32
	if t.pos < len(t.src) && t.src[t.pos] == closer {
		t.pos++
	} else {
		for {
			key := ""
			if k == jObj {
				if t.pos >= len(t.src) || t.src[t.pos] != '"' {
					return -1, t.errf("expected a member name")
				}
				var err error
				if key, err = t.str(); err != nil {
					return -1, err
				}
				t.ws()
				if t.pos >= len(t.src) || t.src[t.pos] != ':' {
					return -1, t.errf("expected ':' after a member name")
				}
				t.pos++
				t.ws()
			}
			child, err := t.value()
			if err != nil {
				return -1, err
			}
			t.nodes[child].key = key
			if last < 0 {
				t.nodes[idx].first = child
			} else {
				t.nodes[last].next = child
			}
			last = child
			count++
			t.ws()
			if t.pos >= len(t.src) {
				return -1, t.errf("unexpected end of input")
			}
			if c := t.src[t.pos]; c == ',' {
				t.pos++
				t.ws()
				continue
			} else if c == closer {
				t.pos++
				break
			}
			return -1, t.errf("expected ',' or %q", closer)
		}
	}
	t.depth--
	t.nodes[idx].n = count
	t.nodes[idx].end = int32(t.pos)
	return idx, nil
}

// SWAR constants: a byte of ones, a byte of high bits, in each lane.
const (
	lanesLo = 0x0101010101010101
	lanesHi = 0x8080808080808080
)

// stopLanes marks the bytes of w that end the fast scan of a string: a quote,
// a backslash, or a control character. The lowest marked lane is exact.
func stopLanes(w uint64) uint64 {
	q := w ^ (lanesLo * '"')
	bs := w ^ (lanesLo * '\\')
	return ((q-lanesLo)&^q | (bs-lanesLo)&^bs | (w-lanesLo*0x20)&^w) & lanesHi
}

// str reads a string token at t.pos and returns its value.
func (t *jtree) str() (string, error) {
	t.pos++ // opening quote
	start := t.pos
	// Eight bytes at a time up to the first byte that needs a look.
	for t.pos+8 <= len(t.b) {
		if m := stopLanes(binary.LittleEndian.Uint64(t.b[t.pos:])); m != 0 {
			t.pos += bits.TrailingZeros64(m) / 8
			break
		}
		t.pos += 8
	}
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		switch {
		case c == '"':
			s := t.src[start:t.pos]
			t.pos++
			return s, nil
		case c == '\\':
			return t.strSlow(start)
		case c < 0x20:
			return "", t.errf("control character in string")
		}
		t.pos++
	}
	return "", t.errf("unterminated string")
}

func (t *jtree) strSlow(start int) (string, error) {
	var b strings.Builder
	b.WriteString(t.src[start:t.pos])
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		switch {
		case c == '"':
			t.pos++
			return b.String(), nil
		case c < 0x20:
			return "", t.errf("control character in string")
		case c != '\\':
			b.WriteByte(c)
			t.pos++
			continue
		}
		if t.pos+1 >= len(t.src) {
			return "", t.errf("unterminated string")
		}
		e := t.src[t.pos+1]
		t.pos += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := t.hex4()
			if !ok {
				return "", t.errf("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				combined := false
				if strings.HasPrefix(t.src[t.pos:], `\u`) {
					save := t.pos
					t.pos += 2
					if r2, ok := t.hex4(); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r, combined = d, true
						}
					}
					if !combined {
						t.pos = save
					}
				}
				if !combined {
					// JSON allows it, but no UTF-8 text holds it: an error
					// rather than a silent U+FFFD.
					return "", t.errf("invalid \\u escape: unpaired surrogate")
				}
			}
			b.WriteRune(r)
		default:
			return "", t.errf("invalid escape '\\%c'", e)
		}
	}
	return "", t.errf("unterminated string")
}

func (t *jtree) hex4() (rune, bool) {
	if t.pos+4 > len(t.src) {
		return 0, false
	}
	n, err := strconv.ParseUint(t.src[t.pos:t.pos+4], 16, 32)
	if err != nil {
		return 0, false
	}
	t.pos += 4
	return rune(n), true
}

func (t *jtree) num() error {
	digits := func() int {
		n := 0
		for t.pos < len(t.src) && t.src[t.pos] >= '0' && t.src[t.pos] <= '9' {
			t.pos++
			n++
		}
		return n
	}
	if t.src[t.pos] == '-' {
		t.pos++
	}
	if t.pos < len(t.src) && t.src[t.pos] == '0' {
		t.pos++
	} else if digits() == 0 {
		return t.errf("invalid number")
	}
	if t.pos < len(t.src) && t.src[t.pos] == '.' {
		t.pos++
		if digits() == 0 {
			return t.errf("invalid number")
		}
	}
	if t.pos < len(t.src) && (t.src[t.pos] == 'e' || t.src[t.pos] == 'E') {
		t.pos++
		if t.pos < len(t.src) && (t.src[t.pos] == '+' || t.src[t.pos] == '-') {
			t.pos++
		}
		if digits() == 0 {
			return t.errf("invalid number")
		}
	}
	return nil
}

// member returns the last member of object i named key, or -1.
func (t *jtree) member(i int32, key string) int32 {
	found := int32(-1)
	for c := t.nodes[i].first; c >= 0; c = t.nodes[c].next {
		if t.nodes[c].key == key {
			found = c
		}
	}
	return found
}

// short returns the source text of node i, cut to a readable length.
func (t *jtree) short(i int32) string {
	s := t.raw(i)
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}
