package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/internal/iostreams"
	"github.com/lambda-doctor/lambda-doctor/internal/textwrap"
)

var updateHelp = flag.Bool("update-help", false, "rewrite testdata/help/*.txt from the current help texts")

// helpText is the help of command name ("" for the app) as a user gets it
// at the given width.
func helpText(t *testing.T, name string, width int) string {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	ios.SetWidth(width)
	args := []string{"lambda-doctor", "--help"}
	if name != "" {
		args = []string{"lambda-doctor", "help", name}
	}
	if code := runStreams(context.Background(), ios, args); code != 0 || errOut.Len() > 0 {
		t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
	}
	return out.String()
}

// helpCommands are the commands whose help is tested: every visible
// command of the app, and the app itself ("").
func helpCommands(t *testing.T) []string {
	names := []string{""}
	for _, c := range realApp(t).VisibleCommands() {
		if c.Name != "help" {
			names = append(names, c.Name)
		}
	}
	return names
}

// TestHelpGolden: the help of every command at 80 columns, as reviewed in
// testdata/help (go test ./cmd/lambda-doctor -run TestHelpGolden
// -update-help, then read the diff). `lambda-doctor help X`, `X --help`
// and `X -h` print the same.
func TestHelpGolden(t *testing.T) {
	for _, name := range helpCommands(t) {
		file := name
		if file == "" {
			file = "lambda-doctor"
		}
		t.Run(file, func(t *testing.T) {
			got := helpText(t, name, 80)
			golden := filepath.Join("testdata", "help", file+".txt")
			if *updateHelp {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update-help to create it)", err)
			}
			if got != string(want) {
				t.Errorf("help differs from %s (rerun with -update-help and read the diff):\n%s", golden, firstDiff(string(want), got))
			}
			if name == "" {
				return
			}
			for _, args := range [][]string{{name, "--help"}, {name, "-h"}} {
				ios, _, out, _ := iostreams.Test()
				runStreams(context.Background(), ios, append([]string{"lambda-doctor"}, args...))
				if out.String() != got {
					t.Errorf("%v prints another help than help %s", args, name)
				}
			}
		})
	}
}

// TestHelpFitsTheWidth: no line of any help is wider than the terminal,
// unless it is one word that cannot be cut.
func TestHelpFitsTheWidth(t *testing.T) {
	for _, width := range []int{60, 80, 120} {
		for _, name := range helpCommands(t) {
			for i, l := range strings.Split(helpText(t, name, width), "\n") {
				if textwrap.Columns(l) > width && len(strings.Fields(strings.TrimSuffix(l, " \\"))) > 1 {
					t.Errorf("help %q at %d columns, line %d is %d wide: %q", name, width, i+1, textwrap.Columns(l), l)
				}
			}
		}
	}
}

// TestHelpUsageNamesTheRealFlags: a command's USAGE names every flag it
// has and no flag it lacks; every flag that takes a value has a placeholder
// that names the value.
func TestHelpUsageNamesTheRealFlags(t *testing.T) {
	for _, c := range realApp(t).VisibleCommands() {
		if c.Name == "help" {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var have []string
			for _, f := range c.VisibleFlags() {
				if slices.Contains(f.Names(), "help") {
					continue
				}
				have = append(have, f.Names()[0])
				if d, ok := f.(cli.DocGenerationFlag); ok && d.TakesValue() {
					p := placeholder(f)
					if p == "" || strings.EqualFold(p, "value") {
						t.Errorf("--%s has no placeholder naming its value (a word in back quotes in its usage)", f.Names()[0])
					}
				}
			}
			named := usageFlags(c.UsageText)
			for _, n := range have {
				if !slices.Contains(named, n) {
					t.Errorf("USAGE lacks --%s", n)
				}
			}
			for _, n := range named {
				if findFlag(c, n) == nil {
					t.Errorf("USAGE names --%s, which %s does not have", n, c.Name)
				}
			}
		})
	}
	// urfave/cli's word for a value without a placeholder never shows.
	bare := regexp.MustCompile(`--[a-z-]+ value\b`)
	for _, name := range helpCommands(t) {
		if m := bare.FindString(helpText(t, name, 80)); m != "" {
			t.Errorf("help %q shows %q", name, m)
		}
	}
}

