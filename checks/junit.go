package checks

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/internal/term"
)

// JUnit XML for CI test reports: one test suite per function (its
// required permissions and expectations) and one for the findings, where a
// finding at or above --fail-on is a failure and one below it is skipped.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func (s *junitSuite) add(c junitCase) {
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Error != nil:
		s.Errors++
	case c.Skipped != nil:
		s.Skipped++
	}
	s.Cases = append(s.Cases, c)
}

// WriteJUnit renders the report as JUnit XML.
func WriteJUnit(w io.Writer, r *Report) error {
	// XML has no escape for most control characters (encoding/xml writes
	// U+FFFD) and keeps C1 and bidi raw: they are shown escaped instead.
	r = term.Copy(r)
	out := junitSuites{Name: "lambda-doctor check"}
	if r.Error != "" {
		// The run stopped before it could check: one error says why, so
		// that CI reports a failed run rather than an empty one.
		s := junitSuite{Name: "lambda-doctor"}
		s.add(junitCase{Name: "read the account", Classname: "lambda-doctor.run",
			Error: &junitMessage{Message: "the run could not be completed", Type: "incomplete", Text: r.Error}})
		out.Suites = append(out.Suites, s)
	}
	for _, fr := range r.Functions {
		s := junitSuite{Name: fr.Name}
		class := "lambda-doctor." + fr.Name
		if fr.Error != "" {
			s.add(junitCase{Name: "read function", Classname: class,
				Error: &junitMessage{Message: "the function could not be read", Text: fr.Error}})
		}
		for _, q := range fr.Requirements {
			c := junitCase{Name: q.ID + " " + q.Need, Classname: class + ".required"}
			var reqs []string
			for _, rq := range q.Requests {
				reqs = append(reqs, rq.Action+" on "+rq.Resource)
			}
			switch {
			case q.Ambiguous != nil:
				c.Error = &junitMessage{Message: "undecided: holds " + q.Ambiguous.Only(), Type: q.ID,
					Text: findingText(r, fr.ARN, q, q.Ambiguous.Note)}
			case q.Decision == "unknown":
				c.Error = &junitMessage{Message: "could not be decided: reads were refused", Type: q.ID, Text: strings.Join(reqs, "\n")}
			case !q.Passed:
				msg := q.Decision
				if q.Cause != "" {
					// Decided by a cause reported as a finding of its own
					// (a deleted execution role: LD020).
					msg += ", cause " + q.Cause
				}
				c.Failure = &junitMessage{Message: msg, Type: q.ID, Text: findingText(r, fr.ARN, q, strings.Join(reqs, "\n"))}
			default:
				c.SystemOut = strings.Join(reqs, "\n")
			}
			s.add(c)
		}
		for _, e := range fr.Expectations {
			c := junitCase{Name: e.Name, Classname: class + ".expectations"}
			if !e.Passed {
				var b strings.Builder
				fmt.Fprintf(&b, "%s → %s on %s: %s, want %s", e.Request.Principal, e.Request.Action, e.Request.Resource, e.Decision, e.Want)
				for _, ev := range e.Evidence {
					b.WriteString("\n" + evidenceText(ev))
				}
				b.WriteString(fixLines(e.Fixes))
				if r.Spec != "" && e.Line > 0 {
					fmt.Fprintf(&b, "\n(%s:%d)", r.Spec, e.Line)
				}
				c.Failure = &junitMessage{Message: fmt.Sprintf("%s, want %s", e.Decision, e.Want), Type: e.ID, Text: b.String()}
			}
			s.add(c)
		}
		out.Suites = append(out.Suites, s)
	}
	fs := junitSuite{Name: "findings"}
	for _, f := range r.Findings {
		if fromRequirement(f.ID) {
			continue // a failed test case of its function's suite already
		}
		c := junitCase{Name: f.ID + " " + f.Title, Classname: "lambda-doctor.findings." + f.Rule}
		if r.Failing(f) {
			c.Failure = &junitMessage{Message: f.Severity.String() + ": " + f.Title, Type: f.ID, Text: sarifMessage(f)}
		} else {
			c.Skipped = &junitMessage{Message: fmt.Sprintf("%s, below --fail-on %s", f.Severity, r.FailOn)}
			c.SystemOut = sarifMessage(f)
		}
		fs.add(c)
	}
	out.Suites = append(out.Suites, fs)
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
		out.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// findingText is the message of the finding that reports a failed
// requirement, or def.
func findingText(r *Report, fnARN string, q Requirement, def string) string {
	for _, f := range r.Findings {
		if f.ID != q.ID || (f.Subject != fnARN && !contains(f.Functions, fnARN)) {
			continue
		}
		titles := append([]string{f.Title}, f.parts...)
		if f.ID == judge.RuleTrust || slices.ContainsFunc(titles, func(t string) bool { return strings.Contains(t, q.Need) }) {
			return sarifMessage(f)
		}
	}
	return def
}

// fromRequirement reports whether findings of rule id come from a
// requirement judged on every function (LD001–LD008, LD011, LD012, LD019),
// which has its own test case.
func fromRequirement(id string) bool {
	return (id >= "LD001" && id <= "LD008") || id == judge.RuleTrust || id == judge.RuleInvoker || id == judge.RuleKMSSender
}
