package checks

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/suggest"
	"github.com/lambda-doctor/lambda-doctor/internal/validate"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Spec is a CI expectations file (YAML or JSON): who must be able to invoke
// each function, which calls it must be able to make, and which it must not.
//
//	version: 1
//	fail_on: high            # optional; the --fail-on flag wins
//	ignore: [LD104]          # optional rule ids whose findings are not reported
//	function: order-processor   # optional; else the --function being checked
//	invokers:
//	  - principal: apigateway.amazonaws.com
//	    source_arn: arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders
//	    source_account: "111122223333"
//	    qualifier: live
//	calls:
//	  - action: dynamodb:Query
//	    resource: arn:aws:dynamodb:us-east-1:111122223333:table/Orders
//	    context: {aws:SourceVpc: vpc-0abc}
//	denied_calls:
//	  - action: dynamodb:DeleteTable
//	    resource: arn:aws:dynamodb:us-east-1:111122223333:table/Orders
//	functions:               # more functions, each with the keys above
//	  - function: billing
//	    calls: [...]
type Spec struct {
	File      string
	Version   int
	FailOn    *Severity
	Ignore    []string
	Functions []FunctionSpec
}

// FunctionSpec holds the expectations on one function.
type FunctionSpec struct {
	// Function names the function (name or ARN); empty means the function
	// named on the command line.
	Function    string
	Line        int
	Invokers    []InvokerSpec
	Calls       []CallSpec
	DeniedCalls []CallSpec
}

// InvokerSpec is a caller that must be able to invoke the function.
type InvokerSpec struct {
	Line          int
	Name          string
	Principal     string
	SourceARN     string
	SourceAccount string
	Qualifier     string
	Action        string // lambda:InvokeFunction unless given
	Context       simulate.Context
}

// CallSpec is a call the function makes with its execution role.
type CallSpec struct {
	Line     int
	Name     string
	Action   string
	Resource string
	Context  simulate.Context
}

// SpecError is a problem in a spec file, with the line it is on.
type SpecError struct {
	File string
	Line int
	Msg  string
}

func (e *SpecError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ParseSpec reads a spec from data; file names it in errors. Unknown keys,
// duplicate keys, wrong types and missing required fields are errors.
func ParseSpec(file string, data []byte) (*Spec, error) {
	return (&specParser{file: file}).parse(data)
}

func (p *specParser) parse(data []byte) (*Spec, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, p.errf(0, "the spec is empty")
	}
	if trimmed[0] == '{' {
		// JSON: a tab can only be white space outside strings in valid
		// JSON, and YAML does not accept it everywhere JSON does.
		data = bytes.ReplaceAll(data, []byte("\t"), []byte(" "))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, p.yamlErr(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, p.errf(0, "the spec is empty")
	}
	s, err := p.spec(doc.Content[0])
	if err != nil {
		return nil, err
	}
	return s, nil
}

type specParser struct {
	file string
	// steps counts the keys the duplicate checks look at, so that a test
	// can tell a linear check from a quadratic one without timing it.
	steps int
}

func (p *specParser) errf(line int, format string, args ...any) error {
	return &SpecError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// yamlErr turns a yaml.v3 syntax error ("yaml: line 3: ...") into a SpecError.
func (p *specParser) yamlErr(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return p.errf(line, "not valid YAML or JSON: %s", msg)
}

// fields checks that n is a mapping with only the known keys and returns
// the value node of each key present.
func (p *specParser) fields(n *yaml.Node, what string, known ...string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n.Line, "%s must be a mapping, not %s", what, kindName(n))
	}
	out := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, p.errf(k.Line, "%s has a key that is not a string", what)
		}
		if !contains(known, k.Value) {
			msg := fmt.Sprintf("unknown key %q in %s (known keys: %s)", k.Value, what, strings.Join(known, ", "))
			if s := closestKey(k.Value, known); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return nil, p.errf(k.Line, "%s", msg)
		}
		p.steps++
		if _, dup := out[k.Value]; dup {
			return nil, p.errf(k.Line, "key %q appears twice in %s", k.Value, what)
		}
		out[k.Value] = v
	}
	return out, nil
}

var functionKeys = []string{"function", "invokers", "calls", "denied_calls"}

