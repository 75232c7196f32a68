package simulate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
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
	// Unchecked is set when the line carries an expectation that could not
	// be checked (an "expect" on a case that cannot be evaluated), or is
	// not a case at all: either way an expectation may be lost.
	Unchecked bool
}

func (e *CaseError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *CaseError) Unwrap() error { return e.Err }

// CaseReader reads cases one line at a time, for a few cases at a time;
// package batch streams large files on parallel workers.
type CaseReader struct {
	r       *bufio.Reader
	cp      *CaseParser
	maxLine int
}

// MaxCaseLine is the longest case line a CaseReader accepts in bytes (its
// final newline excluded); a longer one is a *CaseError for that line.
const MaxCaseLine = 1 << 20

// NewCaseReader reads cases from r; name is the file name errors give.
func NewCaseReader(name string, r io.Reader) *CaseReader {
	return &CaseReader{r: bufio.NewReaderSize(r, 1<<16), cp: NewCaseParser(name), maxLine: MaxCaseLine}
}

// Name is the file name errors give.
func (cr *CaseReader) Name() string { return cr.cp.name }

// CaseParser parses case lines. Policy documents met more than once are
// parsed once and kept in a bounded cache that owns its memory, so the
// caller may reuse the memory of a line once it is done with that line's
// case. A CaseParser is not safe for concurrent use; give each goroutine
// its own.
type CaseParser struct {
	name string
	line int
	// seen holds hashes of policy texts met, direct-mapped (a newer text
	// takes an older one's slot): small enough to stay in the CPU's cache.
	seen  *[4096]uint64
	cache map[uint64]cached // policy texts met more than once, by hash
	bytes int               // size of the cache's texts
	seed  maphash.Seed
	t     jtree // the current line
	sub   jtree // a policy given as a JSON string, or a copy for the cache
	// unchecked: the line being parsed is not a JSON object, or has an
	// "expect" (CaseError.Unchecked).
	unchecked bool
	// Reused from case to case.
	c       Case
	id      []byte
	ctx     Context
	singles []string
	layers  [3]NamedPolicy
}

// NewCaseParser parses lines of the named file.
func NewCaseParser(name string) *CaseParser {
	return &CaseParser{name: name, seen: new([4096]uint64), cache: map[uint64]cached{}, seed: maphash.MakeSeed()}
}

// cached is a policy of the cache with its own copy of its text.
type cached struct {
	text string
	p    *Policy
}

// Parse parses line number lineNo (1-based). It returns nil, nil for a blank
// line and a *CaseError for a case that cannot be evaluated. The case's
// strings may share line's memory, and the case itself is reused: it is
// valid until the next call of Parse.
func (cr *CaseParser) Parse(lineNo int, line string) (*Case, error) {
	cr.line = lineNo
	if isBlank(line) {
		return nil, nil
	}
	return cr.parse(line)
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
		default:
			return false
		}
	}
	return true
}

// Next returns the next case (valid until the next call), io.EOF at the end, a *CaseError for a case
// that cannot be evaluated (reading may go on; a line longer than
// MaxCaseLine is one), or another error when the input itself cannot be read.
func (cr *CaseReader) Next() (*Case, error) {
	for {
		line, long, err := cr.readLine()
		if len(line) == 0 && !long && err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("read %s: %w", cr.cp.name, err)
		}
		cr.cp.line++
		if long {
			return nil, cr.cp.fail(nil, "the line is longer than the limit of %d bytes", cr.maxLine)
		}
		if isBlank(line) {
			continue
		}
		return cr.cp.parse(line)
	}
}

// readLine reads one line (with its newline, if any); long is set, and the
// line dropped, when it is longer than cr.maxLine.
func (cr *CaseReader) readLine() (line string, long bool, err error) {
	b, err := cr.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		buf := append([]byte(nil), b...)
		for err == bufio.ErrBufferFull {
			b, err = cr.r.ReadSlice('\n')
			if !long {
				buf = append(buf, b...)
			}
			if len(buf) > cr.maxLine+1 {
				long, buf = true, nil
			}
		}
		b = buf
	}
	if err == io.EOF && (len(b) > 0 || long) {
		err = nil
	}
	if long || len(bytes.TrimSuffix(b, []byte{'\n'})) > cr.maxLine {
		return "", true, err
	}
	return string(b), false, err
}

