package template

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// noValue is what AWS::NoValue evaluates to: the property is removed.
var noValue = &node{kind: kNull, str: "AWS::NoValue"}

// tri is a condition's value: true, false, or unknown (it depends on an
// unknown value).
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

type param struct {
	name  string
	typ   string
	value *node // evaluated: a string, or a list for list types
	decl  *node
}

// eval evaluates the intrinsic functions of n. path names n in errors.
func (t *tmpl) eval(n *node, path string) (*node, error) {
	return t.evalDepth(n, path, 0)
}

func (t *tmpl) evalDepth(n *node, path string, depth int) (*node, error) {
	if n == nil {
		return nil, nil
	}
	if depth > maxDepth {
		return nil, t.errAt(n, path, "values nested more than %d deep", maxDepth)
	}
	t.steps++
	if t.steps > maxSteps {
		return nil, t.errAt(n, path, "evaluating the template takes more than %d steps", maxSteps)
	}
	if fn, arg, ok := n.intrinsic(); ok {
		if fn == "Condition" {
			// {"Condition": name} is an intrinsic only inside conditions;
			// elsewhere it is an ordinary key (a resource's Condition).
			v, err := t.evalDepth(arg, path+".Condition", depth+1)
			if err != nil {
				return nil, err
			}
			out := newMap().set("Condition", v)
			out.line, out.col = n.line, n.col
			return out, nil
		}
		v, err := t.call(fn, arg, n, path+"."+fn, depth)
		if err != nil {
			return nil, err
		}
		if v != noValue && v != nil && v.line == 0 {
			v = v.clone().at(n.line, n.col)
		}
		return v, nil
	}
	switch n.kind {
	case kString:
		if strings.Contains(n.str, "{{resolve:") {
			return t.dynamicRefs(n, path), nil
		}
		return n, nil
	case kList:
		out := &node{kind: kList, line: n.line, col: n.col}
		for i, it := range n.list {
			v, err := t.evalDepth(it, fmt.Sprintf("%s[%d]", path, i), depth+1)
			if err != nil {
				return nil, err
			}
			if v != noValue {
				out.list = append(out.list, v)
			}
		}
		return out, nil
	case kMap:
		out := &node{kind: kMap, line: n.line, col: n.col}
		for i, k := range n.keys {
			v, err := t.evalDepth(n.vals[i], path+"."+k, depth+1)
			if err != nil {
				return nil, err
			}
			if v != noValue {
				out.keys = append(out.keys, k)
				out.vals = append(out.vals, v)
			}
		}
		return out, nil
	}
	return n, nil
}

// maxSteps bounds the work of evaluating one template.
const maxSteps = 2_000_000

var dynamicRef = regexp.MustCompile(`\{\{resolve:([^}]*)\}\}`)

// dynamicRefs replaces each dynamic reference ({{resolve:ssm:NAME}},
// {{resolve:secretsmanager:...}}) by an unknown marker: its value is read at
// deploy time.
func (t *tmpl) dynamicRefs(n *node, path string) *node {
	s := dynamicRef.ReplaceAllStringFunc(n.str, func(m string) string {
		ref := dynamicRef.FindStringSubmatch(m)[1]
		return t.unknown("Resolve", ref, n, path)
	})
	return &node{kind: kString, str: s, line: n.line, col: n.col}
}

// markerDetail keeps what may stand inside a marker.
func markerDetail(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() > 100 {
		return b.String()[:100]
	}
	return b.String()
}

// unknown records a value from outside the template and returns its marker.
func (t *tmpl) unknown(kind, name string, at *node, path string) string {
	marker := account.UnknownPrefix + kind + "." + markerDetail(name) + account.MarkerEnd
	if kind == "Pseudo" {
		marker = account.UnknownPrefix + markerDetail(strings.ReplaceAll(name, "::", "-")) + account.MarkerEnd
	}
	if !t.unknownSeen[marker] {
		t.unknownSeen[marker] = true
		u := Unknown{Marker: marker, Kind: kind, Name: name, Path: path, Location: account.Location{File: t.file}}
		if at != nil {
			u.Location.Line, u.Location.Column = at.line, at.col
		}
		if r := t.current; r != nil {
			u.Location.LogicalID = r.id
		}
		t.unknowns = append(t.unknowns, u)
	}
	return marker
}

