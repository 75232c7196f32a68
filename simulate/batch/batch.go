// Package batch runs simulation cases in bulk: it streams a JSON Lines file of
// cases (docs/simulate-cases.md), decides them on parallel workers and writes
// one result line per case, in input order.
//
// Memory stays bounded whatever the size of the input: lines are read into a
// fixed number of reused chunk buffers, a line longer than Options.MaxLine is
// an error on that line (the run goes on), and a worker keeps only a bounded
// cache of policies it has seen more than once.
package batch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"unsafe"

	"github.com/lambda-doctor/lambda-doctor/internal/limits"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// DefaultMaxLine is the longest case line accepted by default (newline
// excluded): far above a case holding every policy AWS lets one request
// meet (the largest policy documents, KMS key policies, are 32 KB).
const DefaultMaxLine = 1 << 20

// chunkSize is the size of a read buffer; a chunk holds whole lines only.
// Tests make it small to cross many chunk borders.
var chunkSize = 256 << 10

// Options tune a run.
type Options struct {
	// Name is the file name that errors and messages give ("-" for stdin).
	Name string
	// Workers is the number of goroutines deciding cases; 0 means GOMAXPROCS.
	Workers int
	// Trace evaluates each case with the full per-statement trace and writes
	// its explanation to the messages stream.
	Trace bool
	// MaxLine is the longest line accepted in bytes, its final newline
	// excluded; 0 means DefaultMaxLine. A longer line gets an error result
	// and is skipped.
	MaxLine int
	// MaxLineFlag names the flag that raises MaxLine, for the error message.
	MaxLineFlag string
}

// Summary counts what a run saw.
type Summary struct {
	Cases      int // non-blank lines, each with one result line
	Errors     int // lines that could not be evaluated
	Mismatches int // cases whose decision differs from their expect
	Ambiguous  int // results flagged ambiguous
	// Unchecked counts the lines of Errors that carry an expect (or are
	// no case at all, or too long to read): an expectation not checked.
	Unchecked int
}

func (s *Summary) add(o *Summary) {
	s.Cases += o.Cases
	s.Errors += o.Errors
	s.Mismatches += o.Mismatches
	s.Unchecked += o.Unchecked
	s.Ambiguous += o.Ambiguous
}

// chunk is a run of whole lines handed to one worker, with its results.
type chunk struct {
	seq     int
	first   int    // line number of the first line
	data    []byte // whole lines (the last may lack its newline at the end of input)
	tooLong bool   // data is empty: line first was longer than the limit
	out     []byte // result lines
	msgs    []byte // messages for the messages stream
	sum     Summary
}

// Run reads cases from r and writes one result line per non-blank line to
// out, in input order. Messages (cases that did not get their expected
// decision, traces) go to msgs, in the same order. The error is about r or
// out themselves; a case that cannot be evaluated only gets an error line.
func Run(r io.Reader, out, msgs io.Writer, opt Options) (Summary, error) {
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.MaxLine <= 0 {
		opt.MaxLine = DefaultMaxLine
	}
	// In flight at most: one chunk being read, two per worker, and the ones
	// the writer holds until their turn comes.
	nchunks := 2*opt.Workers + 2
	free := make(chan *chunk, nchunks)
	for i := 0; i < nchunks; i++ {
		free <- &chunk{}
	}
	jobs := make(chan *chunk, nchunks)
	done := make(chan *chunk, nchunks)
	readErr := make(chan error, 1)
	go func() {
		defer close(jobs)
		readErr <- split(r, free, jobs, opt.MaxLine)
	}()
	var workersDone = make(chan struct{})
	for i := 0; i < opt.Workers; i++ {
		go func() {
			w := newWorker(&opt)
			for c := range jobs {
				w.run(c)
				done <- c
			}
			workersDone <- struct{}{}
		}()
	}
	go func() {
		for i := 0; i < opt.Workers; i++ {
			<-workersDone
		}
		close(done)
	}()

	// Write in sequence order; pending holds chunks that finished early.
	var sum Summary
	var werr error
	pending := make(map[int]*chunk, nchunks)
	next := 0
	for c := range done {
		pending[c.seq] = c
		for {
			c, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			sum.add(&c.sum)
			if werr == nil && len(c.out) > 0 {
				_, werr = out.Write(c.out)
			}
			if werr == nil && len(c.msgs) > 0 && msgs != nil {
				_, werr = msgs.Write(c.msgs)
			}
			c.reset()
			free <- c
		}
	}
	if err := <-readErr; err != nil {
		var nt *limits.NotTextError
		if errors.As(err, &nt) {
			nt.What = opt.Name
			return sum, err
		}
		return sum, fmt.Errorf("read %s: %w", opt.Name, err)
	}
	return sum, werr
}

