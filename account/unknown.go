package account

import "strings"

// A model read from an infrastructure template (package account/template)
// holds values the template cannot know. They are written as markers inside
// the strings where they stand, so that an ARN keeps its shape around them:
//
//	arn:aws:sqs:us-east-1:{{unknown.AWS-AccountId}}:orders
//	arn:aws:lambda:us-east-1:111122223333:function:{{generated.Name.OrdersFunction}}
//
// {{unknown.KIND.DETAIL}} is a value from outside the template: an
// !ImportValue, a parameter without a default or --parameter, a dynamic
// reference, a pseudo parameter not given (--region, --account), an
// attribute of a nested stack or custom resource. {{generated.KIND.ID}} is
// a value CloudFormation assigns at deploy time to a resource of the
// template (a generated name, an API id, a version number): unknown before
// deploy, but the template uses it consistently.
//
// Equal markers stand for equal values; a marker and any other text may or
// may not be equal. So a requirement whose request and policy both use the
// same marker can be judged; one that compares a marker with other text,
// or matches it against a pattern, is undecided. Markers hold no ':', '/',
// '*', '?', '$' or white space, so ARN fields and policy wildcards stay
// where they are.
const (
	UnknownPrefix   = "{{unknown."
	GeneratedPrefix = "{{generated."
	MarkerEnd       = "}}"
)

// HasUnknown reports whether s holds a value from outside the template.
func HasUnknown(s string) bool { return strings.Contains(s, UnknownPrefix) }

// HasGenerated reports whether s holds a value CloudFormation assigns at
// deploy time.
func HasGenerated(s string) bool { return strings.Contains(s, GeneratedPrefix) }

// HasMarker reports whether s holds an unknown or generated value.
func HasMarker(s string) bool { return HasUnknown(s) || HasGenerated(s) }
