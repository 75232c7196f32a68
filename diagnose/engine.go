package diagnose

import (
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// The engine glue: the only place this package calls simulate's parser and
// evaluator.

func parsePolicy(doc string) (*simulate.Policy, error) { return simulate.ParseString(doc) }

// evaluate judges in after adding the context keys AWS always sets (keys the
// builders set win). An input the engine refuses is judged an implicit deny
// with the reason as a note.
func evaluate(in *simulate.Input) *simulate.Result {
	ctx := simulate.DefaultContextAt(in.Request, now())
	for k, v := range in.Request.Context {
		ctx[k] = v
	}
	in.Request.Context = ctx
	r, err := simulate.Evaluate(in)
	if err != nil {
		return &simulate.Result{Decision: simulate.ImplicitDeny, Layers: []simulate.LayerResult{{Layer: "request", Decision: simulate.ImplicitDeny, Note: err.Error()}}}
	}
	return r
}
