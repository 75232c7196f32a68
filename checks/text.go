package checks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/internal/iostreams"
	"github.com/lambda-doctor/lambda-doctor/internal/term"
)

// TextOptions tune the text rendering.
type TextOptions struct {
	// Palette colours the output (the streams' palette; the zero Palette
	// for none).
	Palette iostreams.Palette
	// Verbose lists every finding and requirement, not only failing ones.
	Verbose bool
	// Width is the number of columns the text is wrapped to (0: 80).
	Width int
}

// WriteText renders the report for people. When nothing fails it prints one
// line ("quiet when all is well"), unless Verbose.
func WriteText(w io.Writer, r *Report, o TextOptions) error {
	// Every value, whatever its source, reaches the terminal escaped.
	r = term.Copy(r)
	p := &printer{w: w, c: o.Palette}
	s := r.Summary
	if !s.Failed && !o.Verbose && !r.Incomplete() && s.Unknown == 0 {
		p.line(p.paint(p.c.Green, "✓") + " " + okLine(r))
		return p.err
	}
	failing := 0
	for _, f := range r.Findings {
		// A document that does not parse is shown whatever its severity:
		// it is why the run is incomplete.
		if !o.Verbose && !r.Failing(f) && f.ID != "LD110" && f.Ambiguous == nil {
			continue
		}
		failing++
		p.finding(f)
	}
	for _, fr := range r.Functions {
		for _, e := range fr.Expectations {
			if e.Passed && !o.Verbose {
				continue
			}
			p.expectation(r, fr, e)
		}
		if fr.Error != "" {
			p.line(fmt.Sprintf("%s %s: could not be checked: %s", p.paint(p.c.Red, "✗"), fr.Name, fr.Error))
			p.line("")
		}
		for _, q := range fr.Requirements {
			if q.Decision != "unknown" {
				continue
			}
			who, why := "its role", "reads were refused; see unseen"
			if q.ID == judge.RuleInvoker {
				who = "it"
			}
			if len(q.Unresolved) > 0 {
				var vals []string
				for _, u := range q.Unresolved {
					vals = append(vals, u.Value)
				}
				why = "it depends on " + strings.Join(dedupe(vals), ", ") + ", which the template does not give"
			}
			if len(q.Unparsed) > 0 {
				why = "LD110: " + strings.Join(q.Unparsed, ", ") + " does not parse"
			}
			p.line(fmt.Sprintf("%s %s %s: could not decide whether %s can %s (%s)", p.paint(p.c.Yellow, "?"), p.paint(p.c.Bold, q.ID), fr.Name, who, q.Need, why))
			for _, u := range q.Unresolved {
				line := "  value     " + u.Value + ": " + u.Source
				if u.Supply != "" {
					line += "; " + u.Supply
				}
				p.line(line)
			}
		}
		if r.Template != nil {
			continue // the template's gaps are listed once, below
		}
		if len(fr.Unseen) > 0 && (o.Verbose || hasUnknown(fr)) {
			for _, u := range fr.Unseen {
				p.line(fmt.Sprintf("  unseen  %s %s: %s (needs %s)", u.Operation, u.Resource, u.Error, u.Permission))
			}
			p.line("")
		}
	}
	p.templateValues(r, o.Verbose)
	p.summary(r)
	return p.err
}

// templateValues lists the values the template does not give that leave a
// check undecided (all of them with verbose), each with how to give it.
func (p *printer) templateValues(r *Report, verbose bool) {
	if r.Template == nil {
		return
	}
	var lines []string
	for _, u := range r.Template.Unknowns {
		if u.Decides == 0 && !verbose {
			continue
		}
		at := u.File
		if u.Line > 0 {
			at += fmt.Sprintf(":%d", u.Line)
		}
		lines = append(lines, fmt.Sprintf("  %s  %s %s (%s), decides %d: %s", u.Value, u.Kind, u.Name, at, u.Decides, u.Supply))
	}
	if len(lines) == 0 {
		return
	}
	p.line("values the template does not give:")
	for _, l := range lines {
		p.line(l)
	}
	p.line("")
}

func hasUnknown(fr FunctionResult) bool {
	for _, q := range fr.Requirements {
		if q.Decision == "unknown" {
			return true
		}
	}
	for _, e := range fr.Expectations {
		if e.Decision == "unknown" {
			return true
		}
	}
	return false
}

// okLine is the single line printed when all is well.
func okLine(r *Report) string {
	s := r.Summary
	parts := []string{fmt.Sprintf("%s checked", plural2(s.Functions, "function"))}
	parts = append(parts, fmt.Sprintf("%s hold", plural2(s.Requirements, "required permission")))
	if s.Expectations > 0 {
		parts = append(parts, fmt.Sprintf("%s hold", plural2(s.Expectations, "expectation")))
	}
	var below string
	if s.Findings == 0 {
		below = "no findings"
	} else if r.FailOn == SeverityNone {
		below = fmt.Sprintf("%s (--fail-on none)", plural2(s.Findings, "finding"))
	} else {
		below = fmt.Sprintf("%s below %s", plural2(s.Findings, "finding"), r.FailOn)
	}
	return strings.Join(parts, ", ") + "; " + below
}

