package judge

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Values a model read from a template does not know are markers in its
// strings (account.HasMarker): {{unknown.KIND.DETAIL}} for a value from
// outside the template (a parameter without a default, an !ImportValue,
// the account when --account is not given), {{generated.KIND.ID}} for a
// name or id CloudFormation assigns at deploy time. A decision that
// depends on one is undecided, never assumed allow or deny:
//
//   - two equal markers are equal values (the template uses them
//     consistently), so a request and a policy that both name the same
//     marker are judged as usual;
//   - a marker compared with other text, or matched against a wildcard
//     that could leave part of it unmatched, may or may not match: a
//     statement whose applicability hangs on such a comparison is
//     "dependent";
//   - a comparison that matches in a world where every marker is a symbol
//     equal only to itself (a wildcard may swallow a whole marker; a
//     marker's value is taken to hold no ':' — the reader puts markers
//     where one ARN field or one name stands) matches whatever the values;
//     one whose literal text conflicts wherever the markers are (markers
//     read as '*') never matches;
//   - the request is judged again with every dependent statement left out
//     and with it applying (its dependent elements made to match), in
//     every combination; the decision is certain only when all agree.
//
// The combinations over-approximate what the values could do (two
// dependent statements may in truth hang on one marker), so a decision is
// sometimes undecided where a finer analysis would decide; it is never
// decided where some values of the markers would change it.

// maxDependent bounds the dependent statements combined (2^n judgements);
// beyond it the decision is undecided.
const maxDependent = 10

// Markers returns the distinct markers in s, in order.
func Markers(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			return out
		}
		s = s[i:]
		if !strings.HasPrefix(s, account.UnknownPrefix) && !strings.HasPrefix(s, account.GeneratedPrefix) {
			s = s[2:]
			continue
		}
		j := strings.Index(s, account.MarkerEnd)
		if j < 0 {
			return out
		}
		m := s[:j+len(account.MarkerEnd)]
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
		s = s[j+len(account.MarkerEnd):]
	}
}

// evaluateProbe judges in (Evaluate) and, when its request or its policies
// hold markers, returns the markers the decision depends on: nil when the
// decision is the same whatever values they stand for.
func evaluateProbe(in *simulate.Input) (*simulate.Result, []string) {
	res := Evaluate(in)
	// The keys AWS always sets derive from the request's principal and
	// resource: they hold a marker only when those do.
	if !inputHasMarkers(in) {
		return res, nil
	}
	a := &analysis{in: withDefaults(in), sym: map[string]string{}}
	return res, a.unresolved(res)
}

// withDefaults is in with the context keys AWS always sets added.
func withDefaults(in *simulate.Input) *simulate.Input {
	full := *in
	ctx := simulate.DefaultContextAt(in.Request, now())
	for k, v := range in.Request.Context {
		ctx[k] = v
	}
	full.Request.Context = ctx
	return &full
}

func inputHasMarkers(in *simulate.Input) bool {
	if requestHasMarkers(in.Request) {
		return true
	}
	found := false
	eachPolicy(in, func(np *simulate.NamedPolicy, _ string) {
		found = found || policyHasMarkers(np.Policy)
	})
	return found
}

// withMarkers caches, by parsed policy (immutable, and parsed once per
// document: ParsePolicy), whether it holds markers.
var withMarkers sync.Map // *simulate.Policy → bool

func policyHasMarkers(p *simulate.Policy) bool {
	return policyFlag(&withMarkers, p, func(st *simulate.Statement) bool { return len(statementMarkers(st)) > 0 })
}

// policyFlag is whether some statement of p has the property has, cached
// in m by parsed policy (immutable, and parsed once per document).
func policyFlag(m *sync.Map, p *simulate.Policy, has func(*simulate.Statement) bool) bool {
	if v, ok := m.Load(p); ok {
		return v.(bool)
	}
	found := false
	for i := range p.Statements {
		if has(&p.Statements[i]) {
			found = true
			break
		}
	}
	m.Store(p, found)
	return found
}

