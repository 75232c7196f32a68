package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/internal/tmuxtest"
)

// completionApp is the real app with the completion and version commands
// (added here until app.go lists them).
func completionApp(t *testing.T) *cli.App {
	t.Helper()
	app := realApp(t)
	for _, c := range []*cli.Command{completionCommand(), versionCommand()} {
		if app.Command(c.Name) == nil {
			app.Commands = append(app.Commands, c)
		}
	}
	return app
}

// script writes the completion script for shell into a temporary file.
func script(t *testing.T, shell string) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeCompletion(&b, completionApp(t), shell); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "lambda-doctor."+shell)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var ruleLD10x = []string{"LD101", "LD102", "LD103", "LD104", "LD105", "LD106", "LD107", "LD108", "LD109"}

// commandNames are the commands completion offers first: help too when
// the app lists it.
func commandNames(app *cli.App) []string {
	names := []string{"diagnose", "simulate", "check", "snapshot", "completion", "version"}
	if !app.HideHelpCommand {
		names = append(names, "help")
	}
	return names
}

// globalFlags are the app's own long flags: --help, and --version when
// the app has a version.
func globalFlags(app *cli.App) []string {
	if app.Version != "" && !app.HideVersion {
		return []string{"--help", "--version"}
	}
	return []string{"--help"}
}

type completionCase struct {
	name  string
	words []string // the command line after the program; the last word is being completed
	want  []string
}

// completionCases are what every shell must offer.
func completionCases(app *cli.App) []completionCase {
	cases := []completionCase{
		{"commands", []string{""}, commandNames(app)},
		{"command prefix", []string{"di"}, []string{"diagnose"}},
		{"global flags", []string{"--"}, globalFlags(app)},
		{"flag prefix", []string{"diagnose", "--fix"}, []string{"--fix-format"}},
		{"output formats of diagnose", []string{"diagnose", "--output", ""}, []string{"json", "markdown", "text"}},
		{"short flag value", []string{"diagnose", "-o", "m"}, []string{"markdown"}},
		{"symptoms", []string{"diagnose", "--symptom", ""}, []string{"access-denied", "auto", "invoke-denied", "no-logs", "role-assume"}},
		{"fix formats", []string{"diagnose", "--fix-format", "c"}, []string{"cli", "cloudformation"}},
		{"output formats of check", []string{"check", "--output", ""}, []string{"json", "junit", "sarif", "text"}},
		{"output formats of simulate", []string{"simulate", "--output", ""}, []string{"json", "text"}},
		{"severities", []string{"check", "--fail-on", ""}, []string{"critical", "high", "low", "medium", "none"}},
		{"rule ids", []string{"check", "--ignore", "LD10"}, ruleLD10x},
		{"flags after a value", []string{"check", "--function", "f", "--sp"}, []string{"--spec"}},
		{"no value offered for a name", []string{"diagnose", "--function", ""}, nil},
		{"shells", []string{"completion", ""}, []string{"bash", "fish", "powershell", "zsh"}},
	}
	if !app.HideHelpCommand {
		cases = append(cases, completionCase{"help takes a command", []string{"help", "sn"}, []string{"snapshot"}})
	}
	return cases
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// bashComplete runs the completion function in bash for each set of
// COMP_WORDS (after the program name) and returns what it offered.
func bashComplete(t *testing.T, dir string, cases [][]string) [][]string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "source %s || exit 1\n", shQuote(script(t, "bash")))
	for _, words := range cases {
		all := append([]string{"lambda-doctor"}, words...)
		var q []string
		for _, w := range all {
			q = append(q, shQuote(w))
		}
		line := strings.Join(all, " ")
		fmt.Fprintf(&b, "COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE=%s; COMP_POINT=%d\n", strings.Join(q, " "), len(all)-1, shQuote(line), len(line))
		b.WriteString("COMPREPLY=(); _lambda_doctor; printf '%s\\n' \"${COMPREPLY[@]}\"; echo '<end>'\n")
	}
	cmd := exec.Command("bash", "--norc", "--noprofile", "-c", b.String())
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	var res [][]string
	var cur []string
	for _, l := range strings.Split(string(out), "\n") {
		switch l {
		case "<end>":
			res = append(res, cur)
			cur = nil
		case "":
		default:
			cur = append(cur, l)
		}
	}
	if len(res) != len(cases) {
		t.Fatalf("bash answered %d cases of %d:\n%s", len(res), len(cases), out)
	}
	return res
}

