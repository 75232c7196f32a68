//go:build integration

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// binary is the lambda-doctor binary built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	code, err := setup(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		code = 1
	}
	motoserver.Stop()
	os.Exit(code)
}

func setup(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "lambda-doctor-e2e")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "lambda-doctor")
	build := exec.Command("go", "build", "-o", binary, "../cmd/lambda-doctor")
	if out, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("go build: %v\n%s", err, out)
	}
	// aws CLI v1 ignores AWS_ENDPOINT_URL for sqs (seen with moto): a
	// wrapper first on PATH adds --endpoint-url, so printed fix commands run
	// unchanged.
	real, err := exec.LookPath("aws")
	if err != nil {
		return 0, fmt.Errorf("aws CLI not on PATH: %w", err)
	}
	wrapDir := filepath.Join(dir, "bin")
	if err := os.Mkdir(wrapDir, 0o755); err != nil {
		return 0, err
	}
	wrapper := fmt.Sprintf(`#!/usr/bin/env bash
case "$1" in
sqs|emr|rds|docdb|neptune) exec %q --endpoint-url "$AWS_ENDPOINT_URL" "$@" ;;
*) exec %q "$@" ;;
esac
`, real, real)
	if err := os.WriteFile(filepath.Join(wrapDir, "aws"), []byte(wrapper), 0o755); err != nil {
		return 0, err
	}
	os.Setenv("PATH", wrapDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	// The diagnosis must not depend on the developer's colour or pager settings.
	os.Setenv("NO_COLOR", "1")
	return m.Run(), nil
}
