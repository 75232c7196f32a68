package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// continuation is a line break of a wrapped command: " \", the newline
// and the next line's indent.
var continuation = regexp.MustCompile(` \\\n *`)

var update = flag.Bool("update", false, "rewrite the golden files of fixtures/*/ from the current output")

// scenario is fixtures/<name>/scenario.json (fixtures/README.md, "Scenario files").
type scenario struct {
	Description string   `json:"description"`
	Args        []string `json:"args"`
	Expect      struct {
		Door            string   `json:"door"`
		Decision        string   `json:"decision"`
		ExitCode        *int     `json:"exit_code"`
		FixVerified     *bool    `json:"fix_verified"`
		FixContains     []string `json:"fix_contains"`
		SummaryContains []string `json:"summary_contains"`
		Doors           []string `json:"doors"`
		NoCommand       bool     `json:"no_command"`
		// Cause is the kind of the primary diagnosis's cause; NoGrant says
		// no fix command may grant a permission (the cause is not a
		// missing grant).
		Cause   string `json:"cause"`
		NoGrant bool   `json:"no_grant"`
		// OutputContains and OutputLacks are strings the text output must
		// hold, and must not.
		OutputContains []string `json:"output_contains"`
		OutputLacks    []string `json:"output_lacks"`
		// Ambiguous: the primary door is open under one reading of the
		// IAM User Guide and closed under the other (or, false, not).
		Ambiguous *bool `json:"ambiguous"`
	} `json:"expect"`
}

// grantCommands are the commands that grant a permission.
var grantCommands = []string{"put-role-policy", "attach-role-policy", "create-policy-version", "add-permission", "put-resource-policy", "put-key-policy", "create-grant"}

type diagnosisJSON struct {
	Door     string `json:"door"`
	Summary  string `json:"summary"`
	Decision string `json:"decision"`
	Request  *struct {
		Principal, Action, Resource string
	} `json:"request"`
	Fixes []struct {
		Command     string `json:"command"`
		Explanation string `json:"explanation"`
		Verified    bool   `json:"verified"`
	} `json:"fixes"`
	FixAdvice []struct {
		Owner       string `json:"owner"`
		Explanation string `json:"explanation"`
	} `json:"fix_advice"`
	Diagnoses []struct {
		Door string `json:"door"`
	} `json:"diagnoses"`
	Cause *struct {
		Kind   string `json:"kind"`
		NotIAM bool   `json:"not_iam"`
	} `json:"cause"`
	Ambiguous *struct {
		Otherwise string `json:"otherwise"`
		Patterns  []struct {
			Statement, Pattern string
		} `json:"patterns"`
	} `json:"ambiguous"`
}

// TestGolden runs every fixture scenario's diagnose in-process on its
// snapshot, checks the scenario's expectations, and compares the text, JSON
// and markdown outputs with fixtures/<name>/golden.{txt,json,md}.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("../../fixtures/*/scenario.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Skip("no fixture scenarios")
	}
	t.Setenv("NO_COLOR", "1")
	for _, sc := range dirs {
		dir := filepath.Dir(sc)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(sc)
			if err != nil {
				t.Fatal(err)
			}
			var s scenario
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&s); err != nil {
				t.Fatalf("%s: %v", sc, err)
			}
			snap := filepath.Join(dir, "snapshot.json")
			runOut := func(output string) (string, string, int) {
				args := append([]string{"lambda-doctor", "diagnose", "--snapshot", snap, "--output", output}, s.Args...)
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
				return stdout.String(), stderr.String(), code
			}
			jout, jerr, code := runOut("json")
			if s.Expect.ExitCode != nil && code != *s.Expect.ExitCode {
				t.Errorf("exit code: got %d, want %d; stderr: %s", code, *s.Expect.ExitCode, jerr)
			}
			if code == exitOK || code == exitProblem || code == exitUnseen {
				checkExpect(t, &s, jout)
			} else if jout != "" {
				t.Errorf("exit %d with output on stdout: %s", code, jout)
			}
			outputs := map[string]string{"json": jout + jerr}
			txt, terr, _ := runOut("text")
			outputs["txt"] = txt + terr
			// Written for a terminal of 80 columns (iostreams.System on a
			// buffer, COLUMNS unset): no line that could be wrapped passes it.
			for _, l := range unwrappable(prose(txt), 80) {
				t.Errorf("text line wider than 80 columns that could have been wrapped: %q", l)
			}
			// The text as one line: a command wrapped with \ continuations,
			// prose wrapped at spaces.
			flat := strings.Join(strings.Fields(continuation.ReplaceAllString(txt, " ")), " ")
			for _, want := range s.Expect.OutputContains {
				if !strings.Contains(flat, want) {
					t.Errorf("text output does not contain %q:\n%s", want, txt)
				}
			}
			for _, bad := range s.Expect.OutputLacks {
				if strings.Contains(flat, bad) {
					t.Errorf("text output contains %q:\n%s", bad, txt)
				}
			}
			md, merr, _ := runOut("markdown")
			outputs["md"] = md + merr
			for ext, got := range outputs {
				golden := filepath.Join(dir, "golden."+ext)
				if *update {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Errorf("missing golden file (run go test ./cmd/lambda-doctor -run TestGolden -update): %v", err)
					continue
				}
				if string(want) != got {
					t.Errorf("%s differs from the golden file (rerun with -update and read the diff):\n--- got\n%s\n--- want\n%s", golden, got, want)
				}
			}
		})
	}
}

