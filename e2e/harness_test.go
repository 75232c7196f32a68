//go:build integration

package e2e

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-doctor/lambda-doctor/diagnose/fix/fixtest"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// lambdaTrust is the trust policy every healthy execution role has.
const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// basicExecution is the AWS managed policy that lets a function write its logs.
const basicExecution = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

// diagnosis is the part of `diagnose --output json` the tests rely on
// (docs/contract.md).
type diagnosis struct {
	Function string `json:"function"`
	Symptom  string `json:"symptom"`
	Door     string `json:"door"`
	Summary  string `json:"summary"`
	Request  struct {
		Principal string         `json:"principal"`
		Action    string         `json:"action"`
		Resource  string         `json:"resource"`
		Context   map[string]any `json:"context"`
	} `json:"request"`
	Decision  string           `json:"decision"`
	Evidence  []map[string]any `json:"evidence"`
	Fixes     []printedFix     `json:"fixes"`
	FixAdvice []printedFix     `json:"fix_advice"`
	Unseen    []map[string]any `json:"unseen"`
	Assumed   []string         `json:"assumed"`
	Notes     []string         `json:"notes"`
	Open      []string         `json:"open"`
	Diagnoses []struct {
		Door    string       `json:"door"`
		Rule    string       `json:"rule"`
		Summary string       `json:"summary"`
		Source  string       `json:"source"`
		Fixes   []printedFix `json:"fixes"`
	} `json:"diagnoses"`
}

// printedFix is one fix of `diagnose --output json` or `check --output json`.
type printedFix struct {
	Command     string `json:"command"`
	Explanation string `json:"explanation"`
	Verified    bool   `json:"verified"`
	Document    string `json:"document"`
	Owner       string `json:"owner"`
}

// neverPublic fails the test when a printed fix would open the function to
// anyone (the property every scenario must hold; docs/contract.md, "Safe to
// paste").
func neverPublic(t *testing.T, fixes []fixtest.Fix) {
	t.Helper()
	for _, f := range fixes {
		if bad := fixtest.PublicGrants(f, nil); len(bad) > 0 {
			t.Errorf("a printed fix opens the function to anyone: %s", strings.Join(bad, "; "))
		}
	}
}

// env is one scenario's moto account with a counting proxy in front of it.
type env struct {
	t     *testing.T
	moto  *motoserver.Server
	proxy *countingProxy
	acct  string
	// toolEnv holds KEY=VALUE entries over the environment of the tool (a
	// profile's config files, a default region), fixEnv over that of the
	// fixes it prints (after the default region motoserver.OtherRegion).
	toolEnv, fixEnv []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	// Scenarios use distinct names in one shared moto, so they run in parallel.
	t.Parallel()
	s := motoserver.Start(t)
	p := newCountingProxy(t, s.Endpoint)
	return &env{t: t, moto: s, proxy: p, acct: s.Account}
}

// aws runs the aws CLI against moto and returns its trimmed output.
func (e *env) aws(args ...string) string {
	e.t.Helper()
	return strings.TrimSpace(e.moto.AWS(e.t, args...))
}

// role creates a role with the trust policy and returns its ARN.
func (e *env) role(name, trust string) string {
	e.t.Helper()
	return e.aws("iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust,
		"--query", "Role.Arn", "--output", "text")
}

func (e *env) putRolePolicy(role, name, doc string) {
	e.t.Helper()
	e.aws("iam", "put-role-policy", "--role-name", role, "--policy-name", name, "--policy-document", doc)
}

func (e *env) attach(role, policyARN string) {
	e.t.Helper()
	e.aws("iam", "attach-role-policy", "--role-name", role, "--policy-arn", policyARN)
}

// function creates a python function with a tiny zip and returns its ARN.
func (e *env) function(name, roleARN string, extra ...string) string {
	e.t.Helper()
	zipPath := filepath.Join(e.t.TempDir(), "fn.zip")
	if err := os.WriteFile(zipPath, handlerZip(e.t), 0o600); err != nil {
		e.t.Fatal(err)
	}
	args := append([]string{"lambda", "create-function", "--function-name", name,
		"--runtime", "python3.12", "--handler", "index.handler", "--role", roleARN,
		"--zip-file", "fileb://" + zipPath, "--query", "FunctionArn", "--output", "text"}, extra...)
	return e.aws(args...)
}