// markerSpan matches one marker.
var markerSpan = regexp.MustCompile(`\{\{(?:unknown|generated)\.[A-Za-z0-9._-]*\}\}`)

// splitKeepingMarkers splits s at delim outside markers: a marker stays
// whole (its dots and dashes are not the value's).
func splitKeepingMarkers(s, delim string) []string {
	spans := markerSpan.FindAllStringIndex(s, -1)
	if len(spans) == 0 {
		return strings.Split(s, delim)
	}
	var parts []string
	cur := ""
	prev := 0
	for _, sp := range spans {
		pieces := strings.Split(s[prev:sp[0]], delim)
		pieces[0] = cur + pieces[0]
		parts = append(parts, pieces[:len(pieces)-1]...)
		cur = pieces[len(pieces)-1] + s[sp[0]:sp[1]]
		prev = sp[1]
	}
	pieces := strings.Split(s[prev:], delim)
	pieces[0] = cur + pieces[0]
	return append(parts, pieces...)
}

// derived returns the marker of a value computed from a marked one (an
// item of a list of unknown length): unknown when from holds an unknown,
// else generated.
func (t *tmpl) derived(from string, at *node, path string) string {
	if account.HasUnknown(from) {
		return t.unknown("Derived", path, at, path)
	}
	return generated("Derived", path)
}

// generated returns the marker of a value CloudFormation assigns at deploy.
func generated(kind, id string) string {
	return account.GeneratedPrefix + kind + "." + markerDetail(id) + account.MarkerEnd
}

func (t *tmpl) call(fn string, arg, at *node, path string, depth int) (*node, error) {
	switch fn {
	case "Ref":
		if !arg.scalar() {
			a, err := t.evalDepth(arg, path, depth+1)
			if err != nil {
				return nil, err
			}
			if !a.scalar() {
				return nil, t.errAt(at, path, "Ref takes a name, not a %s", a.kind)
			}
			arg = a
		}
		return t.ref(arg.str, at, path)
	case "Fn::GetAtt":
		return t.getAtt(arg, at, path, depth)
	case "Fn::Sub":
		return t.sub(arg, at, path, depth)
	case "Fn::Join":
		return t.join(arg, at, path, depth)
	case "Fn::If":
		return t.fnIf(arg, at, path, depth)
	case "Fn::Select":
		return t.fnSelect(arg, at, path, depth)
	case "Fn::Split":
		a, err := t.args(arg, 2, at, path, depth)
		if err != nil {
			return nil, err
		}
		if !a[0].scalar() || !a[1].scalar() {
			return nil, t.errAt(at, path, "Fn::Split takes a delimiter and a string")
		}
		if a[0].str == "" {
			return nil, t.errAt(at, path, "Fn::Split: empty delimiter")
		}
		// A string with an unknown part splits into an unknown number of
		// parts: the list is open.
		out := &node{kind: kList, open: account.HasMarker(a[1].str)}
		for _, p := range splitKeepingMarkers(a[1].str, a[0].str) {
			out.list = append(out.list, str(p))
		}
		return out, nil
	case "Fn::FindInMap":
		return t.findInMap(arg, at, path, depth)
	case "Fn::ImportValue":
		a, err := t.evalDepth(arg, path, depth+1)
		if err != nil {
			return nil, err
		}
		if !a.scalar() {
			return nil, t.errAt(at, path, "Fn::ImportValue takes the name of an export")
		}
		if v, ok := t.opts.Exports[a.str]; ok && !account.HasMarker(a.str) {
			t.fill("ImportValue", a.str)
			return str(v), nil
		}
		return str(t.unknown("ImportValue", a.str, at, path)), nil
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		v, err := t.condFn(fn, arg, at, path, depth)
		if err != nil {
			return nil, err
		}
		switch v {
		case triTrue:
			return &node{kind: kBool, str: "true"}, nil
		case triFalse:
			return &node{kind: kBool, str: "false"}, nil
		}
		return str(t.unknown("Condition", strings.TrimPrefix(fn, "Fn::"), at, path)), nil
	case "Fn::GetAZs":
		a, err := t.evalDepth(arg, path, depth+1)
		if err != nil {
			return nil, err
		}
		region := a.text()
		if region == "" {
			region = t.region()
		}
		// The zones of a region are the account's: unknown here.
		return listOf(str(t.unknown("GetAZs", region, at, path))), nil
	case "Fn::Base64":
		a, err := t.evalDepth(arg, path, depth+1)
		if err != nil {
			return nil, err
		}
		if !a.scalar() {
			return nil, t.errAt(at, path, "Fn::Base64 takes a string")
		}
		if account.HasMarker(a.str) {
			return a, nil
		}
		return str(base64.StdEncoding.EncodeToString([]byte(a.str))), nil
	case "Fn::Cidr":
		return t.cidr(arg, at, path, depth)
	case "Fn::Length":
		a, err := t.evalDepth(arg, path, depth+1)
		if err != nil {
			return nil, err
		}
		if a.kind != kList {
			return nil, t.errAt(at, path, "Fn::Length takes a list")
		}
		return &node{kind: kNumber, str: strconv.Itoa(len(a.list))}, nil
	case "Fn::ToJsonString":
		a, err := t.evalDepth(arg, path, depth+1)
		if err != nil {
			return nil, err
		}
		return str(a.toJSON()), nil
	case "Fn::Transform":
		return str(t.unknown("Transform", transformName(arg), at, path)), nil
	case "Fn::ForEach":
		return nil, t.errAt(at, path, "Fn::ForEach (AWS::LanguageExtensions) is not supported")
	}
	return nil, t.errAt(at, path, "unknown intrinsic function %s", fn)
}

