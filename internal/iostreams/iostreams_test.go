package iostreams

import (
	"strings"
	"testing"
)

func TestColorEnabled(t *testing.T) {
	for _, tc := range []struct {
		name           string
		tty            bool
		noColor, force string
		want           bool
	}{
		{"terminal", true, "", "", true},
		{"pipe", false, "", "", false},
		{"NO_COLOR on a terminal", true, "1", "", false},
		{"CLICOLOR_FORCE on a pipe", false, "", "1", true},
		{"CLICOLOR_FORCE=0", false, "", "0", false},
		{"NO_COLOR wins over CLICOLOR_FORCE", true, "1", "1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, _, _ := Test()
			s.SetTTY(tc.tty, false)
			s.getenv = func(k string) string {
				return map[string]string{"NO_COLOR": tc.noColor, "CLICOLOR_FORCE": tc.force}[k]
			}
			if got := s.ColorEnabled(); got != tc.want {
				t.Errorf("ColorEnabled: got %v, want %v", got, tc.want)
			}
			if got := s.Palette().Paint(s.Palette().Red, "x") != "x"; got != tc.want {
				t.Errorf("Palette paints: got %v, want %v", got, tc.want)
			}
		})
	}
}

// The progress reporter redraws one line and clears it at the end; it
// exists only when stderr is a terminal.
func TestProgress(t *testing.T) {
	s, _, _, errOut := Test()
	if p := s.Progress("checking", 4); p != nil {
		t.Fatal("a progress reporter on a pipe")
	}
	var nilP *Progress
	nilP.Update(1, 4) // does nothing
	nilP.Done()

	s.SetTTY(false, true)
	p := s.Progress("checking", 4)
	p.Update(1, 4)
	p.Update(2, 4) // within 100 ms of the last draw: skipped
	p.Update(4, 4) // the last one is always drawn
	p.Done()
	got := errOut.String()
	for _, want := range []string{"\rchecking 1/4 [=======>", " 25%", "\rchecking 4/4 [==============================] 100%", "\r\x1b[K"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "2/4") {
		t.Errorf("progress output %q redrew within 100 ms", got)
	}
	if s.Progress("checking", 1) != nil {
		t.Error("a progress reporter for one item")
	}
}

func TestWidth(t *testing.T) {
	s, _, _, _ := Test()
	if got := s.Width(); got != 80 {
		t.Errorf("Test(): width %d, want 80", got)
	}
	s.SetWidth(132)
	if got := s.Width(); got != 132 {
		t.Errorf("SetWidth(132): width %d, want 132", got)
	}
	// A buffer is not a terminal: COLUMNS when set, else 80.
	t.Setenv("COLUMNS", "")
	if got := System(nil, &strings.Builder{}, &strings.Builder{}).Width(); got != 80 {
		t.Errorf("System on a buffer: width %d, want 80", got)
	}
	t.Setenv("COLUMNS", "100")
	if got := System(nil, &strings.Builder{}, &strings.Builder{}).Width(); got != 100 {
		t.Errorf("System with COLUMNS=100: width %d, want 100", got)
	}
}
