// Package tmuxtest runs a program in a real terminal for tests: a tmux pane
// of a chosen size, so a test sees the screen a person would, wrapped by
// the terminal where a line is too wide. Tests skip when tmux is missing
// (Debian's tmux package provides it), unless LAMBDA_DOCTOR_REQUIRE_TMUX is
// set, as CI can do to make sure the tests ran.
package tmuxtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lambda-doctor/lambda-doctor/internal/textwrap"
)

// Screen is what a program left in its pane when it exited.
type Screen struct {
	// Rows are the pane's rows as seen, history included: a line wider
	// than the pane takes two rows or more. Trailing blanks and empty
	// rows at the end are dropped.
	Rows []string
	// Lines are the program's lines, each as one string however many rows
	// it took (tmux joins the rows it wrapped).
	Lines []string
	// ExitCode is the program's exit status.
	ExitCode int
}

// Overflows returns the program's lines that the terminal had to wrap,
// because they were wider than the pane.
func (s Screen) Overflows(width int) []string {
	var out []string
	for _, l := range s.Lines {
		if textwrap.Columns(l) > width {
			out = append(out, l)
		}
	}
	return out
}

// String is the screen as seen, for failure messages.
func (s Screen) String() string { return strings.Join(s.Rows, "\n") }

// Options set up the pane.
type Options struct {
	Width, Height int           // default 80 × 24; rows that scroll off are kept
	Env           []string      // added to the program's environment (K=V)
	Dir           string        // working directory; default the test's
	Timeout       time.Duration // default 30 s
}

// Run runs argv in a new tmux server of its own (its socket in a temporary
// directory), in a pane of the given size, waits until the program exits,
// and returns the screen. The server is stopped when the test ends. The
// program's environment is the test's, with TERM set by tmux.
func Run(tb testing.TB, o Options, argv ...string) Screen {
	tb.Helper()
	s := start(tb, o, true, argv)
	var sc Screen
	s.waitTitle(func(title string) bool {
		st, ok := strings.CutPrefix(title, doneMarker)
		if ok {
			if _, err := fmt.Sscan(st, &sc.ExitCode); err != nil {
				tb.Fatalf("exit status %q: %v", st, err)
			}
		}
		return ok
	}, "exit")
	rows, lines := s.capture()
	sc.Rows, sc.Lines = rows, lines
	return sc
}

// A Session is a program running in a pane, for interactive tests: type
// keys with Send, read the screen with Screen or Wait.
type Session struct {
	tb      testing.TB
	ctl     func(args ...string) (string, error)
	timeout time.Duration
}

// Start runs argv in a pane as Run does, but returns at once: the program
// (a shell, say) keeps running until the test ends.
func Start(tb testing.TB, o Options, argv ...string) *Session {
	tb.Helper()
	return start(tb, o, false, argv)
}

// Send types keys into the pane, as tmux send-keys takes them: "Tab",
// "Enter", "C-c", or text. Text is sent literally.
func (s *Session) Send(keys ...string) {
	s.tb.Helper()
	for _, k := range keys {
		args := []string{"send-keys", "-t", "t"}
		switch k {
		case "Tab", "Enter", "Escape", "BSpace", "C-c", "C-u", "C-d", "Up", "Down", "Left", "Right":
			args = append(args, k)
		default:
			args = append(args, "-l", k)
		}
		if _, err := s.ctl(args...); err != nil {
			s.tb.Fatal(err)
		}
	}
}

// Screen returns the pane as it is now.
func (s *Session) Screen() Screen {
	s.tb.Helper()
	rows, lines := s.capture()
	return Screen{Rows: rows, Lines: lines, ExitCode: -1}
}

