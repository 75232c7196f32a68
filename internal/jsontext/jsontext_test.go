package jsontext

import (
	"encoding/json"
	"testing"
)

func TestMarshal(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{"a && b <c>", `"a && b <c>"`},
		{map[string]string{"cmd": "x && y"}, `{"cmd":"x && y"}`},
		{[]int{1, 2}, `[1,2]`},
	}
	for _, tt := range tests {
		got, err := Marshal(tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("Marshal(%v): got %s, %v; want %s", tt.in, got, err, tt.want)
		}
		std, _ := json.Marshal(tt.in)
		var a, b any
		if json.Unmarshal(got, &a) != nil || json.Unmarshal(std, &b) != nil {
			t.Errorf("Marshal(%v) is not the JSON encoding/json reads back", tt.in)
		}
	}
	if _, err := Marshal(func() {}); err == nil {
		t.Error("a func: no error")
	}
}

// Quote writes what Marshal writes for a string, byte for byte.
func TestQuoteIsMarshal(t *testing.T) {
	for _, s := range []string{"", "plain", `a "q" \ b`, "tab\tnl\ncr\r\b\f\x00\x1f\x7f", "<&>", "line\u2028sep\u2029",
		"caf\xe9 bad utf-8", "\xff\xfe", "日本語 ✓", "\x1b[31mred"} {
		want, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := Quote(s); got != string(want) {
			t.Errorf("Quote(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzQuote(f *testing.F) {
	f.Add("a\u2028\x00\xff<>")
	f.Fuzz(func(t *testing.T, s string) {
		want, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := Quote(s); got != string(want) {
			t.Errorf("Quote(%q) = %s, want %s", s, got, want)
		}
	})
}
