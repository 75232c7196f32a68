package checks

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// TestVerboseListsRequirements: --verbose lists every requirement judged
// for each function, one line each with its rule and verdict, passing ones
// included (a CI log shows what was checked); without it, a passing run is
// its one line and a failing one lists no passing requirement.
func TestVerboseListsRequirements(t *testing.T) {
	ok := healthy(t, "fine")
	noLogs := healthy(t, "mute")
	noLogs.Role.Inline = nil
	gone := healthy(t, "orphan")
	gone.Role = nil
	gone.Unseen = []account.Unseen{{Operation: "iam:GetRole", Resource: gone.Config.RoleARN, Error: "AccessDenied", Permission: "iam:GetRole"}}
	for _, tc := range []struct {
		name    string
		fn      *account.Function
		verbose []string // lines --verbose must print
		quiet   []string // lines the default output must print
	}{
		{"passing", ok,
			[]string{"requirements of fine: 2 judged", "  ✓ LD001  write logs to /aws/lambda/fine: holds", "  ✓ LD011  be assumed by Lambda: holds"},
			[]string{"✓ 1 function checked, 2 required permissions hold; no findings"}},
		{"failing", noLogs,
			[]string{"requirements of mute: 2 judged", "  ✗ LD001  write logs to /aws/lambda/mute: fails (implicit deny)", "  ✓ LD011  be assumed by Lambda: holds"},
			nil},
		{"undecided", gone,
			[]string{"requirements of orphan: 2 judged", "  ? LD001  write logs to /aws/lambda/orphan: undecided", "  ? LD011  be assumed by Lambda: undecided"},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := check(t, tc.fn)
			for _, verbose := range []bool{true, false} {
				var b bytes.Buffer
				if err := WriteText(&b, r, TextOptions{Width: 200, Verbose: verbose}); err != nil {
					t.Fatal(err)
				}
				lines := strings.Split(b.String(), "\n")
				want := tc.verbose
				if !verbose {
					want = tc.quiet
					if strings.Contains(b.String(), "requirements of ") || strings.Contains(b.String(), ": holds") {
						t.Errorf("without --verbose the requirements are listed:\n%s", b.String())
					}
				}
				for _, w := range want {
					found := false
					for _, l := range lines {
						found = found || l == w
					}
					if !found {
						t.Errorf("verbose %v: no line %q in:\n%s", verbose, w, b.String())
					}
				}
			}
		})
	}
}
