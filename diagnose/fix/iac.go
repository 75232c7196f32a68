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
// SAM has a shorthand); Terraform snippets use the AWS provider.

func tfName(s string) string {
	s = strings.ToLower(unsafeID.ReplaceAllString(s, "_"))
	s = strings.ReplaceAll(s, "-", "_")
	return strings.Trim(s, "_")
}

func iacInline(f Format, role, name, doc string) string {
	switch f {
	case Terraform:
		return fmt.Sprintf("resource \"aws_iam_role_policy\" %q {\n  name   = %q\n  role   = %q\n  policy = <<-EOT\n%s\n  EOT\n}", tfName(name), name, role, indentJSON(doc, "    "))
	case SAM:
		var d rawDoc
		_ = json.Unmarshal([]byte(doc), &d)
		var sts []string
		for _, s := range d.Statement {
			sts = append(sts, "            - "+string(s)) // a JSON object is a YAML flow mapping
		}
		return fmt.Sprintf("# in the function's AWS::Serverless::Function Properties (SAM adds these to its generated role)\n      Policies:\n        - Version: '2012-10-17'\n          Statement:\n%s", strings.Join(sts, "\n"))
	default:
		return fmt.Sprintf("%s:\n  Type: AWS::IAM::RolePolicy\n  Properties:\n    RoleName: %s\n    PolicyName: %s\n    PolicyDocument:\n%s", logicalID(name), role, name, indentJSON(doc, "      "))
	}
}

func iacManaged(f Format, role, arn string) string {
	switch f {
	case Terraform:
		return fmt.Sprintf("resource \"aws_iam_role_policy_attachment\" %q {\n  role       = %q\n  policy_arn = %q\n}", tfName(role+"_"+arn[strings.LastIndex(arn, "/")+1:]), role, arn)
	case SAM:
		return "# in the function's AWS::Serverless::Function Properties\n      Policies:\n        - " + arn[strings.LastIndex(arn, "/")+1:]
	default:
		return fmt.Sprintf("# in the AWS::IAM::Role resource of role %s\n    ManagedPolicyArns:\n      - %s", role, arn)
	}
}

func iacManagedDoc(f Format, arn, doc string) string {
	name := arn[strings.LastIndex(arn, "/")+1:]
	switch f {
	case Terraform:
		return fmt.Sprintf("resource \"aws_iam_policy\" %q {\n  name   = %q\n  policy = <<-EOT\n%s\n  EOT\n}", tfName(name), name, indentJSON(doc, "    "))
	default:
		return fmt.Sprintf("# the AWS::IAM::ManagedPolicy resource of %s\n%s:\n  Type: AWS::IAM::ManagedPolicy\n  Properties:\n    ManagedPolicyName: %s\n    PolicyDocument:\n%s", arn, logicalID(name), name, indentJSON(doc, "      "))
	}
}

func iacTrust(f Format, role, doc string) string {
	switch f {
	case Terraform:
		return fmt.Sprintf("# in resource \"aws_iam_role\" of role %s\n  assume_role_policy = <<-EOT\n%s\n  EOT", role, indentJSON(doc, "    "))
	case SAM:
		return fmt.Sprintf("# in the function's AWS::Serverless::Function Properties (or the AWS::IAM::Role of %s)\n      AssumeRolePolicyDocument:\n%s", role, indentJSON(doc, "        "))
	default:
		return fmt.Sprintf("# in the AWS::IAM::Role resource of role %s\n    AssumeRolePolicyDocument:\n%s", role, indentJSON(doc, "      "))
	}
}

func iacPermission(f Format, fn *account.Function, inv *judge.Invoker, principal, sid, action, sourceAccount, urlAuth string, viaURL, svc bool) string {
	target := fn.Name
	if inv.Qualifier != "" {
		target += ":" + inv.Qualifier
	}
	pr := cliPrincipal(principal)
	if f == Terraform {
		var b strings.Builder
		fmt.Fprintf(&b, "resource \"aws_lambda_permission\" %q {\n", tfName(sid))
		fmt.Fprintf(&b, "  statement_id  = %q\n  action        = %q\n  function_name = %q\n  principal     = %q\n", sid, action, fn.Name, pr)
		if inv.Qualifier != "" {
			fmt.Fprintf(&b, "  qualifier     = %q\n", inv.Qualifier)
		}
		if svc && sourceAccount != "" {
			fmt.Fprintf(&b, "  source_account = %q\n", sourceAccount)
		}
		if inv.SourceARN != "" {
			fmt.Fprintf(&b, "  source_arn    = %q\n", inv.SourceARN)
		}
		if urlAuth != "" {
			fmt.Fprintf(&b, "  function_url_auth_type = %q\n", urlAuth)
		}
		if viaURL {
			b.WriteString("  invoked_via_function_url = true\n")
		}
		b.WriteString("}")
		return b.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n  Type: AWS::Lambda::Permission\n  Properties:\n    FunctionName: %s\n    Action: %s\n    Principal: %s\n", logicalID(sid), yamlStr(target), action, yamlStr(pr))
	if svc && sourceAccount != "" {
		fmt.Fprintf(&b, "    SourceAccount: %s\n", yamlStr(sourceAccount))
	}
	if inv.SourceARN != "" {
		fmt.Fprintf(&b, "    SourceArn: %s\n", yamlStr(inv.SourceARN))
	}
	if urlAuth != "" {
		fmt.Fprintf(&b, "    FunctionUrlAuthType: %s\n", urlAuth)
	}
	if viaURL {
		b.WriteString("    InvokedViaFunctionUrl: true\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// yamlStr quotes a scalar when YAML would read it as something else.
func yamlStr(s string) string {
	if s == "" || s == "*" || strings.ContainsAny(s, ":#{}[],&!|>'\"%@`") || strings.Trim(s, "0123456789") == "" {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return s
}