func requestHasMarkers(r simulate.Request) bool {
	if account.HasMarker(r.Principal) || account.HasMarker(r.Action) || account.HasMarker(r.Resource) || account.HasMarker(r.ResourceAccount) {
		return true
	}
	for _, v := range r.Context {
		for _, s := range v.Values {
			if account.HasMarker(s) {
				return true
			}
		}
	}
	return false
}

// eachPolicy calls f with every policy of in and its layer.
func eachPolicy(in *simulate.Input, f func(*simulate.NamedPolicy, string)) {
	for i := range in.Identity {
		f(&in.Identity[i], simulate.LayerIdentity)
	}
	if in.Boundary != nil {
		f(in.Boundary, simulate.LayerBoundary)
	}
	if in.Session != nil {
		f(in.Session, simulate.LayerSession)
	}
	if in.Resource != nil {
		f(in.Resource, simulate.LayerResource)
	}
	for i := range in.SCPs {
		for j := range in.SCPs[i] {
			f(&in.SCPs[i][j], simulate.LayerSCP)
		}
	}
	for i := range in.RCPs {
		for j := range in.RCPs[i] {
			f(&in.RCPs[i][j], simulate.LayerRCP)
		}
	}
}

// statementMarkers lists the markers written in a statement.
func statementMarkers(st *simulate.Statement) []string {
	var out []string
	add := func(l []string) {
		for _, s := range l {
			for _, m := range Markers(s) {
				if !slices.Contains(out, m) {
					out = append(out, m)
				}
			}
		}
	}
	add(st.Action)
	add(st.NotAction)
	add(st.Resource)
	add(st.NotResource)
	for _, p := range []*simulate.Principals{st.Principal, st.NotPrincipal} {
		if p != nil {
			for _, vs := range p.Values {
				add(vs)
			}
		}
	}
	for _, c := range st.Conditions {
		add(c.Values)
	}
	return out
}

// analysis decides whether one probe's decision depends on its markers.
type analysis struct {
	in  *simulate.Input
	sym map[string]string // marker → a symbol (one private-use rune) equal only to itself
}

// dependent is a statement whose applicability hangs on a marker, with
// the elements to make match when it applies.
type dependent struct {
	policy  *simulate.NamedPolicy
	index   int
	action  bool     // Action/NotAction
	res     bool     // Resource/NotResource
	prin    bool     // Principal/NotPrincipal
	conds   []int    // indexes into Conditions
	markers []string // the markers its dependent elements compare
}

func (a *analysis) unresolved(base *simulate.Result) []string {
	req := a.in.Request
	if failedRequest(base) {
		// The engine refused the request: a marker where an ARN or a
		// principal must be.
		return requestMarkers(req)
	}
	var deps []dependent
	eachPolicy(a.in, func(np *simulate.NamedPolicy, layer string) {
		for i := range np.Policy.Statements {
			if d, ok := a.dependentStatement(np, i, layer); ok {
				deps = append(deps, d)
			}
		}
	})
	cross := a.crossAccountHangs()
	if len(deps) == 0 && !cross {
		return nil
	}
	var markers []string
	for _, d := range deps {
		for _, m := range d.markers {
			if !slices.Contains(markers, m) {
				markers = append(markers, m)
			}
		}
	}
	if cross {
		for _, m := range append(Markers(principalAccount(req.Principal)), Markers(resourceAccount(req))...) {
			if !slices.Contains(markers, m) {
				markers = append(markers, m)
			}
		}
	}
	if len(markers) == 0 {
		// Every marker that takes part, when none could be singled out.
		markers = requestMarkers(req)
		for _, d := range deps {
			for _, m := range statementMarkers(&d.policy.Policy.Statements[d.index]) {
				if !slices.Contains(markers, m) {
					markers = append(markers, m)
				}
			}
		}
	}
	if len(deps) > maxDependent {
		return markers
	}
	worlds := []bool{false}
	if cross {
		worlds = append(worlds, true)
	}
	for bits := 0; bits < 1<<len(deps); bits++ {
		for _, same := range worlds {
			in := a.variant(deps, bits, same)
			r, err := simulate.Decide(in)
			if err != nil || r.Decision != base.Decision {
				return markers
			}
		}
	}
	return nil
}

