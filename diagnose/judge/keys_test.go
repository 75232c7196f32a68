package judge

import (
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

const testKey = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// keyPolicies are key policy documents: the default one (AWS KMS DG
// key-policy-default), one that lets only a key administrator in (no IAM
// delegation, the role not named), and one that names the role.
var keyPolicies = struct{ iam, adminOnly, namesRole string }{
	iam:       `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`,
	adminOnly: `{"Version":"2012-10-17","Statement":[{"Sid":"KeyAdmins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/key-admin"},"Action":"kms:*","Resource":"*"}]}`,
	namesRole: `{"Version":"2012-10-17","Statement":[{"Sid":"KeyAdmins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/key-admin"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"AppDecrypts","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app-role"},"Action":"kms:Decrypt","Resource":"*"}]}`,
}

const roleDecrypts = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + testKey + `"}]}`

// lambdaGrant is the grant Lambda makes for the function's environment, as
// kms:ListGrants shows it while the role exists.
func lambdaGrant(grantee, function string) account.Grant {
	name := function[strings.LastIndex(function, ":")+1:]
	return account.Grant{GrantID: "g1", Name: name, GranteePrincipal: grantee, RetiringPrincipal: grantee,
		Operations:  []string{"Decrypt", "RetireGrant"},
		Constraints: &account.GrantConstraints{EncryptionContextEquals: map[string]string{"aws:lambda:FunctionArn": function}}}
}

// TestKeyPolicyDecides: the environment's key is judged with its key
// policy as the resource policy it is (AWS KMS DG, key-policies: "Unless
// the key policy explicitly allows it, you cannot use IAM policies to allow
// access to a KMS key"), and the key's grants as allows with their
// constraints (AWS KMS DG, grants).
func TestKeyPolicyDecides(t *testing.T) {
	session := "arn:aws:sts::111122223333:assumed-role/app-role/app"
	fnARN := "arn:aws:lambda:us-east-1:111122223333:function:app"
	for _, tc := range []struct {
		name        string
		key         *account.Key // nil: not read
		roleAllows  bool
		want        simulate.Decision
		wantAssumed string
	}{
		{"not read, role allows: the default key policy is assumed", nil, true, simulate.Allow, "assumed to be the default key policy"},
		{"not read, role does not allow", nil, false, simulate.ImplicitDeny, "assumed to be the default key policy"},
		{"default policy, role allows", &account.Key{Policy: keyPolicies.iam}, true, simulate.Allow, ""},
		{"no IAM delegation, role allows: the key policy closes the door", &account.Key{Policy: keyPolicies.adminOnly}, true, simulate.ImplicitDeny, ""},
		{"key policy names the role, role allows nothing", &account.Key{Policy: keyPolicies.namesRole}, false, simulate.Allow, ""},
		{"Lambda's grant to the role session", &account.Key{Policy: keyPolicies.adminOnly, Grants: []account.Grant{lambdaGrant(session, fnARN)}}, false, simulate.Allow, ""},
		{"a grant to the role", &account.Key{Policy: keyPolicies.adminOnly, Grants: []account.Grant{lambdaGrant("arn:aws:iam::111122223333:role/app-role", fnARN)}}, false, simulate.Allow, ""},
		{"a grant constrained to another function", &account.Key{Policy: keyPolicies.adminOnly, Grants: []account.Grant{lambdaGrant(session, fnARN+"-other")}}, false, simulate.ImplicitDeny, ""},
		{"a stale grant (deleted role's unique id)", &account.Key{Policy: keyPolicies.adminOnly, Grants: []account.Grant{lambdaGrant("AROAOLDROLEID00000001:app", fnARN)}}, false, simulate.ImplicitDeny, ""},
		{"a grant without Decrypt", &account.Key{Policy: keyPolicies.adminOnly, Grants: []account.Grant{{GrantID: "g2", GranteePrincipal: session, Operations: []string{"Encrypt"}}}}, false, simulate.ImplicitDeny, ""},
		{"grants not read", &account.Key{Policy: keyPolicies.adminOnly, Unseen: []account.Unseen{{Operation: "kms:ListGrants", Resource: testKey, Permission: "kms:ListGrants", Error: "denied"}}}, false, simulate.ImplicitDeny, "the grants of " + testKey + " could not be read (the operator needs kms:ListGrants)"},
		{"policy refused", &account.Key{Unseen: []account.Unseen{{Operation: "kms:GetKeyPolicy", Resource: testKey, Permission: "kms:GetKeyPolicy", Error: "denied"}}}, true, simulate.Allow, "could not be read (the operator needs kms:GetKeyPolicy); assumed to be the default key policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := fnWith()
			fn.Role.ID = "AROANEWROLEID00000001"
			fn.Config.KMSKeyARN = testKey
			if tc.roleAllows {
				fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: "kms", Document: roleDecrypts})
			}
			if tc.key != nil {
				tc.key.ARN = testKey
				fn.Keys = []*account.Key{tc.key}
			}
			v := CheckOutbound(fn, EnvDecryptCall(fn, testKey))
			if v.Decision != tc.want || v.Unknown {
				t.Fatalf("got %s (unknown %v), want %s", v, v.Unknown, tc.want)
			}
			assumed := strings.Join(v.Probes[0].Assumed, "\n")
			if tc.wantAssumed == "" && assumed != "" || !strings.Contains(assumed, tc.wantAssumed) {
				t.Errorf("assumed: got %q, want %q", assumed, tc.wantAssumed)
			}
			if ctx := v.Probes[0].Input.Request.Context; ctx["lambda:SourceFunctionArn"].Values != nil {
				t.Errorf("Lambda's own decryption carries lambda:SourceFunctionArn %v; it is made outside the execution environment", ctx["lambda:SourceFunctionArn"])
			}
		})
	}
}

