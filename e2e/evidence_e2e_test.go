//go:build integration

package e2e

// Issue 12's proof against moto: SCPs and RCPs and KMS key policies are
// read live, judged and named; each fix is applied with the aws CLI and
// the next diagnosis is open (an SCP names the policy and who may change
// it and prints no command); a healthy organization and key are no longer
// "assumed".

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// motoAccount is moto acting as one account (moto picks the account of a
// request from its x-moto-account-id header): srv runs the aws CLI there.
type motoAccount struct {
	id  string
	srv motoserver.Server
}

// inAccount returns moto acting as account id, behind a proxy that sets
// the header on every request.
func (e *env) inAccount(id string) *motoAccount {
	e.t.Helper()
	u, err := url.Parse(e.moto.Endpoint)
	if err != nil {
		e.t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	ps := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("x-moto-account-id", id)
		rp.ServeHTTP(w, r)
	}))
	e.t.Cleanup(ps.Close)
	srv := *e.moto
	srv.Endpoint = ps.URL
	return &motoAccount{id: id, srv: srv}
}

func (a *motoAccount) aws(t *testing.T, args ...string) string {
	t.Helper()
	return strings.TrimSpace(a.srv.AWS(t, args...))
}

// runFix runs a printed fix in this account, with another default region
// than the diagnosed one (motoserver.OtherRegion).
func (a *motoAccount) runFix(t *testing.T, command string) {
	t.Helper()
	if out, err := a.srv.ShellEnv(command, "AWS_REGION="+motoserver.OtherRegion, "AWS_DEFAULT_REGION="+motoserver.OtherRegion); err != nil {
		t.Fatalf("fix command failed: %v\ncommand: %s\noutput: %s", err, command, out)
	}
}

// readAs makes the tool read account acct; its Organizations reads are
// answered from account org when org is set. That is how moto can stand
// for a delegated administrator of the organization, whom AWS answers with
// the organization's data (moto answers a member account's ListParents
// from the member's own backend, which knows no organization). envKeys
// gives functions (by name) their environment's KMS key in
// lambda:GetFunction's answer: moto 5.2 accepts KMSKeyArn at
// create-function and drops it (Lambda API reference,
// FunctionConfiguration.KMSKeyArn, is what AWS answers).
func (e *env) readAs(acct, org string, envKeys map[string]string) {
	u, err := url.Parse(e.moto.Endpoint)
	if err != nil {
		e.t.Fatal(err)
	}
	withKeys := httputil.NewSingleHostReverseProxy(u)
	withKeys.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			if cfg, ok := m["Configuration"].(map[string]any); ok {
				if key := envKeys[fmt.Sprint(cfg["FunctionName"])]; key != "" {
					cfg["KMSKeyArn"] = key
					if b, err := json.Marshal(m); err == nil {
						body = b
					}
				}
			}
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	e.proxy.setAnswer(func(w http.ResponseWriter, r *http.Request) bool {
		a := acct
		if org != "" && strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AWSOrganizations") {
			a = org
		}
		r.Header.Set("x-moto-account-id", a)
		if len(envKeys) > 0 && r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/") &&
			strings.Count(strings.TrimPrefix(r.URL.Path, "/2015-03-31/functions/"), "/") == 0 {
			withKeys.ServeHTTP(w, r)
			return true
		}
		return false
	})
}

// organization makes account mgmt an organization's management account
// with an OU "payments" under the root and a member account in it, and
// returns the member account, the root and the OU.
func (e *env) organization(mgmt *motoAccount) (member *motoAccount, root, ou string) {
	e.t.Helper()
	mgmt.aws(e.t, "organizations", "create-organization", "--feature-set", "ALL")
	root = mgmt.aws(e.t, "organizations", "list-roots", "--query", "Roots[0].Id", "--output", "text")
	ou = mgmt.aws(e.t, "organizations", "create-organizational-unit", "--parent-id", root, "--name", "payments",
		"--query", "OrganizationalUnit.Id", "--output", "text")
	id := mgmt.aws(e.t, "organizations", "create-account", "--account-name", "payments-prod", "--email", "payments@example.com",
		"--query", "CreateAccountStatus.AccountId", "--output", "text")
	mgmt.aws(e.t, "organizations", "move-account", "--account-id", id, "--source-parent-id", root, "--destination-parent-id", ou)
	return e.inAccount(id), root, ou
}

// healthyFunctionIn creates, in account a, a function whose role trusts
// Lambda and may write logs, with extra create-function arguments.
func (e *env) healthyFunctionIn(a *motoAccount, name string, extra ...string) (fnARN, roleName string) {
	e.t.Helper()
	roleName = name + "-role"
	arn := a.aws(e.t, "iam", "create-role", "--role-name", roleName, "--assume-role-policy-document", lambdaTrust, "--query", "Role.Arn", "--output", "text")
	a.aws(e.t, "iam", "attach-role-policy", "--role-name", roleName, "--policy-arn", basicExecution)
	args := append([]string{"lambda", "create-function", "--function-name", name, "--runtime", "python3.12", "--handler", "index.handler",
		"--role", arn, "--zip-file", "fileb://" + e.zipFile(), "--query", "FunctionArn", "--output", "text"}, extra...)
	return a.aws(e.t, args...), roleName
}