func failedRequest(r *simulate.Result) bool {
	for _, l := range r.Layers {
		if l.Layer == "request" {
			return true
		}
	}
	return false
}

func requestMarkers(r simulate.Request) []string {
	var out []string
	add := func(s string) {
		for _, m := range Markers(s) {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	add(r.Principal)
	add(r.Action)
	add(r.Resource)
	add(r.ResourceAccount)
	keys := make([]string, 0, len(r.Context))
	for k := range r.Context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range r.Context[k].Values {
			add(v)
		}
	}
	return out
}

// dependentStatement classifies statement i of np for the request.
func (a *analysis) dependentStatement(np *simulate.NamedPolicy, i int, layer string) (dependent, bool) {
	st := &np.Policy.Statements[i]
	req := a.in.Request
	d := dependent{policy: np, index: i}
	mark := func(ss ...string) {
		for _, s := range ss {
			for _, m := range Markers(s) {
				if !slices.Contains(d.markers, m) {
					d.markers = append(d.markers, m)
				}
			}
		}
	}
	// Action: templates do not write markers there; when they do, the
	// statement depends on them.
	acts := st.Action
	if acts == nil {
		acts = st.NotAction
	}
	if account.HasMarker(req.Action) || anyMarker(acts) {
		d.action = true
		mark(req.Action)
		mark(acts...)
	} else if !actionApplies(st, req.Action) {
		return d, false // never applies to this request, whatever the markers
	}
	if res := st.Resource; res != nil || st.NotResource != nil {
		if res == nil {
			res = st.NotResource
		}
		if hanging := a.elementHangs(res, req.Resource); len(hanging) > 0 {
			d.res = true
			for _, p := range hanging {
				mark(markersThatMatter(p, req.Resource)...)
			}
		}
	}
	if layer == simulate.LayerResource || layer == simulate.LayerRCP {
		p := st.Principal
		if p == nil {
			p = st.NotPrincipal
		}
		if p != nil && a.principalHangs(p) {
			d.prin = true
			mark(req.Principal)
			for _, vs := range p.Values {
				mark(vs...)
			}
		}
	}
	for ci := range st.Conditions {
		c := &st.Conditions[ci]
		if rv, hangs := a.conditionHangs(c); hangs {
			d.conds = append(d.conds, ci)
			for _, v := range c.Values {
				for _, x := range rv {
					mark(markersThatMatter(v, x)...)
				}
			}
			if len(rv) == 0 {
				mark(c.Values...)
			}
		}
	}
	if !d.action && !d.res && !d.prin && len(d.conds) == 0 {
		return d, false
	}
	return d, true
}

func anyMarker(l []string) bool {
	for _, s := range l {
		if account.HasMarker(s) {
			return true
		}
	}
	return false
}

func actionApplies(st *simulate.Statement, action string) bool {
	if st.Action != nil {
		for _, p := range st.Action {
			if simulate.Glob(p, action, true) {
				return true
			}
		}
		return false
	}
	for _, p := range st.NotAction {
		if simulate.Glob(p, action, true) {
			return false
		}
	}
	return true
}

// outcome of one comparison of a pattern with a request value.
type outcome int

const (
	settled outcome = iota // no marker takes part: the engine decides it
	matches                // matches whatever the markers stand for
	misses                 // matches for no value of the markers
	hangs                  // depends on the values
)

// elementHangs returns the patterns of a Resource/NotResource element
// whose match of value depends on markers; none when the element matches
// whatever the values are, or does not depend on them.
func (a *analysis) elementHangs(patterns []string, value string) []string {
	var depends []string
	for _, p := range patterns {
		switch a.compareResource(p, value) {
		case matches:
			return nil // the element matches whatever the values
		case hangs:
			depends = append(depends, p)
		}
	}
	return depends
}

// markersThatMatter are the markers of pattern p and value v that a match
// hangs on: for ARNs, those of the parts the pattern does not settle (a
// part written as the value's own text, or a whole "*", does not hang on
// the value).
func markersThatMatter(p, v string) []string {
	ps, vs := strings.SplitN(p, ":", 6), strings.SplitN(v, ":", 6)
	if len(ps) < 6 || len(vs) < 6 {
		return append(Markers(p), Markers(v)...)
	}
	var out []string
	for i := range ps {
		if ps[i] == vs[i] || ps[i] == "*" {
			continue
		}
		for _, m := range append(Markers(ps[i]), Markers(vs[i])...) {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}

func (a *analysis) compareResource(p, v string) outcome {
	if p == "*" {
		return matches
	}
	vars := strings.Contains(p, "${") && a.contextHasMarkers()
	if !account.HasMarker(p) && !account.HasMarker(v) && !vars {
		return settled
	}
	if !(strings.Contains(p, "?") && (account.HasMarker(p) || account.HasMarker(v))) &&
		a.symbolically(map[string]any{"Resource": a.symbol(p)}, simulate.Request{Resource: a.symbol(v)}) {
		return matches
	}
	if !mayMatchARN(p, v, false) {
		return misses
	}
	return hangs
}

// principalHangs reports whether a Principal/NotPrincipal element's match
// of the request's principal depends on markers.
func (a *analysis) principalHangs(p *simulate.Principals) bool {
	if p.All {
		return false
	}
	pr := a.in.Request.Principal
	depends := false
	kinds := make([]string, 0, len(p.Values))
	for k := range p.Values {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		for _, v := range p.Values[k] {
			if !account.HasMarker(v) && !account.HasMarker(pr) {
				continue
			}
			if v == "*" || a.symbolically(map[string]any{"Principal": map[string]any{k: a.symbol(v)}}, simulate.Request{Principal: a.symbol(pr)}) {
				return false
			}
			if principalMayMatch(v, pr) {
				depends = true
			}
		}
	}
	return depends
}

// principalMayMatch reports whether a Principal value could name the
// request's principal for some values of the markers.
func principalMayMatch(v, pr string) bool {
	if acct, ok := accountOf(v); ok {
		// An account (id or root ARN) names every principal of that account.
		pa := principalAccount(pr)
		return pa == "" || mayIntersect(starMarkers(acct), starMarkers(pa))
	}
	return mayMatchARN(v, pr, true) || mayMatchARN(v, PrincipalARN(pr), true)
}

// accountOf is the account an account-id or root-ARN principal names.
func accountOf(v string) (string, bool) {
	if account.IsAccountID(v) || (account.HasMarker(v) && !strings.Contains(v, ":")) {
		return v, true
	}
	if account.ARNField(v, 2) == "iam" && account.ARNField(v, 5) == "root" {
		return account.ARNField(v, 4), true
	}
	return "", false
}

func principalAccount(p string) string {
	if account.IsAccountID(p) {
		return p
	}
	return account.ARNField(p, 4)
}

func resourceAccount(r simulate.Request) string {
	if r.ResourceAccount != "" {
		return r.ResourceAccount
	}
	if a := account.ARNField(r.Resource, 4); a != "" {
		return a
	}
	return principalAccount(r.Principal)
}

// conditionHangs reports whether a condition's outcome depends on markers,
// with the request's values of its key.
func (a *analysis) conditionHangs(c *simulate.Condition) ([]string, bool) {
	rv, present := lookup(a.in.Request.Context, c.Key)
	vars := false
	for _, v := range c.Values {
		vars = vars || (strings.Contains(v, "${") && a.contextHasMarkers())
	}
	if !anyMarker(c.Values) && !anyMarker(rv.Values) && !vars {
		return nil, false
	}
	op := c.Operator
	set := ""
	if i := strings.Index(op, ":"); i >= 0 {
		set, op = op[:i], op[i+1:]
	}
	op = strings.TrimSuffix(op, "IfExists")
	if op == "Null" || !present {
		// Presence does not hang on a value.
		return nil, false
	}
	positive, fold, arn := positiveOp(op)
	if positive == "" {
		return rv.Values, true // numbers, dates, booleans, addresses: any marker decides
	}
	anyMatch, anyHangs := false, false
	for _, v := range c.Values {
		for _, x := range rv.Values {
			switch a.compareCondition(positive, c.Key, v, x, fold, arn) {
			case matches:
				anyMatch = true
			case hangs:
				anyHangs = true
			}
		}
	}
	if anyMatch && set != "ForAllValues" {
		return nil, false
	}
	return rv.Values, anyHangs
}

// positiveOp is the string or ARN operator op tests (its negation's), and
// whether it folds case and compares ARNs; "" for other operators.
func positiveOp(op string) (positive string, fold, arn bool) {
	switch op {
	case "StringEquals", "StringNotEquals":
		return "StringEquals", false, false
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return "StringEqualsIgnoreCase", true, false
	case "StringLike", "StringNotLike":
		return "StringLike", false, false
	case "ArnEquals", "ArnNotEquals":
		return "ArnEquals", false, true
	case "ArnLike", "ArnNotLike":
		return "ArnLike", false, true
	}
	return "", false, false
}

func (a *analysis) compareCondition(op, key, v, x string, fold, arn bool) outcome {
	if !account.HasMarker(v) && !account.HasMarker(x) && !strings.Contains(v, "${") {
		return settled
	}
	if !(strings.Contains(v, "?") && op != "StringEquals" && op != "StringEqualsIgnoreCase") &&
		a.symbolically(map[string]any{"Condition": map[string]any{op: map[string]any{key: a.symbol(v)}}},
			simulate.Request{Context: simulate.Context{key: {Values: []string{a.symbol(x)}}}}) {
		return matches
	}
	if arn {
		if !mayMatchARN(v, x, false) {
			return misses
		}
	} else if !mayMatchText(v, x, fold) {
		return misses
	}
	return hangs
}

func lookup(ctx simulate.Context, key string) (simulate.Value, bool) {
	if v, ok := ctx[key]; ok {
		return v, true
	}
	for k, v := range ctx {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return simulate.Value{}, false
}

func (a *analysis) contextHasMarkers() bool {
	for _, v := range a.in.Request.Context {
		if anyMarker(v.Values) {
			return true
		}
	}
	return false
}

// symbol replaces every marker of s by its symbol.
func (a *analysis) symbol(s string) string {
	for _, m := range Markers(s) {
		sym, ok := a.sym[m]
		if !ok {
			sym = string(rune(0xE000 + len(a.sym)))
			a.sym[m] = sym
		}
		s = strings.ReplaceAll(s, m, sym)
	}
	return s
}

// symbolically reports whether one element (Resource, Principal or a
// Condition) matches the request, every marker a symbol equal only to
// itself: a Deny statement with only that element, in the resource layer
// (judged for every kind of principal), denies exactly when it matches. The
// request's missing parts are the probe's, in symbols.
func (a *analysis) symbolically(elem map[string]any, r simulate.Request) bool {
	st := map[string]any{"Effect": "Deny", "Action": "*", "Resource": "*", "Principal": "*"}
	for k, v := range elem {
		st[k] = v
	}
	doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{st}})
	if err != nil {
		return false
	}
	p, err := simulate.ParseString(string(doc))
	if err != nil {
		return false
	}
	req := a.in.Request
	if r.Principal == "" {
		r.Principal = a.symbol(req.Principal)
	}
	if r.Resource == "" {
		r.Resource = a.symbol(req.Resource)
	}
	r.Action = "lambda-doctor:Probe"
	r.ResourceAccount = a.symbol(req.ResourceAccount)
	ctx := simulate.Context{}
	for k, v := range req.Context {
		vals := make([]string, len(v.Values))
		for i, s := range v.Values {
			vals[i] = a.symbol(s)
		}
		ctx[k] = simulate.Value{Values: vals, Multi: v.Multi}
	}
	for k, v := range r.Context {
		for ck := range ctx {
			if strings.EqualFold(ck, k) {
				delete(ctx, ck)
			}
		}
		ctx[k] = v
	}
	r.Context = ctx
	res, err := simulate.Decide(&simulate.Input{Resource: &simulate.NamedPolicy{Name: "probe", Policy: p}, Request: r})
	return err == nil && res.Decision == simulate.ExplicitDeny
}

// word stands, in a pattern starMarkers writes, for a name or id: any run
// of characters but '/' and ':'.
const word = '\x03'

// starMarkers reads every marker (and policy variable) of s as a wildcard:
// the widest pattern its values could make. A name or id CloudFormation
// assigns, and the account, region and partition, hold no '/' or ':'
// (word); a parameter or an import may hold anything ('*').
func starMarkers(s string) string {
	for _, m := range Markers(s) {
		w := "*"
		if strings.HasPrefix(m, account.GeneratedPrefix) || strings.HasPrefix(m, account.UnknownPrefix+"AWS-") {
			w = string(word)
		}
		s = strings.ReplaceAll(s, m, w)
	}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s
		}
		s = s[:i] + "*" + s[i+j+1:]
	}
}