func TestBashCompletion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	for _, f := range []string{"snap.json", "spec.yaml", "dir with space/x"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type tc = completionCase
	cases := completionCases(completionApp(t))
	cases = append(cases,
		// bash splits --output=j into --output, =, j (COMP_WORDBREAKS).
		tc{"value after =", []string{"diagnose", "--output", "=", "j"}, []string{"json"}},
		tc{"value right after =", []string{"diagnose", "--output", "="}, []string{"json", "markdown", "text"}},
		// Without "=" in COMP_WORDBREAKS the word stays whole.
		tc{"value in the same word", []string{"diagnose", "--output=ma"}, []string{"--output=markdown"}},
		tc{"file names", []string{"check", "--spec", "sp"}, []string{"spec.yaml"}},
		tc{"file names with a space", []string{"diagnose", "--snapshot", "dir"}, []string{"dir with space"}},
		tc{"flags when the command takes no argument", []string{"snapshot", ""}, nil},
		tc{"only arguments after --", []string{"completion", "--", "-"}, nil},
	)
	var words [][]string
	for _, c := range cases {
		words = append(words, c.words)
	}
	got := bashComplete(t, dir, words)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := sorted(got[i])
			if c.name == "flags when the command takes no argument" {
				if !slices.Contains(g, "--all") || !slices.Contains(g, "--function") {
					t.Errorf("offered %q, want the flags of snapshot", g)
				}
				return
			}
			if !slices.Equal(g, sorted(c.want)) {
				t.Errorf("lambda-doctor %s<TAB>: offered %q, want %q", strings.Join(c.words, " "), g, sorted(c.want))
			}
		})
	}
}

func TestBashCompleteRegistered(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	out, err := exec.Command("bash", "--norc", "--noprofile", "-c", "source "+shQuote(script(t, "bash"))+" && complete -p lambda-doctor").CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "complete -F _lambda_doctor lambda-doctor" {
		t.Errorf("complete -p: %q", got)
	}
}

func TestFishCompletion(t *testing.T) {
	if _, err := exec.LookPath("fish"); err != nil {
		t.Skip("fish is not installed (apt-get install fish)")
	}
	p := script(t, "fish")
	if out, err := exec.Command("fish", "--no-config", "--no-execute", p).CombinedOutput(); err != nil {
		t.Fatalf("fish --no-execute: %v\n%s", err, out)
	}
	for _, c := range completionCases(completionApp(t)) {
		t.Run(c.name, func(t *testing.T) {
			line := "lambda-doctor " + strings.Join(c.words, " ")
			out, err := exec.Command("fish", "--no-config", "-c", "source "+p+"; complete -C "+shQuote(line)).CombinedOutput()
			if err != nil {
				t.Fatalf("fish: %v\n%s", err, out)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				if w, _, _ := strings.Cut(l, "\t"); w != "" {
					got = append(got, w)
				}
			}
			want := c.want
			if c.name == "global flags" {
				// fish offers the short forms too, as -h.
				got = slices.DeleteFunc(got, func(s string) bool { return !strings.HasPrefix(s, "--") })
			}
			if !slices.Equal(sorted(got), sorted(want)) {
				t.Errorf("%s<TAB>: offered %q, want %q", line, sorted(got), sorted(want))
			}
		})
	}
}