// healthyFunction creates a function whose role trusts Lambda and may write logs.
func (e *env) healthyFunction(name string) (fnARN, roleName string) {
	e.t.Helper()
	roleName = name + "-role"
	arn := e.role(roleName, lambdaTrust)
	e.attach(roleName, basicExecution)
	return e.function(name, arn), roleName
}

func handlerZip(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("index.py")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "def handler(event, context):\n    return {'ok': True}\n")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// diagnose runs `lambda-doctor diagnose ARGS --output json` against moto
// through the counting proxy and returns the parsed result and exit code.
func (e *env) diagnose(args ...string) (*diagnosis, int) {
	e.t.Helper()
	e.proxy.reset()
	cmd := exec.Command(binary, append(append([]string{"diagnose"}, args...), "--output", "json")...)
	cmd.Env = e.environ()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	elapsed := time.Since(start)
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		e.t.Fatalf("run lambda-doctor: %v", err)
	}
	calls, rounds := e.proxy.stats()
	e.t.Logf("diagnose %s: exit %d in %v, %d API calls in %d dependent rounds\nstderr: %s",
		strings.Join(args, " "), code, elapsed.Round(time.Millisecond), len(calls), rounds, stderr.String())
	var d diagnosis
	if err := json.Unmarshal(stdout.Bytes(), &d); err != nil {
		e.t.Fatalf("diagnose %s: exit %d, output is not JSON (%v):\nstdout: %s\nstderr: %s",
			strings.Join(args, " "), code, err, stdout.String(), stderr.String())
	}
	var fixes []fixtest.Fix
	for _, f := range d.Fixes {
		fixes = append(fixes, fixtest.Fix{Command: f.Command, Document: f.Document})
	}
	for _, x := range d.Diagnoses {
		for _, f := range x.Fixes {
			fixes = append(fixes, fixtest.Fix{Command: f.Command, Document: f.Document})
		}
	}
	neverPublic(e.t, fixes)
	onlyReads(e.t, calls)
	return &d, code
}

// environ is the environment of the tool: moto's, with the endpoint replaced
// by the counting proxy.
func (e *env) environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	for _, kv := range e.moto.Env() {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") {
			kv = "AWS_ENDPOINT_URL=" + e.proxy.URL
		}
		out = append(out, kv)
	}
	return append(out, e.toolEnv...)
}

// expectClosed diagnoses, requires a closed door with at least one verified
// fix, and returns the diagnosis.
func (e *env) expectClosed(door, decision string, args ...string) *diagnosis {
	e.t.Helper()
	d, code := e.diagnose(args...)
	if code != 1 {
		e.t.Errorf("exit code: got %d, want 1 (door closed)", code)
	}
	if d.Door != door {
		e.t.Errorf("door: got %q, want %q (summary: %s)", d.Door, door, d.Summary)
	}
	if decision != "" && d.Decision != decision {
		e.t.Errorf("decision: got %q, want %q", d.Decision, decision)
	}
	if len(d.Fixes) == 0 {
		e.t.Fatalf("no fix printed; summary: %s", d.Summary)
	}
	for i, f := range d.Fixes {
		e.t.Logf("fix %d (verified %v): %s", i, f.Verified, f.Command)
	}
	if e.t.Failed() {
		e.t.FailNow()
	}
	return d
}

// applyFixes runs every verified fix command with bash against moto, exactly
// as printed, with another region than the diagnosed one as the shell's
// default (motoserver.OtherRegion): a fix must name its region itself.
func (e *env) applyFixes(d *diagnosis) {
	e.t.Helper()
	n := 0
	for _, f := range d.Fixes {
		if !f.Verified || f.Command == "" {
			continue
		}
		e.runFix(f.Command)
		n++
	}
	if n == 0 {
		e.t.Fatalf("no verified fix command to run: %+v", d.Fixes)
	}
}