func (p *specParser) spec(root *yaml.Node) (*Spec, error) {
	known := append([]string{"version", "fail_on", "ignore", "functions"}, functionKeys...)
	f, err := p.fields(root, "the spec", known...)
	if err != nil {
		return nil, err
	}
	s := &Spec{File: p.file, Version: 1}
	if v := f["version"]; v != nil {
		str, err := p.scalar(v, "version")
		if err != nil {
			return nil, err
		}
		if str != "1" {
			return nil, p.errf(v.Line, "unsupported spec version %q (this lambda-doctor reads version 1)", str)
		}
	}
	if v := f["fail_on"]; v != nil {
		str, err := p.scalar(v, "fail_on")
		if err != nil {
			return nil, err
		}
		sev, err := ParseSeverity(str)
		if err != nil {
			return nil, p.errf(v.Line, "fail_on: %v", err)
		}
		s.FailOn = &sev
	}
	if v := f["ignore"]; v != nil {
		ids, err := p.strings(v, "ignore")
		if err != nil {
			return nil, err
		}
		for i, id := range ids {
			r, ok := RuleByID(id)
			if !ok {
				return nil, p.errf(v.Content[i].Line, "ignore: unknown rule id %q", id)
			}
			s.Ignore = append(s.Ignore, r.ID)
		}
	}
	top, err := p.function(root, f, "the spec")
	if err != nil {
		return nil, err
	}
	if top.Function != "" || len(top.Invokers)+len(top.Calls)+len(top.DeniedCalls) > 0 {
		s.Functions = append(s.Functions, top)
	}
	if v := f["functions"]; v != nil {
		if v.Kind != yaml.SequenceNode {
			return nil, p.errf(v.Line, "functions must be a list, not %s", kindName(v))
		}
		for i, item := range v.Content {
			what := fmt.Sprintf("functions[%d]", i)
			ff, err := p.fields(item, what, functionKeys...)
			if err != nil {
				return nil, err
			}
			fs, err := p.function(item, ff, what)
			if err != nil {
				return nil, err
			}
			if fs.Function == "" {
				return nil, p.errf(item.Line, "%s needs a function name", what)
			}
			s.Functions = append(s.Functions, fs)
		}
	}
	seen := map[string]int{}
	for _, fs := range s.Functions {
		if l, dup := seen[fs.Function]; dup {
			name := fs.Function
			if name == "" {
				name = "the command-line function"
			}
			return nil, p.errf(fs.Line, "expectations for %s are already given on line %d", name, l)
		}
		seen[fs.Function] = fs.Line
	}
	return s, nil
}

func (p *specParser) function(n *yaml.Node, f map[string]*yaml.Node, what string) (FunctionSpec, error) {
	fs := FunctionSpec{Line: n.Line}
	if v := f["function"]; v != nil {
		str, err := p.scalar(v, "function")
		if err != nil {
			return fs, err
		}
		if str == "" {
			return fs, p.errf(v.Line, "function must not be empty")
		}
		if _, err := validate.FunctionName(str); err != nil {
			return fs, p.errf(v.Line, "function: %v", err)
		}
		fs.Function = str
	}
	if v := f["invokers"]; v != nil {
		items, err := p.list(v, "invokers")
		if err != nil {
			return fs, err
		}
		for i, item := range items {
			inv, err := p.invoker(item, fmt.Sprintf("invokers[%d]", i))
			if err != nil {
				return fs, err
			}
			fs.Invokers = append(fs.Invokers, inv)
		}
	}
	for _, key := range []string{"calls", "denied_calls"} {
		v := f[key]
		if v == nil {
			continue
		}
		items, err := p.list(v, key)
		if err != nil {
			return fs, err
		}
		for i, item := range items {
			c, err := p.call(item, fmt.Sprintf("%s[%d]", key, i))
			if err != nil {
				return fs, err
			}
			if key == "calls" {
				fs.Calls = append(fs.Calls, c)
			} else {
				fs.DeniedCalls = append(fs.DeniedCalls, c)
			}
		}
	}
	return fs, nil
}