// TestZshCompletion types command lines into an interactive zsh in tmux,
// presses Tab, and reads what zsh lists or completes.
func TestZshCompletion(t *testing.T) {
	if _, err := exec.LookPath("zsh"); err != nil {
		t.Skip("zsh is not installed (apt-get install zsh)")
	}
	if testing.Short() {
		t.Skip("starts interactive shells; skipped with -short")
	}
	p := script(t, "zsh")
	if out, err := exec.Command("zsh", "-n", p).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	home := t.TempDir()
	fpath := filepath.Join(home, "fpath")
	bin := filepath.Join(home, "bin")
	for _, d := range []string{fpath, bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Installed as the README says: a file _lambda-doctor in $fpath.
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fpath, "_lambda-doctor"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "lambda-doctor"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	rc := "fpath=(" + fpath + " $fpath)\nautoload -U compinit && compinit -u -D\nPROMPT='zsh> '\n"
	if err := os.WriteFile(filepath.Join(home, ".zshrc"), []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		line string
		want []string // words shown on the screen after Tab
	}{
		{"command completed", "lambda-doctor diag", []string{"zsh> lambda-doctor diagnose"}},
		{"commands listed", "lambda-doctor ", commandNames(completionApp(t))},
		{"output formats", "lambda-doctor diagnose --output ", []string{"json", "markdown", "text"}},
		{"output formats of check", "lambda-doctor check -o ", []string{"json", "junit", "sarif", "text"}},
		{"symptoms", "lambda-doctor diagnose --symptom ", []string{"access-denied", "invoke-denied", "no-logs", "role-assume"}},
		{"rule ids", "lambda-doctor check --ignore LD10", ruleLD10x},
		{"severities", "lambda-doctor check --fail-on ", []string{"critical", "high", "low", "medium", "none"}},
		{"flag completed", "lambda-doctor diagnose --fix-f", []string{"zsh> lambda-doctor diagnose --fix-format="}},
		{"value after =", "lambda-doctor diagnose --fix-format=", []string{"cli", "cloudformation", "sam", "terraform"}},
		{"file names", "lambda-doctor check --spec " + filepath.Join(home, "fp"), []string{"zsh> lambda-doctor check --spec " + fpath + "/"}},
		{"shells", "lambda-doctor completion ", []string{"bash", "fish", "powershell", "zsh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tmuxtest.Start(t, tmuxtest.Options{Width: 100, Height: 40, Timeout: 15 * time.Second, Env: []string{"HOME=" + home, "ZDOTDIR=" + home, "PATH=" + bin + ":" + os.Getenv("PATH")}},
				"zsh", "--no-globalrcs", "-i")
			s.Wait(func(sc tmuxtest.Screen) bool { return slices.Contains(sc.Lines, "zsh>") })
			s.Send(tt.line, "Tab")
			s.Wait(func(sc tmuxtest.Screen) bool {
				text := sc.String()
				for _, w := range tt.want {
					if !regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(w) + `(\s|$)`).MatchString(text) {
						return false
					}
				}
				return true
			})
		})
	}
}

// TestPowerShellCompletion checks the PowerShell script's text: PowerShell
// is not a Debian package, so it cannot run here. Its data tables must say
// what the model says, its strings must be well quoted and its brackets
// balanced.
func TestPowerShellCompletion(t *testing.T) {
	b, err := os.ReadFile(script(t, "powershell"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if err := psBalanced(s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s, "Register-ArgumentCompleter -Native -CommandName 'lambda-doctor' -ScriptBlock {") {
		t.Error("no Register-ArgumentCompleter for lambda-doctor")
	}
	m := completionModel(completionApp(t))
	for _, c := range m.commands {
		entry := regexp.MustCompile(`(?m)^        ` + regexp.QuoteMeta(psQuote(c.name)) + ` = @\{ Usage = '(?:[^']|'')*'; Aliases = @\([^)]*\); Args = @\(([^)]*)\); Flags = @\($`)
		got := entry.FindStringSubmatch(s)
		if got == nil {
			t.Errorf("no entry for command %s", c.name)
			continue
		}
		args := c.args
		if c.cmdArg {
			args = m.commandNames()
		}
		if want := strings.TrimSuffix(strings.TrimPrefix(psList(args), "@("), ")"); got[1] != want {
			t.Errorf("%s: Args = %s, want %s", c.name, got[1], want)
		}
		for _, f := range c.flags {
			line := fmt.Sprintf("@{ Names = %s; Usage = %s; Takes = $%t; Values = %s; Files = $%t }",
				psList(f.names()), psQuote(oneLine(f.usage)), f.value != "", psList(f.values), f.files)
			if !strings.Contains(s, line) {
				t.Errorf("%s: no flag line %s", c.name, line)
			}
		}
	}
	for _, want := range []string{"'--output', '-o'", "Values = @('text', 'json', 'markdown')", "Values = @('low', 'medium', 'high', 'critical', 'none')", "'LD104'", "Args = @('bash', 'zsh', 'fish', 'powershell')"} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %s", want)
		}
	}
}

func TestPSQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain":               "'plain'",
		"it's":                "'it''s'",
		"‘curly’":             "'‘‘curly’’'",
		"$(Get-Item) `n $x":   "'$(Get-Item) `n $x'",
		"functions' doors \\": "'functions'' doors \\'",
	} {
		if got := psQuote(in); got != want {
			t.Errorf("psQuote(%q) = %s, want %s", in, got, want)
		}
		if err := psBalanced(psQuote(in)); err != nil {
			t.Errorf("psQuote(%q): %v", in, err)
		}
	}
}

