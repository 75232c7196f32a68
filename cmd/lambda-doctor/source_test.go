package main

import (
	"os"
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
