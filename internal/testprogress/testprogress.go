// Package testprogress follows the event stream of `go test -json` and
// tells a person what is going on: which packages are being tested and for
// how long, each package's result as it finishes, the output of every test
// that failed, and a summary with the slowest packages. On a terminal the
// packages still running are shown on one status line that is rewritten in
// place; elsewhere (CI logs, pipes) nothing is rewritten, and a line says
// what is still running once a minute.
//
// The summary ends with a line "tests: N passed, N failed, N skipped" that
// CI systems read as the test run's result.
package testprogress

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Event is one line of `go test -json` (cmd/test2json).
type Event struct {
	Time        time.Time
	Action      string
	Package     string
	Test        string
	Elapsed     float64
	Output      string
	FailedBuild string
	ImportPath  string // build-output and build-fail events (Go 1.24+)
}

type pkgState struct {
	name     string
	started  time.Time
	done     bool
	result   string // pass, fail, skip
	elapsed  time.Duration
	passed   int
	failed   int
	skipped  int
	output   map[string][]string // test name ("" for the package) → output lines
	failures []string            // failed tests, in order
	noTests  bool
}

// Reporter turns events into progress lines. It is not safe for use by
// several goroutines at once.
type Reporter struct {
	out       io.Writer
	tty       bool
	total     int // packages expected, 0 when unknown
	now       func() time.Time
	start     time.Time
	pkgs      map[string]*pkgState
	order     []string
	builds    map[string][]string // import path → build output
	status    bool                // a status line is on the screen
	lastBeat  time.Time
	Heartbeat time.Duration // how often a non-terminal is told what runs; default 1 minute
	// Module, when set, is left out of the package names shown
	// (internal/textwrap for github.com/lambda-doctor/lambda-doctor/internal/textwrap).
	Module string
}

// New returns a reporter writing to out; tty says whether out is a
// terminal; total, when known, is the number of packages to be tested.
func New(out io.Writer, tty bool, total int, now func() time.Time) *Reporter {
	if now == nil {
		now = time.Now
	}
	t := now()
	return &Reporter{out: out, tty: tty, total: total, now: now, start: t, lastBeat: t,
		pkgs: map[string]*pkgState{}, builds: map[string][]string{}, Heartbeat: time.Minute}
}

// Line takes one line of the stream: an event, or anything else the go
// command printed, which is passed on as it is.
func (r *Reporter) Line(line string) {
	var e Event
	if !strings.HasPrefix(line, "{") || json.Unmarshal([]byte(line), &e) != nil || e.Action == "" {
		r.print(line)
		return
	}
	r.Event(e)
}

func (r *Reporter) pkg(name string) *pkgState {
	p, ok := r.pkgs[name]
	if !ok {
		short := name
		if r.Module != "" {
			if short = strings.TrimPrefix(name, r.Module+"/"); name == r.Module {
				short = "."
			}
		}
		p = &pkgState{name: short, started: r.now(), output: map[string][]string{}}
		r.pkgs[name] = p
		r.order = append(r.order, name)
	}
	return p
}

// Event takes one event.
func (r *Reporter) Event(e Event) {
	switch e.Action {
	case "build-output":
		r.builds[e.ImportPath] = append(r.builds[e.ImportPath], strings.TrimRight(e.Output, "\n"))
		return
	case "build-fail":
		return // reported with the package's fail event
	}
	if e.Package == "" {
		return
	}
	p := r.pkg(e.Package)
	switch e.Action {
	case "start":
		p.started = r.now()
	case "output":
		out := strings.TrimRight(e.Output, "\n")
		if e.Test == "" && strings.Contains(out, "[no test files]") {
			p.noTests = true
		}
		p.output[e.Test] = append(p.output[e.Test], out)
	case "pass", "fail", "skip":
		if e.Test != "" {
			switch e.Action {
			case "pass":
				p.passed++
				delete(p.output, e.Test)
			case "fail":
				p.failed++
				p.failures = append(p.failures, e.Test)
			case "skip":
				p.skipped++
				delete(p.output, e.Test)
			}
			return
		}
		p.done, p.result = true, e.Action
		p.elapsed = time.Duration(e.Elapsed * float64(time.Second))
		if e.Action == "fail" && e.FailedBuild != "" {
			p.output[""] = append(p.output[""], r.builds[e.FailedBuild]...)
		}
		r.finished(p)
	}
}

// finished reports a package that is done.
func (r *Reporter) finished(p *pkgState) {
	switch {
	case p.result == "skip" || p.noTests:
		if !r.tty {
			r.print(fmt.Sprintf("?    %s  [no test files]", p.name))
		}
		return
	case p.result == "pass":
		r.print(fmt.Sprintf("ok   %s  %s  (%s)", p.name, round(p.elapsed), tests(p)))
		return
	}
	lines := []string{fmt.Sprintf("FAIL %s  %s  (%s)", p.name, round(p.elapsed), tests(p))}
	for _, t := range p.failures {
		for _, l := range p.output[t] {
			lines = append(lines, "    "+l)
		}
	}
	if p.failed == 0 {
		// No test failed: the package did (a build failure, a timeout, a
		// panic outside a test); its own output says why.
		for _, l := range p.output[""] {
			lines = append(lines, "    "+l)
		}
	}
	r.print(lines...)
}

