package batch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/lambda-doctor/lambda-doctor/internal/limits"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// caseLine is a small case whose decision depends on i: every third one asks
// for an action its policy does not grant. Policies repeat (i%7) so that the
// parsers' caches are used across chunks.
func caseLine(i int) string {
	action := "s3:GetObject"
	if i%3 == 0 {
		action = "s3:PutObject"
	}
	return fmt.Sprintf(`{"id":"c%d","identity_policies":[{"Version":"2012-10-17","Statement":{"Sid":"S%d","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b%d/*"}}],"request":{"principal":"arn:aws:iam::111122223333:user/u","action":"%s","resource":"arn:aws:s3:::b%d/k"}}`,
		i, i%7, i%7, action, i%7)
}

// want is the result lines of input, decided one at a time, in order.
func want(t *testing.T, input string) string {
	t.Helper()
	var out []byte
	cp := simulate.NewCaseParser("in")
	for i, line := range strings.SplitAfter(input, "\n") {
		c, err := cp.Parse(i+1, line)
		switch {
		case c == nil && err == nil:
			continue
		case err != nil:
			var ce *simulate.CaseError
			if !errors.As(err, &ce) {
				t.Fatal(err)
			}
			out = simulate.AppendError(out, ce.ID, ce)
		default:
			r, err := simulate.Decide(&c.Input)
			if err != nil {
				t.Fatal(err)
			}
			out = simulate.AppendResult(out, c.ID, r)
		}
		out = append(out, '\n')
	}
	return string(out)
}

func run(t *testing.T, r io.Reader, opt Options) (out, msgs string, sum Summary) {
	t.Helper()
	if opt.Name == "" {
		opt.Name = "in"
	}
	var o, m bytes.Buffer
	sum, err := Run(r, &o, &m, opt)
	if err != nil {
		t.Fatal(err)
	}
	return o.String(), m.String(), sum
}

// Many chunks, several workers, reads of every size: the results are those
// of deciding the cases one by one, in input order.
func TestRunOrderAndChunks(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 6000; i++ { // about 1.7 MB: several chunks
		b.WriteString(caseLine(i))
		b.WriteByte('\n')
	}
	input := b.String()
	expected := want(t, input)
	for _, tt := range []struct {
		name    string
		r       func() io.Reader
		workers int
	}{
		{"whole", func() io.Reader { return strings.NewReader(input) }, 4},
		{"one worker", func() io.Reader { return strings.NewReader(input) }, 1},
		{"half reads", func() io.Reader { return iotest.HalfReader(strings.NewReader(input)) }, 3},
		{"tiny reads", func() io.Reader { return iotest.OneByteReader(strings.NewReader(input[:200000])) }, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			exp := expected
			if tt.name == "tiny reads" {
				exp = want(t, input[:200000])
			}
			got, _, sum := run(t, tt.r(), Options{Workers: tt.workers})
			if got != exp {
				t.Fatalf("output differs from one-by-one decisions (got %d bytes, want %d)", len(got), len(exp))
			}
			if n := strings.Count(exp, "\n"); sum.Cases != n {
				t.Errorf("got %d cases, want %d", sum.Cases, n)
			}
		})
	}
}

