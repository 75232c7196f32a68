package simulate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Policy versions. Policy variables are substituted only in Version2012.
// Grammar: IAM User Guide, "IAM JSON policy elements: Version"
// (reference_policies_elements_version).
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is a parsed IAM policy document. Parse compiles every pattern, so a
// Policy is immutable and safe to share between goroutines.
type Policy struct {
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one statement of a policy. Element slices are nil when the
// element is absent.
type Statement struct {
	Index        int // position in the Statement array, 0-based
	Sid          string
	Effect       string // "Allow" or "Deny"
	Principal    *Principals
	NotPrincipal *Principals
	Action       []string
	NotAction    []string
	Resource     []string
	NotResource  []string
	Conditions   []Condition

	actions   []actPattern // compiled Action or NotAction
	deny      bool
	resources []resPattern // compiled Resource or NotResource
}

// Principals is the value of a Principal or NotPrincipal element. All is set
// for the bare string "*"; Values maps "AWS", "Service", "Federated" and
// "CanonicalUser" to their lists.
type Principals struct {
	All    bool
	Values map[string][]string
}

// Condition is one (operator, key) pair of a Condition element with its
// values. Values given as JSON booleans or numbers are kept as their text.
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string
	Values   []string

	op  compiledOp
	val []condValue
}

// Ref names the statement for a trace.
func (s *Statement) ref(policy string) StatementRef {
	name := s.Sid
	if name == "" {
		name = "#" + strconv.Itoa(s.Index)
	}
	return StatementRef{Policy: policy, Statement: name, Index: s.Index, Effect: s.Effect}
}

// ParseError is a malformed policy document. Element names the part at
// fault, such as "Statement[2].Condition".
type ParseError struct {
	Element string
	Msg     string
}

func (e *ParseError) Error() string {
	if e.Element == "" {
		return e.Msg
	}
	return e.Element + ": " + e.Msg
}

func perr(elem, format string, args ...any) error {
	return &ParseError{Element: elem, Msg: fmt.Sprintf(format, args...)}
}

// ParseString is Parse for a string.
func ParseString(doc string) (*Policy, error) { return Parse([]byte(doc)) }

