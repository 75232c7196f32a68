package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeBlocks are the lines of the README's code blocks of the given
// languages (sh, yaml...), in order, with the heading each is under; a
// line continued with \ is read with the next.
func readmeBlocks(t *testing.T, langs ...string) (lines []string, headings []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	fence, in, heading := false, false, ""
	for _, l := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(l, "#") && !fence:
			heading = l
		case strings.HasPrefix(l, "```") && !fence:
			fence = true
			lang := strings.TrimPrefix(l, "```")
			for _, want := range langs {
				in = in || lang == want
			}
		case strings.HasPrefix(l, "```"):
			fence, in = false, false
		case in && len(lines) > 0 && strings.HasSuffix(lines[len(lines)-1], "\\"):
			lines[len(lines)-1] = strings.TrimSuffix(lines[len(lines)-1], "\\") + strings.TrimSpace(l)
		case in:
			lines = append(lines, l)
			headings = append(headings, heading)
		}
	}
	return lines, headings
}

// commandLine is a README line's lambda-doctor command and its comment
// dropped: the line itself, from "lambda-doctor " (or "go run
// ./cmd/lambda-doctor "), "" when it runs none.
func commandLine(l string) string {
	l = strings.TrimSpace(l)
	l = strings.TrimPrefix(l, "go run ./cmd/")
	if !strings.HasPrefix(l, "lambda-doctor ") {
		return ""
	}
	if i := strings.Index(l, "  #"); i >= 0 {
		l = strings.TrimSpace(l[:i])
	}
	return l
}

// synopsis reports whether a README line is a synopsis rather than an
// example: it has a [optional] part, a placeholder (FILE, NAME|ARN) or a
// choice (bash|zsh).
func synopsis(cmd string) bool {
	for _, w := range strings.Fields(cmd) {
		if strings.HasPrefix(w, "[") || placeholderWord.MatchString(w) || (w != "|" && strings.Contains(w, "|")) {
			return true
		}
	}
	return false
}

var placeholderWord = regexp.MustCompile(`^[A-Z][A-Z_]*([.|][A-Za-z_|]+)*$`)

// inRepo runs the test in a directory that looks like the repository's
// root to the README's commands: its fixtures and ci folders, and the files
// the examples name (ticket.txt, the error a user would have saved).
func inRepo(t *testing.T) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, d := range []string{"fixtures", "ci"} {
		if err := os.Symlink(filepath.Join(root, d), filepath.Join(dir, d)); err != nil {
			t.Fatal(err)
		}
	}
	denial := "User: arn:aws:sts::111122223333:assumed-role/order-role/order-processor is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:111122223333:table/Orders because no identity-based policy allows the dynamodb:Query action"
	if err := os.WriteFile(filepath.Join(dir, "ticket.txt"), []byte(denial), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
}

// TestREADMEExamples: every lambda-doctor command of the README's shell
// blocks parses as printed (its flags exist, their values are accepted,
// the files it names are read); the ones that need no AWS account (a
// bundled snapshot, the simulate fixtures) run, with the exit code the
// README gives them.
func TestREADMEExamples(t *testing.T) {
	lines, _ := readmeBlocks(t, "sh", "")
	inRepo(t)
	n, offlineRuns, first := 0, 0, false
	for _, l := range lines {
		cmd := commandLine(l)
		if cmd == "" || synopsis(cmd) {
			continue
		}
		n++
		args, _ := exampleArgs(cmd)
		if code, ran, errOut := parseOnly(args, "AccessDenied"); code != 0 || !ran {
			t.Errorf("README: %s\nexit %d (ran: %v): %s", cmd, code, ran, errOut)
		}
		offline := strings.Contains(cmd, "--snapshot fixtures/") || (args[0] == "simulate" && strings.Contains(cmd, " fixtures/"))
		if !offline {
			continue
		}
		offlineRuns++
		var out, errb bytes.Buffer
		code := run(context.Background(), append([]string{"lambda-doctor"}, args...), strings.NewReader(""), &out, &errb)
		want := 0
		if strings.Contains(cmd, "apigw-wrong-source-arn") {
			first = true
			want = 1 // "It exits 1 and prints the closed door ... and a verified aws lambda add-permission fix"
			if !strings.Contains(out.String(), "aws lambda add-permission") || !strings.Contains(out.String(), "verified by simulation") {
				t.Errorf("README's first command does not print the verified add-permission fix:\n%s", out.String())
			}
		}
		if code != want {
			t.Errorf("README: %s\nexit %d, want %d: %s", cmd, code, want, errb.String())
		}
	}
	if n < 15 || offlineRuns < 3 || !first {
		t.Errorf("%d README commands found, %d run offline, the first one among them: %v", n, offlineRuns, first)
	}
}

// TestREADMECIRecipe runs the lambda-doctor commands of the README's
// GitHub Actions job, as printed, against fixtures/ci/account.json (for
// the live account the job reads) with the README's spec,
// ci/lambda-spec.yaml: the check passes, the SARIF log says the run
// succeeded with no result, the JUnit report has test cases and no failure;
// and the same with --all, as the README says to do for a whole account.
func TestREADMECIRecipe(t *testing.T) {
	lines, headings := readmeBlocks(t, "yaml")
	inRepo(t)
	var cmds []string
	for i, l := range lines {
		if strings.Contains(headings[i], "In GitHub Actions") {
			if cmd := commandLine(l); cmd != "" {
				cmds = append(cmds, cmd)
			}
		}
	}
	if len(cmds) != 3 {
		t.Fatalf("the job runs %d lambda-doctor commands, want 3: %q", len(cmds), cmds)
	}
	for _, scope := range []string{"--function order-processor", "--all"} {
		for _, cmd := range cmds {
			cmd = strings.Replace(cmd, "--function order-processor", scope, 1)
			args, _ := exampleArgs(cmd)
			args = append(args, "--snapshot", filepath.Join("fixtures", "ci", "account.json"))
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"lambda-doctor"}, args...), strings.NewReader(""), &out, &errb)
			if code != 0 || errb.Len() > 0 {
				t.Errorf("%s: exit %d, stderr %s\n%s", cmd, code, errb.String(), out.String())
				continue
			}
			switch {
			case strings.Contains(cmd, "sarif"):
				var log struct {
					Runs []struct {
						Invocations []struct {
							ExecutionSuccessful bool `json:"executionSuccessful"`
						} `json:"invocations"`
						Results []any `json:"results"`
					} `json:"runs"`
				}
				if err := json.Unmarshal(out.Bytes(), &log); err != nil || !log.Runs[0].Invocations[0].ExecutionSuccessful || len(log.Runs[0].Results) != 0 {
					t.Errorf("%s: %v\n%s", cmd, err, out.String())
				}
			case strings.Contains(cmd, "junit"):
				var r struct {
					Tests    int `xml:"tests,attr"`
					Failures int `xml:"failures,attr"`
					Errors   int `xml:"errors,attr"`
				}
				if err := xml.Unmarshal(out.Bytes(), &r); err != nil || r.Tests == 0 || r.Failures+r.Errors != 0 {
					t.Errorf("%s: %v %+v\n%s", cmd, err, r, out.String())
				}
			default:
				if !strings.HasPrefix(out.String(), "✓ 2 functions checked") || strings.Count(out.String(), "\n") != 1 {
					t.Errorf("%s: %s", cmd, out.String())
				}
			}
		}
	}
}
