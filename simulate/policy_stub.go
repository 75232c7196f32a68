package simulate

// Policy is a parsed IAM policy document. (Placeholder: the engine replaces this file.)
type Policy struct{}
