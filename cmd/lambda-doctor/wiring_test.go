// These tests run whole command lines through run(), as a user does: the
// pieces of completion.go, enums.go, suggest.go and version.go as newApp
// wires them.

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/version"
)

// hint is the line exitCode's advice adds after bad usage of cmd.
func hint(cmd string) string { return "hint: run 'lambda-doctor " + cmd + " --help' for the flags\n" }

func TestWiredCommandLines(t *testing.T) {
	tests := []struct {
		args   string
		code   int
		stdout string // a prefix
		stderr string // exact
	}{
		{"diagnos", 2, "", "lambda-doctor: unknown command \"diagnos\"; did you mean diagnose?\n"},
		{"diagnose --functon x", 2, "", "lambda-doctor: unknown flag --functon for diagnose; did you mean --function?\n" + hint("diagnose")},
		{"check --all -o xml", 2, "", "lambda-doctor: --output \"xml\": want text, json, sarif or junit\n" + hint("check")},
		{"diagnose -f x --symptom no-log", 2, "", "lambda-doctor: --symptom \"no-log\": want auto, invoke-denied, access-denied, no-logs or role-assume; did you mean no-logs?\n" + hint("diagnose")},
		{"snapshot --all --concurrency lots", 2, "", "lambda-doctor: --concurrency \"lots\": want a whole number\n" + hint("snapshot")},
		{"--version", 0, version.Get().String() + "\n", ""},
		{"version", 0, version.Get().String() + "\n", ""},
		{"completion bash", 0, "# bash completion for lambda-doctor", ""},
		{"completion powershell", 0, "# PowerShell completion for lambda-doctor", ""},
		{"completion tcsh", 2, "", "lambda-doctor: completion \"tcsh\": want bash, zsh, fish or powershell\n" + hint("completion")},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"lambda-doctor"}, strings.Fields(tt.args)...), strings.NewReader(""), &out, &errb)
			if code != tt.code || !strings.HasPrefix(out.String(), tt.stdout) || errb.String() != tt.stderr {
				t.Errorf("exit %d, stdout %q, stderr %q\nwant exit %d, stdout %q..., stderr %q", code, first(out.String()), errb.String(), tt.code, tt.stdout, tt.stderr)
			}
		})
	}
}