func (p *specParser) invoker(n *yaml.Node, what string) (InvokerSpec, error) {
	f, err := p.fields(n, what, "name", "principal", "source_arn", "source_account", "qualifier", "action", "context")
	if err != nil {
		return InvokerSpec{}, err
	}
	inv := InvokerSpec{Line: n.Line}
	for _, kv := range []struct {
		key string
		dst *string
	}{{"name", &inv.Name}, {"principal", &inv.Principal}, {"source_arn", &inv.SourceARN},
		{"source_account", &inv.SourceAccount}, {"qualifier", &inv.Qualifier}, {"action", &inv.Action}} {
		if v := f[kv.key]; v != nil {
			if *kv.dst, err = p.scalar(v, what+"."+kv.key); err != nil {
				return inv, err
			}
		}
	}
	if inv.Principal == "" {
		return inv, p.errf(n.Line, "%s needs a principal (a service such as apigateway.amazonaws.com, an account id, a role ARN, or \"*\")", what)
	}
	pr, err := validate.Principal(inv.Principal)
	if err != nil {
		return inv, p.errf(f["principal"].Line, "%s.principal: %v", what, err)
	}
	if inv.SourceARN != "" {
		src, err := validate.SourceARN(inv.SourceARN)
		if err != nil {
			return inv, p.errf(f["source_arn"].Line, "%s.source_arn: %v", what, err)
		}
		if err := validate.Invoker(pr, src); err != nil {
			return inv, p.errf(f["principal"].Line, "%s.principal: %v", what, err)
		}
	}
	if inv.Qualifier != "" {
		if err := validate.Qualifier(inv.Qualifier); err != nil {
			return inv, p.errf(f["qualifier"].Line, "%s.qualifier: %v", what, err)
		}
	}
	if a := inv.SourceAccount; a != "" && !account.IsAccountID(a) {
		return inv, p.errf(f["source_account"].Line, "%s.source_account %q is not a 12-digit account id (quote it in YAML)", what, a)
	}
	switch strings.ToLower(inv.Action) {
	case "":
		inv.Action = "lambda:InvokeFunction"
	case "lambda:invokefunction", "lambda:invokefunctionurl":
	default:
		return inv, p.errf(f["action"].Line, "%s.action must be lambda:InvokeFunction or lambda:InvokeFunctionUrl, not %q", what, inv.Action)
	}
	if v := f["context"]; v != nil {
		if inv.Context, err = p.context(v, what+".context"); err != nil {
			return inv, err
		}
	}
	return inv, nil
}

func (p *specParser) call(n *yaml.Node, what string) (CallSpec, error) {
	f, err := p.fields(n, what, "name", "action", "resource", "context")
	if err != nil {
		return CallSpec{}, err
	}
	c := CallSpec{Line: n.Line}
	for _, kv := range []struct {
		key string
		dst *string
	}{{"name", &c.Name}, {"action", &c.Action}, {"resource", &c.Resource}} {
		if v := f[kv.key]; v != nil {
			if *kv.dst, err = p.scalar(v, what+"."+kv.key); err != nil {
				return c, err
			}
		}
	}
	if c.Action == "" {
		return c, p.errf(n.Line, "%s needs an action (service:Action, e.g. dynamodb:Query)", what)
	}
	if _, err := validate.Action(c.Action); err != nil {
		return c, p.errf(f["action"].Line, "%s.action: %v", what, err)
	}
	if c.Resource == "" {
		return c, p.errf(n.Line, "%s needs a resource (an ARN, or \"*\" for actions without resources)", what)
	}
	if err := validate.Resource(c.Action, c.Resource, ""); err != nil {
		return c, p.errf(f["resource"].Line, "%s.resource: %v", what, err)
	}
	if v := f["context"]; v != nil {
		if c.Context, err = p.context(v, what+".context"); err != nil {
			return c, err
		}
	}
	return c, nil
}

