// Package term keeps text that an account or a user supplied (statement ids,
// role and policy names, ARNs, log lines, pasted errors, command-line
// arguments) from acting on the operator's terminal: control characters such
// as ESC ] 0 ; ... BEL (set the window title) or ESC [ 2 J (clear the screen),
// C1 controls, Unicode bidirectional overrides and invalid UTF-8 are shown as
// visible escapes instead of being written raw. Text and markdown renderers
// pass every supplied string through Clean or Line; JSON output needs
// nothing, as encoding/json escapes control characters itself.
package term

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Clean returns s with every unsafe character replaced by a visible escape
// (\x1b, \u009b, \u202e, \xff for a byte that is not UTF-8). Newlines and
// tabs are kept. s is returned unchanged, without allocating, when it holds
// nothing unsafe.
func Clean(s string) string { return escape(s, true) }

// Line is Clean for a value shown on one line: newlines, carriage returns
// and tabs are escaped too.
func Line(s string) string { return escape(s, false) }

// Unsafe reports whether s holds a character that Line would escape: such a
// value must not be pasted into a shell command.
func Unsafe(s string) bool { return firstUnsafe(s, false) >= 0 }

func escape(s string, keepLines bool) string {
	i := firstUnsafe(s, keepLines)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafeRune(r, keepLines):
			if r < 0x80 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// firstUnsafe is the byte offset of the first unsafe character, or -1.
func firstUnsafe(s string, keepLines bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if unsafeRune(rune(c), keepLines) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || unsafeRune(r, keepLines) {
			return i
		}
		i += size
	}
	return -1
}

func unsafeRune(r rune, keepLines bool) bool {
	switch {
	case r == '\n' || r == '\t':
		return !keepLines
	case r < 0x20, r == 0x7f: // C0 controls (ESC, BEL, CR, BS...) and DEL
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls (CSI, OSC as single code points)
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // bidi marks
		r >= 0x202a && r <= 0x202e, // bidi embeddings and overrides
		r >= 0x2066 && r <= 0x2069: // bidi isolates
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}
