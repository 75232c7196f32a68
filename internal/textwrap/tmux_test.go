package textwrap_test

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/textwrap"
	"github.com/lambda-doctor/lambda-doctor/internal/tmuxtest"
)

// buildDemo builds testdata/demo, a program that wraps a diagnosis-like
// block at the width of its terminal.
func buildDemo(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a program; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "demo")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/demo").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestDemoInTmux runs the demo in real terminals: the width it detects is
// the pane's (or COLUMNS), no line is wider than the pane, and the fix
// command copied off the screen runs in bash with the arguments of the
// one-line command.
func TestDemoInTmux(t *testing.T) {
	bin := buildDemo(t)
	tests := []struct {
		name      string
		pane      int
		env       []string
		wantWidth int
	}{
		{"80 columns", 80, nil, 80},
		{"50 columns", 50, nil, 50},
		{"COLUMNS wins", 80, []string{"COLUMNS=60"}, 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tmuxtest.Run(t, tmuxtest.Options{Width: tt.pane, Height: 60, Env: tt.env}, bin)
			if s.ExitCode != 0 {
				t.Fatalf("exit code %d:\n%s", s.ExitCode, s)
			}
			if len(s.Lines) == 0 || s.Lines[0] != "width "+strconv.Itoa(tt.wantWidth) {
				t.Fatalf("first line %q, want width %d:\n%s", first(s.Lines), tt.wantWidth, s)
			}
			// Only a token wider than the line itself (an ARN, a JSON
			// document) may pass the edge, alone on its line.
			for _, l := range s.Overflows(tt.pane) {
				if len(strings.Fields(strings.TrimSuffix(l, " \\"))) > 1 {
					t.Errorf("line wider than the %d-column pane with several words: %q\n%s", tt.pane, l, s)
				}
			}
			for _, l := range s.Lines {
				if textwrap.Columns(l) > tt.wantWidth && len(strings.Fields(strings.TrimSuffix(l, " \\"))) > 1 {
					t.Errorf("line wider than %d with several words: %q", tt.wantWidth, l)
				}
			}
			sep := slices.Index(s.Lines, "---")
			if sep < 0 {
				t.Fatalf("no --- line:\n%s", s)
			}
			prose := strings.Join(s.Lines[1:sep], " ")
			if !strings.Contains(prose, ` "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders" `) {
				t.Errorf("the ARN is not whole in the prose:\n%s", s)
			}
			screenCmd := strings.Join(s.Lines[sep+1:], "\n")
			if !strings.Contains(screenCmd, " \\\n") {
				t.Errorf("the command was not wrapped:\n%s", screenCmd)
			}
			raw := tmuxtest.Run(t, tmuxtest.Options{Width: 500, Height: 60}, bin, "-raw")
			oneLine := raw.Lines[len(raw.Lines)-1]
			got, want := bashArgv(t, screenCmd), bashArgv(t, oneLine)
			if len(want) < 10 || !slices.Equal(got, want) {
				t.Errorf("the command on the screen runs with other arguments:\n%s\n got %q\nwant %q", screenCmd, got, want)
			}
		})
	}
}

// TestOverflowSeen: the harness sees a line too wide for the pane (the
// demo's -raw output), so TestDemoInTmux can fail.
func TestOverflowSeen(t *testing.T) {
	bin := buildDemo(t)
	s := tmuxtest.Run(t, tmuxtest.Options{Width: 80, Height: 60}, bin, "-raw")
	if o := s.Overflows(80); len(o) != 2 {
		t.Errorf("overflows %q, want the prose line and the command line", o)
	}
	if len(s.Rows) <= len(s.Lines) {
		t.Errorf("%d rows for %d lines: the terminal did not wrap", len(s.Rows), len(s.Lines))
	}
}

// bashArgv runs cmd in bash with aws standing for a function that prints
// its arguments.
func bashArgv(t *testing.T, cmd string) []string {
	t.Helper()
	script := "set -f\naws() { printf '%s\\0' aws \"$@\"; }\n" + cmd + "\n"
	out, err := exec.Command("bash", "-c", script).Output()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, script)
	}
	return strings.Split(string(out), "\x00")
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
