package judge

import (
	"sync"
	"time"

	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// The engine glue: the only place lambda-doctor's judging calls simulate's
// parser and evaluator, and the one way it reads policy documents.

// parsed caches parsed documents (a *simulate.Policy is immutable): `check
// --all` judges ~10 requests per function, and a role's or managed
// policy's document is parsed once, not per request.
var parsed sync.Map // document → parseResult

type parseResult struct {
	p   *simulate.Policy
	err error
}

// ParsePolicy parses a policy document of the model, once per distinct
// document for the life of the process.
func ParsePolicy(doc string) (*simulate.Policy, error) {
	if v, ok := parsed.Load(doc); ok {
		r := v.(parseResult)
		return r.p, r.err
	}
	p, err := simulate.ParseString(doc)
	parsed.Store(doc, parseResult{p, err})
	return p, err
}

// now is the time requests are judged at (aws:CurrentTime).
var now = time.Now

// Evaluate judges in with the context keys AWS always sets added (keys the
// builders set win); in itself is not changed, so reports show only the
// keys that matter. An input the engine refuses is judged an implicit deny
// with the reason as a note.
func Evaluate(in *simulate.Input) *simulate.Result {
	return evaluateWith(simulate.Evaluate, in)
}

// EvaluateOtherReading is Evaluate under the other reading of the wildcard
// rule the IAM User Guide leaves open (simulate.EvaluateOtherReading).
func EvaluateOtherReading(in *simulate.Input) *simulate.Result {
	return evaluateWith(simulate.EvaluateOtherReading, in)
}

func evaluateWith(eval func(*simulate.Input) (*simulate.Result, error), in *simulate.Input) *simulate.Result {
	full := *in
	ctx := simulate.DefaultContextAt(in.Request, now())
	for k, v := range in.Request.Context {
		ctx[k] = v
	}
	full.Request.Context = ctx
	r, err := eval(&full)
	if err != nil {
		return &simulate.Result{Decision: simulate.ImplicitDeny, Layers: []simulate.LayerResult{{Layer: "request", Decision: simulate.ImplicitDeny, Note: err.Error()}}}
	}
	return r
}

// GlobsIntersect reports whether some string matches both IAM patterns
// (* any run, ? one character; case-sensitive).
func GlobsIntersect(p, q string) bool { return globsIntersect(p, q, false) }

// globsIntersect walks the product of the two patterns' positions; with
// words, word (in a pattern starMarkers writes) is a wildcard too, for any
// run of characters but '/' and ':'.
func globsIntersect(p, q string, words bool) bool {
	type st struct{ i, j int }
	seen := map[st]bool{}
	stack := []st{{0, 0}}
	wild := func(c byte) bool { return c == '*' || words && c == word }
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[s] {
			continue
		}
		seen[s] = true
		i, j := s.i, s.j
		if i == len(p) && j == len(q) {
			return true
		}
		// A wildcard may match nothing.
		if i < len(p) && wild(p[i]) {
			stack = append(stack, st{i + 1, j})
		}
		if j < len(q) && wild(q[j]) {
			stack = append(stack, st{i, j + 1})
		}
		if i == len(p) || j == len(q) {
			continue
		}
		pc, qc := p[i], q[j]
		// The character both match: a literal one of either side, or any.
		switch {
		case !wild(pc) && pc != '?' && !wild(qc) && qc != '?' && pc != qc:
			continue
		case words && (pc == word && (qc == '/' || qc == ':') || qc == word && (pc == '/' || pc == ':')):
			continue
		}
		ni, nj := i+1, j+1
		if wild(pc) {
			ni = i
		}
		if wild(qc) {
			nj = j
		}
		if ni == i && nj == j {
			continue // two wildcards: consuming a character changes nothing
		}
		stack = append(stack, st{ni, nj})
	}
	return false
}
