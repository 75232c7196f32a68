package diagnose

import (
	"context"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// TestOrgNoteOnAllClear: an allowed call of the function's code is allowed
// as far as the policies seen go; SCPs and RCPs the model lacks could still
// deny it (IAM UG, policy evaluation logic: an SCP deny wins), so an
// all-clear says so, unless the account is known to be in no organization.
func TestOrgNoteOnAllClear(t *testing.T) {
	cases := []struct {
		name string
		org  *account.Org
		want string // substring of the note; "" for none
	}{
		{"unknown organization", nil, "not in the model"},
		{"in no organization", &account.Org{}, ""},
		{"organization policies unread", &account.Org{ID: "o-a1b2c3d4e5", PoliciesUnread: true}, "o-a1b2c3d4e5 could not be read"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fn := &account.Function{
				ARN: "arn:aws:lambda:us-east-1:111122223333:function:reader", Name: "reader",
				Account: "111122223333", Region: "us-east-1", Partition: "aws",
				Config: account.Config{RoleARN: "arn:aws:iam::111122223333:role/reader-role", Logging: account.Logging{LogGroup: "/aws/lambda/reader"}},
				Role: &account.Role{ARN: "arn:aws:iam::111122223333:role/reader-role", Name: "reader-role",
					Trust:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
					Inline: []account.InlinePolicy{{Name: "orders", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:Query","Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/Orders"}]}`}}},
				Org: c.org,
			}
			rep, err := Diagnose(context.Background(), fn, Options{Symptom: SymptomAccessDenied,
				Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/Orders"})
			if err != nil {
				t.Fatal(err)
			}
			if rep.ExitCode() != 0 {
				t.Fatalf("exit code: got %d, want 0", rep.ExitCode())
			}
			notes := strings.Join(rep.Notes, "\n")
			if c.want == "" && strings.Contains(notes, "SCPs") {
				t.Errorf("notes: got %q, want no organization note", notes)
			}
			if c.want != "" && !strings.Contains(notes, c.want) {
				t.Errorf("notes: got %q, want one containing %q", notes, c.want)
			}
		})
	}
}
