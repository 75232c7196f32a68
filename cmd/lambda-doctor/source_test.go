package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// TestMain stops the shared moto_server the package's tests may start.
func TestMain(m *testing.M) {
	// Text output is wrapped to COLUMNS when set: the goldens are written
	// for 80 columns, whatever the shell running the tests has.
	os.Unsetenv("COLUMNS")
	// No credentials, profile or shared config of the shell running the
	// tests: check --template reads an account when it sees credentials,
	// and the goldens are written for a run without any. Tests that read
	// moto set their own (motoserver.Setenv).
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			os.Unsetenv(k)
		}
	}
	os.Setenv("AWS_CONFIG_FILE", os.DevNull)
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	code := m.Run()
	motoserver.Stop()
	os.Exit(code)
}

func TestParseSince(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"90m": 90 * time.Minute, "36h": 36 * time.Hour, "1h30m": 90 * time.Minute, "7d": 7 * 24 * time.Hour,
		"2w": 14 * 24 * time.Hour, "1w3d": 10 * 24 * time.Hour, "2d12h": 60 * time.Hour, "0": 0, "0s": 0, " 24h ": 24 * time.Hour,
		"3650d": 3650 * 24 * time.Hour,
	} {
		if got, err := parseSince(in); err != nil || got != want {
			t.Errorf("parseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "soon", "-3h", "7", "d", "3x", "1h2d", "99999999d", "3651d", "522w"} {
		if got, err := parseSince(in); err == nil {
			t.Errorf("parseSince(%q) = %v, want an error", in, got)
		}
	}
}

// TestUnknownProfile: a profile the shared files do not have is one clear
// line and exit 3 (no credentials: the account cannot be inspected,
// docs/contract.md "Exit codes"), not the SDK's message; its control
// characters are escaped. The SDK fails while loading the configuration,
// before any request: no network is needed.
func TestUnknownProfile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[profile dev]\nregion = us-east-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	const want = " is not in the AWS config file (AWS_CONFIG_FILE or ~/.aws/config) or credentials file " +
		"(AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials); aws configure list-profiles shows the profiles\n"
	for _, tc := range []struct {
		name  string
		args  []string
		env   string // AWS_PROFILE
		shown string
	}{
		{"flag", []string{"diagnose", "-f", "orders", "--profile", "nosuch"}, "", `"nosuch"`},
		{"env", []string{"check", "--function", "orders"}, "nosuch", `"nosuch"`},
		{"control characters", []string{"diagnose", "-f", "orders", "--profile", "no\x1b]0;x\asuch"}, "", `"no\x1b]0;x\x07such"`},
		{"snapshot", []string{"snapshot", "--function", "orders", "--profile", "nosuch"}, "", `"nosuch"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv("AWS_PROFILE", tc.env)
			}
			stdout, stderr, code := runCmd(t, tc.args...)
			if code != exitUnseen {
				t.Errorf("exit code: got %d, want %d", code, exitUnseen)
			}
			if w := "lambda-doctor: profile " + tc.shown + want; stderr != w {
				t.Errorf("stderr:\ngot  %q\nwant %q", stderr, w)
			}
			if stdout != "" {
				t.Errorf("stdout: got %q, want nothing", stdout)
			}
		})
	}
}
