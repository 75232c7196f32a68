//go:build integration

package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// scenario is fixtures/<name>/scenario.json (fixtures/README.md, "Scenario files").
type scenario struct {
	Description string   `json:"description"`
	Args        []string `json:"args"`
	Expect      struct {
		Door            string   `json:"door"`
		Decision        string   `json:"decision,omitempty"`
		ExitCode        *int     `json:"exit_code"`
		FixVerified     *bool    `json:"fix_verified,omitempty"`
		FixContains     []string `json:"fix_contains,omitempty"`
		SummaryContains []string `json:"summary_contains,omitempty"`
		Doors           []string `json:"doors,omitempty"`
		NoCommand       bool     `json:"no_command,omitempty"`
		Cause           string   `json:"cause,omitempty"`
		NoGrant         bool     `json:"no_grant,omitempty"`
		OutputContains  []string `json:"output_contains,omitempty"`
		OutputLacks     []string `json:"output_lacks,omitempty"`
		Ambiguous       *bool    `json:"ambiguous,omitempty"`
	} `json:"expect"`
}

// TestFixturesAreWellFormed loads every scenario's snapshot with the real
// loader and checks that its scenario file is complete and consistent: the
// function it diagnoses is in the snapshot and the expectation is coherent.
func TestFixturesAreWellFormed(t *testing.T) {
	dirs, err := filepath.Glob("../fixtures/*/scenario.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 24 {
		t.Fatalf("got %d scenarios, want at least 24", len(dirs))
	}
	doors := map[string]int{}
	for _, path := range dirs {
		dir := filepath.Dir(path)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var sc scenario
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&sc); err != nil {
				t.Fatalf("scenario.json: %v", err)
			}
			src, err := account.LoadSnapshot(filepath.Join(dir, "snapshot.json"))
			if err != nil {
				t.Fatalf("snapshot.json: %v", err)
			}
			if len(sc.Description) < 80 {
				t.Errorf("description too short to say what is broken and what a correct diagnosis says: %q", sc.Description)
			}
			i := slices.Index(sc.Args, "--function")
			if i < 0 || i+1 >= len(sc.Args) {
				t.Fatalf("args name no --function: %q", sc.Args)
			}
			if slices.Contains(sc.Args, "--snapshot") || slices.Contains(sc.Args, "--output") {
				t.Errorf("args must not hold --snapshot or --output: %q", sc.Args)
			}
			if _, err := src.Function(t.Context(), sc.Args[i+1]); err != nil {
				t.Errorf("function %q: %v", sc.Args[i+1], err)
			}
			e := sc.Expect
			if !slices.Contains([]string{"inbound", "outbound", "logs", "trust", "config", "none", "unknown"}, e.Door) {
				t.Errorf("expect.door %q", e.Door)
			}
			if e.ExitCode == nil {
				t.Fatalf("expect.exit_code missing")
			}
			// A door open under one reading of the documentation only is
			// undecided: exit 3 like an unknown one.
			undecided := e.Door == "unknown" || (e.Ambiguous != nil && *e.Ambiguous)
			if (e.Door == "none") != (*e.ExitCode == 0) || undecided != (*e.ExitCode == 3) {
				t.Errorf("door %q with exit code %d", e.Door, *e.ExitCode)
			}
			if e.Door == "none" && (len(e.FixContains) > 0 || e.FixVerified != nil) {
				t.Errorf("door none expects no fix")
			}
			if e.Door == "config" && (e.Cause == "" || !e.NoGrant) {
				t.Errorf("door config expects a cause and no grant")
			}
			doors[e.Door]++
		})
	}
	for _, d := range []string{"inbound", "outbound", "logs", "trust", "config", "none"} {
		if doors[d] == 0 {
			t.Errorf("no scenario for door %s", d)
		}
	}
}
