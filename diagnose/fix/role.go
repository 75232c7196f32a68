package fix

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// --- an execution role that does not exist --------------------------------------

// lambdaTrust is the trust policy of an execution role as the Lambda DG
// (lambda-intro-execution-role, "Creating and managing roles with the AWS
// CLI") writes it: lambda.amazonaws.com may sts:AssumeRole.
const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// roleName and rolePath are IAM's patterns for a role's name and path (IAM
// API, CreateRole: RoleName [\w+=,.@-]+ of at most 64 characters; Path "/"
// or a string that begins and ends with "/", of characters ! to ~).
var (
	roleName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	rolePath = regexp.MustCompile(`^/([!-~]*/)?$`)
)

// roleNameAndPath splits an IAM role ARN (arn:P:iam::ACCOUNT:role/PATH/NAME)
// into its name and path; ok is false for anything else.
func roleNameAndPath(arn string) (name, path string, ok bool) {
	if account.ARNField(arn, 2) != "iam" || !account.IsAccountID(account.ARNField(arn, 4)) {
		return "", "", false
	}
	res, found := strings.CutPrefix(account.ARNField(arn, 5), "role/")
	if !found {
		return "", "", false
	}
	path, name = "/", res
	if i := strings.LastIndex(res, "/"); i >= 0 {
		path, name = "/"+res[:i+1], res[i+1:]
	}
	if !roleName.MatchString(name) || !rolePath.MatchString(path) || len(path) > 512 {
		return "", "", false
	}
	return name, path, true
}

func createRole(t Target, name, path, trust string) string {
	args := []string{"--role-name", Quote(name)}
	if path != "/" {
		args = append(args, "--path", Quote(path))
	}
	return t.aws("iam", "create-role", append(args, "--assume-role-policy-document", Quote(trust))...)
}

// roleNotFoundFixes are the fixes of a deleted execution role
// (judge.RoleNotFoundCause): the role created again under its ARN with a
// trust policy for Lambda, verified by judging, on a copy of the model with
// that role, that the cause is gone and Lambda may assume it; then what no
// command can say: the permission policies the old role had went with it,
// and the function may instead be pointed at another role.
func roleNotFoundFixes(fn *account.Function, c judge.Cause, t Target) []Fix {
	arn := c.Resource
	name, path, ok := roleNameAndPath(arn)
	var out []Fix
	if ok && judge.ARNAccount(arn, fn.Account) == fn.Account {
		p := plan{
			fix: Fix{Door: judge.Config, Command: createRole(t, name, path, lambdaTrust), Document: lambdaTrust,
				Explanation: fmt.Sprintf("this creates role %s again, with the same name and path and so the ARN the function names, and a trust policy that lets lambda.amazonaws.com assume it", name)},
			apply: func(w *account.Function) error {
				w.Role = &account.Role{ARN: arn, Name: name, Path: path, Trust: lambdaTrust}
				var kept []account.Unseen
				for _, u := range w.Unseen {
					if !(u.NotFound && u.Resource == arn && strings.EqualFold(u.Operation, "iam:GetRole")) {
						kept = append(kept, u)
					}
				}
				w.Unseen = kept
				return nil
			},
		}
		out = plansToFixes(fn, []plan{p}, func(w *account.Function) bool {
			_, gone := judge.RoleNotFoundCause(w)
			return !gone && judge.CheckTrust(w).Open()
		})
		out = append(out, Fix{Door: judge.Config, Format: CLI,
			Explanation: fmt.Sprintf("the permission policies role %s had were deleted with it and cannot be read: which ones the function needs is not known here; once the role exists, diagnose the function again: it names each permission the function's configuration needs (its logs first) with the command that grants it", name)})
	}
	out = append(out, Fix{Door: judge.Config, Format: CLI,
		Explanation: fmt.Sprintf("instead of creating the role again, the function can be pointed at another role that exists and that lambda.amazonaws.com may assume: aws lambda update-function-configuration --function-name %s --region %s --role followed by that role's ARN", functionRef(fn), t.Region)})
	if !ok {
		out[0].Explanation = "the function names " + arn + ", which is not an IAM role ARN of this account: " + out[0].Explanation
	}
	return out
}