// mayMatchText reports whether pattern p could match v for some values of
// their markers (a wildcard in either read as one).
func mayMatchText(p, v string, fold bool) bool {
	p, v = starMarkers(p), starMarkers(v)
	if fold {
		p, v = strings.ToLower(p), strings.ToLower(v)
	}
	return mayIntersect(p, v)
}

// mayIntersect is GlobsIntersect with word: some string matches both
// patterns.
func mayIntersect(p, q string) bool { return globsIntersect(p, q, true) }

// mayMatchARN is mayMatchText for ARNs, part by part (partition, service,
// region and account case-insensitively unless exact; the resource part as
// one glob, the widest of the readings).
func mayMatchARN(p, v string, fold bool) bool {
	ps, vs := strings.SplitN(starMarkers(p), ":", 6), strings.SplitN(starMarkers(v), ":", 6)
	if len(ps) < 6 || len(vs) < 6 || ps[0] != "arn" {
		return mayMatchText(p, v, fold)
	}
	for i := 0; i < 6; i++ {
		a, b := ps[i], vs[i]
		if (i >= 1 && i <= 4) || fold {
			a, b = strings.ToLower(a), strings.ToLower(b)
		}
		if !mayIntersect(a, b) {
			return false
		}
	}
	return true
}

// crossAccountHangs reports whether whether the request is cross-account
// depends on markers: the principal's and the resource's accounts differ as
// text and one of them holds a marker (the resource policy judged is the
// function's own, not one assumed to allow).
func (a *analysis) crossAccountHangs() bool {
	r := a.in.Request
	pa, ra := principalAccount(r.Principal), resourceAccount(r)
	if pa == "" || ra == "" || pa == ra || (!account.HasMarker(pa) && !account.HasMarker(ra)) {
		return false
	}
	if a.in.Resource != nil && strings.Contains(a.in.Resource.Name, "not read") {
		return false
	}
	return mayIntersect(starMarkers(pa), starMarkers(ra))
}

