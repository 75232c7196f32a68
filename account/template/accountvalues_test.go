package template

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// accountTemplate has a value of every kind the account can give: a
// parameter without a default, one with a default, a NoEcho one, one with
// AllowedValues, a Systems Manager parameter, an !ImportValue, an
// execution role defined outside the template and a customer managed
// policy attached by ARN.
const accountTemplate = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Table: {Type: String}
  Stage: {Type: String, Default: prod}
  Token: {Type: String, NoEcho: true}
  Size: {Type: String, AllowedValues: [small, large]}
  Image: {Type: 'AWS::SSM::Parameter::Value<String>'}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub orders-${Stage}-${Size}
      Role: arn:aws:iam::111122223333:role/outside
      Runtime: python3.12
      Handler: index.handler
      Code: {ZipFile: x}
      Environment:
        Variables:
          TABLE: !Ref Table
          TOKEN: !Ref Token
          IMAGE: !Ref Image
      DeadLetterConfig:
        TargetArn: !ImportValue shared-dlq-arn
  Inner:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt InnerRole.Arn
      Code: {ZipFile: x}
  InnerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      ManagedPolicyArns: [arn:aws:iam::111122223333:policy/team-boundary]
`

// TestAccountValuesOrder: a value from the command line (--parameter) or
// the template (a Default) is never replaced by one read from the account;
// the account fills only what neither gives, and a masked, NoEcho, not
// allowed parameter, or an SSM one without the stack's ResolvedValue
// (TestSSMParameterResolved), stays unknown.
func TestAccountValuesOrder(t *testing.T) {
	outside := &account.Role{ARN: "arn:aws:iam::111122223333:role/outside", Name: "outside", Path: "/", Trust: `{"Statement":[]}`}
	full := Options{Region: "us-east-1", Account: "111122223333",
		StackParameters: map[string]string{"Table": "orders", "Stage": "dev", "Token": "****", "Size": "medium", "Image": "img"},
		Exports:         map[string]string{"shared-dlq-arn": "arn:aws:sqs:us-east-1:111122223333:dlq"},
		Roles:           map[string]OutsideRole{outside.ARN: {Role: outside, Unseen: []account.Unseen{{Operation: "iam:ListRolePolicies", Resource: outside.ARN, Error: "AccessDenied", Permission: "iam:ListRolePolicies"}}}},
		ManagedPolicies: map[string]account.ManagedPolicy{"arn:aws:iam::111122223333:policy/team-boundary": {Name: "team-boundary", VersionID: "v2", Document: `{"Version":"2012-10-17","Statement":[]}`}},
	}
	unknownNames := func(res *Result) []string {
		var out []string
		for _, u := range res.Unknowns {
			out = append(out, u.Kind+" "+u.Name)
		}
		return out
	}
	filledNames := func(res *Result) []string {
		var out []string
		for _, f := range res.Filled {
			out = append(out, f.Kind+" "+f.Name)
		}
		return out
	}
	fn := func(t *testing.T, res *Result, id string) *account.Function {
		t.Helper()
		for _, f := range res.Functions {
			if f.Source.LogicalID == id {
				return f
			}
		}
		t.Fatalf("no function %s", id)
		return nil
	}

	t.Run("offline", func(t *testing.T) {
		res, err := Parse("t.yaml", []byte(accountTemplate), Options{Region: "us-east-1", Account: "111122223333"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := unknownNames(res), []string{"Parameter Table", "Parameter Token", "Parameter Size", "Parameter Image", "ImportValue shared-dlq-arn"}; !slices.Equal(got, want) {
			t.Errorf("unknowns: got %q, want %q", got, want)
		}
		if got, want := res.ExternalRoles, []string{"arn:aws:iam::111122223333:role/outside"}; !slices.Equal(got, want) {
			t.Errorf("external roles: got %q, want %q", got, want)
		}
		if got, want := res.ExternalPolicies, []string{"arn:aws:iam::111122223333:policy/team-boundary"}; !slices.Equal(got, want) {
			t.Errorf("external policies: got %q, want %q", got, want)
		}
		if len(res.Filled) != 0 {
			t.Errorf("filled: got %q, want none", filledNames(res))
		}
		if f := fn(t, res, "Fn"); f.Role != nil {
			t.Errorf("Fn's role: got %+v, want none (not in the template)", f.Role)
		}
	})

	t.Run("from the account", func(t *testing.T) {
		res, err := Parse("t.yaml", []byte(accountTemplate), full)
		if err != nil {
			t.Fatal(err)
		}
		// Token is NoEcho (and masked), Size's deployed value is not
		// allowed, Image is resolved from SSM at deploy time.
		if got, want := unknownNames(res), []string{"Parameter Token", "Parameter Size", "Parameter Image"}; !slices.Equal(got, want) {
			t.Errorf("unknowns: got %q, want %q", got, want)
		}
		if got, want := filledNames(res), []string{"Parameter Table", "ImportValue shared-dlq-arn", "ManagedPolicy arn:aws:iam::111122223333:policy/team-boundary", "Role arn:aws:iam::111122223333:role/outside"}; !slices.Equal(got, want) {
			t.Errorf("filled: got %q, want %q", got, want)
		}
		if len(res.ExternalRoles)+len(res.ExternalPolicies) != 0 {
			t.Errorf("external: got %q %q, want none", res.ExternalRoles, res.ExternalPolicies)
		}
		f := fn(t, res, "Fn")
		// Stage has a Default: the deployed "dev" does not replace it.
		if !strings.Contains(f.Name, "orders-prod-") {
			t.Errorf("Fn's name %q: want the default stage prod", f.Name)
		}
		if f.Config.DeadLetterTarget != "arn:aws:sqs:us-east-1:111122223333:dlq" {
			t.Errorf("dead-letter target %q, want the export's value", f.Config.DeadLetterTarget)
		}
		if f.Role != outside {
			t.Errorf("Fn's role: got %+v, want the role read from the account", f.Role)
		}
		if !slices.ContainsFunc(f.Unseen, func(u account.Unseen) bool { return u.Operation == "iam:ListRolePolicies" }) {
			t.Errorf("Fn's unseen %+v: want the refused read of its role", f.Unseen)
		}
		inner := fn(t, res, "Inner")
		if m := inner.Role.Managed; len(m) != 1 || m[0].Document == "" || m[0].ARN != "arn:aws:iam::111122223333:policy/team-boundary" {
			t.Errorf("Inner's managed policies %+v: want the document read from the account", m)
		}
		if slices.ContainsFunc(inner.Unseen, func(u account.Unseen) bool { return strings.Contains(u.Error, "managed policy") }) {
			t.Errorf("Inner's unseen %+v: the policy's document is known", inner.Unseen)
		}
	})

	t.Run("--parameter wins", func(t *testing.T) {
		o := full
		o.Parameters = map[string]string{"Table": "given", "Token": "t", "Size": "small", "Image": "x"}
		res, err := Parse("t.yaml", []byte(accountTemplate), o)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(res.Filled, func(f Filled) bool { return f.Kind == "Parameter" }) {
			t.Errorf("filled %q: no parameter comes from the stack when --parameter gives it", filledNames(res))
		}
		// An SSM parameter type stays unknown even with --parameter (its
		// value is the SSM parameter's name).
		if got, want := unknownNames(res), []string{"Parameter Image"}; !slices.Equal(got, want) {
			t.Errorf("unknowns: got %q, want %q", got, want)
		}
	})

	t.Run("an export named by an unknown", func(t *testing.T) {
		src := strings.Replace(accountTemplate, "!ImportValue shared-dlq-arn", "!ImportValue {'Fn::Sub': '${Token}-dlq'}", 1)
		res, err := Parse("t.yaml", []byte(src), full)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(res.Filled, func(f Filled) bool { return f.Kind == "ImportValue" }) {
			t.Errorf("filled %q: an export whose name is unknown is not looked up", filledNames(res))
		}
	})
}

// TestSSMParameterResolved: a Systems Manager parameter type (its value is
// the SSM parameter's name) takes the value the deployed stack resolved
// (DescribeStacks' ResolvedValue, "returned only for Systems Manager
// parameter types in the template", AWS CloudFormation API Reference,
// Parameter) when the name the template deploys (--parameter, else the
// Default, else the stack's) is the one the stack resolved; never for a
// NoEcho parameter, a masked value, or another name.
func TestSSMParameterResolved(t *testing.T) {
	const src = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Bucket: {Type: 'AWS::SSM::Parameter::Value<String>'%s}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Ref Bucket
      Role: arn:aws:iam::111122223333:role/r
      Code: {ZipFile: x}
`
	for _, tc := range []struct {
		name     string
		decl     string            // more of Bucket's declaration
		given    map[string]string // --parameter
		deployed string            // the stack's ParameterValue of Bucket
		resolved string            // its ResolvedValue ("" for none)
		want     string            // Bucket's value (the function's name), "" for unknown
	}{
		{"no default: the stack's name", "", nil, "/app/bucket", "orders-bucket", "orders-bucket"},
		{"the default is the stack's name", ", Default: /app/bucket", nil, "/app/bucket", "orders-bucket", "orders-bucket"},
		{"--parameter is the stack's name", ", Default: /other", map[string]string{"Bucket": "/app/bucket"}, "/app/bucket", "orders-bucket", "orders-bucket"},
		{"the default is another name", ", Default: /other", nil, "/app/bucket", "orders-bucket", ""},
		{"--parameter is another name", "", map[string]string{"Bucket": "/other"}, "/app/bucket", "orders-bucket", ""},
		{"no ResolvedValue", "", nil, "/app/bucket", "", ""},
		{"NoEcho", ", NoEcho: true", nil, "/app/bucket", "orders-bucket", ""},
		{"masked", "", nil, "****", "orders-bucket", ""},
		{"not an allowed name", ", AllowedValues: [/a, /b]", nil, "/app/bucket", "orders-bucket", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Region: "us-east-1", Account: "111122223333", Parameters: tc.given,
				StackParameters: map[string]string{"Bucket": tc.deployed}}
			if tc.resolved != "" {
				o.StackResolved = map[string]string{"Bucket": tc.resolved}
			}
			res, err := Parse("t.yaml", []byte(strings.Replace(src, "%s", tc.decl, 1)), o)
			if err != nil {
				t.Fatal(err)
			}
			var fn *account.Function
			for _, f := range res.Functions {
				fn = f
			}
			got := fn.Name
			if tc.want == "" {
				if !account.HasMarker(got) {
					t.Errorf("the function's name: got %q, want unknown", got)
				}
				if slices.ContainsFunc(res.Filled, func(f Filled) bool { return f.Name == "Bucket" }) {
					t.Errorf("filled %+v: want Bucket unknown", res.Filled)
				}
				return
			}
			if got != tc.want {
				t.Errorf("the function's name: got %q, want %q", got, tc.want)
			}
			if want := []Filled{{Kind: "Parameter", Name: "Bucket", Resolved: tc.deployed}}; !slices.Equal(res.Filled, want) {
				t.Errorf("filled: got %+v, want %+v", res.Filled, want)
			}
		})
	}
}

