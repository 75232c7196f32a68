// Package fixtest checks printed fixes for the tests of every package that
// prints them (cmd/lambda-doctor, e2e, checks/checke2e): PublicGrants finds
// a fix that would open a function to anyone. It reads the fix as a person
// would paste it (shell words, JSON documents, IaC snippets), independently
// of how package fix built it.
package fixtest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Fix is what a test knows of a printed fix.
type Fix struct {
	Command  string
	Document string
}

// PublicGrants returns, for one fix, every grant it makes to anyone
// (Principal "*" or {"AWS": "*"} in an Allow statement, --principal '*')
// that is not one of the two function-URL grants scoped to a URL with auth
// type NONE (lambda:FunctionUrlAuthType NONE, lambda:InvokedViaFunctionUrl
// true). Statements listed in existing (the documents the function already
// had) are not grants of the fix: a policy written back whole keeps them.
func PublicGrants(f Fix, existing []string) []string {
	known := map[string]bool{}
	for _, doc := range existing {
		for _, st := range statements(doc) {
			known[canonical(st)] = true
		}
	}
	var out []string
	checkDoc := func(where, doc string) {
		for _, st := range statements(doc) {
			if public(st) && !urlScoped(st) && !known[canonical(st)] {
				out = append(out, fmt.Sprintf("%s: statement %s grants to anyone", where, canonical(st)))
			}
		}
	}
	if f.Document != "" {
		checkDoc("document", f.Document)
	}
	cmd := strings.TrimSpace(f.Command)
	switch {
	case cmd == "":
	case strings.HasPrefix(cmd, "aws "):
		for _, line := range splitAnd(cmd) {
			out = append(out, cliGrants(line, checkDoc)...)
		}
	default:
		out = append(out, iacGrants(cmd)...)
	}
	return out
}

// cliGrants checks one aws CLI command line.
func cliGrants(line string, checkDoc func(where, doc string)) []string {
	words := Words(line)
	flag := func(name string) (string, bool) {
		for i, w := range words {
			if w == name && i+1 < len(words) {
				return words[i+1], true
			}
			if strings.HasPrefix(w, name+"=") {
				return strings.TrimPrefix(w, name+"="), true
			}
		}
		return "", false
	}
	has := func(name string) bool {
		for _, w := range words {
			if w == name {
				return true
			}
		}
		return false
	}
	var out []string
	if len(words) >= 3 && words[1] == "lambda" && words[2] == "add-permission" {
		if p, _ := flag("--principal"); p == "*" {
			auth, _ := flag("--function-url-auth-type")
			if auth != "NONE" && !has("--invoked-via-function-url") {
				out = append(out, "add-permission --principal '*' without --function-url-auth-type NONE or --invoked-via-function-url: "+line)
			}
		}
	}
	for _, name := range []string{"--policy", "--policy-document"} {
		if doc, ok := flag(name); ok && strings.HasPrefix(strings.TrimSpace(doc), "{") {
			checkDoc(words[1]+" "+words[2]+" "+name, doc)
		}
	}
	return out
}

// iacGrants checks a CloudFormation, SAM or Terraform snippet: each
// resource that names the principal "*" must be a function-URL grant for
// auth type NONE.
func iacGrants(text string) []string {
	var out []string
	for _, block := range iacBlocks(text) {
		star := false
		scoped := false
		for _, l := range strings.Split(block, "\n") {
			t := strings.TrimSpace(l)
			switch strings.ReplaceAll(t, " ", "") {
			case "Principal:'*'", `Principal:"*"`, "Principal:*", `principal="*"`:
				star = true
			case "FunctionUrlAuthType:NONE", `function_url_auth_type="NONE"`, "InvokedViaFunctionUrl:true", "invoked_via_function_url=true":
				scoped = true
			}
		}
		if star && !scoped {
			out = append(out, "IaC resource grants to anyone: "+block)
		}
	}
	return out
}

// iacBlocks splits a snippet at its top-level lines (a CloudFormation
// logical id, a Terraform resource).
func iacBlocks(text string) []string {
	var blocks []string
	var cur []string
	for _, l := range strings.Split(text, "\n") {
		if l != "" && l[0] != ' ' && l[0] != '}' && l[0] != '#' && len(cur) > 0 {
			blocks = append(blocks, strings.Join(cur, "\n"))
			cur = nil
		}
		cur = append(cur, l)
	}
	if len(cur) > 0 {
		blocks = append(blocks, strings.Join(cur, "\n"))
	}
	return blocks
}

func statements(doc string) []map[string]any {
	var top map[string]any
	if json.Unmarshal([]byte(doc), &top) != nil {
		return nil
	}
	switch s := top["Statement"].(type) {
	case map[string]any:
		return []map[string]any{s}
	case []any:
		var out []map[string]any
		for _, e := range s {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func canonical(st map[string]any) string {
	b, _ := json.Marshal(st)
	return string(b)
}

// public reports whether an Allow statement names anyone.
func public(st map[string]any) bool {
	if st["Effect"] != "Allow" {
		return false
	}
	if _, ok := st["NotPrincipal"]; ok {
		return true
	}
	switch p := st["Principal"].(type) {
	case string:
		return p == "*"
	case map[string]any:
		for _, v := range values(p["AWS"]) {
			if v == "*" {
				return true
			}
		}
	}
	return false
}

// urlScoped reports whether a statement is one of the two grants of a
// function URL with auth type NONE.
func urlScoped(st map[string]any) bool {
	cond, _ := st["Condition"].(map[string]any)
	for _, kv := range cond {
		m, _ := kv.(map[string]any)
		for k, v := range m {
			vals := values(v)
			switch strings.ToLower(k) {
			case "lambda:functionurlauthtype":
				if len(vals) == 1 && vals[0] == "NONE" {
					return true
				}
			case "lambda:invokedviafunctionurl":
				if len(vals) == 1 && vals[0] == "true" {
					return true
				}
			}
		}
	}
	return false
}

// values are a decoded JSON scalar or list as text.
func values(v any) []string {
	l, ok := v.([]any)
	if !ok {
		return []string{fmt.Sprint(v)}
	}
	out := make([]string, len(l))
	for i, e := range l {
		out[i] = fmt.Sprint(e)
	}
	return out
}

// splitAnd splits a command line at " && " outside quotes.
func splitAnd(line string) []string {
	var out []string
	inQuote := false
	start := 0
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\'':
			inQuote = !inQuote
		case !inQuote && strings.HasPrefix(line[i:], " && "):
			out = append(out, line[start:i])
			start = i + 4
		}
	}
	return append(out, line[start:])
}

// Words splits a command line into the words bash would give the program:
// single quotes (with '\” for a quote inside), double quotes, backslash
// escapes and line continuations. It is enough for the commands
// lambda-doctor prints; it does not expand anything.
func Words(line string) []string {
	var out []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line):
			i++
			if line[i] != '\n' {
				cur.WriteByte(line[i])
				inWord = true
			}
		case c == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				j = len(line) - i - 1
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) {
					i++
				}
				cur.WriteByte(line[i])
			}
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}
