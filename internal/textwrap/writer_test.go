package textwrap_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/textwrap"
)

func TestWriter(t *testing.T) {
	tests := []struct {
		name   string
		width  int
		writes []string
		want   string
	}{
		{"short lines pass", 40, []string{"lambda-doctor: not found\n", "hint: look\n"},
			"lambda-doctor: not found\nhint: look\n"},
		{"a long line wraps with a hanging indent", 30,
			[]string{"lambda-doctor: function orders has no alias or version here\n"},
			"lambda-doctor: function orders\n  has no alias or version here\n"},
		{"a line written in pieces", 30,
			[]string{"lambda-doctor: function orders ", "has no alias or version", " here\nhint: x\n"},
			"lambda-doctor: function orders\n  has no alias or version here\nhint: x\n"},
		{"leading blanks are kept", 20, []string{"  [no ] identity statement Logs (Allow)\n"},
			"  [no ] identity\n    statement Logs\n    (Allow)\n"},
		{"a word wider than the line stays whole", 20,
			[]string{"see arn:aws:lambda:us-east-1:111122223333:function:orders\n"},
			"see\n  arn:aws:lambda:us-east-1:111122223333:function:orders\n"},
		{"no width wraps nothing", 0, []string{"a b c d e f g h i j k l m n o p\n"}, "a b c d e f g h i j k l m n o p\n"},
		{"a last line without newline waits for Flush", 10, []string{"one two three"}, "one two\n  three"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			w := textwrap.NewWriter(&b, tt.width)
			for _, s := range tt.writes {
				if n, err := w.Write([]byte(s)); err != nil || n != len(s) {
					t.Fatalf("Write(%q): %d, %v", s, n, err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			for _, l := range strings.Split(b.String(), "\n") {
				if tt.width > 0 && textwrap.Columns(l) > tt.width && len(strings.Fields(l)) > 1 {
					t.Errorf("line wider than %d with several words: %q", tt.width, l)
				}
			}
		})
	}
}
