package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// brokenSnapshot is fixtures/healthy-auto with one inline policy of the
// execution role that does not parse (an Effect IAM does not know), while
// the managed AWSLambdaBasicExecutionRole still grants the logs.
func brokenSnapshot(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../fixtures/healthy-auto/snapshot.json")
	if err != nil {
		t.Fatal(err)
	}
	var snap map[string]any
	if err := json.Unmarshal(raw, &snap); err != nil {
		t.Fatal(err)
	}
	role := snap["roles"].([]any)[0].(map[string]any)
	inline := role["inline_policies"].([]any)[0].(map[string]any)
	inline["document"] = map[string]any{"Version": "2012-10-17",
		"Statement": []any{map[string]any{"Effect": "Perhaps", "Action": "s3:GetObject", "Resource": "*"}}}
	out, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "snapshot.json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestUnparseablePolicyIsNotGreen: a policy document the engine cannot
// parse leaves what needs it undecided. check exits 3 (1 with --fail-on
// medium, LD110's severity) and names the document in one LD110 finding;
// diagnose says the door is undecided (exit 3) and which document.
func TestUnparseablePolicyIsNotGreen(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	snap := brokenSnapshot(t)
	out, stderr, code := runCheckCmd(t, "--snapshot", snap, "--all")
	if code != exitUnseen {
		t.Errorf("check: exit %d, want %d\n%s%s", code, exitUnseen, out, stderr)
	}
	if n := strings.Count(out, "✗ LD110"); n != 1 {
		t.Errorf("check reports LD110 %d times, want once (one cause, one finding):\n%s", n, out)
	}
	if !strings.Contains(out, "role/thumbnail-maker-role/inline/images") || !strings.Contains(stderr, "do not parse") {
		t.Errorf("check does not name the document that does not parse:\n%s%s", out, stderr)
	}
	if _, _, code := runCheckCmd(t, "--snapshot", snap, "--all", "--fail-on", "medium"); code != exitProblem {
		t.Errorf("check --fail-on medium: exit %d, want %d", code, exitProblem)
	}

	jout, _, _ := runCheckCmd(t, "--snapshot", snap, "--all", "--output", "json")
	var rep struct {
		Findings []struct {
			ID string `json:"id"`
		} `json:"findings"`
		Summary struct {
			Unparsed int `json:"unparsed"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(jout), &rep); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range rep.Findings {
		if f.ID == "LD110" {
			n++
		}
	}
	if n != 1 || rep.Summary.Unparsed != 1 {
		t.Errorf("got %d LD110 findings and summary.unparsed %d, want one cause, one finding", n, rep.Summary.Unparsed)
	}

	var dout, derr strings.Builder
	code = run(t.Context(), []string{"lambda-doctor", "diagnose", "--snapshot", snap, "--function", "thumbnail-maker", "--output", "json"},
		strings.NewReader(""), &dout, &derr)
	var d diagnosisJSON
	if err := json.Unmarshal([]byte(dout.String()), &d); err != nil {
		t.Fatalf("%v: %s%s", err, dout.String(), derr.String())
	}
	if code != exitUnseen || d.Door != "unknown" || !strings.Contains(d.Summary, "role/thumbnail-maker-role/inline/images does not parse") {
		t.Errorf("diagnose: exit %d door %q summary %q, want exit 3, door unknown, the document named", code, d.Door, d.Summary)
	}
}
