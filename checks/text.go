package checks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/internal/iostreams"
	"github.com/lambda-doctor/lambda-doctor/internal/term"
	"github.com/lambda-doctor/lambda-doctor/internal/textwrap"
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
	p := &printer{w: w, c: o.Palette, width: o.Width}
	if p.width <= 0 {
		p.width = textwrap.DefaultWidth
	}
	s := r.Summary
	if !s.Failed && !o.Verbose && !r.Incomplete() && s.Unknown == 0 {
		p.line(p.paint(p.c.Green, "✓") + " " + okLine(r))
		if r.Template != nil && r.Template.AccountRead != nil {
			// What was judged is not what is deployed: said even here.
			for _, k := range r.Template.AccountRead.KeptDefaults {
				p.para(k.Note(), "  ", "    ")
			}
		}
		return p.err
	}
	var below []Finding
	for _, f := range r.Findings {
		// A document that does not parse is shown whatever its severity:
		// it is why the run is incomplete.
		if !o.Verbose && !r.Failing(f) && f.ID != "LD110" && f.Ambiguous == nil {
			below = append(below, f)
			continue
		}
		p.finding(f)
	}
	p.below(r, below)
	for _, fr := range r.Functions {
		if o.Verbose {
			p.requirements(fr)
		}
		for _, e := range fr.Expectations {
			if e.Passed && !o.Verbose {
				continue
			}
			p.expectation(r, fr, e)
		}
		if fr.Error != "" {
			p.para(fmt.Sprintf("%s %s: could not be checked: %s", p.paint(p.c.Red, "✗"), fr.Name, fr.Error), "", "  ")
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
			p.para(fmt.Sprintf("%s %s %s: could not decide whether %s can %s (%s)", p.paint(p.c.Yellow, "?"), p.paint(p.c.Bold, q.ID), fr.Name, who, q.Need, why), "", "  ")
			for _, u := range q.Unresolved {
				value := u.Value + ": " + u.Source
				if u.Supply != "" {
					value += "; " + u.Supply
				}
				p.field("value", value)
			}
		}
		if r.Template != nil {
			continue // the template's gaps are listed once, below
		}
		if len(fr.Unseen) > 0 && (o.Verbose || hasUnknown(fr)) {
			for _, u := range fr.Unseen {
				line := fmt.Sprintf("%s %s: %s", u.Operation, u.Resource, u.Error)
				if u.Permission != "" {
					// Not when the read failed for another reason than a
					// permission (a role that no longer exists).
					line += " (needs " + u.Permission + ")"
				}
				p.para(line, "  unseen  ", "          ")
			}
			p.line("")
		}
	}
	p.templateValues(r, o.Verbose)
	p.summary(r)
	return p.err
}

// requirements lists, one line each, every requirement judged for the
// function with its verdict, passing ones included (--verbose: what was
// checked, for a CI log).
func (p *printer) requirements(fr FunctionResult) {
	if len(fr.Requirements) == 0 {
		return
	}
	p.para(fmt.Sprintf("requirements of %s: %d judged", fr.Name, len(fr.Requirements)), "", "  ")
	for _, q := range fr.Requirements {
		mark, verdict := p.paint(p.c.Green, "✓"), "holds"
		switch {
		case q.Ambiguous != nil:
			mark, verdict = p.paint(p.c.Yellow, "?"), "undecided: holds "+q.Ambiguous.Only()
		case q.Decision == "unknown":
			mark, verdict = p.paint(p.c.Yellow, "?"), "undecided"
		case !q.Passed:
			mark, verdict = p.paint(p.c.Red, "✗"), "fails ("+strings.ReplaceAll(q.Decision, "_", " ")+")"
		}
		if q.Cause != "" {
			verdict += ", cause " + q.Cause
		}
		p.para(q.Need+": "+verdict, fmt.Sprintf("  %s %s  ", mark, q.ID), "           ")
	}
	p.line("")
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
		lines = append(lines, fmt.Sprintf("%s  %s %s (%s), decides %d: %s", u.Value, u.Kind, u.Name, at, u.Decides, u.Supply))
	}
	// Whether the account was read is said when it could change a
	// verdict: a value leaves a check undecided, a read failed, or
	// verbose and the account was read.
	ar := r.Template.AccountRead
	undecided := slices.ContainsFunc(r.Template.Unknowns, func(u TemplateValue) bool { return u.Decides > 0 })
	showRead := ar != nil && (undecided || len(ar.Unseen) > 0 || len(ar.KeptDefaults) > 0 || (verbose && ar.Read))
	if len(lines) == 0 && !showRead {
		return
	}
	if len(lines) > 0 {
		p.line("values the template does not give:")
		for _, l := range lines {
			p.para(l, "  ", "    ")
		}
	}
	if showRead {
		p.accountRead(ar, verbose)
	}
	p.line("")
}