func (p *specParser) context(n *yaml.Node, what string) (simulate.Context, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errf(n.Line, "%s must be a mapping of condition keys to values, not %s", what, kindName(n))
	}
	out := simulate.Context{}
	// Condition keys are case-insensitive: keys are compared by their
	// case fold, one map lookup each.
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || !strings.Contains(k.Value, ":") {
			return nil, p.errf(k.Line, "%s: %q is not a condition key (service:Key, e.g. aws:SourceVpc)", what, k.Value)
		}
		p.steps++
		fk := foldKey(k.Value)
		if seen[fk] {
			return nil, p.errf(k.Line, "%s: key %q appears twice", what, k.Value)
		}
		seen[fk] = true
		var vals []string
		var err error
		if v.Kind == yaml.SequenceNode {
			vals, err = p.strings(v, what+"."+k.Value)
		} else {
			var s string
			s, err = p.scalar(v, what+"."+k.Value)
			vals = []string{s}
		}
		if err != nil {
			return nil, err
		}
		out[k.Value] = simulate.Value{Values: vals, Multi: v.Kind == yaml.SequenceNode}
	}
	return out, nil
}

func (p *specParser) scalar(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errf(n.Line, "%s must be a string, not %s", what, kindName(n))
	}
	return n.Value, nil
}

func (p *specParser) strings(n *yaml.Node, what string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errf(n.Line, "%s must be a list, not %s", what, kindName(n))
	}
	out := make([]string, 0, len(n.Content))
	for i, item := range n.Content {
		s, err := p.scalar(item, fmt.Sprintf("%s[%d]", what, i))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func (p *specParser) list(n *yaml.Node, what string) ([]*yaml.Node, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errf(n.Line, "%s must be a list, not %s", what, kindName(n))
	}
	return n.Content, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	if n.Tag == "!!null" {
		return "null"
	}
	return fmt.Sprintf("the value %q", n.Value)
}

// foldKey is the form of s that two strings share exactly when
// strings.EqualFold says they are equal: every rune is replaced by the
// smallest rune of its simple case-folding orbit (K, k and the Kelvin sign
// all become K).
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		low := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			low = min(low, f)
		}
		return low
	}, s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// closestKey returns the known key closest to s (edit distance at most 2, a
// swap of neighbours counting 1: internal/suggest), if it is close, the
// first of the known keys at that distance.
func closestKey(s string, known []string) string {
	// Compare without case, dashes or underscores: sourceArn, source-arn
	// and SourceARN all suggest source_arn.
	norm := func(x string) string {
		return strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(x))
	}
	if c := suggest.Closest(s, known, 2, norm); len(c) > 0 {
		return c[0]
	}
	return ""
}

// For returns the expectations on the function named name (as given on the
// command line, or its ARN), and whether the spec has any for it.
// cmdName is the function named on the command line, which the spec's
// top-level expectations without a function name apply to.
func (s *Spec) For(fn, fnARN, cmdName string) (FunctionSpec, bool) {
	if s == nil {
		return FunctionSpec{}, false
	}
	for _, fs := range s.Functions {
		switch {
		case fs.Function == "" && cmdName != "" && (cmdName == fn || cmdName == fnARN):
			return fs, true
		case fs.Function != "" && (fs.Function == fn || fs.Function == fnARN):
			return fs, true
		}
	}
	return FunctionSpec{}, false
}

// Names returns the function names the spec names explicitly, sorted.
func (s *Spec) Names() []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, fs := range s.Functions {
		if fs.Function != "" {
			out = append(out, fs.Function)
		}
	}
	sort.Strings(out)
	return out
}

// crossPartition is the first expectation of fs that names an ARN (a
// caller, a source, a resource) in another partition than fn's: a request
// that cannot be made, reported as a *SpecError on its line.
func (fs FunctionSpec) crossPartition(file string, fn *account.Function) *SpecError {
	part := fn.PartitionName()
	check := func(line int, what, arn string) *SpecError {
		a, err := validate.ParseARN(arn)
		if err != nil || a.Partition == part {
			return nil
		}
		return &SpecError{File: file, Line: line, Msg: fmt.Sprintf("%s %q is in partition %s, the function %s in partition %s: no request crosses partitions", what, arn, a.Partition, fn.Name, part)}
	}
	for _, inv := range fs.Invokers {
		for _, c := range []struct{ what, arn string }{{"principal", inv.Principal}, {"source_arn", inv.SourceARN}} {
			if err := check(inv.Line, c.what, c.arn); err != nil {
				return err
			}
		}
	}
	for _, c := range append(append([]CallSpec(nil), fs.Calls...), fs.DeniedCalls...) {
		if err := check(c.Line, "resource", c.Resource); err != nil {
			return err
		}
	}
	return nil
}
