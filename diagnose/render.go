package diagnose

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/internal/iostreams"
	"github.com/lambda-doctor/lambda-doctor/internal/term"
	"github.com/lambda-doctor/lambda-doctor/internal/textwrap"
)

// RenderJSON writes the report as one indented JSON object. Control
// characters in its strings are escaped, those encoding/json leaves raw
// (C1, bidi) too (term.JSON).
func RenderJSON(w io.Writer, r *Report) error {
	b, err := r.marshalIndent()
	if err != nil {
		return err
	}
	return term.WriteJSON(w, b)
}

// TextOptions tune the text rendering.
type TextOptions struct {
	// Palette colours the output (the streams' palette; the zero Palette
	// for none).
	Palette iostreams.Palette
	// Width is the number of columns the text is wrapped to (0: 80).
	Width int
}

// textOut is the text being written and the width it is wrapped to: prose
// at spaces, never inside a word; a fix command only between its
// arguments, with \ continuations, so that it pastes as printed.
type textOut struct {
	strings.Builder
	width int
}

// RenderText writes the report for a person at a terminal (the layout of
// the README, "lambda-doctor diagnose"), coloured with o.Palette and
// wrapped to o.Width.
func RenderText(w io.Writer, r *Report, o TextOptions) error {
	// Every value, whatever its source, reaches the terminal escaped.
	r = term.Copy(r)
	c := o.Palette
	b := textOut{width: o.Width}
	if b.width <= 0 {
		b.width = textwrap.DefaultWidth
	}
	if len(r.Diagnoses) == 0 {
		p := r.Primary
		b.WriteString(textwrap.Indent(c.Green+c.Bold+"✓ "+p.Summary+c.Reset, b.width, "", "  ") + "\n")
		if p.Request != nil {
			b.WriteString("\n")
			textRequest(&b, p.Request, c)
			if p.Decision != "" {
				field(&b, "decision", decisionText(p.Decision)+reasonSuffix(p.Reason))
			}
		}
		textEvidence(&b, p.Evidence, c)
		textAssumed(&b, p.Assumed)
		textNotes(&b, append(append([]string{}, r.Notes...), p.Notes...))
		if p.CrossCheck != "" {
			field(&b, "cross-check", p.CrossCheck)
		}
		if len(r.Open) > 1 {
			textOpen(&b, "checked", r.Open, c)
		}
		textTroubleshooter(&b, r.Troubleshooter, c)
		_, err := io.WriteString(w, b.String())
		return err
	}
	for i, d := range r.Diagnoses {
		if i > 0 {
			b.WriteString("\n")
		}
		if len(r.Diagnoses) > 1 {
			fmt.Fprintf(&b, "%s[%d of %d]%s ", c.Dim, i+1, len(r.Diagnoses), c.Reset)
		}
		if len(r.Diagnoses) == 1 {
			d.Notes = append(append([]string{}, r.Notes...), d.Notes...)
		}
		textDiagnosis(&b, d, c)
	}
	if len(r.Notes) > 0 && len(r.Diagnoses) > 1 {
		b.WriteString("\n")
		textNotes(&b, r.Notes)
	}
	if len(r.Open) > 0 {
		textOpen(&b, "also checked, open", r.Open, c)
	}
	textTroubleshooter(&b, r.Troubleshooter, c)
	_, err := io.WriteString(w, b.String())
	return err
}

// textTroubleshooter says how to ask IAM Access Troubleshooter about the
// pasted denial.
func textTroubleshooter(b *textOut, t *Troubleshooter, c iostreams.Palette) {
	if t == nil {
		return
	}
	b.WriteString("\n" + textwrap.Indent(c.Bold+"ask AWS"+c.Reset+" — the denial carries an IAM Access Troubleshooter authorization id (preview)", b.width, "  ", "    ") + "\n")
	wrapPara(b, "console: "+t.URL, "    ")
	wrapPara(b, "the evaluation (request context, policies evaluated, statements matched; needs iam:GetRequestAuthorizationDetails):", "    ")
	b.WriteString(textwrap.Command(t.Command, b.width, "    ", "      ") + "\n")
	wrapPara(b, "one evaluated policy's document as it was then, POLICY_URI from the answer above (needs iam:GetRequestAuthorizationPolicy):", "    ")
	b.WriteString(textwrap.Command(t.PolicyCommand, b.width, "    ", "      ") + "\n")
}

// textOpen lists the requests found allowed under a title.
func textOpen(b *textOut, title string, open []string, c iostreams.Palette) {
	b.WriteString("\n  " + title + "\n")
	for _, o := range open {
		b.WriteString(textwrap.Indent(o, b.width, "    "+c.Green+"✓"+c.Reset+" ", "      ") + "\n")
	}
}