// accountRead says in one line whether the template's values were read
// from an account; verbose, or when a read failed, it lists what was read
// and what could not be.
func (p *printer) accountRead(ar *AccountRead, verbose bool) {
	if ar == nil {
		return
	}
	if !ar.Read {
		p.para("not read from an account: "+ar.Note, "  ", "    ")
		return
	}
	line := fmt.Sprintf("read from account %s (%s) in %s (%s)", ar.Account, ar.AccountFrom, ar.Region, ar.RegionFrom)
	if ar.Stack != "" {
		line += ", stack " + ar.Stack + " (" + ar.StackStatus + ")"
	}
	line += fmt.Sprintf(": %d values", len(ar.Values))
	p.para(line, "  ", "    ")
	for _, k := range ar.KeptDefaults {
		p.para(k.Note(), "    ", "      ")
	}
	if verbose {
		for _, v := range ar.Values {
			p.para(fmt.Sprintf("%s %s: %s", v.Kind, v.Name, v.From), "    ", "      ")
		}
	}
	for _, u := range ar.Unseen {
		msg := fmt.Sprintf("%s %s: %s", u.Operation, u.Resource, u.Error)
		if u.Permission != "" {
			msg += " (needs " + u.Permission + ")"
		}
		p.para(msg, "    unseen  ", "            ")
	}
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
		below = fmt.Sprintf("%s below %s (--verbose lists them)", plural2(s.Findings, "finding"), r.FailOn)
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
	w     io.Writer
	c     iostreams.Palette
	width int
	err   error
}

func (p *printer) line(s string) {
	if p.err == nil {
		_, p.err = io.WriteString(p.w, s+"\n")
	}
}

// para writes s wrapped to the width, the first line after first, the
// others after rest: at spaces only, never inside a word.
func (p *printer) para(s, first, rest string) { p.line(textwrap.Indent(s, p.width, first, rest)) }

// field writes "  name      value", the value wrapped under itself.
func (p *printer) field(name, value string) {
	p.para(value, fmt.Sprintf("  %-9s ", name), strings.Repeat(" ", 12))
}

// command writes a shell command wrapped between its arguments, with \
// continuations, so that it still pastes and runs as printed.
func (p *printer) command(cmd string) { p.line(textwrap.Command(cmd, p.width, "    ", "        ")) }

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
	p.para(f.Title, fmt.Sprintf("%s %s %s  ", mark, p.paint(p.c.Bold, f.ID), p.paint(p.sevColor(f.Severity), f.Severity.String())), "  ")
	switch len(f.Functions) {
	case 0:
	case 1:
		p.field("function", lastSegment(f.Functions[0]))
	default:
		p.field("functions", fmt.Sprintf("%d: %s", len(f.Functions), strings.Join(names(f.Functions), ", ")))
	}
	if f.Location != nil {
		p.field("at", where(f.Location))
	}
	for _, e := range f.Evidence {
		p.field("evidence", evidenceText(e))
	}
	p.fixes(f.Fixes)
	if f.Advice != "" {
		// A command in the advice gets lines of its own, wrapped only
		// between its arguments, so that it pastes as printed.
		prose, cmd, ok := strings.Cut(f.Advice, ": aws ")
		if ok {
			p.field("advice", prose+":")
			p.command("aws " + cmd)
		} else {
			p.field("advice", f.Advice)
		}
	}
	if f.Doc != "" {
		p.field("see", f.Doc)
	}
	p.line("")
}