func (cr *CaseParser) fail(id json.RawMessage, format string, args ...any) *CaseError {
	if id != nil {
		id = append(json.RawMessage(nil), id...) // the error may outlive the reused buffer
	}
	return &CaseError{File: cr.name, Line: cr.line, ID: id, Err: fmt.Errorf(format, args...)}
}

func (cr *CaseParser) parse(line string) (*Case, error) {
	cr.unchecked = true // until the line is known to be an object without "expect"
	c, err := cr.parseCase(line)
	if ce, ok := err.(*CaseError); ok {
		ce.Unchecked = cr.unchecked
	}
	return c, err
}

func (cr *CaseParser) parseCase(line string) (*Case, error) {
	t := &cr.t
	if !utf8.ValidString(line) {
		// JSON text is UTF-8 (RFC 8259), and AWS rejects policies and
		// requests that are not: no silent repair.
		return nil, cr.fail(nil, "invalid case: not valid UTF-8 (at byte %d)", invalidUTF8At(line))
	}
	if err := t.parse(line); err != nil {
		return nil, cr.fail(probeID(line), "invalid case: %v", err)
	}
	if t.nodes[0].kind != jObj {
		return nil, cr.fail(nil, "invalid case: not a JSON object")
	}
	cr.unchecked = t.member(0, "expect") >= 0
	idn := t.member(0, "id")
	if idn < 0 || t.nodes[idn].kind == jNull {
		return nil, cr.fail(nil, "case has no id")
	}
	cr.id = append(cr.id[:0], t.raw(idn)...)
	id := json.RawMessage(cr.id)
	identity := cr.c.Input.Identity[:0]
	clear(identity[:cap(identity)])
	cr.c = Case{ID: id, Line: cr.line}
	c := &cr.c
	c.Input.Identity = identity
	if e := t.member(0, "expect"); e >= 0 && t.nodes[e].kind != jNull {
		switch d := Decision(t.nodes[e].s); {
		case t.nodes[e].kind == jStr && (d == Allow || d == ImplicitDeny || d == ExplicitDeny):
			c.Expect = d
		default:
			return nil, cr.fail(id, "expect: %s is not allow, implicit_deny or explicit_deny", t.short(e))
		}
	}
	rq := t.member(0, "request")
	if rq < 0 || t.nodes[rq].kind != jObj {
		return nil, cr.fail(id, "request: missing")
	}
	in := &c.Input
	if n := t.member(0, "identity_policies"); n >= 0 && t.nodes[n].kind != jNull {
		if t.nodes[n].kind != jArr {
			return nil, cr.fail(id, "identity_policies: must be an array of policies")
		}
		i := 0
		for p := t.nodes[n].first; p >= 0; p = t.nodes[p].next {
			pol, err := cr.policy(p, func() string { return "identity_policies[" + strconv.Itoa(i) + "]" })
			if err != nil {
				return nil, cr.fail(id, "%v", err)
			}
			if pol != nil {
				in.Identity = append(in.Identity, NamedPolicy{Name: indexedName("identity", i, -1), Policy: pol})
			}
			i++
		}
	}
	var err error
	if in.Boundary, err = cr.named(&cr.layers[0], "permissions_boundary", "boundary"); err != nil {
		return nil, cr.fail(id, "%v", err)
	}
	if in.Session, err = cr.named(&cr.layers[1], "session_policy", "session"); err != nil {
		return nil, cr.fail(id, "%v", err)
	}
	if in.Resource, err = cr.named(&cr.layers[2], "resource_policy", "resource"); err != nil {
		return nil, cr.fail(id, "%v", err)
	}
	if in.SCPs, err = cr.levels("scps", "scp"); err != nil {
		return nil, cr.fail(id, "%v", err)
	}
	if in.RCPs, err = cr.levels("rcps", "rcp"); err != nil {
		return nil, cr.fail(id, "%v", err)
	}
	str := func(field string) (string, error) {
		n := t.member(rq, field)
		if n < 0 || t.nodes[n].kind == jNull {
			return "", nil
		}
		if t.nodes[n].kind != jStr {
			return "", fmt.Errorf("request.%s: must be a string", field)
		}
		return t.nodes[n].s, nil
	}
	r := &in.Request
	for _, f := range []struct {
		name string
		dst  *string
	}{{"principal", &r.Principal}, {"action", &r.Action}, {"resource", &r.Resource}, {"resource_account", &r.ResourceAccount}} {
		if *f.dst, err = str(f.name); err != nil {
			return nil, cr.fail(id, "%v", err)
		}
	}
	if cn := t.member(rq, "context"); cn >= 0 && t.nodes[cn].kind != jNull {
		if t.nodes[cn].kind != jObj {
			return nil, cr.fail(id, "request.context: must be an object")
		}
		if cr.ctx == nil {
			cr.ctx = make(Context, t.nodes[cn].n)
		}
		clear(cr.ctx)
		r.Context = cr.ctx
		// One backing array for the single values of the context.
		if cap(cr.singles) < int(t.nodes[cn].n) {
			cr.singles = make([]string, t.nodes[cn].n)
		}
		singles := cr.singles[:t.nodes[cn].n]
		for k := t.nodes[cn].first; k >= 0; k = t.nodes[k].next {
			v, err := contextValue(t, k, &singles)
			if err != nil {
				return nil, cr.fail(id, "request.context.%s: %v", t.nodes[k].key, err)
			}
			r.Context[t.nodes[k].key] = v
		}
	}
	return c, nil
}

