package simulate

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzPolicies = []string{
	`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`,
	`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::home/${aws:username}/*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com","AWS":["111122223333","arn:aws:iam::111122223333:role/r"]},"Action":"lambda:InvokeFunction","Resource":"*","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:*:*:a1/*"},"ForAllValues:StringLike":{"aws:TagKeys":["a*"]},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]},"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"},"NumericLessThanEquals":{"k":3},"Null":{"x":"true"},"BoolIfExists":{"b":false},"BinaryEquals":{"bin":"QQ=="}}}]}`,
	`{"Statement":{"Effect":"Allow","NotPrincipal":"*","Action":"*","Resource":"*","FunctionUrlAuthType":"NONE","InvokedViaFunctionUrl":true}}`,
	`%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%7D`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:PrincipalTag/team, 'x'}${*}${?}${$}\u00e9\ud83d\ude00"}]}`,
	`{"a":[1,2.5e-3,-0,true,false,null,{"b":"\"\\\/\b\f\n\r\t"}]}`,
}

// FuzzParse: any input gives a policy or an error, never a panic; a parsed
// policy serializes to a document that parses again; the JSON parser accepts
// exactly what encoding/json accepts.
func FuzzParse(f *testing.F) {
	for _, p := range fuzzPolicies {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var tr jtree
		jerr := tr.parse(doc)
		valid := json.Valid([]byte(doc))
		// jtree accepts what encoding/json accepts, but an unpaired
		// surrogate escape (no UTF-8 text holds one).
		if (jerr == nil) != valid && !(valid && strings.Contains(jerr.Error(), "unpaired surrogate")) {
			t.Fatalf("jtree error %v, json.Valid %v for %q", jerr, valid, doc)
		}
		p, err := ParseString(doc)
		if err != nil {
			if p != nil {
				t.Fatal("policy and error")
			}
			return
		}
		if !utf8.ValidString(doc) {
			t.Fatalf("invalid UTF-8 accepted: %q", doc)
		}
		b, err := p.JSON()
		if err != nil {
			t.Fatal(err)
		}
		q, err := Parse(b)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", b, err)
		}
		if len(q.Statements) != len(p.Statements) {
			t.Fatalf("statements: %d then %d", len(p.Statements), len(q.Statements))
		}
		_ = UnknownActions(p)
	})
}

// FuzzEvaluate: any case line is evaluated or rejected, never a panic; the
// decision does not depend on whether a trace is kept, and Explain works.
func FuzzEvaluate(f *testing.F) {
	for _, p := range fuzzPolicies {
		f.Add(`{"id":"x","identity_policies":[`+p+`],"resource_policy":`+p+`,"request":{"principal":"arn:aws:sts::111122223333:assumed-role/r/s","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{"aws:username":"alice","aws:TagKeys":["a","b"],"aws:SourceIp":"10.1.2.3"}}}`, "")
	}
	f.Add(`{"id":1,"scps":[[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}],[]],"rcps":[],"permissions_boundary":null,"session_policy":"%7B%7D","request":{"principal":"*","action":"a:b","resource":"*"}}`, "apigateway.amazonaws.com")
	f.Add(`{"id":"amb","identity_policies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"arn:aws:lambda:us-east-1:111122223333:function:*prod"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ArnNotLikeIfExists":{"aws:SourceArn":"arn:aws:lambda:*:*:function?x:*"}}}]}],"request":{"principal":"arn:aws:iam::111122223333:user/u","action":"lambda:InvokeFunction","resource":"arn:aws:lambda:us-east-1:111122223333:function:pay:prod","context":{"aws:SourceArn":"arn:aws:lambda:us-east-1:111122223333:function:x:1"}}}`, "")
	f.Add(`{"id":"k","resource_policy":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}},"request":{"principal":"arn:aws:iam::111122223333:user/u","action":"kms:Decrypt","resource":"arn:aws:kms:us-east-1:111122223333:key/k"}}`, "arn:aws:sts::111122223333:federated-user/u")
	f.Fuzz(func(t *testing.T, line, principal string) {
		cp := NewCaseParser("fuzz")
		c, err := cp.Parse(1, line)
		if err != nil || c == nil {
			return
		}
		if principal != "" {
			c.Input.Request.Principal = principal
		}
		full, err1 := Evaluate(&c.Input)
		fast, err2 := Decide(&c.Input)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("Evaluate error %v, Decide error %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		if full.Decision != fast.Decision || len(full.Deciding) != len(fast.Deciding) || len(full.Ambiguous) != len(fast.Ambiguous) {
			t.Fatalf("Evaluate %s %v %v, Decide %s %v %v", full.Decision, full.Deciding, full.Ambiguous, fast.Decision, fast.Deciding, fast.Ambiguous)
		}
		for _, a := range full.Ambiguous {
			if a.Otherwise == full.Decision || a.Otherwise == "" || a.Pattern == "" || a.Reason == "" {
				t.Fatalf("ambiguity %+v with decision %s", a, full.Decision)
			}
		}
		if !strings.Contains(full.Explain(), string(full.Decision)) {
			t.Fatal("Explain lacks the decision")
		}
		_ = AppendResult(nil, c.ID, fast)
		_ = DefaultContext(c.Input.Request)
	})
}

// FuzzJSONString: the tree parser's fast scan of strings (eight bytes at a
// time) decodes a JSON string as encoding/json does, and accepts the same
// strings, but an unpaired surrogate escape.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{`plain`, `a\"b`, `12345678\\9`, `\u00e9x`, "tab\there", `\ud83d\ude00........`, `........"`, "é😀 long enough to scan", `\ud800`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc := `"` + s + `"`
		var tr jtree
		jerr := tr.parse(doc)
		var want string
		uerr := json.Unmarshal([]byte(doc), &want)
		switch {
		case jerr == nil && uerr != nil:
			t.Fatalf("jtree accepts %q, encoding/json says %v", doc, uerr)
		case jerr != nil && uerr == nil && !strings.Contains(jerr.Error(), "unpaired surrogate"):
			t.Fatalf("jtree rejects %q (%v), encoding/json accepts it", doc, jerr)
		case jerr == nil && utf8.ValidString(s) && tr.nodes[0].s != want:
			t.Fatalf("%q: got %q, want %q", doc, tr.nodes[0].s, want)
		}
	})
}
