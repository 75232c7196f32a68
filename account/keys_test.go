package account

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	envKey   = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	queueKey = "arn:aws:kms:us-east-1:111122223333:key/0987dcba-09fe-87dc-65ba-ab0987654321"
)

// keyFunctions is the model of testdata/example-keys.json: two functions
// sharing the environment's customer managed key (a key policy without IAM
// delegation, a grant Lambda made for the function and a stale one left by
// a deleted role), one reading a queue encrypted with another key whose
// grants could not be listed, and an organization read down to the account.
func keyFunctions() ([]*Function, *Org) {
	role := &Role{ARN: "arn:aws:iam::111122223333:role/payments-role", Name: "payments-role", ID: "AROANEWROLEID0000001",
		Trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}
	created := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	deletion := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	env := &Key{ARN: envKey, KeyID: "1234abcd-12ab-34cd-56ef-1234567890ab", Aliases: []string{"alias/payments"},
		State: KeyEnabled, KeyManager: KeyManagerCustomer,
		Policy: `{"Version":"2012-10-17","Id":"payments","Statement":[{"Sid":"KeyAdmins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/key-admin"},"Action":"kms:*","Resource":"*"}]}`,
		Grants: []Grant{
			{GrantID: "g-current", Name: "payments-api", GranteePrincipal: "arn:aws:sts::111122223333:assumed-role/payments-role/payments-api",
				RetiringPrincipal: "arn:aws:sts::111122223333:assumed-role/payments-role/payments-api", Operations: []string{"Decrypt", "RetireGrant"},
				Constraints:    &GrantConstraints{EncryptionContextEquals: map[string]string{"aws:lambda:FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:payments-api"}},
				IssuingAccount: "arn:aws:iam::111122223333:root", CreationDate: &created},
			{GrantID: "g-stale", Name: "payments-batch", GranteePrincipal: "AROAOLDROLEID00000001:payments-batch", Operations: []string{"Decrypt", "RetireGrant"},
				Constraints: &GrantConstraints{EncryptionContextEquals: map[string]string{"aws:lambda:FunctionArn": "arn:aws:lambda:us-east-1:111122223333:function:payments-batch"}}},
		}}
	queue := &Key{ARN: queueKey, State: KeyPendingDeletion, DeletionDate: &deletion, KeyManager: KeyManagerCustomer,
		Unseen: []Unseen{{Operation: "kms:ListGrants", Resource: queueKey, Permission: "kms:ListGrants", Error: "AccessDeniedException"}}}
	mk := func(name string) *Function {
		return &Function{ARN: "arn:aws:lambda:us-east-1:111122223333:function:" + name, Name: name,
			Account: "111122223333", Region: "us-east-1", Partition: "aws",
			Config: Config{RoleARN: role.ARN, KMSKeyARN: envKey, Logging: Logging{LogGroup: "/aws/lambda/" + name}},
			Role:   role, Keys: []*Key{env}}
	}
	api := mk("payments-api")
	batch := mk("payments-batch")
	batch.Config.State, batch.Config.StateReasonCode = "Failed", "KMSKeyAccessDenied"
	batch.Config.StateReason = "Lambda was unable to decrypt the environment variables because KMS access was denied."
	batch.Config.LastUpdateStatus, batch.Config.LastUpdateStatusReasonCode = "Failed", "KMSKeyAccessDenied"
	batch.Config.LastUpdateStatusReason = "The function could not be updated."
	batch.EventSources = []EventSource{{UUID: "e-1", EventSourceARN: "arn:aws:sqs:us-east-1:111122223333:payments", State: "Enabled"}}
	batch.ResourceKeys = []ResourceKey{{Resource: "arn:aws:sqs:us-east-1:111122223333:payments", KeyARN: queueKey}}
	batch.Keys = append(batch.Keys, queue)
	org := &Org{ID: "o-a1b2c3d4e5", ManagementAccount: "999988887777", Path: []string{"r-ab12", "ou-ab12-payments", "111122223333"},
		SCPs: [][]ManagedPolicy{
			{{ARN: "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess", Name: "FullAWSAccess",
				Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}},
			{{ARN: "arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/service_control_policy/p-dk9w1x2y", Name: "DataPerimeter",
				Document: `{"Version":"2012-10-17","Statement":[{"Sid":"AllowAll","Effect":"Allow","Action":"*","Resource":"*"}]}`}},
			{{ARN: "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess", Name: "FullAWSAccess",
				Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}},
		}}
	api.Org, batch.Org = org, org
	return []*Function{batch, api}, org
}

func keySnapshot() *Snapshot {
	fns, _ := keyFunctions()
	s := NewSnapshot(Origin{Account: "111122223333", Region: "us-east-1", Partition: "aws"}, fns)
	s.CreatedAt = time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	return s
}

