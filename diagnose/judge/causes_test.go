package judge

import (
	"strings"
	"testing"
	"time"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// TestCauses: each cause the model shows, with its kind, rule and whether a
// policy change can fix it; expectations from the AWS pages each Cause
// cites.
func TestCauses(t *testing.T) {
	layer := "arn:aws:lambda:eu-west-1:111122223333:layer:shared:3"
	for _, tc := range []struct {
		name   string
		mutate func(*account.Function)
		kinds  string // kind:notIAM,...
	}{
		{"healthy", func(*account.Function) {}, ""},
		{"failed, KMS key disabled (Lambda DG functions-states)", func(f *account.Function) {
			f.Config.State, f.Config.StateReasonCode, f.Config.StateReason = "Failed", "DisabledKMSKey", "The KMS key is disabled."
		}, "function_failed:true"},
		{"failed, role lacks a permission: a grant is part of the fix", func(f *account.Function) {
			f.Config.State, f.Config.StateReasonCode = "Failed", "InsufficientRolePermissions"
		}, "function_failed:false"},
		{"last update failed, unknown code", func(f *account.Function) {
			f.Config.State, f.Config.LastUpdateStatus, f.Config.LastUpdateStatusReasonCode = "Active", "Failed", "SomethingNew"
		}, "function_failed:true"},
		{"layer of another region (Lambda DG adding-layers)", func(f *account.Function) { f.Config.Layers = []string{layer} }, "layer_region:true"},
		{"layer version deleted", func(f *account.Function) {
			l := "arn:aws:lambda:us-east-1:111122223333:layer:shared:3"
			f.Config.Layers = []string{l}
			f.Unseen = []account.Unseen{{Operation: "lambda:GetLayerVersion", Resource: l, Error: "not found", NotFound: true}}
		}, "layer_not_found:true"},
		{"image of another region", func(f *account.Function) {
			f.Config.PackageType, f.Config.ImageURI = "Image", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1"
		}, "image_region:true"},
		{"queue URL for an event source (template)", func(f *account.Function) {
			f.EventSources = []account.EventSource{{UUID: "e-1", EventSourceARN: "https://sqs.us-east-1.amazonaws.com/111122223333/orders"}}
		}, "esm_not_arn:true"},
		{"key pending deletion (KMS DG key-state)", func(f *account.Function) {
			d := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
			f.Config.KMSKeyARN = testKey
			f.Keys = []*account.Key{{ARN: testKey, State: account.KeyPendingDeletion, DeletionDate: &d}}
		}, "kms_key_state:true"},
		{"stale grant", func(f *account.Function) {
			f.Config.KMSKeyARN = testKey
			f.Keys = []*account.Key{{ARN: testKey, State: account.KeyEnabled, Grants: []account.Grant{lambdaGrant("AROAOLDROLEID00000001:app", f.ARN)}}}
		}, "stale_grant:false"},
		{"execution role deleted (iam:GetRole NoSuchEntity; Lambda DG lambda-intro-execution-role)", func(f *account.Function) {
			f.Role = nil
			f.Unseen = []account.Unseen{{Operation: "iam:GetRole", Resource: f.Config.RoleARN, Error: "NoSuchEntity: The role with name app-role cannot be found.", NotFound: true}}
		}, "role_not_found:true"},
		{"execution role not readable (AccessDenied): no cause, undecided", func(f *account.Function) {
			f.Role = nil
			f.Unseen = []account.Unseen{{Operation: "iam:GetRole", Resource: f.Config.RoleARN, Permission: "iam:GetRole", Error: "AccessDenied"}}
		}, ""},
		{"another role not found: not the execution role", func(f *account.Function) {
			f.Role = nil
			f.Unseen = []account.Unseen{{Operation: "iam:GetRole", Resource: "arn:aws:iam::111122223333:role/other", Error: "NoSuchEntity", NotFound: true}}
		}, ""},
		{"resource policy names a deleted principal", func(f *account.Function) {
			f.ResourcePolicies = []account.ResourcePolicy{{Document: `{"Version":"2012-10-17","Statement":[{"Sid":"partner","Effect":"Allow","Principal":{"AWS":"AROAOLDROLEID00000009"},"Action":"lambda:InvokeFunction","Resource":"*"}]}`}}
		}, "deleted_principal:false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := fnWith()
			fn.Role.ID = "AROANEWROLEID00000001"
			tc.mutate(fn)
			var got []string
			for _, c := range Causes(fn) {
				got = append(got, c.Kind+":"+map[bool]string{true: "true", false: "false"}[c.NotIAM])
				rule, ok := causeRule(c.Rule)
				if !ok || c.Summary == "" || !strings.HasPrefix(c.Doc, "https://docs.aws.amazon.com/") || rule == "" {
					t.Errorf("cause %+v: no rule, summary or AWS doc", c)
				}
			}
			if g := strings.Join(got, ","); g != tc.kinds {
				t.Errorf("got %s, want %s", g, tc.kinds)
			}
		})
	}
}

