package simulate

// EvaluateOtherReading decides the request under the other reading of the
// wildcard rule the IAM User Guide leaves open (see Result.Ambiguous: a '?',
// or a '*' that is not the last character of its colon-separated segment,
// may match ':'), with the per-statement trace. Callers that must plan a
// change for the decision Result.Ambiguous names as Otherwise (a door the
// engine's reading finds open and the other reading closed) use it to see
// which layers and statements decide under that reading. Its Ambiguous is
// always empty.
func EvaluateOtherReading(in *Input) (*Result, error) {
	r, _, err := evaluateAs(in, true, true)
	return r, err
}