// zipFile writes the tiny deployment package and returns its path.
func (e *env) zipFile() string {
	e.t.Helper()
	p := filepath.Join(e.t.TempDir(), "fn.zip")
	if err := os.WriteFile(p, handlerZip(e.t), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func hasAssumed(d *diagnosis, what string) bool {
	for _, s := range append(append([]string{}, d.Notes...), d.Assumed...) {
		if strings.Contains(s, "assumed") && strings.Contains(s, what) {
			return true
		}
	}
	return false
}

// An SCP attached to the member account's OU denies writing logs. Read
// live by an operator who may read the organization's policies (a
// delegated administrator), `diagnose --function F` alone finds the logs
// door closed by that SCP, names the policy, its statement and where it is
// attached, and says the management account must act, with no command for
// the member account. Once the management account detaches it (with the
// aws CLI), the next diagnosis is open and assumes nothing about the
// organization.
func TestOrgSCPDenyReadLiveAndNamed(t *testing.T) {
	e := newEnv(t)
	mgmt := e.inAccount("310000000012")
	member, _, ou := e.organization(mgmt)
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"NoLogWrites","Effect":"Deny","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`
	policyID := mgmt.aws(t, "organizations", "create-policy", "--name", "no-log-writes", "--description", "guardrail",
		"--type", "SERVICE_CONTROL_POLICY", "--content", doc, "--query", "Policy.PolicySummary.Id", "--output", "text")
	mgmt.aws(t, "organizations", "attach-policy", "--policy-id", policyID, "--target-id", ou)
	e.healthyFunctionIn(member, "e2e-org-ledger")
	e.readAs(member.id, mgmt.id, nil)
	args := []string{"--function", "e2e-org-ledger"}

	d, code := e.diagnose(args...)
	if code != 1 || d.Door != "logs" || d.Decision != "explicit_deny" {
		t.Fatalf("got exit %d door %q decision %q, want 1 logs explicit_deny; summary: %s", code, d.Door, d.Decision, d.Summary)
	}
	if !strings.Contains(d.Summary, policyID) || !strings.Contains(d.Summary, "service control policy") {
		t.Errorf("summary does not name the SCP %s: %s", policyID, d.Summary)
	}
	if len(d.Fixes) != 0 {
		t.Errorf("a command for the member account, which cannot change an SCP: %+v", d.Fixes)
	}
	if len(d.FixAdvice) == 0 {
		t.Fatalf("no fix_advice: want one that says who must act")
	}
	for _, f := range d.FixAdvice {
		t.Logf("advice: owner %q: %s", f.Owner, f.Explanation)
		if !strings.Contains(f.Owner, "management account "+mgmt.id) {
			t.Errorf("owner %q does not name management account %s", f.Owner, mgmt.id)
		}
		if !strings.Contains(f.Explanation, "NoLogWrites") || !strings.Contains(f.Explanation, "attached to "+ou) {
			t.Errorf("the advice does not name the statement and where the policy is attached (%s): %s", ou, f.Explanation)
		}
	}
	if hasAssumed(d, "SCP") {
		t.Errorf("the SCPs were read, yet the output says they were assumed: %v %v", d.Notes, d.Assumed)
	}

	mgmt.aws(t, "organizations", "detach-policy", "--policy-id", policyID, "--target-id", ou)
	d = e.expectOpen(args...)
	if hasAssumed(d, "SCP") {
		t.Errorf("open, but the output says the SCPs were assumed: %v %v", d.Notes, d.Assumed)
	}
}

// A queue the function polls is encrypted with a customer managed key
// whose policy neither delegates to IAM nor names the role: the role's own
// kms:Decrypt grant has no effect (AWS KMS Developer Guide, key-policies).
// `diagnose --function F` alone finds it on the key policy read live, and
// the fix is the same key policy with one statement added for the role;
// after put-key-policy the next diagnosis is open and the key's other
// statements are still there.
func TestKeyPolicyWithoutIAMDelegation(t *testing.T) {
	e := newEnv(t)
	_, role := e.healthyFunction("e2e-key-poller")
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"KeyAdmins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:role/e2e-key-admin"},"Action":"kms:*","Resource":"*"}]}`, e.acct)
	key := e.aws("kms", "create-key", "--description", "e2e orders queue", "--policy", policy, "--query", "KeyMetadata.Arn", "--output", "text")
	queueURL := e.aws("sqs", "create-queue", "--queue-name", "e2e-key-orders", "--attributes", "KmsMasterKeyId="+key, "--query", "QueueUrl", "--output", "text")
	queue := e.aws("sqs", "get-queue-attributes", "--queue-url", queueURL, "--attribute-names", "QueueArn", "--query", "Attributes.QueueArn", "--output", "text")
	e.putRolePolicy(role, "orders", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes"],"Resource":%q},{"Effect":"Allow","Action":"kms:Decrypt","Resource":%q}]}`, queue, key))
	e.aws("lambda", "create-event-source-mapping", "--function-name", "e2e-key-poller", "--event-source-arn", queue)
	args := []string{"--function", "e2e-key-poller"}

	d := e.expectClosed("outbound", "implicit_deny", args...)
	if d.Request.Action != "kms:Decrypt" || d.Request.Resource != key {
		t.Errorf("request: got %s on %s, want kms:Decrypt on %s", d.Request.Action, d.Request.Resource, key)
	}
	fixContains(t, d, "aws kms put-key-policy", key, "KeyAdmins", role)
	e.applyFixes(d)
	d = e.expectOpen(args...)
	if hasAssumed(d, "key policy") {
		t.Errorf("the key policy was read, yet the output says it was assumed: %v %v", d.Notes, d.Assumed)
	}
	if pol := e.aws("kms", "get-key-policy", "--key-id", key, "--policy-name", "default", "--query", "Policy", "--output", "text"); !strings.Contains(pol, "e2e-key-admin") {
		t.Errorf("the fix dropped the key's other statements: %s", pol)
	}
}

