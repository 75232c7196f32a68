package checks

import (
	"context"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// TestCauseFindings: check reports what fails whatever the permissions, as
// diagnose does, with the cause's rule and its fixes: a key pending
// deletion that decides the environment's decryption (LD015, on the LD007
// requirement, cancel-key-deletion then enable-key, verified; no grant), a
// stale grant (LD016, no command), a Failed function (LD013), a layer of
// another region (LD014).
func TestCauseFindings(t *testing.T) {
	for _, tc := range []struct {
		fixture, function string
		want              string // rule:first command
		reqCause          string // cause of the LD007 requirement
	}{
		{"kms-key-pending-deletion", "report-mailer", "LD015:aws kms cancel-key-deletion", "kms_key_state"},
		{"kms-stale-grant-recreated-role", "ledger-sync", "LD016:", "stale_grant"},
		{"function-failed-subnet", "geo-lookup", "LD013:", ""},
		{"layer-other-region", "pdf-export", "", ""},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			src, err := account.LoadSnapshot("../fixtures/" + tc.fixture + "/snapshot.json")
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Run(context.Background(), src, []string{tc.function}, Options{FailOn: Low})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				if f.ID < "LD013" || f.ID > "LD018" {
					continue
				}
				cmd := ""
				for _, x := range f.Fixes {
					if x.Command != "" && cmd == "" {
						cmd = x.Command
					}
					for _, g := range []string{"put-role-policy", "attach-role-policy", "add-permission"} {
						if strings.Contains(x.Command, g) {
							t.Errorf("%s: a grant as the fix of a cause: %s", f.ID, x.Command)
						}
					}
					if x.Command != "" && !x.Verified {
						t.Errorf("%s: unverified command %s", f.ID, x.Command)
					}
				}
				if i := strings.Index(cmd, " --"); i > 0 { // the operation, without its options
					cmd = cmd[:i]
				}
				got = append(got, f.ID+":"+cmd)
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("cause findings: got %v, want %s", got, tc.want)
			}
			for _, r := range rep.Functions[0].Requirements {
				if r.ID == "LD007" && r.Cause != tc.reqCause {
					t.Errorf("LD007 cause: got %q, want %q", r.Cause, tc.reqCause)
				}
			}
		})
	}
}
