package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateCheck = flag.Bool("update-check", false, "rewrite fixtures/check/golden/* from the current output of check")

const checkAccount = "../../fixtures/check/account.json"

// runCheckCmd runs `lambda-doctor check args...` in-process.
func runCheckCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"lambda-doctor", "check"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// TestCheckGolden compares every output format of a whole-account check
// (with a failing spec) with fixtures/check/golden/. Regenerate with
// `go test ./cmd/lambda-doctor -run TestCheckGolden -update-check` and read
// the diff before committing.
func TestCheckGolden(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	for _, format := range []string{"text", "json", "sarif", "junit"} {
		t.Run(format, func(t *testing.T) {
			out, stderr, code := runCheckCmd(t, "--all", "--snapshot", checkAccount, "--spec", "../../fixtures/check/spec-fail.yaml", "--output", format)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
			}
			if stderr != "" {
				t.Errorf("stderr %q, want nothing (not a terminal)", stderr)
			}
			out = strings.ReplaceAll(out, "../../fixtures/", "fixtures/")
			if format == "text" {
				for _, l := range unwrappable(strings.Split(out, "\n"), 80) {
					t.Errorf("text line wider than 80 columns that could have been wrapped: %q", l)
				}
			}
			switch format {
			case "json", "sarif":
				var v any
				if err := json.Unmarshal([]byte(out), &v); err != nil {
					t.Fatalf("output is not JSON: %v", err)
				}
			case "junit":
				var v struct {
					XMLName xml.Name
					Tests   int `xml:"tests,attr"`
				}
				if err := xml.Unmarshal([]byte(out), &v); err != nil || v.XMLName.Local != "testsuites" || v.Tests == 0 {
					t.Fatalf("output is not JUnit XML with tests: %v %+v", err, v)
				}
			}
			ext := map[string]string{"text": "txt", "json": "json", "sarif": "sarif", "junit": "junit.xml"}[format]
			golden := filepath.Join("../../fixtures/check/golden", "all."+ext)
			if *updateCheck {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update-check to create it)", err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s (run with -update-check and read the diff):\n%s", golden, firstDiff(string(want), out))
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + itoa(i+1) + ":\n  want " + w + "\n  got  " + g
		}
	}
	return ""
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestCheckExitCodes(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badSpec := write("bad.yaml", "version: 1\nfunction: healthy\ninvokers:\n  - principal: s3.amazonaws.com\n    source_arm: arn:aws:s3:::b\n")
	noName := write("noname.yaml", "calls: [{action: s3:GetObject, resource: 'arn:aws:s3:::b/k'}]\n")
	renamed := write("renamed.yaml", "functions:\n  - function: gone\n    calls: [{action: s3:GetObject, resource: 'arn:aws:s3:::b/k'}]\n")
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		outHas     string
		errHas     string
		quietLines int // when > 0, stdout has exactly this many lines
	}{
		{"healthy function", []string{"--function", "healthy"}, 0, "✓ 1 function checked", "", 1},
		{"passing spec", []string{"--function", "healthy", "--spec", "../../fixtures/check/spec-pass.yaml"}, 0, "5 expectations hold", "", 1},
		{"passing json spec without --function", []string{"--spec", "../../fixtures/check/spec-pass.json"}, 0, "3 expectations hold", "", 1},
		{"failing spec", []string{"--function", "healthy", "--spec", "../../fixtures/check/spec-fail.yaml"}, 1, "LD202 expectation", "", 0},
		{"missing required permission", []string{"--function", "sqs-broken"}, 1, "aws iam put-role-policy --region us-east-1 --role-name sqs-broken-role", "", 0},
		{"high finding below --fail-on critical", []string{"--function", "no-logs", "--fail-on", "critical"}, 0, "1 finding below critical", "", 1},
		{"medium finding with --fail-on medium", []string{"--function", "public-fn", "--fail-on", "medium", "--ignore", "LD105,LD106"}, 1, "LD107", "", 0},
		{"--fail-on none ignores findings", []string{"--function", "admin-fn", "--fail-on", "none"}, 0, "(--fail-on none)", "", 1},
		{"ignored finding", []string{"--function", "trust-broad", "--ignore", "LD109"}, 0, "no findings", "", 1},
		{"bad spec", []string{"--function", "healthy", "--spec", badSpec}, 2, "", "bad.yaml:5: unknown key \"source_arm\"", 0},
		{"spec names a missing function", []string{"--spec", renamed}, 3, "", "renamed.yaml:2: function \"gone\"", 0},
		{"unknown function", []string{"--function", "nope"}, 3, "", "not found", 0},
		{"unreadable role", []string{"--function", "unreadable-role"}, 3, "unseen  iam:GetRole", "incomplete check", 0},
		{"--all with an unnamed spec entry", []string{"--all", "--spec", noName}, 2, "", "noname.yaml:1: expectations without a function name", 0},
		{"no function", []string{}, 2, "", "--function NAME", 0},
		{"both --function and --all", []string{"--function", "healthy", "--all"}, 2, "", "not both", 0},
		{"bad output", []string{"--function", "healthy", "--output", "xml"}, 2, "", `--output "xml": want text, json, sarif or junit`, 0},
		{"bad fail-on", []string{"--function", "healthy", "--fail-on", "severe"}, 2, "", `--fail-on "severe": want low, medium, high, critical or none`, 0},
		{"bad ignore", []string{"--function", "healthy", "--ignore", "LD999"}, 2, "", `--ignore "LD999": want a rule id`, 0},
		{"unknown flag", []string{"--function", "healthy", "--frobnicate"}, 2, "", "frobnicate", 0},
		{"missing snapshot", []string{"--function", "healthy", "--snapshot", filepath.Join(dir, "none.json")}, 2, "", "none.json", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if !contains(args, "--snapshot") {
				args = append(args, "--snapshot", checkAccount)
			}
			out, stderr, code := runCheckCmd(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, stderr)
			}
			if !strings.Contains(out, tc.outHas) {
				t.Errorf("stdout lacks %q:\n%s", tc.outHas, out)
			}
			if !strings.Contains(stderr, tc.errHas) {
				t.Errorf("stderr lacks %q:\n%s", tc.errHas, stderr)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("stderr shows a panic:\n%s", stderr)
			}
			if tc.quietLines > 0 {
				if n := strings.Count(out, "\n"); n != tc.quietLines {
					t.Errorf("got %d lines, want %d (quiet when all is well):\n%s", n, tc.quietLines, out)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Colour only where allowed: CLICOLOR_FORCE on text, never on JSON, never
// with NO_COLOR.
func TestCheckColor(t *testing.T) {
	for _, tc := range []struct {
		env, format string
		want        bool
	}{
		{"CLICOLOR_FORCE", "text", true},
		{"NO_COLOR", "text", false},
		{"CLICOLOR_FORCE", "json", false},
		{"CLICOLOR_FORCE", "sarif", false},
	} {
		t.Run(tc.env+"/"+tc.format, func(t *testing.T) {
			t.Setenv("NO_COLOR", "")
			t.Setenv("CLICOLOR_FORCE", "")
			t.Setenv(tc.env, "1")
			out, _, _ := runCheckCmd(t, "--function", "no-logs", "--snapshot", checkAccount, "--output", tc.format)
			if got := strings.Contains(out, "\x1b["); got != tc.want {
				t.Errorf("colour = %v, want %v:\n%s", got, tc.want, out)
			}
		})
	}
}

// With --all, every function is checked and a missing permission in one
// function fails the run with its verified fix.
func TestCheckAllFindsEachBrokenFunction(t *testing.T) {
	out, _, code := runCheckCmd(t, "--all", "--snapshot", checkAccount, "--output", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	var rep struct {
		Functions []struct{ Name string }
		Findings  []struct {
			ID        string
			Functions []string
			Fixes     []struct {
				Command  string
				Verified bool
			}
		}
		Summary struct {
			Functions int
			ByRule    []struct {
				ID    string
				Count int
			} `json:"by_rule"`
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Functions != 15 {
		t.Errorf("checked %d functions, want 15", rep.Summary.Functions)
	}
	want := map[string]string{"LD001": "no-logs", "LD002": "vpc-fn", "LD003": "sqs-broken", "LD004": "busy", "LD005": "busy", "LD008": "busy", "LD011": "trust-missing"}
	for id, fn := range want {
		found := false
		for _, f := range rep.Findings {
			if f.ID == id && len(f.Functions) == 1 && strings.HasSuffix(f.Functions[0], ":function:"+fn) {
				found = true
				if len(f.Fixes) == 0 || !f.Fixes[0].Verified {
					t.Errorf("%s on %s: got fixes %+v, want a verified fix", id, fn, f.Fixes)
				}
			}
		}
		if !found {
			t.Errorf("no %s finding on %s", id, fn)
		}
	}
	for _, f := range rep.Findings {
		for _, fn := range f.Functions {
			if strings.HasSuffix(fn, ":function:healthy") {
				t.Errorf("healthy has finding %s", f.ID)
			}
		}
	}
}

// TestCheckJudgesInvokers: a trigger the resource policy refuses fails the
// check (LD012) with the verified add-permission for exactly that route
// (fixtures/apigw-wrong-source-arn: the policy allows another API).
func TestCheckJudgesInvokers(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	out, stderr, code := runCheckCmd(t, "--snapshot", "../../fixtures/apigw-wrong-source-arn/snapshot.json", "--all", "--output", "json")
	if code != exitProblem {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitProblem, out, stderr)
	}
	var rep struct {
		Findings []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
			Fixes []struct {
				Command  string `json:"command"`
				Verified bool   `json:"verified"`
			} `json:"fixes"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Findings {
		if f.ID != "LD012" {
			continue
		}
		if len(f.Fixes) != 1 || !f.Fixes[0].Verified ||
			!strings.Contains(f.Fixes[0].Command, "aws lambda add-permission --region us-east-1 --function-name arn:aws:lambda:us-east-1:111122223333:function:order-processor") ||
			!strings.Contains(f.Fixes[0].Command, "--source-arn arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders") {
			t.Errorf("LD012 %q: fixes %+v, want the verified add-permission for the route", f.Title, f.Fixes)
		}
		return
	}
	t.Fatalf("no LD012 finding:\n%s", out)
}
