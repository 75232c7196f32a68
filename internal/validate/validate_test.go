package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/term"
)

// checkErr checks that err is one precise line: an *Error, no control
// characters, no newline, bounded, holding every want.
func checkErr(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", want)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want *Error", err, err)
	}
	msg := err.Error()
	if term.Unsafe(msg) || strings.ContainsAny(msg, "\n\r") {
		t.Errorf("error %q is not one clean line", msg)
	}
	if len(msg) > 1200 {
		t.Errorf("error is %d bytes, want a short line", len(msg))
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not contain %q", msg, w)
		}
	}
}

func TestAction(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"dynamodb:Query", "dynamodb:Query"},
		{"DynamoDB:query", "dynamodb:Query"},
		{"lambda:InvokeFunctionUrl", "lambda:InvokeFunctionUrl"},
		{"sts:AssumeRole", "sts:AssumeRole"},
	} {
		got, err := Action(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Action(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"typo (issue 8)", "dynamodb:Querry", []string{`unknown action "dynamodb:Querry"`, "did you mean dynamodb:Query?"}},
		{"typo in long name", "lambda:InvokeFuntion", []string{"did you mean lambda:InvokeFunction?"}},
		{"no suggestion", "s3:FrobnicateEverythingNow", []string{`unknown action "s3:FrobnicateEverythingNow"`}},
		{"unknown service", "dynamo:Query", []string{`unknown service "dynamo"`}},
		{"empty", "", []string{"no action given", "dynamodb:Query"}},
		{"no colon", "Query", []string{"not of the form service:Action"}},
		{"two colons", "dynamodb:Query:x", []string{"not of the form service:Action"}},
		{"wildcard", "s3:Get*", []string{"has a wildcard", "one action"}},
		{"space", "s3:Get Object", []string{"not of the form"}},
		{"terminal escape", "s3:\x1b]0;pwned\aGetObject", []string{`\x1b`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Action(tc.in)
			checkErr(t, err, tc.want...)
		})
	}
}

func TestParseARN(t *testing.T) {
	for _, in := range []string{
		"arn:aws:lambda:us-east-1:123456789012:function:f",
		"arn:aws:s3:::bucket",
		"arn:aws:s3:::bucket/key/with:colon",
		"arn:aws:s3:::bucket/out/report 2026-11-25.csv", // object keys may hold spaces
		"arn:aws:iam::aws:policy/AdministratorAccess",
		"arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
		"arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q",
		"arn:aws-iso-e:sqs:eu-isoe-west-1:123456789012:q",
		"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:*",
	} {
		a, err := ParseARN(in)
		if err != nil {
			t.Errorf("ParseARN(%q): %v", in, err)
			continue
		}
		if a.String() != in {
			t.Errorf("ParseARN(%q).String() = %q", in, a.String())
		}
	}
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"issue 8: truncated", "arn:aws:dynamo", []string{`"arn:aws:dynamo" is not an ARN`, "3 of the 6"}},
		{"issue 8: prefix only", "arn:", []string{"2 of the 6"}},
		{"s3 without bucket", "arn:aws:s3:::", []string{"resource field is empty"}},
		{"empty", "", []string{"empty ARN"}},
		{"not an arn", "my-table", []string{`"my-table" is not an ARN`, "starts with arn:"}},
		{"queue url", "https://sqs.us-east-1.amazonaws.com/123456789012/q", []string{"is not an ARN"}},
		{"empty partition", "arn::s3:::b", []string{"partition field is empty"}},
		{"empty service", "arn:aws::us-east-1:123456789012:x", []string{"service field is empty"}},
		{"unknown partition", "arn:awss:s3:::b", []string{`partition "awss"`, "aws, aws-cn"}},
		{"service upper case", "arn:aws:DynamoDB:us-east-1:123456789012:table/T", []string{"not a service prefix"}},
		{"bad region", "arn:aws:dynamodb:us-east:123456789012:table/T", []string{`region field "us-east"`}},
		{"zone for region", "arn:aws:dynamodb:us-east-1a:123456789012:table/T", []string{"not a region name"}},
		{"region of another partition", "arn:aws:lambda:cn-north-1:123456789012:function:f", []string{"cn-north-1", "partition aws-cn", "in partition aws"}},
		{"short account", "arn:aws:dynamodb:us-east-1:12345:table/T", []string{`account field "12345"`, "12 digits"}},
		{"space before the resource", "arn:aws:s3 ::b/k", []string{"white space before its resource part"}},
		{"tab", "arn:aws:s3:::b/k\tx", []string{"control characters"}},
		{"control character", "arn:aws:s3:::b\x1b[2J", []string{`\x1b`}},
		{"long", "arn:" + strings.Repeat("a", 5000), []string{"5004 bytes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseARN(tc.in)
			checkErr(t, err, tc.want...)
		})
	}
}

