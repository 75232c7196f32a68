package account

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/lambda-doctor/lambda-doctor/internal/limits"
)

// SchemaVersion is the snapshot format this package writes and reads
// (fixtures/snapshot-format.md).
const SchemaVersion = 1

// MaxSnapshotSize is the largest snapshot file LoadSnapshot reads.
var MaxSnapshotSize int64 = 256 << 20

// Snapshot is an offline copy of what a source read from one account and
// region. Roles are stored once and referenced from functions by
// config.role_arn; KMS keys are stored once and referenced by
// config.kms_key_arn and resource_keys; Org applies to every function.
type Snapshot struct {
	SchemaVersion int         `json:"schema_version"`
	CreatedAt     time.Time   `json:"created_at"`
	Source        Origin      `json:"source"`
	Org           *Org        `json:"org,omitempty"`
	Functions     []*Function `json:"functions"`
	Roles         []*Role     `json:"roles"`
	Keys          []*Key      `json:"keys,omitempty"`
}

// Origin says where a snapshot was read from.
type Origin struct {
	Account   string `json:"account,omitempty"`
	Region    string `json:"region,omitempty"`
	Partition string `json:"partition,omitempty"`
	Caller    string `json:"caller,omitempty"` // ARN of the identity that read it
	// WrittenBy is the program that wrote the snapshot, with its version
	// ("lambda-doctor 1.2.3 (commit abc1234, 2026-12-04, go1.26.8)").
	WrittenBy string `json:"written_by,omitempty"`
}

// NewSnapshot builds a snapshot of functions: their roles are collected
// once each (by ARN), their Org is the snapshot's, and everything is sorted
// so that two snapshots of the same account differ only where it changed.
func NewSnapshot(origin Origin, functions []*Function) *Snapshot {
	s := &Snapshot{SchemaVersion: SchemaVersion, CreatedAt: time.Now().UTC().Truncate(time.Second), Source: origin}
	roles := map[string]*Role{}
	keys := map[string]*Key{}
	seen := map[string]bool{}
	for _, f := range functions {
		if f == nil || seen[f.ARN] {
			continue
		}
		seen[f.ARN] = true
		s.Functions = append(s.Functions, f)
		for _, k := range f.Keys {
			if k != nil && keys[k.ARN] == nil {
				keys[k.ARN] = k
			}
		}
		if f.Role != nil {
			roles[f.Role.ARN] = f.Role
		}
		for _, t := range f.Triggers {
			if t.Role != nil {
				roles[t.Role.ARN] = t.Role
			}
		}
		if f.Org != nil && s.Org == nil {
			s.Org = f.Org
		}
	}
	for _, r := range roles {
		s.Roles = append(s.Roles, r)
	}
	for _, k := range keys {
		s.Keys = append(s.Keys, k)
	}
	sort.SliceStable(s.Functions, func(i, j int) bool { return s.Functions[i].ARN < s.Functions[j].ARN })
	sort.Slice(s.Roles, func(i, j int) bool { return s.Roles[i].ARN < s.Roles[j].ARN })
	sortKeys(s.Keys)
	return s
}

// WriteSnapshot writes s as indented JSON, functions sorted by ARN and roles
// by ARN. Environment values and code locations are not in the model, so
// they cannot be written.
func WriteSnapshot(w io.Writer, s *Snapshot) error {
	sw, err := NewSnapshotWriter(w, s.Source, s.Org, s.CreatedAt)
	if err != nil {
		return err
	}
	fns := append([]*Function(nil), s.Functions...)
	sort.SliceStable(fns, func(i, j int) bool { return fns[i].ARN < fns[j].ARN })
	for _, f := range fns {
		if err := sw.Add(f); err != nil {
			return err
		}
	}
	for _, r := range s.Roles {
		sw.addRole(r)
	}
	for _, k := range s.Keys {
		sw.addKey(k)
	}
	return sw.Close()
}

