package simulate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Case is one line of a cases file (shared/simulate-cases.md).
type Case struct {
	ID     json.RawMessage // as written: usually a string
	Line   int
	Input  Input
	Expect Decision // empty when the case has no expectation
}

// CaseError is a case that cannot be evaluated. ID is nil when the line was
// too malformed to read it.
type CaseError struct {
	File string
	Line int
	ID   json.RawMessage
	Err  error
}

func (e *CaseError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *CaseError) Unwrap() error { return e.Err }

// CaseReader reads cases one line at a time. Identical policy documents are
// parsed once.
type CaseReader struct {
	name  string
	r     *bufio.Reader
	line  int
	cache map[string]*Policy
}

// NewCaseReader reads cases from r; name is the file name errors give.
func NewCaseReader(name string, r io.Reader) *CaseReader {
	return &CaseReader{name: name, r: bufio.NewReaderSize(r, 1<<16), cache: map[string]*Policy{}}
}

// Name is the file name errors give.
func (cr *CaseReader) Name() string { return cr.name }

type caseJSON struct {
	ID                  json.RawMessage     `json:"id"`
	IdentityPolicies    []json.RawMessage   `json:"identity_policies"`
	PermissionsBoundary json.RawMessage     `json:"permissions_boundary"`
	SessionPolicy       json.RawMessage     `json:"session_policy"`
	ResourcePolicy      json.RawMessage     `json:"resource_policy"`
	SCPs                [][]json.RawMessage `json:"scps"`
	RCPs                [][]json.RawMessage `json:"rcps"`
	Request             *struct {
		Principal       string                     `json:"principal"`
		Action          string                     `json:"action"`
		Resource        string                     `json:"resource"`
		ResourceAccount string                     `json:"resource_account"`
		Context         map[string]json.RawMessage `json:"context"`
	} `json:"request"`
	Expect string `json:"expect"`
}

// Next returns the next case, io.EOF at the end, a *CaseError for a case
// that cannot be evaluated (reading may go on), or another error when the
// input itself cannot be read.
func (cr *CaseReader) Next() (*Case, error) {
	for {
		line, err := cr.r.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("read %s: %w", cr.name, err)
		}
		cr.line++
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		c, cerr := cr.parse(line)
		if cerr != nil {
			return nil, cerr
		}
		return c, nil
	}
}

func (cr *CaseReader) fail(id json.RawMessage, format string, args ...any) *CaseError {
	return &CaseError{File: cr.name, Line: cr.line, ID: id, Err: fmt.Errorf(format, args...)}
}

func (cr *CaseReader) parse(line []byte) (*Case, error) {
	var cj caseJSON
	if err := json.Unmarshal(line, &cj); err != nil {
		var probe struct {
			ID json.RawMessage `json:"id"`
		}
		_ = json.Unmarshal(line, &probe)
		return nil, cr.fail(probe.ID, "invalid case: %v", err)
	}
	if len(cj.ID) == 0 || isNull(cj.ID) {
		return nil, cr.fail(nil, "case has no id")
	}
	c := &Case{ID: cj.ID, Line: cr.line}
	if cj.Request == nil {
		return nil, cr.fail(cj.ID, "request: missing")
	}
	switch Decision(cj.Expect) {
	case "", Allow, ImplicitDeny, ExplicitDeny:
		c.Expect = Decision(cj.Expect)
	default:
		return nil, cr.fail(cj.ID, "expect: %q is not allow, implicit_deny or explicit_deny", cj.Expect)
	}
	in := &c.Input
	var err error
	for i, raw := range cj.IdentityPolicies {
		name := "identity[" + strconv.Itoa(i) + "]"
		p, err := cr.policy(raw, "identity_policies["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, cr.fail(cj.ID, "%v", err)
		}
		if p != nil {
			in.Identity = append(in.Identity, NamedPolicy{Name: name, Policy: p})
		}
	}
	if in.Boundary, err = cr.named(cj.PermissionsBoundary, "permissions_boundary", "boundary"); err != nil {
		return nil, cr.fail(cj.ID, "%v", err)
	}
	if in.Session, err = cr.named(cj.SessionPolicy, "session_policy", "session"); err != nil {
		return nil, cr.fail(cj.ID, "%v", err)
	}
	if in.Resource, err = cr.named(cj.ResourcePolicy, "resource_policy", "resource"); err != nil {
		return nil, cr.fail(cj.ID, "%v", err)
	}
	if in.SCPs, err = cr.levels(cj.SCPs, "scps", "scp"); err != nil {
		return nil, cr.fail(cj.ID, "%v", err)
	}
	if in.RCPs, err = cr.levels(cj.RCPs, "rcps", "rcp"); err != nil {
		return nil, cr.fail(cj.ID, "%v", err)
	}
	rq := cj.Request
	in.Request = Request{Principal: rq.Principal, Action: rq.Action, Resource: rq.Resource, ResourceAccount: rq.ResourceAccount}
	if len(rq.Context) > 0 {
		in.Request.Context = make(Context, len(rq.Context))
		for k, raw := range rq.Context {
			v, err := contextValue(raw)
			if err != nil {
				return nil, cr.fail(cj.ID, "request.context.%s: %v", k, err)
			}
			in.Request.Context[k] = v
		}
	}
	return c, nil
}