func TestResource(t *testing.T) {
	for _, tc := range []struct{ action, res, part string }{
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/Orders", "aws"},
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/index/byDate", ""},
		{"s3:GetObject", "arn:aws:s3:::bucket/key", "aws"},
		{"sts:GetCallerIdentity", "*", "aws"},
		{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:f:live", "aws"},
		{"kms:Decrypt", "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "aws-cn"},
	} {
		if err := Resource(tc.action, tc.res, tc.part); err != nil {
			t.Errorf("Resource(%q, %q, %q): %v", tc.action, tc.res, tc.part, err)
		}
	}
	for _, tc := range []struct {
		name, action, res, part string
		want                    []string
	}{
		{"issue 8: query on an s3 arn", "dynamodb:Query", "arn:aws:s3:::bucket", "aws",
			[]string{"dynamodb:Query does not act on \"arn:aws:s3:::bucket\"", "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName} (table)", "(index)"}},
		{"bucket for an object action", "s3:GetObject", "arn:aws:s3:::bucket", "", []string{"does not act on", "(object)"}},
		{"alias for kms:Decrypt", "kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:alias/app", "", []string{"does not act on", "(key)"}},
		{"star for an action with resources", "dynamodb:Query", "*", "", []string{"acts on a resource", "table/${TableName}", `not "*"`}},
		{"arn for an action without resources", "sts:GetCallerIdentity", "arn:aws:iam::123456789012:role/r", "", []string{"takes no resource-level permission", `is "*"`}},
		{"other partition", "dynamodb:Query", "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/T", "aws", []string{"partition aws-cn", "the function in aws"}},
		{"broken arn", "dynamodb:Query", "arn:aws:dynamo", "", []string{"3 of the 6"}},
		{"unknown action", "dynamodb:Querry", "arn:aws:dynamodb:us-east-1:123456789012:table/T", "", []string{"did you mean dynamodb:Query?"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, Resource(tc.action, tc.res, tc.part), tc.want...)
		})
	}
}

func TestPrincipal(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind PrincipalKind
	}{
		{"*", Anonymous},
		{"s3.amazonaws.com", Service},
		{"logs.eu-west-1.amazonaws.com", Service},
		{"lambda.amazonaws.com.cn", Service},
		{"alexa-appkit.amazon.com", Service},
		{"123456789012", Account},
		{"arn:aws:iam::123456789012:root", Account},
		{"arn:aws:iam::123456789012:user/alice", IAMUser},
		{"arn:aws:iam::123456789012:role/service-role/app-exec", IAMRole},
		{"arn:aws-us-gov:iam::123456789012:role/r", IAMRole},
		{"arn:aws:sts::123456789012:assumed-role/deployer/ci@example.com", AssumedRole},
		{"arn:aws:sts::123456789012:federated-user/bob", FederatedUser},
	} {
		p, err := Principal(tc.in)
		if err != nil || p.Kind != tc.kind {
			t.Errorf("Principal(%q) = %v, %v; want kind %s", tc.in, p.Kind, err, tc.kind)
		}
	}
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", []string{"no principal given", "12-digit account ID"}},
		{"name only", "order-service", []string{`"order-service" is not a principal`, "service principal"}},
		{"short account", "12345678901", []string{"has 12 digits, this has 11"}},
		{"not amazonaws", "s3.example.com", []string{"not a service principal", ".amazonaws.com"}},
		{"upper-case service", "S3.amazonaws.com", []string{"not a service principal"}},
		{"bare suffix", ".amazonaws.com", []string{"not a service principal"}},
		{"group", "arn:aws:iam::123456789012:group/admins", []string{"group cannot be a principal"}},
		{"function arn", "arn:aws:lambda:us-east-1:123456789012:function:f", []string{"have no region"}},
		{"policy arn", "arn:aws:iam::123456789012:policy/p", []string{"want an IAM user or role ARN"}},
		{"managed-policy account", "arn:aws:iam::aws:policy/AdministratorAccess", []string{"no 12-digit account"}},
		{"assumed role without session", "arn:aws:sts::123456789012:assumed-role/r", []string{"assumed-role/ROLE/SESSION"}},
		{"role name with a space", "arn:aws:iam::123456789012:role/my role", []string{"holds a character IAM names cannot"}},
		{"role name with a bad character", "arn:aws:iam::123456789012:role/my#role", []string{"role name"}},
		{"broken arn", "arn:aws:iam", []string{"3 of the 6"}},
		{"bidi override", "s3.amazonaws.com\u202e", []string{`\u202e`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Principal(tc.in)
			checkErr(t, err, tc.want...)
		})
	}
}

