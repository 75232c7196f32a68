package checks

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestParseSpecFiles(t *testing.T) {
	for _, tc := range []struct {
		file          string
		functions     int
		invokers      int
		calls, denied int
	}{
		{"../fixtures/check/spec-pass.yaml", 1, 1, 2, 2},
		{"../fixtures/check/spec-pass.json", 1, 1, 1, 1},
		{"../fixtures/check/spec-fail.yaml", 2, 1, 2, 1},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			s, err := ParseSpec(tc.file, data)
			if err != nil {
				t.Fatalf("ParseSpec: %v", err)
			}
			if len(s.Functions) != tc.functions {
				t.Fatalf("got %d functions, want %d", len(s.Functions), tc.functions)
			}
			var inv, calls, denied int
			for _, f := range s.Functions {
				inv += len(f.Invokers)
				calls += len(f.Calls)
				denied += len(f.DeniedCalls)
			}
			if inv != tc.invokers || calls != tc.calls || denied != tc.denied {
				t.Errorf("got %d invokers, %d calls, %d denied calls; want %d, %d, %d", inv, calls, denied, tc.invokers, tc.calls, tc.denied)
			}
		})
	}
}

func TestParseSpecValues(t *testing.T) {
	s, err := ParseSpec("s.yaml", []byte(`
fail_on: medium
ignore: [ld104, LD107]
function: f
invokers:
  - principal: "444455556666"
    qualifier: live
    action: lambda:InvokeFunctionUrl
calls:
  - action: s3:GetObject
    resource: arn:aws:s3:::b/k
    context:
      aws:SourceVpc: vpc-1
      aws:TagKeys: [a, b]
`))
	if err != nil {
		t.Fatal(err)
	}
	if s.FailOn == nil || *s.FailOn != Medium {
		t.Errorf("fail_on: got %v, want medium", s.FailOn)
	}
	if strings.Join(s.Ignore, ",") != "LD104,LD107" {
		t.Errorf("ignore: got %v", s.Ignore)
	}
	f := s.Functions[0]
	if f.Function != "f" || f.Invokers[0].Principal != "444455556666" || f.Invokers[0].Qualifier != "live" || f.Invokers[0].Line != 6 {
		t.Errorf("invoker: got %+v", f.Invokers[0])
	}
	ctx := f.Calls[0].Context
	if v := ctx["aws:SourceVpc"]; v.Multi || len(v.Values) != 1 || v.Values[0] != "vpc-1" {
		t.Errorf("aws:SourceVpc: got %+v", v)
	}
	if v := ctx["aws:TagKeys"]; !v.Multi || strings.Join(v.Values, ",") != "a,b" {
		t.Errorf("aws:TagKeys: got %+v, want multivalued [a b]", v)
	}
}