// A line longer than the limit is an error result on that line, naming the
// limit and the flag; the lines around it are decided as usual, wherever the
// long line falls in the reads.
func TestRunLongLine(t *testing.T) {
	const max = 4096
	long := `{"id":"long","pad":"` + strings.Repeat("x", 3*max) + `"}`
	for _, tt := range []struct {
		name  string
		input string
		lines []string // substrings of the result lines, in order
	}{
		{"middle", caseLine(1) + "\n" + long + "\n" + caseLine(2) + "\n",
			[]string{`"id":"c1"`, `{"id":null,"error":"in:2: the line is larger than the limit of 4 KiB; raise it with --max-case-size"}`, `"id":"c2"`}},
		{"first", long + "\n" + caseLine(2) + "\n", []string{`"in:1: the line is larger`, `"id":"c2"`}},
		{"last, no newline", caseLine(1) + "\n" + long, []string{`"id":"c1"`, `"in:2: the line is larger`}},
		{"two in a row", long + "\n" + long + "\n\n" + caseLine(4), []string{`"in:1: the line`, `"in:2: the line`, `"id":"c4"`}},
		{"just under the limit", `{"id":"fits","x":"` + strings.Repeat("y", max-30) + `"}` + "\n" + caseLine(5) + "\n",
			[]string{`{"id":"fits","error":"in:1: request: missing"}`, `"id":"c5"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tt.input), iotest.HalfReader(strings.NewReader(tt.input)), iotest.OneByteReader(strings.NewReader(tt.input))} {
				out, _, sum := run(t, r, Options{MaxLine: max, MaxLineFlag: "--max-case-size", Workers: 2})
				got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
				if len(got) != len(tt.lines) {
					t.Fatalf("got %d lines, want %d:\n%s", len(got), len(tt.lines), out)
				}
				for i, w := range tt.lines {
					if !strings.Contains(got[i], w) {
						t.Errorf("line %d: got %s, want it to contain %s", i+1, got[i], w)
					}
				}
				if sum.Cases != len(tt.lines) {
					t.Errorf("got %d cases, want %d", sum.Cases, len(tt.lines))
				}
			}
		})
	}
}

// Blank lines, CRLF endings and a last line without newline; line numbers
// in errors count every line.
func TestRunLineForms(t *testing.T) {
	input := "\r\n" + caseLine(1) + "\r\n\n   \nnot json\r\n" + caseLine(2)
	out, _, sum := run(t, strings.NewReader(input), Options{})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `"id":"c1"`) || !strings.Contains(lines[1], `"error":"in:5: invalid case`) || !strings.Contains(lines[2], `"id":"c2"`) {
		t.Fatalf("got\n%s", out)
	}
	if sum.Cases != 3 || sum.Errors != 1 {
		t.Errorf("got %+v", sum)
	}
}

// A line whose expectation cannot be checked is counted Unchecked: a case
// with an expect that cannot be evaluated (at parsing or deciding), an
// invalid expect, a line that is no JSON object; a case without expect
// that cannot be evaluated is an error only.
func TestRunUnchecked(t *testing.T) {
	req := `"request":{"principal":"arn:aws:iam::111122223333:role/r","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}`
	bogus := `"identity_policies":[{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bogus":{"a":"b"}}}}]`
	tests := []struct {
		name      string
		line      string
		unchecked int
	}{
		{"expect, policy does not parse", `{"id":"a",` + bogus + `,` + req + `,"expect":"allow"}`, 1},
		{"expect before the policy", `{"id":"a","expect":"implicit_deny",` + bogus + `,` + req + `}`, 1},
		{"invalid expect", `{"id":"a",` + req + `,"expect":"maybe"}`, 1},
		{"no request, with expect", `{"id":"a","expect":"allow"}`, 1},
		{"not JSON", `not json`, 1},
		{"not an object", `["a"]`, 1},
		{"no expect, policy does not parse", `{"id":"a",` + bogus + `,` + req + `}`, 0},
		{"no id, no expect", `{` + req + `}`, 0},
		{"expect that holds", `{"id":"a",` + req + `,"expect":"implicit_deny"}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// After a case with an expect, so that nothing is carried over.
			input := `{"id":"before",` + req + `,"expect":"implicit_deny"}` + "\n" + tt.line + "\n"
			out, _, sum := run(t, strings.NewReader(input), Options{})
			if sum.Unchecked != tt.unchecked || sum.Mismatches != 0 {
				t.Errorf("got %+v, want Unchecked %d\n%s", sum, tt.unchecked, out)
			}
		})
	}
}

// Expectations that fail are counted and reported in order on the messages
// stream; with Trace every case's explanation precedes its own message.
func TestRunMessages(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		line := caseLine(i)
		line = line[:len(line)-1] + `,"expect":"allow"}`
		b.WriteString(line + "\n")
	}
	_, msgs, sum := run(t, strings.NewReader(b.String()), Options{Workers: 3})
	if sum.Mismatches != 1000 {
		t.Fatalf("got %d mismatches, want 1000", sum.Mismatches)
	}
	lines := strings.Split(strings.TrimSuffix(msgs, "\n"), "\n")
	for k, l := range lines {
		if w := fmt.Sprintf("case c%d (line %d): got implicit_deny, want allow", 3*k, 3*k+1); l != w {
			t.Fatalf("message %d: got %q, want %q", k, l, w)
		}
	}
	_, msgs, _ = run(t, strings.NewReader(caseLine(0)+"\n"+caseLine(1)+"\n"), Options{Trace: true})
	i0, i1 := strings.Index(msgs, `case "c0" (line 1):`), strings.Index(msgs, `case "c1" (line 2):`)
	if i0 < 0 || i1 < i0 || !strings.Contains(msgs, "statements:\n  [no ] identity identity[0] statement S0") {
		t.Errorf("trace messages:\n%s", msgs)
	}
}

// A read error ends the run with the error; what was read before is decided.
func TestRunReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(caseLine(1)+"\n"+caseLine(2)+"\n"), iotest.ErrReader(boom))
	var out bytes.Buffer
	_, err := Run(r, &out, io.Discard, Options{Name: "f.jsonl"})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "read f.jsonl") {
		t.Errorf("got %v", err)
	}
	if strings.Count(out.String(), "\n") != 2 {
		t.Errorf("got output %q", out.String())
	}
}

// A write error ends the run.
func TestRunWriteError(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 5000; i++ {
		b.WriteString(caseLine(i) + "\n")
	}
	_, err := Run(strings.NewReader(b.String()), errWriter{}, io.Discard, Options{})
	if err == nil || !strings.Contains(err.Error(), "pipe closed") {
		t.Errorf("got %v", err)
	}
}

type errWriter struct{}

func (errWriter) Write([]byte) (int, error) { return 0, errors.New("pipe closed") }

// Lines longer than a read buffer: one within the limit is read whole (the
// buffer grows), one beyond it is skipped without being held in memory.
func TestRunLinesLongerThanABuffer(t *testing.T) {
	pad := func(n int) string { return `{"id":"big","request":{},"pad":"` + strings.Repeat("p", n) + `"}` }
	fits, over := pad(3*chunkSize), pad(9*chunkSize)
	input := caseLine(1) + "\n" + fits + "\n" + over + "\n" + caseLine(2) + "\n" + over
	for _, r := range []io.Reader{strings.NewReader(input), iotest.HalfReader(strings.NewReader(input))} {
		out, _, sum := run(t, r, Options{MaxLine: 4 * chunkSize, MaxLineFlag: "--max-case-size"})
		got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		wantLines := []string{`"id":"c1"`, `{"id":"big","error":"in:2: request.principal: empty"}`,
			`{"id":null,"error":"in:3: the line is larger than the limit of 1 MiB; raise it with --max-case-size"}`, `"id":"c2"`,
			`"in:5: the line is larger`}
		if len(got) != len(wantLines) {
			t.Fatalf("got %d lines, want %d:\n%.2000s", len(got), len(wantLines), out)
		}
		for i, w := range wantLines {
			if !strings.Contains(got[i], w) {
				t.Errorf("line %d: got %.300s, want it to contain %s", i+1, got[i], w)
			}
		}
		if sum.Cases != 5 || sum.Errors != 3 {
			t.Errorf("got %+v", sum)
		}
	}
}

// Binary data (/dev/zero, /dev/urandom) is refused at its first NUL byte:
// an endless stream ends the run instead of turning into endless bad lines.
func TestRunBinary(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    io.Reader
		at   int64
	}{
		{"zeros", endless{}, 0},
		{"text then zeros", io.MultiReader(strings.NewReader(caseLine(1)+"\n"+"garbage"), endless{}), int64(len(caseLine(1)) + 1 + len("garbage"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(tc.r, io.Discard, io.Discard, Options{Name: "cases.jsonl"})
			var nt *limits.NotTextError
			if !errors.As(err, &nt) || nt.Offset != tc.at || !strings.Contains(err.Error(), "cases.jsonl is not text") {
				t.Fatalf("got %v, want a NotTextError naming cases.jsonl at byte %d", err, tc.at)
			}
		})
	}
}

// endless reads NUL bytes forever, as /dev/zero does.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
