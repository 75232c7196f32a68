package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/account/live"
	"github.com/lambda-doctor/lambda-doctor/checks"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/internal/iostreams"
)

// parse runs one command's flag parsing on args, with runF in place of the
// command's work (no account is opened), and returns the exit code.
func parse(t *testing.T, cmd *cli.Command, args ...string) (int, string) {
	t.Helper()
	ios, _, _, errOut := iostreams.Test()
	s := newStreams(ios)
	app := newApp(s)
	app.Commands = []*cli.Command{cmd}
	cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error { return &flagError{err: err} }
	code, _ := exitCode(app.RunContext(context.Background(), append([]string{"lambda-doctor", cmd.Name}, args...)))
	return code, errOut.String()
}

func TestDiagnoseOptions(t *testing.T) {
	var got *diagnoseOptions
	cmd := diagnoseCommand(func(_ context.Context, _ *streams, o *diagnoseOptions) error { got = o; return nil })
	code, _ := parse(t, cmd, "--snapshot", "s.json", "--function", "arn:aws:lambda:us-east-1:111122223333:function:f:live",
		"--caller", "apigateway.amazonaws.com", "--fix-format", "terraform", "--output", "md", "--max-buckets", "0")
	if code != exitOK || got == nil {
		t.Fatalf("exit %d, options %+v", code, got)
	}
	if got.Function != "arn:aws:lambda:us-east-1:111122223333:function:f" || got.Diagnose.Qualifier != "live" ||
		got.Diagnose.Caller != "apigateway.amazonaws.com" || got.Diagnose.FixFormat != fix.Terraform || got.Output != "md" ||
		got.Source.Snapshot != "s.json" || got.Source.Limits["s3"] != 0 || len(got.Source.Limits) != 1 {
		t.Errorf("options: %+v", got)
	}
	for _, args := range [][]string{
		{"--function", "f", "--output", "yaml"},
		{"--function", "f", "--fix-format", "pulumi"},
		{"--function", "f:a", "--qualifier", "b"},
		{"--snapshot", "s.json"},
		{"--function", "f", "--max-buckets", "-1"},
		{"--function", "f", "--max-buckets", "many"},
		{"--function", "f", "--discovery-limit", "lambda=3"},
		{"--function", "f", "--discovery-limit", "logs=-1"},
		{"--function", "f", "--discovery-limit", "logs"},
		{"--function", "f", "--discovery-limit", "s3=1", "--max-buckets", "2"},
		{"--function", "f", "--snapshot", "s.json", "--discovery-limit", "logs=1"},
		{"--function", "f", "--snapshot", "s.json", "--region", "us-west-2"},
	} {
		got = nil
		if code, _ := parse(t, cmd, args...); code != exitBadInput || got != nil {
			t.Errorf("%v: exit %d (ran: %v), want 2 before running", args, code, got != nil)
		}
	}
}

func TestCheckOptions(t *testing.T) {
	var got *checkOptions
	cmd := checkCommand(func(_ context.Context, _ *streams, o *checkOptions) error { got = o; return nil })
	code, errOut := parse(t, cmd, "--all", "--fail-on", "medium", "--ignore", "ld104,LD107", "--output", "sarif", "--concurrency", "3")
	if code != exitOK || got == nil {
		t.Fatalf("exit %d %s", code, errOut)
	}
	if !got.All || got.FailOn != checks.Medium || strings.Join(got.Ignore, ",") != "LD104,LD107" || got.Output != "sarif" || got.Workers != 3 {
		t.Errorf("options: %+v", got)
	}
	for _, args := range [][]string{
		{},
		{"--all", "--function", "f"},
		{"--all", "--ignore", "LD999"},
		{"--all", "--concurrency", "0"},
		{"--all", "--spec", "/nonexistent.yaml"},
	} {
		got = nil
		if code, _ := parse(t, cmd, args...); code != exitBadInput || got != nil {
			t.Errorf("%v: exit %d (ran: %v), want 2 before running", args, code, got != nil)
		}
	}
}