// reset empties a chunk for reuse; a buffer grown for a long line is dropped
// so that memory goes back to its usual size.
func (c *chunk) reset() {
	if cap(c.data) > 2*chunkSize {
		c.data = nil
	}
	if cap(c.out) > 4*chunkSize {
		c.out = nil
	}
	if cap(c.msgs) > 4*chunkSize {
		c.msgs = nil
	}
	*c = chunk{data: c.data[:0], out: c.out[:0], msgs: c.msgs[:0]}
}

// split reads r into chunks of whole lines. A line longer than maxLine is
// skipped and becomes a chunk of its own marked tooLong. A NUL byte, which
// no JSON text holds, ends the read with a *limits.NotTextError: binary data
// (/dev/zero, /dev/urandom) is refused at once instead of being read as
// endless bad lines.
func split(r io.Reader, free <-chan *chunk, jobs chan<- *chunk, maxLine int) error {
	seq, line := 0, 1
	var offset int64 // bytes read before this read
	send := func(c *chunk) {
		c.seq, c.first = seq, line
		seq++
		line += bytes.Count(c.data, []byte{'\n'})
		jobs <- c
	}
	sendTooLong := func() {
		long := <-free
		long.tooLong = true
		send(long)
	}
	c := <-free
	buf := c.data[:0]
	if cap(buf) < chunkSize {
		buf = make([]byte, 0, chunkSize)
	}
	nl := -1          // index in buf of its last newline
	skipping := false // inside a line longer than maxLine
	// handOver sends the whole lines of buf; the partial last line moves to
	// the next chunk's buffer.
	handOver := func() {
		end := nl + 1
		c.data = buf[:end]
		next := <-free
		nbuf := next.data[:0]
		if rest := len(buf) - end; cap(nbuf) < chunkSize || cap(nbuf) < 2*rest {
			nbuf = make([]byte, 0, max(chunkSize, 2*rest))
		}
		nbuf = append(nbuf, buf[end:]...)
		send(c)
		c, buf, nl = next, nbuf, -1
	}
	for {
		if len(buf) == cap(buf) {
			switch {
			case nl >= 0:
				handOver()
			case len(buf) > maxLine:
				// No newline in more than maxLine bytes: skip the line.
				skipping = true
				buf = buf[:0]
			default:
				grown := make([]byte, len(buf), min(2*cap(buf), maxLine+1))
				copy(grown, buf)
				buf = grown
			}
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		start := len(buf)
		buf = buf[:start+n]
		if i := bytes.IndexByte(buf[start:], 0); i >= 0 {
			return &limits.NotTextError{What: "the input", Offset: offset + int64(i)}
		}
		offset += int64(n)
		if skipping {
			if i := bytes.IndexByte(buf[start:], '\n'); i < 0 {
				buf = buf[:0]
			} else {
				// The long line ends here: report it in order, then go on
				// with what follows it.
				sendTooLong()
				line++
				skipping = false
				buf = buf[:copy(buf, buf[start+i+1:])]
				nl = bytes.LastIndexByte(buf, '\n')
			}
		} else if i := bytes.LastIndexByte(buf[start:], '\n'); i >= 0 {
			nl = start + i
		}
		if nl >= 0 && len(buf) >= chunkSize/2 {
			handOver()
		}
		if err != nil {
			if skipping {
				sendTooLong()
				buf = buf[:0]
			}
			if len(buf) > 0 {
				c.data = buf
				send(c)
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// worker decides the cases of chunks; each has its own parser and cache.
type worker struct {
	opt    *Options
	parser *simulate.CaseParser
}

func newWorker(opt *Options) *worker {
	return &worker{opt: opt, parser: simulate.NewCaseParser(opt.Name)}
}

func (w *worker) run(c *chunk) {
	if c.tooLong {
		w.tooLong(c, c.first)
		return
	}
	// The lines are read in place: nothing parsed from them outlives this
	// call but what the parser copies into its cache.
	data := unsafe.String(unsafe.SliceData(c.data), len(c.data))
	lineNo := c.first
	for len(data) > 0 {
		end := len(data)
		if i := strings.IndexByte(data, '\n'); i >= 0 {
			end = i + 1
		}
		line := data[:end]
		data = data[end:]
		if len(strings.TrimSuffix(line, "\n")) > w.opt.MaxLine {
			w.tooLong(c, lineNo)
		} else {
			w.one(c, lineNo, line)
		}
		lineNo++
	}
}

// tooLong writes the error result of a line longer than the limit.
func (w *worker) tooLong(c *chunk, lineNo int) {
	c.sum.Cases++
	c.sum.Errors++
	c.sum.Unchecked++
	err := &simulate.CaseError{File: w.opt.Name, Line: lineNo,
		Err: &limits.TooLargeError{What: "the line", Limit: int64(w.opt.MaxLine), Flag: w.opt.MaxLineFlag}}
	c.out = append(simulate.AppendError(c.out, nil, err), '\n')
}

func (w *worker) one(c *chunk, lineNo int, line string) {
	cs, err := w.parser.Parse(lineNo, line)
	if cs == nil && err == nil {
		return // blank line
	}
	c.sum.Cases++
	if err != nil {
		c.sum.Errors++
		var ce *simulate.CaseError
		if !errors.As(err, &ce) {
			ce = &simulate.CaseError{File: w.opt.Name, Line: lineNo, Err: err, Unchecked: true}
		}
		if ce.Unchecked {
			c.sum.Unchecked++
		}
		c.out = append(simulate.AppendError(c.out, ce.ID, ce), '\n')
		return
	}
	decide := simulate.Decide
	if w.opt.Trace {
		decide = simulate.Evaluate
	}
	res, err := decide(&cs.Input)
	if err != nil {
		c.sum.Errors++
		if cs.Expect != "" {
			c.sum.Unchecked++
		}
		c.out = append(simulate.AppendError(c.out, cs.ID, &simulate.CaseError{File: w.opt.Name, Line: lineNo, ID: cs.ID, Err: err}), '\n')
		return
	}
	c.out = append(simulate.AppendResult(c.out, cs.ID, res), '\n')
	if len(res.Ambiguous) > 0 {
		c.sum.Ambiguous++
	}
	if w.opt.Trace {
		c.msgs = fmt.Appendf(c.msgs, "case %s (line %d):\n%s\n", cs.ID, lineNo, res.Explain())
	}
	if cs.Expect != "" && cs.Expect != res.Decision {
		c.sum.Mismatches++
		c.msgs = append(c.msgs, "case "...)
		c.msgs = append(c.msgs, unquote(cs.ID)...)
		c.msgs = append(c.msgs, " (line "...)
		c.msgs = strconv.AppendInt(c.msgs, int64(lineNo), 10)
		c.msgs = fmt.Appendf(c.msgs, "): got %s, want %s\n", res.Decision, cs.Expect)
	}
}

// unquote is a JSON string id without its quotes (other ids as written).
func unquote(id []byte) []byte {
	if len(id) >= 2 && id[0] == '"' && id[len(id)-1] == '"' {
		return id[1 : len(id)-1]
	}
	return id
}
