package textwrap

import "strings"

// Command wraps a shell command (bash syntax, as lambda-doctor prints
// fixes) to width columns. Lines break only at unquoted blanks between
// arguments, never inside a quoted or escaped token, a $(...) or `...`
// substitution, or a comment; each broken line ends with " \" and the next
// starts with rest (the first with first). An option and its value are kept
// on one line when they fit, and the words before the first option (aws
// lambda add-permission) too. A token wider than the line stays whole.
//
// The result runs with the same arguments as cmd: runs of blanks between
// arguments become one space or a continuation, nothing else changes.
// Lines of cmd are wrapped one by one, and start with rest. When cmd
// cannot be read that surely (a quote left open, a newline inside a token,
// a here-document), it is returned unwrapped with only first before it: an
// indent added inside a token would change it. A width of 0 or less wraps
// nothing.
func Command(cmd string, width int, first, rest string) string {
	lines, ok := splitCommand(cmd)
	if !ok {
		return first + cmd
	}
	if width <= 0 {
		return indentLines(cmd, first, rest)
	}
	var b strings.Builder
	for i, words := range lines {
		prefix := first
		if i > 0 {
			b.WriteByte('\n')
			prefix = rest
		}
		writeWrapped(&b, words, width, prefix, rest)
	}
	return b.String()
}

func indentLines(s, first, rest string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = first + lines[i]
		} else {
			lines[i] = rest + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

// writeWrapped lays out the words of one command line.
func writeWrapped(b *strings.Builder, words []string, width int, first, rest string) {
	l := layout{b: b, width: width, rest: rest, col: Columns(first), empty: true}
	b.WriteString(first)
	groups := group(words)
	n := 0 // words placed
	for _, g := range groups {
		remaining := words[n:]
		n += len(g)
		switch {
		case l.fits(remaining, 0):
			l.put(remaining...)
			return
		case l.fits(g, 2):
			l.put(g...)
			continue
		}
		l.newline(g[0], n == len(words) && len(g) == 1)
		switch {
		case l.fits(remaining, 0):
			l.put(remaining...)
			return
		case l.fits(g, 2):
			l.put(g...)
			continue
		}
		// A group wider than a line breaks between its own words.
		for i, w := range g {
			lastWord := n == len(words) && i == len(g)-1
			reserve := 2
			if lastWord {
				reserve = 0
			}
			if !l.fits(g[i:i+1], reserve) {
				l.newline(w, lastWord)
			}
			l.put(w)
		}
	}
}

// layout is the line being written.
type layout struct {
	b     *strings.Builder
	width int
	rest  string
	col   int
	empty bool
	alone bool // the line starts without its indent: nothing joins its word
}

// fits reports whether ws fit on the line with reserve columns left over
// (2 for the " \" that ends a broken line).
func (l *layout) fits(ws []string, reserve int) bool {
	if l.alone {
		return false
	}
	n := l.col + reserve
	for i, w := range ws {
		if i > 0 || !l.empty {
			n++
		}
		n += Columns(w)
	}
	return n <= l.width
}

func (l *layout) put(ws ...string) {
	for _, w := range ws {
		if !l.empty {
			l.b.WriteByte(' ')
			l.col++
		}
		l.b.WriteString(w)
		l.col += Columns(w)
		l.empty = false
	}
}

// newline ends the line with " \\" and starts the next with the indent, or
// with nothing when next, the word to come (with the " \\" after it unless
// it is the last), fits the width only so: the terminal would cut it.
func (l *layout) newline(next string, last bool) {
	if l.empty {
		return
	}
	l.b.WriteString(" \\\n")
	l.col, l.empty, l.alone = 0, true, false
	n := Columns(next)
	if !last {
		n += 2
	}
	if Columns(l.rest)+n <= l.width || n > l.width {
		l.b.WriteString(l.rest)
		l.col = Columns(l.rest)
	} else {
		l.alone = true
	}
}

// group cuts the words of a command into the pieces that stay together:
// the words before the first option, then each option with the values that
// follow it, and each control operator (&&, ||, |, ;) with the command
// after it.
func group(words []string) [][]string {
	var out [][]string
	for i, w := range words {
		if i == 0 || strings.HasPrefix(w, "-") || isOperator(w) {
			out = append(out, []string{w})
			continue
		}
		out[len(out)-1] = append(out[len(out)-1], w)
	}
	return out
}

func isOperator(w string) bool {
	switch w {
	case "&&", "||", "|", ";", "&", "|&":
		return true
	}
	return false
}

// splitCommand reads cmd as bash does, as far as wrapping needs: it returns
// the words of each line, each word exactly as written, and false when the
// command holds something it does not read surely.
func splitCommand(cmd string) ([][]string, bool) {
	var lines [][]string
	var words []string
	var word strings.Builder
	inWord := false
	endWord := func() {
		if inWord {
			words = append(words, word.String())
			word.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(cmd); {
		c := cmd[i]
		switch {
		case c == ' ' || c == '\t':
			endWord()
			i++
		case c == '\n':
			endWord()
			lines = append(lines, words)
			words = nil
			i++
		case c == '\\' && i+1 < len(cmd) && cmd[i+1] == '\n':
			i += 2 // a line continuation: removed by bash, joins nothing here
		case c == '#' && !inWord:
			// A comment runs to the end of the line: one word, never broken.
			j := strings.IndexByte(cmd[i:], '\n')
			if j < 0 {
				j = len(cmd) - i
			}
			word.WriteString(cmd[i : i+j])
			inWord = true
			i += j
		default:
			n, ok := tokenLen(cmd[i:])
			if !ok {
				return nil, false
			}
			if strings.Contains(cmd[i:i+n], "\n") {
				return nil, false
			}
			if strings.HasPrefix(cmd[i:], "<<") {
				return nil, false // a here-document's body follows on the next lines
			}
			word.WriteString(cmd[i : i+n])
			inWord = true
			i += n
		}
	}
	endWord()
	lines = append(lines, words)
	return lines, true
}

// tokenLen is the length of the piece of a word at the start of s: a quoted
// string, an escaped character, a substitution, or one plain byte; false
// when a quote or a substitution is left open.
func tokenLen(s string) (int, bool) {
	switch {
	case s[0] == '\'':
		j := strings.IndexByte(s[1:], '\'')
		if j < 0 {
			return 0, false
		}
		return j + 2, true
	case strings.HasPrefix(s, "$'"):
		// ANSI-C quoting: a backslash escapes the next character.
		for i := 2; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '\'':
				return i + 1, true
			}
		}
		return 0, false
	case s[0] == '"':
		return doubleQuotedLen(s)
	case s[0] == '\\':
		if len(s) < 2 {
			return 0, false
		}
		return 2, true
	case strings.HasPrefix(s, "$(") || strings.HasPrefix(s, "${") || strings.HasPrefix(s, "<(") || strings.HasPrefix(s, ">("):
		return nestedLen(s)
	case s[0] == '`':
		for i := 1; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '`':
				return i + 1, true
			}
		}
		return 0, false
	}
	return 1, true
}

