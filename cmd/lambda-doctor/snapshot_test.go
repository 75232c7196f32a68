package main

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
	"github.com/lambda-doctor/lambda-doctor/internal/version"
)

func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"lambda-doctor"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// createMotoFunction creates a function whose environment holds a fake
// secret, with the aws CLI.
func createMotoFunction(t *testing.T, s *motoserver.Server, name string) {
	t.Helper()
	dir := t.TempDir()
	zf := filepath.Join(dir, "f.zip")
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("index.py")
	w.Write([]byte("def handler(e, c):\n    return e\n"))
	zw.Close()
	if err := os.WriteFile(zf, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	s.AWS(t, "iam", "create-role", "--role-name", name+"-role", "--assume-role-policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	s.AWS(t, "lambda", "create-function", "--function-name", name, "--runtime", "python3.12", "--handler", "index.handler",
		"--role", "arn:aws:iam::"+s.Account+":role/"+name+"-role", "--zip-file", "fileb://"+zf,
		"--environment", `Variables={API_TOKEN=fake-secret-value-42,STAGE=prod}`)
}

func TestSnapshotCommandLive(t *testing.T) {
	s := motoserver.Start(t)
	s.Setenv(t)
	createMotoFunction(t, s, "snapcmd-fn")
	out := filepath.Join(t.TempDir(), "snap.json")
	stdout, stderr, code := runCmd(t, "snapshot", "--function", "snapcmd-fn", "--file", out)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	if stdout != "" || !strings.Contains(stderr, "wrote "+out+": 1 function(s)") {
		t.Errorf("stdout %q stderr %q", stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("fake-secret-value-42")) || bytes.Contains(data, []byte("prod")) {
		t.Fatalf("the snapshot holds environment variable values:\n%s", data)
	}
	if !bytes.Contains(data, []byte(`"API_TOKEN"`)) {
		t.Errorf("the snapshot lost the environment variable names")
	}
	src, err := account.LoadSnapshot(out)
	if err != nil {
		t.Fatal(err)
	}
	f, err := src.Function(context.Background(), "snapcmd-fn")
	if err != nil {
		t.Fatal(err)
	}
	if f.Role == nil || f.Role.Name != "snapcmd-fn-role" || src.Snapshot().Source.Account != s.Account {
		t.Errorf("loaded: role %+v source %+v", f.Role, src.Snapshot().Source)
	}
	if got, want := src.Snapshot().Source.WrittenBy, version.Get().String(); got != want {
		t.Errorf("written_by: got %q, want %q", got, want)
	}

	// A snapshot of the snapshot, through --snapshot, to standard output.
	stdout, stderr, code = runCmd(t, "snapshot", "--snapshot", out, "--all")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	again, err := account.ParseSnapshot([]byte(stdout))
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(again.Functions) != 1 || again.Functions[0].Name != "snapcmd-fn" || again.Source != src.Snapshot().Source {
		t.Errorf("re-snapshot: got %+v", again)
	}
}

// TestSnapshotCommandARNOfAnotherRegion: a function given as an ARN of
// another region than the credentials' is read there, and the snapshot's
// source names that region, so a fix made from the snapshot targets it.
func TestSnapshotCommandARNOfAnotherRegion(t *testing.T) {
	s := motoserver.Start(t)
	s.Setenv(t)
	s.AWS(t, "iam", "create-role", "--role-name", "snapregion-fn-role", "--assume-role-policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	zf := filepath.Join(t.TempDir(), "f.zip")
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("index.py")
	w.Write([]byte("def handler(e, c):\n    return e\n"))
	zw.Close()
	if err := os.WriteFile(zf, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	arn := strings.TrimSpace(s.AWS(t, "lambda", "create-function", "--region", "eu-west-1", "--function-name", "snapregion-fn",
		"--runtime", "python3.12", "--handler", "index.handler", "--role", "arn:aws:iam::"+s.Account+":role/snapregion-fn-role",
		"--zip-file", "fileb://"+zf, "--query", "FunctionArn", "--output", "text"))
	stdout, stderr, code := runCmd(t, "snapshot", "--function", arn)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	snap, err := account.ParseSnapshot([]byte(stdout))
	if err != nil {
		t.Fatal(err)
	}
	if snap.Source.Region != "eu-west-1" || len(snap.Functions) != 1 || snap.Functions[0].Region != "eu-west-1" {
		t.Errorf("source region got %q (functions %d), want eu-west-1 (the credentials' region is us-east-1)", snap.Source.Region, len(snap.Functions))
	}
}

func TestSnapshotCommandAllLive(t *testing.T) {
	s := motoserver.Start(t)
	s.Setenv(t)
	createMotoFunction(t, s, "snapall-a")
	createMotoFunction(t, s, "snapall-b")
	stdout, stderr, code := runCmd(t, "snapshot", "--all", "--concurrency", "2")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	snap, err := account.ParseSnapshot([]byte(stdout))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range snap.Functions {
		names[f.Name] = true
	}
	if !names["snapall-a"] || !names["snapall-b"] {
		t.Errorf("functions: got %v", names)
	}
	for i := 1; i < len(snap.Functions); i++ {
		if snap.Functions[i-1].ARN >= snap.Functions[i].ARN {
			t.Errorf("functions not sorted: %s before %s", snap.Functions[i-1].ARN, snap.Functions[i].ARN)
		}
	}
}

// TestSnapshotCommandKeepsOrganization: what the live read learnt of the
// account's organization (here: in none, as moto answers
// DescribeOrganization) is written in the snapshot's org, with --function
// and with --all, so that a diagnosis of the snapshot decides as the live
// one does instead of assuming the SCPs and RCPs allow
// (fixtures/snapshot-format.md: "{} means the account is in no
// organization").
func TestSnapshotCommandKeepsOrganization(t *testing.T) {
	s := motoserver.Start(t)
	s.Setenv(t)
	createMotoFunction(t, s, "snaporg-fn")
	for _, args := range [][]string{{"--function", "snaporg-fn"}, {"--all"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, code := runCmd(t, append([]string{"snapshot"}, args...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			snap, err := account.ParseSnapshot([]byte(stdout))
			if err != nil {
				t.Fatal(err)
			}
			if snap.Org == nil || snap.Org.ID != "" || snap.Org.PoliciesUnread {
				t.Fatalf("org: got %+v, want {} (the account is in no organization)", snap.Org)
			}
			file := filepath.Join(t.TempDir(), "snap.json")
			if err := os.WriteFile(file, []byte(stdout), 0o600); err != nil {
				t.Fatal(err)
			}
			live, _, _ := runCmd(t, "diagnose", "--function", "snaporg-fn")
			offline, _, _ := runCmd(t, "diagnose", "--snapshot", file, "--function", "snaporg-fn")
			if live != offline {
				t.Errorf("the snapshot's diagnosis differs from the live one:\nlive:\n%s\nsnapshot:\n%s", live, offline)
			}
		})
	}
}

func TestSnapshotCommandErrors(t *testing.T) {
	good := filepath.Join("..", "..", "account", "testdata", "example.json")
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"schema_version": 9}`), 0o644)
	trunc := filepath.Join(dir, "trunc.json")
	data, _ := os.ReadFile(good)
	os.WriteFile(trunc, data[:100], 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"nothing to read", []string{"snapshot"}, 2, "give --function NAME or --all"},
		{"both", []string{"snapshot", "--all", "--function", "x", "--snapshot", good}, 2, "not both"},
		{"argument", []string{"snapshot", "stray"}, 2, "takes no arguments"},
		{"wrong version", []string{"snapshot", "--snapshot", bad, "--all"}, 2, "schema_version 9 is not supported: this lambda-doctor reads schema_version 1"},
		{"truncated", []string{"snapshot", "--snapshot", trunc, "--all"}, 2, "truncated"},
		{"missing file", []string{"snapshot", "--snapshot", filepath.Join(dir, "nope.json"), "--all"}, 2, "no such file"},
		{"region with snapshot", []string{"snapshot", "--snapshot", good, "--region", "eu-west-1", "--all"}, 2, "--profile and --region apply only to a live account"},
		{"function not in snapshot", []string{"snapshot", "--snapshot", good, "--function", "nope"}, 3, "nope is not in the snapshot"},
		{"unwritable output", []string{"snapshot", "--snapshot", good, "--all", "-o", filepath.Join(dir, "no", "such", "dir", "s.json")}, 2, "-o"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCmd(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("got exit %d, stderr %q; want exit %d with %q", code, stderr, tc.code, tc.want)
			}
			if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
				t.Fatalf("stack trace: %s", stderr)
			}
		})
	}
}

func TestSnapshotCommandLiveMissingFunction(t *testing.T) {
	s := motoserver.Start(t)
	s.Setenv(t)
	out := filepath.Join(t.TempDir(), "s.json")
	_, stderr, code := runCmd(t, "snapshot", "--function", "does-not-exist", "-o", out)
	if code != 3 || !strings.Contains(stderr, "does-not-exist") {
		t.Fatalf("got exit %d, stderr %q; want 3 naming the function", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed snapshot left %s behind", out)
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
		t.Errorf("a failed snapshot left files behind: %v", entries)
	}
}

// With no credentials at all the live source fails with exit 3 and says so.
func TestSnapshotCommandNoCredentials(t *testing.T) {
	s := motoserver.Start(t)
	s.Setenv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	_, stderr, code := runCmd(t, "snapshot", "--function", "x")
	if code != 3 || !strings.Contains(stderr, "sts:GetCallerIdentity") || !strings.Contains(stderr, "credentials") {
		t.Fatalf("got exit %d, stderr %q", code, stderr)
	}
}

// -o onto something that is not a regular file (a pipe here; /dev/null
// alike) writes into it instead of renaming a file over it; onto a symlink
// it replaces the file the link points at, and keeps the link.
func TestSnapshotCommandOutputTargets(t *testing.T) {
	good := filepath.Join("..", "..", "account", "testdata", "example.json")
	dir := t.TempDir()

	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := make(chan []byte)
	go func() {
		data, _ := os.ReadFile(fifo)
		got <- data
	}()
	if _, stderr, code := runCmd(t, "snapshot", "--snapshot", good, "--all", "--file", fifo); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if data := <-got; !bytes.Contains(data, []byte(`"schema_version": 1`)) {
		t.Errorf("the pipe got %q", data)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v %v", fi.Mode(), err)
	}

	real := filepath.Join(dir, "real.json")
	os.WriteFile(real, []byte("old"), 0o640)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runCmd(t, "snapshot", "--snapshot", good, "--all", "--file", link); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced")
	}
	fi, err := os.Stat(real)
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("target mode: got %v, %v; want 0640 kept", fi.Mode(), err)
	}
	if _, err := account.LoadSnapshot(real); err != nil {
		t.Errorf("the link's target is not the snapshot: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 3 {
		t.Errorf("files left behind: %v", entries)
	}

	// The form of earlier versions, -o FILE, still writes the file, with a
	// note; -o json is the format, to standard output.
	old := filepath.Join(dir, "old.json")
	stdout, stderr, code := runCmd(t, "snapshot", "--snapshot", good, "--all", "-o", old)
	if _, err := account.LoadSnapshot(old); code != 0 || err != nil || stdout != "" ||
		!strings.HasPrefix(stderr, "lambda-doctor: -o FILE is deprecated: -o is the output format in every command; write --file "+old+"\n") {
		t.Errorf("-o FILE: exit %d, %v, stdout %q, stderr %q", code, err, first(stdout), stderr)
	}
	stdout, stderr, code = runCmd(t, "snapshot", "--snapshot", good, "--all", "-o", "json")
	if _, err := account.ParseSnapshot([]byte(stdout)); code != 0 || err != nil || strings.Contains(stderr, "deprecated") {
		t.Errorf("-o json: exit %d, %v, stderr %q", code, err, stderr)
	}
	if _, err := os.Stat("json"); err == nil {
		t.Errorf("-o json wrote a file named json")
	}
}

// TestSnapshotCommandDiscoveryLimit: --discovery-limit s3=N bounds the S3
// buckets whose notifications are read for triggers, and 0 turns that read
// off (said in unseen, so nobody takes the absence of S3 triggers for a
// fact); the deprecated --max-buckets N does the same and says so.
func TestSnapshotCommandDiscoveryLimit(t *testing.T) {
	s := motoserver.Start(t)
	s.Setenv(t)
	createMotoFunction(t, s, "snapbuckets-fn")
	s.AWS(t, "s3api", "create-bucket", "--bucket", "snapbuckets-a")
	s.AWS(t, "s3api", "create-bucket", "--bucket", "snapbuckets-b")
	for _, c := range []struct {
		args     []string
		wantNote string
	}{
		{[]string{"--discovery-limit", "s3=0"}, "not read (turned off): discovery limit s3=0"},
		{[]string{"--discovery-limit", "logs=3,s3=1"}, "first 1 buckets"},
		{[]string{"--max-buckets", "0"}, "not read (turned off): discovery limit s3=0"},
		{[]string{"--max-buckets", "1"}, "first 1 buckets"},
	} {
		stdout, stderr, code := runCmd(t, append([]string{"snapshot", "--function", "snapbuckets-fn"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d, stderr %s", c.args, code, stderr)
		}
		if !strings.Contains(stdout, c.wantNote) {
			t.Errorf("%v: the snapshot does not say %q in unseen:\n%s", c.args, c.wantNote, stdout)
		}
		if deprecated := strings.Contains(stderr, "--max-buckets is deprecated"); deprecated != (c.args[0] == "--max-buckets") {
			t.Errorf("%v: stderr %q", c.args, stderr)
		}
	}
	if _, stderr, code := runCmd(t, "snapshot", "--function", "snapbuckets-fn", "--max-buckets", "-3"); code != 2 || !strings.Contains(stderr, "--max-buckets") {
		t.Errorf("--max-buckets -3: got exit %d, stderr %q; want 2 naming the flag", code, stderr)
	}
	if _, stderr, code := runCmd(t, "snapshot", "--function", "snapbuckets-fn", "--discovery-limit", "buckets=3"); code != 2 || !strings.Contains(stderr, "unknown discovery kind") {
		t.Errorf("--discovery-limit buckets=3: got exit %d, stderr %q; want 2 naming the kinds", code, stderr)
	}
}