func TestSourceARN(t *testing.T) {
	for _, tc := range []struct {
		in         string
		principals []string
		known      bool
	}{
		{"arn:aws:s3:::uploads", []string{"s3.amazonaws.com"}, true},
		{"arn:aws:sns:us-east-1:123456789012:alerts", []string{"sns.amazonaws.com"}, true},
		{"arn:aws:events:us-east-1:123456789012:rule/nightly", []string{"events.amazonaws.com"}, true},
		{"arn:aws:events:us-east-1:123456789012:rule/orders-bus/on-order", []string{"events.amazonaws.com"}, true},
		{"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/orders", []string{"apigateway.amazonaws.com"}, true},
		{"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/app:*", []string{"logs.amazonaws.com", "logs.eu-west-1.amazonaws.com"}, true},
		{"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/0123456789abcdef", []string{"elasticloadbalancing.amazonaws.com"}, true},
		{"arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL", []string{"cloudfront.amazonaws.com"}, true},
		{"arn:aws:ses:us-east-1:123456789012:receipt-rule-set/rules:receipt-rule/r", nil, false},
	} {
		src, err := SourceARN(tc.in)
		if err != nil {
			t.Errorf("SourceARN(%q): %v", tc.in, err)
			continue
		}
		if src.Known != tc.known || strings.Join(src.Principals, ",") != strings.Join(tc.principals, ",") {
			t.Errorf("SourceARN(%q) = %+v; want principals %v, known %v", tc.in, src, tc.principals, tc.known)
		}
	}
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"not an arn", "a1b2c3d4e5/prod/POST/orders", []string{"is not an ARN"}},
		{"sns subscription", "arn:aws:sns:us-east-1:123456789012:alerts:6b0d4b4e-1b3c-4a5d-9e6f-0a1b2c3d4e5f", []string{"not a sns resource that invokes Lambda", "${TopicName}"}},
		{"event bus, not a rule", "arn:aws:events:us-east-1:123456789012:event-bus/default", []string{"not a events resource", "rule/"}},
		{"sqs queue", "arn:aws:sqs:us-east-1:123456789012:jobs", []string{"SQS queue", "event source mapping", "execution role"}},
		{"dynamodb stream", "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2024-01-01T00:00:00.000", []string{"DynamoDB stream"}},
		{"role", "arn:aws:iam::123456789012:role/r", []string{"is a principal", "--caller"}},
		{"broken", "arn:aws:sns", []string{"3 of the 6"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SourceARN(tc.in)
			checkErr(t, err, tc.want...)
		})
	}
}

func TestInvoker(t *testing.T) {
	src, err := SourceARN("arn:aws:sns:us-east-1:123456789012:alerts")
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{"sns.amazonaws.com", "123456789012", "arn:aws:iam::123456789012:role/r", "*"} {
		p, err := Principal(ok)
		if err != nil {
			t.Fatal(err)
		}
		if err := Invoker(p, src); err != nil {
			t.Errorf("Invoker(%q, sns topic): %v", ok, err)
		}
	}
	p, _ := Principal("s3.amazonaws.com")
	checkErr(t, Invoker(p, src), "sns resource", "sns.amazonaws.com", `not "s3.amazonaws.com"`)
	// An unknown source service is not judged.
	other, err := SourceARN("arn:aws:ses:us-east-1:123456789012:receipt-rule-set/rules:receipt-rule/r")
	if err != nil {
		t.Fatal(err)
	}
	if err := Invoker(p, other); err != nil {
		t.Errorf("Invoker with an unknown source service: %v", err)
	}
}

