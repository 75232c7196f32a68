package simulate

import (
	"fmt"
	"strings"
	"testing"
)

// allowOne evaluates one identity policy for a user of account 111122223333.
func allowOne(t *testing.T, doc string, action, resource string, ctx Context) Decision {
	t.Helper()
	p, err := ParseString(doc)
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	r, err := Evaluate(&Input{
		Identity: []NamedPolicy{{Name: "identity[0]", Policy: p}},
		Request:  Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: action, Resource: resource, Context: ctx},
	})
	if err != nil {
		t.Fatal(err)
	}
	return r.Decision
}

func actionPolicy(actions string) string {
	return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":` + actions + `,"Resource":"*"}}`
}

// IAM User Guide, "IAM JSON policy elements: Action"
// (reference_policies_elements_action): action names are case-insensitive
// and take * and ? wildcards.
func TestActionMatching(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{`"*"`, "dynamodb:Query", true},
		{`"dynamodb:Query"`, "dynamodb:Query", true},
		{`"dynamodb:query"`, "DynamoDB:QUERY", true},
		{`"DYNAMODB:*"`, "dynamodb:Query", true},
		{`"dynamodb:Get*"`, "dynamodb:GetItem", true},
		{`"dynamodb:Get*"`, "dynamodb:BatchGetItem", false},
		{`"dynamodb:*Item"`, "dynamodb:BatchGetItem", true},
		{`"dynamodb:Get?tem"`, "dynamodb:GetItem", true},
		{`"dynamodb:Get?tem"`, "dynamodb:GetIttem", false},
		{`"dynamodb:Querry"`, "dynamodb:Query", false},
		{`"s3:GetObject"`, "s3:GetObjectAcl", false},
		{`"s3:GetObject*"`, "s3:GetObjectAcl", true},
		{`["sqs:SendMessage","dynamodb:Query"]`, "dynamodb:Query", true},
		{`"dynamodb:Query"`, "dynamodbx:Query", false},
		{`"dynamo*:Query"`, "dynamodb:Query", false}, // no wildcard in the service prefix
		{`"*:Query"`, "dynamodb:Query", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.action, func(t *testing.T) {
			got := allowOne(t, actionPolicy(tt.pattern), tt.action, "*", nil) == Allow
			if got != tt.want {
				t.Errorf("got match %v, want %v", got, tt.want)
			}
		})
	}
}

func resourcePolicy(version, resources string) string {
	v := ""
	if version != "" {
		v = `"Version":"` + version + `",`
	}
	return `{` + v + `"Statement":{"Effect":"Allow","Action":"*","Resource":` + resources + `}}`
}

