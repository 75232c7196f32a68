package term

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, clean, line string }{
		{"order-processor", "order-processor", "order-processor"},
		{"title\x1b]0;pwned\x07", `title\x1b]0;pwned\x07`, `title\x1b]0;pwned\x07`},
		{"\x1b[2J", `\x1b[2J`, `\x1b[2J`},
		{"a\nb\tc", "a\nb\tc", `a\x0ab\x09c`},
		{"cr\rover", `cr\x0dover`, `cr\x0dover`},
		{"c1\u009b31m", `c1\u009b31m`, `c1\u009b31m`},
		{"bidi\u202eevil", `bidi\u202eevil`, `bidi\u202eevil`},
		{"bad\xffutf8", `bad\xffutf8`, `bad\xffutf8`},
		{"ünïcödé ✓", "ünïcödé ✓", "ünïcödé ✓"},
		{"del\x7f", `del\x7f`, `del\x7f`},
	} {
		if got := Clean(c.in); got != c.clean {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.clean)
		}
		if got := Line(c.in); got != c.line {
			t.Errorf("Line(%q) = %q, want %q", c.in, got, c.line)
		}
		if got, want := Unsafe(c.in), c.line != c.in; got != want {
			t.Errorf("Unsafe(%q) = %v, want %v", c.in, got, want)
		}
	}
}

func TestCleanDoesNotAllocateForSafeText(t *testing.T) {
	s := "arn:aws:lambda:us-east-1:111122223333:function:order-processor"
	if n := testing.AllocsPerRun(100, func() { _ = Clean(s) }); n != 0 {
		t.Errorf("Clean allocated %v times for safe text", n)
	}
}

func FuzzClean(f *testing.F) {
	f.Add("\x1b]0;t\x07\xff\u202e")
	f.Fuzz(func(t *testing.T, s string) {
		if Unsafe(Line(s)) {
			t.Fatalf("Line(%q) = %q is still unsafe", s, Line(s))
		}
		if c := Clean(s); firstUnsafe(c, true) >= 0 {
			t.Fatalf("Clean(%q) = %q is still unsafe", s, c)
		}
	})
}

type inner struct {
	Name  string
	Lines string `term:"lines"`
	List  []string
	Any   map[string]any
	hide  string
}

type outer struct {
	Title string
	In    inner
	Ptr   *inner
	Many  []inner
	Named Kind
	Nil   *inner
}

type Kind string

// Copy cleans every string of a nested value, on one line unless the field
// is tagged lines, and leaves the original alone.
func TestCopy(t *testing.T) {
	const esc = "\x1b]0;t\x07"
	mk := func() *outer {
		in := inner{Name: "n" + esc, Lines: "a\nb" + esc, List: []string{"\u009b2J", "ok"},
			Any: map[string]any{"k\u202e": []string{"v\x1b"}, "s": "x\ny"}, hide: "h\x1b"}
		in2 := in
		return &outer{Title: "t\x1b[2J", In: in, Ptr: &in2, Many: []inner{in}, Named: Kind("k\x07")}
	}
	orig := mk()
	c := Copy(orig)
	if c == orig || c.Ptr == orig.Ptr {
		t.Fatal("Copy did not copy")
	}
	if orig.Title != "t\x1b[2J" || orig.Ptr.Name != "n"+esc {
		t.Fatal("Copy changed its argument")
	}
	for got, want := range map[string]string{
		c.Title: `t\x1b[2J`, c.In.Name: `n\x1b]0;t\x07`, c.In.Lines: "a\nb" + `\x1b]0;t\x07`, c.In.List[0]: `\u009b2J`,
		c.Ptr.Name: `n\x1b]0;t\x07`, c.Many[0].Lines: "a\nb" + `\x1b]0;t\x07`, string(c.Named): `k\x07`,
		c.In.Any[`k\u202e`].([]string)[0]: `v\x1b`, c.In.Any["s"].(string): `x\x0ay`, c.In.hide: "h\x1b",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
	if c.Nil != nil {
		t.Error("a nil pointer was filled")
	}
}

// JSON escapes what encoding/json leaves raw, and the result decodes to the
// same value.
func TestJSON(t *testing.T) {
	in := map[string]string{"a": "esc\x1b c1\u009b bidi\u202e del\x7f ok ✓", "b\u2066": "x"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out := JSON(b)
	for _, c := range []string{"\x1b", "\u009b", "\u202e", "\u2066", "\x7f"} {
		if strings.Contains(string(out), c) {
			t.Errorf("%q still holds %q", out, c)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil || !reflect.DeepEqual(back, in) {
		t.Errorf("got %q (%v), want %q", back, err, in)
	}
	if got := string(JSON([]byte("[\"a\xffb\"]"))); got != `["a\ufffdb"]` {
		t.Errorf("a byte that is not UTF-8: got %q", got)
	}
	safe := []byte(`{"a":"✓ plain"}`)
	if got := JSON(safe); &got[0] != &safe[0] {
		t.Error("JSON copied text that needed nothing")
	}
}

func FuzzJSON(f *testing.F) {
	f.Add("\x1b\u009b\u202e\x7f\xff")
	f.Fuzz(func(t *testing.T, s string) {
		b, _ := json.Marshal(s)
		out := JSON(b)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("JSON(%q) = %q does not decode: %v", b, out, err)
		}
		var want string
		_ = json.Unmarshal(b, &want)
		if back != want {
			t.Fatalf("JSON(%q) decodes to %q, want %q", b, back, want)
		}
		if firstUnsafe(string(out), true) >= 0 {
			t.Fatalf("JSON(%q) = %q holds a raw control character", b, out)
		}
	})
}

// JSONWriter escapes what JSON escapes whatever the cuts between writes.
func TestJSONWriter(t *testing.T) {
	text, _ := json.Marshal("a\u009bb\u202ec✓d\x1be")
	want := string(JSON(text))
	for size := 1; size <= len(text); size++ {
		var b strings.Builder
		w := &JSONWriter{W: &b}
		for i := 0; i < len(text); i += size {
			if _, err := w.Write(text[i:min(i+size, len(text))]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("writes of %d bytes: got %q, want %q", size, b.String(), want)
		}
	}
}