// SnapshotWriter writes a snapshot one function at a time, so that a large
// account need not be held in memory: functions first, in the order added,
// then every role they referenced, once each, sorted by ARN, then every KMS
// key, likewise.
type SnapshotWriter struct {
	w     io.Writer
	n     int
	roles map[string]*Role
	keys  map[string]*Key
	err   error
}

// NewSnapshotWriter writes the snapshot header. createdAt zero means now.
func NewSnapshotWriter(w io.Writer, origin Origin, org *Org, createdAt time.Time) (*SnapshotWriter, error) {
	if createdAt.IsZero() {
		createdAt = time.Now().UTC().Truncate(time.Second)
	}
	sw := &SnapshotWriter{w: w, roles: map[string]*Role{}, keys: map[string]*Key{}}
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\n  \"schema_version\": %d,\n  \"created_at\": %s,\n  \"source\": %s,\n",
		SchemaVersion, marshalNoEscape(createdAt.UTC()), indentJSON(marshalNoEscape(origin), "  "))
	if org != nil {
		fmt.Fprintf(&b, "  \"org\": %s,\n", indentJSON(marshalNoEscape(org), "  "))
	}
	b.WriteString("  \"functions\": [")
	_, sw.err = w.Write(b.Bytes())
	return sw, sw.err
}

// Add writes one function and remembers its role.
func (sw *SnapshotWriter) Add(f *Function) error {
	if sw.err != nil {
		return sw.err
	}
	sep := "\n    "
	if sw.n > 0 {
		sep = ",\n    "
	}
	sw.n++
	_, sw.err = io.WriteString(sw.w, sep+string(indentJSON(marshalNoEscape(f), "    ")))
	if f.Role != nil {
		sw.addRole(f.Role)
	}
	for _, t := range f.Triggers {
		sw.addRole(t.Role)
	}
	for _, k := range f.Keys {
		sw.addKey(k)
	}
	return sw.err
}

func (sw *SnapshotWriter) addKey(k *Key) {
	if k != nil {
		if _, ok := sw.keys[k.ARN]; !ok {
			sw.keys[k.ARN] = k
		}
	}
}

func (sw *SnapshotWriter) addRole(r *Role) {
	if r != nil {
		if _, ok := sw.roles[r.ARN]; !ok {
			sw.roles[r.ARN] = r
		}
	}
}

// Close writes the roles and ends the document.
func (sw *SnapshotWriter) Close() error {
	if sw.err != nil {
		return sw.err
	}
	var b bytes.Buffer
	if sw.n > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("],\n  \"roles\": [")
	arns := make([]string, 0, len(sw.roles))
	for a := range sw.roles {
		arns = append(arns, a)
	}
	sort.Strings(arns)
	for i, a := range arns {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    ")
		b.Write(indentJSON(marshalNoEscape(sw.roles[a]), "    "))
	}
	if len(arns) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]")
	if len(sw.keys) > 0 {
		// Written only when there are keys, so that a snapshot without any
		// reads exactly as before.
		karns := make([]string, 0, len(sw.keys))
		for a := range sw.keys {
			karns = append(karns, a)
		}
		sort.Strings(karns)
		b.WriteString(",\n  \"keys\": [")
		for i, a := range karns {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString("\n    ")
			b.Write(indentJSON(marshalNoEscape(sw.keys[a]), "    "))
		}
		b.WriteString("\n  ]")
	}
	b.WriteString("\n}\n")
	_, sw.err = sw.w.Write(b.Bytes())
	if sw.err == nil {
		sw.err = errors.New("snapshot writer closed")
		return nil
	}
	return sw.err
}

func indentJSON(b []byte, prefix string) []byte {
	var out bytes.Buffer
	if err := json.Indent(&out, b, prefix, "  "); err != nil {
		return b
	}
	return out.Bytes()
}

// SnapshotSource is a Source that reads a snapshot.
type SnapshotSource struct {
	snap   *Snapshot
	byName map[string]*Function
	byARN  map[string]*Function
}

// Snapshot returns the snapshot the source reads.
func (s *SnapshotSource) Snapshot() *Snapshot { return s.snap }

