package fix

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// inRegion is testFunction moved to account 444455556666 in region.
func inRegion(region, partition string) *account.Function {
	fn := testFunction()
	old := fn.ARN
	fn.Region, fn.Account, fn.Partition = region, "444455556666", partition
	fn.ARN = "arn:" + partition + ":lambda:" + region + ":444455556666:function:worker"
	fn.ResourcePolicies[0].Document = strings.ReplaceAll(fn.ResourcePolicies[0].Document, old, fn.ARN)
	fn.Role.ARN = "arn:" + partition + ":iam::444455556666:role/service-role/worker-role"
	fn.Config.RoleARN = fn.Role.ARN
	return fn
}

// wordsOf splits one command of a fix as bash reads it.
func wordsOf(t *testing.T, cmd string) []string {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	return bashArgs(t, cmd)
}

// flagValue is the value of flag in words, and whether it is there.
func flagValue(words []string, flag string) (string, bool) {
	for i, w := range words {
		if w == flag && i+1 < len(words) {
			return words[i+1], true
		}
	}
	return "", false
}

// TestFixesTargetTheFunction: every command of every door's fix carries
// --region (the function's, IAM included), --profile when one is given,
// and names the function by its full ARN (docs/contract.md, "Every fix
// command is unambiguous"); the IaC forms say the account and region they
// were planned for.
func TestFixesTargetTheFunction(t *testing.T) {
	for _, tc := range []struct{ region, partition, profile string }{
		{"eu-west-2", "aws", ""},
		{"us-west-2", "aws", "prod-admin"},
		{"cn-north-1", "aws-cn", "china ops"}, // a profile name that needs quoting
	} {
		fn := inRegion(tc.region, tc.partition)
		fn.Role.Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
		verdicts := map[string]*judge.Verdict{
			"inbound":  judge.CheckInbound(fn, judge.Invoker{Principal: "sns.amazonaws.com", SourceARN: "arn:" + tc.partition + ":sns:" + tc.region + ":444455556666:topic", SourceAccount: "444455556666"}),
			"outbound": judge.CheckOutbound(fn, judge.Call{Action: "sqs:SendMessage", Resource: "arn:" + tc.partition + ":sqs:" + tc.region + ":444455556666:q"}),
			"logs":     judge.CheckLogs(fn),
			"trust":    judge.CheckTrust(fn),
		}
		for door, v := range verdicts {
			t.Run(tc.region+"/"+door, func(t *testing.T) {
				s := NewSet()
				s.Profile = tc.profile
				fixes := s.For(fn, v, CLI)
				if len(fixes) == 0 || fixes[0].Command == "" || !fixes[0].Verified {
					t.Fatalf("fixes: %+v, want a verified command", fixes)
				}
				for _, cmd := range strings.Split(fixes[0].Command, " && ") {
					w := wordsOf(t, cmd)
					if r, ok := flagValue(w, "--region"); !ok || r != tc.region {
						t.Errorf("--region: got %q (%v), want %q in %s", r, ok, tc.region, cmd)
					}
					p, ok := flagValue(w, "--profile")
					if tc.profile == "" && ok || tc.profile != "" && p != tc.profile {
						t.Errorf("--profile: got %q (%v), want %q in %s", p, ok, tc.profile, cmd)
					}
					if f, ok := flagValue(w, "--function-name"); ok && f != fn.ARN {
						t.Errorf("--function-name: got %q, want the ARN %s", f, fn.ARN)
					}
					if p, ok := flagValue(w, "--policy-arn"); ok && !strings.HasPrefix(p, "arn:"+tc.partition+":") {
						t.Errorf("--policy-arn %s is not in partition %s", p, tc.partition)
					}
				}
				for _, f := range []Format{CloudFormation, SAM, Terraform} {
					iac := NewSet().For(fn, v, f)
					if len(iac) == 0 || !strings.HasPrefix(iac[0].Command, "# for account 444455556666, region "+tc.region+" (the function's)") {
						t.Errorf("%s: got %+v, want the account and region on its first line", f, iac)
					}
				}
			})
		}
	}
}