// Bad specs are refused with the line at fault.
func TestParseSpecErrors(t *testing.T) {
	for _, tc := range []struct {
		name, spec string
		line       int
		want       string
	}{
		{"empty", "", 0, "empty"},
		{"not yaml", "invokers: [", 1, "not valid YAML or JSON"},
		{"unknown top key", "version: 1\nfunctoin: f\n", 2, `unknown key "functoin" in the spec`},
		{"suggestion", "version: 1\nfunctoin: f\n", 2, `did you mean "function"`},
		// A swap of neighbours counts 1 (internal/suggest): "functiosn" is
		// "functions" swapped, not "function" with one more letter.
		{"swap suggestion", "version: 1\nfunctiosn: []\n", 2, `did you mean "functions"?`},
		{"unknown invoker key", "function: f\ninvokers:\n  - principal: s3.amazonaws.com\n    sourcearn: arn:aws:s3:::b\n", 4, `unknown key "sourcearn" in invokers[0]`},
		{"camel-case key suggestion", "function: f\ninvokers:\n  - principal: s3.amazonaws.com\n    sourceArn: arn:aws:s3:::b\n", 4, `did you mean "source_arn"?`},
		{"unknown call key", "function: f\ncalls:\n  - action: s3:GetObject\n    resource: arn:aws:s3:::b/k\n    resources: x\n", 5, `unknown key "resources"`},
		{"unknown key in functions", "functions:\n  - function: f\n    callz: []\n", 3, `unknown key "callz" in functions[0]`},
		{"duplicate key", "function: f\nfunction: g\n", 2, "appears twice"},
		{"bad version", "version: 2\n", 1, "unsupported spec version"},
		{"bad fail_on", "fail_on: severe\n", 1, "unknown severity"},
		{"bad ignore", "ignore: [LD999]\n", 1, `unknown rule id "LD999"`},
		{"invoker without principal", "function: f\ninvokers:\n  - qualifier: live\n", 3, "needs a principal"},
		{"source account as number", "function: f\ninvokers:\n  - principal: s3.amazonaws.com\n    source_account: 12345\n", 4, "not a 12-digit account id"},
		{"source arn not an arn", "function: f\ninvokers:\n  - principal: s3.amazonaws.com\n    source_arn: bucket\n", 4, "is not an ARN"},
		{"bad invoke action", "function: f\ninvokers:\n  - principal: '*'\n    action: lambda:GetFunction\n", 4, "must be lambda:InvokeFunction or lambda:InvokeFunctionUrl"},
		{"call without action", "function: f\ncalls:\n  - resource: '*'\n", 3, "needs an action"},
		{"call with wildcard action", "function: f\ncalls:\n  - action: s3:Get*\n    resource: '*'\n", 3, `action "s3:Get*" has a wildcard`},
		{"unknown action (issue 8)", "function: f\ncalls:\n  - action: dynamodb:Querry\n    resource: arn:aws:dynamodb:us-east-1:111122223333:table/T\n", 3, "did you mean dynamodb:Query?"},
		{"denied call unknown service", "function: f\ndenied_calls:\n  - action: dynamo:Query\n    resource: arn:aws:dynamodb:us-east-1:111122223333:table/T\n", 3, `unknown service "dynamo"`},
		{"resource of another service", "function: f\ncalls:\n  - action: dynamodb:Query\n    resource: arn:aws:s3:::bucket/key\n", 4, "dynamodb:Query does not act on \"arn:aws:s3:::bucket/key\": it takes arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"},
		{"broken resource ARN", "function: f\ncalls:\n  - action: dynamodb:Query\n    resource: arn:aws:dynamo\n", 4, "is not an ARN"},
		{"star for an action with resources", "function: f\ncalls:\n  - action: dynamodb:Query\n    resource: '*'\n", 4, "acts on a resource: give its ARN"},
		{"principal not a principal", "function: f\ninvokers:\n  - principal: apigateway\n", 3, `"apigateway" is not a principal`},
		{"principal a group", "function: f\ninvokers:\n  - principal: arn:aws:iam::111122223333:group/devs\n", 3, "an IAM group cannot be a principal"},
		{"source arn of a poller", "function: f\ninvokers:\n  - principal: sqs.amazonaws.com\n    source_arn: arn:aws:sqs:us-east-1:111122223333:q\n", 4, "read by an event source mapping"},
		{"source arn and principal disagree", "function: f\ninvokers:\n  - principal: s3.amazonaws.com\n    source_arn: arn:aws:sns:us-east-1:111122223333:topic\n", 3, "which sns.amazonaws.com invokes with"},
		{"bad qualifier", "function: f\ninvokers:\n  - principal: s3.amazonaws.com\n    qualifier: a.b\n", 4, "not a version or alias name"},
		{"bad function name", "function: 'my function'\n", 1, "is not a function name"},
		{"function ARN of a layer", "functions:\n  - function: arn:aws:lambda:us-east-1:111122223333:layer:l:1\n", 2, "is not a Lambda function ARN"},
		{"call without resource", "function: f\ncalls:\n  - action: s3:GetObject\n", 3, "needs a resource"},
		{"call resource not an arn", "function: f\ncalls:\n  - action: s3:GetObject\n    resource: bucket/key\n", 4, "not an ARN"},
		{"calls not a list", "function: f\ncalls: {action: s3:GetObject}\n", 2, "calls must be a list"},
		{"string where a mapping goes", "function: f\ncalls:\n  - s3:GetObject\n", 3, "must be a mapping"},
		{"context not a mapping", "function: f\ncalls:\n  - action: s3:GetObject\n    resource: arn:aws:s3:::b/k\n    context: [a]\n", 5, "must be a mapping of condition keys"},
		{"context key without prefix", "function: f\ncalls:\n  - action: s3:GetObject\n    resource: arn:aws:s3:::b/k\n    context: {SourceVpc: v}\n", 5, "is not a condition key"},
		{"null value", "function: f\ncalls:\n  - action:\n    resource: '*'\n", 3, "must be a string, not null"},
		{"functions entry without name", "functions:\n  - calls: []\n", 2, "needs a function name"},
		{"same function twice", "functions:\n  - function: f\n  - function: f\n", 3, "already given on line 2"},
		{"json unknown key", "{\n\t\"function\": \"f\",\n\t\"cals\": []\n}\n", 3, `unknown key "cals"`},
		{"top level list", "- a\n", 1, "the spec must be a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSpec("spec.yaml", []byte(tc.spec))
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("got error %v, want a *SpecError", err)
			}
			if se.Line != tc.line {
				t.Errorf("got line %d, want %d (%v)", se.Line, tc.line, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to contain %q", err, tc.want)
			}
			if tc.line > 0 && !strings.HasPrefix(err.Error(), "spec.yaml:") {
				t.Errorf("got %q, want it to start with the file name", err)
			}
		})
	}
}

