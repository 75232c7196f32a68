package fix

import "strings"

// The aws CLI commands the fixes print, each written in one place: what
// makes a command unambiguous about the account and region it changes
// (docs/contract.md, "Every fix command is unambiguous") is added here, once.

// awsCLI is `aws SERVICE OPERATION ARGS...`; args are already quoted.
func awsCLI(service, operation string, args ...string) string {
	return strings.Join(append([]string{"aws", service, operation}, args...), " ")
}

func putRolePolicy(role, name, doc string) string {
	return awsCLI("iam", "put-role-policy", "--role-name", Quote(role), "--policy-name", Quote(name), "--policy-document", Quote(doc))
}

func attachRolePolicy(role, policyARN string) string {
	return awsCLI("iam", "attach-role-policy", "--role-name", Quote(role), "--policy-arn", Quote(policyARN))
}

func createPolicyVersion(policyARN, doc string) string {
	return awsCLI("iam", "create-policy-version", "--policy-arn", Quote(policyARN), "--set-as-default", "--policy-document", Quote(doc))
}

func updateAssumeRolePolicy(role, doc string) string {
	return awsCLI("iam", "update-assume-role-policy", "--role-name", Quote(role), "--policy-document", Quote(doc))
}

func putResourcePolicy(resourceARN, doc string) string {
	return awsCLI("lambda", "put-resource-policy", "--resource-arn", Quote(resourceARN), "--policy", Quote(doc))
}
