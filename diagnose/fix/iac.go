package fix

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// Renderings of a fix's grant for infrastructure as code. CloudFormation and
// SAM snippets are YAML resources (SAM templates take CloudFormation
// resources as they are; the SAM form uses the function's Policies where
// SAM has a shorthand); Terraform snippets use the AWS provider. With a
// Template (check --template), the snippets edit that template: a role or
// function it defines gets the property to add, named by logical id with
// its location, and values it does not fix are intrinsic functions.

func tfName(s string) string {
	s = strings.ToLower(unsafeID.ReplaceAllString(s, "_"))
	s = strings.ReplaceAll(s, "-", "_")
	return strings.Trim(s, "_")
}

// withUnfilled adds, above a template snippet, the values the template has
// no expression for.
func withUnfilled(s string, ok bool) string {
	if ok {
		return s
	}
	return unfilled(s) + "\n" + s
}

func iacInline(r render, roleARN, role, name, doc string) string {
	switch {
	case r.f == Terraform:
		return tfBlock("resource", []string{"aws_iam_role_policy", tfName(name)},
			tfArg{"name", tfString(name)}, tfArg{"role", tfString(role)}, tfArg{"policy", tfHeredoc(doc, "  ")})
	case r.f == SAM && (r.t == nil || r.samRole(roleARN)):
		var d rawDoc
		_ = json.Unmarshal([]byte(doc), &d)
		var sts []string
		ok := true
		for _, s := range d.Statement {
			v, vok := r.doc(string(s), "")
			ok = ok && vok
			sts = append(sts, "            - "+strings.ReplaceAll(v, "\n", "\n              ")) // a JSON object is a YAML flow mapping
		}
		head := "# in the function's AWS::Serverless::Function Properties (SAM adds these to its generated role)"
		if r.t != nil {
			head = "# add to Properties.Policies of the AWS::Serverless::Function " + r.t.where(*r.fn.Source) + " (SAM adds it to the role it generates)"
		}
		return withUnfilled(fmt.Sprintf("%s\n      Policies:\n        - Version: '2012-10-17'\n          Statement:\n%s", head, strings.Join(sts, "\n")), ok)
	}
	if l, ok := r.role(roleARN); ok {
		d, dok := r.doc(doc, "          ")
		return withUnfilled(fmt.Sprintf("# add to Properties.Policies of the AWS::IAM::Role %s\n    Policies:\n      - PolicyName: %s\n        PolicyDocument:\n%s",
			r.t.where(l), yamlStr(name), d), dok)
	}
	roleName, rok := r.value(role)
	d, dok := r.doc(doc, "      ")
	return withUnfilled(fmt.Sprintf("%s:\n  Type: AWS::IAM::RolePolicy\n  Properties:\n    RoleName: %s\n    PolicyName: %s\n    PolicyDocument:\n%s", logicalID(name), roleName, name, d), rok && dok)
}

func iacManaged(r render, roleARN, role, arn string) string {
	switch {
	case r.f == Terraform:
		return tfBlock("resource", []string{"aws_iam_role_policy_attachment", tfName(role + "_" + arn[strings.LastIndex(arn, "/")+1:])},
			tfArg{"role", tfString(role)}, tfArg{"policy_arn", tfString(arn)})
	case r.f == SAM && (r.t == nil || r.samRole(roleARN)):
		head := "# in the function's AWS::Serverless::Function Properties"
		if r.t != nil {
			head = "# add to Properties.Policies of the AWS::Serverless::Function " + r.t.where(*r.fn.Source)
		}
		return head + "\n      Policies:\n        - " + arn[strings.LastIndex(arn, "/")+1:]
	}
	if l, ok := r.role(roleARN); ok {
		return fmt.Sprintf("# add to Properties.ManagedPolicyArns of the AWS::IAM::Role %s\n    ManagedPolicyArns:\n      - %s", r.t.where(l), yamlStr(arn))
	}
	roleName, ok := r.value(role)
	return withUnfilled(fmt.Sprintf("# in the AWS::IAM::Role resource of role %s\n    ManagedPolicyArns:\n      - %s", roleName, arn), ok)
}

func iacManagedDoc(r render, arn, doc string) string {
	name := arn[strings.LastIndex(arn, "/")+1:]
	if r.f == Terraform {
		return tfBlock("resource", []string{"aws_iam_policy", tfName(name)},
			tfArg{"name", tfString(name)}, tfArg{"policy", tfHeredoc(doc, "  ")})
	}
	d, ok := r.doc(doc, "      ")
	return withUnfilled(fmt.Sprintf("# the AWS::IAM::ManagedPolicy resource of %s\n%s:\n  Type: AWS::IAM::ManagedPolicy\n  Properties:\n    ManagedPolicyName: %s\n    PolicyDocument:\n%s", arn, logicalID(name), name, d), ok)
}