// Parse parses a policy document given as JSON or URL-encoded JSON, as
// IAM's Get* APIs return it ("URL-encoded compliant with RFC 3986"): when the
// first non-space character is not '{' the document is URL-decoded exactly
// once before parsing.
func Parse(doc []byte) (*Policy, error) {
	trimmed := bytes.TrimSpace(doc)
	if len(trimmed) == 0 {
		return nil, perr("", "empty policy document")
	}
	if trimmed[0] != '{' {
		dec, err := url.QueryUnescape(string(trimmed))
		if err != nil {
			return nil, perr("", "document is neither JSON nor URL-encoded JSON: %v", err)
		}
		trimmed = bytes.TrimSpace([]byte(dec))
		if len(trimmed) == 0 || trimmed[0] != '{' {
			return nil, perr("", "document is not a JSON object")
		}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return nil, perr("", "invalid JSON: %v", err)
	}
	p := &Policy{}
	if raw, ok := top["Version"]; ok {
		if err := json.Unmarshal(raw, &p.Version); err != nil {
			return nil, perr("Version", "must be a string")
		}
		if p.Version != Version2012 && p.Version != Version2008 {
			return nil, perr("Version", "unknown version %q (want %q or %q)", p.Version, Version2012, Version2008)
		}
	}
	if raw, ok := top["Id"]; ok {
		if err := json.Unmarshal(raw, &p.ID); err != nil {
			return nil, perr("Id", "must be a string")
		}
	}
	raw, ok := top["Statement"]
	if !ok || isNull(raw) {
		return nil, perr("Statement", "missing")
	}
	var stmts []json.RawMessage
	if first(raw) == '{' {
		stmts = []json.RawMessage{raw}
	} else if err := json.Unmarshal(raw, &stmts); err != nil {
		return nil, perr("Statement", "must be an object or an array of objects")
	}
	vars := p.Version == Version2012
	p.Statements = make([]Statement, len(stmts))
	for i, sraw := range stmts {
		if err := parseStatement(&p.Statements[i], sraw, i, vars); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func first(raw json.RawMessage) byte {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

func parseStatement(s *Statement, raw json.RawMessage, i int, vars bool) error {
	at := "Statement[" + strconv.Itoa(i) + "]"
	s.Index = i
	var m map[string]json.RawMessage
	if first(raw) != '{' || json.Unmarshal(raw, &m) != nil {
		return perr(at, "must be a JSON object")
	}
	if v, ok := m["Sid"]; ok {
		if err := json.Unmarshal(v, &s.Sid); err != nil {
			return perr(at+".Sid", "must be a string")
		}
	}
	v, ok := m["Effect"]
	if !ok {
		return perr(at+".Effect", "missing")
	}
	if err := json.Unmarshal(v, &s.Effect); err != nil || (s.Effect != "Allow" && s.Effect != "Deny") {
		return perr(at+".Effect", "must be \"Allow\" or \"Deny\", got %s", compact(v))
	}
	var err error
	if s.Action, err = stringList(m, "Action", at); err != nil {
		return err
	}
	if s.NotAction, err = stringList(m, "NotAction", at); err != nil {
		return err
	}
	switch {
	case s.Action != nil && s.NotAction != nil:
		return perr(at, "has both Action and NotAction")
	case s.Action == nil && s.NotAction == nil:
		return perr(at, "has neither Action nor NotAction")
	}
	if s.Resource, err = stringList(m, "Resource", at); err != nil {
		return err
	}
	if s.NotResource, err = stringList(m, "NotResource", at); err != nil {
		return err
	}
	if s.Resource != nil && s.NotResource != nil {
		return perr(at, "has both Resource and NotResource")
	}
	if s.Principal, err = parsePrincipals(m, "Principal", at); err != nil {
		return err
	}
	if s.NotPrincipal, err = parsePrincipals(m, "NotPrincipal", at); err != nil {
		return err
	}
	if s.Principal != nil && s.NotPrincipal != nil {
		return perr(at, "has both Principal and NotPrincipal")
	}
	if v, ok := m["Condition"]; ok && !isNull(v) {
		if s.Conditions, err = parseConditions(v, at+".Condition", vars); err != nil {
			return err
		}
	}
	// moto writes these two Lambda add-permission options as top-level
	// statement keys; AWS writes them as conditions (shared/moto-notes.md).
	if v, ok := m["FunctionUrlAuthType"]; ok {
		var t string
		if err := json.Unmarshal(v, &t); err != nil {
			return perr(at+".FunctionUrlAuthType", "must be a string")
		}
		c := Condition{Operator: "StringEquals", Key: "lambda:FunctionUrlAuthType", Values: []string{t}}
		if err := c.compile(at+".FunctionUrlAuthType", vars); err != nil {
			return err
		}
		s.Conditions = append(s.Conditions, c)
	}
	if v, ok := m["InvokedViaFunctionUrl"]; ok {
		vals, err := condValues(v, at+".InvokedViaFunctionUrl")
		if err != nil {
			return err
		}
		c := Condition{Operator: "Bool", Key: "lambda:InvokedViaFunctionUrl", Values: vals}
		if err := c.compile(at+".InvokedViaFunctionUrl", vars); err != nil {
			return err
		}
		s.Conditions = append(s.Conditions, c)
	}

	acts := s.Action
	if acts == nil {
		acts = s.NotAction
	}
	s.deny = s.Effect == "Deny"
	s.actions = make([]actPattern, len(acts))
	for j, a := range acts {
		if a == "" {
			return perr(fmt.Sprintf("%s.%s[%d]", at, actionElem(s), j), "empty action")
		}
		if a != "*" && !strings.Contains(a, ":") {
			return perr(fmt.Sprintf("%s.%s[%d]", at, actionElem(s), j), "action %q is not of the form service:action", a)
		}
		s.actions[j] = compileAction(a)
	}
	res := s.Resource
	if res == nil {
		res = s.NotResource
	}
	s.resources = make([]resPattern, len(res))
	for j, r := range res {
		s.resources[j] = compileResource(r, vars)
	}
	return nil
}

func actionElem(s *Statement) string {
	if s.Action != nil {
		return "Action"
	}
	return "NotAction"
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	s := b.String()
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// stringList reads an element that is a string or an array of strings.
// It returns nil when the element is absent.
func stringList(m map[string]json.RawMessage, name, at string) ([]string, error) {
	raw, ok := m[name]
	if !ok || isNull(raw) {
		return nil, nil
	}
	l, err := strOrList(raw)
	if err != nil {
		return nil, perr(at+"."+name, "must be a string or an array of strings")
	}
	if len(l) == 0 {
		return nil, perr(at+"."+name, "is empty")
	}
	return l, nil
}

func strOrList(raw json.RawMessage) ([]string, error) {
	switch first(raw) {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return []string{s}, nil
	case '[':
		var l []string
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, err
		}
		if l == nil {
			l = []string{}
		}
		return l, nil
	}
	return nil, fmt.Errorf("not a string or array")
}

// Principal element: IAM User Guide, "AWS JSON policy elements: Principal"
// (reference_policies_elements_principal).
var principalKeys = map[string]bool{"AWS": true, "Service": true, "Federated": true, "CanonicalUser": true}

func parsePrincipals(m map[string]json.RawMessage, name, at string) (*Principals, error) {
	raw, ok := m[name]
	if !ok || isNull(raw) {
		return nil, nil
	}
	at += "." + name
	switch first(raw) {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, perr(at, "invalid string")
		}
		if s == "*" {
			return &Principals{All: true}, nil
		}
		// moto keeps account ids and ARNs given to add-permission as a bare
		// string; AWS would store {"AWS": ...}.
		return &Principals{Values: map[string][]string{"AWS": {s}}}, nil
	case '{':
		var pm map[string]json.RawMessage
		if err := json.Unmarshal(raw, &pm); err != nil {
			return nil, perr(at, "invalid object")
		}
		p := &Principals{Values: make(map[string][]string, len(pm))}
		for k, v := range pm {
			if !principalKeys[k] {
				return nil, perr(at, "unknown principal type %q (want AWS, Service, Federated or CanonicalUser)", k)
			}
			l, err := strOrList(v)
			if err != nil {
				return nil, perr(at+"."+k, "must be a string or an array of strings")
			}
			p.Values[k] = l
		}
		return p, nil
	}
	return nil, perr(at, "must be \"*\" or an object")
}

func parseConditions(raw json.RawMessage, at string, vars bool) ([]Condition, error) {
	var ops map[string]json.RawMessage
	if first(raw) != '{' || json.Unmarshal(raw, &ops) != nil {
		return nil, perr(at, "must be an object of operators")
	}
	names := make([]string, 0, len(ops))
	for k := range ops {
		names = append(names, k)
	}
	sort.Strings(names)
	var out []Condition
	for _, op := range names {
		var keys map[string]json.RawMessage
		if first(ops[op]) != '{' || json.Unmarshal(ops[op], &keys) != nil {
			return nil, perr(at+"."+op, "must be an object of condition keys")
		}
		if _, err := parseOperator(op); err != nil {
			return nil, perr(at, "%v", err)
		}
		knames := make([]string, 0, len(keys))
		for k := range keys {
			knames = append(knames, k)
		}
		sort.Strings(knames)
		for _, k := range knames {
			elem := at + "." + op + "." + k
			if k == "" {
				return nil, perr(at+"."+op, "empty condition key")
			}
			vals, err := condValues(keys[k], elem)
			if err != nil {
				return nil, err
			}
			c := Condition{Operator: op, Key: k, Values: vals}
			if err := c.compile(elem, vars); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// condValues reads a condition value: a string, boolean or number, or an
// array of them.
func condValues(raw json.RawMessage, at string) ([]string, error) {
	var items []json.RawMessage
	if first(raw) == '[' {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, perr(at, "invalid array")
		}
		if len(items) == 0 {
			return nil, perr(at, "empty array of values")
		}
	} else {
		items = []json.RawMessage{raw}
	}
	out := make([]string, len(items))
	for i, it := range items {
		it = bytes.TrimSpace(it)
		switch first(it) {
		case '"':
			if err := json.Unmarshal(it, &out[i]); err != nil {
				return nil, perr(at, "invalid string")
			}
		case 't', 'f':
			var b bool
			if err := json.Unmarshal(it, &b); err != nil {
				return nil, perr(at, "invalid value %s", compact(it))
			}
			out[i] = strconv.FormatBool(b)
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			var n json.Number
			if err := json.Unmarshal(it, &n); err != nil {
				return nil, perr(at, "invalid number %s", compact(it))
			}
			out[i] = n.String()
		default:
			return nil, perr(at, "a value must be a string, boolean or number, got %s", compact(it))
		}
	}
	return out, nil
}

// JSON serializes the policy back to an IAM policy document. Condition
// values are written as strings.
func (p *Policy) JSON() ([]byte, error) {
	type stmt struct {
		Sid          string                         `json:"Sid,omitempty"`
		Effect       string                         `json:"Effect"`
		Principal    any                            `json:"Principal,omitempty"`
		NotPrincipal any                            `json:"NotPrincipal,omitempty"`
		Action       []string                       `json:"Action,omitempty"`
		NotAction    []string                       `json:"NotAction,omitempty"`
		Resource     []string                       `json:"Resource,omitempty"`
		NotResource  []string                       `json:"NotResource,omitempty"`
		Condition    map[string]map[string][]string `json:"Condition,omitempty"`
	}
	doc := struct {
		Version   string `json:"Version,omitempty"`
		ID        string `json:"Id,omitempty"`
		Statement []stmt `json:"Statement"`
	}{Version: p.Version, ID: p.ID, Statement: make([]stmt, 0, len(p.Statements))}
	for _, s := range p.Statements {
		o := stmt{Sid: s.Sid, Effect: s.Effect, Action: s.Action, NotAction: s.NotAction,
			Resource: s.Resource, NotResource: s.NotResource}
		o.Principal = principalsJSON(s.Principal)
		o.NotPrincipal = principalsJSON(s.NotPrincipal)
		for _, c := range s.Conditions {
			if o.Condition == nil {
				o.Condition = map[string]map[string][]string{}
			}
			if o.Condition[c.Operator] == nil {
				o.Condition[c.Operator] = map[string][]string{}
			}
			o.Condition[c.Operator][c.Key] = append(o.Condition[c.Operator][c.Key], c.Values...)
		}
		doc.Statement = append(doc.Statement, o)
	}
	return json.Marshal(doc)
}

func principalsJSON(p *Principals) any {
	if p == nil {
		return nil
	}
	if p.All {
		return "*"
	}
	return p.Values
}

// MustParse is Parse for documents known to be valid, such as test fixtures
// and documents the program builds itself. It panics on error.
func MustParse(doc string) *Policy {
	p, err := ParseString(doc)
	if err != nil {
		panic("simulate.MustParse: " + err.Error())
	}
	return p
}