// runFix runs one printed fix command with bash against moto, exactly as
// printed, with another region than the diagnosed one as the shell's
// default (motoserver.OtherRegion).
func (e *env) runFix(command string) {
	e.t.Helper()
	if out, err := e.moto.ShellEnv(command, append([]string{"AWS_REGION=" + motoserver.OtherRegion, "AWS_DEFAULT_REGION=" + motoserver.OtherRegion}, e.fixEnv...)...); err != nil {
		e.t.Fatalf("fix command failed: %v\ncommand: %s\noutput: %s", err, command, out)
	}
}

// expectOpen diagnoses again and requires door none with exit 0.
func (e *env) expectOpen(args ...string) *diagnosis {
	e.t.Helper()
	d, code := e.diagnose(args...)
	if code != 0 || d.Door != "none" {
		e.t.Fatalf("after the fix: got exit %d door %q, want exit 0 door \"none\"; summary: %s; fixes: %+v",
			code, d.Door, d.Summary, d.Fixes)
	}
	if len(d.Fixes) != 0 {
		e.t.Errorf("door none but %d fixes printed: %+v", len(d.Fixes), d.Fixes)
	}
	return d
}

// fixContains requires some fix command to contain every string.
func fixContains(t *testing.T, d *diagnosis, subs ...string) {
	t.Helper()
	for _, f := range d.Fixes {
		ok := true
		for _, s := range subs {
			if !strings.Contains(f.Command, s) {
				ok = false
				break
			}
		}
		if ok {
			return
		}
	}
	var cmds []string
	for _, f := range d.Fixes {
		cmds = append(cmds, f.Command)
	}
	t.Fatalf("no fix command contains all of %q:\n%s", subs, strings.Join(cmds, "\n"))
}

// countingProxy forwards to moto and records every API call, so a test can
// report how many calls a diagnosis makes and in how many dependent rounds.
type countingProxy struct {
	*httptest.Server
	mu    sync.Mutex
	calls []call
	// answer, when set, may answer a request itself (a service moto does
	// not emulate well enough) and then returns true; the call is counted.
	answer func(w http.ResponseWriter, r *http.Request) bool
}

type call struct {
	op         string
	start, end time.Time
}

func newCountingProxy(t *testing.T, target string) *countingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &countingProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := call{op: operation(r), start: time.Now()}
		p.mu.Lock()
		answer := p.answer
		p.mu.Unlock()
		if answer == nil || !answer(w, r) {
			rp.ServeHTTP(w, r)
		}
		c.end = time.Now()
		p.mu.Lock()
		p.calls = append(p.calls, c)
		p.mu.Unlock()
	}))
	t.Cleanup(p.Close)
	return p
}

// setAnswer sets the proxy's own answers (see countingProxy.answer).
func (p *countingProxy) setAnswer(fn func(w http.ResponseWriter, r *http.Request) bool) {
	p.mu.Lock()
	p.answer = fn
	p.mu.Unlock()
}

func (p *countingProxy) reset() {
	p.mu.Lock()
	p.calls = nil
	p.mu.Unlock()
}

// stats returns the calls made since reset and the number of dependent
// rounds: a new round starts when a call starts after every earlier call
// has finished.
func (p *countingProxy) stats() ([]call, int) {
	p.mu.Lock()
	calls := append([]call(nil), p.calls...)
	p.mu.Unlock()
	sort.Slice(calls, func(i, j int) bool { return calls[i].start.Before(calls[j].start) })
	rounds := 0
	var lastEnd time.Time
	for _, c := range calls {
		if rounds == 0 || !c.start.Before(lastEnd) {
			rounds++
		}
		if c.end.After(lastEnd) {
			lastEnd = c.end
		}
	}
	return calls, rounds
}

// operation names an AWS API call from its HTTP request: the JSON protocol's
// X-Amz-Target, the query protocol's Action, or the REST method and path.
func operation(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
			return v.Get("Action")
		}
	}
	return r.Method + " " + r.URL.Path
}

func nowMillis() int64 { return time.Now().UnixMilli() }
