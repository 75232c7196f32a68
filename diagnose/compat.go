package diagnose

import (
	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Call is judge.Call. It and OutboundInput remain only for
// cmd/lambda-doctor/simulate.go, which builds its --function input with
// them; new code uses package judge.
type Call = judge.Call

// OutboundInput is judge.OutboundInput in its former shape: a document that
// does not parse is returned as the error.
func OutboundInput(fn *account.Function, c Call) (in *simulate.Input, assumed []string, unseen []account.Unseen, err error) {
	in, g := judge.OutboundInput(fn, c)
	if len(g.Unparsed) > 0 {
		return nil, nil, nil, g.Unparsed[0]
	}
	return in, g.Assumed, g.Unseen, nil
}
