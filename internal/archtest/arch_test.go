// Package archtest keeps the package boundaries of shared/DESIGN.md: the
// engine and the decision packages never import the AWS SDK or do I/O
// through it, so they can be used with no account at all.
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

// list runs go list with args and returns the words it prints.
func list(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", strings.Join(args, " "), err)
	}
	return strings.Fields(strings.Trim(string(out), "[]\n"))
}

// TestNoSDKOutsideAccount: only account talks to AWS (DESIGN.md, packages).
func TestNoSDKOutsideAccount(t *testing.T) {
	for _, pkg := range []string{
		"github.com/lambda-doctor/lambda-doctor/simulate",
		"github.com/lambda-doctor/lambda-doctor/diagnose",
		"github.com/lambda-doctor/lambda-doctor/diagnose/errtext",
		"github.com/lambda-doctor/lambda-doctor/checks",
	} {
		t.Run(pkg, func(t *testing.T) {
			if len(list(t, "-e", "-f", "{{.GoFiles}}", pkg)) == 0 {
				t.Skipf("%s has no Go files yet", pkg)
			}
			for _, d := range list(t, "-f", "{{.Imports}}", pkg) {
				if strings.HasPrefix(d, "github.com/aws/") {
					t.Errorf("%s depends on %s; only account may use the AWS SDK", pkg, d)
				}
			}
		})
	}
}

func TestSimulateIsPure(t *testing.T) {
	for _, d := range list(t, "-deps", "github.com/lambda-doctor/lambda-doctor/simulate") {
		if strings.HasPrefix(d, "github.com/aws/") {
			t.Errorf("simulate depends on %s; it must stay a pure library", d)
		}
		switch d {
		case "net/http", "os/exec", "github.com/lambda-doctor/lambda-doctor/account":
			t.Errorf("simulate depends on %s; it must stay a pure library", d)
		}
	}
}
