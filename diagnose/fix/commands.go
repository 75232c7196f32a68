package fix

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/validate"
)

// The aws CLI commands the fixes print, each written in one place, with
// what makes a command change exactly what was diagnosed
// (docs/contract.md, "Every fix command is unambiguous"):
//
//   - every command carries --region, the function's region: Lambda,
//     CloudWatch Logs and KMS are regional, so a command without it would
//     act in the shell's default region, on a namesake of the function or
//     on nothing. IAM is global within a partition and accepts --region; it
//     gets it too, because the region picks the partition (an IAM command
//     for a function in cn-north-1 or us-gov-west-1 must reach that
//     partition's IAM, not the aws partition's);
//   - every command carries --profile when the account was read with a named
//     profile, from --profile or AWS_PROFILE alike: the command then runs
//     with the credentials that read the account wherever it is pasted (a
//     runbook, another shell), not with whatever the shell has; a profile
//     missing there makes the command fail instead of acting elsewhere.
//     Without a named profile (environment keys, SSO defaults, a snapshot)
//     the commands run with the shell's credentials;
//   - a function is named by its full ARN (--function-name takes one), which
//     also pins the account; a managed policy by its ARN. IAM roles can
//     only be named by name: --profile, when there is one, pins their
//     account;
//   - a command that replaces a whole resource policy (put-resource-policy)
//     passes the policy's --revision-id as it was read, so it fails rather
//     than overwrite a change made since.

// Target is where the commands of a function's fixes act.
type Target struct {
	// Region is the function's region.
	Region string
	// Profile is the named profile the account was read with ("" when
	// none).
	Profile string
	// Account and Partition are the function's, for the IaC forms.
	Account, Partition string
}

// TargetOf is the target of the fixes of fn, whose account was read with
// the named profile ("" for none).
func TargetOf(fn *account.Function, profile string) Target {
	return Target{Region: fn.Region, Profile: profile, Account: fn.Account, Partition: fn.PartitionName()}
}

// known reports whether the region is a region name: without one, no
// command can be pinned to the function's region.
func (t Target) known() bool {
	_, err := validate.Region(t.Region)
	return err == nil
}

// aws is `aws SERVICE OPERATION --region R [--profile P] ARGS...`; args
// are already quoted.
func (t Target) aws(service, operation string, args ...string) string {
	cmd := []string{"aws", service, operation, "--region", Quote(t.Region)}
	if t.Profile != "" {
		cmd = append(cmd, "--profile", Quote(t.Profile))
	}
	return strings.Join(append(cmd, args...), " ")
}

// iacComment is the line an IaC snippet starts with: the account and
// region it was planned for.
func (t Target) iacComment(f Format) string {
	region, acct := t.Region, t.Account
	if region == "" {
		region = "(not known)"
	}
	if acct == "" {
		acct = "(not known)"
	}
	if f == Terraform {
		return fmt.Sprintf("# for account %s, region %s (the function's): an aws provider with region = %q and allowed_account_ids = [%q]", acct, region, t.Region, t.Account)
	}
	return fmt.Sprintf("# for account %s, region %s (the function's): a stack deployed there", acct, region)
}

// functionRef names a function for --function-name: its full ARN when
// known (it pins the account and region), else its name.
func functionRef(fn *account.Function) string {
	if fn.ARN != "" {
		return fn.ARN
	}
	return fn.Name
}

func putRolePolicy(t Target, role, name, doc string) string {
	return t.aws("iam", "put-role-policy", "--role-name", Quote(role), "--policy-name", Quote(name), "--policy-document", Quote(doc))
}

func attachRolePolicy(t Target, role, policyARN string) string {
	return t.aws("iam", "attach-role-policy", "--role-name", Quote(role), "--policy-arn", Quote(policyARN))
}

func createPolicyVersion(t Target, policyARN, doc string) string {
	return t.aws("iam", "create-policy-version", "--policy-arn", Quote(policyARN), "--set-as-default", "--policy-document", Quote(doc))
}

func updateAssumeRolePolicy(t Target, role, doc string) string {
	return t.aws("iam", "update-assume-role-policy", "--role-name", Quote(role), "--policy-document", Quote(doc))
}

// putResourcePolicyCLI is the aws CLI that first has lambda
// put-resource-policy: the API came with the Lambda update of 2026-08-20
// ("full JSON resource-based policies"; AWS SDK for Go v2 service/lambda
// v1.102.0 of that day). aws-cli 2.36.7 and 1.45.55 (2026-07-23) lack it,
// as does the aws-cli 1.45 on the development machine.
const putResourcePolicyCLI = "an aws CLI released on 2026-08-20 or later (lambda put-resource-policy is new; `aws lambda put-resource-policy help` says whether yours has it)"

func putResourcePolicy(t Target, resourceARN, doc, revisionID string) string {
	return t.aws("lambda", "put-resource-policy", "--resource-arn", Quote(resourceARN), "--policy", Quote(doc), "--revision-id", Quote(revisionID))
}

