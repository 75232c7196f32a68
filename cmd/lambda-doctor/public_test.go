package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix/fixtest"
)

// snapshots are every bundled account snapshot: each scenario's and the
// check account.
func snapshots(t *testing.T) []string {
	t.Helper()
	snaps, err := filepath.Glob("../../fixtures/*/snapshot.json")
	if err != nil {
		t.Fatal(err)
	}
	snaps = append(snaps, checkAccount)
	if len(snaps) < 40 {
		t.Fatalf("found %d snapshots, want the bundled ones", len(snaps))
	}
	return snaps
}

// printedFixes is every fix of a diagnose or check JSON output.
func printedFixes(t *testing.T, out string) []fixtest.Fix {
	t.Helper()
	var v struct {
		Fixes     []fixtest.Fix `json:"fixes"`
		Diagnoses []struct {
			Fixes []fixtest.Fix `json:"fixes"`
		} `json:"diagnoses"`
		Findings []struct {
			Fixes []fixtest.Fix `json:"fixes"`
		} `json:"findings"`
		Functions []struct {
			Expectations []struct {
				Fixes []fixtest.Fix `json:"fixes"`
			} `json:"expectations"`
		} `json:"functions"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	all := v.Fixes
	for _, d := range v.Diagnoses {
		all = append(all, d.Fixes...)
	}
	for _, f := range v.Findings {
		all = append(all, f.Fixes...)
	}
	for _, fr := range v.Functions {
		for _, e := range fr.Expectations {
			all = append(all, e.Fixes...)
		}
	}
	return all
}

// documents are the policy documents fn already has.
func documents(fn *account.Function) []string {
	var out []string
	for _, p := range fn.ResourcePolicies {
		out = append(out, p.Document)
	}
	if r := fn.Role; r != nil {
		out = append(out, r.Trust)
		for _, p := range r.Inline {
			out = append(out, p.Document)
		}
		for _, p := range r.Managed {
			out = append(out, p.Document)
		}
		if r.Boundary != nil {
			out = append(out, r.Boundary.Document)
		}
	}
	return out
}

// TestNoFixOpensAFunctionToAnyone is a property over every bundled
// snapshot: for every function, no fix that diagnose (--symptom auto and
// each scenario's own flags, in every --fix-format) or check prints grants
// Principal "*", except the two grants of a function URL with auth type
// NONE (docs/contract.md, "Safe to paste").
func TestNoFixOpensAFunctionToAnyone(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	scenarioArgs := map[string][][]string{}
	for _, snap := range snapshots(t) {
		raw, err := os.ReadFile(filepath.Join(filepath.Dir(snap), "scenario.json"))
		if err != nil {
			continue
		}
		var s scenario
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		scenarioArgs[snap] = append(scenarioArgs[snap], s.Args)
	}
	checked := 0
	for _, snap := range snapshots(t) {
		src, err := account.LoadSnapshot(snap)
		if err != nil {
			t.Fatal(err)
		}
		names, err := src.FunctionNames(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var runs [][]string
		for _, name := range names {
			for _, f := range []string{"cli", "cloudformation", "sam", "terraform"} {
				runs = append(runs, []string{"diagnose", "--snapshot", snap, "--function", name, "--fix-format", f})
			}
			runs = append(runs, []string{"check", "--snapshot", snap, "--function", name})
		}
		for _, args := range scenarioArgs[snap] {
			for _, f := range []string{"cli", "cloudformation", "sam", "terraform"} {
				runs = append(runs, append([]string{"diagnose", "--snapshot", snap, "--fix-format", f}, args...))
			}
		}
		for _, args := range runs {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(append([]string{"lambda-doctor"}, args...), "--output", "json"), strings.NewReader(""), &stdout, &stderr)
			if code == exitBadInput {
				t.Errorf("%s: exit 2: %s", strings.Join(args, " "), stderr.String())
				continue
			}
			fnName := args[len(args)-1]
			for i, a := range args {
				if a == "--function" {
					fnName = args[i+1]
				}
			}
			fn, err := src.Function(context.Background(), fnName)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range printedFixes(t, stdout.String()) {
				checked++
				if bad := fixtest.PublicGrants(f, documents(fn)); len(bad) > 0 {
					t.Errorf("%s: a fix opens the function to anyone: %s", strings.Join(args, " "), strings.Join(bad, "; "))
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("checked %d fixes; the property needs the bundled scenarios' fixes to mean anything", checked)
	}
	t.Logf("%d printed fixes checked", checked)
}

// TestHealthyPublicURLIsClean: the healthy public function URL (both
// console statements) is open as it is meant to be: diagnose --symptom
// auto invents no caller from the statements' own principal "*" and finds
// no closed door, and check finds nothing to fail on.
func TestHealthyPublicURLIsClean(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	snap := "../../fixtures/healthy-url-none/snapshot.json"
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"lambda-doctor", "diagnose", "--snapshot", snap, "--function", "status-page", "--output", "json"}, strings.NewReader(""), &stdout, &stderr)
	var d diagnosisJSON
	if err := json.Unmarshal(stdout.Bytes(), &d); err != nil {
		t.Fatalf("%v: %s %s", err, stdout.String(), stderr.String())
	}
	if code != 0 || d.Door != "none" || len(d.Fixes) != 0 {
		t.Errorf("diagnose --symptom auto: exit %d door %q fixes %+v, want exit 0 door none and no fix; summary %s", code, d.Door, d.Fixes, d.Summary)
	}
	out, errOut, code := runCheckCmd(t, "--snapshot", snap, "--function", "status-page")
	if code != 0 {
		t.Errorf("check: exit %d, want 0\n%s%s", code, out, errOut)
	}
}
