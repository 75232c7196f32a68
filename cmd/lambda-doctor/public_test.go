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
	"github.com/lambda-doctor/lambda-doctor/account/template"
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
// snapshot, and the model of every fixture and corpus template: for every
// function, no fix that diagnose (--symptom auto and
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
	for _, snap := range append(snapshots(t), templateSnapshots(t)...) {
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

// templateSnapshots writes the model of every fixture and corpus template
// (read as the template fixtures are, fixtures/templates/README.md) as a
// snapshot, so that the properties proven on the bundled snapshots hold
// for models built from templates too.
func templateSnapshots(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, g := range []string{"cfn/*.yaml", "sam/*.yaml", "corpus/*"} {
		m, err := filepath.Glob(filepath.Join("../../fixtures/templates", g))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	dir := t.TempDir()
	var out []string
	for _, f := range files {
		opts := template.Options{Region: "us-east-1", Account: "111122223333", StackName: "fixture"}
		res, err := template.Read(f, opts)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		// Functions CloudFormation names get the names a deploy gives
		// them, so that the commands can name them (--function).
		opts.PhysicalIDs = map[string]string{}
		for id, r := range res.Resources {
			if r.Type == "AWS::Lambda::Function" {
				opts.PhysicalIDs[id] = "fixture-" + id + "-1A2B3C4D"
			}
		}
		if res, err = template.Read(f, opts); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, fn := range res.Functions {
			if fn.Role == nil {
				// A snapshot says why a role is missing with the read that
				// failed; a template, with its own Unseen entry (kept).
				fn.Unseen = append(fn.Unseen, account.Unseen{Operation: "iam:GetRole", Resource: fn.Config.RoleARN, Error: "not defined in the template"})
			}
		}
		path := filepath.Join(dir, strings.NewReplacer("/", "-", ".", "-").Replace(strings.TrimPrefix(f, "../../fixtures/templates/"))+".json")
		w, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := account.WriteSnapshot(w, account.NewSnapshot(res.Origin, res.Functions)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		out = append(out, path)
	}
	if len(out) < 60 {
		t.Fatalf("%d template snapshots, want every fixture and corpus template", len(out))
	}
	return out
}

// TestNoTemplateFixOpensAFunctionToAnyone: the fixes check --template
// prints, as template edits and as commands, never grant Principal "*"
// but the two function-URL grants.
func TestNoTemplateFixOpensAFunctionToAnyone(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	var files []string
	for _, g := range []string{"cfn/*.yaml", "sam/*.yaml", "corpus/*"} {
		m, _ := filepath.Glob(filepath.Join("../../fixtures/templates", g))
		files = append(files, m...)
	}
	checked := 0
	for _, f := range files {
		res, err := template.Read(f, template.Options{Region: "us-east-1", Account: "111122223333", StackName: "fixture"})
		if err != nil {
			t.Fatal(err)
		}
		var existing []string
		for _, fn := range res.Functions {
			existing = append(existing, documents(fn)...)
		}
		for _, format := range []string{"cloudformation", "sam", "cli", "terraform"} {
			out, stderr, code := runCheckCmd(t, "--template", f, "--region", "us-east-1", "--account", "111122223333", "--stack-name", "fixture",
				"--fix-format", format, "--output", "json")
			if code == exitBadInput {
				t.Errorf("%s: exit 2: %s", f, stderr)
				continue
			}
			for _, x := range printedFixes(t, out) {
				checked++
				if bad := fixtest.PublicGrants(x, existing); len(bad) > 0 {
					t.Errorf("%s --fix-format %s: a fix opens the function to anyone: %s", f, format, strings.Join(bad, "; "))
				}
			}
		}
	}
	if checked < 40 {
		t.Errorf("checked %d fixes; the fixture templates' fixes must be among them", checked)
	}
	t.Logf("%d printed template fixes checked", checked)
}