func textDiagnosis(b *textOut, d Diagnosis, c iostreams.Palette) {
	var head string
	switch {
	case d.Door == Unknown:
		head = fmt.Sprintf("%s? cannot decide%s: %s", c.Yellow+c.Bold, c.Reset, d.Summary)
	case d.Door == Config && (d.Cause == nil || d.Cause.NotIAM):
		head = fmt.Sprintf("%s✗ not a permission%s: %s", c.Red+c.Bold, c.Reset, d.Summary)
	case d.Cause != nil && (d.Request == nil || d.Door == Config):
		head = fmt.Sprintf("%s✗ %s%s: %s", c.Red+c.Bold, strings.ReplaceAll(d.Cause.Kind, "_", " "), c.Reset, d.Summary)
	case d.Ambiguous != nil:
		head = fmt.Sprintf("%s? %s door undecided%s (%s): %s", c.Yellow+c.Bold, strings.ToUpper(string(d.Door)), c.Reset, d.Ambiguous.Split(), d.Headline)
	default:
		head = fmt.Sprintf("%s✗ %s door closed%s: %s", c.Red+c.Bold, strings.ToUpper(string(d.Door)), c.Reset, d.Headline)
	}
	b.WriteString(textwrap.Indent(head, b.width, "", "  ") + "\n")
	b.WriteString("\n")
	if d.Request != nil {
		textRequest(b, d.Request, c)
	}
	if len(d.Requests) > 1 {
		var acts []string
		for _, r := range d.Requests {
			if !judge.ContainsFold(acts, r.Action) {
				acts = append(acts, r.Action)
			}
		}
		field(b, "needs", "all of "+strings.Join(acts, ", "))
	}
	if d.Cause != nil {
		field(b, "cause", d.Cause.Kind+": "+d.Cause.Summary)
		for _, x := range d.Cause.Detail {
			field(b, "", x)
		}
		if d.Cause.Doc != "" {
			field(b, "", d.Cause.Doc)
		}
	}
	decision := "decision"
	if d.Cause != nil && d.Cause.NotIAM {
		decision = "policies" // what the policies alone decide
	}
	if d.Decision != "" {
		field(b, decision, decisionText(d.Decision)+reasonSuffix(d.Reason))
	} else if d.Reason != "" {
		field(b, decision, d.Reason)
	}
	var ev []Evidence
	for _, e := range d.Evidence {
		// The decision line already quotes the closest statement.
		if e.Statement != "-" && strings.Contains(d.Reason, judge.Quote(e.Statement)+": "+e.Why) {
			continue
		}
		ev = append(ev, e)
	}
	textEvidence(b, ev, c)
	if d.Ambiguous != nil {
		field(b, "undecided", d.Ambiguous.Note)
	}
	if d.NotThis != "" && d.Door != Unknown {
		field(b, "not this", d.NotThis)
	}
	if d.Source != "" {
		field(b, "found by", d.Source)
	}
	textAssumed(b, d.Assumed)
	for _, u := range d.Unseen {
		s := u.Operation
		if u.Resource != "" {
			s += " on " + u.Resource
		}
		if u.Permission != "" {
			s += " — the operator needs " + u.Permission
		}
		if u.Error != "" {
			s += " (" + oneLine(u.Error, 120) + ")"
		}
		field(b, "unseen", s)
	}
	if d.CrossCheck != "" {
		field(b, "cross-check", d.CrossCheck)
	}
	textNotes(b, d.Notes)
	for _, f := range d.Fixes {
		b.WriteString("\n")
		switch {
		case f.Command == "" && f.Owner != "":
			b.WriteString(textwrap.Indent(c.Bold+"no command"+c.Reset+" — "+f.Owner+" must act", b.width, "  ", "    ") + "\n")
			wrapPara(b, f.Explanation, "    ")
			if f.Document != "" {
				b.WriteString("    they must grant:\n")
				b.WriteString(fix.IndentJSON(f.Document, "      ") + "\n")
			}
			continue
		case f.Command == "":
			fmt.Fprintf(b, "  %sno command%s\n", c.Bold, c.Reset)
			wrapPara(b, f.Explanation, "    ")
			continue
		}
		state := c.Yellow + "NOT verified: the simulation still denies with it applied" + c.Reset
		if f.Verified {
			state = c.Green + "verified by simulation" + c.Reset
		}
		title := "fix"
		if f.Format != fix.CLI && f.Format != "" {
			title = "fix as " + string(f.Format)
		}
		b.WriteString(textwrap.Indent(fmt.Sprintf("%s%s%s (%s)", c.Bold, title, c.Reset, state), b.width, "  ", "    ") + "\n")
		wrapPara(b, f.Explanation, "    ")
		if f.Format == fix.CLI || f.Format == "" {
			b.WriteString(textwrap.Command(f.Command, b.width, "    ", "      ") + "\n")
		} else {
			for _, l := range strings.Split(f.Command, "\n") {
				b.WriteString("    " + l + "\n")
			}
		}
	}
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return " — " + r
}

