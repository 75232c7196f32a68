package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestDeletedRoleEverySymptom: a function whose execution role was deleted
// (fixtures/execution-role-deleted: iam:GetRole answered NoSuchEntity) gets
// the same definite diagnosis whatever it is asked: door config, cause
// role_not_found (LD020) naming the role, exit 1, also from a pasted "cannot
// be assumed by Lambda" or IAM's "The role with name ... cannot be found";
// check fails with LD020. The same role whose read was refused
// (fixtures/unseen-role-access-denied) stays undecided (exit 3).
func TestDeletedRoleEverySymptom(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	const snap = "../../fixtures/execution-role-deleted/snapshot.json"
	const role = "arn:aws:iam::111122223333:role/service-role/thumbnailer-role"
	for _, tc := range []struct {
		name   string
		args   []string
		closed int // other closed doors (the S3 invoke: no resource policy)
	}{
		{"auto", nil, 0},
		{"role-assume", []string{"--symptom", "role-assume"}, 0},
		{"no-logs", []string{"--symptom", "no-logs"}, 0},
		{"access-denied", []string{"--symptom", "access-denied", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::images/a.png"}, 0},
		{"invoke-denied", []string{"--symptom", "invoke-denied", "--caller", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::images"}, 1},
		{"pasted cannot be assumed", []string{"--error", "An error occurred (InvalidParameterValueException) when calling the UpdateFunctionCode operation: The role defined for the function cannot be assumed by Lambda."}, 0},
		{"pasted role cannot be found", []string{"--error", "An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name thumbnailer-role cannot be found."}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"lambda-doctor", "diagnose", "--snapshot", snap, "-f", "thumbnailer", "-o", "json"}, tc.args...)
			code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
			var d struct {
				Door  string `json:"door"`
				Rule  string `json:"rule"`
				Cause *struct {
					Kind     string `json:"kind"`
					Resource string `json:"resource"`
					NotIAM   bool   `json:"not_iam"`
				} `json:"cause"`
				Diagnoses []json.RawMessage `json:"diagnoses"`
			}
			if err := json.Unmarshal(out.Bytes(), &d); err != nil {
				t.Fatalf("%v\n%s%s", err, out.String(), errb.String())
			}
			if code != 1 || d.Door != "config" || d.Rule != "LD020" || d.Cause == nil || d.Cause.Kind != "role_not_found" || d.Cause.Resource != role || !d.Cause.NotIAM {
				t.Errorf("got exit %d door %s rule %s cause %+v, want 1 config LD020 role_not_found on %s\n%s", code, d.Door, d.Rule, d.Cause, role, out.String())
			}
			if want := 1 + tc.closed; len(d.Diagnoses) != want {
				t.Errorf("got %d diagnoses, want %d: the cause once, first:\n%s", len(d.Diagnoses), want, out.String())
			}
		})
	}
	cout, _, code := runCheckCmd(t, "--snapshot", snap, "-f", "thumbnailer")
	if code != 1 || !strings.Contains(cout, "LD020") || strings.Contains(cout, "could not decide") {
		t.Errorf("check: exit %d, want 1 with LD020:\n%s", code, cout)
	}
	var out, errb bytes.Buffer
	code = run(context.Background(), []string{"lambda-doctor", "diagnose", "--snapshot", "../../fixtures/unseen-role-access-denied/snapshot.json", "-f", "invoice-archiver"},
		strings.NewReader(""), &out, &errb)
	if code != 3 || strings.Contains(out.String(), "role_not_found") || strings.Contains(out.String(), "does not exist") {
		t.Errorf("a refused iam:GetRole: exit %d, want 3, undecided:\n%s", code, out.String())
	}
}

// TestDeletedRoleSharedOnce: three functions whose execution role was
// deleted (fixtures/check/role-deleted-shared.json, one role) get one LD020
// finding naming the three, in every output format, with the create-role
// command once and the advice to point another role said of them all, as
// check reports what a role shares (LD011, LD104).
func TestDeletedRoleSharedOnce(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	const snap = "../../fixtures/check/role-deleted-shared.json"
	fns := []string{"resizer", "thumbnailer", "watermarker"}
	for _, format := range []string{"text", "json", "sarif", "junit"} {
		t.Run(format, func(t *testing.T) {
			out, stderr, code := runCheckCmd(t, "--all", "--snapshot", snap, "-o", format)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
			}
			create := "aws iam create-role"
			if format == "sarif" {
				create = `"command": "aws iam create-role` // and in the result's message
			}
			if n := strings.Count(out, create); n != 1 {
				t.Errorf("create-role %d times, want once:\n%s", n, out)
			}
			if strings.Contains(out, "update-function-configuration --function-name arn:") {
				t.Errorf("the advice names one function of three:\n%s", out)
			}
			var got [][]string // the LD020 findings' functions
			switch format {
			case "text":
				for _, line := range strings.Split(out, "\n") {
					if strings.HasPrefix(line, "✗ LD020") {
						got = append(got, nil)
					}
					if f, ok := strings.CutPrefix(strings.TrimSpace(line), "functions 3: "); ok && len(got) > 0 {
						got[len(got)-1] = strings.Split(f, ", ")
					}
				}
			case "json":
				var r struct {
					Findings []struct {
						ID        string   `json:"id"`
						Functions []string `json:"functions"`
					} `json:"findings"`
				}
				if err := json.Unmarshal([]byte(out), &r); err != nil {
					t.Fatal(err)
				}
				for _, f := range r.Findings {
					if f.ID == "LD020" {
						got = append(got, names(f.Functions))
					}
				}
			case "sarif":
				var s struct {
					Runs []struct {
						Results []struct {
							RuleID     string `json:"ruleId"`
							Properties struct {
								Functions []string `json:"functions"`
							} `json:"properties"`
						} `json:"results"`
					} `json:"runs"`
				}
				if err := json.Unmarshal([]byte(out), &s); err != nil {
					t.Fatal(err)
				}
				for _, r := range s.Runs[0].Results {
					if r.RuleID == "LD020" {
						got = append(got, names(r.Properties.Functions))
					}
				}
			case "junit":
				for _, line := range strings.Split(out, "\n") {
					if strings.Contains(line, `<testcase name="LD020`) {
						got = append(got, fns)
					}
				}
				if !strings.Contains(out, "3 functions: resizer, thumbnailer, watermarker") {
					t.Errorf("the LD020 test case does not name the three functions:\n%s", out)
				}
			}
			if len(got) != 1 || strings.Join(got[0], ",") != strings.Join(fns, ",") {
				t.Errorf("LD020 findings naming %v, want one naming %v:\n%s", got, fns, out)
			}
		})
	}
}

// names are the last segments of function ARNs.
func names(arns []string) []string {
	var out []string
	for _, a := range arns {
		out = append(out, a[strings.LastIndex(a, ":")+1:])
	}
	return out
}