// probeID finds the id of a line that is not valid JSON, if it can.
func probeID(line string) json.RawMessage {
	var probe struct {
		ID json.RawMessage `json:"id"`
	}
	if json.Unmarshal([]byte(line), &probe) == nil {
		return probe.ID
	}
	return nil
}

func (cr *CaseParser) named(dst *NamedPolicy, field, name string) (*NamedPolicy, error) {
	n := cr.t.member(0, field)
	if n < 0 {
		return nil, nil
	}
	p, err := cr.policy(n, func() string { return field })
	if err != nil || p == nil {
		return nil, err
	}
	*dst = NamedPolicy{Name: name, Policy: p}
	return dst, nil
}

func (cr *CaseParser) levels(field, name string) ([][]NamedPolicy, error) {
	t := &cr.t
	n := t.member(0, field)
	if n < 0 || t.nodes[n].kind == jNull {
		return nil, nil
	}
	if t.nodes[n].kind != jArr {
		return nil, fmt.Errorf("%s: must be an array of levels", field)
	}
	out := make([][]NamedPolicy, 0, t.nodes[n].n)
	i := 0
	for l := t.nodes[n].first; l >= 0; l = t.nodes[l].next {
		if t.nodes[l].kind != jArr {
			return nil, fmt.Errorf("%s[%d]: a level must be an array of policies", field, i)
		}
		level := make([]NamedPolicy, 0, t.nodes[l].n)
		j := 0
		for p := t.nodes[l].first; p >= 0; p = t.nodes[p].next {
			pol, err := cr.policy(p, func() string { return field + "[" + strconv.Itoa(i) + "][" + strconv.Itoa(j) + "]" })
			if err != nil {
				return nil, err
			}
			if pol != nil {
				level = append(level, NamedPolicy{Name: indexedName(name, i, j), Policy: pol})
			}
			j++
		}
		out = append(out, level)
		i++
	}
	return out, nil
}