// TestStaleGrants: a grant that names the deleted role's unique id (a role
// re-created under the same name) is found for the function it was made
// for, and told apart from a grant Lambda made (only Lambda can make it
// again) and from grants of other principals.
func TestStaleGrants(t *testing.T) {
	fn := fnWith()
	fn.Role.ID = "AROANEWROLEID00000001"
	fnARN := "arn:aws:lambda:us-east-1:111122223333:function:app"
	key := &account.Key{ARN: testKey, Grants: []account.Grant{
		lambdaGrant("AROAOLDROLEID00000001:app", fnARN),                                             // Lambda's grant for the old role
		lambdaGrant("AROANEWROLEID00000001:app", fnARN),                                             // the current role's id: not stale
		{GrantID: "g3", GranteePrincipal: "AIDAOLDUSERID00000001", Operations: []string{"Decrypt"}}, // a deleted user, not this function's
		{GrantID: "g4", Name: "app", GranteePrincipal: "AROAOLDROLEID00000002", Operations: []string{"Decrypt"}},
		lambdaGrant("AROAOLDROLEID00000003:other", fnARN+"-other"), // another function's
	}}
	fn.Keys = []*account.Key{key}
	got := StaleGrants(fn)
	if len(got) != 2 || got[0].OldID != "AROAOLDROLEID00000001" || !got[0].Lambda || got[1].Grant.GrantID != "g4" || got[1].Lambda {
		t.Fatalf("got %+v, want Lambda's grant for the old role, then the grant named after the function", got)
	}
	fn.Role.ID = ""
	if got := StaleGrants(fn); got != nil {
		t.Errorf("without the role's id nothing can be told: got %+v", got)
	}
}

// TestResourceKeysJoinTheirRequirement: a queue encrypted with a KMS key
// the model knows makes its event source need kms:Decrypt on that key (SQS
// DG sqs-key-management), asked by SQS with the role's permissions
// (kms:ViaService sqs.REGION.amazonaws.com); a dead-letter queue needs
// kms:GenerateDataKey and kms:Decrypt.
func TestResourceKeysJoinTheirRequirement(t *testing.T) {
	fn := fnWith()
	queue, dlq := "arn:aws:sqs:us-east-1:111122223333:in", "arn:aws:sqs:us-east-1:111122223333:dlq"
	fn.EventSources = []account.EventSource{{UUID: "e-1", EventSourceARN: queue}}
	fn.Config.DeadLetterTarget = dlq
	fn.ResourceKeys = []account.ResourceKey{{Resource: queue, KeyARN: testKey}, {Resource: dlq, KeyARN: testKey}}
	got := map[string][]string{}
	for _, r := range Requirements(fn) {
		for _, c := range r.Calls {
			if strings.HasPrefix(c.Action, "kms:") {
				got[r.Rule] = append(got[r.Rule], c.Action)
				if c.Resource != testKey || c.Context["kms:ViaService"].Values[0] != "sqs.us-east-1.amazonaws.com" || !c.ByLambda {
					t.Errorf("%s %s: got %+v", r.Rule, c.Action, c)
				}
			}
		}
	}
	if strings.Join(got[RuleEventSource], ",") != "kms:Decrypt" || strings.Join(got[RuleDeadLetter], ",") != "kms:GenerateDataKey,kms:Decrypt" {
		t.Errorf("got %v, want the consumer's and the producer's KMS calls", got)
	}
}
