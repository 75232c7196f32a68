package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxNodes bounds the values of one template, after YAML aliases are
// expanded (a "billion laughs" document stops here instead of filling
// memory). CloudFormation's own limit is a 1 MB template body (51,200 bytes
// inline, 1 MB from S3; "CloudFormation quotas", AWS CloudFormation user
// guide), so a real template has far fewer (a 1 MB body holds well under
// 200,000).
const maxNodes = 500_000

// maxDepth bounds the nesting of values, for the recursive walks.
const maxDepth = 200

// parse reads a template as JSON (when it starts with '{') or YAML, with
// the short-form intrinsic function tags of CloudFormation YAML turned into
// their long form.
func parse(file string, data []byte) (*node, error) {
	if !utf8.Valid(data) {
		return nil, &Error{File: file, Line: firstInvalidLine(data), Msg: "the template is not valid UTF-8"}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return parseJSON(file, data)
	}
	return parseYAML(file, data)
}

func firstInvalidLine(data []byte) int {
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line
}

// yamlLine matches the position yaml.v3 puts in its error messages.
var yamlLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

func parseYAML(file string, data []byte) (*node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Line: 1, Msg: "the template is empty"}
		}
		msg := err.Error()
		line := 0
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			fmt.Sscan(m[1], &line)
			msg = msg[len(m[0]):]
		}
		return nil, &Error{File: file, Line: line, Msg: "not valid YAML: " + msg}
	}
	var more yaml.Node
	if err := dec.Decode(&more); err == nil {
		return nil, &Error{File: file, Line: more.Line, Msg: "the file holds more than one YAML document"}
	}
	c := yamlConv{file: file}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	n, err := c.conv(root, 0)
	if err != nil {
		return nil, err
	}
	return n, nil
}

type yamlConv struct {
	file    string
	count   int
	anchors map[*yaml.Node]anchored // converted anchored nodes
}

type anchored struct {
	n    *node
	size int // values in n
}

func (c *yamlConv) errf(y *yaml.Node, format string, args ...any) error {
	return &Error{File: c.file, Line: y.Line, Col: y.Column, Msg: fmt.Sprintf(format, args...)}
}

// shortForms maps a YAML tag to the long-form function it stands for.
var shortForms = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition",
	"!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!Join": "Fn::Join", "!If": "Fn::If",
	"!Select": "Fn::Select", "!Split": "Fn::Split", "!FindInMap": "Fn::FindInMap",
	"!ImportValue": "Fn::ImportValue", "!Equals": "Fn::Equals", "!And": "Fn::And",
	"!Or": "Fn::Or", "!Not": "Fn::Not", "!GetAZs": "Fn::GetAZs", "!Base64": "Fn::Base64",
	"!Cidr": "Fn::Cidr", "!Transform": "Fn::Transform", "!Length": "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString", "!ForEach": "Fn::ForEach",
}

