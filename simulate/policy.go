package simulate

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
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
func ParseString(doc string) (*Policy, error) {
	t := jtree{nodes: make([]jnode, 0, len(doc)/12+8)}
	return parseDoc(&t, doc)
}

// Parse parses a policy document given as JSON or URL-encoded JSON, as
// IAM's Get* APIs return it ("URL-encoded compliant with RFC 3986"): when the
// first non-space character is not '{' the document is URL-decoded exactly
// once before parsing.
func Parse(doc []byte) (*Policy, error) { return ParseString(string(doc)) }

func parseDoc(t *jtree, doc string) (*Policy, error) {
	trimmed := strings.TrimSpace(doc)
	if trimmed == "" {
		return nil, perr("", "empty policy document")
	}
	if !utf8.ValidString(trimmed) {
		return nil, perr("", "document is not valid UTF-8 (at byte %d); AWS rejects such a policy", invalidUTF8At(trimmed))
	}
	if trimmed[0] != '{' {
		dec, err := url.QueryUnescape(trimmed)
		if err != nil {
			return nil, perr("", "document is neither JSON nor URL-encoded JSON: %v", err)
		}
		trimmed = strings.TrimSpace(dec)
		if trimmed == "" || trimmed[0] != '{' {
			return nil, perr("", "document is not a JSON object")
		}
		if !utf8.ValidString(trimmed) {
			return nil, perr("", "URL-decoded document is not valid UTF-8 (at byte %d); AWS rejects such a policy", invalidUTF8At(trimmed))
		}
	}
	if err := t.parse(trimmed); err != nil {
		return nil, perr("", "%v", err)
	}
	return parsePolicyNode(t, 0)
}

// invalidUTF8At is the offset of the first byte of s that is not valid UTF-8.
func invalidUTF8At(s string) int {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(s)
}

// parsePolicyNode builds a policy from an object node of the tree.
func parsePolicyNode(t *jtree, root int32) (*Policy, error) {
	if t.nodes[root].kind != jObj {
		return nil, perr("", "document is not a JSON object")
	}
	p := &Policy{}
	if v := t.member(root, "Version"); v >= 0 {
		if t.nodes[v].kind != jStr {
			return nil, perr("Version", "must be a string")
		}
		p.Version = t.nodes[v].s
		if p.Version != Version2012 && p.Version != Version2008 {
			return nil, perr("Version", "unknown version %q (want %q or %q)", p.Version, Version2012, Version2008)
		}
	}
	if v := t.member(root, "Id"); v >= 0 {
		if t.nodes[v].kind != jStr {
			return nil, perr("Id", "must be a string")
		}
		p.ID = t.nodes[v].s
	}
	st := t.member(root, "Statement")
	if st < 0 || t.nodes[st].kind == jNull {
		return nil, perr("Statement", "missing")
	}
	vars := p.Version == Version2012
	sl := newSlab(t, st)
	switch t.nodes[st].kind {
	case jObj:
		p.Statements = make([]Statement, 1)
		if err := parseStatement(t, &p.Statements[0], st, 0, vars, sl); err != nil {
			return nil, err
		}
	case jArr:
		p.Statements = make([]Statement, t.nodes[st].n)
		i := 0
		for c := t.nodes[st].first; c >= 0; c = t.nodes[c].next {
			if err := parseStatement(t, &p.Statements[i], c, i, vars, sl); err != nil {
				return nil, err
			}
			i++
		}
	default:
		return nil, perr("Statement", "must be an object or an array of objects")
	}
	return p, nil
}

// slab hands out pieces of a few arrays allocated once per policy, sized by
// a first pass over its statements, so that a policy costs a handful of
// allocations rather than several per statement. Pieces are capped (full
// slice expressions): appending to one never writes into the next. A nil
// slab allocates each piece on its own.
type slab struct {
	strs  []string
	acts  []actPattern
	res   []resPattern
	conds []Condition
	vals  []condValue
}