// variant is the input with each dependent statement left out (its bit
// clear) or made to apply (its bit set: its dependent elements match), and,
// with same, the request made same-account.
func (a *analysis) variant(deps []dependent, bits int, same bool) *simulate.Input {
	edits := map[*simulate.NamedPolicy]map[int]bool{} // statement index → applies
	for i, d := range deps {
		if edits[d.policy] == nil {
			edits[d.policy] = map[int]bool{}
		}
		edits[d.policy][d.index] = bits&(1<<i) != 0
	}
	byIndex := map[*simulate.NamedPolicy]map[int]dependent{}
	for _, d := range deps {
		if byIndex[d.policy] == nil {
			byIndex[d.policy] = map[int]dependent{}
		}
		byIndex[d.policy][d.index] = d
	}
	in := *a.in
	repl := func(np *simulate.NamedPolicy) *simulate.NamedPolicy {
		e := edits[np]
		if e == nil {
			return np
		}
		return rebuild(np, e, byIndex[np])
	}
	in.Identity = replAll(a.in.Identity, repl)
	if in.Boundary != nil {
		in.Boundary = repl(a.in.Boundary)
	}
	if in.Session != nil {
		in.Session = repl(a.in.Session)
	}
	if in.Resource != nil {
		in.Resource = repl(a.in.Resource)
	}
	in.SCPs = replLevels(a.in.SCPs, repl)
	in.RCPs = replLevels(a.in.RCPs, repl)
	if same {
		in.Request.ResourceAccount = principalAccount(in.Request.Principal)
	}
	return &in
}

