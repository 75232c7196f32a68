package tmuxtest

import (
	"slices"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	long := strings.Repeat("x", 50)
	s := Run(t, Options{Width: 40, Height: 5, Env: []string{"GREETING=it's me"}},
		"sh", "-c", `printf '%s\n' "$GREETING" "$1"; i=0; while [ $i -lt 10 ]; do echo row$i; i=$((i+1)); done; exit 3`, "sh", long)
	if s.ExitCode != 3 {
		t.Errorf("exit code %d, want 3", s.ExitCode)
	}
	wantLines := []string{"it's me", long, "row0", "row1", "row2", "row3", "row4", "row5", "row6", "row7", "row8", "row9"}
	if !slices.Equal(s.Lines, wantLines) {
		t.Errorf("lines (history included):\n got %q\nwant %q", s.Lines, wantLines)
	}
	// The 50-column line took two rows of the 40-column pane.
	wantRows := append([]string{"it's me", long[:40], long[40:]}, wantLines[2:]...)
	if !slices.Equal(s.Rows, wantRows) {
		t.Errorf("rows:\n got %q\nwant %q", s.Rows, wantRows)
	}
	if o := s.Overflows(40); !slices.Equal(o, []string{long}) {
		t.Errorf("overflows %q, want the long line", o)
	}
}

func TestSession(t *testing.T) {
	s := Start(t, Options{Width: 60, Height: 10, Env: []string{"PS1=$ "}}, "sh")
	s.Wait(func(sc Screen) bool { return slices.Contains(sc.Lines, "$") }) // the prompt
	s.Send("echo hel", "lo; echo $((6*7))", "Enter")
	sc := s.Wait(func(sc Screen) bool { return slices.Contains(sc.Lines, "42") })
	if !slices.Contains(sc.Lines, "$ echo hello; echo $((6*7))") || !slices.Contains(sc.Lines, "hello") {
		t.Errorf("screen:\n%s\nwant hello and 42", sc)
	}
}