// TestHelpShowsEnvironment: the flags the AWS CLI's environment variables
// also set say so.
func TestHelpShowsEnvironment(t *testing.T) {
	for _, name := range []string{"diagnose", "check", "simulate", "snapshot"} {
		h := strings.Join(strings.Fields(helpText(t, name, 80)), " ")
		for _, want := range []string{"[$AWS_PROFILE]", "[$AWS_REGION, $AWS_DEFAULT_REGION]"} {
			if !strings.Contains(h, want) {
				t.Errorf("help %s lacks %s", name, want)
			}
		}
	}
}

// TestOneMeaningPerFlag: -f is --function and -o is --output in every
// command that has them, and every command that names a function takes -f.
func TestOneMeaningPerFlag(t *testing.T) {
	for _, c := range realApp(t).Commands {
		for _, f := range c.Flags {
			names := f.Names()
			switch {
			case names[0] == "function" && !slices.Contains(names, "f"):
				t.Errorf("%s --function has no -f", c.Name)
			case names[0] == "output" && !slices.Contains(names, "o"):
				t.Errorf("%s --output has no -o", c.Name)
			case slices.Contains(names, "f") && names[0] != "function":
				t.Errorf("%s -f is --%s", c.Name, names[0])
			case slices.Contains(names, "o") && names[0] != "output":
				t.Errorf("%s -o is --%s", c.Name, names[0])
			}
		}
	}
}

// exampleArgs are the arguments of the lambda-doctor command in an example
// line (up to a redirection or a pipe), "" quotes removed, and false when the
// line runs no lambda-doctor command.
func exampleArgs(line string) ([]string, bool) {
	i := strings.Index(line, "lambda-doctor ")
	if i < 0 {
		return nil, false
	}
	var args []string
	var cur strings.Builder
	in := false
	quote := byte(0)
	s := line[i+len("lambda-doctor "):]
	for j := 0; j < len(s); j++ {
		ch := s[j]
		switch {
		case quote != 0 && ch == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(ch)
		case ch == '\'' || ch == '"':
			quote, in = ch, true
		case ch == ' ':
			if in {
				args = append(args, cur.String())
				cur.Reset()
				in = false
			}
		case ch == '>' || ch == '|' || ch == ')' || ch == '<':
			j = len(s)
		default:
			cur.WriteByte(ch)
			in = true
		}
	}
	if in {
		args = append(args, cur.String())
	}
	return args, true
}

