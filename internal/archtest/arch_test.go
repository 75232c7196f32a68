// Package archtest keeps the package boundaries of the README's "Layout":
// the engine and the decision packages never import the AWS SDK or do I/O
// through it, so they can be used with no account at all, and the judging
// core sits below everything that uses it.
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

const module = "github.com/lambda-doctor/lambda-doctor"

// mayUseSDK are the only packages that may depend on the AWS SDK, even
// through another package: the live reader and the command that opens it.
var mayUseSDK = map[string]bool{
	module + "/account/live":      true,
	module + "/cmd/lambda-doctor": true,
}

// TestNoSDKOutsideLive: only account/live talks to AWS (DESIGN.md,
// packages). The model, the snapshot reader and every package that decides
// must not depend on github.com/aws/ even transitively.
func TestNoSDKOutsideLive(t *testing.T) {
	for _, pkg := range []string{"account", "diagnose", "diagnose/judge", "diagnose/fix", "internal/errtext", "checks", "simulate"} {
		pkg := module + "/" + pkg
		t.Run(pkg, func(t *testing.T) {
			if len(list(t, "-e", "-f", "{{.GoFiles}}", pkg)) == 0 {
				t.Skipf("%s has no Go files yet", pkg)
			}
			if d := awsDep(t, pkg); d != "" {
				t.Errorf("%s depends on %s; only account/live may use the AWS SDK", pkg, d)
			}
		})
	}
}

// TestSDKOnlyInLive checks every package of the module (tests aside).
func TestSDKOnlyInLive(t *testing.T) {
	pkgs := list(t, module+"/...")
	if len(pkgs) < 5 {
		t.Fatalf("go list %s/... found only %v", module, pkgs)
	}
	for _, pkg := range pkgs {
		d := awsDep(t, pkg)
		switch {
		case d != "" && !mayUseSDK[pkg]:
			t.Errorf("%s depends on %s; only account/live (and the command) may use the AWS SDK", pkg, d)
		case d == "" && pkg == module+"/account/live":
			t.Errorf("%s does not depend on the AWS SDK: is this test still looking at the right thing?", pkg)
		}
	}
}

// awsDep returns one github.com/aws/ package pkg depends on, or "".
func awsDep(t *testing.T, pkg string) string {
	t.Helper()
	for _, d := range list(t, "-deps", pkg) {
		if strings.HasPrefix(d, "github.com/aws/") {
			return d
		}
	}
	return ""
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
		// Of this module, only its own packages and internal/suggest (the
		// one edit distance, which needs nothing but the standard library).
		if rest, ok := strings.CutPrefix(d, module+"/"); ok && rest != "simulate" &&
			!strings.HasPrefix(rest, "simulate/") && rest != "internal/suggest" {
			t.Errorf("simulate depends on %s; only internal/suggest of the module's other packages keeps it a pure library", d)
		}
	}
}

// TestLayers: the judging core (diagnose/judge) depends on neither the fix
// builder nor the flows; the fix builder not on the flows; checks not on
// diagnose (it asks judge and fix, as diagnose does). Nothing below cmd
// depends on a command.
func TestLayers(t *testing.T) {
	for pkg, forbidden := range map[string][]string{
		"diagnose/judge": {"diagnose", "diagnose/fix", "checks", "account/live"},
		"diagnose/fix":   {"diagnose", "checks", "account/live"},
		"checks":         {"diagnose", "account/live"},
		"diagnose":       {"checks", "account/live"},
	} {
		deps := map[string]bool{}
		for _, d := range list(t, "-deps", module+"/"+pkg) {
			deps[d] = true
		}
		for _, f := range forbidden {
			if deps[module+"/"+f] {
				t.Errorf("%s depends on %s", pkg, f)
			}
		}
		if !deps[module+"/simulate"] {
			t.Errorf("%s does not depend on simulate: is this test still looking at the right thing?", pkg)
		}
	}
}