func TestSnapshotOptions(t *testing.T) {
	var got *snapshotOptions
	cmd := snapshotCommand(func(_ context.Context, _ *streams, o *snapshotOptions) error { got = o; return nil })
	for _, tc := range []struct {
		args []string
		file string
		note string // on stderr
	}{
		{[]string{"--function", "a", "--function", "b"}, "-", ""},
		{[]string{"-f", "a", "--file", "x.json"}, "x.json", ""},
		{[]string{"-f", "a", "-o", "json"}, "-", ""},
		{[]string{"-f", "a", "--output", "JSON", "--file", "x.json"}, "x.json", ""},
		// The form of earlier versions: -o FILE still writes FILE, and says so.
		{[]string{"-f", "a", "-o", "x.json"}, "x.json", "lambda-doctor: -o FILE is deprecated: -o is the output format in every command; write --file x.json\n"},
		{[]string{"-f", "a", "-o", "-"}, "-", "lambda-doctor: -o - is deprecated: the snapshot goes to standard output unless --file names a file\n"},
	} {
		got = nil
		code, errOut := parse(t, cmd, tc.args...)
		if code != exitOK || got == nil || got.File != tc.file || errOut != tc.note {
			t.Errorf("%v: exit %d, options %+v, stderr %q; want file %q, stderr %q", tc.args, code, got, errOut, tc.file, tc.note)
		}
	}
	if code, _ := parse(t, cmd, "--function", "a", "--function", "b"); code != exitOK || strings.Join(got.Functions, ",") != "a,b" {
		t.Errorf("functions: %v", got.Functions)
	}
	for _, args := range [][]string{{}, {"--all", "--function", "a"}, {"--all", "--concurrency", "0"}, {"--all", "stray"},
		{"--all", "--file", "a.json", "-o", "b.json"}, {"--all", "--file", ""}, {"--all", "--since", "soon"}} {
		got = nil
		if code, _ := parse(t, cmd, args...); code != exitBadInput || got != nil {
			t.Errorf("%v: exit %d (ran: %v), want 2 before running", args, code, got != nil)
		}
	}
}

// TestDiscoveryLimitFlag: --discovery-limit takes KIND=N repeated or
// comma-separated, the last value of a kind wins, every kind it names is
// one of the live reader's; --max-buckets N still works as s3=N and says
// on stderr that it is deprecated.
func TestDiscoveryLimitFlag(t *testing.T) {
	for _, c := range []struct {
		args     []string
		want     live.Limits
		wantNote string
	}{
		{[]string{"--discovery-limit", "logs=500,s3=0", "--discovery-limit", "apigateway=5"}, live.Limits{"logs": 500, "s3": 0, "apigateway": 5}, ""},
		{[]string{"--discovery-limit", "logs=1", "--discovery-limit", "logs=2"}, live.Limits{"logs": 2}, ""},
		{[]string{"--max-buckets", "7", "--discovery-limit", "cognito=0"}, live.Limits{"s3": 7, "cognito": 0}, "--max-buckets is deprecated: use --discovery-limit s3=7"},
		{nil, live.Limits{}, ""},
	} {
		var got *snapshotOptions
		cmd := snapshotCommand(func(_ context.Context, _ *streams, o *snapshotOptions) error { got = o; return nil })
		code, errOut := parse(t, cmd, append([]string{"--all"}, c.args...)...)
		if code != exitOK || got == nil {
			t.Fatalf("%v: exit %d, stderr %s", c.args, code, errOut)
		}
		if !maps.Equal(got.Source.Limits, c.want) {
			t.Errorf("%v: limits got %v, want %v", c.args, got.Source.Limits, c.want)
		}
		if c.wantNote == "" && errOut != "" || !strings.Contains(errOut, c.wantNote) {
			t.Errorf("%v: stderr got %q, want %q", c.args, errOut, c.wantNote)
		}
	}
	var help strings.Builder
	for _, f := range triggerFlags() {
		help.WriteString(f.String())
	}
	// The help and the contract name every kind the reader knows, with its
	// default.
	contract, err := os.ReadFile(filepath.Join("..", "..", "docs", "contract.md"))
	if err != nil {
		t.Fatal(err)
	}
	for kind, n := range live.DefaultLimits {
		if want := fmt.Sprintf("%s=%d: %s", kind, n, live.LimitKinds[kind]); !strings.Contains(help.String(), want) {
			t.Errorf("--discovery-limit help lacks %q", want)
		}
		if want := fmt.Sprintf("`%s=%d`", kind, n); !strings.Contains(string(contract), want) {
			t.Errorf("docs/contract.md does not list discovery kind %s", want)
		}
	}
}

// TestExitCodeSwitch: every kind of error maps to the contract's code.
func TestExitCodeSwitch(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{
		{nil, exitOK},
		{problemFound(), exitProblem},
		{exitWith(exitUnseen), exitUnseen},
		{usageErrorf("x"), exitBadInput},
		{badInput(context.Canceled), exitBadInput},
		{&incompleteError{err: &checks.SpecError{File: "s", Line: 1, Msg: "m"}}, exitUnseen},
		{context.DeadlineExceeded, exitUnseen},
	} {
		if got, _ := exitCode(tc.err); got != tc.code {
			t.Errorf("%v: exit %d, want %d", tc.err, got, tc.code)
		}
	}
}
