package fix

import (
	"fmt"
	"regexp"
	"strings"
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
