package checks

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// ambiguousFn delivers on-success records to the alias payments-worker:prod
// with a role whose grant names function:*prod: open under one reading of
// the IAM User Guide ("IAM JSON policy elements: Resource", "Using
// wildcards in resource ARNs": only a * that ends a segment is said to
// match beyond ':'), closed under the other.
func ambiguousFn(t testing.TB) *account.Function {
	fn := healthy(t, "payments-api")
	alias := "arn:aws:lambda:us-east-1:111122223333:function:payments-worker:prod"
	fn.AsyncConfigs = []account.AsyncConfig{{OnSuccess: alias}}
	grant(t, fn, allow("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:111122223333:function:*prod"))
	return fn
}

// TestAmbiguousRequirement: a requirement open under one reading of the
// documentation only is undecided: its finding carries the ambiguity and a
// verified fix, never fails the run, and makes it incomplete (exit 3),
// unless --fail-on none; in SARIF it is a warning, in JUnit an error.
func TestAmbiguousRequirement(t *testing.T) {
	for _, tc := range []struct {
		failOn             Severity
		incomplete, failed bool
	}{
		{High, true, false},
		{Low, true, false},
		{SeverityNone, false, false},
	} {
		t.Run(tc.failOn.String(), func(t *testing.T) {
			c := New(Options{FailOn: tc.failOn})
			c.Check(ambiguousFn(t))
			r := c.Report()
			if r.Incomplete() != tc.incomplete || r.Summary.Failed != tc.failed {
				t.Errorf("incomplete %v failed %v, want %v %v", r.Incomplete(), r.Summary.Failed, tc.incomplete, tc.failed)
			}
			s := r.Summary
			if s.Ambiguous != 1 || s.Unknown != 1 || s.RequirementsUnknown != 1 || s.RequirementsFailed != 0 || s.AtOrAbove != 0 {
				t.Errorf("summary %+v: want 1 ambiguous, counted undecided, none failed", s)
			}
			if len(r.Findings) != 1 {
				t.Fatalf("findings %+v, want the LD005 one", r.Findings)
			}
			f := r.Findings[0]
			if f.ID != judge.RuleDestination || f.Ambiguous == nil || r.Failing(f) || !strings.HasPrefix(f.Title, "undecided: ") {
				t.Errorf("finding %+v: want an undecided LD005 that does not fail", f)
			}
			if len(f.Fixes) != 1 || !f.Fixes[0].Verified || !strings.Contains(f.Fixes[0].Command, `"Resource":"arn:aws:lambda:us-east-1:111122223333:function:payments-worker:prod"`) {
				t.Errorf("fixes %+v: want one verified grant on the exact alias", f.Fixes)
			}
			var q *Requirement
			for i := range r.Functions[0].Requirements {
				if r.Functions[0].Requirements[i].ID == judge.RuleDestination {
					q = &r.Functions[0].Requirements[i]
				}
			}
			if q == nil || q.Passed || q.Ambiguous == nil || q.Ambiguous.Otherwise != "allow" || q.Decision != "implicit_deny" {
				t.Errorf("requirement %+v: want not passed, implicit_deny, allow otherwise", q)
			}

			var sarif bytes.Buffer
			if err := WriteSARIF(&sarif, r, SARIFOptions{Artifact: "template.yaml"}); err != nil {
				t.Fatal(err)
			}
			if errs := validateSARIF(t, sarif.Bytes()); len(errs) > 0 {
				t.Errorf("SARIF does not validate: %v", errs)
			}
			if !strings.Contains(sarif.String(), `"level": "warning"`) || !strings.Contains(sarif.String(), `"ambiguous"`) {
				t.Errorf("SARIF: want a warning carrying the ambiguity:\n%s", sarif.String())
			}
			var junit bytes.Buffer
			if err := WriteJUnit(&junit, r); err != nil {
				t.Fatal(err)
			}
			var suites junitSuites
			if err := xml.Unmarshal(junit.Bytes(), &suites); err != nil {
				t.Fatal(err)
			}
			if suites.Errors != 1 || suites.Failures != 0 {
				t.Errorf("JUnit: %d errors %d failures, want 1 error (undecided) and no failure", suites.Errors, suites.Failures)
			}
			var text bytes.Buffer
			if err := WriteText(&text, r, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{"? LD005", "undecided", "function:*prod", "put-role-policy", "undecided by the documentation: 1"} {
				if !strings.Contains(text.String(), w) {
					t.Errorf("text output does not show %q:\n%s", w, text.String())
				}
			}
		})
	}
}

// TestAmbiguousExpectation: a spec expectation that holds under one reading
// only is not shown to hold: it fails, is counted undecided, and a wanted
// allow gets the fix that makes it certain (here the requirement's, printed
// first, which opens this door too).
func TestAmbiguousExpectation(t *testing.T) {
	fn := ambiguousFn(t)
	spec := &Spec{Functions: []FunctionSpec{{Function: fn.Name, Calls: []CallSpec{{Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:111122223333:function:payments-worker:prod"}}}}}
	c := New(Options{FailOn: High, Spec: spec})
	c.Check(fn)
	r := c.Report()
	e := r.Functions[0].Expectations[0]
	if e.Passed || e.Ambiguous == nil || len(e.Fixes) != 1 || !strings.Contains(e.Fixes[0].Explanation, "printed above") {
		t.Errorf("expectation %+v: want failed, ambiguous, pointing at the fix printed above", e)
	}
	if !r.Summary.Failed || r.Summary.Ambiguous != 2 {
		t.Errorf("summary %+v: want failed with 2 ambiguous (the requirement and the expectation)", r.Summary)
	}
}
