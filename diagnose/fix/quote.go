package fix

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/internal/term"
)

// Quote quotes s for bash when it needs quoting: single quotes, with each
// embedded single quote closed, escaped and reopened. It is the one shell
// quoting of lambda-doctor: every command it prints quotes its arguments
// with it.
func Quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// UnsafeCommand says why cmd (a command line, or an IaC snippet of several
// lines) must not be printed, or "" when it may: it would carry a
// character that acts on a terminal or confuses a reader (a control
// character such as ESC or BEL, a C1 control, a bidirectional override, a
// byte that is not UTF-8), which can only come from the account's data or
// the input (a statement id, a role or policy name, a qualifier, an ARN).
// Quoting does not help: the terminal acts on the character as it is
// printed, before any shell reads it.
func UnsafeCommand(cmd string) string {
	for _, line := range strings.Split(cmd, "\n") {
		if !term.Unsafe(line) {
			continue
		}
		word := line
		for _, w := range strings.Fields(line) {
			if term.Unsafe(w) {
				word = w
				break
			}
		}
		if len(word) > 80 {
			word = word[:80] + "..."
		}
		return "the command would carry a control character, taken from the account's data or the input, in \"" + term.Line(word) +
			"\" (shown escaped), which could act on the terminal it is printed on or pasted into"
	}
	return ""
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9_-]+|--+`)

// sanitize makes s a statement id or policy name: letters, digits, '_' and
// '-', at most max bytes.
func sanitize(s string, max int) string {
	s = strings.Trim(unsafeID.ReplaceAllString(s, "-"), "-")
	if len(s) > max {
		s = strings.TrimRight(s[:max], "-")
	}
	if s == "" {
		s = "lambda-doctor"
	}
	return s
}

// unique returns base, or base-2, base-3... whichever is not used (for
// statement ids of resource policies and policy names, which take '-').
func unique(base string, used map[string]bool) string { return numbered(base, "-", used) }

// uniqueSid returns base, or base2, base3... whichever is not used: the Sid
// of an IAM identity policy statement takes only letters and digits (IAM
// User Guide, reference_policies_elements_sid).
func uniqueSid(base string, used map[string]bool) string { return numbered(base, "", used) }

func numbered(base, sep string, used map[string]bool) string {
	c := base
	for i := 2; used[c]; i++ {
		c = fmt.Sprintf("%s%s%d", base, sep, i)
	}
	return c
}

// logicalID joins parts in CamelCase, keeping only letters and digits: a
// CloudFormation logical id, or a policy statement Sid.
func logicalID(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		up := true
		for _, r := range p {
			switch {
			case r >= 'a' && r <= 'z':
				if up {
					r -= 'a' - 'A'
				}
				b.WriteRune(r)
				up = false
			case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
				b.WriteRune(r)
				up = false
			default:
				up = true
			}
		}
	}
	return b.String()
}

// sidFor is a Sid (alphanumeric) for a grant of action.
func sidFor(action string) string { return logicalID("Allow", action) }
