package simulate

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
)

// TestKnownDifferences checks every case line of testdata/known-differences.md
// (where the peer evaluator is wrong and an AWS page says what is right, or
// where no AWS page decides): we must decide each as its expect says, and flag
// it ambiguous exactly when its "ambiguous" field says so.
func TestKnownDifferences(t *testing.T) {
	f, err := os.Open("testdata/known-differences.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, `{"id"`) {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		t.Fatal("no case lines found")
	}
	ambiguous := map[string]*bool{}
	for _, l := range lines {
		var c struct {
			ID        string
			Ambiguous *bool
		}
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatal(err)
		}
		ambiguous[c.ID] = c.Ambiguous
	}
	cr := NewCaseReader("known-differences.md", strings.NewReader(strings.Join(lines, "\n")))
	n := 0
	for {
		c, err := cr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		t.Run(strings.Trim(string(c.ID), `"`), func(t *testing.T) {
			if c.Expect == "" {
				t.Fatal("case has no expect")
			}
			r, err := Evaluate(&c.Input)
			if err != nil {
				t.Fatal(err)
			}
			if r.Decision != c.Expect {
				t.Errorf("got %s, want %s\n%s", r.Decision, c.Expect, r.Explain())
			}
			if want := ambiguous[strings.Trim(string(c.ID), `"`)]; want != nil && *want != (len(r.Ambiguous) > 0) {
				t.Errorf("ambiguous: got %v, want %v\n%s", r.Ambiguous, *want, r.Explain())
			}
		})
	}
	if n != len(lines) {
		t.Errorf("read %d cases of %d lines", n, len(lines))
	}
}
