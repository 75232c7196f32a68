package fixtest

import (
	"os/exec"
	"strings"
	"testing"
)

func TestPublicGrants(t *testing.T) {
	urlStatement := `{"Sid":"FunctionURLAllowPublicAccess","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"arn:aws:lambda:us-east-1:111122223333:function:f","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}}`
	anyone := `{"Sid":"anyone","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:f"}`
	awsStar := `{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"lambda:InvokeFunction","Resource":"*"}`
	deny := `{"Effect":"Deny","Principal":"*","Action":"lambda:InvokeFunction","Resource":"*"}`
	doc := func(sts ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(sts, ",") + `]}`
	}
	for _, tc := range []struct {
		name     string
		fix      Fix
		existing []string
		want     bool
	}{
		{"add-permission to anyone", Fix{Command: "aws lambda add-permission --function-name f --statement-id public --action lambda:InvokeFunction --principal '*'"}, nil, true},
		{"add-permission to anyone, after another command", Fix{Command: "aws lambda add-permission --function-name f --statement-id s --action lambda:InvokeFunction --principal s3.amazonaws.com && aws lambda add-permission --function-name f --statement-id p --action lambda:InvokeFunction --principal \\*"}, nil, true},
		{"URL NONE grant", Fix{Command: "aws lambda add-permission --function-name f --statement-id FunctionURLAllowPublicAccess --action lambda:InvokeFunctionUrl --principal '*' --function-url-auth-type NONE"}, nil, false},
		{"URL AWS_IAM grant to anyone", Fix{Command: "aws lambda add-permission --function-name f --statement-id u --action lambda:InvokeFunctionUrl --principal '*' --function-url-auth-type AWS_IAM"}, nil, true},
		{"invoke via URL", Fix{Command: "aws lambda add-permission --function-name f --statement-id i --action lambda:InvokeFunction --principal '*' --invoked-via-function-url"}, nil, false},
		{"service principal", Fix{Command: "aws lambda add-permission --function-name f --statement-id s --action lambda:InvokeFunction --principal s3.amazonaws.com --source-arn arn:aws:s3:::b"}, nil, false},
		{"resource policy written back with a new public statement", Fix{Command: "aws lambda put-resource-policy --resource-arn arn:aws:lambda:us-east-1:111122223333:function:f --policy '" + doc(anyone) + "'"}, nil, true},
		{"resource policy written back keeping an existing one", Fix{Command: "aws lambda put-resource-policy --resource-arn arn:aws:lambda:us-east-1:111122223333:function:f --policy '" + doc(anyone) + "'"}, []string{doc(anyone)}, false},
		{"AWS * in a document", Fix{Document: doc(awsStar)}, nil, true},
		{"URL statement in a document", Fix{Document: doc(urlStatement)}, nil, false},
		{"a deny to anyone", Fix{Document: doc(deny)}, nil, false},
		{"CloudFormation to anyone", Fix{Command: "Public:\n  Type: AWS::Lambda::Permission\n  Properties:\n    FunctionName: f\n    Action: lambda:InvokeFunction\n    Principal: '*'"}, nil, true},
		{"CloudFormation URL NONE", Fix{Command: "Public:\n  Type: AWS::Lambda::Permission\n  Properties:\n    FunctionName: f\n    Action: lambda:InvokeFunctionUrl\n    Principal: '*'\n    FunctionUrlAuthType: NONE"}, nil, false},
		{"Terraform to anyone", Fix{Command: "resource \"aws_lambda_permission\" \"p\" {\n  statement_id  = \"p\"\n  principal     = \"*\"\n}"}, nil, true},
		{"Terraform via URL", Fix{Command: "resource \"aws_lambda_permission\" \"p\" {\n  principal     = \"*\"\n  invoked_via_function_url = true\n}"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := PublicGrants(tc.fix, tc.existing)
			if (len(got) > 0) != tc.want {
				t.Errorf("got %q, want a public grant: %v", got, tc.want)
			}
		})
	}
}

// TestWordsAsBash compares Words with how bash splits the same lines.
func TestWordsAsBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for _, line := range []string{
		`aws lambda add-permission --principal '*' --source-arn 'arn:aws:execute-api:us-east-1:1:a/*/GET/it'\''s'`,
		`aws iam put-role-policy --policy-document '{"a":"b c"}' --x "d \"e\"" f\ g`,
		"aws lambda add-permission \\\n  --principal s3.amazonaws.com",
	} {
		out, err := exec.Command("bash", "-c", "set -- "+line+"\nprintf '%s\\0' \"$@\"").Output()
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
		if got := Words(line); strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("Words(%q) = %q, bash reads %q", line, got, want)
		}
	}
}
