// Package iostreams owns lambda-doctor's standard streams and what is known
// about them: whether each is a terminal, whether colour is wanted
// (NO_COLOR, CLICOLOR_FORCE), the one colour palette every text renderer
// uses, and the one progress reporter, which draws on stderr only when it
// is a terminal. Commands get an IOStreams; tests get one on buffers from
// Test.
package iostreams

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/lambda-doctor/lambda-doctor/internal/textwrap"
)

// IOStreams are a command's standard streams.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	outTTY, errTTY bool
	width          int
	errWidth       int
	getenv         func(string) string
}

// System is the process's streams, with terminal detection and the width
// of stdout (textwrap.TerminalWidth: COLUMNS, the terminal's, else 80).
func System(in io.Reader, out, errOut io.Writer) *IOStreams {
	f, _ := out.(*os.File)
	s := &IOStreams{In: in, Out: out, ErrOut: errOut, outTTY: isTerminal(out), errTTY: isTerminal(errOut),
		width: textwrap.TerminalWidth(f), getenv: os.Getenv}
	if s.errTTY {
		ef, _ := errOut.(*os.File)
		s.errWidth = textwrap.TerminalWidth(ef)
	}
	return s
}

// Test is streams on buffers (stdin, stdout, stderr), none a terminal,
// 80 columns wide.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, width: textwrap.DefaultWidth, getenv: os.Getenv}, in, out, errOut
}

// SetTTY says, for tests, whether stdout and stderr are terminals.
func (s *IOStreams) SetTTY(out, errOut bool) { s.outTTY, s.errTTY = out, errOut }

// SetWidth sets, for tests, the width of stdout in columns.
func (s *IOStreams) SetWidth(columns int) { s.width = columns }

// Width is the number of columns text output for people is wrapped to:
// the terminal's when stdout is one, COLUMNS when set, else 80. Machine
// formats are never wrapped.
func (s *IOStreams) Width() int {
	if s.width <= 0 {
		return textwrap.DefaultWidth
	}
	return s.width
}

// SetErrWidth sets, for tests, the width of stderr in columns.
func (s *IOStreams) SetErrWidth(columns int) { s.errWidth = columns }

// ErrWidth is the number of columns messages on stderr (errors, hints,
// notes) are wrapped to: the terminal's (or COLUMNS) when stderr is a
// terminal, else 0: messages in a log or a pipe stay one line each, for
// grep.
func (s *IOStreams) ErrWidth() int { return s.errWidth }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

// ColorEnabled reports whether text output may use ANSI colour: on a
// terminal, never with NO_COLOR set (https://no-color.org), always with
// CLICOLOR_FORCE set (to anything but 0). Machine formats never colour.
func (s *IOStreams) ColorEnabled() bool {
	getenv := s.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("NO_COLOR") != "" {
		return false
	}
	if v := getenv("CLICOLOR_FORCE"); v != "" && v != "0" {
		return true
	}
	return s.outTTY
}

// Palette is the palette for stdout: colours when ColorEnabled, else none.
func (s *IOStreams) Palette() Palette { return NewPalette(s.ColorEnabled()) }

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Palette is the one set of ANSI colours of lambda-doctor's text output.
// The zero Palette colours nothing.
type Palette struct {
	Red, Green, Yellow, Bold, Dim, Reset string
}

// NewPalette is the ANSI palette when on, else the zero Palette.
func NewPalette(on bool) Palette {
	if !on {
		return Palette{}
	}
	return Palette{Red: "\x1b[31m", Green: "\x1b[32m", Yellow: "\x1b[33m", Bold: "\x1b[1m", Dim: "\x1b[2m", Reset: "\x1b[0m"}
}

// Paint wraps s in colour code (one of the palette's fields); nothing when
// the palette is off.
func (p Palette) Paint(code, s string) string {
	if code == "" || p.Reset == "" {
		return s
	}
	return code + s + p.Reset
}

// Progress draws "checking  1234/5000 [=====>    ]  25%" on stderr. It is
// nil, and its methods do nothing, when stderr is not a terminal or there is
// one item or none.
type Progress struct {
	mu    sync.Mutex
	w     io.Writer
	what  string
	total int
	last  time.Time
	drawn bool
}

// Progress starts a progress reporter for total items of what ("checking").
func (s *IOStreams) Progress(what string, total int) *Progress {
	if !s.errTTY || total < 2 {
		return nil
	}
	return &Progress{w: s.ErrOut, what: what, total: total}
}

// Update draws done of total, at most every 100 ms and at the end. Safe
// for concurrent use.
func (p *Progress) Update(done, _ int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if done < p.total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	fill := width * done / p.total
	bar := strings.Repeat("=", fill)
	if fill < width {
		bar += ">" + strings.Repeat(" ", width-fill-1)
	}
	fmt.Fprintf(p.w, "\r%s %*d/%d [%s] %3d%%", p.what, len(fmt.Sprint(p.total)), done, p.total, bar, 100*done/p.total)
	p.drawn = true
}

// Done clears the bar.
func (p *Progress) Done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
