package template

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// tmpl is one template being read.
type tmpl struct {
	file string
	opts Options
	part string
	root *node

	params    map[string]*param
	conds     *node
	condVal   map[string]tri
	condBusy  map[string]bool
	mappings  *node
	resources map[string]*resource
	order     []string // logical ids in template order
	sam       bool
	// samRefs are SAM's Ref shortcuts: FUNCTION.Alias, FUNCTION.Version,
	// API.Stage, API.Deployment, to the logical ids SAM generates.
	samRefs map[string]string
	// notes are facts about a resource the model cannot hold (a SAM
	// feature not modelled), by logical id; a function gets them as Unseen.
	notes map[string][]string

	unknowns    []Unknown
	unknownSeen map[string]bool
	filled      []Filled
	filledSeen  map[Filled]bool
	kept        []KeptDefault
	current     *resource // the resource being evaluated, for Unknown locations
	steps       int
}

// resource is one resource of the template (SAM-generated ones included).
type resource struct {
	id, typ  string
	raw      *node // the resource's map: Type, Properties, Condition...
	line     int
	col      int
	fromSAM  string // the SAM resource it was generated from
	props    *node
	done     bool
	busy     bool
	nameBusy bool
	nameDone bool
	nameVal  string
	exists   tri
}

func (r *resource) prop(k string) *node { return r.raw.path("Properties", k) }

var topLevel = map[string]bool{
	"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true, "Parameters": true,
	"Rules": true, "Mappings": true, "Conditions": true, "Transform": true, "Resources": true,
	"Outputs": true, "Globals": true, "Hooks": true,
}

func newTmpl(file string, root *node, opts Options) (*tmpl, error) {
	t := &tmpl{file: file, opts: opts, root: root, params: map[string]*param{}, condVal: map[string]tri{},
		condBusy: map[string]bool{}, resources: map[string]*resource{}, unknownSeen: map[string]bool{}, samRefs: map[string]string{}, notes: map[string][]string{}}
	t.part = opts.Partition
	if t.part == "" {
		t.part = partitionOf(opts.Region)
	}
	if root.kind != kMap {
		return nil, t.errAt(root, "", "a template must be a map with a Resources section, not a %s", root.kind)
	}
	for _, k := range root.keys {
		if !topLevel[k] {
			return nil, t.errAt(root.get(k), k, "unknown top-level section %q", k)
		}
	}
	if err := t.transforms(); err != nil {
		return nil, err
	}
	if err := t.loadParams(); err != nil {
		return nil, err
	}
	t.conds = root.get("Conditions")
	if t.conds != nil && t.conds.kind == kNull {
		t.conds = nil
	}
	if t.conds != nil && t.conds.kind != kMap {
		return nil, t.errAt(t.conds, "Conditions", "must be a map")
	}
	t.mappings = root.get("Mappings")
	if t.mappings != nil && t.mappings.kind == kNull {
		t.mappings = nil
	}
	if t.mappings != nil && t.mappings.kind != kMap {
		return nil, t.errAt(t.mappings, "Mappings", "must be a map")
	}
	res := root.get("Resources")
	if res == nil {
		return nil, t.errAt(root, "Resources", "the template has no Resources section")
	}
	if res.kind == kNull || res.kind == kMap && len(res.keys) == 0 {
		return nil, t.errAt(res, "Resources", "the Resources section is empty: a template needs at least one resource")
	}
	if res.kind != kMap {
		return nil, t.errAt(res, "Resources", "must be a map")
	}
	for i, id := range res.keys {
		if err := t.addResource(id, res.vals[i], ""); err != nil {
			return nil, err
		}
	}
	if t.sam {
		if err := t.expandSAM(); err != nil {
			return nil, err
		}
	}
	if err := t.checkCycles(); err != nil {
		return nil, err
	}
	return t, nil
}

