package template

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// fixtureTemplates are every test template of the repository.
func fixtureTemplates(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"cfn", "sam", "corpus"} {
		for _, ext := range []string{"*.yaml", "*.yml", "*.json"} {
			m, _ := filepath.Glob(filepath.Join("../../fixtures/templates", dir, ext))
			files = append(files, m...)
		}
	}
	if len(files) == 0 {
		t.Fatal("no fixture templates found")
	}
	return files
}

// TestCfnLintAcceptsFixtures runs cfn-lint (when installed; CI has it) on
// every test template: a template CloudFormation would refuse proves
// nothing. Runtime deprecation checks are left out (E2531, E2533, W2531):
// their dates pass while the fixtures stay the same.
func TestCfnLintAcceptsFixtures(t *testing.T) {
	t.Parallel()
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("LAMBDA_DOCTOR_REQUIRE_SAM") != "" {
			t.Fatal("cfn-lint is not installed")
		}
		t.Skip("cfn-lint is not installed (pip install cfn-lint)")
	}
	if testing.Short() {
		t.Skip("cfn-lint takes a few seconds")
	}
	args := append([]string{"--ignore-checks", "E2531", "E2533", "W2531", "--"}, fixtureTemplates(t)...)
	out, err := exec.Command(lint, args...).CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint refuses test templates (%v):\n%s", err, out)
	}
}