// doubleQuotedLen is the length of the "..." string at the start of s.
func doubleQuotedLen(s string) (int, bool) {
	for i := 1; i < len(s); {
		switch {
		case s[i] == '\\':
			i += 2
		case s[i] == '"':
			return i + 1, true
		case strings.HasPrefix(s[i:], "$(") || strings.HasPrefix(s[i:], "${") || s[i] == '`':
			n, ok := tokenLen(s[i:])
			if !ok {
				return 0, false
			}
			i += n
		default:
			i++
		}
	}
	return 0, false
}

// nestedLen is the length of the $(...), ${...}, <(...) or >(...) at the
// start of s, with the quotes and substitutions inside it.
func nestedLen(s string) (int, bool) {
	open, close := s[1], byte(')')
	if open == '{' {
		close = '}'
	}
	depth := 0
	for i := 1; i < len(s); {
		switch c := s[i]; {
		case c == open:
			depth++
			i++
		case c == close:
			depth--
			i++
			if depth == 0 {
				return i, true
			}
		case c == '\'' || c == '"' || c == '\\' || c == '`' || (c == '$' && i+1 < len(s) && (s[i+1] == '(' || s[i+1] == '{' || s[i+1] == '\'')):
			n, ok := tokenLen(s[i:])
			if !ok {
				return 0, false
			}
			i += n
		default:
			i++
		}
	}
	return 0, false
}