func tests(p *pkgState) string {
	s := fmt.Sprintf("%d passed", p.passed)
	if p.failed > 0 {
		s += fmt.Sprintf(", %d failed", p.failed)
	}
	if p.skipped > 0 {
		s += fmt.Sprintf(", %d skipped", p.skipped)
	}
	return s
}

// print writes lines, above the status line on a terminal.
func (r *Reporter) print(lines ...string) {
	if r.tty && r.status {
		io.WriteString(r.out, "\r\x1b[K")
		r.status = false
	}
	for _, l := range lines {
		io.WriteString(r.out, l+"\n")
	}
	if r.tty {
		r.drawStatus()
	}
}

// running returns the packages being tested, longest running first.
func (r *Reporter) running() []*pkgState {
	var out []*pkgState
	for _, n := range r.order {
		if p := r.pkgs[n]; !p.done {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b *pkgState) int { return a.started.Compare(b.started) })
	return out
}

func (r *Reporter) doneCount() int {
	n := 0
	for _, p := range r.pkgs {
		if p.done {
			n++
		}
	}
	return n
}

// Tick updates the status line on a terminal, and on anything else says
// what is still running when Heartbeat has passed since it last did.
func (r *Reporter) Tick() {
	if r.tty {
		r.drawStatus()
		return
	}
	now := r.now()
	if now.Sub(r.lastBeat) < r.Heartbeat {
		return
	}
	r.lastBeat = now
	if run := r.running(); len(run) > 0 {
		r.print(fmt.Sprintf("... %s: %s, running %s", round(now.Sub(r.start)), r.counts(), r.list(run, now, 0)))
	}
}

func (r *Reporter) counts() string {
	if r.total > 0 {
		return fmt.Sprintf("%d of %d packages done", r.doneCount(), r.total)
	}
	if n := r.doneCount(); n != 1 {
		return fmt.Sprintf("%d packages done", n)
	}
	return "1 package done"
}

// list names the running packages with their time, within width columns
// when width > 0.
func (r *Reporter) list(run []*pkgState, now time.Time, width int) string {
	var parts []string
	for _, p := range run {
		parts = append(parts, fmt.Sprintf("%s %s", p.name, round(now.Sub(p.started))))
	}
	s := strings.Join(parts, ", ")
	if width > 0 && len(s) > width {
		s = s[:max(0, width-3)] + "..."
	}
	return s
}

func (r *Reporter) drawStatus() {
	now := r.now()
	run := r.running()
	if len(run) == 0 {
		if r.status {
			io.WriteString(r.out, "\r\x1b[K")
			r.status = false
		}
		return
	}
	head := fmt.Sprintf("%s  %s, testing ", round(now.Sub(r.start)), r.counts())
	line := head + r.list(run, now, max(10, 78-len(head)))
	io.WriteString(r.out, "\r\x1b[K"+line)
	r.status = true
}

// Finish writes the summary and reports whether every package passed.
// Packages that started but never finished (the go command was stopped)
// count as failed.
func (r *Reporter) Finish() bool {
	if r.tty && r.status {
		io.WriteString(r.out, "\r\x1b[K")
		r.status = false
	}
	now := r.now()
	var passed, failed, noTests, tPass, tFail, tSkip int
	var failedPkgs, unfinished []string
	var timed []*pkgState
	for _, n := range r.order {
		p := r.pkgs[n]
		tPass, tFail, tSkip = tPass+p.passed, tFail+p.failed, tSkip+p.skipped
		switch {
		case !p.done:
			unfinished = append(unfinished, p.name)
		case p.result == "fail":
			failed++
			failedPkgs = append(failedPkgs, p.name)
		case p.result == "skip" || p.noTests:
			noTests++
		default:
			passed++
			timed = append(timed, p)
		}
	}
	w := func(format string, a ...any) { fmt.Fprintf(r.out, format+"\n", a...) }
	w("")
	w("packages: %d passed, %d failed, %d without tests, in %s", passed, failed, noTests, round(now.Sub(r.start)))
	slices.Sort(failedPkgs)
	slices.Sort(unfinished)
	if len(failedPkgs) > 0 {
		w("failed: %s", strings.Join(failedPkgs, " "))
	}
	if len(unfinished) > 0 {
		w("did not finish: %s", strings.Join(unfinished, " "))
	}
	slices.SortStableFunc(timed, func(a, b *pkgState) int { return cmp.Compare(b.elapsed, a.elapsed) })
	if len(timed) > 0 {
		var parts []string
		for _, p := range timed[:min(3, len(timed))] {
			parts = append(parts, fmt.Sprintf("%s %s", p.name, round(p.elapsed)))
		}
		w("slowest: %s", strings.Join(parts, ", "))
	}
	w("tests: %d passed, %d failed, %d skipped", tPass, tFail, tSkip)
	return failed == 0 && len(unfinished) == 0
}

// round shows a duration to a tenth of a second below a minute, to the
// second above.
func round(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}
