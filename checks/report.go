package checks

import (
	"fmt"
	"sort"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// Report is the result of checking one or more functions. Every output
// format renders from it.
type Report struct {
	FailOn Severity `json:"fail_on"`
	Spec   string   `json:"spec,omitempty"` // the spec file, if any
	// Error is set when the run could not check what it was asked to: the
	// account, or a function named on the command line, could not be
	// read. The report is then incomplete, whatever else it holds.
	Error     string           `json:"error,omitempty"`
	Functions []FunctionResult `json:"functions"`
	// Findings are deduplicated across functions: a finding on a role
	// shared by several functions appears once, naming them all.
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
	// Template is set by `check --template`: the file, and the values it
	// does not give.
	Template *Template `json:"template,omitempty"`
}

// FunctionResult is what was checked on one function.
type FunctionResult struct {
	Name string `json:"name"`
	ARN  string `json:"arn,omitempty"`
	// Error is set when the function could not be read or checked at all.
	Error        string           `json:"error,omitempty"`
	ErrorCode    int              `json:"-"`
	Requirements []Requirement    `json:"requirements"`
	Expectations []Expectation    `json:"expectations"`
	Unseen       []account.Unseen `json:"unseen,omitempty"`
	// Source is where the function is defined, when read from a template.
	Source *account.Location `json:"source,omitempty"`
}

// Requirement is one permission the function's configuration requires of
// its execution role, and whether the role has it.
type Requirement struct {
	ID   string `json:"id"`   // the rule that reports it when missing
	Need string `json:"need"` // e.g. "read the SQS queue arn:aws:sqs:...:orders"
	// Requests are the simulated requests (action on resource).
	Requests []RequestJSON `json:"requests"`
	Decision string        `json:"decision"` // allow | implicit_deny | explicit_deny | unknown
	Passed   bool          `json:"passed"`
	// Unparsed names the documents that do not parse and leave it
	// undecided.
	Unparsed []string `json:"unparsed,omitempty"`
	// Cause is the kind of what decides it before any grant (a KMS key
	// that is not Enabled, a stale grant), when something does.
	Cause string `json:"cause,omitempty"`
	// Ambiguous is set when the requirement holds under one reading of the
	// IAM User Guide and not under the other: it is undecided (Decision is
	// the engine's reading).
	Ambiguous *judge.Ambiguity `json:"ambiguous,omitempty"`
	// Unresolved are, for a template's model, the values the decision
	// depends on that the template does not give (and the resources it
	// does not define), each with where it comes from and how to give it.
	Unresolved []Unresolved `json:"unresolved,omitempty"`
}

// Expectation is one expectation of the spec and its outcome.
type Expectation struct {
	ID       string      `json:"id"`   // LD201 invoke, LD202 call, LD203 denied call
	Kind     string      `json:"kind"` // invoke | call | denied_call
	Name     string      `json:"name"`
	Line     int         `json:"line,omitempty"` // line in the spec file
	Request  RequestJSON `json:"request"`
	Want     string      `json:"want"`     // allow | deny
	Decision string      `json:"decision"` // allow | implicit_deny | explicit_deny | unknown
	Passed   bool        `json:"passed"`
	Evidence []Evidence  `json:"evidence,omitempty"`
	Fixes    []fix.Fix   `json:"fixes,omitempty"`
	Notes    []string    `json:"notes,omitempty"`
	// Ambiguous: the decision hangs on a reading of the IAM User Guide; the
	// expectation is then not shown to hold.
	Ambiguous *judge.Ambiguity `json:"ambiguous,omitempty"`
}

// RequestJSON is a simulated request as the outputs show it.
type RequestJSON struct {
	Principal string              `json:"principal,omitempty"`
	Action    string              `json:"action"`
	Resource  string              `json:"resource"`
	Context   map[string][]string `json:"context,omitempty"`
}

// Summary counts what the report holds.
type Summary struct {
	Functions           int            `json:"functions"`
	Errors              int            `json:"errors"` // functions that could not be checked
	Requirements        int            `json:"requirements"`
	RequirementsFailed  int            `json:"requirements_failed"`
	RequirementsUnknown int            `json:"requirements_unknown"`
	Expectations        int            `json:"expectations"`
	ExpectationsFailed  int            `json:"expectations_failed"`
	Findings            int            `json:"findings"`
	BySeverity          map[string]int `json:"by_severity"`
	ByRule              []RuleCount    `json:"by_rule"`
	// AtOrAbove counts findings at or above FailOn.
	AtOrAbove int `json:"at_or_above_fail_on"`
	Unknown   int `json:"unknown"` // requirements/expectations that could not be decided
	// Unparsed counts the documents that do not parse (LD110): the run
	// is then incomplete, whatever --fail-on says about the finding.
	Unparsed int `json:"unparsed"`
	// Ambiguous counts the requirements and expectations (of Unknown)
	// that hold under one reading of the IAM User Guide and not under the
	// other, or only for some values lambda-doctor did not read (a
	// resource's tags: judge.Ambiguity.Unread).
	Ambiguous int `json:"ambiguous"`
	// Unresolved counts the requirements (of Unknown) left undecided only by
	// values a template does not give (`check --template`).
	Unresolved int  `json:"unresolved"`
	Failed     bool `json:"failed"`
	// relaxed counts the undecided requirements --fail-on none lets pass:
	// the ambiguous ones, and those that hang only on a template's values.
	relaxed int
	// unread counts the ambiguous ones (of Ambiguous) that hang only on
	// values lambda-doctor did not read.
	unread int
}

// ambiguousWhy says what leaves the ambiguous checks undecided: "the
// documentation", "values not read", or both.
func (s *Summary) ambiguousWhy() string {
	switch s.unread {
	case 0:
		return "the documentation"
	case s.Ambiguous:
		return "values not read"
	}
	return "the documentation or values not read"
}

// RuleCount is the number of findings of one rule at one severity.
type RuleCount struct {
	ID       string   `json:"id"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Short    string   `json:"short"`
	Count    int      `json:"count"`
}

// Incomplete reports whether something could not be decided: a function
// that could not be read, a requirement or expectation undecided, a
// document that does not parse. With --fail-on none, a requirement that
// hangs only on a reading of the documentation, or only on values a
// template does not give, is reported but does not make the run
// incomplete (findings are then reported, never failing).
func (r *Report) Incomplete() bool {
	s := r.Summary
	unknown := s.Unknown
	if r.FailOn == SeverityNone {
		unknown -= s.relaxed
	}
	return r.Error != "" || s.Errors > 0 || unknown > 0 || s.Unparsed > 0
}

// IncompleteReasons say, one sentence each, why the report is incomplete
// (none when it is not).
func (r *Report) IncompleteReasons() []string {
	if !r.Incomplete() {
		return nil
	}
	s := r.Summary
	var out []string
	if r.Error != "" {
		out = append(out, "the run could not be completed: "+r.Error)
	}
	if n := s.Errors; n > 0 {
		out = append(out, fmt.Sprintf("%d function(s) could not be read", n))
	}
	if n := s.Unknown - s.Ambiguous - s.Unresolved; n > 0 {
		out = append(out, fmt.Sprintf("%d check(s) could not be decided because reads were refused or documents do not parse", n))
	}
	if n := s.Unresolved; n > 0 {
		out = append(out, fmt.Sprintf("%d check(s) depend on values the template does not give (see \"values the template does not give\")", n))
	}
	if n := s.Ambiguous; n > 0 {
		switch s.unread {
		case 0:
			out = append(out, fmt.Sprintf("%d check(s) hold under one reading of the IAM User Guide and not under the other (see \"undecided\")", n))
		case n:
			out = append(out, fmt.Sprintf("%d check(s) hold only for some values lambda-doctor did not read (see \"undecided\")", n))
		default:
			out = append(out, fmt.Sprintf("%d check(s) hold under one reading of the IAM User Guide only, or only for some values lambda-doctor did not read (see \"undecided\")", n))
		}
	}
	if n := s.Unparsed; n > 0 {
		out = append(out, fmt.Sprintf("%d policy document(s) do not parse (LD110)", n))
	}
	return out
}

// NotRun is the report of a run that stopped on err before it could
// check what it was asked to (the account, or a function named on the
// command line, could not be read): every output format still says so.
func NotRun(failOn Severity, spec *Spec, err error) *Report {
	r := &Report{FailOn: failOn, Error: err.Error(), Functions: []FunctionResult{}}
	if spec != nil {
		r.Spec = spec.File
	}
	r.summarize()
	return r
}

// WithError marks the report as stopped by err (a spec's function that was
// not found, a cancelled run): it is then incomplete.
func (r *Report) WithError(err error) *Report {
	r.Error = err.Error()
	return r
}

// Failing reports whether f is at or above the report's fail-on severity.
// A finding that holds under one reading of the documentation only is
// undecided: it never fails the run (it makes it incomplete).
func (r *Report) Failing(f Finding) bool {
	return r.FailOn != SeverityNone && f.Severity >= r.FailOn && f.Ambiguous == nil
}

// summarize fills Summary and sorts the report.
func (r *Report) summarize() {
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	for i := range r.Functions {
		fr := &r.Functions[i]
		if fr.Requirements == nil {
			fr.Requirements = []Requirement{}
		}
		if fr.Expectations == nil {
			fr.Expectations = []Expectation{}
		}
	}
	sort.SliceStable(r.Functions, func(i, j int) bool { return r.Functions[i].Name < r.Functions[j].Name })
	sortFindings(r.Findings)
	s := Summary{Functions: len(r.Functions), BySeverity: map[string]int{}}
	for _, fr := range r.Functions {
		if fr.Error != "" {
			s.Errors++
		}
		for _, q := range fr.Requirements {
			s.Requirements++
			switch {
			case q.Passed:
			case q.Ambiguous != nil:
				s.Unknown++
				s.RequirementsUnknown++
				s.Ambiguous++
				s.relaxed++
				if q.Ambiguous.Unread() {
					s.unread++
				}
			case q.Decision == "unknown":
				s.Unknown++
				s.RequirementsUnknown++
				if len(q.Unresolved) > 0 && len(q.Unparsed) == 0 {
					s.Unresolved++
					s.relaxed++
				}
			default:
				s.RequirementsFailed++
			}
		}
		for _, e := range fr.Expectations {
			s.Expectations++
			if !e.Passed {
				s.ExpectationsFailed++
				if e.Decision == "unknown" || e.Ambiguous != nil {
					s.Unknown++
				}
				if e.Ambiguous != nil {
					s.Ambiguous++
					if e.Ambiguous.Unread() {
						s.unread++
					}
				}
			}
		}
	}
	byRule := map[string]*RuleCount{}
	for _, f := range r.Findings {
		s.Findings++
		s.BySeverity[f.Severity.String()]++
		if r.Failing(f) {
			s.AtOrAbove++
		}
		if f.ID == "LD110" {
			s.Unparsed++
		}
		// A rule's findings are counted by the severity each has (a
		// wildcard grant may be medium on one role and high on another).
		key := f.ID + "\x00" + f.Severity.String()
		rc := byRule[key]
		if rc == nil {
			rule := rulesByID[f.ID]
			rc = &RuleCount{ID: f.ID, Rule: rule.Name, Severity: f.Severity, Short: rule.Short}
			byRule[key] = rc
		}
		rc.Count++
	}
	for _, rc := range byRule {
		s.ByRule = append(s.ByRule, *rc)
	}
	sort.Slice(s.ByRule, func(i, j int) bool {
		a, b := s.ByRule[i], s.ByRule[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		return a.ID < b.ID
	})
	s.Failed = s.AtOrAbove > 0 || s.ExpectationsFailed > 0
	r.Summary = s
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Subject != b.Subject {
			return a.Subject < b.Subject
		}
		return a.Title < b.Title
	})
}