func plural2(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

type printer struct {
	w   io.Writer
	c   iostreams.Palette
	err error
}

func (p *printer) line(s string) {
	if p.err == nil {
		_, p.err = io.WriteString(p.w, s+"\n")
	}
}

func (p *printer) paint(code, s string) string { return p.c.Paint(code, s) }

func (p *printer) sevColor(s Severity) string {
	switch s {
	case Critical, High:
		return p.c.Red
	case Medium:
		return p.c.Yellow
	}
	return p.c.Dim
}

func (p *printer) finding(f Finding) {
	mark := p.paint(p.sevColor(f.Severity), "✗")
	if f.Ambiguous != nil {
		mark = p.paint(p.c.Yellow, "?")
	}
	p.line(fmt.Sprintf("%s %s %s  %s", mark, p.paint(p.c.Bold, f.ID), p.paint(p.sevColor(f.Severity), f.Severity.String()), f.Title))
	if len(f.Functions) > 1 {
		p.line("  functions " + strings.Join(names(f.Functions), ", "))
	}
	if f.Location != nil {
		p.line("  at        " + where(f.Location))
	}
	for _, e := range f.Evidence {
		p.line("  evidence  " + evidenceText(e))
	}
	p.fixes(f.Fixes)
	if f.Advice != "" {
		p.line("  advice    " + f.Advice)
	}
	if f.Doc != "" {
		p.line("  see       " + f.Doc)
	}
	p.line("")
}

func evidenceText(e Evidence) string {
	var where []string
	if e.Policy != "" {
		where = append(where, e.Policy)
	}
	if e.Statement != "" {
		where = append(where, "statement "+e.Statement)
	}
	if len(where) == 0 {
		return e.Detail
	}
	return strings.Join(where, " ") + ": " + e.Detail
}

func (p *printer) fixes(fixes []fix.Fix) {
	for _, fx := range fixes {
		if fx.Command == "" {
			head := "no command"
			if fx.Owner != "" {
				head += ": " + fx.Owner + " must act"
			}
			p.line("  " + p.paint(p.c.Yellow, head))
			p.line("    # " + fx.Explanation)
			if fx.Document != "" {
				p.line("    # they must grant: " + fx.Document)
			}
			continue
		}
		head := "fix (not verified)"
		if fx.Verified {
			head = "fix (verified by simulation)"
		}
		if fx.Format != fix.CLI && fx.Format != "" {
			head += " as " + string(fx.Format)
		}
		p.line("  " + p.paint(p.c.Green, head))
		if fx.Explanation != "" {
			p.line("    # " + fx.Explanation)
		}
		for _, l := range strings.Split(fx.Command, "\n") {
			p.line("    " + l)
		}
	}
}

func (p *printer) expectation(r *Report, fr FunctionResult, e Expectation) {
	mark := p.paint(p.c.Green, "✓")
	if !e.Passed {
		mark = p.paint(p.c.Red, "✗")
	}
	where := ""
	if r.Spec != "" && e.Line > 0 {
		where = fmt.Sprintf(" (%s:%d)", r.Spec, e.Line)
	}
	p.line(fmt.Sprintf("%s %s expectation%s  %s", mark, p.paint(p.c.Bold, e.ID), where, e.Name))
	req := e.Request
	p.line(fmt.Sprintf("  request   %s → %s on %s", req.Principal, req.Action, req.Resource))
	if len(req.Context) > 0 {
		b, _ := json.Marshal(req.Context)
		p.line("  context   " + string(b))
	}
	p.line(fmt.Sprintf("  decision  %s (want %s)", e.Decision, e.Want))
	for _, ev := range e.Evidence {
		p.line("  evidence  " + evidenceText(ev))
	}
	for _, n := range e.Notes {
		p.line("  note      " + n)
	}
	p.fixes(e.Fixes)
	p.line("")
}

func (p *printer) summary(r *Report) {
	s := r.Summary
	if len(s.ByRule) > 0 {
		tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tCOUNT\tFINDING")
		for _, rc := range s.ByRule {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", rc.ID, rc.Severity, rc.Count, rc.Short)
		}
		if err := tw.Flush(); err != nil && p.err == nil {
			p.err = err
		}
		p.line("")
	}
	var parts []string
	parts = append(parts, plural2(s.Functions, "function")+" checked")
	if s.Errors > 0 {
		parts = append(parts, fmt.Sprintf("%d could not be read", s.Errors))
	}
	parts = append(parts, fmt.Sprintf("required permissions: %d of %d hold", s.Requirements-s.RequirementsFailed-s.RequirementsUnknown, s.Requirements))
	if s.Expectations > 0 {
		parts = append(parts, fmt.Sprintf("expectations: %d of %d hold", s.Expectations-s.ExpectationsFailed, s.Expectations))
	}
	if r.FailOn != SeverityNone {
		parts = append(parts, fmt.Sprintf("findings at or above %s: %d of %d", r.FailOn, s.AtOrAbove, s.Findings))
	} else {
		parts = append(parts, fmt.Sprintf("findings: %d (--fail-on none)", s.Findings))
	}
	if s.Ambiguous > 0 {
		parts = append(parts, fmt.Sprintf("undecided by the documentation: %d", s.Ambiguous))
	}
	verdict := p.paint(p.c.Green, "PASS")
	switch {
	case s.Failed:
		verdict = p.paint(p.c.Red, "FAIL")
	case r.Incomplete():
		verdict = p.paint(p.c.Yellow, "INCOMPLETE")
	}
	p.line(verdict + "  " + strings.Join(parts, "; "))
}

// WriteJSON renders the report as one indented JSON object.
func WriteJSON(w io.Writer, r *Report) error {
	return writeJSON(w, r)
}

// writeJSON writes v as indented JSON, control characters escaped (those
// encoding/json leaves raw too: term.JSON).
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return term.WriteJSON(w, b.Bytes())
}
