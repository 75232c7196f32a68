package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/iostreams"
	"github.com/lambda-doctor/lambda-doctor/internal/textwrap"
	"github.com/lambda-doctor/lambda-doctor/internal/tmuxtest"
)

// buildBinary builds lambda-doctor for the tests that run it in a
// terminal.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "lambda-doctor")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// bashArgv is the arguments bash reads in cmd (one command, no operators).
func bashArgv(t *testing.T, cmd string) []string {
	t.Helper()
	out, err := exec.Command("bash", "-c", "set -- "+cmd+"\nprintf '%s\\0' \"$@\"").Output()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, cmd)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

// screenCommands are the aws commands on a screen: from a line that starts
// with "aws " to the first line that does not end in a continuation.
func screenCommands(lines []string) []string {
	var out []string
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, "aws ") {
			continue
		}
		cmd := lines[i]
		for strings.HasSuffix(lines[i], " \\") && i+1 < len(lines) {
			i++
			cmd += "\n" + lines[i]
		}
		out = append(out, strings.TrimSpace(cmd))
	}
	return out
}

// jsonCommands are the commands a JSON report holds: every fixes[].command
// and the command at the end of an advice ("...: aws ...").
func jsonCommands(t *testing.T, out string) []string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("JSON output: %v", err)
	}
	var cmds []string
	var walk func(any, string)
	walk = func(x any, key string) {
		switch x := x.(type) {
		case map[string]any:
			for k, e := range x {
				walk(e, k)
			}
		case []any:
			for _, e := range x {
				walk(e, key)
			}
		case string:
			switch {
			case key == "command" && strings.HasPrefix(x, "aws "):
				cmds = append(cmds, x)
			case key == "advice" && strings.Contains(x, ": aws "):
				_, c, _ := strings.Cut(x, ": aws ")
				cmds = append(cmds, "aws "+c)
			}
		}
	}
	walk(v, "")
	return cmds
}

// unwrappable are the lines wider than width that hold no word wider
// than width: lines that could have been wrapped.
func unwrappable(lines []string, width int) []string {
	var out []string
	for _, l := range lines {
		if textwrap.Columns(l) > width && !slices.ContainsFunc(strings.Fields(l), func(w string) bool { return textwrap.Columns(w) > width }) {
			out = append(out, l)
		}
	}
	return out
}

// prose are the lines of a text output but the policy documents it shows
// for another account's owner ("they must grant:" and the indented JSON
// under it): JSON is shown as written, a string value never cut.
func prose(text string) []string {
	var out []string
	doc := ""
	for _, l := range strings.Split(text, "\n") {
		indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
		switch {
		case doc != "" && len(indent) > len(doc):
			continue
		case strings.HasSuffix(l, "they must grant:"):
			doc = indent
		default:
			doc = ""
		}
		out = append(out, l)
	}
	return out
}

