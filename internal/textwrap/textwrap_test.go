package textwrap

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestIndent(t *testing.T) {
	arn := "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders"
	tests := []struct {
		name        string
		s           string
		width       int
		first, rest string
		want        string
	}{
		{"fits", "a short line", 80, "", "", "a short line"},
		{"breaks at spaces", "one two three four", 9, "", "", "one two\nthree\nfour"},
		{"exact width", "abc def", 7, "", "", "abc def"},
		{"runs of blanks become one", "a  \t b   c", 80, "", "", "a b c"},
		{"long word alone on its line", "see " + arn + " now", 40, "", "", "see\n" + arn + "\nnow"},
		{"long word fits only without the indent", "see " + arn + " now", 75, "  note  ", "        ", "  note  see\n" + arn + "\n        now"},
		{"long word wider than the line keeps the indent", "see " + arn + " now", 60, "  note  ", "        ", "  note  see\n        " + arn + "\n        now"},
		{"long first word not preceded by an empty line", arn + " x", 20, "", "", arn + "\nx"},
		{"first word too wide for its label: the label alone", arn + " x", 73, "  request   ", "            ", "  request\n" + arn + "\n            x"},
		{"first word too wide for its label, fits after rest", "abcdefghij x", 16, "  request   ", "  ", "  request\n  abcdefghij x"},
		{"first word too wide for a blank indent: no indent", arn + " x", 73, "    ", "    ", arn + "\n    x"},
		{"first word wider than the line keeps its label", arn, 40, "  request   ", "            ", "  request   " + arn},
		{"indents", "implicit deny the resource policy has one statement", 30, "  decision  ", "            ",
			"  decision  implicit deny the\n            resource policy\n            has one statement"},
		{"hard line breaks kept, rest after them", "one\ntwo three", 80, "- ", "  ", "- one\n  two three"},
		{"empty lines have no trailing spaces", "a\n\nb", 80, "  ", "  ", "  a\n\n  b"},
		{"no width: no wrapping", "one two three", 0, "> ", "  ", "> one two three"},
		{"wide runes count two", "日本語 日本語", 8, "", "", "日本語\n日本語"},
		{"colour takes no room", "\x1b[31mred\x1b[0m word", 8, "", "", "\x1b[31mred\x1b[0m word"},
		{"empty", "", 80, "  ", "  ", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Indent(tt.s, tt.width, tt.first, tt.rest)
			if got != tt.want {
				t.Errorf("Indent(%q, %d):\n got %q\nwant %q", tt.s, tt.width, got, tt.want)
			}
		})
	}
}

func TestColumns(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"→ ✗ —", 5},
		{"日本", 4},
		{"e\u0301", 1}, // e and a combining acute accent
		{"\x1b[1;31mX\x1b[0m", 1},
		{"\x1b]0;title\x07ok", 2},
		{"\u200b", 0}, // zero width space (Cf)
	}
	for _, tt := range tests {
		if got := Columns(tt.s); got != tt.want {
			t.Errorf("Columns(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// TestIndentProperties: on random prose, no line is wider than the width
// unless it holds a single word, and the words come out whole and in order.
func TestIndentProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vocab := []string{"the", "resource", "policy", "allows", "no", "invoke", "by", "apigateway.amazonaws.com",
		"arn:aws:lambda:us-east-1:111122223333:function:order-processor", "—", "日本語", "a", "\"apigw-old\":"}
	for range 2000 {
		var words []string
		for range r.IntN(30) {
			words = append(words, vocab[r.IntN(len(vocab))])
		}
		width := 10 + r.IntN(90)
		first, rest := strings.Repeat(" ", r.IntN(5)), strings.Repeat(" ", r.IntN(13))
		out := Indent(strings.Join(words, " "), width, first, rest)
		var got []string
		for i, line := range strings.Split(out, "\n") {
			prefix := rest
			if i == 0 {
				prefix = first
			}
			lw := strings.Fields(line)
			// A line without its indent holds one word that fits only so.
			if !strings.HasPrefix(line, prefix) && strings.TrimSpace(line) != "" &&
				(Columns(lw[0]) > width || Columns(prefix+lw[0]) <= width) {
				t.Fatalf("width %d: line %q does not start with its indent %q", width, line, prefix)
			}
			if Columns(line) > width && len(lw) > 1 {
				t.Fatalf("width %d: line %q is %d columns with %d words", width, line, Columns(line), len(lw))
			}
			got = append(got, lw...)
		}
		if strings.Join(got, " ") != strings.Join(words, " ") {
			t.Fatalf("words changed:\n got %q\nwant %q", got, words)
		}
	}
}

func BenchmarkIndent(b *testing.B) {
	s := strings.Repeat("implicit deny — the resource policy has 1 Allow statement; none allows arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders ", 5)
	for b.Loop() {
		Indent(s, 80, "  decision  ", "            ")
	}
}
