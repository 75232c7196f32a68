package template

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/internal/jsontext"
)

// kind is the kind of a node of a template's value tree.
type kind uint8

const (
	kNull kind = iota
	kBool
	kNumber
	kString
	kList
	kMap
)

func (k kind) String() string {
	return [...]string{"null", "boolean", "number", "string", "list", "map"}[k]
}

// node is one value of a template, as parsed (intrinsic functions are maps
// with one key, "Ref" or "Fn::..."), or as evaluated. Scalars keep their
// text: CloudFormation treats numbers and booleans as strings in most
// places.
type node struct {
	kind kind
	str  string // scalar text
	list []*node
	keys []string // map keys in template order
	vals []*node
	line int // 1-based line in the template file, 0 when generated
	col  int
	open bool // a list of unknown length (split from a string with a marker)
}

func str(s string) *node          { return &node{kind: kString, str: s} }
func listOf(items ...*node) *node { return &node{kind: kList, list: items} }

func newMap() *node { return &node{kind: kMap} }

// get returns the value of key k of a map node, or nil.
func (n *node) get(k string) *node {
	if n == nil || n.kind != kMap {
		return nil
	}
	for i, key := range n.keys {
		if key == k {
			return n.vals[i]
		}
	}
	return nil
}

// set sets key k of a map node, keeping the position of an existing key.
func (n *node) set(k string, v *node) *node {
	for i, key := range n.keys {
		if key == k {
			n.vals[i] = v
			return n
		}
	}
	n.keys = append(n.keys, k)
	n.vals = append(n.vals, v)
	return n
}

// del removes key k of a map node.
func (n *node) del(k string) {
	for i, key := range n.keys {
		if key == k {
			n.keys = append(n.keys[:i:i], n.keys[i+1:]...)
			n.vals = append(n.vals[:i:i], n.vals[i+1:]...)
			return
		}
	}
}

// path returns the node at a dotted path of map keys, or nil.
func (n *node) path(keys ...string) *node {
	for _, k := range keys {
		n = n.get(k)
	}
	return n
}

// scalar reports whether n is a string, number or boolean.
func (n *node) scalar() bool {
	return n != nil && (n.kind == kString || n.kind == kNumber || n.kind == kBool)
}

// text returns the text of a scalar node, else "".
func (n *node) text() string {
	if n.scalar() {
		return n.str
	}
	return ""
}

// strings returns the texts of a list of scalars, or of one scalar.
func (n *node) strings() []string {
	switch {
	case n == nil:
		return nil
	case n.scalar():
		return []string{n.str}
	case n.kind == kList:
		var out []string
		for _, it := range n.list {
			if it.scalar() {
				out = append(out, it.str)
			}
		}
		return out
	}
	return nil
}

// boolean reports whether n is true or "true" (CloudFormation accepts both).
func (n *node) boolean() bool {
	return n.scalar() && strings.EqualFold(n.str, "true")
}

// intrinsic returns the function name when n is an intrinsic function call
// (a map with one key "Ref", "Condition" or "Fn::..."), with its argument.
func (n *node) intrinsic() (string, *node, bool) {
	if n == nil || n.kind != kMap || len(n.keys) != 1 {
		return "", nil, false
	}
	k := n.keys[0]
	if k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::") {
		return k, n.vals[0], true
	}
	return "", nil, false
}

// clone copies n deeply.
func (n *node) clone() *node {
	if n == nil {
		return nil
	}
	c := *n
	if n.list != nil {
		c.list = make([]*node, len(n.list))
		for i, it := range n.list {
			c.list[i] = it.clone()
		}
	}
	if n.keys != nil {
		c.keys = append([]string(nil), n.keys...)
		c.vals = make([]*node, len(n.vals))
		for i, v := range n.vals {
			c.vals[i] = v.clone()
		}
	}
	return &c
}

// at gives n (and its generated children) the position p when it has none.
func (n *node) at(line, col int) *node {
	if n == nil {
		return n
	}
	if n.line == 0 {
		n.line, n.col = line, col
	}
	for _, it := range n.list {
		it.at(line, col)
	}
	for _, v := range n.vals {
		v.at(line, col)
	}
	return n
}

// toJSON writes an evaluated node as JSON: scalars that were numbers or
// booleans in the template stay numbers or booleans.
func (n *node) toJSON() string {
	var b strings.Builder
	n.writeJSON(&b)
	return b.String()
}

func (n *node) writeJSON(b *strings.Builder) {
	switch {
	case n == nil || n.kind == kNull:
		b.WriteString("null")
	case n.kind == kBool:
		if n.boolean() {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case n.kind == kNumber && json.Valid([]byte(n.str)):
		b.WriteString(n.str)
	case n.scalar():
		writeJSONString(b, n.str)
	case n.kind == kList:
		b.WriteByte('[')
		for i, it := range n.list {
			if i > 0 {
				b.WriteByte(',')
			}
			it.writeJSON(b)
		}
		b.WriteByte(']')
	case n.kind == kMap:
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			n.vals[i].writeJSON(b)
		}
		b.WriteByte('}')
	}
}

// writeJSONString writes s as a JSON string (jsontext: no HTML escaping).
func writeJSONString(b *strings.Builder, s string) { jsontext.WriteString(b, s) }

// sortedKeys returns the keys of a map node in sorted order.
func (n *node) sortedKeys() []string {
	ks := append([]string(nil), n.keys...)
	sort.Strings(ks)
	return ks
}
