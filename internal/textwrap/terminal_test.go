package textwrap

import (
	"os"
	"testing"
)

func TestWidth(t *testing.T) {
	tests := []struct {
		name    string
		columns string
		tty     int // 0: not a terminal
		want    int
	}{
		{"terminal", "", 132, 132},
		{"not a terminal", "", 0, DefaultWidth},
		{"COLUMNS wins over the terminal", "100", 132, 100},
		{"COLUMNS for a pipe", "60", 0, 60},
		{"COLUMNS with blanks", " 70 ", 0, 70},
		{"COLUMNS zero is ignored", "0", 132, 132},
		{"COLUMNS negative is ignored", "-5", 0, DefaultWidth},
		{"COLUMNS not a number is ignored", "wide", 90, 90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "COLUMNS" {
					return tt.columns
				}
				return ""
			}
			size := func() (int, bool) { return tt.tty, tt.tty > 0 }
			if got := width(getenv, size); got != tt.want {
				t.Errorf("width = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestTerminalWidthNotTerminal: a regular file and nil are not terminals.
// (The terminal case is TestDemoInTmux: a real pane of a known width.)
func TestTerminalWidthNotTerminal(t *testing.T) {
	t.Setenv("COLUMNS", "")
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, f := range []*os.File{f, nil} {
		if got := TerminalWidth(f); got != DefaultWidth {
			t.Errorf("TerminalWidth(%v) = %d, want %d", f, got, DefaultWidth)
		}
	}
}