// FuzzParseSpec: no input makes the parser panic; every error is a
// SpecError naming the file.
func FuzzParseSpec(f *testing.F) {
	for _, file := range []string{"../fixtures/check/spec-pass.yaml", "../fixtures/check/spec-pass.json", "../fixtures/check/spec-fail.yaml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("function: f\ninvokers: [{principal: '*', context: {a:b: [1, 2]}}]\n"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec("fuzz.yaml", data)
		if err != nil {
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("got %T %v, want a *SpecError", err, err)
			}
			return
		}
		for _, fs := range s.Functions {
			for _, c := range append(fs.Calls, fs.DeniedCalls...) {
				if c.Action == "" || c.Resource == "" {
					t.Fatalf("accepted a call without action or resource: %+v", c)
				}
			}
			for _, inv := range fs.Invokers {
				if inv.Principal == "" || inv.Action == "" {
					t.Fatalf("accepted an invoker without principal or action: %+v", inv)
				}
			}
		}
	})
}

// TestSpecDuplicateKeyCheckIsLinear: the duplicate-key checks look at each
// key once (a 20,000-key context took 110 s when each key was compared
// with every earlier one). The parser counts the keys it compares; no
// timing is asserted.
func TestSpecDuplicateKeyCheckIsLinear(t *testing.T) {
	const n = 20000
	for _, tc := range []struct {
		name string
		spec func(b *strings.Builder)
	}{
		{"one context with many keys", func(b *strings.Builder) {
			b.WriteString("calls:\n  - action: dynamodb:Query\n    resource: arn:aws:dynamodb:us-east-1:111122223333:table/T\n    context:\n")
			for i := 0; i < n; i++ {
				fmt.Fprintf(b, "      aws:Key%d: v\n", i)
			}
		}},
		{"many calls", func(b *strings.Builder) {
			b.WriteString("calls:\n")
			for i := 0; i < n/2; i++ {
				fmt.Fprintf(b, "  - {action: s3:GetObject, resource: 'arn:aws:s3:::b/%d', context: {aws:SourceVpc: v}}\n", i)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("version: 1\nfunction: f\n")
			tc.spec(&b)
			p := &specParser{file: "big.yaml"}
			if _, err := p.parse([]byte(b.String())); err != nil {
				t.Fatal(err)
			}
			// Every key of every mapping once, and nothing more.
			if limit := 3*n + 100; p.steps > limit {
				t.Errorf("the duplicate checks took %d steps for about %d keys, want at most %d", p.steps, n, limit)
			}
			if p.steps < n {
				t.Errorf("the duplicate checks took %d steps for %d keys: are they counted?", p.steps, n)
			}
		})
	}
}

func TestSpecDuplicateContextKeyIgnoresCase(t *testing.T) {
	_, err := ParseSpec("d.yaml", []byte("calls:\n  - action: s3:GetObject\n    resource: arn:aws:s3:::b/k\n    context:\n      aws:SourceVpc: a\n      AWS:SOURCEVPC: b\n"))
	var se *SpecError
	if !errors.As(err, &se) || se.Line != 6 || !strings.Contains(se.Msg, "appears twice") {
		t.Fatalf("got %v, want an error on line 6 naming the key that appears twice", err)
	}
}

// FuzzFoldKey: two keys fold alike exactly when strings.EqualFold says
// they are equal.
func FuzzFoldKey(f *testing.F) {
	for _, s := range [][2]string{{"aws:SourceVpc", "AWS:SOURCEVPC"}, {"k", "\u212a"}, {"ſ", "S"}, {"\xff", "\xfe"}, {"a", "b"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := foldKey(a) == foldKey(b), strings.EqualFold(a, b); got != want {
			t.Errorf("foldKey(%q) == foldKey(%q) is %v, strings.EqualFold is %v", a, b, got, want)
		}
	})
}