func validLogicalID(id string) bool {
	if id == "" || len(id) > 255 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// addResource adds resource id defined by n; sam names the SAM resource it
// was generated from.
func (t *tmpl) addResource(id string, n *node, sam string) error {
	path := "Resources." + id
	if !validLogicalID(id) {
		return t.errAt(n, path, "a logical id must be alphanumeric (A-Za-z0-9)")
	}
	if t.resources[id] != nil {
		return t.errAt(n, path, "two resources have the logical id %s", id)
	}
	if n.kind != kMap {
		return t.errAt(n, path, "a resource must be a map with a Type")
	}
	typ := n.get("Type")
	if !typ.scalar() || typ.kind != kString || typ.str == "" {
		return t.errAt(n, path+".Type", "a resource needs a Type (a string)")
	}
	if p := n.get("Properties"); p != nil && p.kind != kMap && p.kind != kNull {
		return t.errAt(p, path+".Properties", "must be a map")
	}
	if c := n.get("Condition"); c != nil {
		if !c.scalar() {
			return t.errAt(c, path+".Condition", "must be a condition name")
		}
		if t.conds.get(c.str) == nil {
			return t.errAt(c, path+".Condition", "no condition %q", c.str)
		}
	}
	t.resources[id] = &resource{id: id, typ: typ.str, raw: n, line: n.line, col: n.col, fromSAM: sam}
	t.order = append(t.order, id)
	return nil
}

func (t *tmpl) transforms() error {
	tr := t.root.get("Transform")
	if tr == nil {
		return nil
	}
	var names []*node
	switch {
	case tr.scalar():
		names = []*node{tr}
	case tr.kind == kList:
		names = tr.list
	case tr.kind == kMap:
		names = []*node{tr.get("Name")}
	}
	for _, n := range names {
		switch {
		case n.text() == "AWS::Serverless-2016-10-31":
			t.sam = true
		case n.text() == "AWS::LanguageExtensions":
		case n.scalar():
			// A macro rewrites the template before deploy: what it makes is
			// not in the file.
			t.unknown("Transform", n.str, n, "Transform")
		default:
			return t.errAt(tr, "Transform", "must be a transform name or a list of names")
		}
	}
	return nil
}

func (t *tmpl) loadParams() error {
	ps := t.root.get("Parameters")
	if ps != nil && ps.kind == kNull {
		ps = nil // an empty section
	}
	if ps != nil && ps.kind != kMap {
		return t.errAt(ps, "Parameters", "must be a map")
	}
	given := map[string]bool{}
	for i, name := range ps.keysOrNil() {
		decl := ps.vals[i]
		path := "Parameters." + name
		if decl.kind != kMap {
			return t.errAt(decl, path, "a parameter must be a map with a Type")
		}
		typ := decl.get("Type").text()
		if typ == "" {
			return t.errAt(decl, path+".Type", "a parameter needs a Type")
		}
		p := &param{name: name, typ: typ, decl: decl}
		ssm := strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<")
		val, ok := t.opts.Parameters[name]
		if ok {
			given[name] = true
			if av := decl.get("AllowedValues"); av != nil && av.kind == kList && !strings.HasPrefix(typ, "List<") && typ != "CommaDelimitedList" {
				allowed := false
				for _, a := range av.list {
					if a.scalar() && a.str == val {
						allowed = true
					}
				}
				if !allowed {
					return t.errAt(decl, path, "--parameter %s=%s is not one of its AllowedValues %s", name, val, strings.Join(av.strings(), ", "))
				}
			}
		} else if d := decl.get("Default"); d != nil && d.scalar() {
			val, ok = d.str, true
			t.keepDefault(name, decl, typ, val)
		} else if d != nil && d.kind == kList {
			val, ok = strings.Join(d.strings(), ","), true
			t.keepDefault(name, decl, typ, val)
		} else if sv, deployed := t.opts.StackParameters[name]; deployed && !ssm && stackValueUsable(decl, typ, sv) {
			val, ok = sv, true
			t.fill("Parameter", name)
		}
		switch {
		case ssm:
			// The value is read from Systems Manager at deploy time; the
			// parameter's value (--parameter, else the Default, else the
			// deployed stack's) is the SSM parameter's name. The stack's
			// ResolvedValue stands for it when the stack resolved that
			// same name.
			if rv, key, resolved := t.ssmResolved(name, decl, typ, val, ok); resolved {
				p.value = str(rv)
				if strings.Contains(typ, "List") {
					p.value = &node{kind: kList}
					for _, s := range strings.Split(rv, ",") {
						p.value.list = append(p.value.list, str(s))
					}
				}
				t.fillResolved(name, key)
				break
			}
			p.value = str(t.unknown("Parameter", name, decl, path))
			if strings.Contains(typ, "List") {
				p.value = listOf(p.value)
			}
		case !ok:
			p.value = str(t.unknown("Parameter", name, decl, path))
			if strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
				p.value = listOf(p.value)
			}
		case strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList":
			l := &node{kind: kList}
			if val != "" {
				for _, s := range strings.Split(val, ",") {
					if typ != "CommaDelimitedList" {
						s = strings.TrimSpace(s)
					}
					l.list = append(l.list, str(s))
				}
			}
			p.value = l
		default:
			p.value = str(val)
		}
		p.value.at(decl.line, decl.col)
		t.params[name] = p
	}
	var extra []string
	for k := range t.opts.Parameters {
		if !given[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return &Error{File: t.file, Path: "Parameters", Msg: fmt.Sprintf("--parameter %s: the template has no such parameter", strings.Join(extra, ", "))}
	}
	return nil
}

// ssmResolved is the value a deployed stack resolved for the Systems
// Manager parameter type name (Options.StackResolved: DescribeStacks'
// ResolvedValue, "returned only for Systems Manager parameter types", AWS
// CloudFormation API Reference, Parameter), and the SSM parameter's name
// it resolved; resolved is false when the stack resolved no value, when
// the parameter is NoEcho, or when the SSM parameter's name the template
// deploys (val, from --parameter or the Default when given is set) is not
// the one the stack resolved.
func (t *tmpl) ssmResolved(name string, decl *node, typ, val string, given bool) (value, key string, resolved bool) {
	rv, has := t.opts.StackResolved[name]
	key, deployed := t.opts.StackParameters[name]
	if !has || !deployed || !stackValueUsable(decl, typ, key) {
		return "", "", false
	}
	if given && val != key {
		return "", "", false
	}
	return rv, key, true
}

// stackValueUsable reports whether a deployed stack's value of a parameter
// declared as decl may stand for it: not a NoEcho parameter, not a value
// masked as asterisks ("If you set the NoEcho attribute to true,
// CloudFormation returns the parameter value masked as asterisks (*****)
// for any calls that describe the stack", AWS CloudFormation User Guide,
// "Parameters syntax"), and one of its AllowedValues when it has them
// (the template may have changed since the deploy). Of a Systems Manager
// parameter type the value is the SSM parameter's name (ssmResolved).
func stackValueUsable(decl *node, typ, v string) bool {
	if nf := decl.get("NoEcho"); nf != nil && nf.boolean() {
		return false
	}
	if v != "" && strings.Trim(v, "*") == "" {
		return false
	}
	if av := decl.get("AllowedValues"); av != nil && av.kind == kList && !strings.HasPrefix(typ, "List<") && typ != "CommaDelimitedList" {
		for _, a := range av.list {
			if a.scalar() && a.str == v {
				return true
			}
		}
		return false
	}
	return true
}

// keepDefault records a parameter whose Default the template uses while
// the deployed stack has another value (Options.StackParameters): the
// template is what will be deployed, so its Default wins, and
// Result.KeptDefaults says so. A NoEcho parameter or a masked value is
// never compared (nor shown).
func (t *tmpl) keepDefault(name string, decl *node, typ, def string) {
	sv, deployed := t.opts.StackParameters[name]
	if !deployed || sameParameterValue(typ, def, sv) {
		return
	}
	if nf := decl.get("NoEcho"); nf != nil && nf.boolean() {
		return
	}
	if sv != "" && strings.Trim(sv, "*") == "" {
		return
	}
	t.kept = append(t.kept, KeptDefault{Name: name, Default: def, Deployed: sv})
}

// sameParameterValue reports whether two values of a parameter of type
// typ are the same: the elements of a List<...> type are trimmed as the
// reader trims them.
func sameParameterValue(typ, a, b string) bool {
	if a == b {
		return true
	}
	if !strings.HasPrefix(typ, "List<") && !strings.Contains(typ, "<List<") {
		return false
	}
	as, bs := strings.Split(a, ","), strings.Split(b, ",")
	if len(as) != len(bs) {
		return false
	}
	for i := range as {
		if strings.TrimSpace(as[i]) != strings.TrimSpace(bs[i]) {
			return false
		}
	}
	return true
}

// fillResolved records a Systems Manager parameter type filled with the
// value the deployed stack resolved for SSM parameter key.
func (t *tmpl) fillResolved(name, key string) {
	t.fill("Parameter", name)
	for i := range t.filled {
		if t.filled[i].Kind == "Parameter" && t.filled[i].Name == name {
			t.filled[i].Resolved = key
		}
	}
}

// fill records a value Options' account values gave.
func (t *tmpl) fill(kind, name string) {
	f := Filled{Kind: kind, Name: name}
	if t.filledSeen == nil {
		t.filledSeen = map[Filled]bool{}
	}
	if !t.filledSeen[f] {
		t.filledSeen[f] = true
		t.filled = append(t.filled, f)
	}
}

func (n *node) keysOrNil() []string {
	if n == nil {
		return nil
	}
	return n.keys
}

func (t *tmpl) note(id, msg string) {
	for _, m := range t.notes[id] {
		if m == msg {
			return
		}
	}
	t.notes[id] = append(t.notes[id], msg)
}

// exists says whether a resource is created: its Condition holds.
func (t *tmpl) exists(r *resource) (tri, error) {
	c := r.raw.get("Condition")
	if c == nil {
		return triTrue, nil
	}
	return t.condition(c.str, c, "Resources."+r.id+".Condition")
}

// properties evaluates a resource's properties once.
func (t *tmpl) properties(r *resource) (*node, error) {
	if r.done {
		return r.props, nil
	}
	if r.busy {
		return nil, t.errAt(r.raw, "Resources."+r.id, "circular reference: %s depends on itself", r.id)
	}
	r.busy = true
	prev := t.current
	t.current = r
	p, err := t.eval(r.raw.get("Properties"), "Resources."+r.id+".Properties")
	t.current = prev
	r.busy = false
	if err != nil {
		return nil, err
	}
	if p == nil || p == noValue || p.kind == kNull {
		p = newMap()
	}
	r.props, r.done = p, true
	return p, nil
}

// location is where resource r is defined (for a SAM-generated resource,
// the SAM resource).
func (t *tmpl) location(r *resource) account.Location {
	loc := account.Location{File: t.file, Line: r.line, Column: r.col, LogicalID: r.id}
	if r.fromSAM != "" {
		if s := t.resources[r.fromSAM]; s != nil {
			loc.Line, loc.Column = s.line, s.col
		}
	}
	return loc
}

// checkCycles refuses resources that depend on each other through Ref,
// Fn::GetAtt, Fn::Sub or DependsOn, as CloudFormation does ("Circular
// dependency between resources").
func (t *tmpl) checkCycles() error {
	deps := map[string][]string{}
	for _, id := range t.order {
		r := t.resources[id]
		if strings.HasPrefix(r.typ, "AWS::Serverless::") {
			// Not expanded (a GraphQLApi, a StateMachine...): the resources
			// SAM makes of it are not in the template to check.
			continue
		}
		seen := map[string]bool{}
		add := func(d string) {
			if d != id && t.resources[d] != nil && !seen[d] {
				seen[d] = true
				deps[id] = append(deps[id], d)
			} else if d == id {
				deps[id] = append(deps[id], d)
			}
		}
		collectRefs(r.raw.get("Properties"), add, 0)
		if d := r.raw.get("DependsOn"); d != nil {
			for _, s := range d.strings() {
				if t.resources[s] == nil {
					return t.errAt(d, "Resources."+id+".DependsOn", "no resource %q", s)
				}
				add(s)
			}
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(id string) error
	visit = func(id string) error {
		color[id] = grey
		stack = append(stack, id)
		for _, d := range deps[id] {
			switch color[d] {
			case grey:
				i := len(stack) - 1
				for i > 0 && stack[i] != d {
					i--
				}
				cycle := append(append([]string(nil), stack[i:]...), d)
				r := t.resources[d]
				return t.errAt(r.raw, "Resources."+d, "circular dependency between resources: %s", strings.Join(cycle, " -> "))
			case white:
				if err := visit(d); err != nil {
					return err
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[id] = black
		return nil
	}
	for _, id := range t.order {
		if color[id] == white {
			if err := visit(id); err != nil {
				return err
			}
		}
	}
	return nil
}

// collectRefs calls add with every logical id n refers to.
func collectRefs(n *node, add func(string), depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	if fn, arg, ok := n.intrinsic(); ok {
		switch fn {
		case "Ref":
			if arg.scalar() {
				res, _, _ := strings.Cut(arg.str, ".")
				add(res)
			}
		case "Fn::GetAtt":
			if arg.kind == kList && len(arg.list) > 0 && arg.list[0].scalar() {
				add(arg.list[0].str)
			}
		case "Fn::Sub":
			text, vars := arg, (*node)(nil)
			if arg.kind == kList && len(arg.list) == 2 {
				text, vars = arg.list[0], arg.list[1]
			}
			if text.scalar() {
				for _, m := range subVar.FindAllStringSubmatch(text.str, -1) {
					name := strings.TrimSpace(m[1])
					if strings.HasPrefix(name, "!") || vars.get(name) != nil {
						continue
					}
					res, _, _ := strings.Cut(name, ".")
					add(res)
				}
			}
			collectRefs(vars, add, depth+1)
			return
		}
	}
	for _, it := range n.list {
		collectRefs(it, add, depth+1)
	}
	for _, v := range n.vals {
		collectRefs(v, add, depth+1)
	}
}