func replAll(l []simulate.NamedPolicy, repl func(*simulate.NamedPolicy) *simulate.NamedPolicy) []simulate.NamedPolicy {
	if l == nil {
		return nil
	}
	out := make([]simulate.NamedPolicy, len(l))
	for i := range l {
		out[i] = *repl(&l[i])
	}
	return out
}

func replLevels(l [][]simulate.NamedPolicy, repl func(*simulate.NamedPolicy) *simulate.NamedPolicy) [][]simulate.NamedPolicy {
	if l == nil {
		return nil
	}
	out := make([][]simulate.NamedPolicy, len(l))
	for i := range l {
		out[i] = replAll(l[i], repl)
	}
	return out
}

// rebuild writes np again with its dependent statements left out or made
// to apply. A document that cannot be written back is returned as it was
// (its dependence then shows as no change, which the caller does not see
// as certainty: the whole input is undecided on error, see unresolved).
func rebuild(np *simulate.NamedPolicy, applies map[int]bool, deps map[int]dependent) *simulate.NamedPolicy {
	var sts []any
	for i := range np.Policy.Statements {
		st := &np.Policy.Statements[i]
		on, dep := applies[i]
		if !dep {
			sts = append(sts, statementJSON(st, dependent{}))
			continue
		}
		if on {
			sts = append(sts, statementJSON(st, deps[i]))
		}
	}
	if sts == nil {
		sts = []any{}
	}
	doc := map[string]any{"Statement": sts}
	if np.Policy.Version != "" {
		doc["Version"] = np.Policy.Version
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return np
	}
	p, err := simulate.ParseString(string(b))
	if err != nil {
		// An empty statement list does not parse: a policy with none
		// applying is one that allows and denies nothing.
		p, err = simulate.ParseString(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"lambda-doctor:Nothing","Resource":"*","Principal":"*","Condition":{"Null":{"lambda-doctor:never":"false"}}}]}`)
		if err != nil {
			panic(fmt.Sprintf("judge: %v", err))
		}
	}
	return &simulate.NamedPolicy{Name: np.Name, Policy: p}
}

// statementJSON writes a parsed statement back as JSON, with the elements
// d names made to match any request.
func statementJSON(st *simulate.Statement, d dependent) map[string]any {
	out := map[string]any{"Effect": st.Effect}
	if st.Sid != "" {
		out["Sid"] = st.Sid
	}
	switch {
	case d.action:
		out["Action"] = "*"
	case st.Action != nil:
		out["Action"] = st.Action
	default:
		out["NotAction"] = st.NotAction
	}
	switch {
	case d.res:
		out["Resource"] = "*"
	case st.Resource != nil:
		out["Resource"] = st.Resource
	case st.NotResource != nil:
		out["NotResource"] = st.NotResource
	}
	switch {
	case d.prin:
		out["Principal"] = "*"
	case st.Principal != nil:
		out["Principal"] = principalsJSON(st.Principal)
	case st.NotPrincipal != nil:
		out["NotPrincipal"] = principalsJSON(st.NotPrincipal)
	}
	cond := map[string]map[string][]string{}
	for i, c := range st.Conditions {
		if containsInt(d.conds, i) {
			continue
		}
		if cond[c.Operator] == nil {
			cond[c.Operator] = map[string][]string{}
		}
		cond[c.Operator][c.Key] = c.Values
	}
	if len(cond) > 0 {
		out["Condition"] = cond
	}
	return out
}

func principalsJSON(p *simulate.Principals) any {
	if p.All {
		return "*"
	}
	return p.Values
}

func containsInt(l []int, x int) bool {
	for _, y := range l {
		if y == x {
			return true
		}
	}
	return false
}

// MarkerSource says where a marker of fn's model comes from: the Unseen of
// Operation "template" the template reader recorded for it, else a
// sentence from the marker's kind.
func MarkerSource(fn *account.Function, marker string) account.Unseen {
	if fn != nil {
		for _, u := range fn.Unseen {
			if u.Operation == "template" && u.Resource == marker {
				return u
			}
		}
	}
	u := account.Unseen{Operation: "template", Resource: marker}
	if strings.HasPrefix(marker, account.GeneratedPrefix) {
		u.Error = "a name or id CloudFormation assigns at deploy time"
	} else {
		u.Error = "a value the template does not give"
	}
	return u
}

// templateGaps turns the reads a model from a template could not make into
// what the template says of them: a role or managed policy not defined in
// the template is the template reader's Unseen for it (Operation
// "template"), not a read refused to the operator. The notes the reader
// left on the function itself (a SAM connector or feature that adds
// permissions it does not model, a condition on the function's existence)
// are added: like a refused read, they leave an implicit deny undecided.
func templateGaps(fn *account.Function, unseen []account.Unseen) []account.Unseen {
	if fn == nil || fn.Source == nil {
		return unseen
	}
	out := make([]account.Unseen, 0, len(unseen))
	for _, u := range unseen {
		if u.Operation == "template" {
			out = append(out, u)
			continue
		}
		found := false
		for _, t := range fn.Unseen {
			if t.Operation == "template" && (t.Resource == u.Resource || slices.Contains(Markers(u.Resource), t.Resource)) {
				out = append(out, t)
				found = true
			}
		}
		if !found {
			out = append(out, account.Unseen{Operation: "template", Resource: u.Resource,
				Error: "not defined in the template (" + u.Error + ")"})
		}
	}
	for _, t := range fn.Unseen {
		if t.Operation == "template" && t.Resource == fn.Source.LogicalID {
			out = append(out, t)
		}
	}
	return out
}

// knownDifferent reports whether a and b are different values whatever the
// markers they hold stand for (a region from a template's parameter may be
// the function's).
func knownDifferent(a, b string) bool {
	return a != b && !mayIntersect(starMarkers(a), starMarkers(b))
}

// mayBeARN reports whether s, which holds markers, could be an ARN for
// some values of them: its text before the first marker could begin one.
func mayBeARN(s string) bool {
	i := strings.Index(s, "{{")
	if i < 0 || !account.HasMarker(s) {
		return false
	}
	lit := s[:i]
	return strings.HasPrefix("arn:", lit) || strings.HasPrefix(lit, "arn:")
}
