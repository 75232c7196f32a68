package textwrap

import (
	"os"
	"strconv"
	"strings"

	xterm "golang.org/x/term"
)

// DefaultWidth is the width for output that is not a terminal.
const DefaultWidth = 80

// TerminalWidth returns the width at which to wrap text written to f:
//
//  1. COLUMNS, when set to a positive number: POSIX names it the user's
//     preferred width, used instead of the one the system determines (as
//     ls and man do). Shells keep it current but do not export it, so it
//     only reaches the program when the user asks for it.
//  2. The width of the terminal f is (TIOCGWINSZ on Unix, the console's on
//     Windows), when it is one.
//  3. DefaultWidth otherwise: as gh does, piped output, files and CI logs
//     are wrapped at 80 columns, the same on every machine. (kubectl does
//     not wrap help that is not going to a terminal; lambda-doctor's text
//     output is read in CI logs and tickets, where 80 columns read well,
//     and its tokens are never cut, so grep still finds a whole ARN.)
//
// A nil f is not a terminal. Machine formats (JSON, SARIF, JUnit) must not
// be wrapped at all; this width is for text meant for people.
func TerminalWidth(f *os.File) int {
	return width(os.Getenv, func() (int, bool) {
		if f == nil {
			return 0, false
		}
		fd := int(f.Fd())
		if !xterm.IsTerminal(fd) {
			return 0, false
		}
		w, _, err := xterm.GetSize(fd)
		return w, err == nil && w > 0
	})
}

func width(getenv func(string) string, size func() (int, bool)) int {
	if n, err := strconv.Atoi(strings.TrimSpace(getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	if w, ok := size(); ok {
		return w
	}
	return DefaultWidth
}