// policy parses a policy given as a JSON object or as a string holding the
// (possibly URL-encoded) document. It returns nil for null. A text met for
// the first time is parsed in place; met again, it is copied, parsed from
// the copy and cached.
func (cr *CaseParser) policy(n int32, field func() string) (*Policy, error) {
	t := &cr.t
	node := &t.nodes[n]
	if node.kind == jNull {
		return nil, nil
	}
	if node.kind != jObj && node.kind != jStr {
		return nil, fmt.Errorf("%s: %w", field(), perr("", "a policy must be a JSON object or a string"))
	}
	raw := t.raw(n)
	h := maphash.String(cr.seed, raw)
	if c, ok := cr.cache[h]; ok && c.text == raw {
		return c.p, nil
	}
	if slot := &cr.seen[h%uint64(len(cr.seen))]; *slot != h {
		*slot = h
		var p *Policy
		var err error
		if node.kind == jObj {
			p, err = parsePolicyNode(t, n)
		} else {
			p, err = parseDoc(&cr.sub, node.s)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field(), err)
		}
		return p, nil
	}
	own := strings.Clone(raw)
	doc := own
	if node.kind == jStr {
		doc = strings.Clone(node.s)
	}
	p, err := parseDoc(&cr.sub, doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field(), err)
	}
	if len(cr.cache) >= 2048 || cr.bytes >= 4<<20 {
		clear(cr.cache)
		cr.bytes = 0
	}
	cr.cache[h] = cached{own, p}
	cr.bytes += len(own)
	return p, nil
}

// indexedName is name[i] (j < 0) or name[i][j], from a table for small
// indexes.
func indexedName(name string, i, j int) string {
	if i < 8 && j < 8 {
		switch name {
		case "identity":
			return identityNames[i]
		case "scp":
			return scpNames[i][max(j, 0)]
		case "rcp":
			return rcpNames[i][max(j, 0)]
		}
	}
	if j < 0 {
		return name + "[" + strconv.Itoa(i) + "]"
	}
	return name + "[" + strconv.Itoa(i) + "][" + strconv.Itoa(j) + "]"
}

var identityNames, scpNames, rcpNames = func() (id [8]string, scp, rcp [8][8]string) {
	for i := range 8 {
		id[i] = "identity[" + strconv.Itoa(i) + "]"
		for j := range 8 {
			idx := "[" + strconv.Itoa(i) + "][" + strconv.Itoa(j) + "]"
			scp[i][j], rcp[i][j] = "scp"+idx, "rcp"+idx
		}
	}
	return
}()

// contextValue reads a context value: a string (single-valued) or an array
// of strings (multivalued). Booleans and numbers are kept as their text.
func contextValue(t *jtree, n int32, singles *[]string) (Value, error) {
	if t.nodes[n].kind == jArr {
		v := Value{Multi: true, Values: make([]string, 0, t.nodes[n].n)}
		for c := t.nodes[n].first; c >= 0; c = t.nodes[c].next {
			s, ok := t.scalar(c)
			if !ok {
				return Value{}, errors.New("a value must be a string or an array of strings")
			}
			v.Values = append(v.Values, s)
		}
		return v, nil
	}
	s, ok := t.scalar(n)
	if !ok {
		return Value{}, errors.New("a value must be a string or an array of strings")
	}
	if b := *singles; len(b) > 0 {
		b[0] = s
		*singles = b[1:]
		return Value{Values: b[:1:1]}, nil
	}
	return Value{Values: []string{s}}, nil
}

// AppendResult appends the result line of a case (without newline):
// {"id":...,"decision":...,"matched":[{"policy":...,"statement":...}]}, with
// "ambiguous":[reason, ...] when the decision depends on an open reading.
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
	b = append(b, ']')
	if len(r.Ambiguous) > 0 {
		b = append(b, `,"ambiguous":[`...)
		for i := range r.Ambiguous {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, r.Ambiguous[i].Reason)
		}
		b = append(b, ']')
	}
	return append(b, '}')
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
	if bytes.IndexAny(id, " \t\r\n") < 0 {
		return append(b, id...) // valid JSON from the parser, already compact
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