// Key returns the snapshot's KMS key with ARN arn.
func (s *SnapshotSource) Key(ctx context.Context, arn string) (*Key, error) {
	for _, k := range s.snap.Keys {
		if k.ARN == arn {
			return k, nil
		}
	}
	return nil, fmt.Errorf("KMS key %s is not in the snapshot: %w", arn, ErrNotFound)
}

// Function returns the function named by name, ARN, or either with a
// qualifier (an alias, a version or $LATEST of the function).
func (s *SnapshotSource) Function(ctx context.Context, name string) (*Function, error) {
	base, qual := SplitQualifier(name)
	f := s.byName[base]
	if f == nil {
		f = s.byARN[base]
	}
	if f == nil {
		return nil, fmt.Errorf("function %s is not in the snapshot: %w", base, ErrNotFound)
	}
	if qual != "" && !f.HasQualifier(qual) {
		return nil, fmt.Errorf("function %s has no alias or version %q in the snapshot: %w", base, qual, ErrNotFound)
	}
	return f, nil
}

// FunctionNames returns the names of the snapshot's functions, sorted.
func (s *SnapshotSource) FunctionNames(ctx context.Context) ([]string, error) {
	names := make([]string, 0, len(s.snap.Functions))
	for _, f := range s.snap.Functions {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	return names, nil
}

// SplitQualifier splits "name:qual" or "arn:...:function:name:qual" into
// the unqualified name or ARN and the qualifier ("" if none).
func SplitQualifier(name string) (base, qualifier string) {
	if strings.HasPrefix(name, "arn:") {
		parts := strings.Split(name, ":")
		if len(parts) == 8 {
			return strings.Join(parts[:7], ":"), parts[7]
		}
		return name, ""
	}
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return name, ""
}

// HasQualifier reports whether q is $LATEST, an alias of f, or a version
// the model knows about (an alias target or a qualified resource policy).
func (f *Function) HasQualifier(q string) bool {
	if q == "$LATEST" || q == "" {
		return true
	}
	for _, a := range f.Aliases {
		if a.Name == q || a.FunctionVersion == q {
			return true
		}
	}
	for _, p := range f.ResourcePolicies {
		if p.Qualifier == q {
			return true
		}
	}
	for _, u := range f.URLConfigs {
		if u.Qualifier == q {
			return true
		}
	}
	for _, v := range f.Versions {
		if v == q {
			return true
		}
	}
	// A snapshot without the version list cannot tell; accept a number.
	return len(f.Versions) == 0 && isDigits(q)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// LoadSnapshot reads a snapshot file. A file that is not a valid snapshot
// of a supported version gives an *InputError saying where and why.
func LoadSnapshot(path string) (*SnapshotSource, error) {
	return LoadSnapshotLimit(path, MaxSnapshotSize, "")
}

// LoadSnapshotLimit is LoadSnapshot with a limit of max bytes; flag names
// the flag that raises it, for the error. A larger file, a directory or
// binary data (a NUL byte: /dev/zero, /dev/urandom) is an *InputError for
// "--snapshot" wrapping the reason (*limits.TooLargeError,
// *limits.NotTextError), found without reading more than the limit.
func LoadSnapshotLimit(path string, max int64, flag string) (*SnapshotSource, error) {
	data, err := limits.ReadTextFile(path, max, flag)
	if err != nil {
		var tl *limits.TooLargeError
		var nt *limits.NotTextError
		switch {
		case errors.As(err, &tl):
			tl.What = "snapshot " + path
		case errors.As(err, &nt):
			nt.What = "snapshot " + path
		}
		// The error names the file already (open FILE: ...).
		return nil, &InputError{Source: "--snapshot", Err: err}
	}
	snap, err := ParseSnapshot(data)
	if err != nil {
		return nil, &InputError{Source: path, Err: err}
	}
	return NewSnapshotSource(snap), nil
}

// NewSnapshotSource serves a snapshot already in memory (resolved: every
// function's Role and Org set).
func NewSnapshotSource(snap *Snapshot) *SnapshotSource {
	s := &SnapshotSource{snap: snap, byName: map[string]*Function{}, byARN: map[string]*Function{}}
	for _, f := range snap.Functions {
		s.byName[f.Name] = f
		s.byARN[f.ARN] = f
	}
	return s
}

// ParseSnapshot decodes and checks a snapshot document and resolves each
// function's Role (by config.role_arn) and Org.
func ParseSnapshot(data []byte) (*Snapshot, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the file is empty, not a lambda-doctor snapshot")
	}
	// Syntax first, for an exact position.
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			if se.Offset >= int64(len(bytes.TrimRight(data, " \t\r\n"))) {
				return nil, fmt.Errorf("truncated: the JSON ends at %s before the snapshot is complete", position(data, se.Offset))
			}
			return nil, fmt.Errorf("not valid JSON at %s: %v", position(data, se.Offset-1), se)
		}
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if t := bytes.TrimSpace(data); t[0] != '{' {
		return nil, errors.New("not a lambda-doctor snapshot: the file is not a JSON object")
	}
	var ver struct {
		V *json.RawMessage `json:"schema_version"`
	}
	_ = json.Unmarshal(data, &ver)
	if ver.V == nil {
		return nil, fmt.Errorf("not a lambda-doctor snapshot: no \"schema_version\" (expected %d)", SchemaVersion)
	}
	var v int
	if err := json.Unmarshal(*ver.V, &v); err != nil || v != SchemaVersion {
		return nil, fmt.Errorf("schema_version %s is not supported: this lambda-doctor reads schema_version %d", *ver.V, SchemaVersion)
	}

	snap := &Snapshot{}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // '{'
		return nil, err
	}
	seen := map[string]bool{}
	for dec.More() {
		keyOff := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key := tok.(string)
		if seen[key] {
			return nil, fmt.Errorf("%q appears twice, at %s", key, position(data, skipSpace(data, keyOff)))
		}
		seen[key] = true
		valOff := skipSpace(data, dec.InputOffset())
		switch key {
		case "schema_version":
			err = dec.Decode(&snap.SchemaVersion)
		case "created_at":
			err = dec.Decode(&snap.CreatedAt)
		case "source":
			var r json.RawMessage
			if err = dec.Decode(&r); err == nil {
				err = decodeStrict(r, &snap.Source)
			}
		case "org":
			var r json.RawMessage
			if err = dec.Decode(&r); err == nil {
				err = decodeStrict(r, &snap.Org)
			}
		case "functions":
			err = decodeArray(dec, data, "functions", func(r json.RawMessage) error {
				f := &Function{}
				if err := decodeStrict(r, f); err != nil {
					return err
				}
				snap.Functions = append(snap.Functions, f)
				return nil
			})
		case "roles":
			err = decodeArray(dec, data, "roles", func(r json.RawMessage) error {
				ro := &Role{}
				if err := decodeStrict(r, ro); err != nil {
					return err
				}
				snap.Roles = append(snap.Roles, ro)
				return nil
			})
		case "keys":
			err = decodeArray(dec, data, "keys", func(r json.RawMessage) error {
				k := &Key{}
				if err := decodeStrict(r, k); err != nil {
					return err
				}
				snap.Keys = append(snap.Keys, k)
				return nil
			})
		default:
			return nil, fmt.Errorf("unknown field %q at %s (schema_version %d has schema_version, created_at, source, org, functions, roles, keys)",
				key, position(data, skipSpace(data, keyOff)), SchemaVersion)
		}
		if err != nil {
			var pe *posError
			if errors.As(err, &pe) {
				return nil, err
			}
			return nil, fmt.Errorf("%q at %s: %v", key, position(data, valOff), cleanJSONError(err))
		}
	}
	if err := snap.resolve(); err != nil {
		return nil, err
	}
	return snap, nil
}

