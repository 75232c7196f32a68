// Package motoserver starts moto_server, a real AWS API emulator, on a free
// loopback port for integration tests, and gives the environment that points
// the aws CLI and aws-sdk-go-v2 at it.
package motoserver

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a running moto_server.
type Server struct {
	Endpoint string // http://127.0.0.1:PORT
	Account  string // the account id moto uses
	dir      string
	cmd      *exec.Cmd
}

var (
	shared     *Server
	sharedErr  error
	sharedOnce sync.Once
)

// Start returns a moto_server shared by every test of the package, started
// on first use (only in a build with the integration tag: without it the
// test is skipped, so `go test ./...` is the fast unit-test loop) and stopped by the returned cleanup in TestMain, or by process
// exit. The test is skipped with a clear message when moto_server is not
// installed and LAMBDA_DOCTOR_REQUIRE_MOTO is unset; CI sets it, so there a
// missing moto fails instead.
func Start(t testing.TB) *Server {
	t.Helper()
	if !Enabled {
		t.Skip("needs moto_server: run with -tags integration (scripts/test does)")
	}
	sharedOnce.Do(func() { shared, sharedErr = start() })
	if sharedErr != nil {
		if os.Getenv("LAMBDA_DOCTOR_REQUIRE_MOTO") == "" {
			t.Skipf("moto_server not available: %v", sharedErr)
		}
		t.Fatalf("moto_server: %v", sharedErr)
	}
	return shared
}

// Stop stops the shared server, if one was started. Call it from TestMain.
func Stop() {
	if shared != nil {
		shared.Close()
	}
}

func start() (*Server, error) {
	bin, err := exec.LookPath("moto_server")
	var args []string
	if err != nil {
		py, perr := exec.LookPath("python3")
		if perr != nil {
			return nil, fmt.Errorf("neither moto_server nor python3 on PATH")
		}
		bin, args = py, []string{"-m", "moto.server"}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "moto")
	if err != nil {
		return nil, err
	}
	args = append(args, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	logf, err := os.Create(filepath.Join(dir, "moto.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &Server{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), Account: "123456789012", dir: dir, cmd: cmd}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.Endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			s.Close()
			log, _ := os.ReadFile(filepath.Join(dir, "moto.log"))
			return nil, fmt.Errorf("moto_server did not answer within 30s: %s", log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Credentials and config files must not come from the developer's home.
	for name, body := range map[string]string{"config": "", "credentials": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Env is the environment that points the aws CLI and aws-sdk-go-v2 at the
// server, with dummy credentials and empty config files.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL=" + s.Endpoint,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + filepath.Join(s.dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(s.dir, "credentials"),
		"AWS_PAGER=",
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// Setenv sets Env in the test process for the duration of the test, and
// unsets every other AWS_ variable.
func (s *Server) Setenv(t testing.TB) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// environ is the process environment without AWS_ variables, plus Env.
func (s *Server) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env, s.Env()...)
}

// AWS runs the aws CLI against the server and returns its standard output.
// The test fails with the CLI's standard error if the command fails.
func (s *Server) AWS(t testing.TB, args ...string) string {
	t.Helper()
	out, err := s.AWSErr(args...)
	if err != nil {
		t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// AWSErr is AWS returning the error (with standard error) instead of failing.
func (s *Server) AWSErr(args ...string) (string, error) {
	return s.Shell(shellQuoteArgs(append([]string{"aws"}, args...)))
}

// Shell runs one bash command line (such as a printed fix command) with Env,
// the way a person pastes it into a shell.
func (s *Server) Shell(line string) (string, error) { return s.ShellEnv(line) }

// OtherRegion is a region no scenario uses: printed fixes run with it as
// the shell's default region (ShellElsewhere).
const OtherRegion = "eu-west-3"

// ShellElsewhere is Shell with the shell's default region (AWS_REGION and
// AWS_DEFAULT_REGION) set to OtherRegion: a printed fix that does not name
// its region itself acts there, on nothing the scenario built, and fails.
func (s *Server) ShellElsewhere(line string) (string, error) {
	return s.ShellEnv(line, "AWS_REGION="+OtherRegion, "AWS_DEFAULT_REGION="+OtherRegion)
}

// ShellEnv is Shell with env (KEY=VALUE entries) over Env.
func (s *Server) ShellEnv(line string, env ...string) (string, error) {
	cmd := exec.Command("bash", "-c", line)
	cmd.Env = append(s.environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// Reset wipes every backend of the server.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(s.Endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	resp.Body.Close()
}

// Close stops the server.
func (s *Server) Close() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		_ = s.cmd.Wait()
	}
	os.RemoveAll(s.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func shellQuoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