func decisionText(d string) string { return strings.ReplaceAll(d, "_", " ") }

func textRequest(b *textOut, r *Request, c iostreams.Palette) {
	field(b, "request", r.Principal+" → "+r.Action)
	field(b, "", "on "+r.Resource)
	for _, k := range []string{"aws:SourceArn", "aws:SourceAccount", "lambda:FunctionUrlAuthType", "lambda:InvokedViaFunctionUrl"} {
		if v, ok := r.Context[k]; ok {
			field(b, "", strings.TrimPrefix(strings.TrimPrefix(k, "aws:"), "lambda:")+" "+fmt.Sprint(v))
		}
	}
}

func textEvidence(b *textOut, ev []Evidence, c iostreams.Palette) {
	for i, e := range ev {
		name := "evidence"
		if i > 0 {
			name = ""
		}
		s := e.Policy
		if e.Statement != "" && e.Statement != "-" {
			s += " " + judge.Quote(e.Statement)
		}
		if e.Effect != "" {
			s += " (" + e.Effect + ")"
		}
		field(b, name, s+": "+e.Why)
	}
}

func textAssumed(b *textOut, a []string) { fields(b, "unseen", a) }

func textNotes(b *textOut, notes []string) { fields(b, "note", notes) }

// fields writes the values under one name, given on the first line only.
func fields(b *textOut, name string, values []string) {
	for _, v := range values {
		field(b, name, v)
		name = ""
	}
}

// field writes "  name      value" with the value wrapped under itself.
func field(b *textOut, name, value string) {
	prefix := fmt.Sprintf("  %-9s ", name)
	b.WriteString(textwrap.Indent(strings.Join(strings.Fields(value), " "), b.width, prefix, strings.Repeat(" ", len(prefix))) + "\n")
}

// wrapPara writes s wrapped, every line after indent.
func wrapPara(b *textOut, s, indent string) {
	b.WriteString(textwrap.Indent(strings.Join(strings.Fields(s), " "), b.width, indent, indent) + "\n")
}

// RenderMarkdown writes the report for pasting into a ticket.
func RenderMarkdown(w io.Writer, r *Report) error {
	r = term.Copy(r)
	var b strings.Builder
	fmt.Fprintf(&b, "# lambda-doctor diagnosis: `%s`\n\n", r.Function)
	fmt.Fprintf(&b, "Symptom: `%s` · Door: **%s** · %s\n\n", r.Symptom, r.Primary.Door, mdEscape(r.Primary.Summary))
	if len(r.Diagnoses) == 0 {
		p := r.Primary
		if p.Request != nil {
			mdDiagnosis(&b, p, "## ✓ "+mdEscape(p.Headline))
		}
	}
	for i, d := range r.Diagnoses {
		title := fmt.Sprintf("## ✗ %s door closed: %s", strings.ToUpper(string(d.Door)), mdEscape(d.Headline))
		switch {
		case d.Door == Unknown:
			title = "## ? cannot decide: " + mdEscape(d.Headline)
		case d.Door == Config && (d.Cause == nil || d.Cause.NotIAM):
			title = "## ✗ not a permission: " + mdEscape(d.Summary)
		case d.Cause != nil && (d.Request == nil || d.Door == Config):
			title = "## ✗ " + strings.ReplaceAll(d.Cause.Kind, "_", " ") + ": " + mdEscape(d.Summary)
		case d.Ambiguous != nil:
			split := "open under one reading, closed under the other"
			if d.Ambiguous.Unread() {
				split = d.Ambiguous.Split()
			}
			title = fmt.Sprintf("## ? %s door undecided (%s): %s", strings.ToUpper(string(d.Door)), split, mdEscape(d.Headline))
		}
		if len(r.Diagnoses) > 1 {
			title += fmt.Sprintf(" (%d of %d)", i+1, len(r.Diagnoses))
		}
		mdDiagnosis(&b, d, title)
	}
	if len(r.Notes) > 0 {
		b.WriteString("## Notes\n\n")
		for _, n := range r.Notes {
			b.WriteString("- " + mdEscape(n) + "\n")
		}
		b.WriteString("\n")
	}
	if len(r.Open) > 0 {
		b.WriteString("## Also checked (open)\n\n")
		for _, o := range r.Open {
			b.WriteString("- " + mdEscape(o) + "\n")
		}
		b.WriteString("\n")
	}
	if t := r.Troubleshooter; t != nil {
		b.WriteString("## Ask AWS (IAM Access Troubleshooter, preview)\n\n")
		b.WriteString("- console: " + t.URL + "\n\n")
		b.WriteString("```sh\n" + t.Command + "\n" + t.PolicyCommand + "\n```\n\n")
	}
	_, err := io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
	return err
}

