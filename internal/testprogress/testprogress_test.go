package testprogress

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The stream these tests read is a real one: `go test -json` run on a
// small module with a passing, a failing, a skipping, a panicking and a
// broken package, and one without tests.
var sampleFiles = map[string]string{
	"go.mod":       "module example.com/m\n\ngo 1.24\n",
	"pass/pass.go": "package pass\n",
	"pass/pass_test.go": `package pass

import "testing"

func TestOne(t *testing.T) {}
func TestTable(t *testing.T) {
	for _, n := range []string{"a", "b"} {
		t.Run(n, func(t *testing.T) {})
	}
}
`,
	"fail/fail_test.go": `package fail

import "testing"

func TestGood(t *testing.T) {}
func TestBad(t *testing.T) { t.Log("looking"); t.Errorf("boom: got 1, want 2") }
func TestLater(t *testing.T) { t.Skip("not today") }
`,
	"panics/panics_test.go": `package panics

import "testing"

func TestPanic(t *testing.T) { var m map[string]int; m["x"] = 1 }
`,
	"broken/broken_test.go": `package broken

import "testing"

func TestX(t *testing.T) { undefinedThing() }
`,
	"notests/notests.go": "package notests\n",
}

var (
	sampleOnce   sync.Once
	sampleStream []byte
	sampleErr    error
)

// sample returns the go test -json stream of the sample module.
func sample(t *testing.T) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("runs go test on a sample module; skipped with -short")
	}
	sampleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "testprogress")
		if err != nil {
			sampleErr = err
			return
		}
		defer os.RemoveAll(dir)
		for name, body := range sampleFiles {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				sampleErr = err
				return
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				sampleErr = err
				return
			}
		}
		cmd := exec.Command("go", "test", "-json", "-count=1", "./...")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GOPROXY=off")
		sampleStream, _ = cmd.Output() // exits 1: some packages fail
		if len(sampleStream) == 0 {
			sampleErr = err
		}
	})
	if sampleErr != nil || len(sampleStream) == 0 {
		t.Fatalf("go test -json on the sample: %v", sampleErr)
	}
	return sampleStream
}

// clock is a fake time that moves only when the test moves it.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func feed(r *Reporter, stream []byte) {
	sc := bufio.NewScanner(bytes.NewReader(stream))
	for sc.Scan() {
		r.Line(sc.Text())
	}
}

func TestReporterPlain(t *testing.T) {
	stream := sample(t)
	var out bytes.Buffer
	c := &clock{t: time.Unix(0, 0)}
	r := New(&out, false, 0, c.now)
	r.Module = "example.com/m"
	feed(r, stream)
	ok := r.Finish()
	got := out.String()
	if ok {
		t.Error("Finish reported success for a run with failures")
	}
	for _, want := range []string{
		"ok   pass  ",
		"(4 passed)", // TestOne, TestTable and its two subtests
		"FAIL fail  ",
		"(1 passed, 1 failed, 1 skipped)",
		"    --- FAIL: TestBad",
		"boom: got 1, want 2",
		"FAIL panics  ",
		"assignment to entry in nil map",
		"FAIL broken  ",
		"undefined: undefinedThing",
		"?    notests  [no test files]",
		"\npackages: 1 passed, 3 failed, 1 without tests, in ",
		"\nfailed: broken fail panics\n",
		"\nslowest: pass ",
		"\ntests: 5 passed, 2 failed, 1 skipped\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.ContainsAny(got, "\r\x1b") {
		t.Errorf("plain output has control characters:\n%q", got)
	}
	if strings.Contains(got, "TestGood") || strings.Contains(got, "not today") {
		t.Errorf("output of tests that passed or skipped is shown:\n%s", got)
	}
	if !strings.HasSuffix(got, "tests: 5 passed, 2 failed, 1 skipped\n") {
		t.Errorf("the last line is not the tests line:\n%s", got)
	}
}

func TestReporterTerminal(t *testing.T) {
	stream := sample(t)
	var out bytes.Buffer
	c := &clock{t: time.Unix(0, 0)}
	r := New(&out, true, 6, c.now)
	sc := bufio.NewScanner(bytes.NewReader(stream))
	for sc.Scan() {
		r.Line(sc.Text())
		c.t = c.t.Add(100 * time.Millisecond)
		r.Tick()
	}
	r.Finish()
	got := out.String()
	status := regexp.MustCompile(`\r\x1b\[K\d+\.\ds  \d of 6 packages done, testing example\.com/m/\w+ \d+\.\ds`)
	// The output of a failed test comes whole under its FAIL line.
	if !regexp.MustCompile(`\r\x1b\[KFAIL example.com/m/fail .*\n    === RUN   TestBad\n.*looking\n.*boom: got 1, want 2\n    --- FAIL: TestBad`).MatchString(got) {
		t.Errorf("the failure is not printed in one block:\n%q", got)
	}
	if !status.MatchString(got) {
		t.Errorf("no status line naming a running package:\n%q", got)
	}
	// The status line is gone before the summary.
	if !strings.Contains(got, "\n\npackages: ") {
		t.Errorf("status line not cleared before the summary:\n%q", got)
	}
	for _, l := range strings.Split(got, "\n") {
		if i := strings.LastIndex(l, "\r\x1b[K"); i >= 0 {
			l = l[i+len("\r\x1b[K"):]
		}
		if len(l) > 80 {
			t.Errorf("line wider than 80 columns: %q", l)
		}
	}
	if strings.Contains(got, "[no test files]") {
		t.Error("a terminal is told about packages without tests")
	}
}

func TestHeartbeat(t *testing.T) {
	var out bytes.Buffer
	c := &clock{t: time.Unix(0, 0)}
	r := New(&out, false, 3, c.now)
	r.Line(`{"Action":"start","Package":"example.com/slow"}`)
	c.t = c.t.Add(59 * time.Second)
	r.Tick()
	if out.Len() != 0 {
		t.Fatalf("heartbeat too early: %q", out.String())
	}
	c.t = c.t.Add(time.Second)
	r.Tick()
	if want := "... 1m0s: 0 of 3 packages done, running example.com/slow 1m0s\n"; out.String() != want {
		t.Errorf("heartbeat %q, want %q", out.String(), want)
	}
	out.Reset()
	r.Line(`{"Action":"output","Package":"example.com/slow","Output":"=== RUN   TestX\n"}`)
	r.Line("go: downloading example.com/dep v1.0.0")
	if got := out.String(); got != "go: downloading example.com/dep v1.0.0\n" {
		t.Errorf("a line that is not an event is not passed on: %q", got)
	}
	out.Reset()
	if r.Finish() {
		t.Error("a package that did not finish counts as success")
	}
	if !strings.Contains(out.String(), "did not finish: example.com/slow") {
		t.Errorf("summary %q does not name the unfinished package", out.String())
	}
}

// TestCommand pipes the sample stream through the command, as scripts/test
// does: it exits 1 and ends with the tests line.
func TestCommand(t *testing.T) {
	stream := sample(t)
	cmd := exec.Command("go", "run", "./cmd/testprogress")
	cmd.Stdin = bytes.NewReader(stream)
	out, err := cmd.Output()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1\n%s", err, out)
	}
	if !strings.HasSuffix(string(out), "tests: 5 passed, 2 failed, 1 skipped\n") {
		t.Errorf("output:\n%s", out)
	}
}
