//go:build integration

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// twoRegions is one function name in two regions, each with a role of its
// own that trusts Lambda and allows nothing else: its logs, any call and any
// invoke are closed doors.
type twoRegions struct {
	e          *env
	name       string
	roles      map[string]string // by region
	diagnosed  string            // the region whose function is diagnosed
	shellOther string            // the other region: the shell's default
}

func newTwoRegions(e *env, name string) *twoRegions {
	e.t.Helper()
	tr := &twoRegions{e: e, name: name, roles: map[string]string{}, diagnosed: "us-west-2", shellOther: "us-east-1"}
	for _, region := range []string{tr.diagnosed, tr.shellOther} {
		role := name + "-" + region + "-role"
		arn := e.role(role, lambdaTrust)
		e.function(name, arn, "--region", region)
		tr.roles[region] = role
	}
	return tr
}

// states is what a fix could change, by region: the function's resource
// policy, and its role's inline and attached policies (read with one IAM
// call for both roles: each aws CLI process costs about a second).
func (tr *twoRegions) states() map[string]map[string]string {
	e := tr.e
	e.t.Helper()
	var auth struct {
		RoleDetailList []struct {
			RoleName                 string
			RolePolicyList           []any
			AttachedManagedPolicies  []any
			PermissionsBoundary      any
			AssumeRolePolicyDocument any
		}
	}
	if err := json.Unmarshal([]byte(e.aws("iam", "get-account-authorization-details", "--filter", "Role", "--output", "json")), &auth); err != nil {
		e.t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for region, role := range tr.roles {
		st := map[string]string{}
		pol, err := e.moto.AWSErr("lambda", "get-policy", "--function-name", tr.name, "--region", region, "--query", "Policy", "--output", "text")
		if err != nil {
			pol = "none" // ResourceNotFoundException: no statement yet
		}
		st["resource policy"] = strings.TrimSpace(pol)
		for _, r := range auth.RoleDetailList {
			if r.RoleName == role {
				b, _ := json.Marshal(r)
				st["role"] = string(b)
			}
		}
		if st["role"] == "" {
			e.t.Fatalf("role %s not found", role)
		}
		out[region] = st
	}
	return out
}

// TestFixesChangeOnlyTheDiagnosedRegion (issue 8): the same function name
// in us-east-1 and us-west-2, the us-west-2 one diagnosed with
// us-east-1 as the default region of the tool's and of the fixes' shell
// (AWS_REGION and AWS_DEFAULT_REGION): every printed fix, run as printed,
// changes the us-west-2 function or its role and nothing of us-east-1.
// The function is named by --region, by its ARN, and by a profile whose
// region is us-west-2.
func TestFixesChangeOnlyTheDiagnosedRegion(t *testing.T) {
	e := newEnv(t)
	tr := newTwoRegions(e, "e2e-regional-reports")
	west := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", tr.diagnosed, e.acct, tr.name)

	// A profile whose region is us-west-2, in config files of its own.
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(config, []byte("[profile e2e-west]\nregion = "+tr.diagnosed+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte("[e2e-west]\naws_access_key_id = testing\naws_secret_access_key = testing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// AWS_REGION, when set, wins over a profile's region (AWS SDKs and CLI
	// alike): the tool reads with the profile's region only without it.
	files := []string{"AWS_CONFIG_FILE=" + config, "AWS_SHARED_CREDENTIALS_FILE=" + creds}
	profileEnv := append(append([]string{}, files...), "AWS_REGION=", "AWS_DEFAULT_REGION=")
	type how struct {
		name  string
		args  []string
		extra []string
		flags []string // what every printed command must carry
	}
	byRegion := how{"--region", []string{"--function", tr.name, "--region", tr.diagnosed}, nil, []string{"--region " + tr.diagnosed}}
	byARN := how{"function ARN", []string{"--function", west}, nil, []string{"--region " + tr.diagnosed}}
	byProfile := how{"--profile", []string{"--function", tr.name, "--profile", "e2e-west"}, profileEnv, []string{"--region " + tr.diagnosed, "--profile e2e-west"}}

	// Each door once, and the inbound one (a regional Lambda command) named
	// each way: every run costs a few dozen aws CLI processes.
	for _, tc := range []struct {
		door, symptom string
		args          []string // the door's own flags
		hows          []how
	}{
		{"inbound", "invoke-denied", []string{"--caller", "sns.amazonaws.com", "--source-arn", fmt.Sprintf("arn:aws:sns:%s:%s:e2e-reports", tr.diagnosed, e.acct)}, []how{byRegion, byARN, byProfile}},
		{"outbound", "access-denied", []string{"--action", "dynamodb:Query", "--resource", fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/E2EReports", tr.diagnosed, e.acct)}, []how{byProfile}},
		{"logs", "no-logs", nil, []how{byRegion}},
	} {
		for _, how := range tc.hows {
			t.Run(tc.door+"/"+how.name, func(t *testing.T) {
				e := *e
				e.t = t
				// The tool's default region is the namesake's (unless the
				// profile's region is to apply), and so is the default region
				// of the shell the fixes run in: a fix without its own
				// --region would change the namesake.
				other := []string{"AWS_REGION=" + tr.shellOther, "AWS_DEFAULT_REGION=" + tr.shellOther}
				e.toolEnv = append(append([]string{}, other...), how.extra...)
				e.fixEnv = append(append([]string{}, files...), other...)
				tr := *tr
				tr.e = &e
				args := append(append(append([]string{}, how.args...), "--symptom", tc.symptom), tc.args...)
				before := tr.states()

				d := e.expectClosed(tc.door, "", args...)
				for _, f := range d.Fixes {
					for _, cmd := range strings.Split(f.Command, " && ") {
						for _, want := range how.flags {
							if cmd != "" && !strings.Contains(cmd, " "+want+" ") {
								t.Errorf("fix %q lacks %q", cmd, want)
							}
						}
						if strings.Contains(cmd, "--function-name") && !strings.Contains(cmd, "--function-name "+west) {
							t.Errorf("fix %q does not name the function by its ARN %s", cmd, west)
						}
					}
				}
				e.applyFixes(d)

				after := tr.states()
				if got, was := after[tr.shellOther], before[tr.shellOther]; !reflect.DeepEqual(got, was) {
					t.Errorf("a fix changed the %s function or its role:\nbefore %v\nafter  %v", tr.shellOther, was, got)
				}
				if got := after[tr.diagnosed]; reflect.DeepEqual(got, before[tr.diagnosed]) {
					t.Errorf("the fixes changed nothing of the diagnosed %s function or its role: %v", tr.diagnosed, got)
				}
				e.expectOpen(args...)
				// The namesake is still broken (its door, diagnosed in its
				// own region, is still closed).
				east := []string{"--function", tr.name, "--region", tr.shellOther, "--symptom", tc.symptom}
				if tc.door == "inbound" {
					east = []string{"--function", tr.name, "--region", tr.shellOther, "--symptom", tc.symptom,
						"--caller", "sns.amazonaws.com", "--source-arn", fmt.Sprintf("arn:aws:sns:%s:%s:e2e-reports", tr.shellOther, e.acct)}
				}
				if tc.door == "outbound" {
					east = []string{"--function", tr.name, "--region", tr.shellOther, "--symptom", tc.symptom,
						"--action", "dynamodb:Query", "--resource", fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/E2EReports", tr.shellOther, e.acct)}
				}
				if d2, code := e.diagnose(east...); code != 1 || d2.Door != tc.door {
					t.Errorf("the %s namesake: exit %d door %q, want it still closed", tr.shellOther, code, d2.Door)
				}
				// Undo, for the next way of naming the function: the roles
				// and policies go back as they were.
				tr.reset(t)
			})
		}
	}
}

// reset removes what the fixes added to the diagnosed region's function and
// role.
func (tr *twoRegions) reset(t *testing.T) {
	t.Helper()
	e := tr.e
	region := tr.diagnosed
	role := tr.roles[region]
	for _, p := range strings.Fields(e.aws("iam", "list-role-policies", "--role-name", role, "--query", "PolicyNames", "--output", "text")) {
		e.aws("iam", "delete-role-policy", "--role-name", role, "--policy-name", p)
	}
	for _, a := range strings.Fields(e.aws("iam", "list-attached-role-policies", "--role-name", role, "--query", "AttachedPolicies[].PolicyArn", "--output", "text")) {
		e.aws("iam", "detach-role-policy", "--role-name", role, "--policy-arn", a)
	}
	if pol, err := e.moto.AWSErr("lambda", "get-policy", "--function-name", tr.name, "--region", region, "--query", "Policy", "--output", "text"); err == nil {
		for _, sid := range sids(t, pol) {
			e.aws("lambda", "remove-permission", "--function-name", tr.name, "--region", region, "--statement-id", sid)
		}
	}
}

// sids are the statement ids of a policy document.
func sids(t *testing.T, doc string) []string {
	t.Helper()
	var p struct{ Statement []struct{ Sid string } }
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatalf("policy %q: %v", doc, err)
	}
	var out []string
	for _, st := range p.Statement {
		out = append(out, st.Sid)
	}
	return out
}
