package textwrap

import (
	"bytes"
	"io"
	"strings"
)

// Writer wraps the lines written to it to width columns, for messages on
// a terminal (errors, hints, notes on stderr): each line is wrapped as
// Indent wraps it, its own leading blanks kept on the first line and two
// more on each line it continues on. A line is written once its newline
// arrives; Flush writes what is left. A width of 0 or less wraps nothing.
type Writer struct {
	w     io.Writer
	width int
	buf   []byte
}

// NewWriter returns a Writer that wraps to width columns and writes to w.
func NewWriter(w io.Writer, width int) *Writer { return &Writer{w: w, width: width} }

// Write wraps and writes the whole lines of p and holds the rest. It
// reports len(p) written unless w fails.
func (w *Writer) Write(p []byte) (int, error) {
	if w.width <= 0 {
		return w.w.Write(p)
	}
	w.buf = append(w.buf, p...)
	i := bytes.LastIndexByte(w.buf, '\n')
	if i < 0 {
		return len(p), nil
	}
	lines := string(w.buf[:i])
	w.buf = append(w.buf[:0], w.buf[i+1:]...)
	var b strings.Builder
	for _, l := range strings.Split(lines, "\n") {
		b.WriteString(w.wrap(l))
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush wraps and writes a last line that has no newline.
func (w *Writer) Flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	l := string(w.buf)
	w.buf = w.buf[:0]
	_, err := io.WriteString(w.w, w.wrap(l))
	return err
}

func (w *Writer) wrap(line string) string {
	if Columns(line) <= w.width {
		return line
	}
	lead := line[:len(line)-len(strings.TrimLeft(line, " "))]
	return Indent(line[len(lead):], w.width, lead, lead+"  ")
}
