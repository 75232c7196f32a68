package diagnose

import (
	"context"
	"errors"
	"testing"
)

// FuzzDiagnoseError feeds arbitrary pasted text and flag values to Diagnose:
// it must never panic, and every error must be bad input.
func FuzzDiagnoseError(f *testing.F) {
	f.Add("User: arn:aws:sts::111122223333:assumed-role/worker-role/worker is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" because no identity-based policy allows the s3:GetObject action", "", "", "")
	f.Add("Execution failed due to configuration error: Invalid permissions on Lambda function", "", "", "")
	f.Add("The role defined for the function cannot be assumed by Lambda.", "", "", "")
	f.Add("User: arn:aws:iam::444455556666:user/x is not authorized to perform: lambda:InvokeFunction on resource: worker:live with an explicit deny in a resource-based policy", "", "", "")
	f.Add("", "apigateway.amazonaws.com", "arn:aws:execute-api:eu-west-1:111122223333:abc/*/GET/", "live")
	f.Add("", "*", "", "")
	f.Add("", "logs.amazonaws.com", "arn:aws:logs:us-east-1:111122223333:log-group:/x:*", "")
	f.Add("AccessDenied", "444455556666", "arn:", "1")
	f.Add("User: arn:aws:sts::111122223333:assumed-role/worker-role/worker is not authorized to perform: dynamodb:Querry on resource: arn:aws:dynamodb:us-east-1:111122223333:table/T", "", "", "")
	f.Add("User: arn:aws:sts::111122223333:assumed-role/worker-role/worker is not authorized to perform: s3:GetObject on resource: arn:aws-cn:s3:::b/k", "", "", "")
	f.Add("", "s3.amazonaws.com", "arn:aws-us-gov:s3:::bucket", "a.b")
	f.Fuzz(func(t *testing.T, text, caller, source, qualifier string) {
		o := Options{Error: text, Caller: caller, SourceARN: source, Qualifier: qualifier}
		if text == "" {
			o.Symptom = SymptomInvokeDenied
		}
		rep, err := Diagnose(context.Background(), testFunction(), o)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error that is not bad input: %v", err)
			}
			return
		}
		if c := rep.ExitCode(); c != 0 && c != 1 && c != 3 {
			t.Fatalf("exit code %d", c)
		}
		if _, err := rep.MarshalJSON(); err != nil {
			t.Fatalf("json: %v", err)
		}
	})
}
