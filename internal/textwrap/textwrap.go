// Package textwrap fits text output to the terminal: prose is wrapped at
// spaces, never inside a word (an ARN longer than the line stays whole on a
// line of its own), and a shell command is wrapped only between its
// arguments, with " \" continuations, so the wrapped form pastes into bash
// and runs with exactly the same arguments.
//
// Widths are counted in terminal columns: a rune is one column, East Asian
// wide and fullwidth runes two, combining marks and ANSI escape sequences
// (colour) none.
package textwrap

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Wrap wraps s to width columns with no indent; see Indent.
func Wrap(s string, width int) string { return Indent(s, width, "", "") }

// Indent wraps s to width columns: the first line starts with first, every
// other line with rest, and lines break at runs of spaces, which become one
// space (or a line break). A word wider than the room left for it is put
// whole on a line of its own: without the indent when only that makes it
// fit (so the terminal does not cut it), past the edge when nothing does.
// When the first word of a line does not fit after its prefix but does on
// a line of its own, a prefix that is a label ("  request   ") stays alone
// on its line and the word goes to the next; a prefix of blanks is left
// out. The line breaks in s are kept. A width of 0 or less wraps nothing
// and only indents. The result has no trailing newline and no trailing
// spaces.
func Indent(s string, width int, first, rest string) string {
	var b strings.Builder
	prefix := first
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteByte('\n')
			prefix = rest
		}
		words := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' })
		pending := prefix // the indent still to write before the next word
		col := Columns(prefix)
		empty, alone := true, false
		for _, w := range words {
			n := Columns(w)
			if empty && width > 0 && col > 0 && col+n > width && n <= width {
				// The line's first word fits only without its prefix.
				if label := strings.TrimRight(pending, " "); label != "" {
					b.WriteString(label + "\n")
				}
				pending, col = "", 0
				if Columns(rest)+n <= width {
					pending, col = rest, Columns(rest)
				} else {
					alone = true
				}
			}
			if !empty && width > 0 && (col+1+n > width || alone) {
				b.WriteByte('\n')
				col, empty, alone = 0, true, false
				// A word that fits the width but not after the indent starts
				// the line, alone, so the terminal does not cut it.
				if Columns(rest)+n <= width || n > width {
					pending, col = rest, Columns(rest)
				} else {
					alone = true
				}
			}
			b.WriteString(pending)
			pending = ""
			if !empty {
				b.WriteByte(' ')
				col++
			}
			b.WriteString(w)
			col += n
			empty = false
		}
		b.WriteString(pending)
	}
	return trimLineEnds(b.String())
}

// trimLineEnds drops the spaces an empty line's prefix left at its end.
func trimLineEnds(s string) string {
	if !strings.Contains(s, " \n") && !strings.HasSuffix(s, " ") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// Columns is the number of terminal columns s takes: ANSI escape sequences
// and combining marks take none, East Asian wide and fullwidth runes two,
// every other rune one.
func Columns(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			i += escapeLen(s[i:])
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n += runeColumns(r)
	}
	return n
}

// escapeLen is the length of the ANSI escape sequence at the start of s:
// a CSI sequence (ESC [ parameters final-byte), an OSC sequence ended by
// BEL or ESC \, or ESC and one more byte.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		for i := 2; i < len(s); i++ {
			if s[i] >= 0x40 && s[i] <= 0x7e {
				return i + 1
			}
		}
		return len(s)
	case ']':
		for i := 2; i < len(s); i++ {
			if s[i] == 0x07 {
				return i + 1
			}
			if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return len(s)
	}
	return 2
}

func runeColumns(r rune) int {
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case wide(r):
		return 2
	}
	return 1
}

// wide reports the East Asian Wide and Fullwidth blocks (Unicode UAX #11)
// and the emoji planes terminals draw two columns wide.
func wide(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r <= 0x115f, // Hangul Jamo initials
		r >= 0x2e80 && r <= 0x303e, // CJK radicals, punctuation
		r >= 0x3041 && r <= 0x33ff, // kana, CJK compatibility
		r >= 0x3400 && r <= 0x4dbf, // CJK extension A
		r >= 0x4e00 && r <= 0x9fff, // CJK unified ideographs
		r >= 0xa000 && r <= 0xa4cf, // Yi
		r >= 0xac00 && r <= 0xd7a3, // Hangul syllables
		r >= 0xf900 && r <= 0xfaff, // CJK compatibility ideographs
		r >= 0xfe30 && r <= 0xfe4f, // CJK compatibility forms
		r >= 0xff00 && r <= 0xff60, // fullwidth forms
		r >= 0xffe0 && r <= 0xffe6,
		r >= 0x1f300 && r <= 0x1f64f, // pictographs, emoticons
		r >= 0x1f900 && r <= 0x1f9ff,
		r >= 0x20000 && r <= 0x3fffd: // CJK extensions B and on
		return true
	}
	return false
}