func (cr *CaseReader) named(raw json.RawMessage, field, name string) (*NamedPolicy, error) {
	p, err := cr.policy(raw, field)
	if err != nil || p == nil {
		return nil, err
	}
	return &NamedPolicy{Name: name, Policy: p}, nil
}

func (cr *CaseReader) levels(in [][]json.RawMessage, field, name string) ([][]NamedPolicy, error) {
	if in == nil {
		return nil, nil
	}
	out := make([][]NamedPolicy, len(in))
	for i, level := range in {
		out[i] = make([]NamedPolicy, 0, len(level))
		for j, raw := range level {
			idx := "[" + strconv.Itoa(i) + "][" + strconv.Itoa(j) + "]"
			p, err := cr.policy(raw, field+idx)
			if err != nil {
				return nil, err
			}
			if p != nil {
				out[i] = append(out[i], NamedPolicy{Name: name + idx, Policy: p})
			}
		}
	}
	return out, nil
}

// policy parses a policy given as a JSON object or as a string holding the
// (possibly URL-encoded) document. It returns nil for null or absent.
func (cr *CaseReader) policy(raw json.RawMessage, field string) (*Policy, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	key := string(raw)
	if p, ok := cr.cache[key]; ok {
		return p, nil
	}
	doc := []byte(raw)
	if first(raw) == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("%s: %v", field, err)
		}
		doc = []byte(s)
	}
	p, err := Parse(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	if len(cr.cache) > 100000 {
		clear(cr.cache)
	}
	cr.cache[key] = p
	return p, nil
}

// contextValue reads a context value: a string (single-valued) or an array
// of strings (multivalued). Booleans and numbers are kept as their text.
func contextValue(raw json.RawMessage) (Value, error) {
	switch first(raw) {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return Value{}, err
		}
		v := Value{Multi: true, Values: make([]string, 0, len(items))}
		for _, it := range items {
			s, err := scalar(it)
			if err != nil {
				return Value{}, err
			}
			v.Values = append(v.Values, s)
		}
		return v, nil
	default:
		s, err := scalar(raw)
		if err != nil {
			return Value{}, err
		}
		return Value{Values: []string{s}}, nil
	}
}

func scalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch first(raw) {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 't', 'f':
		var b bool
		err := json.Unmarshal(raw, &b)
		return strconv.FormatBool(b), err
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		var n json.Number
		err := json.Unmarshal(raw, &n)
		return n.String(), err
	}
	return "", errors.New("a value must be a string or an array of strings")
}

// AppendResult appends the result line of a case (without newline):
// {"id":...,"decision":...,"matched":[{"policy":...,"statement":...}]}.
func AppendResult(b []byte, id json.RawMessage, r *Result) []byte {
	b = append(b, `{"id":`...)
	b = appendID(b, id)
	b = append(b, `,"decision":"`...)
	b = append(b, r.Decision...)
	b = append(b, `","matched":[`...)
	for i, d := range r.Deciding {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"policy":`...)
		b = appendJSONString(b, d.Policy)
		b = append(b, `,"statement":`...)
		b = appendJSONString(b, d.Statement)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// AppendError appends the error line of a case (without newline).
func AppendError(b []byte, id json.RawMessage, err error) []byte {
	b = append(b, `{"id":`...)
	b = appendID(b, id)
	b = append(b, `,"error":`...)
	msg, _ := json.Marshal(err.Error())
	b = append(b, msg...)
	return append(b, '}')
}

func appendID(b []byte, id json.RawMessage) []byte {
	if len(id) == 0 {
		return append(b, "null"...)
	}
	var buf bytes.Buffer
	if json.Compact(&buf, id) != nil {
		return append(b, "null"...)
	}
	return append(b, buf.Bytes()...)
}

func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