func (c *yamlConv) conv(y *yaml.Node, depth int) (*node, error) {
	c.count++
	if c.count > maxNodes {
		return nil, c.errf(y, "the template has more than %d values (after YAML aliases are expanded)", maxNodes)
	}
	if depth > maxDepth {
		return nil, c.errf(y, "values nested more than %d deep", maxDepth)
	}
	if y.Kind == yaml.AliasNode {
		if y.Alias == nil {
			return nil, c.errf(y, "YAML alias without an anchor")
		}
		a, ok := c.anchors[y.Alias]
		if !ok {
			before := c.count
			n, err := c.conv(y.Alias, depth+1)
			if err != nil {
				return nil, err
			}
			a = anchored{n, c.count - before}
			if c.anchors == nil {
				c.anchors = map[*yaml.Node]anchored{}
			}
			c.anchors[y.Alias] = a
		} else {
			c.count += a.size
			if c.count > maxNodes {
				return nil, c.errf(y, "the template has more than %d values (after YAML aliases are expanded)", maxNodes)
			}
		}
		return a.n.clone().at(y.Line, y.Column), nil
	}
	var n *node
	switch y.Kind {
	case yaml.ScalarNode:
		n = &node{kind: kString, str: y.Value}
		switch y.ShortTag() {
		case "!!null":
			n.kind = kNull
		case "!!bool":
			n.kind = kBool
			n.str = strings.ToLower(y.Value)
		case "!!int", "!!float":
			n.kind = kNumber
		}
	case yaml.SequenceNode:
		n = &node{kind: kList, list: make([]*node, 0, len(y.Content))}
		for _, it := range y.Content {
			v, err := c.conv(it, depth+1)
			if err != nil {
				return nil, err
			}
			n.list = append(n.list, v)
		}
	case yaml.MappingNode:
		n = newMap()
		seen := map[string]bool{}
		for i := 0; i+1 < len(y.Content); i += 2 {
			ky := y.Content[i]
			if ky.Kind != yaml.ScalarNode {
				return nil, c.errf(ky, "a map key must be a string")
			}
			if seen[ky.Value] {
				return nil, c.errf(ky, "duplicate key %q", ky.Value)
			}
			seen[ky.Value] = true
			v, err := c.conv(y.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			n.keys = append(n.keys, ky.Value)
			n.vals = append(n.vals, v)
		}
	default:
		return nil, c.errf(y, "unexpected YAML node")
	}
	n.line, n.col = y.Line, y.Column
	tag := y.Tag
	if tag == "" || strings.HasPrefix(tag, "!!") || tag == "!" || strings.HasPrefix(tag, "tag:yaml.org,2002:") {
		return n, nil
	}
	fn, ok := shortForms[tag]
	if !ok {
		return nil, c.errf(y, "unknown intrinsic function tag %s", tag)
	}
	if n.kind == kNull { // "!GetAZs" with no value, or "!Ref" alone
		n = &node{kind: kString, str: "", line: y.Line, col: y.Column}
	}
	switch fn {
	case "Fn::GetAtt":
		if n.kind == kString {
			res, attr, ok := strings.Cut(n.str, ".")
			if !ok {
				return nil, c.errf(y, "!GetAtt %q: want RESOURCE.ATTRIBUTE", n.str)
			}
			a, b := str(res), str(attr)
			a.line, a.col, b.line, b.col = y.Line, y.Column, y.Line, y.Column
			n = &node{kind: kList, list: []*node{a, b}, line: y.Line, col: y.Column}
		}
	}
	return &node{kind: kMap, keys: []string{fn}, vals: []*node{n}, line: y.Line, col: y.Column}, nil
}

// parseJSON reads a JSON template keeping the line of every value.
func parseJSON(file string, data []byte) (*node, error) {
	p := jsonParser{file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, p.errAt(p.dec.InputOffset(), "text after the end of the JSON template")
	}
	return n, nil
}

type jsonParser struct {
	file  string
	data  []byte
	dec   *json.Decoder
	count int
}

// pos turns a byte offset into a line and column.
func (p *jsonParser) pos(off int64) (int, int) {
	if off > int64(len(p.data)) {
		off = int64(len(p.data))
	}
	before := p.data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

func (p *jsonParser) errAt(off int64, format string, args ...any) error {
	line, col := p.pos(off)
	return &Error{File: p.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// start returns the offset where the next token begins.
func (p *jsonParser) start() int64 {
	off := p.dec.InputOffset()
	for off < int64(len(p.data)) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (p *jsonParser) token() (json.Token, int64, error) {
	off := p.start()
	t, err := p.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, off, p.errAt(off, "the JSON template ends early")
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, off, p.errAt(se.Offset, "not valid JSON: %v", err)
		}
		return nil, off, p.errAt(off, "not valid JSON: %v", err)
	}
	return t, off, nil
}

func (p *jsonParser) value(depth int) (*node, error) {
	t, off, err := p.token()
	if err != nil {
		return nil, err
	}
	return p.valueFrom(t, off, depth)
}

func (p *jsonParser) valueFrom(t json.Token, off int64, depth int) (*node, error) {
	p.count++
	if p.count > maxNodes {
		return nil, p.errAt(off, "the template has more than %d values", maxNodes)
	}
	if depth > maxDepth {
		return nil, p.errAt(off, "values nested more than %d deep", maxDepth)
	}
	line, col := p.pos(off)
	n := &node{line: line, col: col}
	switch v := t.(type) {
	case nil:
		n.kind = kNull
	case bool:
		n.kind, n.str = kBool, fmt.Sprint(v)
	case json.Number:
		n.kind, n.str = kNumber, v.String()
	case string:
		n.kind, n.str = kString, v
	case json.Delim:
		switch v {
		case '[':
			n.kind = kList
			for p.dec.More() {
				it, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.list = append(n.list, it)
			}
			if _, _, err := p.token(); err != nil {
				return nil, err
			}
		case '{':
			n.kind = kMap
			seen := map[string]bool{}
			for p.dec.More() {
				kt, koff, err := p.token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, p.errAt(koff, "a map key must be a string")
				}
				if seen[k] {
					return nil, p.errAt(koff, "duplicate key %q", k)
				}
				seen[k] = true
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, v)
			}
			if _, _, err := p.token(); err != nil {
				return nil, err
			}
		default:
			return nil, p.errAt(off, "unexpected %v", v)
		}
	}
	return n, nil
}