// newSlab sizes a slab for the Statement element st (an object or an array).
func newSlab(t *jtree, st int32) *slab {
	var nStr, nAct, nRes, nCond, nVal int
	listLen := func(v int32) int {
		if t.nodes[v].kind == jArr {
			return int(t.nodes[v].n)
		}
		return 1
	}
	count := func(stmt int32) {
		if t.nodes[stmt].kind != jObj {
			return
		}
		for c := t.nodes[stmt].first; c >= 0; c = t.nodes[c].next {
			switch t.nodes[c].key {
			case "Action", "NotAction":
				n := listLen(c)
				nStr, nAct = nStr+n, nAct+n
			case "Resource", "NotResource":
				n := listLen(c)
				nStr, nRes = nStr+n, nRes+n
			case "Principal", "NotPrincipal":
				if t.nodes[c].kind == jObj {
					for k := t.nodes[c].first; k >= 0; k = t.nodes[k].next {
						nStr += listLen(k)
					}
				}
			case "Condition":
				if t.nodes[c].kind != jObj {
					break
				}
				for op := t.nodes[c].first; op >= 0; op = t.nodes[op].next {
					if t.nodes[op].kind != jObj {
						continue
					}
					for k := t.nodes[op].first; k >= 0; k = t.nodes[k].next {
						n := listLen(k)
						nCond, nStr, nVal = nCond+1, nStr+n, nVal+n
					}
				}
			}
		}
	}
	if t.nodes[st].kind == jArr {
		for c := t.nodes[st].first; c >= 0; c = t.nodes[c].next {
			count(c)
		}
	} else {
		count(st)
	}
	sl := &slab{strs: make([]string, nStr), acts: make([]actPattern, nAct), res: make([]resPattern, nRes)}
	if nCond > 0 {
		sl.conds = make([]Condition, nCond)
		sl.vals = make([]condValue, nVal)
	}
	return sl
}

// strings is an empty slice with room for n strings.
func (sl *slab) strings(n int) []string {
	if sl == nil || len(sl.strs) < n {
		return make([]string, 0, n)
	}
	out := sl.strs[:0:n]
	sl.strs = sl.strs[n:]
	return out
}

func (sl *slab) actions(n int) []actPattern {
	if sl == nil || len(sl.acts) < n {
		return make([]actPattern, n)
	}
	out := sl.acts[:n:n]
	sl.acts = sl.acts[n:]
	return out
}

func (sl *slab) resources(n int) []resPattern {
	if sl == nil || len(sl.res) < n {
		return make([]resPattern, n)
	}
	out := sl.res[:n:n]
	sl.res = sl.res[n:]
	return out
}

// conditions is an empty slice with room for n conditions.
func (sl *slab) conditions(n int) []Condition {
	if sl == nil || len(sl.conds) < n {
		return make([]Condition, 0, n)
	}
	out := sl.conds[:0:n]
	sl.conds = sl.conds[n:]
	return out
}

func (sl *slab) values(n int) []condValue {
	if sl == nil || len(sl.vals) < n {
		return make([]condValue, n)
	}
	out := sl.vals[:n:n]
	sl.vals = sl.vals[n:]
	return out
}

// statement members, found in one pass (the last of duplicates wins).
type stmtMembers struct {
	sid, effect, action, notAction, resource, notResource   int32
	principal, notPrincipal, condition, urlAuthType, viaURL int32
}