// A function whose region is not known (a template's unresolved
// AWS::Region) gets no command: it could not be pinned to the region.
func TestFixWithoutRegionHasNoCommand(t *testing.T) {
	fn := inRegion("us-east-1", "aws")
	fn.Region = "{{unknown.AWS-Region}}"
	v := judge.CheckOutbound(fn, judge.Call{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:444455556666:q"})
	fixes := For(fn, v, CLI)
	if len(fixes) != 1 || fixes[0].Command != "" || fixes[0].Verified || !strings.Contains(fixes[0].Explanation, "is not a region name") {
		t.Fatalf("fixes: %+v, want no command and why", fixes)
	}
	if iac := For(fn, v, Terraform); len(iac) != 1 || !strings.HasPrefix(iac[0].Command, "# for account 444455556666, region {{unknown.AWS-Region}}") {
		t.Errorf("terraform: %+v", iac)
	}
}

// A put-resource-policy fix passes the revision id read with the policy,
// says which aws CLI it needs, and is not printed when the revision is not
// known.
func TestPutResourcePolicyRevision(t *testing.T) {
	deny := `{"Version":"2012-10-17","Id":"default","Statement":[` +
		`{"Sid":"sns","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:worker"},` +
		`{"Sid":"NoSNS","Effect":"Deny","Principal":"*","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:worker","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`
	inv := judge.Invoker{Principal: "sns.amazonaws.com", SourceARN: "arn:aws:sns:us-east-1:111122223333:topic", SourceAccount: acct}
	for _, tc := range []struct {
		name, revision string
	}{{"revision known", "rev-1"}, {"revision not known", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			fn := testFunction()
			fn.ResourcePolicies = []account.ResourcePolicy{{Document: deny, RevisionID: tc.revision}}
			v := judge.CheckInbound(fn, inv)
			fixes := For(fn, v, CLI)
			if len(fixes) == 0 {
				t.Fatalf("no fix for %s", v)
			}
			f := fixes[0]
			if tc.revision == "" {
				if f.Command != "" || f.Verified || !strings.Contains(f.Explanation, "the revision of this resource policy is not known") || f.Document == "" {
					t.Errorf("got %+v, want no command, why, and the document", f)
				}
				return
			}
			w := wordsOf(t, f.Command)
			if len(w) < 3 || w[2] != "put-resource-policy" {
				t.Fatalf("command %s, want put-resource-policy", f.Command)
			}
			if r, _ := flagValue(w, "--revision-id"); r != tc.revision {
				t.Errorf("--revision-id: got %q, want %q", r, tc.revision)
			}
			if !strings.Contains(f.Explanation, "2026-08-20") {
				t.Errorf("explanation %q does not say which aws CLI it needs", f.Explanation)
			}
		})
	}
}

// A fix whose command would carry a control character from the account's
// data (a role name with ESC, a trigger's source ARN with a bidi override)
// is not printed: the explanation says why, with the value escaped.
func TestUnsafeCommandRefused(t *testing.T) {
	fn := testFunction()
	fn.Role.Name = "worker\x1b]0;pwned\x07"
	v := judge.CheckOutbound(fn, judge.Call{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:111122223333:q"})
	for _, f := range []Format{CLI, CloudFormation, Terraform} {
		fixes := For(fn, v, f)
		if len(fixes) != 1 || fixes[0].Command != "" || fixes[0].Verified {
			t.Fatalf("%s: fixes %+v, want no command", f, fixes)
		}
		if e := fixes[0].Explanation; !strings.Contains(e, "would carry a control character") || !strings.Contains(e, `worker\x1b]0;pwned\x07`) {
			t.Errorf("%s: explanation %q does not say why with the value escaped", f, e)
		}
	}
	fn = testFunction()
	v = judge.CheckInbound(fn, judge.Invoker{Principal: "sns.amazonaws.com", SourceARN: "arn:aws:sns:us-east-1:111122223333:t\u202eopic", SourceAccount: acct})
	if fixes := For(fn, v, CLI); len(fixes) != 1 || fixes[0].Command != "" || !strings.Contains(fixes[0].Explanation, `\u202e`) {
		t.Errorf("fixes %+v, want no command", fixes)
	}
	if fx, ok := NarrowTrust(func() *account.Function {
		f := testFunction()
		f.Role.Name = "r\x07"
		f.Role.Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`
		return f
	}(), ""); !ok || fx.Command != "" {
		t.Errorf("NarrowTrust: %+v, want no command", fx)
	}
	if UnsafeCommand("aws lambda add-permission --function-name f\n  ok") != "" {
		t.Error("a newline between the lines of an IaC snippet is refused")
	}
}
