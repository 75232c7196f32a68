package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

const apigwSnap = "../../fixtures/apigw-wrong-source-arn/snapshot.json"

func runDiag(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"lambda-doctor", "diagnose"}, args...), strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestDiagnoseExitCodes(t *testing.T) {
	if _, err := os.Stat(apigwSnap); err != nil {
		t.Skip("fixture missing")
	}
	src := "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders"
	cases := []struct {
		name    string
		args    []string
		stdin   string
		code    int
		errWant string
	}{
		{"closed door", []string{"--snapshot", apigwSnap, "--function", "order-processor", "--caller", "apigateway.amazonaws.com", "--source-arn", src}, "", 1, ""},
		{"open door", []string{"--snapshot", apigwSnap, "--function", "order-processor", "--caller", "apigateway.amazonaws.com",
			"--source-arn", "arn:aws:execute-api:us-east-1:111122223333:zz9yy8xx7w/prod/GET/x"}, "", 0, ""},
		{"no function flag", []string{"--snapshot", apigwSnap}, "", 2, "--function is required"},
		{"unknown function", []string{"--snapshot", apigwSnap, "--function", "nope"}, "", 3, "nope"},
		{"bad output", []string{"--snapshot", apigwSnap, "--function", "order-processor", "--output", "yaml"}, "", 2, "--output"},
		{"bad fix format", []string{"--snapshot", apigwSnap, "--function", "order-processor", "--fix-format", "pulumi"}, "", 2, "--fix-format"},
		{"bad symptom", []string{"--snapshot", apigwSnap, "--function", "order-processor", "--symptom", "slow"}, "", 2, `--symptom "slow": want auto, invoke-denied`},
		{"not a denial", []string{"--snapshot", apigwSnap, "--function", "order-processor", "--error", "Task timed out after 3.00 seconds"}, "", 2, "not an AWS access-denied message"},
		{"error from stdin", []string{"--snapshot", apigwSnap, "--function", "order-processor", "--error", "-"},
			"Execution failed due to configuration error: Invalid permissions on Lambda function", 1, ""},
		{"bad caller", []string{"--snapshot", apigwSnap, "--function", "order-processor", "--caller", "api gateway"}, "", 2, "--caller"},
		{"bad source account", []string{"--snapshot", apigwSnap, "--function", "order-processor", "--caller", "s3.amazonaws.com", "--source-account", "12"}, "", 2, "--source-account"},
		{"qualifier conflict", []string{"--snapshot", apigwSnap, "--function", "order-processor:live", "--qualifier", "prod"}, "", 2, "qualifier"},
		// An alias or version the function does not have is not found, as in
		// check and snapshot: judged, it gave a green verdict or an
		// add-permission --qualifier that AWS refuses.
		{"unknown qualifier", []string{"--snapshot", apigwSnap, "--function", "order-processor", "--qualifier", "live",
			"--caller", "apigateway.amazonaws.com", "--source-arn", src}, "", 3, `no alias or version "live"`},
		{"unknown qualifier in the name", []string{"--snapshot", apigwSnap, "--function", "order-processor:live"}, "", 3, `no alias or version "live"`},
		{"$LATEST", []string{"--snapshot", apigwSnap, "--function", "order-processor:$LATEST",
			"--caller", "apigateway.amazonaws.com", "--source-arn", src}, "", 1, ""},
		{"stray argument", []string{"--snapshot", apigwSnap, "order-processor"}, "", 2, "did you mean --function order-processor?"},
		// A pasted error text given without --error is not taken for a
		// function name.
		{"stray error text", []string{"--snapshot", apigwSnap, "-f", "order-processor", "Invalid permissions on Lambda function"}, "", 2,
			`got "Invalid permissions on Lambda function" (to diagnose a pasted error text, give it with --error)`},
		{"stray error text without --function", []string{"--snapshot", apigwSnap, "Invalid permissions on Lambda function"}, "", 2,
			"give it with --error"},
		{"stray name after --function", []string{"--snapshot", apigwSnap, "-f", "order-processor", "billing"}, "", 2,
			`diagnose takes no arguments, got "billing"` + "\n"},
		{"missing snapshot", []string{"--snapshot", "/nonexistent.json", "--function", "x"}, "", 2,
			"lambda-doctor: --snapshot: open /nonexistent.json: no such file or directory\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runDiag(t, c.stdin, c.args...)
			if code != c.code {
				t.Errorf("exit code: got %d, want %d\nstdout: %s\nstderr: %s", code, c.code, out, errOut)
			}
			if c.errWant != "" && !strings.Contains(errOut, c.errWant) {
				t.Errorf("stderr %q does not contain %q", errOut, c.errWant)
			}
			if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine") {
				t.Errorf("stderr has a stack trace: %s", errOut)
			}
			if code == 2 && out != "" {
				t.Errorf("bad input printed a result: %s", out)
			}
		})
	}
}

// TestDiagnoseJSONContract checks the fields scripts rely on
// (docs/contract.md, "diagnose --output json").
func TestDiagnoseJSONContract(t *testing.T) {
	if _, err := os.Stat(apigwSnap); err != nil {
		t.Skip("fixture missing")
	}
	out, _, code := runDiag(t, "", "--snapshot", apigwSnap, "--function", "order-processor", "--caller", "apigateway.amazonaws.com",
		"--source-arn", "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders", "--output", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"function", "symptom", "door", "summary", "request", "decision", "evidence", "fixes", "unseen"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing field %q", k)
		}
	}
	var d struct {
		Request struct {
			Principal, Action, Resource string
			Context                     map[string]any
		}
		Evidence []struct{ Policy, Statement, Effect, Why string }
		Fixes    []struct {
			Command     string
			Explanation string
			Verified    bool
		}
		Unseen []any
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.Request.Principal != "apigateway.amazonaws.com" || d.Request.Action != "lambda:InvokeFunction" || d.Request.Context == nil {
		t.Errorf("request: %+v", d.Request)
	}
	if len(d.Evidence) == 0 || d.Evidence[0].Statement != "apigw-old" {
		t.Errorf("evidence: %+v", d.Evidence)
	}
	if len(d.Fixes) != 1 || !d.Fixes[0].Verified || strings.Contains(d.Fixes[0].Command, "\n") {
		t.Errorf("fixes: %+v", d.Fixes)
	}
	if d.Unseen == nil {
		t.Errorf("unseen is null, want []")
	}
}