func findMembers(t *jtree, node int32) stmtMembers {
	m := stmtMembers{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
	for c := t.nodes[node].first; c >= 0; c = t.nodes[c].next {
		switch t.nodes[c].key {
		case "Sid":
			m.sid = c
		case "Effect":
			m.effect = c
		case "Action":
			m.action = c
		case "NotAction":
			m.notAction = c
		case "Resource":
			m.resource = c
		case "NotResource":
			m.notResource = c
		case "Principal":
			m.principal = c
		case "NotPrincipal":
			m.notPrincipal = c
		case "Condition":
			m.condition = c
		case "FunctionUrlAuthType":
			m.urlAuthType = c
		case "InvokedViaFunctionUrl":
			m.viaURL = c
		}
	}
	return m
}

func parseStatement(t *jtree, s *Statement, node int32, i int, vars bool, sl *slab) error {
	at := statementAt(i)
	s.Index = i
	if t.nodes[node].kind != jObj {
		return perr(at, "must be a JSON object")
	}
	m := findMembers(t, node)
	if v := m.sid; v >= 0 {
		if t.nodes[v].kind != jStr {
			return perr(at+".Sid", "must be a string")
		}
		s.Sid = t.nodes[v].s
	}
	v := m.effect
	if v < 0 {
		return perr(at+".Effect", "missing")
	}
	if s.Effect = t.nodes[v].s; t.nodes[v].kind != jStr || (s.Effect != "Allow" && s.Effect != "Deny") {
		return perr(at+".Effect", "must be \"Allow\" or \"Deny\", got %s", t.short(v))
	}
	var err error
	if s.Action, err = stringList(t, m.action, "Action", at, sl); err != nil {
		return err
	}
	if s.NotAction, err = stringList(t, m.notAction, "NotAction", at, sl); err != nil {
		return err
	}
	switch {
	case s.Action != nil && s.NotAction != nil:
		return perr(at, "has both Action and NotAction")
	case s.Action == nil && s.NotAction == nil:
		return perr(at, "has neither Action nor NotAction")
	}
	if s.Resource, err = stringList(t, m.resource, "Resource", at, sl); err != nil {
		return err
	}
	if s.NotResource, err = stringList(t, m.notResource, "NotResource", at, sl); err != nil {
		return err
	}
	if s.Resource != nil && s.NotResource != nil {
		return perr(at, "has both Resource and NotResource")
	}
	if s.Principal, err = parsePrincipals(t, m.principal, "Principal", at, sl); err != nil {
		return err
	}
	if s.NotPrincipal, err = parsePrincipals(t, m.notPrincipal, "NotPrincipal", at, sl); err != nil {
		return err
	}
	if s.Principal != nil && s.NotPrincipal != nil {
		return perr(at, "has both Principal and NotPrincipal")
	}
	if v := m.condition; v >= 0 && t.nodes[v].kind != jNull {
		if s.Conditions, err = parseConditions(t, v, at, vars, sl); err != nil {
			return err
		}
	}
	// moto writes these two Lambda add-permission options as top-level
	// statement keys; AWS writes them as conditions (shared/moto-notes.md).
	if v := m.urlAuthType; v >= 0 {
		if t.nodes[v].kind != jStr {
			return perr(at+".FunctionUrlAuthType", "must be a string")
		}
		c := Condition{Operator: "StringEquals", Key: "lambda:FunctionUrlAuthType", Values: []string{t.nodes[v].s}}
		if err := c.compile(func() string { return at + ".FunctionUrlAuthType" }, vars); err != nil {
			return err
		}
		s.Conditions = append(s.Conditions, c)
	}
	if v := m.viaURL; v >= 0 {
		vals, err := condValues(t, v, func() string { return at + ".InvokedViaFunctionUrl" }, sl)
		if err != nil {
			return err
		}
		c := Condition{Operator: "Bool", Key: "lambda:InvokedViaFunctionUrl", Values: vals}
		if err := c.compile(func() string { return at + ".InvokedViaFunctionUrl" }, vars); err != nil {
			return err
		}
		s.Conditions = append(s.Conditions, c)
	}

	acts := s.Action
	if acts == nil {
		acts = s.NotAction
	}
	s.deny = s.Effect == "Deny"
	s.actions = sl.actions(len(acts))
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
	s.resources = sl.resources(len(res))
	for j, r := range res {
		s.resources[j].init(r, vars, false)
	}
	return nil
}

func actionElem(s *Statement) string {
	if s.Action != nil {
		return "Action"
	}
	return "NotAction"
}

// stringList reads an element that is a string or an array of strings.
// It returns nil when the element is absent.
func stringList(t *jtree, v int32, name, at string, sl *slab) ([]string, error) {
	if v < 0 || t.nodes[v].kind == jNull {
		return nil, nil
	}
	l, ok := strOrList(t, v, sl)
	if !ok {
		return nil, perr(at+"."+name, "must be a string or an array of strings")
	}
	if len(l) == 0 {
		return nil, perr(at+"."+name, "is empty")
	}
	return l, nil
}

func strOrList(t *jtree, v int32, sl *slab) ([]string, bool) {
	switch t.nodes[v].kind {
	case jStr:
		return append(sl.strings(1), t.nodes[v].s), true
	case jArr:
		l := sl.strings(int(t.nodes[v].n))
		for c := t.nodes[v].first; c >= 0; c = t.nodes[c].next {
			if t.nodes[c].kind != jStr {
				return nil, false
			}
			l = append(l, t.nodes[c].s)
		}
		return l, true
	}
	return nil, false
}

// Principal element: IAM User Guide, "AWS JSON policy elements: Principal"
// (reference_policies_elements_principal).
var principalKeys = map[string]bool{"AWS": true, "Service": true, "Federated": true, "CanonicalUser": true}

func parsePrincipals(t *jtree, v int32, name, at string, sl *slab) (*Principals, error) {
	if v < 0 || t.nodes[v].kind == jNull {
		return nil, nil
	}
	where := func() string { return at + "." + name }
	switch t.nodes[v].kind {
	case jStr:
		if s := t.nodes[v].s; s != "*" {
			// moto keeps account ids and ARNs given to add-permission as a
			// bare string; AWS would store {"AWS": ...}.
			return &Principals{Values: map[string][]string{"AWS": {s}}}, nil
		}
		return &Principals{All: true}, nil
	case jObj:
		p := &Principals{Values: make(map[string][]string, t.nodes[v].n)}
		for c := t.nodes[v].first; c >= 0; c = t.nodes[c].next {
			k := t.nodes[c].key
			if !principalKeys[k] {
				return nil, perr(where(), "unknown principal type %q (want AWS, Service, Federated or CanonicalUser)", k)
			}
			l, ok := strOrList(t, c, sl)
			if !ok {
				return nil, perr(where()+"."+k, "must be a string or an array of strings")
			}
			p.Values[k] = l
		}
		return p, nil
	}
	return nil, perr(where(), "must be \"*\" or an object")
}

func parseConditions(t *jtree, node int32, stmt string, vars bool, sl *slab) ([]Condition, error) {
	at := func() string { return stmt + ".Condition" }
	if t.nodes[node].kind != jObj {
		return nil, perr(at(), "must be an object of operators")
	}
	// Operators and keys are sorted so that traces are stable; a repeated
	// member counts once (the last), as in encoding/json.
	var opBuf, keyBuf [16]int32
	ops := sortedMembers(t, node, opBuf[:0])
	n := 0
	for _, opn := range ops {
		n += int(t.nodes[opn].n)
	}
	out := sl.conditions(n)
	for _, opn := range ops {
		op := t.nodes[opn].key
		if t.nodes[opn].kind != jObj {
			return nil, perr(at()+"."+op, "must be an object of condition keys")
		}
		cop, err := parseOperator(op)
		if err != nil {
			return nil, perr(at(), "%v", err)
		}
		for _, kn := range sortedMembers(t, opn, keyBuf[:0]) {
			k := t.nodes[kn].key
			elem := func() string { return at() + "." + op + "." + k }
			if k == "" {
				return nil, perr(at()+"."+op, "empty condition key")
			}
			vals, err := condValues(t, kn, elem, sl)
			if err != nil {
				return nil, err
			}
			out = append(out, Condition{Operator: op, Key: k, Values: vals})
			if err := out[len(out)-1].compileOp(cop, elem, vars, sl); err != nil {
				return nil, err
			}
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

var statementAts = func() (l [64]string) {
	for i := range l {
		l[i] = "Statement[" + strconv.Itoa(i) + "]"
	}
	return l
}()

func statementAt(i int) string {
	if i < len(statementAts) {
		return statementAts[i]
	}
	return "Statement[" + strconv.Itoa(i) + "]"
}

// sortedMembers appends an object's members to l, sorted by name, the last
// of duplicates.
func sortedMembers(t *jtree, node int32, l []int32) []int32 {
	for c := t.nodes[node].first; c >= 0; c = t.nodes[c].next {
		if t.member(node, t.nodes[c].key) == c {
			l = append(l, c)
		}
	}
	if len(l) <= 16 {
		for i := 1; i < len(l); i++ { // insertion sort: few members, often sorted
			for j := i; j > 0 && t.nodes[l[j]].key < t.nodes[l[j-1]].key; j-- {
				l[j], l[j-1] = l[j-1], l[j]
			}
		}
		return l
	}
	sort.Slice(l, func(i, j int) bool { return t.nodes[l[i]].key < t.nodes[l[j]].key })
	return l
}

// scalar is the text of a string, number or boolean node.
func (t *jtree) scalar(i int32) (string, bool) {
	switch t.nodes[i].kind {
	case jStr, jNum:
		return t.nodes[i].s, true
	case jTrue:
		return "true", true
	case jFalse:
		return "false", true
	}
	return "", false
}

// condValues reads a condition value: a string, boolean or number, or an
// array of them.
func condValues(t *jtree, v int32, at func() string, sl *slab) ([]string, error) {
	if t.nodes[v].kind != jArr {
		s, ok := t.scalar(v)
		if !ok {
			return nil, perr(at(), "a value must be a string, boolean or number, got %s", t.short(v))
		}
		return append(sl.strings(1), s), nil
	}
	if t.nodes[v].n == 0 {
		return nil, perr(at(), "empty array of values")
	}
	out := sl.strings(int(t.nodes[v].n))
	for c := t.nodes[v].first; c >= 0; c = t.nodes[c].next {
		s, ok := t.scalar(c)
		if !ok {
			return nil, perr(at(), "a value must be a string, boolean or number, got %s", t.short(c))
		}
		out = append(out, s)
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
