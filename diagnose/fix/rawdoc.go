package fix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/internal/jsontext"
)

// The raw editor: policy documents this package changes. Reading a
// document is judge.ParsePolicy's job; an edit must carry every statement it
// does not touch over as it was written, so the editor keeps statements as
// raw JSON and writes new ones in IAM's element order.

type rawDoc struct {
	Version   string            `json:"Version,omitempty"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

// stmt is a statement this package writes, with IAM's element order.
type stmt struct {
	Sid         string                       `json:"Sid,omitempty"`
	Effect      string                       `json:"Effect"`
	Principal   any                          `json:"Principal,omitempty"`
	Action      any                          `json:"Action,omitempty"`
	NotAction   any                          `json:"NotAction,omitempty"`
	Resource    any                          `json:"Resource,omitempty"`
	NotResource any                          `json:"NotResource,omitempty"`
	Condition   map[string]map[string]string `json:"Condition,omitempty"`
}

// decodeDoc reads a document of the model for editing: JSON (the model
// keeps documents URL-decoded once), or JSON URL-encoded as IAM returns it
// (RFC 3986: a '+' is a plus, as account/live decodes it). An empty
// document is an empty policy.
func decodeDoc(doc string) (*rawDoc, error) {
	t := strings.TrimSpace(doc)
	if t == "" {
		return &rawDoc{Version: "2012-10-17"}, nil
	}
	if t[0] != '{' {
		d, err := url.PathUnescape(t)
		if err != nil {
			return nil, err
		}
		t = d
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(t), &top); err != nil {
		return nil, err
	}
	d := &rawDoc{}
	if v, ok := top["Version"]; ok {
		_ = json.Unmarshal(v, &d.Version)
	}
	if v, ok := top["Id"]; ok {
		_ = json.Unmarshal(v, &d.ID)
	}
	if s, ok := top["Statement"]; ok {
		s = bytes.TrimSpace(s)
		if len(s) > 0 && s[0] == '{' {
			d.Statement = []json.RawMessage{s}
		} else if err := json.Unmarshal(s, &d.Statement); err != nil {
			return nil, fmt.Errorf("Statement: %w", err)
		}
	}
	return d, nil
}

func (d *rawDoc) add(s any) {
	b, _ := jsontext.Marshal(s)
	d.Statement = append(d.Statement, b)
}

func (d *rawDoc) String() string {
	if d.Version == "" {
		d.Version = "2012-10-17"
	}
	b, _ := jsontext.Marshal(d)
	return string(b)
}

// sids lists the Sids of the document's statements.
func (d *rawDoc) sids() map[string]bool {
	out := map[string]bool{}
	for _, raw := range d.Statement {
		var s struct{ Sid string }
		if json.Unmarshal(raw, &s) == nil && s.Sid != "" {
			out[s.Sid] = true
		}
	}
	return out
}

func mustJSON(v any) string {
	b, err := jsontext.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func mustRaw(v any) json.RawMessage { return json.RawMessage(mustJSON(v)) }

// strList reads a string-or-list element.
func strList(raw json.RawMessage) ([]string, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, true
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return many, true
	}
	return nil, false
}

func jsonList(l []string) json.RawMessage {
	if len(l) == 1 {
		return mustRaw(l[0])
	}
	return mustRaw(l)
}

// orderedStatement writes a statement's elements in IAM's usual order, the
// others after them sorted, each value compacted.
func orderedStatement(m map[string]json.RawMessage) json.RawMessage {
	order := []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
	var keys []string
	seen := map[string]bool{}
	for _, k := range order {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
			seen[k] = true
		}
	}
	var extra []string
	for k := range m {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	keys = append(keys, extra...)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(mustJSON(k))
		b.WriteByte(':')
		b.Write(compactRaw(m[k]))
	}
	b.WriteByte('}')
	return json.RawMessage(b.String())
}

func compactRaw(r json.RawMessage) []byte {
	var v any
	if json.Unmarshal(r, &v) != nil {
		return r
	}
	b, err := jsontext.Marshal(v)
	if err != nil {
		return r
	}
	return b
}

// indentJSON pretty-prints a JSON document with a prefix on every line.
// Key order is kept as written.
func indentJSON(doc, prefix string) string {
	var b bytes.Buffer
	if json.Indent(&b, []byte(doc), prefix, "  ") != nil {
		return prefix + doc
	}
	return prefix + b.String()
}

// IndentJSON pretty-prints a fix's Document for people, with prefix on every
// line.
func IndentJSON(doc, prefix string) string { return indentJSON(doc, prefix) }
