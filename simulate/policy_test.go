package simulate

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// Grammar: IAM User Guide, "IAM JSON policy element reference"
// (reference_policies_elements) and "Grammar of the IAM JSON policy language"
// (reference_policies_grammar).
func TestParseGrammarForms(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want func(t *testing.T, p *Policy)
	}{
		{"statement as object, strings", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
			func(t *testing.T, p *Policy) {
				s := p.Statements[0]
				if s.Effect != "Allow" || !reflect.DeepEqual(s.Action, []string{"s3:GetObject"}) || !reflect.DeepEqual(s.Resource, []string{"arn:aws:s3:::b/*"}) {
					t.Errorf("got %+v", s)
				}
			}},
		{"statement array, lists, sid, id", `{"Version":"2012-10-17","Id":"p1","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":["*"]},{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			func(t *testing.T, p *Policy) {
				if p.ID != "p1" || len(p.Statements) != 2 || p.Statements[0].Sid != "A" || p.Statements[1].Index != 1 {
					t.Errorf("got %+v", p)
				}
				if !reflect.DeepEqual(p.Statements[0].NotAction, []string{"iam:*", "sts:*"}) || p.Statements[0].Action != nil {
					t.Errorf("NotAction: got %+v", p.Statements[0])
				}
			}},
		{"principal star", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`,
			func(t *testing.T, p *Policy) {
				if pr := p.Statements[0].Principal; pr == nil || !pr.All {
					t.Errorf("got %+v", pr)
				}
			}},
		{"principal map of every type", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/r"],"Service":"lambda.amazonaws.com","Federated":"cognito-identity.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},"Action":"s3:GetObject","Resource":"*"}}`,
			func(t *testing.T, p *Policy) {
				v := p.Statements[0].Principal.Values
				if len(v["AWS"]) != 2 || v["Service"][0] != "lambda.amazonaws.com" || v["Federated"] == nil || v["CanonicalUser"] == nil {
					t.Errorf("got %+v", v)
				}
			}},
		{"moto bare-string principal", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"210987654321","Action":"lambda:InvokeFunction","Resource":"*"}}`,
			func(t *testing.T, p *Policy) {
				if v := p.Statements[0].Principal.Values["AWS"]; !reflect.DeepEqual(v, []string{"210987654321"}) {
					t.Errorf("got %v", v)
				}
			}},
		{"condition values: string, list, bool, number", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":10},"StringEquals":{"aws:username":["a","b"]}}}}`,
			func(t *testing.T, p *Policy) {
				got := map[string][]string{}
				for _, c := range p.Statements[0].Conditions {
					got[c.Operator+" "+c.Key] = c.Values
				}
				want := map[string][]string{"Bool aws:SecureTransport": {"true"}, "NumericLessThan s3:max-keys": {"10"}, "StringEquals aws:username": {"a", "b"}}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			}},
		{"moto top-level function URL keys become conditions", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"*","FunctionUrlAuthType":"NONE","InvokedViaFunctionUrl":true}}`,
			func(t *testing.T, p *Policy) {
				cs := p.Statements[0].Conditions
				if len(cs) != 2 || cs[0].Operator != "StringEquals" || cs[0].Key != "lambda:FunctionUrlAuthType" || cs[0].Values[0] != "NONE" ||
					cs[1].Operator != "Bool" || cs[1].Key != "lambda:InvokedViaFunctionUrl" || cs[1].Values[0] != "true" {
					t.Errorf("got %+v", cs)
				}
			}},
		{"unknown statement keys are tolerated", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Comment":"x"}}`,
			func(t *testing.T, p *Policy) {}},
		{"no version", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
			func(t *testing.T, p *Policy) {
				if p.Version != "" {
					t.Errorf("got version %q", p.Version)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseString(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			tt.want(t, p)
		})
	}
}

// IAM's Get* APIs return documents "URL-encoded compliant with RFC 3986"
// (IAM API Reference, GetRolePolicy); aws-facts §10: decode exactly once.
func TestParseURLEncoded(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a%2Fb c+d"}]}`
	enc := url.QueryEscape(doc)
	p, err := ParseString(enc)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Statements[0].Resource[0]; got != "arn:aws:s3:::b/a%2Fb c+d" {
		t.Errorf("got %q, want the literal %%2F kept (decoded once)", got)
	}
	// %20 (path escaping) decodes too.
	p, err = ParseString(strings.ReplaceAll(enc, "+", "%20"))
	if err != nil || p.Statements[0].Action[0] != "s3:GetObject" {
		t.Fatalf("got %v, %v", p, err)
	}
}

