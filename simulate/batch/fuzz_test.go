package batch

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/limits"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// model is what Run must write for input, line by line, with no chunks,
// workers or caches: the reference the fuzzer compares Run with.
func model(input string, maxLine int) (string, int) {
	var out []byte
	n := 0
	lines := strings.SplitAfter(input, "\n")
	for i, line := range lines {
		cp := simulate.NewCaseParser("in") // no cache carried over
		switch {
		case len(strings.TrimSuffix(line, "\n")) > maxLine:
			out = simulate.AppendError(out, nil, &simulate.CaseError{File: "in", Line: i + 1,
				Err: errors.New("the line is larger than the limit")})
		default:
			c, err := cp.Parse(i+1, line)
			if c == nil && err == nil {
				continue
			}
			var ce *simulate.CaseError
			if errors.As(err, &ce) {
				out = simulate.AppendError(out, ce.ID, ce)
			} else if r, err := simulate.Decide(&c.Input); err != nil {
				out = simulate.AppendError(out, c.ID, &simulate.CaseError{File: "in", Line: i + 1, ID: c.ID, Err: err})
			} else {
				out = simulate.AppendResult(out, c.ID, r)
			}
		}
		out = append(out, '\n')
		n++
	}
	return string(out), n
}

// sizedReader returns the input in reads of the given sizes, in turn.
type sizedReader struct {
	s     string
	sizes []byte
	i     int
}

func (r *sizedReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	n := len(p)
	if len(r.sizes) > 0 {
		n = min(n, int(r.sizes[r.i%len(r.sizes)])+1)
		r.i++
	}
	n = copy(p, r.s[:min(n, len(r.s))])
	r.s = r.s[n:]
	return n, nil
}

// FuzzRun: whatever the input, the line limit and the sizes of the reads,
// Run writes what deciding the lines one by one writes (error lines for
// lines over the limit compared by their line number only), and every line
// it writes is JSON.
func FuzzRun(f *testing.F) {
	f.Add(caseLine(1)+"\n"+caseLine(2)+"\n", 4096, []byte{3, 200})
	f.Add("\n\r\n"+caseLine(3)+"\r\n"+`{"id":"x"}`+"\n"+caseLine(4), 64, []byte{0})
	f.Add(caseLine(5)+"\n"+strings.Repeat("a", 300)+"\n"+caseLine(6)+"\n"+caseLine(5), 250, []byte{17, 1, 255})
	f.Add("{\"id\":\"\xff\"}\n{\"id\":\"\\ud800\"}\n", 1<<20, []byte(nil))
	f.Fuzz(func(t *testing.T, input string, maxLine int, sizes []byte) {
		if maxLine < 1 || maxLine > 1<<20 || len(input) > 1<<20 {
			return
		}
		// Small read buffers: many chunk borders, grown buffers, skipped lines.
		defer func(n int) { chunkSize = n }(chunkSize)
		chunkSize = 16
		if len(sizes) > 0 {
			chunkSize += int(sizes[0])
		}
		var out bytes.Buffer
		sum, err := Run(&sizedReader{s: input, sizes: sizes}, &out, io.Discard, Options{Name: "in", MaxLine: maxLine, Workers: 3})
		if i := strings.IndexByte(input, 0); i >= 0 {
			// No JSON text holds a NUL byte: the read ends there.
			var nt *limits.NotTextError
			if !errors.As(err, &nt) || nt.Offset != int64(i) {
				t.Fatalf("input with a NUL byte at %d: got %v, want a NotTextError at that offset", i, err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		want, n := model(input, maxLine)
		if sum.Cases != n {
			t.Fatalf("got %d cases, want %d", sum.Cases, n)
		}
		got := strings.Split(out.String(), "\n")
		exp := strings.Split(want, "\n")
		if len(got) != len(exp) {
			t.Fatalf("got %d lines, want %d", len(got), len(exp))
		}
		for i := range got {
			if got[i] == exp[i] {
				continue
			}
			// A line over the limit: the messages differ in wording only.
			if strings.Contains(got[i], "the line is larger than the limit") && strings.HasPrefix(exp[i], `{"id":null,"error":"in:`) &&
				strings.SplitN(got[i], ":", 4)[2] == strings.SplitN(exp[i], ":", 4)[2] {
				continue
			}
			t.Fatalf("line %d:\ngot  %.300s\nwant %.300s", i+1, got[i], exp[i])
		}
		for i, l := range got[:len(got)-1] {
			if !json.Valid([]byte(l)) {
				t.Fatalf("line %d is not JSON: %.300s", i+1, l)
			}
		}
	})
}
