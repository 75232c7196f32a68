package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/internal/textwrap"
)

// Help is written by renderHelp, not by urfave/cli's templates: a usage
// that names the command's real flags, the flags with placeholders that
// name their values, the environment variables they read, the examples of
// helpExamples, all wrapped to the terminal's width (never inside a word;
// example commands only between arguments, with \ continuations).
func init() {
	cli.HelpPrinter = func(w io.Writer, _ string, data any) {
		width := textwrap.DefaultWidth
		if hw, ok := w.(*helpWriter); ok {
			width = hw.width
		}
		var s string
		switch v := data.(type) {
		case *cli.App:
			s = appHelp(v, width)
		case *cli.Command:
			s = commandHelp(v, width)
		default:
			return
		}
		io.WriteString(w, s)
	}
}

// helpWriter is the app's Writer: stdout, with the width help is wrapped
// to.
type helpWriter struct {
	io.Writer
	width int
}

// example is one example of a command's help: what it does, and the
// command line.
type example struct{ what, cmd string }

// helpExamples are the examples of each command's help, two to four.
// TestHelpExamples runs every one through the command's flag parsing.
var helpExamples = map[string][]example{
	"": {
		{"why is API Gateway refused? the closed door and the fix", "lambda-doctor diagnose -f order-processor --symptom invoke-denied --caller apigateway.amazonaws.com"},
		{"after a deploy: can every function still do its job?", "lambda-doctor check --all"},
		{"an offline copy to attach to a ticket", "lambda-doctor snapshot -f order-processor --file order-processor.json"},
	},
	"diagnose": {
		{"API Gateway gets \"Invalid permissions on Lambda function\": which statement, and the fix",
			"lambda-doctor diagnose -f order-processor --symptom invoke-denied --caller apigateway.amazonaws.com --source-arn 'arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders'"},
		{"the code gets AccessDenied: paste what AWS said (from a file, or - for standard input)",
			"lambda-doctor diagnose -f order-processor --error @error.txt"},
		{"every requirement of the configuration, and the denials in a week of logs",
			"lambda-doctor diagnose -f order-processor --since 7d --region eu-west-1"},
		{"offline, from a snapshot, with the fix as Terraform",
			"lambda-doctor diagnose --snapshot account.json -f order-processor --fix-format terraform"},
	},
	"check": {
		{"one function, after its deploy", "lambda-doctor check -f order-processor"},
		{"every function, with the expectations of a spec file", "lambda-doctor check --all --spec ci/lambda-spec.yaml"},
		{"for code scanning: SARIF whose results point at the template", "lambda-doctor check --all -o sarif --sarif-file template.yaml > lambda-doctor.sarif"},
		{"offline: fail from medium findings up, without the shared-role rule", "lambda-doctor check --all --snapshot account.json --fail-on medium --ignore LD104"},
	},
	"simulate": {
		{"would this role policy allow the query?",
			"lambda-doctor simulate --policy role-policy.json --principal arn:aws:sts::111122223333:assumed-role/order-role/orders --action dynamodb:Query --resource arn:aws:dynamodb:us-east-1:111122223333:table/Orders"},
		{"the same question about a function's execution role, as the account has it",
			"lambda-doctor simulate -f order-processor --action s3:GetObject --resource arn:aws:s3:::order-uploads/incoming/1.json"},
		{"a file of cases, one JSON result a line", "lambda-doctor simulate --cases cases.jsonl > results.jsonl"},
	},
	"snapshot": {
		{"one function, to attach to a ticket", "lambda-doctor snapshot -f order-processor --file order-processor.json"},
		{"every function of the region, with a week of log denials", "lambda-doctor snapshot --all --since 7d --region eu-west-1 --file account.json"},
		{"read it later, anywhere", "lambda-doctor diagnose --snapshot account.json -f order-processor"},
	},
	"completion": {
		{"bash: in ~/.bashrc", "eval \"$(lambda-doctor completion bash)\""},
		{"zsh: once, into a directory of $fpath", "lambda-doctor completion zsh > \"${fpath[1]}/_lambda-doctor\""},
		{"fish: once", "lambda-doctor completion fish > ~/.config/fish/completions/lambda-doctor.fish"},
		{"PowerShell: in $PROFILE", "lambda-doctor completion powershell | Out-String | Invoke-Expression"},
	},
	"version": {
		{"for a bug report: the version, commit and Go version", "lambda-doctor version"},
		{"the version that wrote a snapshot", "jq -r .source.written_by account.json"},
	},
}

// accountCategory is the help category of the flags that say where the
// account comes from.
const accountCategory = "account"

