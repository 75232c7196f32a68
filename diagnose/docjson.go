package diagnose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Policy documents as JSON that this package edits: statements are kept as
// they were written (raw), so an edited document carries every existing
// statement over unchanged.

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

func decodeDoc(doc string) (*rawDoc, error) {
	t := strings.TrimSpace(doc)
	if t == "" {
		return &rawDoc{Version: "2012-10-17"}, nil
	}
	if t[0] != '{' {
		d, err := url.QueryUnescape(t)
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
	b, _ := marshal(s)
	d.Statement = append(d.Statement, b)
}

func (d *rawDoc) String() string {
	if d.Version == "" {
		d.Version = "2012-10-17"
	}
	b, _ := marshal(d)
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

// marshal is json.Marshal without HTML escaping and without a newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func mustJSON(v any) string {
	b, err := marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// shellQuote quotes s for bash when it needs quoting: single quotes, with
// each embedded single quote closed, escaped and reopened.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

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
