// Package simulate is a pure IAM policy evaluator: policies and a request in,
// a decision and a trace out. It does no I/O and imports no AWS SDK.
//
// The decision flow follows the IAM User Guide, "Policy evaluation logic"
// (reference_policies_evaluation-logic_policy-eval-denyallow).
package simulate

// Decision is the outcome of evaluating a request.
type Decision string

// The three decisions IAM can reach.
const (
	Allow        Decision = "allow"
	ImplicitDeny Decision = "implicit_deny"
	ExplicitDeny Decision = "explicit_deny"
)

// Value is one context key's value. Multi is true for multivalued keys
// (given as a JSON array), which only ForAnyValue:/ForAllValues: operators
// can match.
type Value struct {
	Values []string
	Multi  bool
}

// Context holds request context keys. Keys are matched case-insensitively.
type Context map[string]Value

// Request is one API request to judge.
type Request struct {
	// Principal is an IAM user or role ARN, an assumed-role session ARN
	// (arn:aws:sts::ACCT:assumed-role/ROLE/SESSION), an account root ARN,
	// a service principal such as apigateway.amazonaws.com, or "*" for an
	// anonymous caller.
	Principal string
	// PrincipalAliases are the other names of a service principal: a
	// service may have a global name (logs.amazonaws.com) and a regional
	// one (logs.us-east-1.amazonaws.com), and a Service entry of a
	// Principal element that names any of them names the service (IAM User
	// Guide, "Single-valued vs. multivalued context keys": a service can
	// have more than one service principal name, listed in
	// aws:PrincipalServiceNamesList). Only for a service principal; empty
	// for most requests, which then match by Principal alone.
	PrincipalAliases []string
	// Action is service:Action, e.g. dynamodb:Query.
	Action string
	// Resource is the resource ARN ("*" for actions with no resource).
	Resource string
	// ResourceAccount owns the resource. Empty: the account in the resource
	// ARN, else the principal's account.
	ResourceAccount string
	// Context holds the request context keys, exactly as given: Evaluate
	// derives nothing. DefaultContext fills the keys AWS always sets.
	Context Context
}

// NamedPolicy is a parsed policy with the name the trace uses for it, such as
// "identity[0]", "role/order-role/inline/ddb" or a managed policy ARN.
type NamedPolicy struct {
	Name   string
	Policy *Policy
}

// Input is everything that takes part in one decision. Absent layers are nil
// or empty: no boundary, no session policy, no resource policy, and no
// organization when SCPs/RCPs are nil. Each SCP/RCP level (root, OUs, account)
// must allow; a present level that allows nothing denies.
type Input struct {
	Identity []NamedPolicy
	Boundary *NamedPolicy
	Session  *NamedPolicy
	Resource *NamedPolicy
	SCPs     [][]NamedPolicy
	RCPs     [][]NamedPolicy
	Request  Request
}

// StatementRef names one statement of one policy.
type StatementRef struct {
	Policy    string // NamedPolicy.Name
	Statement string // the Sid, or "#N" (0-based index) when it has none
	Index     int
	Effect    string // "Allow" or "Deny"
}

// StatementTrace says whether one statement applied to the request and, if
// not, which element failed.
type StatementTrace struct {
	StatementRef
	Layer   string // "scp", "rcp", "resource", "identity", "boundary", "session"
	Applies bool   // every element matched: the statement's effect counts
	// Failed is the first element that did not match: "action",
	// "notaction", "resource", "notresource", "principal", "notprincipal" or
	// "condition"; empty when Applies.
	Failed string
	// Why is one readable sentence, e.g. `condition ArnLike aws:SourceArn:
	// request value "arn:...:a1b2/prod/POST/orders" matches none of
	// ["arn:...:zz9y/*"]`.
	Why string
}

// LayerResult is the outcome of one layer of the decision flow.
type LayerResult struct {
	Layer    string // as in StatementTrace.Layer, or "service" for a rule of the service itself (sts:GetCallerIdentity needs no permission, AWS managed resources cannot be changed)
	Decision Decision
	Note     string // e.g. "not evaluated: service principal", "level 1 of 2 allows nothing"
}

// Result is the decision with everything needed to explain it.
type Result struct {
	Decision Decision
	// Deciding lists the statements that decided: the explicit denies for
	// ExplicitDeny, the allows that granted for Allow, nothing for ImplicitDeny
	// (then Layers says which layer lacked an allow).
	Deciding []StatementRef
	Layers   []LayerResult
	Trace    []StatementTrace
	// CrossAccount is true when the principal's account differs from the
	// resource account, so both sides had to allow.
	CrossAccount bool
	// Ambiguous is set when the decision would differ under another reading
	// of semantics the IAM User Guide leaves open: it lists each pattern whose
	// match depends on the reading. Empty when the decision is certain.
	Ambiguous []Ambiguity
}

// Ambiguity is one pattern whose match depends on a reading of the IAM User
// Guide that the guide does not settle, in a result whose decision depends
// on it. Today that is a wildcard that would have to match ':' in the
// resource part of an ARN (a '?', or a '*' that is not the last character of
// its colon-separated segment): "IAM JSON policy elements: Resource" says
// only that a * that is the last character of a segment "can expand to match
// beyond the colon boundaries". The engine decides as if it cannot.
type Ambiguity struct {
	Layer string // as in StatementTrace.Layer
	StatementRef
	// Element is "Resource", "NotResource", or a condition as
	// "ArnLike aws:SourceArn" (operator as written, then the key).
	Element string
	Pattern string // the policy's pattern, as written
	Value   string // the request value it was matched against
	// Otherwise is the decision under the other reading (the wildcard may
	// match ':'); Result.Decision is the one under the engine's reading.
	Otherwise Decision
	// Reason is one sentence naming the statement, the pattern and the value.
	Reason string
	// Key is set by callers, never by the engine, for a decision that hangs
	// not on a reading of the guide but on a context key AWS sets from
	// state the caller did not read (a resource's tags): the key, whose
	// value Value then is in the Otherwise decision.
	Key string
}
