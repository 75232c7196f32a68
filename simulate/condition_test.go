package simulate

import (
	"encoding/json"
	"testing"
)

// condHolds parses a one-statement policy with the given Condition element
// and reports whether the statement applies to the request context.
func condHolds(t *testing.T, condition string, ctx Context) bool {
	t.Helper()
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":` + condition + `}}`
	return allowOne(t, doc, "s3:GetObject", "arn:aws:s3:::b/k", ctx) == Allow
}

func one(v string) Value              { return Value{Values: []string{v}} }
func multi(v ...string) Value         { return Value{Values: v, Multi: true} }
func ctxOf(k string, v Value) Context { return Context{k: v} }

type condCase struct {
	name, cond string
	ctx        Context
	want       bool
}

func runCond(t *testing.T, tests []condCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := condHolds(t, tt.cond, tt.ctx); got != tt.want {
				t.Errorf("%s with %v: got %v, want %v", tt.cond, tt.ctx, got, tt.want)
			}
		})
	}
}

// IAM User Guide, "IAM JSON policy elements: Condition operators"
// (reference_policies_elements_condition_operators), String condition operators.
func TestStringOperators(t *testing.T) {
	runCond(t, []condCase{
		{"StringEquals", `{"StringEquals":{"aws:username":"alice"}}`, ctxOf("aws:username", one("alice")), true},
		{"StringEquals is case-sensitive", `{"StringEquals":{"aws:username":"Alice"}}`, ctxOf("aws:username", one("alice")), false},
		{"StringEquals values are ORed", `{"StringEquals":{"aws:username":["bob","alice"]}}`, ctxOf("aws:username", one("alice")), true},
		{"condition key is case-insensitive", `{"StringEquals":{"AWS:USERNAME":"alice"}}`, ctxOf("aws:username", one("alice")), true},
		{"StringEquals takes no wildcard", `{"StringEquals":{"aws:username":"al*"}}`, ctxOf("aws:username", one("alice")), false},
		{"StringNotEquals", `{"StringNotEquals":{"aws:username":["bob","carol"]}}`, ctxOf("aws:username", one("alice")), true},
		{"StringNotEquals is NOR", `{"StringNotEquals":{"aws:username":["bob","alice"]}}`, ctxOf("aws:username", one("alice")), false},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:username":"ALICE"}}`, ctxOf("aws:username", one("alice")), true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:username":"ALICE"}}`, ctxOf("aws:username", one("alice")), false},
		{"StringLike *", `{"StringLike":{"s3:prefix":"home/*"}}`, ctxOf("s3:prefix", one("home/alice/x")), true},
		{"StringLike ?", `{"StringLike":{"s3:prefix":"home/?"}}`, ctxOf("s3:prefix", one("home/ab")), false},
		{"StringLike case-sensitive", `{"StringLike":{"s3:prefix":"Home/*"}}`, ctxOf("s3:prefix", one("home/a")), false},
		{"StringNotLike", `{"StringNotLike":{"s3:prefix":"home/*"}}`, ctxOf("s3:prefix", one("tmp/a")), true},
		{"StringEquals with variable", `{"StringEquals":{"s3:prefix":"home/${aws:username}"}}`, Context{"s3:prefix": one("home/alice"), "aws:username": one("alice")}, true},
		{"StringEquals variable value taken literally", `{"StringEquals":{"s3:prefix":"home/${aws:username}"}}`, Context{"s3:prefix": one("home/x"), "aws:username": one("*")}, false},
		{"StringLike with variable and wildcard", `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, Context{"s3:prefix": one("home/alice/a"), "aws:username": one("alice")}, true},
		{"unresolved variable: positive fails", `{"StringEquals":{"s3:prefix":"home/${aws:username}"}}`, Context{"s3:prefix": one("home/alice")}, false},
		{"unresolved variable: negated fails too", `{"StringNotEquals":{"s3:prefix":"home/${aws:username}"}}`, Context{"s3:prefix": one("home/alice")}, false},
		{"JSON boolean compared as text", `{"StringEquals":{"k":true}}`, ctxOf("k", one("true")), true},
	})
}