func TestParseErrorsNameTheElement(t *testing.T) {
	tests := []struct{ doc, want string }{
		{``, "empty policy document"},
		{`{`, "invalid JSON"},
		{`%zz`, "neither JSON nor URL-encoded"},
		{`[]`, "not a JSON object"},
		{`%7Bnot`, "invalid JSON"},
		{`{"Version":"2012-10-18","Statement":[]}`, `Version: unknown version "2012-10-18"`},
		{`{"Version":"2012-10-17"}`, "Statement: missing"},
		{`{"Version":"2012-10-17","Statement":"x"}`, "Statement: must be an object or an array"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"allow","Action":"s3:*","Resource":"*"}]}`, `Statement[1].Effect: must be "Allow" or "Deny"`},
		{`{"Version":"2012-10-17","Statement":[{"Action":"s3:*","Resource":"*"}]}`, "Statement[0].Effect: missing"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, "Statement[0]: has neither Action nor NotAction"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:*","Resource":"*"}]}`, "Statement[0]: has both Action and NotAction"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"*"}]}`, "has both Resource and NotResource"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3","Resource":"*"}]}`, `Statement[0].Action[0]: action "s3" is not of the form service:action`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`, "Statement[0].Action: is empty"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}`, "Statement[0].Action: must be a string or an array of strings"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Bogus":"x"},"Action":"s3:*","Resource":"*"}]}`, `Statement[0].Principal: unknown principal type "Bogus"`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":5,"Action":"s3:*","Resource":"*"}]}`, `Statement[0].Principal: must be "*" or an object`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"x"}}}]}`, `Statement[2].Condition: unknown operator "StringEqualz"`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}}]}`, `unknown operator "NullIfExists"`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericEquals":{"k":"ten"}}}]}`, `Statement[0].Condition.NumericEquals.k: "ten" is not a number`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"k":"yesterday"}}}]}`, `is not a date`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}]}`, `is not an IP address or CIDR block`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"k":"yes"}}}]}`, `"yes" is not a boolean`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"BinaryEquals":{"k":"***"}}}]}`, `is not base64`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"k":[]}}}]}`, `empty array of values`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"k":{"a":1}}}}]}`, `a value must be a string, boolean or number`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":"x"}}]}`, `Statement[0].Condition.StringEquals: must be an object of condition keys`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := ParseString(tt.doc)
			if err == nil {
				t.Fatalf("no error for %s", tt.doc)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestPolicyJSONRoundTrip(t *testing.T) {
	doc := `{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"Service":["apigateway.amazonaws.com"]},"Action":["lambda:InvokeFunction"],"Resource":["arn:aws:lambda:us-east-1:111122223333:function:f"],"Condition":{"ArnLike":{"AWS:SourceArn":["arn:aws:execute-api:us-east-1:111122223333:abc/*"]}}},{"Effect":"Deny","Principal":"*","NotAction":["s3:*"],"NotResource":["*"]}]}`
	p := MustParse(doc)
	b, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(b)
	if err != nil {
		t.Fatalf("re-parse %s: %v", b, err)
	}
	b2, _ := q.JSON()
	if string(b) != string(b2) {
		t.Errorf("round trip differs:\n%s\n%s", b, b2)
	}
	if !strings.Contains(string(b), `"Principal":"*"`) || !strings.Contains(string(b), `"ArnLike":{"AWS:SourceArn"`) {
		t.Errorf("got %s", b)
	}
}

// A document that is not valid UTF-8 is an error, never repaired: JSON text
// is UTF-8 (RFC 8259, section 8.1) and AWS rejects such a policy.
func TestParseRejectsInvalidUTF8(t *testing.T) {
	for _, tt := range []struct{ name, doc, want string }{
		{"raw byte in a value", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"a\xffb\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}", "not valid UTF-8 (at byte 45)"},
		{"truncated sequence", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/\xe2\x82\"}}", "not valid UTF-8"},
		{"URL-encoded", "%7B%22Statement%22%3A%7B%22Sid%22%3A%22%FF%22%7D%7D", "URL-decoded document is not valid UTF-8"},
		{"unpaired surrogate escape", `{"Version":"2012-10-17","Statement":{"Sid":"\ud800","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "unpaired surrogate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseString(tt.doc)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	cp := NewCaseParser("c.jsonl")
	_, err := cp.Parse(3, "{\"id\":\"x\",\"request\":{\"principal\":\"*\",\"action\":\"s3:GetObject\",\"resource\":\"arn:aws:s3:::b/\xc0\"}}")
	if err == nil || !strings.Contains(err.Error(), "c.jsonl:3: invalid case: not valid UTF-8 (at byte 88)") {
		t.Errorf("case line: got %v", err)
	}
}