func mdDiagnosis(b *strings.Builder, d Diagnosis, title string) {
	b.WriteString(title + "\n\n")
	b.WriteString("| | |\n|---|---|\n")
	if d.Request != nil {
		row(b, "principal", code(d.Request.Principal))
		row(b, "action", code(d.Request.Action))
		row(b, "resource", code(d.Request.Resource))
		var keys []string
		for k := range d.Request.Context {
			if strings.Contains(k, "Source") || strings.HasPrefix(k, "lambda:") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			row(b, code(k), code(fmt.Sprint(d.Request.Context[k])))
		}
	}
	if d.Cause != nil {
		row(b, "cause", code(d.Cause.Kind)+": "+mdEscape(strings.Join(append([]string{d.Cause.Summary}, d.Cause.Detail...), "; ")))
	}
	if d.Decision != "" {
		name := "decision"
		if d.Cause != nil && d.Cause.NotIAM {
			name = "policies"
		}
		row(b, name, "**"+decisionText(d.Decision)+"**"+mdEscape(reasonSuffix(d.Reason)))
	} else if d.Reason != "" {
		row(b, "decision", mdEscape(d.Reason)) // as the text output shows it
	}
	if d.Ambiguous != nil {
		row(b, "undecided", mdEscape(d.Ambiguous.Note))
	}
	if d.NotThis != "" && d.Door != Unknown && d.Door != None {
		row(b, "not this", mdEscape(d.NotThis))
	}
	if d.Source != "" {
		row(b, "found by", mdEscape(d.Source))
	}
	if d.CrossCheck != "" {
		row(b, "cross-check", mdEscape(d.CrossCheck))
	}
	b.WriteString("\n")
	if len(d.Evidence) > 0 {
		b.WriteString("**Evidence**\n\n")
		for _, e := range d.Evidence {
			s := code(e.Policy)
			if e.Statement != "" && e.Statement != "-" {
				s += " statement " + code(e.Statement)
			}
			if e.Effect != "" {
				s += " (" + e.Effect + ")"
			}
			b.WriteString("- " + s + ": " + mdEscape(e.Why) + "\n")
		}
		b.WriteString("\n")
	}
	var extra []string
	extra = append(extra, d.Assumed...)
	for _, u := range d.Unseen {
		s := "could not read: " + u.Operation
		if u.Resource != "" {
			s += " on " + u.Resource
		}
		if u.Permission != "" {
			s += " (the operator needs " + u.Permission + ")"
		}
		extra = append(extra, s)
	}
	extra = append(extra, d.Notes...)
	for _, n := range extra {
		b.WriteString("- " + mdEscape(n) + "\n")
	}
	if len(extra) > 0 {
		b.WriteString("\n")
	}
	for _, f := range d.Fixes {
		switch {
		case f.Command == "":
			who := ""
			if f.Owner != "" {
				who = " — " + mdEscape(f.Owner) + " must act"
			}
			fmt.Fprintf(b, "**No command**%s. %s\n\n", who, mdEscape(f.Explanation))
			if f.Document != "" {
				b.WriteString("```json\n" + fix.IndentJSON(f.Document, "") + "\n```\n\n")
			}
		default:
			state := "NOT verified"
			if f.Verified {
				state = "verified by simulation"
			}
			fmt.Fprintf(b, "**Fix** (%s): %s\n\n", state, mdEscape(f.Explanation))
			lang := "sh"
			switch f.Format {
			case fix.CloudFormation, fix.SAM:
				lang = "yaml"
			case fix.Terraform:
				lang = "hcl"
			}
			b.WriteString("```" + lang + "\n" + f.Command + "\n```\n\n")
		}
	}
}

func row(b *strings.Builder, k, v string) { b.WriteString("| " + k + " | " + v + " |\n") }

func code(s string) string {
	if strings.Contains(s, "`") {
		return "``" + s + "``"
	}
	return "`" + strings.ReplaceAll(s, "|", `\|`) + "`"
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;").Replace(s)
}
