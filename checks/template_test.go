package checks

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
)

// templateFn is a function of a template's model: a role that cannot poll
// its queue, and a dead-letter target from a parameter without a value.
func templateFn(t testing.TB) (*account.Function, *Template) {
	fn := healthy(t, "worker")
	fn.Source = &account.Location{File: "template.yaml", Line: 20, Column: 3, LogicalID: "Worker"}
	fn.EventSources = []account.EventSource{{UUID: "m", EventSourceARN: queue}}
	fn.Config.DeadLetterTarget = "{{unknown.Parameter.Dlq}}"
	fn.Unseen = []account.Unseen{{Operation: "template", Resource: "{{unknown.Parameter.Dlq}}", Error: "parameter Dlq has no default and no --parameter value (template.yaml:4)"}}
	tpl := &Template{File: "template.yaml",
		Unknowns:    []TemplateValue{{Value: "{{unknown.Parameter.Dlq}}", Kind: "Parameter", Name: "Dlq", File: "template.yaml", Line: 4, Supply: Supply("Parameter", "Dlq")}},
		RoleSources: map[string]account.Location{fn.Role.ARN: {File: "template.yaml", Line: 8, LogicalID: "WorkerRole"}},
		Resources:   map[string]account.Location{}}
	return fn, tpl
}

// TestTemplateReport: a template's findings point at its resources (the
// function, the role), in SARIF too; a requirement that hangs on a value
// the template does not give is undecided, names it with how to give it,
// and makes the run incomplete unless --fail-on none; a command fix that
// would need such a value is not printed.
func TestTemplateReport(t *testing.T) {
	for _, failOn := range []Severity{High, SeverityNone} {
		fn, tpl := templateFn(t)
		c := New(Options{FailOn: failOn, Template: tpl, FixFormat: fix.CLI})
		c.Check(fn)
		r := c.Report()
		if r.Incomplete() != (failOn != SeverityNone) || r.Summary.Unresolved != 1 || r.Summary.Unknown != 1 {
			t.Errorf("--fail-on %s: incomplete %v, summary %+v: want one unresolved requirement, incomplete unless none", failOn, r.Incomplete(), r.Summary)
		}
		var dlq *Requirement
		for i, q := range r.Functions[0].Requirements {
			if q.ID == "LD004" {
				dlq = &r.Functions[0].Requirements[i]
			}
		}
		if dlq == nil || dlq.Decision != "unknown" || len(dlq.Unresolved) != 1 || dlq.Unresolved[0].Supply != "--parameter Dlq=VALUE" || len(dlq.Requests) != 0 {
			t.Fatalf("LD004: %+v, want undecided on {{unknown.Parameter.Dlq}} with --parameter Dlq=VALUE", dlq)
		}
		if r.Template == nil || r.Template.Unknowns[0].Decides != 1 {
			t.Errorf("template values: %+v, want the parameter deciding one requirement", r.Template)
		}
		var ld003 *Finding
		for i := range r.Findings {
			if r.Findings[i].ID == "LD003" {
				ld003 = &r.Findings[i]
			}
		}
		if ld003 == nil || ld003.Location == nil || ld003.Location.LogicalID != "Worker" || ld003.Location.Line != 20 {
			t.Fatalf("LD003 %+v: want it at Worker, template.yaml:20", ld003)
		}
		var sarif bytes.Buffer
		if err := WriteSARIF(&sarif, r, SARIFOptions{Artifact: "template.yaml"}); err != nil {
			t.Fatal(err)
		}
		if errs := validateSARIF(t, sarif.Bytes()); len(errs) > 0 {
			t.Errorf("SARIF does not validate: %v", errs)
		}
		var log struct {
			Runs []struct {
				Results []struct {
					RuleID    string
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI string }
							Region           struct{ StartLine, StartColumn int }
						}
					}
				}
			}
		}
		if err := json.Unmarshal(sarif.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		for _, res := range log.Runs[0].Results {
			pl := res.Locations[0].PhysicalLocation
			if res.RuleID == "LD003" && (pl.ArtifactLocation.URI != "template.yaml" || pl.Region.StartLine != 20 || pl.Region.StartColumn != 3) {
				t.Errorf("SARIF LD003 at %+v, want template.yaml:20:3", pl)
			}
		}
	}
}

// TestTemplateCommandNeedsValues: a command fix holding a value the
// template does not give is not printed (it could not be pasted).
func TestTemplateCommandNeedsValues(t *testing.T) {
	fx := fix.Fix{Format: fix.CLI, Verified: true, Command: "aws lambda add-permission --function-name {{generated.Name.Fn}} --principal sns.amazonaws.com"}
	needsValues(&fx)
	if fx.Command != "" || fx.Verified || !strings.Contains(fx.Explanation, "{{generated.Name.Fn}}") {
		t.Errorf("got %+v, want no command, naming the value", fx)
	}
	iac := fix.Fix{Format: fix.CloudFormation, Verified: true, Command: "FunctionName: !Ref Fn"}
	needsValues(&iac)
	if iac.Command == "" || !iac.Verified {
		t.Errorf("a template edit was dropped: %+v", iac)
	}
}

func TestSupply(t *testing.T) {
	for _, c := range [][3]string{
		{"Parameter", "Stage", "--parameter Stage=VALUE"},
		{"Pseudo", "AWS::AccountId", "--account ID"},
		{"Pseudo", "AWS::Region", "--region REGION"},
		{"Pseudo", "AWS::StackName", "--stack-name NAME"},
		{"ImportValue", "shared-Role", "the export shared-Role of another stack"},
	} {
		if got := Supply(c[0], c[1]); !strings.HasPrefix(got, c[2]) {
			t.Errorf("Supply(%s, %s) = %q, want %q...", c[0], c[1], got, c[2])
		}
	}
}