func causeRule(id string) (string, bool) {
	r, ok := RuleByID(id)
	return r.Name, ok
}

// TestKeyStateDecidesFirst: a request on a key that is not Enabled is
// refused whatever the policies say: the verdict carries the cause, is not
// open, and is decided even when the role's policies allow.
func TestKeyStateDecidesFirst(t *testing.T) {
	fn := fnWith()
	fn.Config.KMSKeyARN = testKey
	fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: "kms", Document: roleDecrypts})
	fn.Keys = []*account.Key{{ARN: testKey, State: account.KeyDisabled, Policy: keyPolicies.iam}}
	v := CheckOutbound(fn, EnvDecryptCall(fn, testKey))
	if v.Decision != simulate.Allow || v.Open() || v.Cause == nil || v.Cause.Kind != CauseKeyState || !v.Closed() {
		t.Fatalf("got %s open %v cause %+v, want allowed by the policies but closed by the key's state", v, v.Open(), v.Cause)
	}
	fn.Keys[0].State = account.KeyEnabled
	if v := CheckOutbound(fn, EnvDecryptCall(fn, testKey)); !v.Open() {
		t.Errorf("enabled: got %s cause %+v", v, v.Cause)
	}
	// DescribeKey works on a disabled key.
	fn.Keys[0].State = account.KeyDisabled
	fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: "describe", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}]}`})
	if v := CheckOutbound(fn, Call{Action: "kms:DescribeKey", Resource: testKey}); !v.Open() {
		t.Errorf("DescribeKey of a disabled key: got %s cause %+v", v, v.Cause)
	}
}

func TestQueueARNFromURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://sqs.us-east-1.amazonaws.com/111122223333/orders":        "arn:aws:sqs:us-east-1:111122223333:orders",
		"https://eu-west-1.queue.amazonaws.com/111122223333/orders.fifo": "arn:aws:sqs:eu-west-1:111122223333:orders.fifo",
		"https://sqs.us-east-1.amazonaws.com/111122223333/":              "",
		"https://example.com/111122223333/orders":                        "",
		"arn:aws:sqs:us-east-1:111122223333:orders":                      "",
		"https://sqs.us-east-1.amazonaws.com/1/orders":                   "",
	} {
		if got := QueueARNFromURL(in); got != want {
			t.Errorf("QueueARNFromURL(%q): got %q, want %q", in, got, want)
		}
	}
}

// TestDeletedRoleDecides: every request judged on an execution role that
// does not exist is closed by that cause (no probe, not undecided), so
// diagnose and check give a verdict; a role whose read was refused leaves
// the same requests undecided (Lambda DG lambda-intro-execution-role:
// Lambda assumes the role for every invocation).
func TestDeletedRoleDecides(t *testing.T) {
	for _, tc := range []struct {
		name    string
		u       account.Unseen
		deleted bool
	}{
		{"NoSuchEntity", account.Unseen{Error: "NoSuchEntity: The role with name app-role cannot be found.", NotFound: true}, true},
		{"AccessDenied", account.Unseen{Error: "AccessDenied", Permission: "iam:GetRole"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := fnWith()
			fn.Role = nil
			u := tc.u
			u.Operation, u.Resource = "iam:GetRole", fn.Config.RoleARN
			fn.Unseen = []account.Unseen{u}
			for _, v := range []*Verdict{CheckTrust(fn), CheckLogs(fn), CheckOutbound(fn, Call{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}),
				CheckOutboundAll(fn, []Call{{Action: "sqs:ReceiveMessage", Resource: "arn:aws:sqs:us-east-1:111122223333:q"}, {Action: "sqs:DeleteMessage", Resource: "arn:aws:sqs:us-east-1:111122223333:q"}})} {
				if tc.deleted {
					if !v.Closed() || v.Unknown || v.Open() || v.Cause == nil || v.Cause.Kind != CauseRoleNotFound || v.Cause.Rule != RuleRoleNotFound || !v.Cause.NotIAM || len(v.Probes) != 0 {
						t.Errorf("%s: got closed %v unknown %v cause %+v, want closed by role_not_found", v.Door, v.Closed(), v.Unknown, v.Cause)
					}
					if !strings.Contains(v.Cause.Summary, fn.Config.RoleARN) {
						t.Errorf("%s: the summary does not name the role: %s", v.Door, v.Cause.Summary)
					}
					continue
				}
				if !v.Unknown || v.Closed() || v.Cause != nil {
					t.Errorf("%s: got unknown %v closed %v cause %+v, want undecided", v.Door, v.Unknown, v.Closed(), v.Cause)
				}
			}
		})
	}
}