// TestKeysSnapshotGolden: keys are written once, after the roles, sorted by
// ARN, with their policy as a JSON object; loading gives back every
// function's keys (shared as one *Key), and writing again the same bytes.
func TestKeysSnapshotGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, keySnapshot()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "example-keys.json")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("WriteSnapshot differs from %s (run with -update and read the diff):\n%s", golden, buf.String())
	}
	if n := strings.Count(buf.String(), `"arn": "`+envKey+`"`); n != 1 {
		t.Errorf("the shared key is written %d times, want once", n)
	}

	src, err := LoadSnapshot(golden)
	if err != nil {
		t.Fatal(err)
	}
	fns, org := keyFunctions()
	for _, wf := range fns {
		gf, err := src.Function(context.Background(), wf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gf.Keys, wf.Keys) {
			t.Errorf("%s keys:\n got %+v\nwant %+v", wf.Name, gf.Keys, wf.Keys)
		}
		if !reflect.DeepEqual(gf.Config, wf.Config) || !reflect.DeepEqual(gf.ResourceKeys, wf.ResourceKeys) {
			t.Errorf("%s config or resource keys:\n got %+v %+v\nwant %+v %+v", wf.Name, gf.Config, gf.ResourceKeys, wf.Config, wf.ResourceKeys)
		}
		if !reflect.DeepEqual(gf.Org, org) {
			t.Errorf("%s org:\n got %+v\nwant %+v", wf.Name, gf.Org, org)
		}
	}
	a, _ := src.Function(context.Background(), "payments-api")
	b, _ := src.Function(context.Background(), "payments-batch")
	if a.Keys[0] != b.Keys[0] {
		t.Error("functions sharing a key do not share the *Key after load")
	}
	var again bytes.Buffer
	if err := WriteSnapshot(&again, src.Snapshot()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), want) {
		t.Errorf("load+write is not the identity:\n%s", again.String())
	}

	k, err := src.Key(context.Background(), queueKey)
	if err != nil || k.State != KeyPendingDeletion {
		t.Errorf("Key(%s): got %+v, %v", queueKey, k, err)
	}
	if _, err := src.Key(context.Background(), "arn:aws:kms:us-east-1:111122223333:key/none"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Key(none): got %v, want ErrNotFound", err)
	}
	if b.KeyByARN("0987dcba-09fe-87dc-65ba-ab0987654321") != k || b.KeyOf("arn:aws:sqs:us-east-1:111122223333:payments") != queueKey {
		t.Error("KeyByARN by key id or KeyOf the queue does not find the queue's key")
	}
}

// A snapshot written before keys existed loads with no keys, and a key that
// a function references but the snapshot does not hold was not read.
func TestKeysOptional(t *testing.T) {
	doc := `{"schema_version":1,"functions":[{"arn":"arn:aws:lambda:us-east-1:1:function:f","name":"f","config":{"role_arn":"","kms_key_arn":"` + envKey + `","logging":{"log_group":""}}}],"roles":[]}`
	s, err := ParseSnapshot([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if f := s.Functions[0]; len(f.Keys) != 0 || f.KeyARNs()[0] != envKey {
		t.Errorf("got keys %v and references %v, want none and the environment's key", f.Keys, f.KeyARNs())
	}
}

func TestKeysSnapshotErrors(t *testing.T) {
	base := `{"schema_version":1,"functions":[],"roles":[],"keys":[%s]}`
	for _, tc := range []struct{ name, keys, want string }{
		{"alias arn", `{"arn":"arn:aws:kms:us-east-1:1:alias/x"}`, "is not a KMS key ARN"},
		{"twice", `{"arn":"` + envKey + `"},{"arn":"` + envKey + `"}`, "appears twice"},
		{"unknown grant field", `{"arn":"` + envKey + `","grants":[{"grant_id":"g","grantee_principal":"p","operations":["Decrypt"],"grantee":"x"}]}`, `unknown field "grantee"`},
		{"bad policy", `{"arn":"` + envKey + `","policy":[1]}`, "policy: a policy document must be a JSON object or a string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSnapshot([]byte(strings.Replace(base, "%s", tc.keys, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestUniqueIDPrincipal(t *testing.T) {
	for _, tc := range []struct {
		in, id string
	}{
		{"AROAOLDROLEID00000001:payments-batch", "AROAOLDROLEID00000001"},
		{"AROAOLDROLEID00000001", "AROAOLDROLEID00000001"},
		{"AIDAEXAMPLEUSERID0001", "AIDAEXAMPLEUSERID0001"},
		{"arn:aws:iam::111122223333:role/r", ""},
		{"AROA", ""},
		{"AROAlowercase00000000", ""},
		{"lambda.amazonaws.com", ""},
	} {
		id, ok := UniqueIDPrincipal(tc.in)
		if id != tc.id || ok != (tc.id != "") {
			t.Errorf("UniqueIDPrincipal(%q): got %q %v, want %q", tc.in, id, ok, tc.id)
		}
	}
}
