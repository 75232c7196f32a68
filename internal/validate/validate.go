// Package validate rejects requests AWS could not make before any of them
// is judged or fixed: an action that does not exist, a resource that is not
// an ARN or not one the action acts on, a principal or source ARN of the
// wrong shape, a region name that is no region. Every function is pure (no
// I/O) and draws its facts from the service authorization reference in
// simulate/iamdata; unknown actions are found by simulate's own action lint.
//
// Every error is an *Error: one line, without control characters (values are
// shown through term.Line and cut when long), saying what was wrong and what
// is expected. Callers map it to exit 2 and add the flag or spec field:
//
//	action, err := validate.Action(o.Action)           // --action, spec calls[].action; AWS's spelling back
//	err = validate.Resource(action, o.Resource, part)  // --resource, spec calls[].resource; part: the function's partition or ""
//	p, err := validate.Principal(o.Caller)             // --caller: kind (service, account, role, session, ...)
//	src, err := validate.SourceARN(o.SourceARN)        // --source-arn: service and the principals that invoke with it
//	err = validate.Invoker(p, src)                     // --caller and --source-arn together
//	part, err := validate.Region(o.Region)             // --region: its partition
//	a, err := validate.ParseARN(s)                     // any ARN (a key or layer ARN)
//	f, err := validate.FunctionName(o.Function)        // --function: NAME, NAME:QUALIFIER or a function ARN
//	err = validate.Qualifier(o.Qualifier)              // --qualifier, a spec's qualifier
//
// Resource asks for "*" only from actions that take no resource, and for
// the ARN of one of the action's resource types from every other action,
// naming the ARN formats of the service authorization reference when the
// ARN given does not fit.
//
// Region names are checked by their syntax and by the partitions' region
// patterns (the AWS SDKs' partitions.json), not against a list of regions:
// a list rots as regions open, a pattern does not. A name that fits the
// syntax but no partition's pattern is accepted in the aws partition, as
// the SDKs do; "us-east-1a" (a zone), "useast1" or "US-EAST-1" are not.
package validate

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lambda-doctor/lambda-doctor/internal/term"
)

// Error is an input AWS would refuse. Its message is one line and holds no
// control characters.
type Error struct {
	// What is the kind of input: "action", "resource", "ARN", "principal",
	// "source ARN" or "region".
	What string
	// Value is the input as given (raw: escape it before showing it).
	Value string
	msg   string
}

func (e *Error) Error() string { return e.msg }

// errorf builds an *Error; the format's %s arguments should come from show.
func errorf(what, value, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{What: what, Value: value, msg: term.Line(msg)}
}

// show quotes a value for a message: control characters escaped, long
// values cut.
func show(s string) string {
	const max = 120
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return quote(s[:cut]+"...") + fmt.Sprintf(" (%d bytes)", len(s))
	}
	return quote(s)
}

func quote(s string) string { return `"` + strings.ReplaceAll(term.Line(s), `"`, `\"`) + `"` }