// Wait waits until ok accepts the screen and returns that screen; the test
// fails with the last screen seen when the session's timeout passes.
func (s *Session) Wait(ok func(Screen) bool) Screen {
	s.tb.Helper()
	deadline := time.Now().Add(s.timeout)
	for {
		sc := s.Screen()
		if ok(sc) {
			return sc
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("the screen did not get there in %v; it shows:\n%s", s.timeout, sc)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// doneMarker starts the pane title the wrapper sets when the program
// exits, followed by its exit status.
const doneMarker = "tmuxtest-done-"

func start(tb testing.TB, o Options, wrap bool, argv []string) *Session {
	tb.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("LAMBDA_DOCTOR_REQUIRE_TMUX") != "" {
			tb.Fatal("tmux is missing and LAMBDA_DOCTOR_REQUIRE_TMUX is set (apt-get install tmux)")
		}
		tb.Skip("tmux is missing (apt-get install tmux)")
	}
	if o.Width == 0 {
		o.Width = 80
	}
	if o.Height == 0 {
		o.Height = 24
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	dir := tb.TempDir()
	sock := filepath.Join(dir, "sock")
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g status off\nset -g history-limit 50000\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	env := append(os.Environ(), "TMUX=") // works from inside another tmux too
	ctl := func(args ...string) (string, error) {
		cmd := exec.Command(tmux, append([]string{"-S", sock, "-f", conf}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return string(out), fmt.Errorf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
	// The server runs in the foreground (-D) as this process's child, so it
	// is waited for at the end: a daemon would be left to init to reap.
	server := exec.Command(tmux, "-D", "-S", sock, "-f", conf)
	server.Env = env
	if err := server.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_, _ = ctl("kill-server")
		done := make(chan struct{})
		go func() { _ = server.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = server.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(o.Timeout)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			tb.Fatalf("tmux server did not start in %v", o.Timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}

	line := `exec env`
	for _, e := range o.Env {
		line += " " + shellQuote(e)
	}
	if wrap {
		// The program runs under sh, which then sets the pane's title to a
		// marker with the exit status: terminal output is handled in order,
		// so once the title shows, everything the program wrote is on the
		// screen. The shell then waits, so the pane stays to be read.
		line += ` sh -c '"$@"; s=$?; printf "\033]2;` + doneMarker + `%s\007" "$s"; exec sleep 100000' sh`
	}
	for _, a := range argv {
		line += " " + shellQuote(a)
	}
	args := []string{"new-session", "-d", "-s", "t", "-x", fmt.Sprint(o.Width), "-y", fmt.Sprint(o.Height)}
	if o.Dir != "" {
		args = append(args, "-c", o.Dir)
	}
	if _, err := ctl(append(args, line)...); err != nil {
		tb.Fatal(err)
	}
	return &Session{tb: tb, ctl: ctl, timeout: o.Timeout}
}

// waitTitle waits until ok accepts the pane's title.
func (s *Session) waitTitle(ok func(string) bool, what string) {
	s.tb.Helper()
	deadline := time.Now().Add(s.timeout)
	for {
		out, err := s.ctl("display-message", "-p", "-t", "t", "#{pane_title}")
		if err != nil {
			s.tb.Fatal(err)
		}
		if ok(strings.TrimSpace(out)) {
			return
		}
		if time.Now().After(deadline) {
			rows, _ := s.ctl("capture-pane", "-p", "-t", "t")
			s.tb.Fatalf("no %s after %v; screen:\n%s", what, s.timeout, rows)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// capture returns the pane's rows and its lines (rows the terminal wrapped,
// joined), history included.
func (s *Session) capture() (rows, lines []string) {
	s.tb.Helper()
	r, err := s.ctl("capture-pane", "-p", "-t", "t", "-S", "-", "-E", "-")
	if err != nil {
		s.tb.Fatal(err)
	}
	j, err := s.ctl("capture-pane", "-p", "-J", "-t", "t", "-S", "-", "-E", "-")
	if err != nil {
		s.tb.Fatal(err)
	}
	return trim(r), trim(j)
}

// trim splits captured text into rows without trailing blanks or empty
// rows at the end.
func trim(s string) []string {
	rows := strings.Split(s, "\n")
	for i, r := range rows {
		rows[i] = strings.TrimRight(r, " ")
	}
	for len(rows) > 0 && rows[len(rows)-1] == "" {
		rows = rows[:len(rows)-1]
	}
	return rows
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