// appHelp is `lambda-doctor --help`.
func appHelp(app *cli.App, width int) string {
	var b strings.Builder
	b.WriteString(textwrap.Indent(app.Name+": "+app.Usage, width, "", "  ") + "\n\n")
	section(&b, "USAGE")
	b.WriteString(textwrap.Indent(app.Name+" COMMAND [FLAGS]", width, "  ", "      ") + "\n\n")
	section(&b, "COMMANDS")
	var rows [][2]string
	for _, c := range app.VisibleCommands() {
		usage := c.Usage
		if c.Name == "help" {
			usage = "show the help of a command: lambda-doctor help COMMAND"
		}
		rows = append(rows, [2]string{c.Name, usage})
	}
	table(&b, rows, width)
	b.WriteString("\n")
	section(&b, "FLAGS")
	table(&b, flagRows(app.VisibleFlags()), width)
	b.WriteString("\n")
	examples(&b, helpExamples[""], width)
	section(&b, "LEARN MORE")
	for _, p := range []string{
		"Run 'lambda-doctor help COMMAND' (or COMMAND --help) for its flags and examples.",
		"Exit codes: 0 nothing wrong found, 1 a problem found and explained, 2 bad usage or input, 3 the account could not be read well enough to decide.",
		"Every command that reads an account takes --profile and --region (as the aws CLI, from AWS_PROFILE and AWS_REGION too) or --snapshot FILE.",
	} {
		b.WriteString(textwrap.Indent(p, width, "  ", "  ") + "\n")
	}
	return b.String()
}

// commandHelp is `lambda-doctor COMMAND --help`.
func commandHelp(c *cli.Command, width int) string {
	var b strings.Builder
	name := "lambda-doctor " + c.Name
	b.WriteString(textwrap.Indent(name+": "+c.Usage, width, "", "  ") + "\n\n")
	section(&b, "USAGE")
	usage := c.UsageText
	if usage == "" {
		usage = name
		if c.ArgsUsage != "" {
			usage += " " + c.ArgsUsage
		}
	}
	for _, form := range strings.Split(usage, "\n") {
		b.WriteString(wrapUsage(form, width, "  ", "      "))
	}
	b.WriteString("\n")
	if c.Description != "" {
		paragraphs(&b, c.Description, width)
		b.WriteString("\n")
	}
	var own, acct []cli.Flag
	for _, f := range c.VisibleFlags() {
		if cf, ok := f.(cli.CategorizableFlag); ok && cf.GetCategory() == accountCategory {
			acct = append(acct, f)
			continue
		}
		own = append(own, f)
	}
	if len(own) > 0 {
		section(&b, "FLAGS")
		table(&b, flagRows(own), width)
		b.WriteString("\n")
	}
	if len(acct) > 0 {
		section(&b, "ACCOUNT FLAGS")
		table(&b, flagRows(acct), width)
		b.WriteString("\n")
	}
	examples(&b, helpExamples[c.Name], width)
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func section(b *strings.Builder, title string) { b.WriteString(title + "\n") }

// paragraphs writes text: paragraphs (separated by blank lines) wrapped,
// lines that start with a blank kept as written.
func paragraphs(b *strings.Builder, text string, width int) {
	for i, p := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if i > 0 {
			b.WriteString("\n")
		}
		var prose []string
		flush := func() {
			if len(prose) > 0 {
				b.WriteString(textwrap.Indent(strings.Join(prose, " "), width, "  ", "  ") + "\n")
				prose = nil
			}
		}
		for _, l := range strings.Split(p, "\n") {
			if strings.HasPrefix(l, " ") {
				flush()
				b.WriteString("  " + l + "\n")
				continue
			}
			prose = append(prose, strings.TrimSpace(l))
		}
		flush()
	}
}

// examples writes the EXAMPLES section: each example's comment, then its
// command wrapped between arguments.
func examples(b *strings.Builder, exs []example, width int) {
	if len(exs) == 0 {
		return
	}
	section(b, "EXAMPLES")
	for i, e := range exs {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(textwrap.Indent(e.what, width, "  # ", "  # ") + "\n")
		b.WriteString(textwrap.Command(e.cmd, width, "  ", "      ") + "\n")
	}
	b.WriteString("\n")
}

// flagRows are a flag table's rows: "-f, --function NAME" and what it
// does, with its default and the environment variables it reads.
func flagRows(flags []cli.Flag) [][2]string {
	var rows [][2]string
	for _, f := range flags {
		// The flag's name and its one-letter aliases; a long alias is an
		// old name kept working (--log-window), not shown.
		var short, long []string
		for i, n := range f.Names() {
			switch {
			case len([]rune(n)) == 1:
				short = append(short, "-"+n)
			case i == 0:
				long = append(long, "--"+n)
			}
		}
		names := strings.Join(append(short, long...), ", ")
		if len(short) == 0 {
			names = "    " + names
		}
		usage := ""
		if d, ok := f.(cli.DocGenerationFlag); ok {
			usage = flagUsage(d.GetUsage())
			if d.TakesValue() {
				p := placeholder(f)
				if p == "" {
					p = "VALUE"
				}
				names += " " + p
			}
			if def := defaultText(f); def != "" {
				if strings.HasSuffix(usage, ")") {
					usage = strings.TrimSuffix(usage, ")") + "; default: " + def + ")"
				} else {
					usage += " (default: " + def + ")"
				}
			}
			if env := d.GetEnvVars(); len(env) > 0 {
				usage += " [$" + strings.Join(env, ", $") + "]"
			}
		}
		rows = append(rows, [2]string{names, usage})
	}
	return rows
}

