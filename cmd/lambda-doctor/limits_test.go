package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestBoundedReads: every file the tool reads has a size limit. An endless
// device (/dev/zero, /dev/urandom), a sparse 1 GiB file and a file over
// the limit each end with exit 2 and a message naming the file and, for a
// file too large, the limit and the flag that raises it, without reading
// more than a little of it (bytes allocated are counted; nothing is timed).
func TestBoundedReads(t *testing.T) {
	dir := t.TempDir()
	sparse := filepath.Join(dir, "sparse.json")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	big := writeFile(t, dir, "big.txt", strings.Repeat("x", 4096))
	snap := "../../fixtures/healthy-auto/snapshot.json"
	fn := []string{"--function", "thumbnail-maker"}
	req := []string{"--principal", "111122223333", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"}

	// Each reading path with FILE where the file goes, and the flag that
	// bounds it.
	paths := []struct {
		name string
		args func(file string) []string
		flag string
	}{
		{"snapshot", func(p string) []string { return append([]string{"diagnose", "--snapshot", p}, fn...) }, "--max-snapshot-size"},
		{"check snapshot", func(p string) []string { return append([]string{"check", "--snapshot", p}, fn...) }, "--max-snapshot-size"},
		{"spec", func(p string) []string { return append([]string{"check", "--snapshot", snap, "--spec", p}, fn...) }, "--max-spec-size"},
		{"error file", func(p string) []string {
			return append([]string{"diagnose", "--snapshot", snap, "--error", "@" + p}, fn...)
		}, "--max-error-size"},
		{"policy", func(p string) []string { return append([]string{"simulate", "--policy", p}, req...) }, "--max-policy-size"},
		{"cases", func(p string) []string { return []string{"simulate", "--cases", p} }, "--max-case-size"},
	}
	inputs := []struct {
		name, file, want string
		flag             bool // the message names the limit's flag
	}{
		{"/dev/zero", "/dev/zero", "/dev/zero is not text: byte 0 is NUL", false},
		{"/dev/urandom", "/dev/urandom", "/dev/urandom is not text: byte ", false},
		{"sparse 1 GiB file", sparse, "", false},
		{"over a 1 KiB limit", big, "big.txt is larger than the limit of 1 KiB", true},
	}
	for _, p := range paths {
		for _, in := range inputs {
			t.Run(p.name+"/"+in.name, func(t *testing.T) {
				if _, err := os.Stat(in.file); err != nil {
					t.Skip(err)
				}
				args := p.args(in.file)
				if in.file == big {
					args = append(args, p.flag, "1024")
				}
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				stdout, stderr, code := runCmd(t, args...)
				runtime.ReadMemStats(&after)
				want := in.want
				if in.file == sparse {
					// Refused from its size (or, streamed as cases, at its
					// first byte): never read.
					want = "sparse.json is larger than the limit of "
					if p.name == "cases" {
						want = "sparse.json is not text: byte 0 is NUL"
					}
				}
				if p.name == "cases" && in.file == big {
					// A line over the limit is an error on that line: the
					// run goes on (simulate --cases streams), and does not
					// pass, as an expect it may carry is not checked.
					if code != 1 || !strings.Contains(stdout, "the line is larger than the limit of 1 KiB; raise it with --max-case-size") {
						t.Errorf("exit %d, stdout %q; want exit 1 and the line's error", code, stdout)
					}
					return
				}
				if code != 2 || !strings.Contains(stderr, want) {
					t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, want)
				}
				if (in.flag || in.file == sparse && p.name != "cases") && !strings.Contains(stderr, "raise it with "+p.flag) {
					t.Errorf("stderr %q does not name the flag %s", stderr, p.flag)
				}
				if stdout != "" {
					t.Errorf("stdout %q, want nothing", stdout)
				}
				if n := after.TotalAlloc - before.TotalAlloc; n > 32<<20 {
					t.Errorf("allocated %d MiB to refuse it, want at most 32 MiB", n>>20)
				}
			})
		}
	}
	t.Run("error from stdin", func(t *testing.T) {
		_, stderr, code := runDiag(t, strings.Repeat("y", 2048), "--snapshot", snap, "--function", "thumbnail-maker", "--error", "-", "--max-error-size", "1024")
		if code != 2 || !strings.Contains(stderr, "standard input is larger than the limit of 1 KiB; raise it with --max-error-size") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	for _, tc := range []struct {
		flag string
		args []string
	}{
		{"--max-snapshot-size", append([]string{"diagnose", "--snapshot", snap}, fn...)},
		{"--max-spec-size", append([]string{"check", "--snapshot", snap, "--spec", big}, fn...)},
		{"--max-error-size", append([]string{"diagnose", "--snapshot", snap, "--error", "@" + big}, fn...)},
		{"--max-policy-size", append([]string{"simulate", "--policy", big}, req...)},
	} {
		t.Run(tc.flag+" 0", func(t *testing.T) {
			_, stderr, code := runCmd(t, append(tc.args, tc.flag, "0")...)
			if code != 2 || !strings.Contains(stderr, tc.flag+": want a size in bytes between 1 and") {
				t.Errorf("exit %d, stderr %q", code, stderr)
			}
		})
	}
}

// TestDeepNesting: 100,000 levels of nesting in a spec (YAML or JSON), a
// snapshot or a policy is bad input (exit 2, one line on stderr), never a
// Go runtime error or a stack trace.
func TestDeepNesting(t *testing.T) {
	const depth = 100000
	dir := t.TempDir()
	snap := "../../fixtures/healthy-auto/snapshot.json"
	fn := []string{"--function", "thumbnail-maker"}
	deepPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:x":` +
		strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}}}]}`
	// A snapshot whose role's inline policy is the deep document: the door
	// it decides is undecided (exit 3), as for any document that does not
	// parse.
	raw, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	role := m["roles"].([]any)[0].(map[string]any)
	role["inline_policies"] = []any{map[string]any{"name": "deep", "document": deepPolicy}}
	deepSnap, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
		code int
	}{
		{"policy in a snapshot", append([]string{"diagnose", "--symptom", "access-denied", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k", "--snapshot", writeFile(t, dir, "d.json", string(deepSnap))}, fn...), "nested too deeply", 3},
		{"spec YAML flow", []string{"check", "--snapshot", snap, "--spec", writeFile(t, dir, "a.yaml", "version: 1\ncalls: "+strings.Repeat("[", depth)+strings.Repeat("]", depth)+"\n")}, "exceeded max depth", 2},
		{"spec YAML block", []string{"check", "--snapshot", snap, "--spec", writeFile(t, dir, "b.yaml", "calls:\n"+strings.Repeat("- ", depth)+"x\n")}, "exceeded max depth", 2},
		{"spec JSON", []string{"check", "--snapshot", snap, "--spec", writeFile(t, dir, "c.json", `{"calls":`+strings.Repeat(`{"a":`, depth)+"1"+strings.Repeat("}", depth)+"}")}, "exceeded max depth", 2},
		{"snapshot", []string{"diagnose", "--snapshot", writeFile(t, dir, "s.json", `{"version":1,"functions":[{"config":`+strings.Repeat(`{"a":`, depth)+"1"+strings.Repeat("}", depth)+"}]}")}, "exceeded max depth", 2},
		{"policy", []string{"simulate", "--policy", writeFile(t, dir, "p.json", deepPolicy), "--principal", "111122223333", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"}, "nested too deeply", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args[0] != "simulate" && !strings.Contains(strings.Join(args, " "), "--function") {
				args = append(args, fn...)
			}
			stdout, stderr, code := runCmd(t, args...)
			out := stderr
			if tc.code == 3 {
				out = stdout
			}
			if code != tc.code || !strings.Contains(out, tc.want) || strings.Contains(stdout+stderr, "goroutine ") {
				t.Errorf("exit %d, stdout %.300q, stderr %.300q; want exit %d and %q", code, stdout, stderr, tc.code, tc.want)
			}
			if tc.code == 2 && (stdout != "" || strings.Count(stderr, "\n") > 2) {
				t.Errorf("stdout %.200q, stderr %.300q; want nothing on stdout and one line on stderr", stdout, stderr)
			}
		})
	}
}
