package simulate

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/simulate/iamdata"
)

// ActionFinding is an Action or NotAction entry that names no action AWS
// knows: a typo such as dynamodb:Querry makes a grant that never works.
type ActionFinding struct {
	Statement StatementRef // Policy is empty: the caller knows the policy's name
	Element   string       // "Action" or "NotAction"
	Index     int          // position in the element
	Action    string       // the entry as written
	Message   string       // e.g. `unknown action "dynamodb:Querry"; did you mean dynamodb:Query?`
	// Suggestion is the closest known action, when one is close enough.
	Suggestion string
}

func (f ActionFinding) String() string {
	return fmt.Sprintf("statement %s, %s[%d]: %s", f.Statement.Statement, f.Element, f.Index, f.Message)
}

// UnknownActions lists the Action/NotAction entries of p that match no
// action of the service authorization reference (package iamdata): an
// unknown service prefix, an unknown action name, or a wildcard pattern that
// matches nothing.
func UnknownActions(p *Policy) []ActionFinding {
	var out []ActionFinding
	for i := range p.Statements {
		st := &p.Statements[i]
		elem, list := "Action", st.Action
		if list == nil {
			elem, list = "NotAction", st.NotAction
		}
		for j, a := range list {
			msg, sugg := checkAction(a)
			if msg == "" {
				continue
			}
			out = append(out, ActionFinding{Statement: st.ref(""), Element: elem, Index: j, Action: a, Message: msg, Suggestion: sugg})
		}
	}
	return out
}

func checkAction(a string) (msg, suggestion string) {
	if a == "*" {
		return "", ""
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok {
		return fmt.Sprintf("%q is not of the form service:action", a), ""
	}
	wild := strings.ContainsAny(a, "*?")
	if !strings.ContainsAny(svc, "*?") && !iamdata.Service(svc) {
		return fmt.Sprintf("unknown service prefix %q in %q", svc, a), ""
	}
	if wild {
		if len(iamdata.Actions(a)) == 0 {
			return fmt.Sprintf("%q matches no known action", a), ""
		}
		return "", ""
	}
	if _, ok := iamdata.Action(a); ok {
		return "", ""
	}
	msg = fmt.Sprintf("unknown action %q", a)
	if s := closestAction(svc, name); s != "" {
		msg += "; did you mean " + s + "?"
		suggestion = s
	}
	return msg, suggestion
}

// closestAction is the service's action nearest to name (edit distance at
// most 2, or 3 for long names), or "".
func closestAction(svc, name string) string {
	best, bestD := "", 1<<30
	ln := strings.ToLower(name)
	max := 2
	if len(name) > 12 {
		max = 3
	}
	for _, full := range iamdata.Actions(svc + ":*") {
		_, n, _ := strings.Cut(full, ":")
		if d := editDistance(ln, strings.ToLower(n), max); d < bestD {
			best, bestD = full, d
		}
	}
	if bestD > max {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b, or max+1 when it is
// larger than max.
func editDistance(a, b string, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