// posError is an error already located in the file.
type posError struct{ msg string }

func (e *posError) Error() string { return e.msg }

func decodeArray(dec *json.Decoder, data []byte, key string, each func(json.RawMessage) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil { // null
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("must be a list, not %v", tok)
	}
	for i := 0; dec.More(); i++ {
		off := skipSpace(data, dec.InputOffset())
		var r json.RawMessage
		if err := dec.Decode(&r); err != nil {
			return err
		}
		if err := each(r); err != nil {
			return &posError{fmt.Sprintf("%s[%d]%s at %s: %v", key, i, nameOf(r), position(data, off), cleanJSONError(err))}
		}
	}
	_, err = dec.Token() // ']'
	return err
}

// nameOf returns ` ("NAME")` for an element with a name or arn, for messages.
func nameOf(r json.RawMessage) string {
	var n struct {
		Name string `json:"name"`
		ARN  string `json:"arn"`
	}
	_ = json.Unmarshal(r, &n)
	switch {
	case n.Name != "":
		return fmt.Sprintf(" (%q)", n.Name)
	case n.ARN != "":
		return fmt.Sprintf(" (%q)", n.ARN)
	}
	return ""
}

func cleanJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		where := te.Field
		if where == "" {
			where = "value"
		}
		return fmt.Sprintf("%s: a JSON %s where %s is expected", where, te.Value, te.Type)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
		off++
	}
	return off
}