func transformName(arg *node) string {
	if n := arg.get("Name"); n.scalar() {
		return n.str
	}
	return "transform"
}

// args evaluates a list argument of exactly n items.
func (t *tmpl) args(arg *node, n int, at *node, path string, depth int) ([]*node, error) {
	if arg == nil || arg.kind != kList || len(arg.list) != n {
		return nil, t.errAt(at, path, "takes a list of %d arguments", n)
	}
	out := make([]*node, n)
	for i, it := range arg.list {
		v, err := t.evalDepth(it, fmt.Sprintf("%s[%d]", path, i), depth+1)
		if err != nil {
			return nil, err
		}
		if v == noValue {
			return nil, t.errAt(it, path, "AWS::NoValue is not a value here")
		}
		out[i] = v
	}
	return out, nil
}

// ref evaluates {"Ref": name}.
func (t *tmpl) ref(name string, at *node, path string) (*node, error) {
	if strings.HasPrefix(name, "AWS::") {
		return t.pseudo(name, at, path)
	}
	if p := t.params[name]; p != nil {
		return p.value, nil
	}
	if r := t.resources[name]; r != nil {
		return t.refResource(r, at, path)
	}
	if id, ok := t.samRefs[name]; ok {
		return t.refResource(t.resources[id], at, path)
	}
	return nil, t.errAt(at, path, "Ref to %q: no parameter or resource of that name", name)
}

func (t *tmpl) region() string {
	if t.opts.Region != "" {
		return t.opts.Region
	}
	return t.unknown("Pseudo", "AWS::Region", nil, "AWS::Region")
}

func (t *tmpl) accountID() string {
	if t.opts.Account != "" {
		return t.opts.Account
	}
	return t.unknown("Pseudo", "AWS::AccountId", nil, "AWS::AccountId")
}

func (t *tmpl) partition() string { return t.part }

