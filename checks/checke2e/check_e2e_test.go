//go:build integration

// Package checke2e runs `lambda-doctor check` end to end against
// moto_server: an account is built with the aws CLI, a deploy breaks a
// permission the function's configuration requires, check fails the
// pipeline with the fix, the fix is run with the aws CLI, and check passes.
package checke2e

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/diagnose/fix/fixtest"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

var binary, wrapDir string

func TestMain(m *testing.M) {
	code, err := setup(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "checke2e:", err)
		code = 1
	}
	motoserver.Stop()
	os.Exit(code)
}

func setup(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "check-e2e")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "lambda-doctor")
	if out, err := exec.Command("go", "build", "-o", binary, "../../cmd/lambda-doctor").CombinedOutput(); err != nil {
		return 0, fmt.Errorf("go build: %v\n%s", err, out)
	}
	// aws CLI v1 ignores AWS_ENDPOINT_URL for sqs (seen with moto): a
	// wrapper first on PATH adds --endpoint-url so commands run unchanged.
	real, err := exec.LookPath("aws")
	if err != nil {
		return m.Run(), nil // the tests skip or fail in requireAWS
	}
	wrapDir = filepath.Join(dir, "bin")
	if err := os.Mkdir(wrapDir, 0o755); err != nil {
		return 0, err
	}
	wrapper := fmt.Sprintf("#!/usr/bin/env bash\ncase \"$1\" in\nsqs) exec %q --endpoint-url \"$AWS_ENDPOINT_URL\" \"$@\" ;;\n*) exec %q \"$@\" ;;\nesac\n", real, real)
	if err := os.WriteFile(filepath.Join(wrapDir, "aws"), []byte(wrapper), 0o755); err != nil {
		return 0, err
	}
	os.Setenv("PATH", wrapDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	os.Setenv("NO_COLOR", "1")
	return m.Run(), nil
}

func requireAWS(t *testing.T) {
	t.Helper()
	if wrapDir == "" {
		if os.Getenv("LAMBDA_DOCTOR_REQUIRE_MOTO") != "" {
			t.Fatal("the aws CLI is not on PATH")
		}
		t.Skip("the aws CLI is not on PATH")
	}
}

// env is the process environment without AWS_ variables, plus the server's.
func env(s *motoserver.Server) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	return append(out, s.Env()...)
}

// check runs lambda-doctor check against the server.
func check(t *testing.T, s *motoserver.Server, args ...string) (string, int) {
	t.Helper()
	return checkWithEnv(t, env(s), args...)
}

// checkWithEnv runs lambda-doctor check with the environment given; it
// fails the test when the command cannot run or panics, and logs stderr.
func checkWithEnv(t *testing.T, environ []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"check"}, args...)...)
	cmd.Env = environ
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run lambda-doctor: %v", err)
	}
	if strings.Contains(errb.String(), "panic") {
		t.Fatalf("lambda-doctor panicked:\n%s", errb.String())
	}
	if errb.Len() > 0 {
		t.Logf("stderr: %s", errb.String())
	}
	return out.String(), code
}

type report struct {
	Findings []struct {
		ID    string `json:"id"`
		Fixes []struct {
			Command  string `json:"command"`
			Verified bool   `json:"verified"`
			Document string `json:"document"`
		} `json:"fixes"`
	} `json:"findings"`
	Summary struct {
		Failed       bool `json:"failed"`
		Requirements int  `json:"requirements"`
	} `json:"summary"`
}

func parse(t *testing.T, out string) report {
	t.Helper()
	var r report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("check --output json: %v\n%s", err, out)
	}
	// No printed fix may open the function to anyone (docs/contract.md,
	// "Safe to paste").
	for _, f := range r.Findings {
		for _, x := range f.Fixes {
			if bad := fixtest.PublicGrants(fixtest.Fix{Command: x.Command, Document: x.Document}, nil); len(bad) > 0 {
				t.Errorf("%s: a printed fix opens the function to anyone: %s", f.ID, strings.Join(bad, "; "))
			}
		}
	}
	return r
}