// below lists, one line each, the findings under --fail-on that the run
// does not fail on, with the functions they are about.
func (p *printer) below(r *Report, fs []Finding) {
	if len(fs) == 0 {
		return
	}
	head := fmt.Sprintf("below --fail-on %s (reported, not failing; --verbose shows each in full):", r.FailOn)
	if r.FailOn == SeverityNone {
		head = "findings (--fail-on none: reported, not failing; --verbose shows each in full):"
	}
	p.para(head, "", "  ")
	const most = 10
	for _, f := range fs {
		fns := names(f.Functions)
		if len(fns) > most {
			fns = append(fns[:most:most], fmt.Sprintf("and %d more", len(fns)-most))
		}
		who := ""
		switch len(f.Functions) {
		case 0:
		case 1:
			who = " (function " + fns[0] + ")"
		default:
			who = fmt.Sprintf(" (%d functions: %s)", len(f.Functions), strings.Join(fns, ", "))
		}
		p.para(f.Title+who, fmt.Sprintf("  %s %s %s  ", p.paint(p.c.Dim, "·"), f.ID, p.paint(p.sevColor(f.Severity), f.Severity.String())), "    ")
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
			p.para(fx.Explanation, "    # ", "    # ")
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
			p.para(fx.Explanation, "    # ", "    # ")
		}
		if fx.Format != fix.CLI && fx.Format != "" {
			// Infrastructure code, as written: YAML and HCL are not wrapped.
			for _, l := range strings.Split(fx.Command, "\n") {
				p.line("    " + l)
			}
			continue
		}
		p.command(fx.Command)
	}
}

func (p *printer) expectation(r *Report, fr FunctionResult, e Expectation) {
	mark := p.paint(p.c.Green, "✓")
	if !e.Passed {
		mark = p.paint(p.c.Red, "✗")
	}
	p.para(e.Name, fmt.Sprintf("%s %s expectation  ", mark, p.paint(p.c.Bold, e.ID)), "  ")
	req := e.Request
	p.field("function", fr.Name)
	if r.Spec != "" && e.Line > 0 {
		p.field("spec", fmt.Sprintf("%s:%d", r.Spec, e.Line))
	}
	p.field("request", fmt.Sprintf("%s → %s on %s", req.Principal, req.Action, req.Resource))
	if len(req.Context) > 0 {
		b, _ := json.Marshal(req.Context)
		p.field("context", string(b))
	}
	p.field("decision", fmt.Sprintf("%s (want %s)", e.Decision, e.Want))
	for _, ev := range e.Evidence {
		p.field("evidence", evidenceText(ev))
	}
	for _, n := range e.Notes {
		p.field("note", n)
	}
	p.fixes(e.Fixes)
	p.line("")
}

func (p *printer) summary(r *Report) {
	s := r.Summary
	if len(s.ByRule) > 0 {
		// A table whose last column wraps under itself.
		rows := [][3]string{{"ID", "SEVERITY", "COUNT"}}
		for _, rc := range s.ByRule {
			rows = append(rows, [3]string{rc.ID, rc.Severity.String(), fmt.Sprint(rc.Count)})
		}
		var w [3]int
		for _, r := range rows {
			for i, c := range r {
				w[i] = max(w[i], len(c))
			}
		}
		for i, r := range rows {
			lead := fmt.Sprintf("%-*s  %-*s  %-*s  ", w[0], r[0], w[1], r[1], w[2], r[2])
			last := "FINDING"
			if i > 0 {
				last = s.ByRule[i-1].Short
			}
			p.para(last, lead, strings.Repeat(" ", len(lead)))
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
	bySev := ""
	for sev := Critical; sev >= Low; sev-- {
		if n := s.BySeverity[sev.String()]; n > 0 {
			if bySev != "" {
				bySev += ", "
			}
			bySev += fmt.Sprintf("%d %s", n, sev)
		}
	}
	if bySev != "" {
		bySev = " (" + bySev + ")"
	}
	if r.FailOn != SeverityNone {
		parts = append(parts, fmt.Sprintf("findings at or above %s: %d of %d%s", r.FailOn, s.AtOrAbove, s.Findings, bySev))
	} else {
		parts = append(parts, fmt.Sprintf("findings: %d%s (--fail-on none)", s.Findings, bySev))
	}
	if s.Ambiguous > 0 {
		parts = append(parts, fmt.Sprintf("undecided by %s: %d", s.ambiguousWhy(), s.Ambiguous))
	}
	verdict := p.paint(p.c.Green, "PASS")
	switch {
	case s.Failed:
		verdict = p.paint(p.c.Red, "FAIL")
	case r.Incomplete():
		verdict = p.paint(p.c.Yellow, "INCOMPLETE")
	}
	p.para(strings.Join(parts, "; "), verdict+"  ", "      ")
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