// position renders a byte offset as "line L, column C (byte N)".
func position(data []byte, off int64) string {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Sprintf("line %d, column %d (byte %d)", line, col, off)
}

// resolve checks references and sets each function's Role and Org.
func (s *Snapshot) resolve() error {
	roles := map[string]*Role{}
	for i, r := range s.Roles {
		if r.ARN == "" {
			return fmt.Errorf("roles[%d]: no arn", i)
		}
		if roles[r.ARN] != nil {
			return fmt.Errorf("roles[%d]: role %s appears twice", i, r.ARN)
		}
		roles[r.ARN] = r
	}
	keys := map[string]*Key{}
	for i, k := range s.Keys {
		if !strings.HasPrefix(k.ARN, "arn:") || !strings.HasPrefix(ARNField(k.ARN, 5), "key/") {
			return fmt.Errorf("keys[%d]: arn %q is not a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/ID)", i, k.ARN)
		}
		if keys[k.ARN] != nil {
			return fmt.Errorf("keys[%d]: key %s appears twice", i, k.ARN)
		}
		keys[k.ARN] = k
	}
	names := map[string]bool{}
	for i, f := range s.Functions {
		if f.Name == "" || f.ARN == "" {
			return fmt.Errorf("functions[%d]: a function needs a name and an arn", i)
		}
		if names[f.Name] {
			return fmt.Errorf("functions[%d]: function %q appears twice", i, f.Name)
		}
		names[f.Name] = true
		if f.Config.Logging.LogGroup == "" {
			f.Config.Logging.LogGroup = "/aws/lambda/" + f.Name
		}
		f.Org = s.Org
		f.Keys = nil
		for _, a := range f.KeyARNs() {
			if k := keys[a]; k != nil {
				f.Keys = append(f.Keys, k) // a key not in "keys" was not read
			}
		}
		for j := range f.Triggers {
			if a := f.Triggers[j].RoleARN; a != "" {
				f.Triggers[j].Role = roles[a] // nil: the invoking role was not read
			}
		}
		if f.Config.RoleARN == "" {
			continue
		}
		f.Role = roles[f.Config.RoleARN]
		if f.Role == nil && !f.unseenRole(f.Config.RoleARN) {
			return fmt.Errorf("functions[%d] (%q): config.role_arn %s is not in \"roles\", and no \"unseen\" entry for iam:GetRole says why",
				i, f.Name, f.Config.RoleARN)
		}
	}
	return nil
}

// unseenRole reports whether f has an unseen iam:GetRole entry for role arn
// (or for no resource): an entry for an invoking role says nothing of the
// execution role.
func (f *Function) unseenRole(arn string) bool {
	for _, u := range f.Unseen {
		if u.Operation == "iam:GetRole" && (u.Resource == arn || u.Resource == "") {
			return true
		}
	}
	return false
}