func zipFile(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, err := z.Create("app.py")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(w, "def handler(event, context):\n    return None")
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "app.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// deploy builds a function polling an SQS queue, with a role that can poll
// it and write logs.
func deploy(t *testing.T, s *motoserver.Server, name string) (roleName, queueARN string) {
	t.Helper()
	roleName = name + "-role"
	roleARN := strings.TrimSpace(s.AWS(t, "iam", "create-role", "--role-name", roleName, "--assume-role-policy-document", trust, "--query", "Role.Arn", "--output", "text"))
	s.AWS(t, "iam", "attach-role-policy", "--role-name", roleName, "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
	url := strings.TrimSpace(s.AWS(t, "sqs", "create-queue", "--queue-name", name+"-queue", "--query", "QueueUrl", "--output", "text"))
	queueARN = strings.TrimSpace(s.AWS(t, "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "QueueArn", "--query", "Attributes.QueueArn", "--output", "text"))
	s.AWS(t, "iam", "put-role-policy", "--role-name", roleName, "--policy-name", "queue", "--policy-document",
		fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes"],"Resource":%q}]}`, queueARN))
	s.AWS(t, "lambda", "create-function", "--function-name", name, "--runtime", "python3.12", "--handler", "app.handler",
		"--role", roleARN, "--zip-file", "fileb://"+zipFile(t))
	s.AWS(t, "lambda", "create-event-source-mapping", "--function-name", name, "--event-source-arn", queueARN, "--batch-size", "1")
	return roleName, queueARN
}

// fixFor returns the verified fix command of the one finding with id.
func fixFor(t *testing.T, r report, id string) string {
	t.Helper()
	for _, f := range r.Findings {
		if f.ID == id {
			if len(f.Fixes) != 1 || !f.Fixes[0].Verified {
				t.Fatalf("%s: got fixes %+v, want one verified fix", id, f.Fixes)
			}
			return f.Fixes[0].Command
		}
	}
	t.Fatalf("no %s finding in %+v", id, r.Findings)
	return ""
}

// TestDeployLosesReceiveMessage: the deploy rewrites the queue policy
// without sqs:ReceiveMessage; check fails with the put-role-policy that
// restores exactly that grant; after running it, check passes.
func TestDeployLosesReceiveMessage(t *testing.T) {
	requireAWS(t)
	s := motoserver.Start(t)
	role, queue := deploy(t, s, "order-poller")

	out, code := check(t, s, "--function", "order-poller")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "✓") {
		t.Fatalf("before the deploy: exit %d, want 0 and one line:\n%s", code, out)
	}

	// The broken deploy.
	s.AWS(t, "iam", "put-role-policy", "--role-name", role, "--policy-name", "queue", "--policy-document",
		fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:DeleteMessage","sqs:GetQueueAttributes"],"Resource":%q}]}`, queue))

	text, code := check(t, s, "--function", "order-poller")
	if code != 1 || !strings.Contains(text, "LD003") || !strings.Contains(text, "sqs:ReceiveMessage") {
		t.Fatalf("after the deploy: exit %d, want 1 naming LD003 and sqs:ReceiveMessage:\n%s", code, text)
	}
	out, code = check(t, s, "--function", "order-poller", "--output", "json")
	if code != 1 {
		t.Fatalf("json: exit %d, want 1", code)
	}
	fix := fixFor(t, parse(t, out), "LD003")
	for _, want := range []string{"aws iam put-role-policy", role, "sqs:ReceiveMessage", queue} {
		if !strings.Contains(fix, want) {
			t.Errorf("fix %q lacks %q", fix, want)
		}
	}
	if _, err := s.ShellElsewhere(fix); err != nil {
		t.Fatalf("the printed fix does not run: %v\n%s", err, fix)
	}

	out, code = check(t, s, "--function", "order-poller")
	if code != 0 {
		t.Fatalf("after the fix: exit %d, want 0:\n%s", code, out)
	}
}

// TestDeployDetachesLogging: the logging policy is detached; check fails
// with attach-role-policy; after running it, check passes, and a spec
// expectation on the queue holds throughout.
func TestDeployDetachesLogging(t *testing.T) {
	requireAWS(t)
	s := motoserver.Start(t)
	role, queue := deploy(t, s, "order-logger")
	spec := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(spec, []byte(fmt.Sprintf("version: 1\nfunction: order-logger\ncalls:\n  - action: sqs:DeleteMessage\n    resource: %s\ndenied_calls:\n  - action: sqs:SendMessage\n    resource: %s\n", queue, queue)), 0o644); err != nil {
		t.Fatal(err)
	}
	s.AWS(t, "iam", "detach-role-policy", "--role-name", role, "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")

	out, code := check(t, s, "--function", "order-logger", "--spec", spec, "--output", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	fix := fixFor(t, parse(t, out), "LD001")
	if !strings.Contains(fix, role) || !(strings.Contains(fix, "AWSLambdaBasicExecutionRole") || strings.Contains(fix, "logs:PutLogEvents")) {
		t.Errorf("fix %q does not restore the role's logging", fix)
	}
	if _, err := s.ShellElsewhere(fix); err != nil {
		t.Fatalf("the printed fix does not run: %v\n%s", err, fix)
	}
	out, code = check(t, s, "--function", "order-logger", "--spec", spec)
	if code != 0 {
		t.Fatalf("after the fix: exit %d, want 0:\n%s", code, out)
	}
	if !strings.Contains(out, "2 expectations hold") {
		t.Errorf("want the spec's two expectations to hold:\n%s", out)
	}

	// The whole account, read by the live reader in one sweep.
	out, code = check(t, s, "--all", "--output", "json")
	var all struct {
		Functions []struct{ Name string } `json:"functions"`
	}
	if err := json.Unmarshal([]byte(out), &all); err != nil {
		t.Fatalf("check --all --output json: %v\n%s", err, out)
	}
	found := false
	for _, f := range all.Functions {
		found = found || f.Name == "order-logger"
	}
	if code != 0 || !found {
		t.Errorf("check --all: exit %d, want 0 with order-logger among %+v", code, all.Functions)
	}
}

// TestTrustTooBroad: the role of a function also trusts EC2 and another
// account; check reports LD109 with the narrowed trust policy; after running
// it with the aws CLI, check passes.
func TestTrustTooBroad(t *testing.T) {
	requireAWS(t)
	s := motoserver.Start(t)
	role, _ := deploy(t, s, "order-trust")
	s.AWS(t, "iam", "update-assume-role-policy", "--role-name", role, "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","ec2.amazonaws.com"]},"Action":"sts:AssumeRole"},{"Sid":"Ops","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}`)

	out, code := check(t, s, "--function", "order-trust", "--output", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	fix := fixFor(t, parse(t, out), "LD109")
	if !strings.HasPrefix(fix, "aws iam update-assume-role-policy --region us-east-1 --role-name "+role) || strings.Contains(fix, "ec2") {
		t.Fatalf("unexpected fix %q", fix)
	}
	if _, err := s.ShellElsewhere(fix); err != nil {
		t.Fatalf("the printed fix does not run: %v\n%s", err, fix)
	}
	out, code = check(t, s, "--function", "order-trust")
	if code != 0 {
		t.Fatalf("after the fix: exit %d, want 0:\n%s", code, out)
	}
}

// TestSharedRoleManyFunctions: one execution role, without the logs
// permissions, is shared by 150 functions (created with boto3 in one
// process; the aws CLI would take minutes). check --all reports the
// missing logs grant once, naming the 150 functions, with one verified
// fix (not 150 copies of it), and LD104 once; the text output prints the
// fix once and lists the functions; after running the fix with the aws
// CLI, check passes (LD104 is low, below --fail-on high).
func TestSharedRoleManyFunctions(t *testing.T) {
	requireAWS(t)
	s := motoserver.Start(t)
	const n = 150
	s.AWS(t, "iam", "create-role", "--role-name", "shared-role", "--assume-role-policy-document", trust)
	script := filepath.Join(t.TempDir(), "create.py")
	code := fmt.Sprintf(`import boto3, os
zip = open(%q, "rb").read()
c = boto3.client("lambda", region_name=os.environ["AWS_DEFAULT_REGION"], endpoint_url=os.environ["AWS_ENDPOINT_URL"])
for i in range(%d):
    c.create_function(FunctionName="shared-%%03d" %% i, Runtime="python3.12", Handler="app.handler",
        Role="arn:aws:iam::%s:role/shared-role", Code={"ZipFile": zip})
`, zipFile(t), n, s.Account)
	if err := os.WriteFile(script, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := s.Shell("python3 " + script); err != nil {
		t.Fatalf("create %d functions: %v\n%s", n, err, out)
	}

	out, exit := check(t, s, "--all", "--output", "json")
	if exit != 1 {
		t.Fatalf("exit %d, want 1:\n%s", exit, out)
	}
	var r struct {
		Findings []struct {
			ID        string   `json:"id"`
			Functions []string `json:"functions"`
			Fixes     []struct {
				Command  string `json:"command"`
				Verified bool   `json:"verified"`
			} `json:"fixes"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	byID := map[string]int{}
	var fix string
	for _, f := range r.Findings {
		byID[f.ID]++
		if len(f.Functions) != n {
			t.Errorf("%s names %d functions, want %d", f.ID, len(f.Functions), n)
		}
		if f.ID == "LD001" {
			if len(f.Fixes) != 1 || !f.Fixes[0].Verified {
				t.Fatalf("LD001 fixes %+v, want one verified fix", f.Fixes)
			}
			fix = f.Fixes[0].Command
		}
	}
	if byID["LD001"] != 1 || byID["LD104"] != 1 {
		t.Fatalf("findings by rule %v, want LD001 once and LD104 once", byID)
	}

	text, _ := check(t, s, "--all")
	if c := strings.Count(text, "attach-role-policy"); c != 1 {
		t.Errorf("the text output prints the fix %d times, want once:\n%s", c, text)
	}
	if !strings.Contains(text, fmt.Sprintf("functions %d: shared-000, shared-001,", n)) {
		t.Errorf("the text output does not list the functions:\n%s", text)
	}

	if _, err := s.Shell(fix); err != nil {
		t.Fatalf("the printed fix does not run: %v\n%s", err, fix)
	}
	if out, exit := check(t, s, "--all"); exit != 0 || !strings.HasPrefix(out, "✓") {
		t.Fatalf("after the fix: exit %d, want 0:\n%s", exit, out)
	}
}