// TestHelpExamples: every command's help has two to four examples, and
// every lambda-doctor command line among them parses: its flags exist,
// their values are accepted, the files it names are read (run in a
// directory holding error.txt and the README's ci/lambda-spec.yaml). No
// account is opened.
func TestHelpExamples(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join("..", "..", "ci", "lambda-spec.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "ci"), 0o755)
	os.WriteFile(filepath.Join(dir, "ci", "lambda-spec.yaml"), spec, 0o644)
	os.WriteFile(filepath.Join(dir, "error.txt"), []byte("User: arn:aws:sts::111122223333:assumed-role/order-role/order-processor is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:111122223333:table/Orders because no identity-based policy allows the dynamodb:Query action"), 0o644)
	t.Chdir(dir)

	for _, name := range helpCommands(t) {
		exs := helpExamples[name]
		if name != "" && (len(exs) < 2 || len(exs) > 4) {
			t.Errorf("%s has %d examples, want 2 to 4", name, len(exs))
		}
		for _, e := range exs {
			args, ok := exampleArgs(e.cmd)
			if !ok {
				continue
			}
			if code, ran, errOut := parseOnly(args, ""); code != 0 || (!ran && args[0] != "--version") {
				t.Errorf("example %q: exit %d (ran: %v): %s", e.cmd, code, ran, errOut)
			}
		}
	}
}

// parseOnly runs a command line through the app as a user's would go,
// flag parsing and enum checks included, but with the work of diagnose,
// check, snapshot and simulate left out (no account is opened): ran says
// whether the command got that far.
func parseOnly(args []string, stdin string) (code int, ran bool, stderr string) {
	ios, in, _, errOut := iostreams.Test()
	in.WriteString(stdin)
	s := newStreams(ios)
	app := newApp(s)
	for i, c := range app.Commands {
		var hooked *cli.Command
		switch c.Name {
		case "diagnose":
			hooked = diagnoseCommand(func(context.Context, *streams, *diagnoseOptions) error { ran = true; return nil })
		case "check":
			hooked = checkCommand(func(context.Context, *streams, *checkOptions) error { ran = true; return nil })
		case "snapshot":
			hooked = snapshotCommand(func(context.Context, *streams, *snapshotOptions) error { ran = true; return nil })
		case "simulate":
			c.Action = func(*cli.Context) error { ran = true; return nil }
		default:
			next := c.Action
			c.Action = func(cc *cli.Context) error { ran = true; return next(cc) }
		}
		if hooked != nil {
			hooked.Before, hooked.OnUsageError = c.Before, c.OnUsageError
			app.Commands[i] = hooked
		}
	}
	err := app.RunContext(context.Background(), append([]string{"lambda-doctor"}, args...))
	code, _ = exitCode(err)
	if err != nil {
		return code, ran, err.Error() + " " + errOut.String()
	}
	return code, ran, errOut.String()
}

// sampleFlagValues are a value for every flag of diagnose, check and
// snapshot, other than its default, for TestEveryFlagShownIsRead.
var sampleFlagValues = map[string]string{
	"function": "f", "qualifier": "live", "symptom": "no-logs", "error": "AccessDenied", "caller": "111122223333",
	"source-arn": "arn:aws:sns:us-east-1:111122223333:t", "source-account": "111122223333", "function-url": "true",
	"action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "output": "json", "fix-format": "sam", "cross-check": "true",
	"since": "7d", "profile": "p", "region": "eu-west-1", "snapshot": "s.json", "discovery-limit": "s3=7",
	"all": "true", "spec": filepath.Join("..", "..", "ci", "lambda-spec.yaml"), "fail-on": "low", "ignore": "LD104",
	"concurrency": "3", "verbose": "true", "sarif-file": "template.yaml", "file": "x.json",
	"max-error-size": "10", "max-spec-size": "10", "max-snapshot-size": "1000",
	"template":  filepath.Join("..", "..", "fixtures", "templates", "cfn", "cognito-healthy.yaml"),
	"parameter": "Stage=prod", "account": "444455556666", "stack-name": "orders", "offline": "true",
}

// TestEveryFlagShownIsRead: each flag of diagnose, check and snapshot
// changes the options the command runs with, so no command shows a flag it
// ignores (simulate takes no --max-buckets: it judges no invoker).
func TestEveryFlagShownIsRead(t *testing.T) {
	base := map[string][]string{"diagnose": {"-f", "base"}, "check": {"-f", "base"}, "snapshot": {"-f", "base"}}
	for _, c := range realApp(t).Commands {
		if base[c.Name] == nil {
			continue
		}
		for _, f := range c.VisibleFlags() {
			name := f.Names()[0]
			if name == "help" {
				continue
			}
			t.Run(c.Name+" --"+name, func(t *testing.T) {
				v, ok := sampleFlagValues[name]
				if c.Name == "snapshot" && name == "output" {
					v = "x.json" // -o json is the only format: the old -o FILE is what changes
				}
				if !ok {
					t.Fatalf("no sample value for --%s in sampleFlagValues", name)
				}
				args := []string{"--" + name + "=" + v}
				if name != "function" && name != "all" {
					args = append(slices.Clone(base[c.Name]), args...)
				}
				if goesWith[name] != nil && (c.Name == "diagnose" || name == "max-snapshot-size") {
					// A flag that means nothing alone is compared with its
					// companion alone (alone it is refused: TestDiagnoseFlagsJudged).
					got, want := optionsOf(t, c.Name, append(slices.Clone(args), goesWith[name]...)...), optionsOf(t, c.Name, append(slices.Clone(base[c.Name]), goesWith[name]...)...)
					if reflect.DeepEqual(got, want) {
						t.Errorf("%s --%s=%s %v runs with the same options as without it", c.Name, name, v, goesWith[name])
					}
					return
				}
				if name == "spec" && c.Name == "check" {
					args = []string{"--spec=" + v} // the spec names its functions
				}
				if c.Name == "check" && (name == "parameter" || name == "account" || name == "stack-name" || name == "offline") {
					// Flags of --template: compared with --template alone.
					tmpl := "--template=" + sampleFlagValues["template"]
					got, want := optionsOf(t, c.Name, tmpl, "--"+name+"="+v), optionsOf(t, c.Name, tmpl)
					if reflect.DeepEqual(got, want) {
						t.Errorf("check --template --%s=%s runs with the same options as without it", name, v)
					}
					return
				}
				// A bound on a file read at parse time shows in the read.
				if read, ok := readAtParse[name]; ok {
					if code, _ := parse(t, commandFor(c.Name, nil), append(args, read)...); code != exitBadInput {
						t.Errorf("%s --%s=%s %s: exit %d, want 2 (the file is larger)", c.Name, name, v, read, code)
					}
					optionsOf(t, c.Name, append(slices.Clone(base[c.Name]), read)...)
					return
				}
				got, want := optionsOf(t, c.Name, args...), optionsOf(t, c.Name, base[c.Name]...)
				if reflect.DeepEqual(got, want) {
					t.Errorf("%s --%s=%s runs with the same options as without it", c.Name, name, v)
				}
			})
		}
	}
	if findFlag(realApp(t).Command("simulate"), "max-buckets") != nil {
		t.Error("simulate shows --max-buckets, which it ignores")
	}
}

// goesWith are the diagnose flags that mean something only with another
// flag, with that flag.
var goesWith = map[string][]string{
	"source-account": {"--caller=s3.amazonaws.com"},
	"function-url":   {"--caller=*"},
	"resource":       {"--action=s3:GetObject"},
	// Every command: the bound of the snapshot file read.
	"max-snapshot-size": {"--snapshot=s.json"},
}

// readAtParse are the flags that bound a file read while the flags are
// parsed, with the flag that reads a file larger than their sample.
var readAtParse = map[string]string{
	"max-error-size": "--error=@" + filepath.Join("..", "..", "ci", "lambda-spec.yaml"),
	"max-spec-size":  "--spec=" + filepath.Join("..", "..", "ci", "lambda-spec.yaml"),
}

// commandFor is command name with runF storing its options in *got.
func commandFor(name string, got *any) *cli.Command {
	keep := func(o any) {
		if got != nil {
			*got = o
		}
	}
	switch name {
	case "diagnose":
		return diagnoseCommand(func(_ context.Context, _ *streams, o *diagnoseOptions) error { keep(o); return nil })
	case "check":
		return checkCommand(func(_ context.Context, _ *streams, o *checkOptions) error { keep(o); return nil })
	case "snapshot":
		return snapshotCommand(func(_ context.Context, _ *streams, o *snapshotOptions) error { keep(o); return nil })
	}
	return nil
}

// optionsOf parses args for command name and returns its options.
func optionsOf(t *testing.T, name string, args ...string) any {
	t.Helper()
	var got any
	cmd := commandFor(name, &got)
	if code, errOut := parse(t, cmd, args...); code != 0 {
		t.Fatalf("%s %v: exit %d: %s", name, args, code, errOut)
	}
	return got
}
