package template

import (
	"fmt"
	"strings"
)

// Error is a template the reader cannot read: malformed YAML or JSON, an
// unknown intrinsic function, a circular reference, a wrong argument, a
// file too large. It says where: the file, the line and column (0 when not
// known) and the element at fault as a dotted path
// ("Resources.OrdersFunction.Properties.Role").
type Error struct {
	File string
	Line int
	Col  int
	Path string
	Msg  string
	Err  error // the cause, when another error (a *limits.TooLargeError)
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	switch {
	case e.Msg != "":
		b.WriteString(e.Msg)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// errAt builds an Error at node n.
func (t *tmpl) errAt(n *node, path, format string, args ...any) *Error {
	e := &Error{File: t.file, Path: path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.line, n.col
	}
	return e
}
