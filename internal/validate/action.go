package validate

import (
	"strings"

	"github.com/lambda-doctor/lambda-doctor/simulate"
	"github.com/lambda-doctor/lambda-doctor/simulate/iamdata"
)

// Action checks that a names one action AWS knows, such as dynamodb:Query,
// and returns it in AWS's spelling. A request names one action, so
// wildcards are refused; a name AWS does not know is refused with the
// closest known one ("did you mean dynamodb:Query?"), as simulate's policy
// lint reports it.
func Action(a string) (string, error) {
	switch {
	case a == "":
		return "", errorf("action", a, "no action given; want service:Action, e.g. dynamodb:Query")
	case strings.ContainsAny(a, "*?"):
		return "", errorf("action", a, "action %s has a wildcard; a request names one action, e.g. dynamodb:Query", show(a))
	case strings.ContainsAny(a, " \t\r\n") || strings.Count(a, ":") != 1:
		return "", errorf("action", a, "action %s is not of the form service:Action, e.g. dynamodb:Query", show(a))
	}
	if info, ok := iamdata.Action(a); ok {
		return info.FullName(), nil
	}
	// simulate's lint knows the unknown-service and did-you-mean wording.
	p := &simulate.Policy{Statements: []simulate.Statement{{Action: []string{a}}}}
	if f := simulate.UnknownActions(p); len(f) > 0 {
		msg := "unknown action " + show(a)
		if f[0].Suggestion != "" {
			msg += "; did you mean " + f[0].Suggestion + "?"
		} else if svc, _, _ := strings.Cut(a, ":"); !iamdata.Service(svc) {
			msg = "unknown service " + show(svc) + " in action " + show(a)
		}
		return "", errorf("action", a, "%s", msg)
	}
	return "", errorf("action", a, "unknown action %s", show(a))
}
