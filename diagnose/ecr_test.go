package diagnose

import (
	"context"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// TestECRImageDenialBlamesTheRepositoryPolicy: Lambda pulls a container
// image with its service principal, and the ECR repository policy must allow
// it (Lambda DG, "Create a Lambda function using a container image",
// Amazon ECR permissions), so the execution role is not the door to edit.
func TestECRImageDenialBlamesTheRepositoryPolicy(t *testing.T) {
	fn := &account.Function{
		ARN: "arn:aws:lambda:us-east-1:111122223333:function:resize", Name: "resize",
		Account: "111122223333", Region: "us-east-1", Partition: "aws",
		Config: account.Config{
			RoleARN:     "arn:aws:iam::111122223333:role/resize-role",
			PackageType: "Image",
			ImageURI:    "444455556666.dkr.ecr.us-east-1.amazonaws.com/media/resize:v42",
			Logging:     account.Logging{LogGroup: "/aws/lambda/resize"},
		},
		Role: &account.Role{ARN: "arn:aws:iam::111122223333:role/resize-role", Name: "resize-role",
			Trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
	}
	rep, err := Diagnose(context.Background(), fn, Options{Symptom: SymptomAuto,
		Error: "InvalidParameterValueException: Lambda does not have permission to access the ECR image. Check the ECR permissions."})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.ExitCode(); got != 1 {
		t.Fatalf("exit code: got %d, want 1", got)
	}
	p := rep.Primary
	if p.Request == nil || p.Request.Principal != "lambda.amazonaws.com" || p.Request.Action != "ecr:BatchGetImage" {
		t.Fatalf("request: got %+v, want lambda.amazonaws.com ecr:BatchGetImage", p.Request)
	}
	if want := "arn:aws:ecr:us-east-1:444455556666:repository/media/resize"; p.Request.Resource != want {
		t.Errorf("resource: got %q, want %q", p.Request.Resource, want)
	}
	if len(p.Fixes) != 1 || p.Fixes[0].Command != "" || !strings.Contains(p.Fixes[0].Owner, "ECR repository") {
		t.Fatalf("fixes: got %+v, want one command-less fix owned by the repository owner", p.Fixes)
	}
	for _, f := range p.Fixes {
		if strings.Contains(f.Command, "put-role-policy") {
			t.Errorf("a role fix was offered for an ECR repository denial: %s", f.Command)
		}
	}
}
