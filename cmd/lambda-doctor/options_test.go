package main

import (
	"context"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

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
		got.Source.Snapshot != "s.json" || got.Source.MaxBuckets != -1 {
		t.Errorf("options: %+v", got)
	}
	for _, args := range [][]string{
		{"--function", "f", "--output", "yaml"},
		{"--function", "f", "--fix-format", "pulumi"},
		{"--function", "f:a", "--qualifier", "b"},
		{"--snapshot", "s.json"},
		{"--function", "f", "--max-buckets", "-1"},
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
	if code, _ := parse(t, cmd, "--function", "a", "--function", "b", "-o", "x.json"); code != exitOK || got == nil ||
		strings.Join(got.Functions, ",") != "a,b" || got.Output != "x.json" {
		t.Fatalf("exit %d, options %+v", code, got)
	}
	for _, args := range [][]string{{}, {"--all", "--function", "a"}, {"--all", "--concurrency", "0"}, {"--all", "stray"}} {
		got = nil
		if code, _ := parse(t, cmd, args...); code != exitBadInput || got != nil {
			t.Errorf("%v: exit %d (ran: %v), want 2 before running", args, code, got != nil)
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