func iacTrust(r render, roleARN, role, doc string) string {
	switch {
	case r.f == Terraform:
		return fmt.Sprintf("# in resource \"aws_iam_role\" of role %s\n", role) + strings.TrimSuffix(tfArgs("  ", tfArg{"assume_role_policy", tfHeredoc(doc, "  ")}), "\n")
	case r.t != nil && r.samRole(roleARN):
		d, ok := r.doc(doc, "        ")
		return withUnfilled(fmt.Sprintf("# set Properties.AssumeRolePolicyDocument of the AWS::Serverless::Function %s (the trust policy of the role SAM generates)\n      AssumeRolePolicyDocument:\n%s", r.t.where(*r.fn.Source), d), ok)
	case r.t == nil && r.f == SAM:
		return fmt.Sprintf("# in the function's AWS::Serverless::Function Properties (or the AWS::IAM::Role of %s)\n      AssumeRolePolicyDocument:\n%s", role, indentJSON(doc, "        "))
	}
	if l, ok := r.role(roleARN); ok {
		d, dok := r.doc(doc, "      ")
		return withUnfilled(fmt.Sprintf("# replace Properties.AssumeRolePolicyDocument of the AWS::IAM::Role %s\n    AssumeRolePolicyDocument:\n%s", r.t.where(l), d), dok)
	}
	roleName, ok := r.value(role)
	d, dok := r.doc(doc, "      ")
	return withUnfilled(fmt.Sprintf("# in the AWS::IAM::Role resource of role %s\n    AssumeRolePolicyDocument:\n%s", roleName, d), ok && dok)
}

func iacPermission(r render, fn *account.Function, inv *judge.Invoker, principal, sid, action, sourceAccount, urlAuth string, viaURL, svc bool) string {
	target := fn.Name
	if inv.Qualifier != "" {
		target += ":" + inv.Qualifier
	}
	pr := cliPrincipal(principal)
	if r.f == Terraform {
		args := []tfArg{{"statement_id", tfString(sid)}, {"action", tfString(action)}, {"function_name", tfString(fn.Name)}, {"principal", tfString(pr)}}
		if inv.Qualifier != "" {
			args = append(args, tfArg{"qualifier", tfString(inv.Qualifier)})
		}
		if svc && sourceAccount != "" {
			args = append(args, tfArg{"source_account", tfString(sourceAccount)})
		}
		if inv.SourceARN != "" {
			args = append(args, tfArg{"source_arn", tfString(inv.SourceARN)})
		}
		if urlAuth != "" {
			args = append(args, tfArg{"function_url_auth_type", tfString(urlAuth)})
		}
		if viaURL {
			args = append(args, tfArg{"invoked_via_function_url", "true"})
		}
		return tfBlock("resource", []string{"aws_lambda_permission", tfName(sid)}, args...)
	}
	ok := true
	val := func(s string) string {
		v, vok := r.value(s)
		ok = ok && vok
		return v
	}
	var b strings.Builder
	fnName := yamlStr(target)
	if r.t != nil && fn.Source != nil && fn.Source.LogicalID != "" {
		// The function by logical id: Ref gives its name.
		fnName = "!Ref " + fn.Source.LogicalID
		if inv.Qualifier != "" {
			fnName = "!Sub " + yamlQuote("${"+fn.Source.LogicalID+"}:"+inv.Qualifier)
		}
		fmt.Fprintf(&b, "# add to Resources (for the function %s)\n", r.t.where(*fn.Source))
	} else {
		fnName = val(target)
	}
	fmt.Fprintf(&b, "%s:\n  Type: AWS::Lambda::Permission\n  Properties:\n    FunctionName: %s\n    Action: %s\n    Principal: %s\n", logicalID(sid), fnName, action, val(pr))
	if svc && sourceAccount != "" {
		fmt.Fprintf(&b, "    SourceAccount: %s\n", val(sourceAccount))
	}
	if inv.SourceARN != "" {
		fmt.Fprintf(&b, "    SourceArn: %s\n", val(inv.SourceARN))
	}
	if urlAuth != "" {
		fmt.Fprintf(&b, "    FunctionUrlAuthType: %s\n", urlAuth)
	}
	if viaURL {
		b.WriteString("    InvokedViaFunctionUrl: true\n")
	}
	return withUnfilled(strings.TrimRight(b.String(), "\n"), ok)
}

// samPublicURL is SAM's own form of the two permissions of a function URL
// whose auth type is NONE: the function's FunctionUrlConfig, from which SAM
// writes both (lambda:InvokeFunctionUrl with lambda:FunctionUrlAuthType
// NONE, and lambda:InvokeFunction with lambda:InvokedViaFunctionUrl, as
// samtranslator 1.110 does), on the alias AutoPublishAlias names when the
// function has one.
func samPublicURL(qualifier string) string {
	where := "# in the function's AWS::Serverless::Function Properties: SAM writes both permissions of a\n" +
		"# public function URL from it (a template that has it already gets the missing one\n" +
		"# when deployed with a current SAM CLI)"
	if qualifier != "" {
		where += "\n# with AutoPublishAlias: " + yamlStr(qualifier) + ", the URL and its permissions are the alias's"
	}
	return where + "\n      FunctionUrlConfig:\n        AuthType: NONE"
}

// yamlStr quotes a scalar when YAML would read it as something else.
func yamlStr(s string) string {
	if s == "" || s == "*" || strings.ContainsAny(s, ":#{}[],&!|>'\"%@`") || strings.Trim(s, "0123456789") == "" {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return s
}
