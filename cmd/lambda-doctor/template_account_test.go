package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/account/live"
	"github.com/lambda-doctor/lambda-doctor/account/template"
	"github.com/lambda-doctor/lambda-doctor/checks"
)

// stackReader is a templateReader that knows one deployed stack and
// nothing else, for the unit tests of readTemplateFrom (the live reader's
// reads run against moto in checks/checke2e).
type stackReader struct{ stack *live.Stack }

func (s stackReader) Origin() account.Origin {
	return account.Origin{Account: "111122223333", Region: "us-east-1", Partition: "aws", Caller: "arn:aws:iam::111122223333:user/ci"}
}
func (s stackReader) ReadStack(context.Context, string) (*live.Stack, []account.Unseen, error) {
	return s.stack, nil, nil
}
func (s stackReader) ReadExports(context.Context) (map[string]string, []account.Unseen, error) {
	return map[string]string{}, nil, nil
}
func (s stackReader) ReadRole(context.Context, string) (*account.Role, []account.Unseen, error) {
	return nil, nil, nil
}
func (s stackReader) ReadManagedPolicy(context.Context, string) (account.ManagedPolicy, []account.Unseen, error) {
	return account.ManagedPolicy{}, nil, nil
}

// writeTemplate writes src to a template file of the test's own.
func writeTemplate(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "template.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTemplateSSMResolvedFrom: a Systems Manager parameter type filled
// with the value the deployed stack resolved says so in
// template.account_read.values[] (from: the SSM parameter's name and
// DescribeStacks' ResolvedValue), not as a plain stack parameter.
func TestTemplateSSMResolvedFrom(t *testing.T) {
	path := writeTemplate(t, `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Bucket: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /app/bucket}
  Table: {Type: String}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub '${Bucket}-${Table}'
      Role: arn:aws:iam::111122223333:role/r
      Code: {ZipFile: x}
`)
	r := stackReader{&live.Stack{Name: "orders", Status: "UPDATE_COMPLETE",
		Parameters: map[string]string{"Bucket": "/app/bucket", "Table": "orders"},
		Resolved:   map[string]string{"Bucket": "orders-bucket"}}}
	opts := template.Options{StackName: "orders"}
	res, _, ar, err := readTemplateFrom(context.Background(), r, path, opts, accountPlan{Read: true, Why: "--profile p"}, &checks.AccountRead{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Functions[0].Name; got != "orders-bucket-orders" {
		t.Errorf("the function's name: got %q, want orders-bucket-orders", got)
	}
	want := map[string]string{
		"Bucket": "the value stack orders resolved for Systems Manager parameter /app/bucket (cloudformation:DescribeStacks, ResolvedValue)",
		"Table":  "stack orders (cloudformation:DescribeStacks)",
	}
	for _, v := range ar.Values {
		if v.Kind != "Parameter" {
			continue
		}
		if v.From != want[v.Name] {
			t.Errorf("values[] %s: from %q, want %q", v.Name, v.From, want[v.Name])
		}
		delete(want, v.Name)
	}
	if len(want) > 0 {
		t.Errorf("values[] lacks %v: %+v", want, ar.Values)
	}
}

// TestTemplateKeptDefault: a parameter whose template default differs
// from the deployed stack's value keeps the default (the template is what
// will be deployed) and says so: template.account_read.kept_defaults in
// JSON, and a line under the account-read line of the text output, also
// when the run passes.
func TestTemplateKeptDefault(t *testing.T) {
	path := writeTemplate(t, `AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub 'orders-${Stage}'
      Role: arn:aws:iam::111122223333:role/r
      Code: {ZipFile: x}
`)
	r := stackReader{&live.Stack{Name: "orders", Status: "UPDATE_COMPLETE", Parameters: map[string]string{"Stage": "prod"}}}
	res, _, ar, err := readTemplateFrom(context.Background(), r, path, template.Options{StackName: "orders"}, accountPlan{Read: true, Why: "--profile p"}, &checks.AccountRead{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Functions[0].Name; got != "orders-dev" {
		t.Errorf("the function's name: got %q, want orders-dev (the template's default)", got)
	}
	want := []checks.KeptDefault{{Parameter: "Stage", Default: "dev", Deployed: "prod"}}
	if !slices.Equal(ar.KeptDefaults, want) {
		t.Fatalf("kept defaults: got %+v, want %+v", ar.KeptDefaults, want)
	}
	const line = `parameter Stage: the template's default "dev" is used; the deployed stack has "prod"`
	for _, verbose := range []bool{false, true} {
		rep := &checks.Report{Template: &checks.Template{File: path, AccountRead: ar}}
		var b bytes.Buffer
		if err := checks.WriteText(&b, rep, checks.TextOptions{Width: 200, Verbose: verbose}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), line) {
			t.Errorf("text (verbose %v) lacks %q:\n%s", verbose, line, b.String())
		}
	}
	var b bytes.Buffer
	if err := checks.WriteJSON(&b, &checks.Report{Template: &checks.Template{File: path, AccountRead: ar}}); err != nil {
		t.Fatal(err)
	}
	var j struct {
		Template struct {
			AccountRead struct {
				KeptDefaults []checks.KeptDefault `json:"kept_defaults"`
			} `json:"account_read"`
		} `json:"template"`
	}
	if err := json.Unmarshal(b.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(j.Template.AccountRead.KeptDefaults, want) {
		t.Errorf("JSON kept_defaults: got %+v, want %+v\n%s", j.Template.AccountRead.KeptDefaults, want, b.String())
	}
}
