package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/internal/iostreams"
)

// hostile is what a hostile account or user puts in every value it can:
// set the window title (OSC ... BEL), clear the screen (CSI 2 J), a C1 CSI,
// a right-to-left override, and a byte that is not UTF-8 (written raw into
// the files; JSON decoders turn it into U+FFFD, flags and pasted text keep
// it).
const hostile = "\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e" + badByte

// badByte is the placeholder written as the raw byte 0xff.
const badByte = "BADBYTE"

func raw(s string) string { return strings.ReplaceAll(s, badByte, "\xff") }

// rawControl is the first character of s that could act on a terminal
// (what term.Clean escapes: C0 controls but newline and tab, DEL, C1,
// bidi marks, invalid UTF-8), with its offset; -1 when there is none.
func rawControl(s string) (int, string) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1,
			r < 0x20 && r != '\n' && r != '\t', r == 0x7f,
			r >= 0x80 && r <= 0x9f,
			r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
			return i, s[i : i+size]
		}
		i += size
	}
	return -1, ""
}

// assertClean fails when stdout or stderr of a run holds a raw control
// character, a Go runtime error or an exit code outside the contract.
func assertClean(t *testing.T, what, stdout, stderr string, code int) {
	t.Helper()
	for name, s := range map[string]string{"stdout": stdout, "stderr": stderr} {
		if i, c := rawControl(s); i >= 0 {
			lo, hi := max(0, i-60), min(len(s), i+20)
			t.Errorf("%s: %s holds the raw character %q at %d: ...%q...", what, name, c, i, s[lo:hi])
		}
	}
	if code < 0 || code > 3 {
		t.Errorf("%s: exit code %d", what, code)
	}
	if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic:") {
		t.Errorf("%s: a Go runtime error on stderr: %s", what, stderr)
	}
}

// poison appends hostile to every string of a JSON value except those
// keep says to keep, and returns the JSON text.
func poison(t *testing.T, data []byte, keep func(path []string) bool) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(v any, path []string) any
	walk = func(v any, path []string) any {
		switch x := v.(type) {
		case string:
			// What the loader or the policy grammar checks stays as it is,
			// so that hostile values reach the judging and the renderers:
			// empty strings, timestamps, a policy's Version and Effect.
			if keep(path) || x == "" || rfc3339.MatchString(x) {
				return x
			}
			if k := path[len(path)-1]; k == "Version" || k == "Effect" {
				return x
			}
			return x + hostile
		case []any:
			for i := range x {
				x[i] = walk(x[i], path)
			}
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e, append(path, k))
			}
		}
		return v
	}
	b, err := json.Marshal(walk(v, nil))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(raw(string(b)))
}

// keepFunctionNames keeps what names a function, so that --function can
// name it: its name, ARN, account and region.
func keepFunctionNames(path []string) bool {
	if len(path) == 2 && path[0] == "functions" {
		switch path[1] {
		case "name", "arn", "account", "region", "partition":
			return true
		}
	}
	// The aliases and versions too: a scenario's --qualifier must name
	// one the function has, or it is not found.
	if len(path) == 3 && path[0] == "functions" && path[1] == "aliases" && path[2] == "name" {
		return true
	}
	return len(path) == 2 && path[0] == "functions" && path[1] == "versions"
}

func keepNothing([]string) bool { return false }

var rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT`)

// runIn runs a command line on streams that are a terminal or not, with
// colour forced when they are.
func runIn(args []string, stdin string, tty bool) (string, string, int) {
	ios, in, out, errb := iostreams.Test()
	in.WriteString(stdin)
	if tty {
		ios.SetTTY(true, true)
	}
	code := runStreams(context.Background(), ios, append([]string{"lambda-doctor"}, args...))
	return out.String(), errb.String(), code
}

// TestHostileInputNeverReachesTheTerminal feeds control characters through
// every text and markdown renderer and every error path: snapshots whose
// every string field is hostile, hostile flags, spec, policies, cases and
// pasted errors. Nothing the account or the user supplied reaches stdout or
// stderr raw, in any output format; no fix command carries a control
// character.
func TestHostileInputNeverReachesTheTerminal(t *testing.T) {
	// Colour on a terminal (the runs that say so), none on the buffers.
	t.Setenv("NO_COLOR", "")
	t.Setenv("CLICOLOR_FORCE", "")
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	refusedSome := false
	run := func(t *testing.T, args []string, stdin string) (string, string, int) {
		t.Helper()
		stdout, stderr, code := runIn(args, stdin, false)
		assertClean(t, strings.Join(args, " "), stdout, stderr, code)
		if strings.Contains(stdout, "would carry a control character") {
			refusedSome = true
		}
		for _, f := range []string{"json", "sarif"} {
			if contains(args, f) && code != exitBadInput && !json.Valid([]byte(stdout)) {
				t.Errorf("%s: the %s output is not JSON:\n%.500s", strings.Join(args, " "), f, stdout)
			}
		}
		// No printed fix carries a control character, decoded from JSON.
		if contains(args, "json") && (args[0] == "diagnose" || args[0] == "check") && code != exitBadInput {
			for _, f := range printedFixes(t, stdout) {
				if why := fix.UnsafeCommand(f.Command); why != "" {
					t.Errorf("%s: a printed fix carries a control character: %s", strings.Join(args, " "), why)
				}
			}
		}
		return stdout, stderr, code
	}

	// Every bundled scenario, on its snapshot with every string hostile
	// but the function's names, in every output and fix format.
	scenarios, err := filepath.Glob("../../fixtures/*/scenario.json")
	if err != nil || len(scenarios) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, sc := range scenarios {
		dir := filepath.Dir(sc)
		name := filepath.Base(dir)
		t.Run("diagnose/"+name, func(t *testing.T) {
			var s scenario
			b, err := os.ReadFile(sc)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, "snapshot.json"))
			if err != nil {
				t.Fatal(err)
			}
			snap := write(name+".json", poison(t, data, keepFunctionNames))
			for _, out := range []string{"text", "json", "markdown"} {
				for _, ff := range []string{"cli", "cloudformation", "sam", "terraform"} {
					run(t, append([]string{"diagnose", "--snapshot", snap, "--output", out, "--fix-format", ff}, s.Args...), "")
				}
			}
			// And each symptom on its own, without the scenario's flags.
			fn := s.Args[1]
			for _, sym := range []string{"auto", "invoke-denied", "no-logs", "role-assume"} {
				run(t, []string{"diagnose", "--snapshot", snap, "--function", fn, "--symptom", sym}, "")
			}
			// A snapshot hostile in every string, names included.
			all := write(name+"-all.json", poison(t, data, keepNothing))
			run(t, []string{"diagnose", "--snapshot", all, "--function", fn}, "")
			run(t, []string{"check", "--snapshot", all, "--all"}, "")
			run(t, []string{"snapshot", "--snapshot", all, "--all", "-o", "-"}, "")
		})
	}

	// check on the check account, hostile but for the names, every output.
	data, err := os.ReadFile(checkAccount)
	if err != nil {
		t.Fatal(err)
	}
	acct := write("account.json", poison(t, data, keepFunctionNames))
	spec := write("spec.yaml", []byte(raw("version: 1\nfunction: healthy\ninvokers:\n  - name: \""+yamlEscape(hostile)+"\"\n    principal: apigateway.amazonaws.com\n"+
		"calls:\n  - name: \""+yamlEscape(hostile)+"\"\n    action: dynamodb:PutItem\n    resource: arn:aws:dynamodb:us-east-1:111122223333:table/T\n    context: {\"aws:SourceVpc\": \""+yamlEscape(hostile)+"\"}\n")))
	t.Run("check", func(t *testing.T) {
		for _, out := range []string{"text", "json", "sarif", "junit"} {
			run(t, []string{"check", "--snapshot", acct, "--all", "--output", out, "--verbose"}, "")
			run(t, []string{"check", "--snapshot", acct, "--function", "healthy", "--spec", spec, "--output", out, "--verbose", "--sarif-file", "tmpl" + hostile}, "")
		}
		run(t, []string{"snapshot", "--snapshot", acct, "--all", "-o", "-"}, "")
	})

	// simulate: a policy and cases with hostile Sids, ids and values.
	policy := write("policy.json", []byte(raw(`{"Version":"2012-10-17","Statement":[{"Sid":"`+jsonEscape(hostile)+`","Effect":"Allow","Action":["s3:GetObject","s3:Frob`+jsonEscape(hostile)+`"],"Resource":"arn:aws:s3:::b/`+jsonEscape(hostile)+`"}]}`)))
	cases := write("cases.jsonl", []byte(raw(`{"id":"`+jsonEscape(hostile)+`","identity_policies":[{"Version":"2012-10-17","Statement":{"Sid":"`+jsonEscape(hostile)+`","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}],"request":{"principal":"arn:aws:iam::111122223333:user/u","action":"s3:GetObject","resource":"arn:aws:s3:::b/`+jsonEscape(hostile)+`"},"expect":"implicit_deny"}`+"\n"+
		`{"id":"`+jsonEscape(hostile)+`","x":`+"\n")))
	t.Run("simulate", func(t *testing.T) {
		for _, out := range []string{"text", "json"} {
			run(t, []string{"simulate", "--policy", policy, "--principal", "arn:aws:iam::111122223333:user/u" + hostile, "--action", "s3:GetObject" + hostile,
				"--resource", "arn:aws:s3:::b/k" + hostile, "--context", "aws:SourceVpc=" + raw(hostile), "--output", out}, "")
		}
		run(t, []string{"simulate", "--cases", cases, "--trace"}, "")
		run(t, []string{"simulate", "--cases", "-"}, raw(hostile+"\n"))
		run(t, []string{"simulate", "--function", "healthy", "--snapshot", acct, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/" + raw(hostile)}, "")
	})

	// Pasted errors: a denial quoting hostile names, text that is no
	// denial at all, from a flag, a file and stdin.
	denial := "User: arn:aws:sts::111122223333:assumed-role/order-search-role/order-search" + hostile + " is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:111122223333:table/Orders" + hostile
	errFile := write("error.txt", []byte(raw(denial)))
	junk := write("junk.txt", []byte(raw("nothing to see "+hostile)))
	outSnap := "../../fixtures/dynamodb-index-query/snapshot.json"
	t.Run("pasted errors", func(t *testing.T) {
		for _, out := range []string{"text", "json", "markdown"} {
			base := []string{"diagnose", "--snapshot", outSnap, "--function", "order-search", "--output", out}
			run(t, append(base, "--error", raw(denial)), "")
			run(t, append(base, "--error", "@"+errFile), "")
			run(t, append(base, "--error", "@"+junk), "")
			run(t, append(base, "--error", "-"), raw("AccessDenied "+hostile))
			run(t, append(base, "--error", raw("User: x"+hostile+" is not authorized to perform: dynamo"+hostile+":Query")), "")
		}
	})

	// Hostile flags and arguments: every error path echoes them escaped.
	h := raw(hostile)
	t.Run("flags", func(t *testing.T) {
		for _, args := range [][]string{
			{h},
			{"diagnose", "--" + h},
			{"diagnose", "--function", "f" + h, "--snapshot", outSnap},
			{"diagnose", "--function", "order-search", "--snapshot", outSnap, "--output", h},
			{"diagnose", "--function", "order-search", "--snapshot", outSnap, "--fix-format", h},
			{"diagnose", "--function", "order-search", "--snapshot", outSnap, "--symptom", h},
			{"diagnose", "--function", "order-search", "--snapshot", outSnap, "--caller", h},
			{"diagnose", "--function", "order-search", "--snapshot", outSnap, "--source-arn", "arn:aws:sns:us-east-1:111122223333:t" + h},
			{"diagnose", "--function", "order-search", "--snapshot", outSnap, "--source-account", h},
			{"diagnose", "--function", "order-search", "--snapshot", outSnap, "--qualifier", h},
			{"diagnose", "--function", "order-search", "--snapshot", outSnap, "--action", "dynamodb:Query" + h, "--resource", "*"},
			{"diagnose", "--function", "order-search", "--snapshot", outSnap, "--action", "dynamodb:Query", "--resource", "arn:aws:dynamodb:us-east-1:111122223333:table/T" + h},
			{"diagnose", "--function", "order-search", "--snapshot", outSnap, "--error", "@" + filepath.Join(dir, "missing"+h)},
			{"diagnose", "--function", "order-search", "--snapshot", filepath.Join(dir, "missing"+h)},
			{"diagnose", "--function", "missing-fn", "--snapshot", outSnap},
			{"diagnose", "--function", "order-search", "extra" + h},
			{"diagnose", "--function", "f", "--region", h},
			{"check", "--function", "healthy", "--snapshot", acct, "--fail-on", h},
			{"check", "--function", "healthy", "--snapshot", acct, "--ignore", h},
			{"check", "--function", "healthy", "--snapshot", acct, "--spec", filepath.Join(dir, "missing"+h)},
			{"check", "--function", "healthy", "--snapshot", acct, "--spec", write("bad.yaml", []byte(raw("version: 1\nfunction: healthy\n\""+yamlEscape(hostile)+"\": 1\n")))},
			{"check", "--function", "healthy", "--snapshot", acct, "--spec", write("bad2.yaml", []byte(raw("version: 1\nfunction: healthy\ncalls:\n  - action: \"s3:Get"+yamlEscape(hostile)+"\"\n    resource: '*'\n")))},
			{"check", "--function", "healthy", "--snapshot", acct, "--spec", write("bad3.yaml", []byte("version: 1\nfunction: "+h+"\n"))},
			{"simulate", "--policy", filepath.Join(dir, "missing"+h), "--principal", "p", "--action", "s3:GetObject", "--resource", "*"},
			{"simulate", "--policy", policy, "--principal", "p", "--action", "s3:GetObject", "--resource", "*", "--context", h},
			{"snapshot", "--function", h, "--snapshot", acct, "-o", filepath.Join(dir, "out"+h, "x.json")},
		} {
			run(t, args, "")
			// The same on a terminal, in colour: only the palette's own
			// escape sequences may appear.
			stdout, stderr, _ := runIn(args, "", true)
			for name, s := range map[string]string{"stdout": stdout, "stderr": stderr} {
				stripped := stripPalette(s)
				if i, c := rawControl(stripped); i >= 0 {
					t.Errorf("%s on a terminal: %s holds %q at %d: %q", strings.Join(args, " "), name, c, i, stripped)
				}
			}
		}
	})
	if !refusedSome {
		t.Error("no fix was refused for carrying a control character: the hostile snapshots did not reach the fix commands")
	}
}

// stripPalette removes the SGR sequences (ESC [ digits ; ... m) the palette
// writes.
func stripPalette(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
				j++
			}
			if j < len(s) && s[j] == 'm' {
				i = j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// yamlEscape writes s for a double-quoted YAML scalar (the placeholder for
// the invalid byte stays, written raw later: YAML refuses it).
func yamlEscape(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

func jsonEscape(s string) string { return yamlEscape(s) }
