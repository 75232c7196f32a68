package account

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/lambda-doctor/lambda-doctor/internal/jsontext"
)

// Policy documents are strings in the model. In a snapshot a document that
// is a JSON object is written as that object (so diffs and hand-written
// fixtures are readable) and one that is not (a broken document kept for
// the report) as a JSON string. Both forms are read back; an object comes
// back compacted, which is how the live reader stores documents.

// docJSON turns a document into the JSON value a snapshot holds.
func docJSON(doc string) json.RawMessage {
	if isJSONObject(doc) {
		var b bytes.Buffer
		if json.Compact(&b, []byte(doc)) == nil {
			return b.Bytes()
		}
	}
	return marshalNoEscape(doc)
}

// decodeWithDocument decodes data strictly into j, then reads the policy
// document *raw (a field of j), given as a JSON object or as a string; name
// is the field's JSON name, for the error.
func decodeWithDocument(data []byte, j any, raw *json.RawMessage, name string) (string, error) {
	if err := decodeStrict(data, j); err != nil {
		return "", err
	}
	doc, err := docFromJSON(*raw)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return doc, nil
}

// docFromJSON is the inverse of docJSON.
func docFromJSON(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	case '{':
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("a policy document must be a JSON object or a string, not %.20s", raw)
}

// CompactDocument returns doc without insignificant white space when it is
// a JSON object, else doc unchanged. Key order, duplicate keys and string
// escapes are kept as they are.
func CompactDocument(doc string) string {
	if !isJSONObject(doc) {
		return doc
	}
	var b bytes.Buffer
	if json.Compact(&b, []byte(doc)) != nil {
		return doc
	}
	return b.String()
}

func isJSONObject(doc string) bool {
	t := bytes.TrimLeft([]byte(doc), " \t\r\n")
	return len(t) > 0 && t[0] == '{' && json.Valid(t)
}

// marshalNoEscape is jsontext.Marshal of the plain structs and strings of
// the snapshot format, which always encode.
func marshalNoEscape(v any) []byte {
	b, err := jsontext.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// decodeStrict unmarshals data into v, refusing unknown fields.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

type resourcePolicyJSON struct {
	Qualifier  string          `json:"qualifier,omitempty"`
	Document   json.RawMessage `json:"document"`
	RevisionID string          `json:"revision_id,omitempty"`
}

// MarshalJSON writes the document as a JSON object when it is one.
func (p ResourcePolicy) MarshalJSON() ([]byte, error) {
	return marshalNoEscape(resourcePolicyJSON{p.Qualifier, docJSON(p.Document), p.RevisionID}), nil
}

// UnmarshalJSON reads a document given as an object or as a string.
func (p *ResourcePolicy) UnmarshalJSON(data []byte) error {
	var j resourcePolicyJSON
	doc, err := decodeWithDocument(data, &j, &j.Document, "document")
	if err != nil {
		return err
	}
	*p = ResourcePolicy{Qualifier: j.Qualifier, Document: doc, RevisionID: j.RevisionID}
	return nil
}

type inlinePolicyJSON struct {
	Name     string          `json:"name"`
	Document json.RawMessage `json:"document"`
}

// MarshalJSON writes the document as a JSON object when it is one.
func (p InlinePolicy) MarshalJSON() ([]byte, error) {
	return marshalNoEscape(inlinePolicyJSON{p.Name, docJSON(p.Document)}), nil
}

// UnmarshalJSON reads a document given as an object or as a string.
func (p *InlinePolicy) UnmarshalJSON(data []byte) error {
	var j inlinePolicyJSON
	doc, err := decodeWithDocument(data, &j, &j.Document, "document")
	if err != nil {
		return err
	}
	*p = InlinePolicy{Name: j.Name, Document: doc}
	return nil
}

type managedPolicyJSON struct {
	ARN       string          `json:"arn"`
	Name      string          `json:"name"`
	VersionID string          `json:"version_id,omitempty"`
	Document  json.RawMessage `json:"document,omitempty"`
}

// MarshalJSON writes the document as a JSON object when it is one.
func (p ManagedPolicy) MarshalJSON() ([]byte, error) {
	j := managedPolicyJSON{ARN: p.ARN, Name: p.Name, VersionID: p.VersionID}
	if p.Document != "" {
		j.Document = docJSON(p.Document)
	}
	return marshalNoEscape(j), nil
}

// UnmarshalJSON reads a document given as an object or as a string.
func (p *ManagedPolicy) UnmarshalJSON(data []byte) error {
	var j managedPolicyJSON
	doc, err := decodeWithDocument(data, &j, &j.Document, "document")
	if err != nil {
		return err
	}
	*p = ManagedPolicy{ARN: j.ARN, Name: j.Name, VersionID: j.VersionID, Document: doc}
	return nil
}

type roleJSON struct {
	ARN      string            `json:"arn"`
	Name     string            `json:"name"`
	Path     string            `json:"path,omitempty"`
	ID       string            `json:"id,omitempty"`
	Trust    json.RawMessage   `json:"trust_policy"`
	Inline   []InlinePolicy    `json:"inline_policies,omitempty"`
	Managed  []ManagedPolicy   `json:"managed_policies,omitempty"`
	Boundary *ManagedPolicy    `json:"permissions_boundary,omitempty"`
	Tags     map[string]string `json:"tags,omitempty"`
}

// MarshalJSON writes the trust policy as a JSON object when it is one.
func (r Role) MarshalJSON() ([]byte, error) {
	j := roleJSON{r.ARN, r.Name, r.Path, r.ID, docJSON(r.Trust), r.Inline, r.Managed, r.Boundary, r.Tags}
	return marshalNoEscape(j), nil
}

// UnmarshalJSON reads a trust policy given as an object or as a string.
func (r *Role) UnmarshalJSON(data []byte) error {
	var j roleJSON
	trust, err := decodeWithDocument(data, &j, &j.Trust, "trust_policy")
	if err != nil {
		return err
	}
	*r = Role{ARN: j.ARN, Name: j.Name, Path: j.Path, ID: j.ID, Trust: trust,
		Inline: j.Inline, Managed: j.Managed, Boundary: j.Boundary, Tags: j.Tags}
	return nil
}
