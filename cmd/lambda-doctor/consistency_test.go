package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// requirementRules are the rules of check's required-permission findings
// and of the causes of the model (LD013-LD018, judge.Causes): every rule of
// package judge but LD009 and LD010, decided outside the model, which only
// advise.
var requirementRules = func() []string {
	var ids []string
	for _, r := range judge.Rules() {
		if r.ID != judge.RuleLayer && r.ID != judge.RuleImage {
			ids = append(ids, r.ID)
		}
	}
	return ids
}()

// TestDiagnoseAndCheckAgree is the consistency proof over every bundled
// snapshot and the model of every fixture and corpus template: for every function, diagnose --symptom auto finds a closed door
// on a requirement of the configuration exactly when check reports a
// required-permission finding for it (the same rules, as many times), the
// two find the same doors open under one reading of the documentation only,
// and they leave the same requirements undecided. Doors diagnose finds only
// from denial lines in the logs are its extra evidence and not compared.
func TestDiagnoseAndCheckAgree(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	compared, closed, ambiguous := 0, 0, 0
	for _, snap := range append(snapshots(t), templateSnapshots(t)...) {
		src, err := account.LoadSnapshot(snap)
		if err != nil {
			t.Fatal(err)
		}
		names, err := src.FunctionNames(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			fn, err := src.Function(context.Background(), name)
			if err != nil {
				t.Fatal(err)
			}
			var dout, derr bytes.Buffer
			run(context.Background(), []string{"lambda-doctor", "diagnose", "--snapshot", snap, "--function", name, "--output", "json"},
				strings.NewReader(""), &dout, &derr)
			var d struct {
				Diagnoses []struct {
					Door      string          `json:"door"`
					Rule      string          `json:"rule"`
					Ambiguous json.RawMessage `json:"ambiguous"`
				} `json:"diagnoses"`
			}
			if err := json.Unmarshal(dout.Bytes(), &d); err != nil {
				t.Fatalf("%s %s: diagnose output: %v\n%s%s", snap, name, err, dout.String(), derr.String())
			}
			var dClosed, dUnknown, dAmbiguous []string
			for _, x := range d.Diagnoses {
				switch {
				case x.Rule == "":
					// a denial line from the logs: diagnose's own evidence
				case x.Ambiguous != nil:
					dAmbiguous = append(dAmbiguous, x.Rule)
				case x.Door == "unknown":
					dUnknown = append(dUnknown, x.Rule)
				default:
					dClosed = append(dClosed, x.Rule)
				}
			}

			cout, cerr, _ := runCheckCmd(t, "--snapshot", snap, "--function", name, "--output", "json", "--fail-on", "none")
			var c struct {
				Functions []struct {
					ARN          string `json:"arn"`
					Requirements []struct {
						ID       string `json:"id"`
						Decision string `json:"decision"`
					} `json:"requirements"`
				} `json:"functions"`
				Findings []struct {
					ID        string          `json:"id"`
					Functions []string        `json:"functions"`
					Ambiguous json.RawMessage `json:"ambiguous"`
				} `json:"findings"`
			}
			if err := json.Unmarshal([]byte(cout), &c); err != nil {
				t.Fatalf("%s %s: check output: %v\n%s%s", snap, name, err, cout, cerr)
			}
			var cClosed, cUnknown, cAmbiguous []string
			for _, f := range c.Findings {
				switch {
				case !slices.Contains(requirementRules, f.ID) || !slices.Contains(f.Functions, fn.ARN):
				case f.Ambiguous != nil:
					cAmbiguous = append(cAmbiguous, f.ID)
				default:
					cClosed = append(cClosed, f.ID)
				}
			}
			for _, fr := range c.Functions {
				for _, q := range fr.Requirements {
					if fr.ARN == fn.ARN && q.Decision == "unknown" {
						cUnknown = append(cUnknown, q.ID)
					}
				}
			}
			sort.Strings(dClosed)
			sort.Strings(cClosed)
			sort.Strings(dUnknown)
			sort.Strings(cUnknown)
			sort.Strings(dAmbiguous)
			sort.Strings(cAmbiguous)
			if !slices.Equal(dAmbiguous, cAmbiguous) {
				t.Errorf("%s %s: open under one reading of the documentation only: diagnose %v, check %v", snap, name, dAmbiguous, cAmbiguous)
			}
			ambiguous += len(dAmbiguous)
			if !slices.Equal(dClosed, cClosed) {
				t.Errorf("%s %s: closed doors: diagnose %v, check %v", snap, name, dClosed, cClosed)
			}
			if !slices.Equal(dUnknown, cUnknown) {
				t.Errorf("%s %s: undecided: diagnose %v, check %v", snap, name, dUnknown, cUnknown)
			}
			compared++
			closed += len(dClosed)
		}
	}
	// The bundled snapshots hold closed requirements of most kinds; a
	// comparison that finds none compares nothing.
	if closed < 15 {
		t.Errorf("only %d closed requirements over %d functions: the snapshots no longer exercise the comparison", closed, compared)
	}
	if ambiguous < 2 {
		t.Errorf("only %d requirements open under one reading only: the ambiguity fixtures no longer exercise the comparison", ambiguous)
	}
	t.Logf("%d functions compared, %d closed and %d ambiguous requirements agree", compared, closed, ambiguous)
}