// IAM User Guide, "IAM JSON policy elements: Resource"
// (reference_policies_elements_resource) and "IAM identifiers / ARNs"
// (reference-arns): wildcards may be used in every part of the ARN; each part
// is matched on its own, and the resource part matches across ':' and '/'.
func TestResourceMatching(t *testing.T) {
	const fn = "arn:aws:lambda:us-east-1:111122223333:function:orders"
	tests := []struct {
		pattern, resource string
		want              bool
	}{
		{`"*"`, fn, true},
		{`"` + fn + `"`, fn, true},
		{`"` + fn + `"`, fn + ":live", false},
		{`"` + fn + `:*"`, fn + ":live", true},
		{`"` + fn + `*"`, fn + ":live", true},
		{`"arn:aws:lambda:us-east-1:111122223333:function:*"`, fn + ":live", true}, // across ':'
		{`"arn:aws:lambda:*:111122223333:function:orders"`, fn, true},
		{`"arn:aws:lambda:us-*-1:111122223333:function:orders"`, fn, true},
		{`"arn:aws:lambda:us-east-?:111122223333:function:orders"`, fn, true},
		{`"arn:aws:lambda:*:*:function:orders"`, fn, true},
		{`"arn:aws:lambda:us-east-1:222233334444:function:orders"`, fn, false},
		{`"arn:aws:*:us-east-1:111122223333:function:orders"`, fn, true},
		{`"arn:*:lambda:us-east-1:111122223333:function:orders"`, fn, true},
		// A '*' in the region stays within the region: it cannot absorb ':'.
		{`"arn:aws:lambda:*:function:orders"`, fn, false},
		// Partition, service, region and account are case-insensitive, the
		// resource part is not.
		{`"arn:aws:LAMBDA:US-EAST-1:111122223333:function:orders"`, fn, true},
		{`"arn:aws:lambda:us-east-1:111122223333:function:Orders"`, fn, false},
		{`"arn:aws:s3:::reports/*"`, "arn:aws:s3:::reports/2026/q1.csv", true},
		{`"arn:aws:s3:::reports/*"`, "arn:aws:s3:::reports", false},
		{`"arn:aws:s3:::rep*"`, "arn:aws:s3:::reports/a/b", true},
		{`"arn:aws:s3:::reports/??.csv"`, "arn:aws:s3:::reports/q1.csv", true},
		{`"arn:aws:s3:::reports/??.csv"`, "arn:aws:s3:::reports/q10.csv", false},
		{`"arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/*"`, "arn:aws:dynamodb:us-east-1:111122223333:table/Orders", false},
		{`"arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/orders:*"`, "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/orders:log-stream:2026/x", true},
		{`["arn:aws:s3:::a/*","arn:aws:s3:::b/*"]`, "arn:aws:s3:::b/k", true},
		// Segment rules: "If the * wildcard is the last character of a resource
		// ARN segment, it can expand to match beyond the colon boundaries";
		// other wildcards stay within their colon-separated segment.
		{`"` + fn + `*live"`, fn + ":live", false},
		{`"arn:aws:lambda:us-east-1:111122223333:function:*:live"`, fn + ":live", true},
		{`"arn:aws:lambda:us-east-1:111122223333:function:?rders:*"`, fn + ":live", true},
		{`"arn:aws:lambda:us-east-1:111122223333:fun?tion:orders"`, fn, true},
		{`"arn:aws:lambda:us-east-1:111122223333:*:orders"`, fn, true},
		{`"arn:aws:lambda:us-east-1:111122223333:*:*"`, fn + ":live", true},
		{`"arn:aws:lambda:us-east-1:111122223333:*:live"`, fn + ":live", true},
		{`"arn:aws:lambda:us-east-1:111122223333:function"`, fn, false},
		{`"arn:aws:dynamodb:us-east-1:111122223333:t?ble/Orders/stream/*"`, "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2024-06-01T00:00:00.000", true},
		{`"arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2024-06-01T0?:00:00.000"`, "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2024-06-01T00:00:00.000", true},
		{`"arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2024-06-01T00?00:00.000"`, "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2024-06-01T00:00:00.000", false},
		// Actions without a resource type are requested on "*".
		{`"arn:aws:s3:::*"`, "*", false},
		{`"*"`, "*", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.resource, func(t *testing.T) {
			got := allowOne(t, resourcePolicy("2012-10-17", tt.pattern), "s3:GetObject", tt.resource, nil) == Allow
			if got != tt.want {
				t.Errorf("got match %v, want %v", got, tt.want)
			}
		})
	}
}