// TestKeptDefaults: a parameter whose Default the template uses while the
// deployed stack has another value keeps the Default (the template is what
// will be deployed) and is listed in Result.KeptDefaults; not when the
// values are the same (a List<...> type's elements trimmed), when
// --parameter gives the value, when there is no Default, nor for a NoEcho
// parameter or a masked value (never shown).
func TestKeptDefaults(t *testing.T) {
	const src = `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage: {Type: %s%s}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: orders
      Role: arn:aws:iam::111122223333:role/r
      Code: {ZipFile: x}
`
	for _, tc := range []struct {
		name     string
		typ      string
		decl     string
		given    map[string]string
		deployed string
		want     []KeptDefault
	}{
		{"differs", "String", ", Default: dev", nil, "prod", []KeptDefault{{Name: "Stage", Default: "dev", Deployed: "prod"}}},
		{"the same", "String", ", Default: dev", nil, "dev", nil},
		{"--parameter", "String", ", Default: dev", map[string]string{"Stage": "qa"}, "prod", nil},
		{"no default", "String", "", nil, "prod", nil},
		{"NoEcho", "String", ", Default: dev, NoEcho: true", nil, "prod", nil},
		{"masked", "String", ", Default: dev", nil, "****", nil},
		{"a list, the same but spaces", "List<String>", ", Default: 'a,b'", nil, "a, b", nil},
		{"a list that differs", "CommaDelimitedList", ", Default: [a, b]", nil, "a,c", []KeptDefault{{Name: "Stage", Default: "a,b", Deployed: "a,c"}}},
		{"an SSM parameter's name", "'AWS::SSM::Parameter::Value<String>'", ", Default: /app/dev", nil, "/app/prod", []KeptDefault{{Name: "Stage", Default: "/app/dev", Deployed: "/app/prod"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Region: "us-east-1", Account: "111122223333", Parameters: tc.given,
				StackParameters: map[string]string{"Stage": tc.deployed}}
			res, err := Parse("t.yaml", []byte(fmt.Sprintf(src, tc.typ, tc.decl)), o)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.KeptDefaults, tc.want) {
				t.Errorf("kept defaults: got %+v, want %+v", res.KeptDefaults, tc.want)
			}
		})
	}
}
