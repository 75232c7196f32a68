package fix

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// fmtClean fails unless src is HCL that `terraform fmt` leaves as it is:
// terraform fmt formats with hclwrite (internal/command/fmt.go of
// hashicorp/terraform: hclwrite.ParseConfig, then File.Bytes, which
// formats), and unwraps "${x}" interpolations, which these snippets never
// write.
func fmtClean(t *testing.T, src string) {
	t.Helper()
	if _, diags := hclsyntax.ParseConfig([]byte(src), "fix.tf", hcl.InitialPos); diags.HasErrors() {
		t.Fatalf("not HCL: %v\n%s", diags, src)
	}
	if got := string(hclwrite.Format([]byte(src))); got != src {
		t.Errorf("terraform fmt would change it:\n--- ours\n%s\n--- fmt\n%s", src, got)
	}
}

// withoutComments drops a snippet's leading comment lines.
func withoutComments(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// Known-good samples: resources in the layout of the AWS provider's
// documentation (registry.terraform.io, aws_lambda_permission and
// aws_iam_role_policy_attachment), which terraform fmt leaves as they are;
// tfBlock writes the same text from the same arguments.
func TestTerraformSamples(t *testing.T) {
	samples := []struct {
		want  string
		typ   string
		label []string
		args  []tfArg
	}{
		{`resource "aws_lambda_permission" "allow_cloudwatch" {
  statement_id  = "AllowExecutionFromCloudWatch"
  action        = "lambda:InvokeFunction"
  function_name = "test_lambda"
  principal     = "events.amazonaws.com"
  source_arn    = "arn:aws:events:eu-west-1:111122223333:rule/RunDaily"
  qualifier     = "live"
}`, "resource", []string{"aws_lambda_permission", "allow_cloudwatch"}, []tfArg{
			{"statement_id", tfString("AllowExecutionFromCloudWatch")}, {"action", tfString("lambda:InvokeFunction")},
			{"function_name", tfString("test_lambda")}, {"principal", tfString("events.amazonaws.com")},
			{"source_arn", tfString("arn:aws:events:eu-west-1:111122223333:rule/RunDaily")}, {"qualifier", tfString("live")}}},
		{`resource "aws_iam_role_policy_attachment" "test-attach" {
  role       = "test-role"
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}`, "resource", []string{"aws_iam_role_policy_attachment", "test-attach"}, []tfArg{
			{"role", tfString("test-role")}, {"policy_arn", tfString("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}}},
	}
	for _, s := range samples {
		fmtClean(t, s.want)
		if got := tfBlock(s.typ, s.label, s.args...); got != s.want {
			t.Errorf("tfBlock:\n%s\nwant\n%s", got, s.want)
		}
	}
}

// TestTerraformIsFormatted: every Terraform snippet lambda-doctor writes is
// as terraform fmt leaves it (a fragment inside its block), and its strings
// and heredocs read back as written, IAM policy variables included.
func TestTerraformIsFormatted(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}`
	fn := &account.Function{Name: "order-processor", ARN: "arn:aws:lambda:us-east-1:111122223333:function:order-processor", Account: "111122223333", Region: "us-east-1"}
	inv := &judge.Invoker{SourceARN: "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders", Qualifier: "live"}
	snippets := map[string]string{
		"inline":         iacInline(render{f: Terraform}, "arn:aws:iam::111122223333:role/order-role", "order-role", "lambda-doctor-s3", doc),
		"managed":        iacManaged(render{f: Terraform}, "arn:aws:iam::111122223333:role/order-role", "order-role", BasicExecutionRoleARN),
		"managed doc":    iacManagedDoc(render{f: Terraform}, "arn:aws:iam::111122223333:policy/app", doc),
		"permission":     iacPermission(render{f: Terraform}, fn, inv, "apigateway.amazonaws.com", "apigw-orders", "lambda:InvokeFunction", "111122223333", "", false, true),
		"url public":     iacPermission(render{f: Terraform}, fn, &judge.Invoker{}, "*", "FunctionURLAllowPublicAccess", "lambda:InvokeFunctionUrl", "", "NONE", false, false),
		"url via":        iacPermission(render{f: Terraform}, fn, &judge.Invoker{}, "*", "FunctionURLAllowInvokeAction", "lambda:InvokeFunction", "", "", true, false),
		"trust (inside)": "resource \"aws_iam_role\" \"r\" {\n" + withoutComments(iacTrust(render{f: Terraform}, "arn:aws:iam::111122223333:role/order-role", "order-role", doc)) + "\n}",
	}
	for name, s := range snippets {
		t.Run(name, func(t *testing.T) {
			src := withoutComments(s)
			fmtClean(t, src)
			file, diags := hclsyntax.ParseConfig([]byte(src), "fix.tf", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			for _, b := range file.Body.(*hclsyntax.Body).Blocks {
				for _, a := range b.Body.Attributes {
					v, diags := a.Expr.Value(nil)
					if diags.HasErrors() {
						t.Fatalf("%s: %v", a.Name, diags)
					}
					if a.Name == "policy" || a.Name == "assume_role_policy" {
						var got bytes.Buffer
						if err := json.Compact(&got, []byte(v.AsString())); err != nil || got.String() != doc {
							t.Errorf("%s reads back as %s (%v), want %s", a.Name, got.String(), err, doc)
						}
					}
				}
			}
		})
	}
}

func TestTFString(t *testing.T) {
	for in, want := range map[string]string{
		"plain":            `"plain"`,
		`a"b\c`:            `"a\"b\\c"`,
		"${aws:username}":  `"$${aws:username}"`,
		"%{if x}":          `"%%{if x}"`,
		"tab\tnew\nline\r": `"tab\tnew\nline\r"`,
		"bell\a":           `"bell\u0007"`,
		"é日":               `"é日"`,
	} {
		if got := tfString(in); got != want {
			t.Errorf("tfString(%q) = %s, want %s", in, got, want)
		}
		expr, diags := hclsyntax.ParseExpression([]byte(tfString(in)), "x.tf", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%q: %v", in, diags)
		}
		if v, diags := expr.Value(nil); diags.HasErrors() || v.AsString() != in {
			t.Errorf("%s reads back as %q, want %q (%v)", tfString(in), v.AsString(), in, diags)
		}
	}
}