// IAM User Guide, "IAM policy elements: Variables and tags"
// (reference_policies_variables): variables in Resource and in condition
// values, special characters ${*} ${?} ${$}, default values, only with
// Version 2012-10-17; a variable with no value makes the element not match.
func TestPolicyVariables(t *testing.T) {
	alice := Context{"aws:username": {Values: []string{"alice"}}, "aws:PrincipalTag/team": {Values: []string{"payments"}}}
	tests := []struct {
		name, version, pattern, resource string
		ctx                              Context
		want                             bool
	}{
		{"username", "2012-10-17", `"arn:aws:s3:::home/${aws:username}/*"`, "arn:aws:s3:::home/alice/x", alice, true},
		{"username other user", "2012-10-17", `"arn:aws:s3:::home/${aws:username}/*"`, "arn:aws:s3:::home/bob/x", alice, false},
		{"key is case-insensitive", "2012-10-17", `"arn:aws:s3:::home/${AWS:UserName}/*"`, "arn:aws:s3:::home/alice/x", alice, true},
		{"principal tag", "2012-10-17", `"arn:aws:s3:::teams/${aws:PrincipalTag/team}/*"`, "arn:aws:s3:::teams/payments/a", alice, true},
		{"missing key: no match", "2012-10-17", `"arn:aws:s3:::home/${aws:userid}/*"`, "arn:aws:s3:::home/alice/x", alice, false},
		{"missing key: not even with a literal", "2012-10-17", `"arn:aws:s3:::home/${aws:userid}/*"`, "arn:aws:s3:::home/${aws:userid}/x", alice, false},
		{"default value", "2012-10-17", `"arn:aws:s3:::home/${aws:userid, 'shared'}/*"`, "arn:aws:s3:::home/shared/x", alice, true},
		{"default unused when key present", "2012-10-17", `"arn:aws:s3:::home/${aws:username, 'shared'}/*"`, "arn:aws:s3:::home/shared/x", alice, false},
		{"${*} is a literal star", "2012-10-17", `"arn:aws:s3:::b/a${*}b"`, "arn:aws:s3:::b/a*b", nil, true},
		{"${*} does not match anything", "2012-10-17", `"arn:aws:s3:::b/a${*}b"`, "arn:aws:s3:::b/axxb", nil, false},
		{"${?} is a literal question mark", "2012-10-17", `"arn:aws:s3:::b/a${?}"`, "arn:aws:s3:::b/a?", nil, true},
		{"${?} does not match a letter", "2012-10-17", `"arn:aws:s3:::b/a${?}"`, "arn:aws:s3:::b/ax", nil, false},
		{"${$} is a dollar", "2012-10-17", `"arn:aws:s3:::b/${$}x"`, "arn:aws:s3:::b/$x", nil, true},
		{"value is literal, not a wildcard", "2012-10-17", `"arn:aws:s3:::home/${aws:username}/x"`, "arn:aws:s3:::home/al/x", Context{"aws:username": {Values: []string{"a*"}}}, false},
		{"multivalued key cannot be a variable", "2012-10-17", `"arn:aws:s3:::home/${aws:TagKeys}/x"`, "arn:aws:s3:::home/a/x", Context{"aws:TagKeys": {Values: []string{"a"}, Multi: true}}, false},
		{"2008-10-17: no variables", "2008-10-17", `"arn:aws:s3:::home/${aws:username}/*"`, "arn:aws:s3:::home/alice/x", alice, false},
		{"2008-10-17: taken literally", "2008-10-17", `"arn:aws:s3:::home/${aws:username}/*"`, "arn:aws:s3:::home/${aws:username}/x", alice, true},
		{"no version: no variables", "", `"arn:aws:s3:::home/${aws:username}/*"`, "arn:aws:s3:::home/alice/x", alice, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := allowOne(t, resourcePolicy(tt.version, tt.pattern), "s3:GetObject", tt.resource, tt.ctx) == Allow
			if got != tt.want {
				t.Errorf("got match %v, want %v", got, tt.want)
			}
		})
	}
}

// NotResource with a variable that cannot be resolved matches nothing either
// (the statement does not apply).
func TestNotResourceUnresolvedVariable(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::home/${aws:userid}/*"}}`
	if got := allowOne(t, doc, "s3:GetObject", "arn:aws:s3:::other/x", nil); got != ImplicitDeny {
		t.Errorf("got %s, want implicit_deny", got)
	}
	ctx := Context{"aws:userid": {Values: []string{"AIDA1"}}}
	if got := allowOne(t, doc, "s3:GetObject", "arn:aws:s3:::other/x", ctx); got != Allow {
		t.Errorf("resolved: got %s, want allow", got)
	}
	if got := allowOne(t, doc, "s3:GetObject", "arn:aws:s3:::home/AIDA1/x", ctx); got != ImplicitDeny {
		t.Errorf("excluded: got %s, want implicit_deny", got)
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"", "", true}, {"*", "", true}, {"?", "", false}, {"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false}, {"**", "abc", true}, {"*a", "bbba", true}, {"?é", "xé", true},
		{"é?", "éx", true}, {"?", "é", true}, {"a?c", "aéc", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q~%q", tt.p, tt.s), func(t *testing.T) {
			if got := glob(tt.p, tt.s, false); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// Many star-ended segments against many colons stay polynomial.
func TestResourcePartManyStars(t *testing.T) {
	pat := "arn:aws:logs:us-east-1:111122223333:" + strings.Repeat("*:", 40) + "x"
	res := "arn:aws:logs:us-east-1:111122223333:" + strings.Repeat("a:", 200) + "y"
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:*","Resource":"` + pat + `"}}`
	if got := allowOne(t, doc, "logs:GetLogEvents", res, nil); got != ImplicitDeny {
		t.Errorf("got %s", got)
	}
	if got := allowOne(t, doc, "logs:GetLogEvents", res[:len(res)-1]+"x", nil); got != Allow {
		t.Errorf("got %s", got)
	}
}
