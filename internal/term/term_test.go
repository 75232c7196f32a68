package term

import "testing"

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
