// Package diagnose turns a symptom or a pasted AWS error into the requests to
// explain, judges each against a function's doors with the simulate engine,
// names the closed door and the statements that decide, and synthesises the
// smallest fix, verified by simulating again with the fix applied to an
// in-memory copy of the account model. It never talks to AWS.
package diagnose

import (
	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Door names where a request is judged.
type Door string

// The doors of a Lambda function (shared/DESIGN.md).
const (
	Inbound  Door = "inbound"  // the function's resource-based policy: who may invoke it
	Outbound Door = "outbound" // the execution role: what the code may call
	Logs     Door = "logs"     // the execution role's CloudWatch Logs permissions
	Trust    Door = "trust"    // the role's trust policy: may Lambda assume it
	None     Door = "none"     // every door judged is open
	Unknown  Door = "unknown"  // a read that was refused prevents a decision
)

// Call is a request the function's code makes with its execution role.
type Call struct {
	Action   string           // service:Action, e.g. dynamodb:Query
	Resource string           // resource ARN, or "*" for actions with no resource
	Context  simulate.Context // extra request context keys; may be nil
	// Why says where the call comes from ("log line at ...", "event source
	// mapping ...", "--action/--resource"); shown in reports.
	Why string
}

// Invoker is a caller of the function: a service principal, an account, an
// IAM role or user, or "*" (anonymous, e.g. a public function URL).
type Invoker struct {
	// Principal as given: "apigateway.amazonaws.com", "444455556666",
	// "arn:aws:iam::444455556666:role/caller", or "*".
	Principal     string
	SourceARN     string // aws:SourceArn (rule, topic, API route, bucket, log group...)
	SourceAccount string // aws:SourceAccount
	// Qualifier is the alias or version the request names; "" invokes the
	// unqualified function. A permission on the unqualified ARN does not
	// cover an alias-qualified invoke, and vice versa.
	Qualifier string
	// FunctionURL is true for a call through the function URL: it needs
	// lambda:InvokeFunctionUrl and lambda:InvokeFunction (the latter with
	// lambda:InvokedViaFunctionUrl = true).
	FunctionURL bool
	// Action is the invoke action when not a function-URL call; "" means
	// lambda:InvokeFunction.
	Action string
	// CallerDenied is set when AWS reported (in a pasted error) that the
	// caller's own identity policies allow nothing: for a caller in another
	// account, whose policies are not read, they are then judged as
	// granting nothing instead of assumed to allow.
	CallerDenied bool
	// Context holds more request context keys (an invoke a statement is
	// meant for carries what its conditions ask for, e.g. aws:PrincipalOrgID).
	Context simulate.Context
	Why     string // where the invoker was found: "--caller", "trigger ...", "statement Sid"
}

// Probe is one simulated request with the input it was judged on.
type Probe struct {
	Input  *simulate.Input
	Result *simulate.Result
	// Assumed lists layers that could not be read and were assumed to
	// allow (the caller's identity side of a cross-account invoke, the
	// resource policy of another account's resource...).
	Assumed []string
}

// Verdict is the judgement of one door for one request (two probes for a
// function-URL call, both of which must be allowed).
type Verdict struct {
	Door Door // the door judged (never None/Unknown)
	Call *Call
	// Calls are the calls of an outbound verdict that judges several at
	// once (an event source mapping needs three actions); Call is nil then.
	Calls    []Call
	Invoker  *Invoker
	Probes   []Probe
	Decision simulate.Decision // allow when every probe allows, else the first that does not
	// Unknown is true when reads that failed (Unseen) prevent a decision.
	Unknown bool
	Unseen  []account.Unseen
	// Notes are facts a person needs to read the verdict ("the caller's
	// identity policies are in account 4444 and were not read").
	Notes []string
	// Blamed is set when AWS itself reported the denial (a pasted error) in
	// a policy type the model does not hold (a VPC endpoint policy, the
	// target's resource-based policy, an organization policy missing from
	// the model) while the policies seen allow: the door is closed there.
	// BlamedExplicit says AWS reported an explicit deny.
	Blamed         string
	BlamedExplicit bool
}

// Open reports whether the door is open for the request.
func (v *Verdict) Open() bool { return v.Decision == simulate.Allow && !v.Unknown && v.Blamed == "" }

// Format is how a fix is written.
type Format string

// Fix formats (--fix-format).
const (
	CLI            Format = "cli"
	CloudFormation Format = "cloudformation"
	SAM            Format = "sam"
	Terraform      Format = "terraform"
)

// Fix is the smallest change that opens one door for one request.
type Fix struct {
	Door Door
	// Command is one line that pastes into bash unchanged (JSON arguments
	// single-quoted), or a CloudFormation/SAM/Terraform snippet for the
	// other formats. Empty when nobody in this account can apply the fix:
	// then Owner says who must act.
	Command     string
	Format      Format
	Explanation string
	// Verified is true when the fix, applied to an in-memory copy of the
	// function's model, makes every probe of the verdict allow.
	Verified bool
	// Owner names who must act when it is not this account's operator
	// (the organization's administrators for an SCP/RCP, the caller
	// account's owner for its identity side).
	Owner string
	// Document is the new policy document when the fix replaces one
	// (trust policy, an edited identity policy or boundary).
	Document string
}