// The function's environment is encrypted with a customer managed key (the
// default key policy: IAM decides) and the role may not kms:Decrypt:
// `diagnose --function F` alone finds it, the fix grants kms:Decrypt on
// that key to the role, and the next diagnosis is open.
func TestEnvKeyWithoutDecrypt(t *testing.T) {
	e := newEnv(t)
	key := e.aws("kms", "create-key", "--description", "e2e env", "--query", "KeyMetadata.Arn", "--output", "text")
	_, role := e.healthyFunction("e2e-env-secrets")
	e.aws("lambda", "update-function-configuration", "--function-name", "e2e-env-secrets", "--environment", "Variables={STAGE=prod}")
	e.readAs(e.acct, "", map[string]string{"e2e-env-secrets": key})
	args := []string{"--function", "e2e-env-secrets"}

	d := e.expectClosed("outbound", "implicit_deny", args...)
	if d.Request.Action != "kms:Decrypt" || d.Request.Resource != key {
		t.Errorf("request: got %s on %s, want kms:Decrypt on %s", d.Request.Action, d.Request.Resource, key)
	}
	fixContains(t, d, "put-role-policy", role, "kms:Decrypt", key)
	e.applyFixes(d)
	d = e.expectOpen(args...)
	if hasAssumed(d, "key policy") {
		t.Errorf("the key policy was read, yet the output says it was assumed: %v %v", d.Notes, d.Assumed)
	}
}

// A healthy member account of an organization (only FullAWSAccess and an
// unrelated guardrail attached) with a function whose environment key and
// role allow decryption: read by an operator who may read the
// organization's policies, the all-clear assumes neither the SCPs and
// RCPs nor the key policy. Read by one who may not, the same all-clear
// says the organization's policies were assumed (so the first assertion
// can fail).
func TestHealthyOrgAndKeyNotAssumed(t *testing.T) {
	e := newEnv(t)
	mgmt := e.inAccount("310000000013")
	member, _, ou := e.organization(mgmt)
	guard := mgmt.aws(t, "organizations", "create-policy", "--name", "no-leaving", "--description", "guardrail", "--type", "SERVICE_CONTROL_POLICY",
		"--content", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`,
		"--query", "Policy.PolicySummary.Id", "--output", "text")
	mgmt.aws(t, "organizations", "attach-policy", "--policy-id", guard, "--target-id", ou)
	key := member.aws(t, "kms", "create-key", "--description", "e2e env", "--query", "KeyMetadata.Arn", "--output", "text")
	_, role := e.healthyFunctionIn(member, "e2e-org-healthy", "--environment", "Variables={STAGE=prod}")
	member.aws(t, "iam", "put-role-policy", "--role-name", role, "--policy-name", "env", "--policy-document",
		fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":%q}]}`, key))
	keys := map[string]string{"e2e-org-healthy": key}
	args := []string{"--function", "e2e-org-healthy"}

	e.readAs(member.id, mgmt.id, keys)
	d := e.expectOpen(args...)
	t.Logf("notes %v, assumed %v, open %v", d.Notes, d.Assumed, d.Open)
	if !strings.Contains(strings.Join(d.Open, "\n"), "kms:Decrypt on "+key) {
		t.Errorf("the environment's decryption was not among what was judged open: %v", d.Open)
	}
	for _, s := range append(append([]string{}, d.Notes...), d.Assumed...) {
		if strings.Contains(s, "assumed") {
			t.Errorf("the all-clear still assumes: %s", s)
		}
	}

	e.readAs(member.id, "", keys)
	d = e.expectOpen(args...)
	if !hasAssumed(d, "SCPs and RCPs") {
		t.Errorf("read without the right to the organization's policies, the all-clear does not say they were assumed: %v %v", d.Notes, d.Assumed)
	}
}