// Same page: "If the key that you specify in a policy condition is not present
// in the request context, the values do not match and the condition is false.
// If the policy condition requires that the key is not matched, such as
// StringNotLike or ArnNotLike, and the right key is not present, the condition
// is true." ...IfExists: "If the key is not present, evaluate the condition
// element as true."
func TestMissingKeys(t *testing.T) {
	runCond(t, []condCase{
		{"positive operator fails", `{"StringEquals":{"aws:username":"alice"}}`, nil, false},
		{"StringNotEquals matches", `{"StringNotEquals":{"aws:username":"alice"}}`, nil, true},
		{"StringNotLike matches", `{"StringNotLike":{"aws:username":"a*"}}`, nil, true},
		{"ArnNotLike matches", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:*:t"}}`, nil, true},
		{"NotIpAddress matches", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, true},
		{"NumericNotEquals matches", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, nil, true},
		{"DateNotEquals matches", `{"DateNotEquals":{"aws:CurrentTime":"2026-01-01"}}`, nil, true},
		{"NumericLessThan fails", `{"NumericLessThan":{"s3:max-keys":"10"}}`, nil, false},
		{"Bool fails", `{"Bool":{"aws:SecureTransport":"true"}}`, nil, false},
		{"StringEqualsIfExists matches", `{"StringEqualsIfExists":{"aws:username":"alice"}}`, nil, true},
		{"StringEqualsIfExists checks a present key", `{"StringEqualsIfExists":{"aws:username":"alice"}}`, ctxOf("aws:username", one("bob")), false},
		{"BoolIfExists matches", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}`, nil, true},
		{"IpAddressIfExists matches", `{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, true},
		{"every key must hold (AND)", `{"StringEquals":{"aws:username":"alice","aws:userid":"AIDA"}}`, ctxOf("aws:username", one("alice")), false},
		{"every operator must hold (AND)", `{"StringEquals":{"aws:username":"alice"},"Bool":{"aws:SecureTransport":"true"}}`, ctxOf("aws:username", one("alice")), false},
	})
}

// Same page, "Condition operator to check existence of condition keys": Null.
func TestNull(t *testing.T) {
	runCond(t, []condCase{
		{"true: absent", `{"Null":{"aws:TokenIssueTime":"true"}}`, nil, true},
		{"true: present", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctxOf("aws:TokenIssueTime", one("2026-01-01T00:00:00Z")), false},
		{"false: present", `{"Null":{"aws:TokenIssueTime":"false"}}`, ctxOf("aws:TokenIssueTime", one("x")), true},
		{"false: absent", `{"Null":{"aws:TokenIssueTime":false}}`, nil, false},
		{"key case-insensitive", `{"Null":{"AWS:TOKENISSUETIME":"false"}}`, ctxOf("aws:TokenIssueTime", one("x")), true},
		// An empty multivalued key counts as absent, as a "null data set"
		// does for ForAllValues (reference_policies_condition-single-vs-multi-valued-context-keys).
		{"true: empty set", `{"Null":{"aws:TagKeys":"true"}}`, ctxOf("aws:TagKeys", multi()), true},
		{"false: empty set", `{"Null":{"aws:TagKeys":"false"}}`, ctxOf("aws:TagKeys", multi()), false},
	})
}

// Same page: Numeric, Date, Bool, Binary, IP address and ARN operators.
func TestTypedOperators(t *testing.T) {
	runCond(t, []condCase{
		{"NumericEquals", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctxOf("s3:max-keys", one("10")), true},
		{"NumericEquals decimal", `{"NumericEquals":{"k":"1.50"}}`, ctxOf("k", one("1.5")), true},
		{"NumericEquals JSON number", `{"NumericEquals":{"k":10}}`, ctxOf("k", one("10")), true},
		{"NumericNotEquals", `{"NumericNotEquals":{"k":"10"}}`, ctxOf("k", one("11")), true},
		{"NumericLessThan", `{"NumericLessThan":{"k":"10"}}`, ctxOf("k", one("9")), true},
		{"NumericLessThan equal", `{"NumericLessThan":{"k":"10"}}`, ctxOf("k", one("10")), false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"k":"10"}}`, ctxOf("k", one("10")), true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"k":"10"}}`, ctxOf("k", one("10.5")), true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"k":"10"}}`, ctxOf("k", one("9")), false},
		{"Numeric: non-number request value", `{"NumericLessThan":{"k":"10"}}`, ctxOf("k", one("ten")), false},
		{"DateLessThan ISO", `{"DateLessThan":{"aws:CurrentTime":"2026-12-31T00:00:00Z"}}`, ctxOf("aws:CurrentTime", one("2026-11-25T19:00:00Z")), true},
		{"DateGreaterThan ISO", `{"DateGreaterThan":{"aws:CurrentTime":"2026-12-31T00:00:00Z"}}`, ctxOf("aws:CurrentTime", one("2026-11-25T19:00:00Z")), false},
		{"Date: day only", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2026-11-25"}}`, ctxOf("aws:CurrentTime", one("2026-11-25T00:00:00Z")), true},
		{"Date: offset", `{"DateEquals":{"aws:CurrentTime":"2026-11-25T20:00:00+01:00"}}`, ctxOf("aws:CurrentTime", one("2026-11-25T19:00:00Z")), true},
		{"Date: fraction", `{"DateLessThanEquals":{"aws:CurrentTime":"2026-11-25T19:00:00.000Z"}}`, ctxOf("aws:CurrentTime", one("2026-11-25T19:00:00Z")), true},
		{"Date: epoch both sides", `{"DateLessThan":{"aws:EpochTime":"1800000000"}}`, ctxOf("aws:EpochTime", one("1795636119")), true},
		{"Date: epoch policy, ISO request", `{"DateLessThan":{"aws:CurrentTime":"1800000000"}}`, ctxOf("aws:CurrentTime", one("2026-11-25T19:00:00Z")), true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2026-11-25"}}`, ctxOf("aws:CurrentTime", one("2026-11-26")), true},
		{"Date: bad request value", `{"DateLessThan":{"aws:CurrentTime":"2026-11-25"}}`, ctxOf("aws:CurrentTime", one("soon")), false},
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctxOf("aws:SecureTransport", one("true")), true},
		{"Bool case-insensitive", `{"Bool":{"aws:SecureTransport":"True"}}`, ctxOf("aws:SecureTransport", one("TRUE")), true},
		{"Bool false vs true", `{"Bool":{"aws:SecureTransport":"false"}}`, ctxOf("aws:SecureTransport", one("true")), false},
		{"BinaryEquals", `{"BinaryEquals":{"k":"QmluYXJ5VmFsdWU="}}`, ctxOf("k", one("QmluYXJ5VmFsdWU=")), true},
		{"BinaryEquals differs", `{"BinaryEquals":{"k":"QmluYXJ5VmFsdWU="}}`, ctxOf("k", one("QmluYXJ5VmFsdWF=")), false},
		{"IpAddress v4 CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctxOf("aws:SourceIp", one("203.0.113.7")), true},
		{"IpAddress v4 outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctxOf("aws:SourceIp", one("203.0.114.7")), false},
		{"IpAddress bare address", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, ctxOf("aws:SourceIp", one("203.0.113.7")), true},
		{"IpAddress non-canonical CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.7/24"}}`, ctxOf("aws:SourceIp", one("203.0.113.200")), true},
		{"IpAddress v6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctxOf("aws:SourceIp", one("2001:db8:1234::1")), true},
		{"IpAddress v6 outside", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctxOf("aws:SourceIp", one("2001:db9::1")), false},
		{"IpAddress v4 policy, v6 request", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`, ctxOf("aws:SourceIp", one("2001:db8::1")), false},
		{"NotIpAddress", `{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}`, ctxOf("aws:SourceIp", one("203.0.113.7")), true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}`, ctxOf("aws:SourceIp", one("10.1.2.3")), false},
		{"IpAddress: bad request value", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctxOf("aws:SourceIp", one("ten")), false},
		{"ArnLike", `{"ArnLike":{"aws:SourceArn":"arn:aws:execute-api:us-east-1:111122223333:a1b2/*/POST/orders"}}`, ctxOf("aws:SourceArn", one("arn:aws:execute-api:us-east-1:111122223333:a1b2/prod/POST/orders")), true},
		{"ArnLike other API", `{"ArnLike":{"aws:SourceArn":"arn:aws:execute-api:us-east-1:111122223333:zz9y/*"}}`, ctxOf("aws:SourceArn", one("arn:aws:execute-api:us-east-1:111122223333:a1b2/prod/POST/orders")), false},
		{"ArnEquals takes wildcards too", `{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:*:topic"}}`, ctxOf("aws:SourceArn", one("arn:aws:sns:us-east-1:111122223333:topic")), true},
		{"ArnLike: '*' stays in its part", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:topic"}}`, ctxOf("aws:SourceArn", one("arn:aws:sns:us-east-1:111122223333:topic")), false},
		{"ArnNotLike", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:*:other"}}`, ctxOf("aws:SourceArn", one("arn:aws:sns:us-east-1:111122223333:topic")), true},
		{"ArnNotEquals matching", `{"ArnNotEquals":{"aws:SourceArn":"arn:aws:sns:*:*:topic"}}`, ctxOf("aws:SourceArn", one("arn:aws:sns:us-east-1:111122223333:topic")), false},
		{"ArnLike: request value not an ARN", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:topic"}}`, ctxOf("aws:SourceArn", one("topic")), false},
		// "Each of the six colon-delimited components of the ARN is checked
		// separately": a value that is not a six-part ARN matches nothing,
		// and the negated operators fail on it as well.
		{"ArnLike bare star", `{"ArnLike":{"aws:SourceArn":"*"}}`, ctxOf("aws:SourceArn", one("arn:aws:sns:us-east-1:111122223333:topic")), false},
		{"ArnNotLike bare star", `{"ArnNotLike":{"aws:SourceArn":"*"}}`, ctxOf("aws:SourceArn", one("arn:aws:sns:us-east-1:111122223333:topic")), false},
		{"ArnNotLike: request value not an ARN", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:*:topic"}}`, ctxOf("aws:SourceArn", one("topic")), false},
		{"ArnLike is case-sensitive in every part", `{"ArnLike":{"aws:SourceArn":"arn:aws:SNS:*:*:topic"}}`, ctxOf("aws:SourceArn", one("arn:aws:sns:us-east-1:111122223333:topic")), false},
		{"ArnNotLike with variable, other account", `{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:${aws:PrincipalAccount}:*"}}`, Context{"aws:SourceArn": one("arn:aws:sns:us-east-1:999999999999:t"), "aws:PrincipalAccount": one("111122223333")}, true},
		{"ArnLike with variable", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:${aws:PrincipalAccount}:*"}}`, Context{"aws:SourceArn": one("arn:aws:sns:us-east-1:111122223333:t"), "aws:PrincipalAccount": one("111122223333")}, true},
	})
}

// IAM User Guide, "Single-valued vs. multivalued context keys"
// (reference_policies_condition-single-vs-multi-valued-context-keys):
// ForAllValues returns true when every request value matches, and also when
// the key is absent or empty; ForAnyValue needs one matching value and is
// false for an absent or empty key. A multivalued key needs a set operator.
func TestSetOperators(t *testing.T) {
	runCond(t, []condCase{
		{"ForAnyValue one matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]}}`, ctxOf("aws:TagKeys", multi("team", "cost")), true},
		{"ForAnyValue none matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, ctxOf("aws:TagKeys", multi("team", "cost")), false},
		{"ForAnyValue absent", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, nil, false},
		{"ForAnyValue empty", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}`, ctxOf("aws:TagKeys", multi()), false},
		{"ForAnyValue single-valued key", `{"ForAnyValue:StringEquals":{"aws:username":["alice"]}}`, ctxOf("aws:username", one("alice")), true},
		{"ForAnyValue:StringNotEquals one outside", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env"]}}`, ctxOf("aws:TagKeys", multi("env", "team")), true},
		{"ForAnyValue:StringNotEquals all inside", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["env","team"]}}`, ctxOf("aws:TagKeys", multi("env", "team")), false},
		{"ForAnyValue:StringLike", `{"ForAnyValue:StringLike":{"aws:TagKeys":["cost*"]}}`, ctxOf("aws:TagKeys", multi("team", "costcenter")), true},
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team","cost"]}}`, ctxOf("aws:TagKeys", multi("team", "cost")), true},
		{"ForAllValues one outside", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}`, ctxOf("aws:TagKeys", multi("team", "cost")), false},
		{"ForAllValues absent is true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`, nil, true},
		{"ForAllValues empty is true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}`, ctxOf("aws:TagKeys", multi()), true},
		{"ForAllValues:StringNotEquals none inside", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctxOf("aws:TagKeys", multi("team", "cost")), true},
		{"ForAllValues:StringNotEquals one inside", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["secret"]}}`, ctxOf("aws:TagKeys", multi("team", "secret")), false},
		{"ForAllValues case of the key", `{"ForAllValues:StringEquals":{"AWS:TAGKEYS":["team"]}}`, ctxOf("aws:TagKeys", multi("team")), true},
		{"set operator is case-insensitive", `{"forallvalues:stringequals":{"aws:TagKeys":["team"]}}`, ctxOf("aws:TagKeys", multi("team")), true},
		// re:Post "ForAnyValue:StringEqualsIfExists behaving unexpectedly"
		// (QU9HFmDzP0QGuU-fd7rS6B7w): AWS denied with the key absent.
		{"ForAnyValue IfExists absent is still false", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["env"]}}`, nil, false},
		{"single-valued operator on multivalued key never matches", `{"StringEquals":{"aws:TagKeys":"team"}}`, ctxOf("aws:TagKeys", multi("team")), false},
		{"negated single-valued operator on multivalued key fails too", `{"StringNotEquals":{"aws:TagKeys":"env"}}`, ctxOf("aws:TagKeys", multi("team")), false},
	})
}

func TestConditionValuesAreKept(t *testing.T) {
	p := MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*",true,3]}}}}`)
	c := p.Statements[0].Conditions[0]
	b, _ := json.Marshal(c.Values)
	if c.Operator != "ForAnyValue:StringLikeIfExists" || c.Key != "aws:TagKeys" || string(b) != `["a*","true","3"]` {
		t.Errorf("got %s %s %s", c.Operator, c.Key, b)
	}
}
