package fix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// cfnResource is a resource of a translated template.
type cfnResource struct {
	Type       string
	Properties map[string]any
}

// samTranslate translates SAM templates, by name, with the installed
// samtranslator (account/template's helper script, one process for all)
// and returns each one's resources; it skips when python3 or samtranslator
// is missing, unless LAMBDA_DOCTOR_REQUIRE_SAM is set.
func samTranslate(t *testing.T, templates map[string]string) map[string]map[string]cfnResource {
	t.Helper()
	skip := func(msg string) {
		if os.Getenv("LAMBDA_DOCTOR_REQUIRE_SAM") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		skip("python3 is not installed")
	}
	dir := t.TempDir()
	args := []string{filepath.Join("..", "..", "account", "template", "testdata", "samtranslate.py"), "--batch", "us-east-1"}
	paths := map[string]string{}
	for name, tmpl := range templates {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
		if err := os.WriteFile(path, []byte(tmpl), 0o644); err != nil {
			t.Fatal(err)
		}
		paths[path] = name
		args = append(args, path)
	}
	cmd := exec.Command(py, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		skip("samtranslator is not installed")
	}
	if err != nil {
		t.Fatalf("samtranslate: %v: %s", err, stderr.String())
	}
	var res map[string]struct {
		Template struct{ Resources map[string]cfnResource }
		Error    string
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]cfnResource{}
	for path, r := range res {
		if r.Error != "" {
			t.Errorf("%s: SAM does not take it: %s\n%s", paths[path], r.Error, templates[paths[path]])
		}
		got[paths[path]] = r.Template.Resources
	}
	return got
}

// samFunction is a SAM template of one function with snippet (lines for
// its Properties, comments dropped) and resources (lines under Resources).
func samFunction(properties, resources string) string {
	return "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n" +
		"      Runtime: python3.12\n      Handler: app.handler\n      InlineCode: x\n" + withoutComments(properties) + "\n" + resources
}

// TestSAMForms: SAM's own forms go where the comment says, and SAM turns
// them into the grant: the function's Policies into its generated role,
// AssumeRolePolicyDocument into that role's trust, FunctionUrlConfig with
// AuthType NONE into both permissions of a public URL; a CloudFormation
// resource (a permission for an invoker outside the template) stays as it
// is.
func TestSAMForms(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"AllowS3GetObject","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`
	fn := &account.Function{Name: "order-processor", ARN: "arn:aws:lambda:us-east-1:111122223333:function:order-processor", Account: "111122223333", Region: "us-east-1"}

	var indented []string
	for _, l := range strings.Split(withoutComments(iacPermission(render{f: SAM}, fn, &judge.Invoker{SourceARN: "arn:aws:sns:us-east-1:111122223333:orders"},
		"sns.amazonaws.com", "sns-orders", "lambda:InvokeFunction", "111122223333", "", false, true)), "\n") {
		indented = append(indented, "  "+l)
	}
	all := samTranslate(t, map[string]string{
		"Policies":       samFunction(iacInline(render{f: SAM}, "arn:aws:iam::111122223333:role/order-role", "order-role", "lambda-doctor-s3", doc), ""),
		"managed policy": samFunction(iacManaged(render{f: SAM}, "arn:aws:iam::111122223333:role/order-role", "order-role", BasicExecutionRoleARN), ""),
		"trust":          samFunction(iacTrust(render{f: SAM}, "arn:aws:iam::111122223333:role/order-role", "order-role", trust), ""),
		"public URL":     samFunction(samPublicURL(""), ""),
		"permission":     samFunction("", strings.Join(indented, "\n")),
	})
	role := func(name string) string {
		b, _ := json.Marshal(all[name]["FnRole"].Properties)
		return string(b)
	}
	if r := role("Policies"); !strings.Contains(r, `"Action":"s3:GetObject"`) || !strings.Contains(r, `"arn:aws:s3:::b/*"`) {
		t.Errorf("Policies: the generated role lacks the grant: %s", r)
	}
	if r := role("managed policy"); !strings.Contains(r, BasicExecutionRoleARN) {
		t.Errorf("managed policy: the generated role lacks it: %s", r)
	}
	var want any
	json.Unmarshal([]byte(trust), &want)
	if got := all["trust"]["FnRole"].Properties["AssumeRolePolicyDocument"]; !reflect.DeepEqual(got, want) {
		t.Errorf("trust: the generated role's trust is %v, want the fix's %v", got, want)
	}
	var perms []string
	for _, r := range all["public URL"] {
		if r.Type != "AWS::Lambda::Permission" {
			continue
		}
		p := r.Properties
		perms = append(perms, fmt.Sprint(p["Action"], " ", p["Principal"]))
		if p["Action"] == "lambda:InvokeFunctionUrl" && p["FunctionUrlAuthType"] != "NONE" {
			t.Errorf("public URL: InvokeFunctionUrl without FunctionUrlAuthType NONE: %v", p)
		}
		if p["Action"] == "lambda:InvokeFunction" && p["InvokedViaFunctionUrl"] != true {
			t.Errorf("public URL: InvokeFunction without InvokedViaFunctionUrl: %v", p)
		}
	}
	if len(perms) != 2 {
		t.Errorf("public URL: permissions %v, want InvokeFunctionUrl and InvokeFunction", perms)
	}
	if p := all["permission"]["SnsOrders"]; p.Type != "AWS::Lambda::Permission" || p.Properties["SourceArn"] != "arn:aws:sns:us-east-1:111122223333:orders" {
		t.Errorf("permission resource: %+v", p)
	}
}

// TestNoFormSaysSo: a fix that has no infrastructure-code form (here a
// key policy edit) is the aws CLI command, and says that the form asked for
// does not exist instead of passing it off as one.
func TestNoFormSaysSo(t *testing.T) {
	fixes := CLIOnly([]Fix{{Command: "aws kms put-key-policy --region us-east-1 --key-id k", Explanation: "the key policy names no role"}, {Explanation: "advice"}}, Terraform)
	if fixes[0].Format != CLI || !strings.HasPrefix(fixes[0].Explanation, "no Terraform form for this change, so the aws CLI command: ") {
		t.Errorf("command: %+v", fixes[0])
	}
	if fixes[1].Explanation != "advice" {
		t.Errorf("advice changed: %+v", fixes[1])
	}
	if got := CLIOnly([]Fix{{Command: "aws x", Explanation: "e"}}, CLI); got[0].Explanation != "e" {
		t.Errorf("CLI asked for: %+v", got[0])
	}
}
