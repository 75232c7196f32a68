package fix

import (
	"fmt"
	"strings"
	"unicode"
)

// Terraform snippets are laid out as `terraform fmt` lays them out (it
// formats with hclwrite, github.com/hashicorp/hcl/v2; terraform_test.go
// holds the output to hclwrite.Format): two-space indents, and the "=" of
// consecutive arguments of a block aligned one space after the longest
// name.

// tfArg is one argument of a block: its name and its value, an HCL
// expression already written (tfString, a heredoc, true).
type tfArg struct{ name, value string }

// tfBlock writes `TYPE "LABEL"... {` with args, as terraform fmt would.
func tfBlock(typ string, labels []string, args ...tfArg) string {
	var b strings.Builder
	b.WriteString(typ)
	for _, l := range labels {
		b.WriteString(" " + tfString(l))
	}
	b.WriteString(" {\n")
	b.WriteString(tfArgs("  ", args...))
	b.WriteString("}")
	return b.String()
}

// tfArgs writes args with indent, their "=" aligned.
func tfArgs(indent string, args ...tfArg) string {
	width := 0
	for _, a := range args {
		width = max(width, len(a.name))
	}
	var b strings.Builder
	for _, a := range args {
		fmt.Fprintf(&b, "%s%-*s = %s\n", indent, width, a.name, a.value)
	}
	return b.String()
}

// tfString is s as an HCL quoted string: the escapes HCL reads (\", \\,
// \n, \r, \t, \uNNNN), and "${" and "%{" doubled so that nothing is read
// as a template.
func tfString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == unicode.ReplacementChar || !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return tfTemplateEscape(b.String())
}

// tfTemplateEscape doubles the template sequences "${" and "%{", which
// HCL would otherwise read in a quoted string or a heredoc (an IAM policy
// variable such as ${aws:username} must reach AWS as written).
func tfTemplateEscape(s string) string {
	return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(s)
}

// tfHeredoc is a JSON document as an indented heredoc value (<<-EOT),
// its lines indented under the argument of a block at indent.
func tfHeredoc(doc, indent string) string {
	return "<<-EOT\n" + tfTemplateEscape(indentJSON(doc, indent+"  ")) + "\n" + indent + "EOT"
}