// TestOutputFitsTheTerminal runs diagnose and check in real terminals of
// 80 and 60 columns: no line is wider than the pane unless it is one word
// that cannot be cut (an ARN, a policy document), and every fix command
// copied off the screen, \ continuations and all, runs in bash with the
// arguments of the one-line command of the JSON output.
func TestOutputFitsTheTerminal(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	bin := buildBinary(t)
	fixtures := filepath.Join("..", "..", "fixtures")
	runs := []struct {
		name string
		args []string
	}{
		{"diagnose apigw-wrong-source-arn", []string{"diagnose", "--snapshot", filepath.Join(fixtures, "apigw-wrong-source-arn", "snapshot.json"),
			"--function", "order-processor", "--symptom", "invoke-denied", "--caller", "apigateway.amazonaws.com",
			"--source-arn", "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders"}},
		{"diagnose logs-custom-group", []string{"diagnose", "--snapshot", filepath.Join(fixtures, "logs-custom-group", "snapshot.json"),
			"--function", "payments-ledger", "--symptom", "no-logs"}},
		{"diagnose sns-auto-missing-permission", []string{"diagnose", "--snapshot", filepath.Join(fixtures, "sns-auto-missing-permission", "snapshot.json"),
			"--function", "order-notifier"}},
		{"diagnose healthy-auto", []string{"diagnose", "--snapshot", filepath.Join(fixtures, "healthy-auto", "snapshot.json"),
			"--function", "thumbnail-maker"}},
		{"check --all", []string{"check", "--all", "--snapshot", filepath.Join(fixtures, "check", "account.json"),
			"--spec", filepath.Join(fixtures, "check", "spec-fail.yaml")}},
	}
	for _, width := range []int{80, 60} {
		for _, r := range runs {
			t.Run(fmt.Sprintf("%d columns/%s", width, r.name), func(t *testing.T) {
				s := tmuxtest.Run(t, tmuxtest.Options{Width: width, Height: 50, Env: []string{"COLUMNS="}}, append([]string{bin}, r.args...)...)
				if s.ExitCode > 1 {
					t.Fatalf("exit %d:\n%s", s.ExitCode, s)
				}
				// Only a word wider than the terminal itself (an ARN, a policy
				// document, a link) may pass the edge: nothing could make it fit.
				for _, l := range unwrappable(prose(strings.Join(s.Lines, "\n")), width) {
					t.Errorf("a line wider than the %d-column terminal that could have been wrapped: %q", width, l)
				}
				out, err := exec.Command(bin, append(r.args, "--output", "json")...).Output()
				if err != nil && len(out) == 0 {
					t.Fatalf("--output json: %v", err)
				}
				want := map[string]bool{}
				for _, c := range jsonCommands(t, string(out)) {
					if !strings.Contains(c, "&&") {
						want[strings.Join(bashArgv(t, c), "\x00")] = true
					}
				}
				onScreen := screenCommands(s.Lines)
				if len(onScreen) == 0 && s.ExitCode != 0 {
					t.Fatalf("no command on the screen:\n%s", s)
				}
				wrapped := 0
				for _, c := range onScreen {
					if strings.Contains(c, "&&") {
						continue
					}
					if strings.Contains(c, "\\\n") {
						wrapped++
					}
					if !want[strings.Join(bashArgv(t, c), "\x00")] {
						t.Errorf("the command on the screen reads otherwise than any of the JSON output:\n%s", c)
					}
				}
				if wrapped == 0 && len(onScreen) > 0 {
					t.Errorf("no command was wrapped at %d columns:\n%s", width, s)
				}
			})
		}
	}
}

// TestMessagesFitTheTerminal: errors, hints and notes on stderr fit the
// terminal as the text output does (issue: they were written one line
// each, however wide), in a real terminal of 60 columns, and stay one
// line each when stderr is not a terminal, for grep in a CI log.
func TestMessagesFitTheTerminal(t *testing.T) {
	bin := buildBinary(t)
	fixtures := filepath.Join("..", "..", "fixtures")
	runs := []struct {
		name string
		args []string
		want string // a message that is wrapped at 60 columns
	}{
		{"function not found", []string{"diagnose", "--snapshot", filepath.Join(fixtures, "healthy-auto", "snapshot.json"), "--function", "nope"},
			"check the function's name"},
		{"incomplete check", []string{"check", "--all", "--fail-on", "none", "--snapshot", filepath.Join(fixtures, "check", "account.json")},
			"incomplete check"},
		{"unknown flag", []string{"diagnose", "--functon", "x"}, "unknown flag"},
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			const width = 60
			s := tmuxtest.Run(t, tmuxtest.Options{Width: width, Height: 200, Env: []string{"COLUMNS="}}, append([]string{bin}, r.args...)...)
			if !strings.Contains(s.String(), r.want) {
				t.Fatalf("no %q on the screen:\n%s", r.want, s)
			}
			for _, l := range unwrappable(prose(strings.Join(s.Lines, "\n")), width) {
				t.Errorf("a line wider than the %d-column terminal that could have been wrapped: %q", width, l)
			}
		})
		t.Run(r.name+"/not a terminal", func(t *testing.T) {
			ios, _, _, errb := iostreams.Test()
			runStreams(context.Background(), ios, append([]string{"lambda-doctor"}, r.args...))
			for _, l := range strings.Split(errb.String(), "\n") {
				if strings.HasPrefix(l, " ") {
					t.Errorf("a message in a log was wrapped: %q\n%s", l, errb.String())
				}
			}
		})
	}
}
