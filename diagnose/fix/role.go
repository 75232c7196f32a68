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
// (judge.RoleNotFoundCause) that fns share (fns[0] first; one for
// diagnose): the role created again under its ARN with a trust policy for
// Lambda, once however many functions name it, verified by judging, on a
// copy of fns[0]'s model with that role, that the cause is gone and Lambda
// may assume it; then what no command can say: the permission policies the
// old role had went with it, and each function may instead be pointed at
// another role.
func roleNotFoundFixes(fns []*account.Function, c judge.Cause, profile string) []Fix {
	fn := fns[0]
	t := TargetOf(fn, profile)
	arn := c.Resource
	name, path, ok := roleNameAndPath(arn)
	var out []Fix
	if ok && judge.ARNAccount(arn, fn.Account) == fn.Account {
		p := plan{
			fix: Fix{Door: judge.Config, Command: createRole(t, name, path, lambdaTrust), Document: lambdaTrust,
				Explanation: fmt.Sprintf("this creates role %s again, with the same name and path and so the ARN the %s, and a trust policy that lets lambda.amazonaws.com assume it", name, plural(len(fns), "function names", "functions name"))},
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
			Explanation: fmt.Sprintf("the permission policies role %s had were deleted with it and cannot be read: which ones the %s not known here; once the role exists, diagnose %s again: it names each permission the function's configuration needs (its logs first) with the command that grants it",
				name, plural(len(fns), "function needs is", "functions need are"), plural(len(fns), "the function", "each function"))})
	}
	if len(fns) == 1 {
		out = append(out, Fix{Door: judge.Config, Format: CLI,
			Explanation: fmt.Sprintf("instead of creating the role again, the function can be pointed at another role that exists and that lambda.amazonaws.com may assume: aws lambda update-function-configuration --function-name %s --region %s --role followed by that role's ARN", functionRef(fn), t.Region)})
	} else {
		region := "--region " + t.Region
		for _, g := range fns[1:] {
			if g.Region != fn.Region {
				region = "--region followed by its region"
				break
			}
		}
		out = append(out, Fix{Door: judge.Config, Format: CLI,
			Explanation: fmt.Sprintf("instead of creating the role again, each of the %d functions can be pointed at another role that exists and that lambda.amazonaws.com may assume: aws lambda update-function-configuration --function-name followed by the function's ARN, %s, --role followed by that role's ARN", len(fns), region)})
	}
	if !ok {
		out[0].Explanation = "the " + plural(len(fns), "function names ", "functions name ") + arn + ", which is not an IAM role ARN of this account: " + out[0].Explanation
	}
	return out
}
