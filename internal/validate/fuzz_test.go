package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/term"
)

// fuzzErr checks what every validator promises of its errors: an *Error,
// one line without control characters, of bounded length.
func fuzzErr(t *testing.T, in string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %T %v is not an *Error", in, err, err)
	}
	if e.Value != in && e.What != "action" {
		// Resource and Invoker may report on another input; the others on theirs.
		t.Logf("%q: error value %q", in, e.Value)
	}
	msg := err.Error()
	if msg == "" || term.Unsafe(msg) || strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("%q: error %q is not one clean line", in, msg)
	}
	if len(msg) > 1500 {
		t.Fatalf("%q: error is %d bytes", in, len(msg))
	}
}

func FuzzAction(f *testing.F) {
	for _, s := range []string{"dynamodb:Query", "dynamodb:Querry", "s3:Get*", "", ":", "a:", ":b", "x:y:z", "\x1b:\x07", "lambda:invokefunction"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		a, err := Action(in)
		fuzzErr(t, in, err)
		if err == nil {
			if !strings.EqualFold(a, in) {
				t.Fatalf("Action(%q) = %q, not the same action", in, a)
			}
			if b, err := Action(a); err != nil || b != a {
				t.Fatalf("Action(%q) = %q, %v; not stable", a, b, err)
			}
		}
	})
}

func FuzzParseARN(f *testing.F) {
	for _, s := range []string{"arn:aws:s3:::b", "arn:aws:dynamo", "arn:", "arn:aws:s3:::", "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
		"arn:aws:lambda:cn-north-1:123456789012:function:f", "arn:aws:iam::aws:policy/x", "arn:aws:x:us-east-1a:1:r", "arn:\xff:s3:::b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		a, err := ParseARN(in)
		fuzzErr(t, in, err)
		if err == nil {
			if a.String() != in {
				t.Fatalf("ParseARN(%q).String() = %q", in, a.String())
			}
			if term.Unsafe(in) || a.Resource == "" || !knownPartition(a.Partition) {
				t.Fatalf("ParseARN accepted %q as %+v", in, a)
			}
			if a.Region != "" && PartitionOf(a.Region) != a.Partition {
				t.Fatalf("ParseARN(%q): region %s is not in partition %s", in, a.Region, a.Partition)
			}
		}
	})
}

func FuzzResource(f *testing.F) {
	for _, s := range [][3]string{
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/T", "aws"},
		{"dynamodb:Query", "arn:aws:s3:::b", ""},
		{"sts:GetCallerIdentity", "*", ""},
		{"s3:GetObject", "arn:aws:s3:::b/k", "aws-cn"},
		{"dynamodb:Querry", "*", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, action, res, part string) {
		err := Resource(action, res, part)
		fuzzErr(t, res, err)
		if err == nil {
			if _, aerr := Action(action); aerr != nil {
				t.Fatalf("Resource accepted unknown action %q", action)
			}
			if res != "*" {
				a, perr := ParseARN(res)
				if perr != nil {
					t.Fatalf("Resource accepted %q, which ParseARN refuses: %v", res, perr)
				}
				if part != "" && a.Partition != part {
					t.Fatalf("Resource accepted %q in partition %q", res, part)
				}
			}
		}
	})
}

func FuzzPrincipal(f *testing.F) {
	for _, s := range []string{"*", "s3.amazonaws.com", "123456789012", "arn:aws:iam::123456789012:role/r", "arn:aws:sts::123456789012:assumed-role/r/s",
		"arn:aws:iam::123456789012:group/g", ".amazonaws.com", "a..amazonaws.com", "12345", "arn:aws:iam::123456789012:role//r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := Principal(in)
		fuzzErr(t, in, err)
		if err == nil {
			if p.Kind == "" || p.Value != in || term.Unsafe(in) || strings.ContainsAny(in, " \t") {
				t.Fatalf("Principal(%q) = %+v", in, p)
			}
			if (p.Kind == Account || p.Kind == IAMRole || p.Kind == IAMUser || p.Kind == AssumedRole) && !accountID(p.Account) {
				t.Fatalf("Principal(%q): kind %s without an account", in, p.Kind)
			}
		}
	})
}

func FuzzSourceARN(f *testing.F) {
	for _, s := range []string{"arn:aws:s3:::b", "arn:aws:sns:us-east-1:123456789012:t", "arn:aws:sns:us-east-1:123456789012:t:sub", "arn:aws:sqs:us-east-1:123456789012:q",
		"arn:aws:logs:us-east-1:123456789012:log-group:/a:*", "arn:aws:execute-api:us-east-1:123456789012:a/b/GET/", "arn:aws:iam::123456789012:role/r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		src, err := SourceARN(in)
		fuzzErr(t, in, err)
		if err == nil {
			if _, perr := ParseARN(in); perr != nil {
				t.Fatalf("SourceARN accepted %q, which ParseARN refuses", in)
			}
			if src.Known != (len(src.Principals) > 0) {
				t.Fatalf("SourceARN(%q) = %+v", in, src)
			}
			for _, p := range src.Principals {
				if _, perr := Principal(p); perr != nil {
					t.Fatalf("SourceARN(%q) names principal %q, which Principal refuses: %v", in, p, perr)
				}
			}
		}
	})
}

func FuzzRegion(f *testing.F) {
	for _, s := range []string{"us-east-1", "us-east-1a", "US-EAST-1", "eu-isoe-west-1", "eusc-de-east-1", "cn-north-1", "a-b-1", "--1", "us-gov-west-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := Region(in)
		fuzzErr(t, in, err)
		if err == nil {
			if !knownPartition(p) || PartitionOf(in) != p {
				t.Fatalf("Region(%q) = %q", in, p)
			}
			// A region name fits in an ARN and in a host name.
			if _, perr := ParseARN("arn:" + p + ":sqs:" + in + ":123456789012:q"); perr != nil {
				t.Fatalf("Region accepted %q, but an ARN with it is refused: %v", in, perr)
			}
			if strings.Trim(in, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
				t.Fatalf("Region accepted %q", in)
			}
		}
	})
}

func FuzzFunctionName(f *testing.F) {
	for _, s := range []string{"f", "f:live", "arn:aws:lambda:us-east-1:111122223333:function:f:1", "arn:aws:lambda:us-east-1:111122223333:function:", "f:", ":", "\x1b", "arn:aws:lambda:::function:f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fn, err := FunctionName(in)
		fuzzErr(t, in, err)
		if err == nil {
			if fn.Name == "" || term.Unsafe(in) || !strings.Contains(in, fn.Name) {
				t.Fatalf("FunctionName(%q) = %+v", in, fn)
			}
			if fn.Qualifier != "" && !strings.HasSuffix(in, ":"+fn.Qualifier) {
				t.Fatalf("FunctionName(%q): qualifier %q is not its end", in, fn.Qualifier)
			}
		}
	})
}
