package fix

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

const testKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// keyFunction is testFunction with its environment encrypted with testKey,
// whose policy lets only a key administrator in (no IAM delegation).
func keyFunction() *account.Function {
	fn := testFunction()
	fn.Role.ID = "AROANEWROLEID00000001"
	fn.Config.KMSKeyARN = testKey
	fn.Keys = []*account.Key{{ARN: testKey, State: account.KeyEnabled, KeyManager: account.KeyManagerCustomer,
		Policy: `{"Version":"2012-10-17","Statement":[{"Sid":"KeyAdmins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/key-admin"},"Action":"kms:*","Resource":"*"},` +
			`{"Sid":"NoDeletion","Effect":"Deny","Principal":"*","Action":"kms:ScheduleKeyDeletion","Resource":"*"}]}`}}
	return fn
}

func envDecrypt(fn *account.Function) *judge.Verdict {
	return judge.CheckOutbound(fn, judge.EnvDecryptCall(fn, testKey))
}

// TestKeyPolicyFix: a key policy without IAM delegation is opened by the
// key policy, never by an identity policy: one statement for the role,
// scoped to the function's encryption context, every other statement kept,
// written with put-key-policy in the key's region; verified.
func TestKeyPolicyFix(t *testing.T) {
	fn := keyFunction()
	v := envDecrypt(fn)
	if !v.Closed() {
		t.Fatalf("got %s, want closed by the key policy", v)
	}
	fixes := For(fn, v, CLI)
	if len(fixes) != 1 {
		t.Fatalf("got %d fixes %+v, want the key policy edit", len(fixes), fixes)
	}
	f := fixes[0]
	if !f.Verified || !strings.HasPrefix(f.Command, "aws kms put-key-policy --region us-east-1 --key-id "+testKey+" --policy-name default --policy '") ||
		strings.Contains(f.Command, "put-role-policy") {
		t.Fatalf("got %+v", f)
	}
	var doc struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(f.Document), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 3 || doc.Statement[0]["Sid"] != "KeyAdmins" || doc.Statement[1]["Sid"] != "NoDeletion" {
		t.Fatalf("the existing statements must stay as they were: %s", f.Document)
	}
	added, _ := json.Marshal(doc.Statement[2])
	want := `{"Action":"kms:Decrypt","Condition":{"StringEquals":{"kms:EncryptionContext:aws:lambda:FunctionArn":"arn:aws:lambda:us-east-1:111122223333:function:worker"}},"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/service-role/worker-role"},"Resource":"*","Sid":"AllowWorkerRole"}`
	if string(added) != want {
		t.Errorf("added statement:\n got %s\nwant %s", added, want)
	}
	if !strings.Contains(f.Explanation, "neither lets IAM policies grant access") {
		t.Errorf("explanation %q", f.Explanation)
	}

	// An AWS managed key's policy cannot be changed: no command, an owner.
	fn = keyFunction()
	fn.Keys[0].KeyManager = account.KeyManagerAWS
	f = For(fn, envDecrypt(fn), CLI)[0]
	if f.Command != "" || f.Verified || !strings.HasPrefix(f.Owner, "AWS") {
		t.Errorf("AWS managed key: got %+v", f)
	}
}

// TestKeyStateFix: a disabled key is enabled; a key pending deletion has
// its deletion cancelled (it is then Disabled) and is enabled; both
// verified together; no grant.
func TestKeyStateFix(t *testing.T) {
	for _, tc := range []struct {
		state string
		want  []string
	}{
		{account.KeyDisabled, []string{"aws kms enable-key --region us-east-1 --key-id " + testKey}},
		{account.KeyPendingDeletion, []string{"aws kms cancel-key-deletion --region us-east-1 --key-id " + testKey, "aws kms enable-key --region us-east-1 --key-id " + testKey}},
	} {
		t.Run(tc.state, func(t *testing.T) {
			fn := keyFunction()
			fn.Keys[0].Policy = "" // default policy assumed
			fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: "kms", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + testKey + `"}]}`})
			d := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
			fn.Keys[0].State, fn.Keys[0].DeletionDate = tc.state, &d
			fixes := For(fn, envDecrypt(fn), CLI)
			var got []string
			for _, f := range fixes {
				got = append(got, f.Command)
				if !f.Verified || f.Door != judge.Config {
					t.Errorf("fix %+v: want verified, door config", f)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			c, _ := judge.KeyStateCause(fn.Keys[0])
			if cf := ForCause(fn, c); len(cf) != len(tc.want) || !cf[len(cf)-1].Verified {
				t.Errorf("ForCause: got %+v", cf)
			}
		})
	}
}

