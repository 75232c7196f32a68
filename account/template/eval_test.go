package template

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/limits"
)

// base is the template the expression tests evaluate in.
const base = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage: {Type: String, Default: prod}
  Secret: {Type: String}
  Subnets: {Type: CommaDelimitedList, Default: 'subnet-a,subnet-b'}
Mappings:
  Sizes:
    prod: {Memory: '1024'}
    dev: {Memory: '128'}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Equals [a, a]]
  Either: !Or [!Condition IsDev, !Equals [a, b]]
  HasSecret: !Equals [!Ref Secret, x]
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub orders-${Stage}
      Role: !GetAtt Role.Arn
      Code: {ZipFile: x}
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: orders-role
      Path: /app/
      AssumeRolePolicyDocument: {}
  Queue:
    Type: AWS::SQS::Queue
  Other:
    Type: Custom::Thing
`

// evalExpr evaluates one expression (YAML) in the base template.
func evalExpr(t *testing.T, opts Options, expr string) (string, *tmpl, error) {
	t.Helper()
	root, err := parse("t.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	tp, err := newTmpl("t.yaml", root, opts)
	if err != nil {
		t.Fatal(err)
	}
	n, err := parse("expr.yaml", []byte("X: "+expr))
	if err != nil {
		return "", tp, err
	}
	v, err := tp.eval(n.get("X"), "X")
	if err != nil {
		return "", tp, err
	}
	if v == noValue {
		return "<novalue>", tp, nil
	}
	if v.scalar() {
		return v.str, tp, nil
	}
	return v.toJSON(), tp, nil
}

func TestIntrinsics(t *testing.T) {
	opts := Options{Region: "eu-west-1", Account: "111122223333", StackName: "shop"}
	tests := []struct{ name, expr, want string }{
		{"Ref parameter default", "!Ref Stage", "prod"},
		{"Ref list parameter", "!Ref Subnets", `["subnet-a","subnet-b"]`},
		{"Ref pseudo region", "!Ref AWS::Region", "eu-west-1"},
		{"Ref pseudo partition", "!Ref AWS::Partition", "aws"},
		{"Ref URL suffix", "!Ref AWS::URLSuffix", "amazonaws.com"},
		{"Ref stack name", "!Ref AWS::StackName", "shop"},
		{"Ref NoValue", "!Ref AWS::NoValue", "<novalue>"},
		{"Ref function", "!Ref Fn", "orders-prod"},
		{"Ref queue is its URL", "!Ref Queue", "https://sqs.eu-west-1.amazonaws.com/111122223333/{{generated.Name.Queue}}"},
		{"GetAtt short form", "!GetAtt Fn.Arn", "arn:aws:lambda:eu-west-1:111122223333:function:orders-prod"},
		{"GetAtt list form", "!GetAtt [Role, Arn]", "arn:aws:iam::111122223333:role/app/orders-role"},
		{"GetAtt unknown attribute", "!GetAtt Queue.Nope", "{{generated.GetAtt.Queue.Nope}}"},
		{"GetAtt of a custom resource", "!GetAtt Other.Value", "{{unknown.CustomResource.Other.Value}}"},
		{"Sub", "!Sub 'arn:${AWS::Partition}:s3:::${Stage}-bucket/*'", "arn:aws:s3:::prod-bucket/*"},
		{"Sub literal", "!Sub '${!Literal}-${Stage}'", "${Literal}-prod"},
		{"Sub attribute", "!Sub '${Fn.Arn}:live'", "arn:aws:lambda:eu-west-1:111122223333:function:orders-prod:live"},
		{"Sub list form", "!Sub ['${A}/${Stage}', {A: !Ref Fn}]", "orders-prod/prod"},
		{"Join", "!Join [':', [a, !Ref Stage, c]]", "a:prod:c"},
		{"Join of a list parameter", "!Join [',', !Ref Subnets]", "subnet-a,subnet-b"},
		{"Split and Select", "!Select [1, !Split ['/', 'a/b/c']]", "b"},
		{"Select of zones", "!Select [0, !GetAZs '']", "{{unknown.GetAZs.eu-west-1}}"},
		{"FindInMap", "!FindInMap [Sizes, !Ref Stage, Memory]", "1024"},
		{"If true", "!If [IsProd, big, small]", "big"},
		{"If false", "!If [IsDev, big, small]", "small"},
		{"If NoValue", "!If [IsDev, x, !Ref AWS::NoValue]", "<novalue>"},
		{"If And", "!If [Both, yes, no]", "yes"},
		{"If Or", "!If [Either, yes, no]", "no"},
		{"If unknown condition", "!If [HasSecret, a, b]", "{{unknown.Condition.HasSecret}}"},
		{"If unknown, same both ways", "!If [HasSecret, a, a]", "a"},
		{"ImportValue", "!ImportValue shared-QueueArn", "{{unknown.ImportValue.shared-QueueArn}}"},
		{"ImportValue of Sub", "!ImportValue {'Fn::Sub': '${Stage}:Arn'}", "{{unknown.ImportValue.prod-Arn}}"},
		{"parameter without default", "!Ref Secret", "{{unknown.Parameter.Secret}}"},
		{"Base64", "!Base64 hello", "aGVsbG8="},
		{"Cidr", "!Cidr ['10.0.0.0/16', 3, 8]", `["10.0.0.0/24","10.0.1.0/24","10.0.2.0/24"]`},
		{"Cidr v6", "!Cidr ['2001:db8::/56', 2, 64]", `["2001:db8::/64","2001:db8:0:1::/64"]`},
		{"dynamic reference", "'{{resolve:ssm:/app/table}}'", "{{unknown.Resolve.ssm--app-table}}"},
		{"Equals in a value", "!Equals [!Ref Stage, prod]", "true"},
		{"long form", "{'Fn::Join': ['', [{'Ref': 'Stage'}, '-x']]}", "prod-x"},
		{"Split keeps a marker whole", "!Select [0, !Split ['.', !Sub '${Secret}.example.com']]", "{{unknown.Parameter.Secret}}"},
		{"Select past an open list", "!Select [1, !Split ['-', !Ref Secret]]", "{{unknown.Derived.X.Fn--Select}}"},
		{"Select of an unknown list attribute", "!Select [0, !GetAtt Queue.Endpoints]", "{{generated.Derived.X.Fn--Select}}"},
		{"nested", "!Sub ['${X}', {X: !Join ['-', [!Select [0, !Ref Subnets], !FindInMap [Sizes, dev, Memory]]]}]", "subnet-a-128"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := evalExpr(t, opts, tc.expr)
			if err != nil {
				t.Fatalf("got error %v, want %q", err, tc.want)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPseudoUnknownWithoutOptions(t *testing.T) {
	got, tp, err := evalExpr(t, Options{}, "!GetAtt Fn.Arn")
	if err != nil {
		t.Fatal(err)
	}
	want := "arn:aws:lambda:{{unknown.AWS-Region}}:{{unknown.AWS-AccountId}}:function:orders-prod"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	var kinds []string
	for _, u := range tp.unknowns {
		kinds = append(kinds, u.Kind+" "+u.Name)
	}
	if j := strings.Join(kinds, ","); !strings.Contains(j, "Pseudo AWS::Region") || !strings.Contains(j, "Pseudo AWS::AccountId") {
		t.Errorf("unknowns: got %v, want AWS::Region and AWS::AccountId", kinds)
	}
}

func TestParameterOverride(t *testing.T) {
	got, _, err := evalExpr(t, Options{Parameters: map[string]string{"Stage": "dev", "Secret": "x"}}, "!If [HasSecret, !FindInMap [Sizes, !Ref Stage, Memory], none]")
	if err != nil {
		t.Fatal(err)
	}
	if got != "128" {
		t.Errorf("got %q, want 128", got)
	}
}

// readErr reads a template and returns its *Error.
func readErr(t *testing.T, name, text string, opts Options) *Error {
	t.Helper()
	_, err := Parse(name, []byte(text), opts)
	if err == nil {
		t.Fatalf("%s: no error", name)
	}
	var te *Error
	if !errors.As(err, &te) {
		t.Fatalf("got %T %v, want *Error", err, err)
	}
	return te
}

func TestBadTemplates(t *testing.T) {
	fn := "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: %s\n"
	tests := []struct {
		name, text string
		opts       Options
		line       int
		want       string // in the message
	}{
		{"unknown tag", strings.Replace(fn, "%s", "!Reff Role", 1), Options{}, 5, "unknown intrinsic function tag !Reff"},
		{"unknown function", strings.Replace(fn, "%s", "{'Fn::Frobnicate': x}", 1), Options{}, 5, "unknown intrinsic function Fn::Frobnicate"},
		{"Ref to nothing", strings.Replace(fn, "%s", "!Ref Nothing", 1), Options{}, 5, `Ref to "Nothing"`},
		{"GetAtt without attribute", strings.Replace(fn, "%s", "!GetAtt Role", 1), Options{}, 5, "RESOURCE.ATTRIBUTE"},
		{"bad YAML", "Resources:\n  Fn: [\n", Options{}, 2, "not valid YAML"},
		{"tabs", "Resources:\n\tFn: x\n", Options{}, 2, "not valid YAML"},
		{"not a map", "- a\n- b\n", Options{}, 1, "must be a map"},
		{"no resources", "Description: x\n", Options{}, 1, "no Resources section"},
		{"duplicate key", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n  A:\n    Type: AWS::SQS::Queue\n", Options{}, 4, `duplicate key "A"`},
		{"bad logical id", "Resources:\n  my-fn:\n    Type: AWS::SQS::Queue\n", Options{}, 3, "alphanumeric"},
		{"no type", "Resources:\n  A:\n    Properties: {}\n", Options{}, 3, "needs a Type"},
		{"unknown section", "Resource:\n  A: {}\n", Options{}, 2, "unknown top-level section"},
		{"circular Ref", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt B.QueueName\n  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt A.QueueName\n",
			Options{}, 3, "circular dependency between resources: A -> B -> A"},
		{"self Ref", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${A}-x'\n", Options{}, 3, "circular dependency between resources: A -> A"},
		{"circular condition", "Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Condition: A\n", Options{}, 2, "circular condition"},
		{"unknown parameter given", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n", Options{Parameters: map[string]string{"Nope": "1"}}, 0, "--parameter Nope"},
		{"parameter not allowed", "Parameters:\n  S: {Type: String, AllowedValues: [a, b]}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n", Options{Parameters: map[string]string{"S": "c"}}, 2, "AllowedValues"},
		{"JSON syntax", "{\"Resources\": {\"A\": {\"Type\": \"AWS::SQS::Queue\",}}}", Options{}, 1, "not valid JSON"},
		{"JSON duplicate", "{\"Resources\": {\n\"A\": {\"Type\": \"AWS::SQS::Queue\"},\n\"A\": {\"Type\": \"AWS::SQS::Queue\"}}}", Options{}, 3, `duplicate key "A"`},
		{"JSON unknown function", "{\"Resources\": {\"A\": {\"Type\": \"AWS::Lambda::Function\",\n \"Properties\": {\"Role\": {\"Fn::Nope\": 1}}}}}", Options{}, 2, "unknown intrinsic function Fn::Nope"},
		{"not UTF-8", "Resources:\n  A: \xff\n", Options{}, 2, "not valid UTF-8"},
		{"two documents", "Resources: {}\n---\nResources: {}\n", Options{}, 2, "more than one YAML document"},
		{"Select past the end", strings.Replace(fn, "%s", "!Select [3, [a, b]]", 1), Options{}, 5, "past the end"},
		{"FindInMap missing", strings.Replace(fn, "%s", "!FindInMap [M, a, b]", 1), Options{}, 5, `no mapping "M"`},
		{"Sub of a list", "Parameters:\n  L: {Type: CommaDelimitedList, Default: 'a,b'}\n" + strings.Replace(fn, "%s", "!Sub '${L}'", 1), Options{}, 7, "is a list, not a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := readErr(t, "bad.yaml", tc.text, tc.opts)
			if !strings.Contains(e.Error(), tc.want) {
				t.Errorf("got %q, want it to say %q", e.Error(), tc.want)
			}
			if e.Line != tc.line {
				t.Errorf("got line %d, want %d (%v)", e.Line, tc.line, e)
			}
			if !strings.HasPrefix(e.Error(), "bad.yaml") {
				t.Errorf("got %q, want it to start with the file name", e.Error())
			}
		})
	}
}

// TestBillionLaughs: YAML aliases that expand exponentially end with an
// error, not with the memory of the machine.
func TestBillionLaughs(t *testing.T) {
	var b strings.Builder
	b.WriteString("a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for i := 0; i < 9; i++ {
		name := string(rune('b' + i))
		b.WriteString(name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n")
		prev = name
	}
	b.WriteString("Resources: {}\n")
	e := readErr(t, "laughs.yaml", b.String(), Options{})
	if !strings.Contains(e.Msg, "more than") {
		t.Errorf("got %v, want the value limit", e)
	}
}

// TestTooLarge: a 50 MB template is refused from its size, before it is
// read, with limits' error.
func TestTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(50 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Read(path, Options{SizeFlag: "--max-template-size"})
	if !limits.IsTooLarge(err) {
		t.Fatalf("got %v, want a *limits.TooLargeError", err)
	}
	var te *Error
	if !errors.As(err, &te) || te.File != path {
		t.Errorf("got %v, want a *template.Error naming the file", err)
	}
	if !strings.Contains(err.Error(), "--max-template-size") {
		t.Errorf("got %q, want it to name the flag", err)
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Read(filepath.Join(t.TempDir(), "nope.yaml"), Options{})
	var te *Error
	if !errors.As(err, &te) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want a *template.Error wrapping os.ErrNotExist", err)
	}
}

// TestJSONAndYAMLAgree: the same template in JSON and YAML gives the same
// model, and JSON errors have lines too.
func TestJSONAndYAMLAgree(t *testing.T) {
	yamlText := `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: 'sts:AssumeRole'}]}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt Role.Arn
      Runtime: python3.12
      Handler: a.b
      Code: {ZipFile: x}
      MemorySize: 256