// invokedViaURLCLI is the aws CLI that first has add-permission
// --invoked-via-function-url: aws-cli 2.31.13 and 1.42.50 (2025-10-10, "Add
// InvokedViaFunctionUrl context key"; the aws-cli CHANGELOG).
const invokedViaURLCLI = "aws CLI 2.31.13 or 1.42.50 or later (for --invoked-via-function-url)"

// permission is one lambda add-permission.
type permission struct {
	qualifier, sid, action, principal string
	sourceAccount, sourceARN, urlAuth string
	viaURL                            bool
}

func addPermission(t Target, fn *account.Function, p permission) string {
	args := []string{"--function-name", Quote(functionRef(fn))}
	if p.qualifier != "" {
		args = append(args, "--qualifier", Quote(p.qualifier))
	}
	args = append(args, "--statement-id", Quote(p.sid), "--action", Quote(p.action), "--principal", Quote(p.principal))
	if p.sourceAccount != "" {
		args = append(args, "--source-account", Quote(p.sourceAccount))
	}
	if p.sourceARN != "" {
		args = append(args, "--source-arn", Quote(p.sourceARN))
	}
	if p.urlAuth != "" {
		args = append(args, "--function-url-auth-type", Quote(p.urlAuth))
	}
	if p.viaURL {
		args = append(args, "--invoked-via-function-url")
	}
	return t.aws("lambda", "add-permission", args...)
}

// The commands check's findings advise (not verified fixes).

// DetachRolePolicy is the command that detaches a managed policy from a
// role.
func DetachRolePolicy(t Target, role, policyARN string) string {
	return t.aws("iam", "detach-role-policy", "--role-name", Quote(role), "--policy-arn", Quote(policyARN))
}

// RemovePermission is the command that removes statement sid from the
// resource policy of fn (qualified by qualifier, if any).
func RemovePermission(t Target, fn *account.Function, qualifier, sid string) string {
	args := []string{"--function-name", Quote(functionRef(fn))}
	if qualifier != "" {
		args = append(args, "--qualifier", Quote(qualifier))
	}
	return t.aws("lambda", "remove-permission", append(args, "--statement-id", Quote(sid))...)
}

// AddInvokePermission is the command that lets a service principal invoke
// fn (qualified by qualifier, if any) from sourceARN in sourceAccount, under
// statement sid. sourceARN is quoted unless it is a placeholder such as
// SOURCE_ARN.
func AddInvokePermission(t Target, fn *account.Function, qualifier, sid, principal, sourceARN, sourceAccount string) string {
	return addPermission(t, fn, permission{qualifier: qualifier, sid: sid, action: "lambda:InvokeFunction", principal: principal,
		sourceAccount: sourceAccount, sourceARN: sourceARN})
}

// RequireIAMAuth is the command that sets the auth type of fn's function
// URL (qualified by qualifier, if any) to AWS_IAM.
func RequireIAMAuth(t Target, fn *account.Function, qualifier string) string {
	args := []string{"--function-name", Quote(functionRef(fn))}
	if qualifier != "" {
		args = append(args, "--qualifier", Quote(qualifier))
	}
	return t.aws("lambda", "update-function-url-config", append(args, "--auth-type", "AWS_IAM")...)
}

// KMS commands name the key by its ARN and carry the key's region (the
// function's, for a key Lambda uses): a key ARN sent to another region's
// endpoint is not found.

func (t Target) forKey(keyARN string) Target {
	if r := account.ARNField(keyARN, 3); r != "" {
		t.Region = r
	}
	return t
}

func putKeyPolicy(t Target, keyARN, doc string) string {
	return t.forKey(keyARN).aws("kms", "put-key-policy", "--key-id", Quote(keyARN), "--policy-name", "default", "--policy", Quote(doc))
}

func enableKey(t Target, keyARN string) string {
	return t.forKey(keyARN).aws("kms", "enable-key", "--key-id", Quote(keyARN))
}

func cancelKeyDeletion(t Target, keyARN string) string {
	return t.forKey(keyARN).aws("kms", "cancel-key-deletion", "--key-id", Quote(keyARN))
}

func createGrant(t Target, keyARN, grantee string, operations []string, constraints string) string {
	args := []string{"--key-id", Quote(keyARN), "--grantee-principal", Quote(grantee), "--operations"}
	for _, op := range operations {
		args = append(args, Quote(op))
	}
	if constraints != "" {
		args = append(args, "--constraints", Quote(constraints))
	}
	return t.forKey(keyARN).aws("kms", "create-grant", args...)
}

// Command is `aws SERVICE OPERATION --region R [--profile P] ARGS...` (args
// already quoted with Quote): a read-only command a report names beside its
// fixes. It is "" when the region is no region name, or when the command
// would carry a character unsafe to print (UnsafeCommand).
func (t Target) Command(service, operation string, args ...string) string {
	if !t.known() {
		return ""
	}
	cmd := t.aws(service, operation, args...)
	if UnsafeCommand(cmd) != "" {
		return ""
	}
	return cmd
}
