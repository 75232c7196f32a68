package simulate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/internal/suggest"
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
// most 2, or 3 for long names, without case; a swap of neighbours counts 1:
// internal/suggest), the first in the reference's order at that distance,
// or "".
func closestAction(svc, name string) string {
	max := 2
	if len(name) > 12 {
		max = 3
	}
	actions := iamdata.Actions(svc + ":*")
	names := make([]string, len(actions))
	for i, full := range actions {
		_, names[i], _ = strings.Cut(full, ":")
	}
	c := suggest.Closest(name, names, max, strings.ToLower)
	if len(c) == 0 {
		return ""
	}
	return actions[slices.Index(names, c[0])]
}
