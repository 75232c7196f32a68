package diagnose

import (
	"encoding/json"

	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// The engine glue: the only place this package calls simulate's parser and
// evaluator.

func parsePolicy(doc string) (*simulate.Policy, error) { return simulate.ParseString(doc) }

// evaluate judges in with the context keys AWS always sets added (keys the
// builders set win); in itself is not changed, so reports show only the
// keys that matter. An input the engine refuses is judged an implicit deny
// with the reason as a note.
func evaluate(in *simulate.Input) *simulate.Result {
	full := *in
	ctx := simulate.DefaultContextAt(in.Request, now())
	for k, v := range in.Request.Context {
		ctx[k] = v
	}
	full.Request.Context = ctx
	r, err := simulate.Evaluate(&full)
	if err != nil {
		return &simulate.Result{Decision: simulate.ImplicitDeny, Layers: []simulate.LayerResult{{Layer: "request", Decision: simulate.ImplicitDeny, Note: err.Error()}}}
	}
	return r
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