// defaultText is a flag's default value as help shows it, "" for none.
func defaultText(f cli.Flag) string {
	switch v := f.(type) {
	case *cli.StringFlag:
		if v.DefaultText != "" {
			return v.DefaultText
		}
		return v.Value
	case *cli.IntFlag:
		if v.Value != 0 {
			return fmt.Sprint(v.Value)
		}
	case *cli.Int64Flag:
		if v.Value >= 1<<20 && v.Value%(1<<20) == 0 && placeholder(f) == "BYTES" {
			return fmt.Sprintf("%d, %d MiB", v.Value, v.Value>>20)
		}
		if v.Value != 0 {
			return fmt.Sprint(v.Value)
		}
	case *cli.DurationFlag:
		if v.Value != 0 {
			return v.Value.String()
		}
	}
	return ""
}

// table writes two columns, the second wrapped; on a narrow terminal the
// second goes under the first.
func table(b *strings.Builder, rows [][2]string, width int) {
	left := 0
	for _, r := range rows {
		left = max(left, textwrap.Columns(r[0]))
	}
	left = min(left, 34)
	pad := 2 + left + 2
	for _, r := range rows {
		l := textwrap.Columns(r[0])
		if r[1] == "" {
			b.WriteString("  " + r[0] + "\n")
			continue
		}
		if l > left || width-pad < 30 {
			b.WriteString("  " + r[0] + "\n")
			b.WriteString(textwrap.Indent(r[1], width, "        ", "        ") + "\n")
			continue
		}
		first := "  " + r[0] + strings.Repeat(" ", pad-2-l)
		b.WriteString(textwrap.Indent(r[1], width, first, strings.Repeat(" ", pad)) + "\n")
	}
}

// usageFlags are the flag names a usage text names (--function, -f).
func usageFlags(usage string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(usage, func(r rune) bool { return strings.ContainsRune(" []()|\n", r) }) {
		if strings.HasPrefix(w, "-") && len(w) > 1 && w != "-" {
			w = strings.TrimLeft(w, "-")
			if i := strings.IndexAny(w, "=."); i >= 0 {
				w = w[:i]
			}
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// flagUsage is a flag's usage for the table: its placeholder's back quotes
// dropped, and a placeholder in parentheses, there only to name the value
// ("the alias or version (`QUALIFIER`) the request names"), left out.
func flagUsage(u string) string {
	if i := strings.Index(u, " (`"); i >= 0 {
		if j := strings.Index(u[i:], "`)"); j >= 0 {
			u = u[:i] + u[i+j+2:]
		}
	}
	return strings.ReplaceAll(u, "`", "")
}

// wrapUsage wraps a usage line between its words, never inside a bracketed
// group ([--symptom SYMPTOM] stays whole).
func wrapUsage(form string, width int, first, rest string) string {
	var groups []string
	depth, start := 0, -1
	for i, r := range form {
		switch {
		case r == '[' || r == '(':
			depth++
		case r == ']' || r == ')':
			depth = max(0, depth-1)
		}
		blank := r == ' ' || r == '\t'
		switch {
		case start < 0 && !blank:
			start = i
		case start >= 0 && blank && depth == 0:
			groups = append(groups, form[start:i])
			start = -1
		}
	}
	if start >= 0 {
		groups = append(groups, form[start:])
	}
	// A flag stays with its value (--resource ARN), a value with its
	// "..." (--policy FILE ...).
	var joined []string
	for _, g := range groups {
		if n := len(joined); n > 0 {
			prev := joined[n-1]
			value := !strings.HasPrefix(g, "-") && !strings.HasPrefix(g, "[") && !strings.HasPrefix(g, "(")
			if (strings.HasPrefix(prev, "-") && !strings.Contains(prev, " ") && value) || g == "..." {
				joined[n-1] = prev + " " + g
				continue
			}
		}
		joined = append(joined, g)
	}
	groups = joined
	var b strings.Builder
	line := first
	empty := true
	for _, g := range groups {
		if !empty && textwrap.Columns(line)+1+textwrap.Columns(g) > width {
			b.WriteString(line + "\n")
			line, empty = rest, true
		}
		if !empty {
			line += " "
		}
		line += g
		empty = false
	}
	b.WriteString(line + "\n")
	return b.String()
}
