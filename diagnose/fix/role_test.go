package fix

import (
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// TestRoleNotFoundFix: a deleted execution role is fixed by creating it
// again under its ARN (name and path) with a trust policy for Lambda
// (Lambda DG lambda-intro-execution-role), verified on the model, with the
// profile and region; what it needs beyond that is not known and is said
// so, without a command; pointing the function at another role is advice.
// A role ARN that is not one IAM would create gets no command.
func TestRoleNotFoundFix(t *testing.T) {
	for _, tc := range []struct {
		name, arn, want string
	}{
		{"with a path", "arn:aws:iam::111122223333:role/service-role/worker-role",
			`aws iam create-role --region us-east-1 --profile ops --role-name worker-role --path /service-role/ --assume-role-policy-document '` + lambdaTrust + `'`},
		{"no path", "arn:aws:iam::111122223333:role/worker-role",
			`aws iam create-role --region us-east-1 --profile ops --role-name worker-role --assume-role-policy-document '` + lambdaTrust + `'`},
		{"another account's role", "arn:aws:iam::444455556666:role/worker-role", ""},
		{"not a role ARN", "arn:aws:iam::111122223333:user/worker", ""},
		{"a name IAM refuses", "arn:aws:iam::111122223333:role/worker role", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := testFunction()
			fn.Role = nil
			fn.Config.RoleARN = tc.arn
			fn.Unseen = []account.Unseen{{Operation: "iam:GetRole", Resource: tc.arn, Error: "NoSuchEntity", NotFound: true}}
			c, ok := judge.RoleNotFoundCause(fn)
			if !ok {
				t.Fatal("no role_not_found cause")
			}
			set := NewSet()
			set.Profile = "ops"
			fixes := set.ForCause(fn, c)
			var cmds []string
			advice := ""
			for _, f := range fixes {
				if f.Door != judge.Config {
					t.Errorf("fix %+v: door %s, want config", f, f.Door)
				}
				if f.Command != "" {
					cmds = append(cmds, f.Command)
					if !f.Verified {
						t.Errorf("unverified command %s", f.Command)
					}
					continue
				}
				advice += f.Explanation + "\n"
			}
			if got := strings.Join(cmds, "\n"); got != tc.want {
				t.Errorf("commands:\n got %s\nwant %s", got, tc.want)
			}
			if !strings.Contains(advice, "aws lambda update-function-configuration --function-name "+fn.ARN+" --region us-east-1 --role") {
				t.Errorf("no advice to point the function at another role:\n%s", advice)
			}
			if tc.want != "" && !strings.Contains(advice, "not known") {
				t.Errorf("the advice does not say that the role's policies are not known:\n%s", advice)
			}
		})
	}
}