func checkExpect(t *testing.T, s *scenario, out string) {
	t.Helper()
	var d diagnosisJSON
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	if s.Expect.Door != "" && d.Door != s.Expect.Door {
		t.Errorf("door: got %q, want %q; summary: %s", d.Door, s.Expect.Door, d.Summary)
	}
	if s.Expect.Decision != "" && d.Decision != s.Expect.Decision {
		t.Errorf("decision: got %q, want %q; summary: %s", d.Decision, s.Expect.Decision, d.Summary)
	}
	if a := s.Expect.Ambiguous; a != nil && *a != (d.Ambiguous != nil) {
		t.Errorf("ambiguous: got %+v, want %v", d.Ambiguous, *a)
	}
	if d.Ambiguous != nil && (d.Ambiguous.Otherwise == d.Decision || len(d.Ambiguous.Patterns) == 0) {
		t.Errorf("ambiguous %+v: the other reading must decide otherwise, on named patterns", d.Ambiguous)
	}
	if v := s.Expect.FixVerified; v != nil {
		any := false
		for _, f := range d.Fixes {
			any = any || f.Verified
		}
		if any != *v {
			t.Errorf("a verified fix: got %v, want %v; fixes: %+v", any, *v, d.Fixes)
		}
	}
	var all strings.Builder
	if s.Expect.NoCommand && (len(d.Fixes) > 0 || len(d.FixAdvice) == 0) {
		t.Errorf("fixes %+v, advice %+v: want no command, only advice", d.Fixes, d.FixAdvice)
	}
	for _, a := range d.FixAdvice {
		all.WriteString(a.Owner + "\n" + a.Explanation + "\n")
	}
	for _, f := range d.Fixes {
		all.WriteString(f.Command + "\n" + f.Explanation + "\n")
		if f.Command == "" {
			t.Errorf("a fix without a command in fixes (it belongs in fix_advice): %+v", f)
		}
		for _, g := range grantCommands {
			if s.Expect.NoGrant && strings.Contains(f.Command, " "+g+" ") {
				t.Errorf("a fix grants a permission (%s), want none: %s", g, f.Command)
			}
		}
	}
	if s.Expect.Cause != "" && (d.Cause == nil || d.Cause.Kind != s.Expect.Cause) {
		t.Errorf("cause: got %+v, want %q; summary: %s", d.Cause, s.Expect.Cause, d.Summary)
	}
	for _, want := range s.Expect.FixContains {
		if !strings.Contains(all.String(), want) {
			t.Errorf("fixes do not contain %q:\n%s", want, all.String())
		}
	}
	for _, want := range s.Expect.SummaryContains {
		if !strings.Contains(d.Summary, want) {
			t.Errorf("summary does not contain %q: %s", want, d.Summary)
		}
	}
	if len(s.Expect.Doors) > 0 {
		var got []string
		for _, x := range d.Diagnoses {
			got = append(got, x.Door)
		}
		if strings.Join(got, ",") != strings.Join(s.Expect.Doors, ",") {
			t.Errorf("doors of diagnoses: got %v, want %v", got, s.Expect.Doors)
		}
	}
}