func TestRegion(t *testing.T) {
	for in, part := range map[string]string{
		"us-east-1":       "aws",
		"eu-west-2":       "aws",
		"ap-southeast-7":  "aws",
		"mx-central-1":    "aws",
		"il-central-1":    "aws",
		"us-gov-west-1":   "aws-us-gov",
		"cn-north-1":      "aws-cn",
		"cn-northwest-1":  "aws-cn",
		"us-iso-east-1":   "aws-iso",
		"us-isob-east-1":  "aws-iso-b",
		"eu-isoe-west-1":  "aws-iso-e",
		"us-isof-south-1": "aws-iso-f",
		"eusc-de-east-1":  "aws-eusc",
		"xy-newland-1":    "aws", // a region opening after this was written
	} {
		got, err := Region(in)
		if err != nil || got != part {
			t.Errorf("Region(%q) = %q, %v; want %q", in, got, err, part)
		}
		if PartitionOf(in) != part {
			t.Errorf("PartitionOf(%q) = %q, want %q", in, PartitionOf(in), part)
		}
	}
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", []string{"is empty"}},
		{"zone", "us-east-1a", []string{`"us-east-1a" is not a region name`, "availability zone"}},
		{"upper case", "US-EAST-1", []string{"lower case"}},
		{"underscores", "us_east_1", []string{"lower-case letters, digits and dashes"}},
		{"no dashes", "useast1", []string{"joined by dashes"}},
		{"no number", "us-east", []string{"joined by dashes"}},
		{"word for number", "us-east-one", []string{"does not end in a number"}},
		{"number inside", "us-1-east", []string{"only its last part is a number"}},
		{"double dash", "us--east-1", []string{"empty part"}},
		{"long geography", "europe-west-1", []string{"two to four letters"}},
		{"three digits", "us-east-100", []string{"more than two digits"}},
		{"endpoint", "https://lambda.us-east-1.amazonaws.com", []string{"not a region name"}},
		{"escape", "us-east-1\x1b[2J", []string{`\x1b`}},
		{"too long", strings.Repeat("a", 40), []string{"too long"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Region(tc.in)
			checkErr(t, err, tc.want...)
		})
	}
}

func TestFunctionName(t *testing.T) {
	for _, tc := range []struct {
		in         string
		name, q    string
		arnAccount string
	}{
		{"order-processor", "order-processor", "", ""},
		{"order_processor:live", "order_processor", "live", ""},
		{"f:$LATEST", "f", "$LATEST", ""},
		{"f:7", "f", "7", ""},
		{"arn:aws:lambda:us-west-2:111122223333:function:report-builder", "report-builder", "", "111122223333"},
		{"arn:aws-cn:lambda:cn-north-1:111122223333:function:f:prod", "f", "prod", "111122223333"},
	} {
		f, err := FunctionName(tc.in)
		if err != nil || f.Name != tc.name || f.Qualifier != tc.q || f.ARN.Account != tc.arnAccount {
			t.Errorf("FunctionName(%q) = %+v, %v; want name %q qualifier %q account %q", tc.in, f, err, tc.name, tc.q, tc.arnAccount)
		}
	}
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "", []string{"no function given"}},
		{"space", "order processor", []string{"is not a function name"}},
		{"too long", strings.Repeat("f", 65), []string{"1 to 64"}},
		{"escape", "f\x1b]0;x\x07", []string{`\x1b`, "is not a function name"}},
		{"empty qualifier", "f:", []string{"empty qualifier"}},
		{"bad qualifier", "f:a.b", []string{"not a version or alias name"}},
		{"two colons", "f:a:b", []string{"is not a function name"}},
		{"not lambda", "arn:aws:s3:::bucket", []string{"is not a Lambda function ARN"}},
		{"layer", "arn:aws:lambda:us-east-1:111122223333:layer:l:1", []string{"is not a Lambda function ARN"}},
		{"broken ARN", "arn:aws:lambda:us-east-1", []string{"is not an ARN"}},
		{"bad region", "arn:aws:lambda:useast1:111122223333:function:f", []string{"not a region name"}},
		{"no account", "arn:aws:lambda:us-east-1::function:f", []string{"names no region or no account"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FunctionName(tc.in)
			checkErr(t, err, tc.want...)
		})
	}
}

func TestQualifier(t *testing.T) {
	for _, q := range []string{"live", "1", "$LATEST", "blue-green_2"} {
		if err := Qualifier(q); err != nil {
			t.Errorf("Qualifier(%q): %v", q, err)
		}
	}
	for _, q := range []string{"", "$latest", "a b", "a:b", strings.Repeat("q", 129), "\u202elive"} {
		checkErr(t, Qualifier(q))
	}
}