`
	jsonText := `{"Resources": {
  "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Runtime": "python3.12", "Handler": "a.b", "Code": {"ZipFile": "x"}, "MemorySize": 256}}
}}`
	opts := Options{Region: "us-east-1", Account: "111122223333"}
	y, err := Parse("t.yaml", []byte(yamlText), opts)
	if err != nil {
		t.Fatal(err)
	}
	j, err := Parse("t.json", []byte(jsonText), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := comparable(t, j.Functions), comparable(t, y.Functions); got != want {
		t.Errorf("JSON and YAML differ:\n%s", lineDiff(want, got))
	}
	if j.Functions[0].Source.Line != 3 || y.Functions[0].Source.Line != 7 {
		t.Errorf("got lines %d (JSON) and %d (YAML), want 3 and 7", j.Functions[0].Source.Line, y.Functions[0].Source.Line)
	}
}

// TestSAMCircularDependency: a SAM function whose policy template names a
// bucket by !Ref while the bucket notifies the function is the circular
// dependency CloudFormation (and cfn-lint, E3004) reports after the SAM
// transform; the reader reports it too.
func TestSAMCircularDependency(t *testing.T) {
	_, err := Read("testdata/sam-s3-cycle.yaml", Options{Region: "us-east-1", Account: "111122223333"})
	var te *Error
	if !errors.As(err, &te) || !strings.Contains(te.Msg, "circular dependency between resources") || !strings.Contains(te.Msg, "ArchiveBucket") {
		t.Fatalf("got %v, want a circular dependency through ArchiveBucket", err)
	}
}

// TestSAMGapsReachTheFunction: a SAM feature the reader does not model (an
// MQ poller's policies, a connector) is an Unseen entry of the function it
// changes, not a silent omission.
func TestSAMGapsReachTheFunction(t *testing.T) {
	res, err := Read("testdata/sam-gaps.yaml", Options{Region: "us-east-1", Account: "111122223333"})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Functions[0]
	var msgs []string
	for _, u := range f.Unseen {
		msgs = append(msgs, u.Error)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"SAM MQ poller policy is not modelled", "SAM connector ConsumerToTable adds permissions"} {
		if !strings.Contains(all, want) {
			t.Errorf("no Unseen saying %q; have:\n%s", want, all)
		}
	}
}

func TestParseParameters(t *testing.T) {
	got, err := ParseParameters([]string{"Stage=prod", "Query=a=b", "Empty="})
	if err != nil {
		t.Fatal(err)
	}
	if got["Stage"] != "prod" || got["Query"] != "a=b" || got["Empty"] != "" || len(got) != 3 {
		t.Errorf("got %v", got)
	}
	for _, bad := range [][]string{{"Stage"}, {"=x"}, {"A=1", "A=2"}} {
		if _, err := ParseParameters(bad); err == nil {
			t.Errorf("ParseParameters(%q): no error", bad)
		}
	}
}

func TestRoleSources(t *testing.T) {
	res, err := Read("../../fixtures/templates/cfn/states-healthy.yaml", fixtureOpts)
	if err != nil {
		t.Fatal(err)
	}
	f := res.Functions[0]
	for _, arn := range []string{f.Config.RoleARN, f.Triggers[0].RoleARN} {
		loc, ok := res.RoleSources[arn]
		if !ok || loc.Line == 0 || loc.LogicalID == "" {
			t.Errorf("no location for role %s: %+v", arn, loc)
		}
	}
}
