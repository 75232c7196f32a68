package simulate

import (
	"encoding/json"
	"strings"
	"testing"
)

// The tree parser decodes strings as encoding/json does and rejects what it
// rejects, and also an unpaired surrogate escape, which encoding/json turns
// into U+FFFD: a policy holding one is not silently repaired.
func TestJSONTreeStrings(t *testing.T) {
	for _, in := range []string{
		`"plain"`, `"a\"b\\c\/d"`, `"\b\f\n\r\t"`, `"\u00e9\u4e2d"`, `"\ud83d\ude00"`, `"é😀"`, `""`,
	} {
		var tr jtree
		if err := tr.parse(in); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		var want string
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		if got := tr.nodes[0].s; got != want {
			t.Errorf("%s: got %q, want %q", in, got, want)
		}
	}
	for _, in := range []string{`"\ud83d"`, `"\ud83dx"`, `"\ude00\ud83d"`, `"\ud83d\u0041"`, `"\x"`, `"\u12"`, "\"a\x01\"", `"abc`, `{"a":1,}`, `[1,]`, `01`, `1.`, `-`, `1e`, `tru`, `{"a" 1}`, `[1 2]`, `{} {}`,
		strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1)} {
		var tr jtree
		if err := tr.parse(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestJSONTreeDuplicateMembersLastWins(t *testing.T) {
	p := MustParse(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Effect":"Allow","Action":"s3:*","Resource":"*"}}`)
	if p.Statements[0].Effect != "Allow" {
		t.Errorf("got %s, want the last Effect as encoding/json does", p.Statements[0].Effect)
	}
}