func (t *tmpl) pseudo(name string, at *node, path string) (*node, error) {
	switch name {
	case "AWS::Region":
		if t.opts.Region != "" {
			return str(t.opts.Region), nil
		}
		return str(t.unknown("Pseudo", name, at, path)), nil
	case "AWS::AccountId":
		if t.opts.Account != "" {
			return str(t.opts.Account), nil
		}
		return str(t.unknown("Pseudo", name, at, path)), nil
	case "AWS::Partition":
		return str(t.part), nil
	case "AWS::URLSuffix":
		return str(urlSuffix(t.part)), nil
	case "AWS::StackName":
		if t.opts.StackName != "" {
			return str(t.opts.StackName), nil
		}
		return str(t.unknown("Pseudo", name, at, path)), nil
	case "AWS::StackId":
		return str(t.unknown("Pseudo", name, at, path)), nil
	case "AWS::NotificationARNs":
		return listOf(str(t.unknown("Pseudo", name, at, path))), nil
	case "AWS::NoValue":
		return noValue, nil
	}
	return nil, t.errAt(at, path, "unknown pseudo parameter %s", name)
}

func (t *tmpl) getAtt(arg, at *node, path string, depth int) (*node, error) {
	if arg.scalar() {
		// "Fn::GetAtt": "RESOURCE.ATTRIBUTE" is accepted as the short form is.
		if res, attr, ok := strings.Cut(arg.str, "."); ok {
			arg = &node{kind: kList, list: []*node{str(res), str(attr)}, line: arg.line, col: arg.col}
		}
	}
	if arg == nil || arg.kind != kList || len(arg.list) != 2 {
		return nil, t.errAt(at, path, "Fn::GetAtt takes [RESOURCE, ATTRIBUTE]")
	}
	res := arg.list[0]
	if !res.scalar() {
		return nil, t.errAt(at, path, "Fn::GetAtt: the resource must be a logical id")
	}
	attr, err := t.evalDepth(arg.list[1], path, depth+1)
	if err != nil {
		return nil, err
	}
	if !attr.scalar() {
		return nil, t.errAt(at, path, "Fn::GetAtt: the attribute must be a string")
	}
	r := t.resources[res.str]
	if r == nil {
		return nil, t.errAt(at, path, "Fn::GetAtt of %q: no resource of that name", res.str)
	}
	return t.attResource(r, attr.str, at, path)
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (t *tmpl) sub(arg, at *node, path string, depth int) (*node, error) {
	var text *node
	vars := map[string]*node{}
	switch {
	case arg.scalar():
		text = arg
	case arg != nil && arg.kind == kList && len(arg.list) == 2:
		text = arg.list[0]
		m := arg.list[1]
		if m.kind != kMap {
			return nil, t.errAt(at, path, "Fn::Sub: the second argument must be a map of variables")
		}
		for i, k := range m.keys {
			v, err := t.evalDepth(m.vals[i], path+"."+k, depth+1)
			if err != nil {
				return nil, err
			}
			vars[k] = v
		}
	default:
		return nil, t.errAt(at, path, "Fn::Sub takes a string, or [string, {variables}]")
	}
	if !text.scalar() {
		return nil, t.errAt(at, path, "Fn::Sub: the text must be a string")
	}
	var failed error
	out := subVar.ReplaceAllStringFunc(text.str, func(m string) string {
		if failed != nil {
			return m
		}
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		name = strings.TrimSpace(name)
		var v *node
		var err error
		if x, ok := vars[name]; ok {
			v = x
		} else if id, ok := t.samRefs[name]; ok {
			v, err = t.refResource(t.resources[id], at, path)
		} else if res, attr, ok := strings.Cut(name, "."); ok && t.resources[res] != nil {
			v, err = t.attResource(t.resources[res], attr, at, path)
		} else {
			v, err = t.ref(name, at, path)
		}
		if err != nil {
			failed = err
			return m
		}
		if v == noValue {
			failed = t.errAt(at, path, "Fn::Sub: ${%s} is AWS::NoValue", name)
			return m
		}
		if !v.scalar() {
			failed = t.errAt(at, path, "Fn::Sub: ${%s} is a %s, not a string", name, v.kind)
			return m
		}
		return v.str
	})
	if failed != nil {
		return nil, failed
	}
	n := &node{kind: kString, str: out}
	if strings.Contains(out, "{{resolve:") {
		return t.dynamicRefs(n.at(at.line, at.col), path), nil
	}
	return n, nil
}

func (t *tmpl) join(arg, at *node, path string, depth int) (*node, error) {
	if arg == nil || arg.kind != kList || len(arg.list) != 2 {
		return nil, t.errAt(at, path, "Fn::Join takes [DELIMITER, [VALUES]]")
	}
	delim, err := t.evalDepth(arg.list[0], path, depth+1)
	if err != nil {
		return nil, err
	}
	if !delim.scalar() {
		return nil, t.errAt(at, path, "Fn::Join: the delimiter must be a string")
	}
	items, err := t.evalDepth(arg.list[1], path, depth+1)
	if err != nil {
		return nil, err
	}
	if items.scalar() && account.HasMarker(items.str) {
		return str(t.derived(items.str, at, path)), nil // a list attribute not known here
	}
	if items == nil || items.kind != kList {
		return nil, t.errAt(at, path, "Fn::Join: the values must be a list")
	}
	parts := make([]string, 0, len(items.list))
	for _, it := range items.list {
		if !it.scalar() {
			return nil, t.errAt(at, path, "Fn::Join: a value is a %s, not a string", it.kind)
		}
		parts = append(parts, it.str)
	}
	return str(strings.Join(parts, delim.str)), nil
}

func (t *tmpl) fnIf(arg, at *node, path string, depth int) (*node, error) {
	if arg == nil || arg.kind != kList || len(arg.list) != 3 || !arg.list[0].scalar() {
		return nil, t.errAt(at, path, "Fn::If takes [CONDITION, VALUE_IF_TRUE, VALUE_IF_FALSE]")
	}
	c, err := t.condition(arg.list[0].str, arg.list[0], path)
	if err != nil {
		return nil, err
	}
	switch c {
	case triTrue:
		return t.evalDepth(arg.list[1], path+"[1]", depth+1)
	case triFalse:
		return t.evalDepth(arg.list[2], path+"[2]", depth+1)
	}
	a, err := t.evalDepth(arg.list[1], path+"[1]", depth+1)
	if err != nil {
		return nil, err
	}
	b, err := t.evalDepth(arg.list[2], path+"[2]", depth+1)
	if err != nil {
		return nil, err
	}
	if a != noValue && b != noValue && a.toJSON() == b.toJSON() {
		return a, nil
	}
	return str(t.unknown("Condition", arg.list[0].str, at, path)), nil
}

func (t *tmpl) fnSelect(arg, at *node, path string, depth int) (*node, error) {
	a, err := t.args(arg, 2, at, path, depth)
	if err != nil {
		return nil, err
	}
	if !a[0].scalar() {
		return nil, t.errAt(at, path, "Fn::Select: the index must be a number")
	}
	if a[1].scalar() && account.HasMarker(a[1].str) {
		return str(t.derived(a[1].str, at, path)), nil // a list attribute not known here
	}
	if a[1].kind != kList {
		return nil, t.errAt(at, path, "Fn::Select: the second argument must be a list")
	}
	if account.HasMarker(a[0].str) {
		return str(a[0].str), nil
	}
	i, err := strconv.Atoi(a[0].str)
	if err != nil || i < 0 {
		return nil, t.errAt(at, path, "Fn::Select: index %q is not a number", a[0].str)
	}
	if i >= len(a[1].list) {
		// A list with one unknown item (the zones of a region) stands for
		// a list of unknown length.
		if a[1].open || len(a[1].list) == 1 && a[1].list[0].scalar() && account.HasUnknown(a[1].list[0].str) {
			return str(t.derived(a[1].toJSON(), at, path)), nil
		}
		return nil, t.errAt(at, path, "Fn::Select: index %d is past the end of a list of %d", i, len(a[1].list))
	}
	return a[1].list[i], nil
}

func (t *tmpl) findInMap(arg, at *node, path string, depth int) (*node, error) {
	if arg == nil || arg.kind != kList || (len(arg.list) != 3 && len(arg.list) != 4) {
		return nil, t.errAt(at, path, "Fn::FindInMap takes [MAP, TOP_KEY, SECOND_KEY]")
	}
	keys := make([]string, 3)
	for i := 0; i < 3; i++ {
		v, err := t.evalDepth(arg.list[i], fmt.Sprintf("%s[%d]", path, i), depth+1)
		if err != nil {
			return nil, err
		}
		if !v.scalar() {
			return nil, t.errAt(arg.list[i], path, "Fn::FindInMap: key %d must be a string", i+1)
		}
		keys[i] = v.str
	}
	var def *node
	if len(arg.list) == 4 {
		d := arg.list[3].get("DefaultValue")
		if d == nil {
			return nil, t.errAt(at, path, "Fn::FindInMap: the fourth argument must be {DefaultValue: ...}")
		}
		def = d
	}
	for _, k := range keys {
		if account.HasMarker(k) {
			return str(t.unknown("FindInMap", strings.Join(keys, "."), at, path)), nil
		}
	}
	m := t.mappings.get(keys[0])
	if m == nil {
		if def != nil {
			return t.evalDepth(def, path, depth+1)
		}
		return nil, t.errAt(at, path, "Fn::FindInMap: no mapping %q", keys[0])
	}
	v := m.get(keys[1]).get(keys[2])
	if v == nil {
		if def != nil {
			return t.evalDepth(def, path, depth+1)
		}
		return nil, t.errAt(at, path, "Fn::FindInMap: mapping %s has no %s.%s", keys[0], keys[1], keys[2])
	}
	return t.evalDepth(v, path, depth+1)
}

func (t *tmpl) cidr(arg, at *node, path string, depth int) (*node, error) {
	a, err := t.args(arg, 3, at, path, depth)
	if err != nil {
		return nil, err
	}
	for _, x := range a {
		if !x.scalar() {
			return nil, t.errAt(at, path, "Fn::Cidr takes [IP_BLOCK, COUNT, CIDR_BITS]")
		}
		if account.HasMarker(x.str) {
			return listOf(str(t.unknown("Cidr", x.str, at, path))), nil
		}
	}
	prefix, err := netip.ParsePrefix(a[0].str)
	count, err2 := strconv.Atoi(a[1].str)
	bits, err3 := strconv.Atoi(a[2].str)
	if err != nil || err2 != nil || err3 != nil || count < 1 || count > 256 {
		return nil, t.errAt(at, path, "Fn::Cidr: bad arguments %s, %s, %s", a[0].str, a[1].str, a[2].str)
	}
	total := 32
	if prefix.Addr().Is6() {
		total = 128
	}
	newLen := total - bits
	if bits < 1 || newLen < prefix.Bits() {
		return nil, t.errAt(at, path, "Fn::Cidr: %d bits do not fit in %s", bits, a[0].str)
	}
	out := &node{kind: kList}
	base := new(big.Int).SetBytes(prefix.Masked().Addr().AsSlice())
	step := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	limit := new(big.Int).Add(base, new(big.Int).Lsh(big.NewInt(1), uint(total-prefix.Bits())))
	size := total / 8
	for i := 0; i < count; i++ {
		cur := new(big.Int).Add(base, new(big.Int).Mul(step, big.NewInt(int64(i))))
		if cur.Cmp(limit) >= 0 {
			return nil, t.errAt(at, path, "Fn::Cidr: %s holds fewer than %d blocks of %d bits", a[0].str, count, bits)
		}
		b := cur.FillBytes(make([]byte, size))
		addr, _ := netip.AddrFromSlice(b)
		out.list = append(out.list, str(netip.PrefixFrom(addr, newLen).String()))
	}
	return out, nil
}

// condition evaluates a named condition once.
func (t *tmpl) condition(name string, at *node, path string) (tri, error) {
	if v, ok := t.condVal[name]; ok {
		return v, nil
	}
	def := t.conds.get(name)
	if def == nil {
		return 0, t.errAt(at, path, "no condition %q", name)
	}
	if t.condBusy[name] {
		return 0, t.errAt(def, "Conditions."+name, "circular condition: %s refers to itself", name)
	}
	t.condBusy[name] = true
	v, err := t.condValue(def, "Conditions."+name, 0)
	delete(t.condBusy, name)
	if err != nil {
		return 0, err
	}
	t.condVal[name] = v
	if v == triUnknown {
		t.unknown("Condition", name, def, "Conditions."+name)
	}
	return v, nil
}

// condValue evaluates a condition expression.
func (t *tmpl) condValue(n *node, path string, depth int) (tri, error) {
	fn, arg, ok := n.intrinsic()
	if !ok {
		if n.kind == kBool || (n.scalar() && (n.str == "true" || n.str == "false")) {
			if n.boolean() {
				return triTrue, nil
			}
			return triFalse, nil
		}
		if n.scalar() && account.HasUnknown(n.str) {
			return triUnknown, nil
		}
		return 0, t.errAt(n, path, "a condition must be Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition")
	}
	if fn == "Condition" {
		if !arg.scalar() {
			return 0, t.errAt(n, path, "Condition takes a condition name")
		}
		return t.condition(arg.str, n, path)
	}
	return t.condFn(fn, arg, n, path, depth)
}

func (t *tmpl) condFn(fn string, arg, at *node, path string, depth int) (tri, error) {
	if depth > maxDepth {
		return 0, t.errAt(at, path, "conditions nested more than %d deep", maxDepth)
	}
	switch fn {
	case "Fn::Equals":
		a, err := t.args(arg, 2, at, path, depth)
		if err != nil {
			return 0, err
		}
		x, y := a[0].toJSON(), a[1].toJSON()
		if a[0].scalar() && a[1].scalar() {
			x, y = a[0].str, a[1].str
		}
		if x == y {
			return triTrue, nil
		}
		if account.HasMarker(x) || account.HasMarker(y) {
			return triUnknown, nil
		}
		return triFalse, nil
	case "Fn::Not":
		if arg == nil || arg.kind != kList || len(arg.list) != 1 {
			return 0, t.errAt(at, path, "Fn::Not takes a list of one condition")
		}
		v, err := t.condValue(arg.list[0], path, depth+1)
		switch {
		case err != nil, v == triUnknown:
			return v, err
		case v == triTrue:
			return triFalse, nil
		}
		return triTrue, nil
	case "Fn::And", "Fn::Or":
		if arg == nil || arg.kind != kList || len(arg.list) < 2 || len(arg.list) > 10 {
			return 0, t.errAt(at, path, "%s takes a list of 2 to 10 conditions", fn)
		}
		unknown := false
		for i, c := range arg.list {
			v, err := t.condValue(c, fmt.Sprintf("%s[%d]", path, i), depth+1)
			if err != nil {
				return 0, err
			}
			switch {
			case v == triUnknown:
				unknown = true
			case fn == "Fn::And" && v == triFalse:
				return triFalse, nil
			case fn == "Fn::Or" && v == triTrue:
				return triTrue, nil
			}
		}
		if unknown {
			return triUnknown, nil
		}
		if fn == "Fn::And" {
			return triTrue, nil
		}
		return triFalse, nil
	case "Fn::If", "Ref", "Fn::FindInMap", "Fn::Select", "Fn::ImportValue", "Fn::Sub", "Fn::Join", "Fn::GetAtt":
		v, err := t.call(fn, arg, at, path, depth+1)
		if err != nil {
			return 0, err
		}
		return t.condValue(v, path, depth+1)
	}
	return 0, t.errAt(at, path, "%s is not a condition function", fn)
}