// psBalanced reads s as PowerShell does as far as strings, comments and
// brackets go: single-quoted strings (a doubled quote inside), double-
// quoted strings (backtick escapes), # comments; (), {}, [] must balance.
func psBalanced(s string) error {
	var stack []rune
	rs := []rune(s)
	isQuote := func(r rune) bool { return r == '\'' || (r >= '\u2018' && r <= '\u201b') }
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case isQuote(r):
			i++
			for ; i < len(rs); i++ {
				if isQuote(rs[i]) {
					if i+1 < len(rs) && isQuote(rs[i+1]) {
						i++
						continue
					}
					break
				}
			}
			if i >= len(rs) {
				return fmt.Errorf("a single-quoted string is not closed")
			}
		case r == '"':
			i++
			for ; i < len(rs) && rs[i] != '"'; i++ {
				if rs[i] == '`' {
					i++
				}
			}
			if i >= len(rs) {
				return fmt.Errorf("a double-quoted string is not closed")
			}
		case r == '#':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case r == '(' || r == '{' || r == '[':
			stack = append(stack, r)
		case r == ')' || r == '}' || r == ']':
			open := map[rune]rune{')': '(', '}': '{', ']': '['}[r]
			if len(stack) == 0 || stack[len(stack)-1] != open {
				return fmt.Errorf("unbalanced %c at rune %d", r, i)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return fmt.Errorf("%d brackets not closed", len(stack))
	}
	return nil
}

// TestCompletionCommand runs `completion SHELL` through the command, and a
// wrong shell is bad usage.
func TestCompletionCommand(t *testing.T) {
	app := completionApp(t)
	var out bytes.Buffer
	app.Writer = &out
	if err := app.Run([]string{"lambda-doctor", "completion", "fish"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "# fish completion for lambda-doctor") {
		t.Errorf("output starts %q", first(out.String()))
	}
	for args, want := range map[string]string{
		"completion tcsh": `completion "tcsh": want bash, zsh, fish or powershell`,
		"completion zhs":  `completion "zhs": want bash, zsh, fish or powershell; did you mean zsh?`,
		"completion":      "completion takes one argument, the shell: bash, zsh, fish or powershell",
	} {
		err := completionApp(t).Run(append([]string{"lambda-doctor"}, strings.Fields(args)...))
		if err == nil || err.Error() != want || !isFlagError(err) {
			t.Errorf("%s: error %v, want usage error %q", args, err, want)
		}
	}
}

func first(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// TestCompletionModel: every visible command and flag of the app is in the
// model, and the enumerated values are those of enums.go.
func TestCompletionModel(t *testing.T) {
	app := completionApp(t)
	m := completionModel(app)
	byName := map[string]compCommand{}
	for _, c := range m.commands {
		byName[c.name] = c
	}
	for _, c := range app.Commands {
		if c.Hidden || c.Name == "help" {
			continue
		}
		mc, ok := byName[c.Name]
		if !ok {
			t.Errorf("command %s is not completed", c.Name)
			continue
		}
		for _, f := range c.Flags {
			if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
				continue // a deprecated alias (--max-buckets) is accepted, not offered
			}
			var cf *compFlag
			for i := range mc.flags {
				if slices.Contains(append(mc.flags[i].long, mc.flags[i].short...), f.Names()[0]) {
					cf = &mc.flags[i]
				}
			}
			if cf == nil {
				t.Errorf("%s: flag %s is not completed", c.Name, f.Names()[0])
				continue
			}
			if e, ok := flagEnums[c.Name][f.Names()[0]]; ok && !slices.Equal(cf.values, e.values) {
				t.Errorf("%s --%s: values %q, want %q", c.Name, f.Names()[0], cf.values, e.values)
			}
		}
	}
	for name := range argEnums {
		if app.Command(name) == nil {
			t.Errorf("argEnums names command %s, which the app does not have", name)
		}
	}
	if h, ok := byName["help"]; ok != !app.HideHelpCommand || (ok && !h.cmdArg) {
		t.Errorf("help completed %v, want %v (HideHelpCommand %v), with a command argument", ok, !app.HideHelpCommand, app.HideHelpCommand)
	}
}