// TestStaleGrantFix: the fix of a stale grant is the grant made again, not
// a wider policy: Lambda's own grant only Lambda can make again (no
// command); another grant is created again for the role with the same
// operations and constraints, verified.
func TestStaleGrantFix(t *testing.T) {
	fn := keyFunction()
	fnARN := fn.ARN
	fn.Keys[0].Grants = []account.Grant{{GrantID: "g-old", Name: "worker", GranteePrincipal: "AROAOLDROLEID00000001:worker", Operations: []string{"Decrypt", "RetireGrant"},
		Constraints: &account.GrantConstraints{EncryptionContextEquals: map[string]string{"aws:lambda:FunctionArn": fnARN}}}}
	v := envDecrypt(fn)
	if v.Cause == nil || v.Cause.Kind != judge.CauseStaleGrant {
		t.Fatalf("got cause %+v, want the stale grant", v.Cause)
	}
	f := For(fn, v, CLI)
	if len(f) != 1 || f[0].Command != "" || !strings.Contains(f[0].Explanation, "Lambda creates the grant again") || strings.Contains(f[0].Explanation, "put-role-policy") {
		t.Fatalf("Lambda's grant: got %+v", f)
	}

	fn = keyFunction()
	fn.Keys[0].Grants = []account.Grant{{GrantID: "g-old", Name: "worker", GranteePrincipal: "AROAOLDROLEID00000001", Operations: []string{"Decrypt"},
		Constraints: &account.GrantConstraints{EncryptionContextSubset: map[string]string{"app": "worker"}}}}
	c := judge.Causes(fn)
	if len(c) != 1 || c[0].Kind != judge.CauseStaleGrant {
		t.Fatalf("causes: got %+v", c)
	}
	f = ForCause(fn, c[0])
	want := `aws kms create-grant --region us-east-1 --key-id ` + testKey + ` --grantee-principal arn:aws:iam::111122223333:role/service-role/worker-role --operations Decrypt --constraints '{"EncryptionContextSubset":{"app":"worker"}}'`
	if len(f) != 1 || f[0].Command != want || !f[0].Verified {
		t.Errorf("got %+v,\nwant command %s, verified", f, want)
	}
}

// TestKeyPolicyDenyEdited: an explicit deny in a key policy is edited out
// for the role only, the whole key policy written back.
func TestKeyPolicyDenyEdited(t *testing.T) {
	fn := keyFunction()
	fn.Keys[0].Policy = `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"OnlyApp","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/app"}}}]}`
	fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: "kms", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + testKey + `"}]}`})
	fixes := For(fn, envDecrypt(fn), CLI)
	if len(fixes) != 1 || !fixes[0].Verified || !strings.HasPrefix(fixes[0].Command, "aws kms put-key-policy") || !strings.Contains(fixes[0].Document, "Enable IAM User Permissions") {
		t.Errorf("got %+v", fixes)
	}
}

// TestCauseFromTextOnly: a cause a pasted text tells without the model's
// key or grant (a key in an invalid state, a stale grant not listed) gets
// what to do, no command and no panic.
func TestCauseFromTextOnly(t *testing.T) {
	fn := keyFunction()
	for _, c := range []judge.Cause{
		{Kind: judge.CauseKeyState, Resource: testKey, NotIAM: true, Summary: "the key is in a state that does not allow Decrypt"},
		{Kind: judge.CauseStaleGrant, Resource: testKey, Summary: "the grant Lambda made for the old role is stale"},
	} {
		f := ForCause(fn, c)
		if len(f) != 1 || f[0].Command != "" || f[0].Verified || !strings.Contains(f[0].Explanation, c.Summary) {
			t.Errorf("%s: got %+v", c.Kind, f)
		}
	}
}