func TestDiagnoseNoColorWhenPiped(t *testing.T) {
	if _, err := os.Stat(apigwSnap); err != nil {
		t.Skip("fixture missing")
	}
	args := []string{"--snapshot", apigwSnap, "--function", "order-processor", "--caller", "apigateway.amazonaws.com",
		"--source-arn", "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders"}
	t.Setenv("NO_COLOR", "")
	t.Setenv("CLICOLOR_FORCE", "")
	out, _, _ := runDiag(t, "", args...)
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour on a pipe")
	}
	t.Setenv("CLICOLOR_FORCE", "1")
	out, _, _ = runDiag(t, "", args...)
	if !strings.Contains(out, "\x1b[") {
		t.Errorf("no colour with CLICOLOR_FORCE")
	}
	t.Setenv("NO_COLOR", "1")
	out, _, _ = runDiag(t, "", args...)
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour despite NO_COLOR")
	}
}

func TestDiagnoseErrorFromFile(t *testing.T) {
	if _, err := os.Stat(apigwSnap); err != nil {
		t.Skip("fixture missing")
	}
	f := filepath.Join(t.TempDir(), "err.txt")
	if err := os.WriteFile(f, []byte("Mon 25 Nov: Execution failed due to configuration error: Invalid permissions on Lambda function\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runDiag(t, "", "--snapshot", apigwSnap, "--function", "order-processor", "--error", "@"+f, "--output", "json")
	if code != 1 || !strings.Contains(out, `"door": "inbound"`) {
		t.Errorf("exit %d, stdout %s, stderr %s", code, out, errOut)
	}
}

// BenchmarkDiagnoseFixture runs whole diagnose commands in-process on
// fixture snapshots (load, judge, fixes with verification, JSON out).
func BenchmarkDiagnoseFixture(b *testing.B) {
	for _, name := range []string{"apigw-wrong-source-arn", "auto-denial-in-logs", "boundary-explicit-deny", "healthy-auto"} {
		dir := filepath.Join("../../fixtures", name)
		raw, err := os.ReadFile(filepath.Join(dir, "scenario.json"))
		if err != nil {
			b.Skip("fixture missing")
		}
		var s scenario
		if err := json.Unmarshal(raw, &s); err != nil {
			b.Fatal(err)
		}
		args := append([]string{"lambda-doctor", "diagnose", "--snapshot", filepath.Join(dir, "snapshot.json"), "--output", "json"}, s.Args...)
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				var out, errb bytes.Buffer
				run(context.Background(), args, strings.NewReader(""), &out, &errb)
			}
		})
	}
}

// TestDiagnoseLiveCrossCheck runs diagnose against moto with --cross-check:
// moto does not implement iam:SimulatePrincipalPolicy, so the report must
// say the cross-check was not available and still decide with the local
// engine; the printed fix, run with the aws CLI, must open the door.
func TestDiagnoseLiveCrossCheck(t *testing.T) {
	s := motoserver.Start(t)
	s.Setenv(t)
	createMotoFunction(t, s, "xcheck-fn")
	queue := "arn:aws:sqs:us-east-1:" + s.Account + ":xcheck-queue"
	args := []string{"--function", "xcheck-fn", "--symptom", "access-denied", "--action", "sqs:SendMessage", "--resource", queue, "--cross-check", "--output", "json"}
	out, errOut, code := runDiag(t, "", args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, errOut)
	}
	var d struct {
		Door       string
		CrossCheck string `json:"cross_check"`
		Fixes      []struct {
			Command  string
			Verified bool
		}
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if d.Door != "outbound" || !strings.Contains(d.CrossCheck, "not available") {
		t.Errorf("door %q cross_check %q, want outbound and a cross-check that was not available", d.Door, d.CrossCheck)
	}
	if len(d.Fixes) != 1 || !d.Fixes[0].Verified {
		t.Fatalf("fixes: %+v", d.Fixes)
	}
	if _, err := s.Shell(d.Fixes[0].Command); err != nil {
		t.Fatalf("the fix does not run: %v", err)
	}
	if out, errOut, code := runDiag(t, "", args...); code != 0 || !strings.Contains(out, `"door": "none"`) {
		t.Errorf("after the fix: exit %d\n%s\n%s", code, out, errOut)
	}
}

func TestDiagnoseCrossCheckNeedsLive(t *testing.T) {
	if _, err := os.Stat(apigwSnap); err != nil {
		t.Skip("fixture missing")
	}
	for _, args := range [][]string{
		{"--symptom", "no-logs", "--cross-check"},
		{"--cross-check"},
		{"--cross-check", "--error", "AccessDeniedException", "-o", "json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errOut, code := runDiag(t, "", append([]string{"--snapshot", apigwSnap, "--function", "order-processor"}, args...)...)
			const want = "lambda-doctor: --cross-check asks IAM's simulator of a live account: it does not apply to --snapshot\n"
			if code != exitBadInput || out != "" || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") > 2 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, no diagnosis, and the line %q", code, out, errOut, exitBadInput, want)
			}
		})
	}
}
