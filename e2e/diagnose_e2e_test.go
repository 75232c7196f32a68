//go:build integration

package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// API Gateway invokes with the SourceArn of one API; the function's only
// statement names another API (the example of the README).
func TestInboundAPIGatewayWrongSourceArn(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-order-processor")
	api := e.aws("apigateway", "create-rest-api", "--name", "orders", "--query", "id", "--output", "text")
	old := e.aws("apigateway", "create-rest-api", "--name", "orders-old", "--query", "id", "--output", "text")
	e.aws("lambda", "add-permission", "--function-name", "e2e-order-processor", "--statement-id", "apigw-old",
		"--action", "lambda:InvokeFunction", "--principal", "apigateway.amazonaws.com",
		"--source-arn", fmt.Sprintf("arn:aws:execute-api:us-east-1:%s:%s/*", e.acct, old))
	src := fmt.Sprintf("arn:aws:execute-api:us-east-1:%s:%s/prod/POST/orders", e.acct, api)
	args := []string{"--function", "e2e-order-processor", "--symptom", "invoke-denied",
		"--caller", "apigateway.amazonaws.com", "--source-arn", src}

	d := e.expectClosed("inbound", "implicit_deny", args...)
	if d.Request.Resource != fn {
		t.Errorf("request resource: got %q, want %q", d.Request.Resource, fn)
	}
	fixContains(t, d, "aws lambda add-permission", "apigateway.amazonaws.com", api)
	e.applyFixes(d)
	e.expectOpen(args...)
	// The fix adds a statement; the old one is still there.
	if pol := e.aws("lambda", "get-policy", "--function-name", "e2e-order-processor"); !strings.Contains(pol, "apigw-old") {
		t.Errorf("the fix removed the existing statement apigw-old: %s", pol)
	}
}

// An S3 bucket notification with no statement for s3.amazonaws.com: the fix
// must carry --source-account, since bucket ARNs hold no account id
// (Lambda DG, access-control-resource-based).
func TestInboundS3MissingPermission(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-thumbnailer")
	bucket := "e2e-uploads-" + e.acct
	e.aws("s3api", "create-bucket", "--bucket", bucket)
	e.aws("s3api", "put-bucket-notification-configuration", "--bucket", bucket, "--notification-configuration",
		fmt.Sprintf(`{"LambdaFunctionConfigurations":[{"LambdaFunctionArn":%q,"Events":["s3:ObjectCreated:*"]}]}`, fn))
	args := []string{"--function", "e2e-thumbnailer", "--symptom", "invoke-denied",
		"--caller", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::" + bucket, "--source-account", e.acct}

	d := e.expectClosed("inbound", "implicit_deny", args...)
	fixContains(t, d, "add-permission", "s3.amazonaws.com", "--source-account", e.acct, bucket)
	e.applyFixes(d)
	e.expectOpen(args...)
}

// The role may GetItem/PutItem on the table; the code queries a global
// secondary index, whose ARN the table grant does not cover.
func TestOutboundDynamoDBIndexMissingGrant(t *testing.T) {
	e := newEnv(t)
	e.healthyFunction("e2e-order-search")
	e.aws("dynamodb", "create-table", "--table-name", "E2EOrders",
		"--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=customer,AttributeType=S",
		"--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST",
		"--global-secondary-indexes", `[{"IndexName":"by-customer","KeySchema":[{"AttributeName":"customer","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]`)
	table := fmt.Sprintf("arn:aws:dynamodb:us-east-1:%s:table/E2EOrders", e.acct)
	grant := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Orders","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem"],"Resource":%q}]}`, table)
	e.putRolePolicy("e2e-order-search-role", "orders-table", grant)
	index := table + "/index/by-customer"
	args := []string{"--function", "e2e-order-search", "--symptom", "access-denied",
		"--action", "dynamodb:Query", "--resource", index}

	d := e.expectClosed("outbound", "implicit_deny", args...)
	fixContains(t, d, "aws iam put-role-policy", "e2e-order-search-role", "dynamodb:Query", index)
	e.applyFixes(d)
	e.expectOpen(args...)
	// No existing grant was overwritten.
	doc := e.aws("iam", "get-role-policy", "--role-name", "e2e-order-search-role", "--policy-name", "orders-table",
		"--query", "PolicyDocument.Statement[0].Action", "--output", "text")
	if !strings.Contains(doc, "dynamodb:GetItem") {
		t.Errorf("the fix overwrote inline policy orders-table: actions now %q", doc)
	}
	// The other door was not touched, and the fix is no wider than the request.
	if d2, _ := e.diagnose("--function", "e2e-order-search", "--symptom", "access-denied",
		"--action", "dynamodb:DeleteTable", "--resource", table); d2.Door != "outbound" {
		t.Errorf("after the fix dynamodb:DeleteTable is open too (door %q): the fix is wider than the request", d2.Door)
	}
}

// The role has no logging permission: the function runs but writes no logs.
// No invoke here: moto's invoke creates the log group whatever the role may do.
func TestLogsNoPermissions(t *testing.T) {
	e := newEnv(t)
	arn := e.role("e2e-silent-worker-role", lambdaTrust)
	e.putRolePolicy("e2e-silent-worker-role", "queue", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:e2e-jobs"}]}`)
	e.function("e2e-silent-worker", arn)
	args := []string{"--function", "e2e-silent-worker", "--symptom", "no-logs"}

	d := e.expectClosed("logs", "", args...)
	e.applyFixes(d)
	e.expectOpen(args...)
	if d.Decision == "allow" {
		t.Errorf("decision: got allow for a closed logs door")
	}
}

// The execution role trusts only EC2 (moto does not check trust at create).
func TestTrustEC2Only(t *testing.T) {
	e := newEnv(t)
	arn := e.role("e2e-ec2-role", `{"Version":"2012-10-17","Statement":[{"Sid":"EC2","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	e.attach("e2e-ec2-role", basicExecution)
	e.function("e2e-report-builder", arn)
	args := []string{"--function", "e2e-report-builder", "--symptom", "role-assume"}

	d := e.expectClosed("trust", "implicit_deny", args...)
	fixContains(t, d, "aws iam update-assume-role-policy", "e2e-ec2-role", "lambda.amazonaws.com", "ec2.amazonaws.com")
	e.applyFixes(d)
	e.expectOpen(args...)
	trust := e.aws("iam", "get-role", "--role-name", "e2e-ec2-role", "--query", "Role.AssumeRolePolicyDocument", "--output", "json")
	if !strings.Contains(trust, "ec2.amazonaws.com") {
		t.Errorf("the trust fix dropped the existing EC2 statement: %s", trust)
	}
}

// A public function URL (AuthType NONE) whose resource policy has only the
// lambda:InvokeFunctionUrl statement: since October 2025 the URL also needs
// lambda:InvokeFunction conditioned on lambda:InvokedViaFunctionUrl
// (Lambda DG, urls-auth).
func TestFunctionURLNoneMissingInvokeFunction(t *testing.T) {
	e := newEnv(t)
	e.healthyFunction("e2e-webhook")
	e.aws("lambda", "create-function-url-config", "--function-name", "e2e-webhook", "--auth-type", "NONE")
	e.aws("lambda", "add-permission", "--function-name", "e2e-webhook", "--statement-id", "FunctionURLAllowPublicAccess",
		"--action", "lambda:InvokeFunctionUrl", "--principal", "*", "--function-url-auth-type", "NONE")
	args := []string{"--function", "e2e-webhook", "--symptom", "invoke-denied", "--caller", "*"}

	d := e.expectClosed("inbound", "implicit_deny", args...)
	fixContains(t, d, "add-permission", "lambda:InvokeFunction ", "--invoked-via-function-url")
	e.applyFixes(d)
	e.expectOpen(args...)
}

// The permission names the unqualified function; API Gateway invokes the
// alias live. A permission applies only to the ARN it was added for
// (Lambda DG, using-aliases: "Resource policies").
func TestInboundAliasQualifierMismatch(t *testing.T) {
	e := newEnv(t)
	e.healthyFunction("e2e-checkout")
	e.aws("lambda", "publish-version", "--function-name", "e2e-checkout")
	e.aws("lambda", "create-alias", "--function-name", "e2e-checkout", "--name", "live", "--function-version", "1")
	api := e.aws("apigateway", "create-rest-api", "--name", "checkout", "--query", "id", "--output", "text")
	src := fmt.Sprintf("arn:aws:execute-api:us-east-1:%s:%s/*/POST/checkout", e.acct, api)
	e.aws("lambda", "add-permission", "--function-name", "e2e-checkout", "--statement-id", "apigw-checkout",
		"--action", "lambda:InvokeFunction", "--principal", "apigateway.amazonaws.com", "--source-arn", src)
	args := []string{"--function", "e2e-checkout", "--qualifier", "live", "--symptom", "invoke-denied",
		"--caller", "apigateway.amazonaws.com",
		"--source-arn", fmt.Sprintf("arn:aws:execute-api:us-east-1:%s:%s/prod/POST/checkout", e.acct, api)}

	d := e.expectClosed("inbound", "implicit_deny", args...)
	if !strings.HasSuffix(d.Request.Resource, ":function:e2e-checkout:live") {
		t.Errorf("request resource: got %q, want the alias ARN", d.Request.Resource)
	}
	fixContains(t, d, "add-permission", "--qualifier live", "apigateway.amazonaws.com")
	e.applyFixes(d)
	e.expectOpen(args...)
}

// An EventBridge rule whose function permission names another rule.
func TestInboundEventBridgeRule(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-nightly-reconcile")
	rule := e.aws("events", "put-rule", "--name", "e2e-nightly", "--schedule-expression", "cron(0 3 * * ? *)",
		"--query", "RuleArn", "--output", "text")
	e.aws("events", "put-targets", "--rule", "e2e-nightly", "--targets", fmt.Sprintf(`[{"Id":"fn","Arn":%q}]`, fn))
	e.aws("lambda", "add-permission", "--function-name", "e2e-nightly-reconcile", "--statement-id", "events-old-rule",
		"--action", "lambda:InvokeFunction", "--principal", "events.amazonaws.com",
		"--source-arn", fmt.Sprintf("arn:aws:events:us-east-1:%s:rule/e2e-hourly", e.acct))
	args := []string{"--function", "e2e-nightly-reconcile", "--symptom", "invoke-denied",
		"--caller", "events.amazonaws.com", "--source-arn", rule}

	d := e.expectClosed("inbound", "implicit_deny", args...)
	fixContains(t, d, "add-permission", "events.amazonaws.com", rule)
	e.applyFixes(d)
	e.expectOpen(args...)
}

// The function's logs hold an AccessDenied line from the code; symptom auto
// must find it, and after the fix judge the same line against the new
// policies (the line stays in the log).
func TestAutoFindsDenialInLogs(t *testing.T) {
	e := newEnv(t)
	e.healthyFunction("e2e-ledger")
	group := "/aws/lambda/e2e-ledger"
	e.aws("logs", "create-log-group", "--log-group-name", group)
	e.aws("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "2026/11/25/[$LATEST]0a1b2c3d")
	bucket := "arn:aws:s3:::e2e-ledger-exports-" + e.acct
	line := fmt.Sprintf("[ERROR] ClientError: An error occurred (AccessDenied) when calling the PutObject operation: "+
		"User: arn:aws:sts::%s:assumed-role/e2e-ledger-role/e2e-ledger is not authorized to perform: s3:PutObject "+
		"on resource: \"%s/2026/11/25/ledger.csv\" because no identity-based policy allows the s3:PutObject action", e.acct, bucket)
	events := fmt.Sprintf(`[{"timestamp":%d,"message":%q}]`, nowMillis(), line)
	e.aws("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "2026/11/25/[$LATEST]0a1b2c3d",
		"--log-events", events)
	args := []string{"--function", "e2e-ledger"}

	d := e.expectClosed("outbound", "implicit_deny", args...)
	fixContains(t, d, "put-role-policy", "s3:PutObject")
	e.applyFixes(d)
	e.expectOpen(args...)
}

// An inline guardrail denies deletes in the audit buckets; the error blames
// an explicit deny in an identity-based policy. The fix must edit that deny
// for this request only: a delete the role could do before (in its scratch
// bucket) must still be allowed after the fix is applied.
func TestOutboundExplicitDenyEditDoesNotWiden(t *testing.T) {
	e := newEnv(t)
	e.healthyFunction("e2e-retention")
	audit := "arn:aws:s3:::e2e-audit-archive-" + e.acct
	scratch := "arn:aws:s3:::e2e-scratch-" + e.acct
	e.putRolePolicy("e2e-retention-role", "expire", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Expire","Effect":"Allow","Action":"s3:DeleteObject","Resource":[%q,%q]}]}`, audit+"/*", scratch+"/*"))
	e.putRolePolicy("e2e-retention-role", "guardrail", `{"Version":"2012-10-17","Statement":[{"Sid":"DenyAuditDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::e2e-audit-*/*"}]}`)
	other := []string{"--function", "e2e-retention", "--symptom", "access-denied",
		"--action", "s3:DeleteObject", "--resource", scratch + "/tmp/part-0001.json"}
	e.expectOpen(other...) // allowed before the fix

	obj := audit + "/2019/01/01/trail.json.gz"
	msg := fmt.Sprintf("User: arn:aws:sts::%s:assumed-role/e2e-retention-role/e2e-retention is not authorized to perform: "+
		"s3:DeleteObject on resource: \"%s\" with an explicit deny in an identity-based policy", e.acct, obj)
	args := []string{"--function", "e2e-retention", "--error", msg}
	d := e.expectClosed("outbound", "explicit_deny", args...)
	e.applyFixes(d)
	e.expectOpen(args...)
	if d2, code := e.diagnose(other...); code != 0 || d2.Door != "none" {
		t.Errorf("the deny edit widened the deny: s3:DeleteObject on %s was allowed before the fix, now door %q exit %d: %s",
			scratch, d2.Door, code, d2.Summary)
	}
	// And it still protects the other audit objects.
	if d3, _ := e.diagnose("--function", "e2e-retention", "--symptom", "access-denied",
		"--action", "s3:DeleteObject", "--resource", audit+"/2020/06/30/trail.json.gz"); d3.Door != "outbound" {
		t.Errorf("the deny edit removed the guardrail for other audit objects: door %q", d3.Door)
	}
}

// Another account's role invokes the function; moto stores the principal
// the fix adds as a raw string ("Principal": "arn:aws:iam::..."), which the
// second diagnosis must still read.
func TestInboundCrossAccountRole(t *testing.T) {
	e := newEnv(t)
	e.healthyFunction("e2e-invoice-generator")
	caller := "arn:aws:iam::444455556666:role/billing-batch"
	args := []string{"--function", "e2e-invoice-generator", "--symptom", "invoke-denied", "--caller", caller}

	d := e.expectClosed("inbound", "implicit_deny", args...)
	fixContains(t, d, "add-permission", caller)
	e.applyFixes(d)
	e.expectOpen(args...)
}

// The trust policy lets Lambda in only for another account's functions
// (aws:SourceAccount copied from staging); the pasted error is Lambda's.
func TestTrustSourceAccountFromError(t *testing.T) {
	e := newEnv(t)
	arn := e.role("e2e-quote-engine-role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"444455556666"}}}]}`)
	e.attach("e2e-quote-engine-role", basicExecution)
	e.function("e2e-quote-engine", arn)
	args := []string{"--function", "e2e-quote-engine", "--error",
		"An error occurred (InvalidParameterValueException) when calling the UpdateFunctionConfiguration operation: The role defined for the function cannot be assumed by Lambda."}

	d := e.expectClosed("trust", "implicit_deny", args...)
	e.applyFixes(d)
	e.expectOpen(args...)
}

// An SQS event source mapping whose role grants no SQS action: the poller
// needs sqs:ReceiveMessage, DeleteMessage and GetQueueAttributes (Lambda DG,
// with-sqs). moto does not validate the role when the mapping is created.
func TestAutoEventSourceMappingSQS(t *testing.T) {
	e := newEnv(t)
	e.healthyFunction("e2e-order-queue-worker")
	url := e.aws("sqs", "create-queue", "--queue-name", "e2e-order-queue", "--query", "QueueUrl", "--output", "text")
	queue := e.aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "QueueArn",
		"--query", "Attributes.QueueArn", "--output", "text")
	e.aws("lambda", "create-event-source-mapping", "--function-name", "e2e-order-queue-worker", "--event-source-arn", queue)
	args := []string{"--function", "e2e-order-queue-worker"}

	d := e.expectClosed("outbound", "implicit_deny", args...)
	fixContains(t, d, "put-role-policy", "sqs:ReceiveMessage", queue)
	e.applyFixes(d)
	e.expectOpen(args...)
}

// The environment is encrypted with a customer managed key the role may not
// decrypt: Lambda's KMSAccessDeniedException carries the KMS message that
// names the role session, the action and the key.
func TestOutboundKMSFromError(t *testing.T) {
	e := newEnv(t)
	e.healthyFunction("e2e-payments-api")
	key := e.aws("kms", "create-key", "--description", "e2e payments env", "--query", "KeyMetadata.Arn", "--output", "text")
	msg := fmt.Sprintf("KMSAccessDeniedException: Lambda was unable to decrypt the environment variables because KMS access was denied. "+
		"Please check the function's AWS KMS key settings. KMS Exception: AccessDeniedException KMS Message: User: "+
		"arn:aws:sts::%s:assumed-role/e2e-payments-api-role/e2e-payments-api is not authorized to perform: kms:Decrypt on "+
		"resource: %s because no identity-based policy allows the kms:Decrypt action", e.acct, key)
	args := []string{"--function", "e2e-payments-api", "--error", msg}

	d := e.expectClosed("outbound", "implicit_deny", args...)
	fixContains(t, d, "put-role-policy", "kms:Decrypt", key)
	e.applyFixes(d)
	e.expectOpen(args...)
}

// A function URL with AuthType AWS_IAM called by another account's role:
// the policy grants lambda:InvokeFunctionUrl (moto keeps the auth type as a
// top-level statement key) but not lambda:InvokeFunction.
func TestFunctionURLAWSIAMCrossAccount(t *testing.T) {
	e := newEnv(t)
	e.healthyFunction("e2e-partner-feed")
	caller := "arn:aws:iam::444455556666:role/partner-sync"
	e.aws("lambda", "create-function-url-config", "--function-name", "e2e-partner-feed", "--auth-type", "AWS_IAM")
	e.aws("lambda", "add-permission", "--function-name", "e2e-partner-feed", "--statement-id", "partner-sync-url",
		"--action", "lambda:InvokeFunctionUrl", "--principal", caller, "--function-url-auth-type", "AWS_IAM")
	args := []string{"--function", "e2e-partner-feed", "--symptom", "invoke-denied", "--caller", caller, "--function-url"}

	d := e.expectClosed("inbound", "implicit_deny", args...)
	fixContains(t, d, "add-permission", "lambda:InvokeFunction ", "--invoked-via-function-url", caller)
	e.applyFixes(d)
	e.expectOpen(args...)
}

// A function that does not exist is exit 3 with a clear message, not a
// stack trace (docs/contract.md, exit codes).
func TestMissingFunctionExit3(t *testing.T) {
	e := newEnv(t)
	cmd := exec.Command(binary, "diagnose", "--function", "e2e-no-such-function", "--output", "json")
	cmd.Env = e.environ()
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("got %v, want exit 3; output: %s", err, out)
	}
	if !strings.Contains(string(out), "e2e-no-such-function") || strings.Contains(string(out), "goroutine") {
		t.Errorf("message should name the function and hold no stack trace: %s", out)
	}
}

// A permissions boundary is a managed policy that several roles share. When
// one role hits its explicit deny, whatever edit the tool prints must not
// take away what another role with the same boundary could do.
func TestBoundaryDenyEditKeepsOtherRoles(t *testing.T) {
	e := newEnv(t)
	boundary := e.aws("iam", "create-policy", "--policy-name", "e2e-platform-boundary", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Sid":"AllowAll","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"DenyAuditDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::e2e-audit-*/*"}]}`,
		"--query", "Policy.Arn", "--output", "text")
	audit := "arn:aws:s3:::e2e-audit-trail-" + e.acct
	tmp := "arn:aws:s3:::e2e-tmp-" + e.acct
	for _, r := range []struct{ fn, bucket string }{{"e2e-trail-cleaner", audit}, {"e2e-tmp-janitor", tmp}} {
		_, role := e.healthyFunction(r.fn)
		e.putRolePolicy(role, "delete", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteObject","Resource":%q}]}`, r.bucket+"/*"))
		e.aws("iam", "put-role-permissions-boundary", "--role-name", role, "--permissions-boundary", boundary)
	}
	other := []string{"--function", "e2e-tmp-janitor", "--symptom", "access-denied", "--action", "s3:DeleteObject",
		"--resource", tmp + "/scratch/part-0001.json"}
	e.expectOpen(other...) // the other role may delete its temporary objects

	msg := fmt.Sprintf("User: arn:aws:sts::%s:assumed-role/e2e-trail-cleaner-role/e2e-trail-cleaner is not authorized to perform: "+
		"s3:DeleteObject on resource: \"%s/2019/01/01/trail.json.gz\" with an explicit deny in a permissions boundary: %s", e.acct, audit, boundary)
	d, code := e.diagnose("--function", "e2e-trail-cleaner", "--error", msg)
	if code != 1 || d.Door != "outbound" || d.Decision != "explicit_deny" {
		t.Fatalf("got exit %d door %q decision %q, want 1 outbound explicit_deny; summary: %s", code, d.Door, d.Decision, d.Summary)
	}
	for _, f := range d.Fixes {
		if f.Verified && f.Command != "" {
			t.Logf("applying: %s", f.Command)
			if out, err := e.moto.ShellElsewhere(f.Command); err != nil {
				t.Fatalf("fix command failed: %v\n%s", err, out)
			}
		}
	}
	if d2, code := e.diagnose(other...); code != 0 || d2.Door != "none" {
		t.Errorf("the boundary edit took s3:DeleteObject on %s away from another role with the same boundary: door %q exit %d: %s",
			tmp, d2.Door, code, d2.Summary)
	}
}

// An inline Deny+NotAction guardrail that does not list sqs:SendMessage:
// the edit adds the action to NotAction. The edited document must be a
// valid IAM policy (unique Sids: IAM UG, Sid element) that moto accepts.
func TestOutboundNotActionGuardrail(t *testing.T) {
	e := newEnv(t)
	e.healthyFunction("e2e-alert-router")
	url := e.aws("sqs", "create-queue", "--queue-name", "e2e-alert-buffer", "--query", "QueueUrl", "--output", "text")
	queue := e.aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "QueueArn",
		"--query", "Attributes.QueueArn", "--output", "text")
	e.putRolePolicy("e2e-alert-router-role", "alerts", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":%q}]}`, queue))
	e.putRolePolicy("e2e-alert-router-role", "guardrail-services", `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyApprovedServices","Effect":"Deny","NotAction":["sns:*","dynamodb:*","logs:*","xray:*"],"Resource":"*"}]}`)
	msg := fmt.Sprintf("User: arn:aws:sts::%s:assumed-role/e2e-alert-router-role/e2e-alert-router is not authorized to perform: "+
		"sqs:SendMessage on resource: %s with an explicit deny in an identity-based policy", e.acct, queue)
	args := []string{"--function", "e2e-alert-router", "--error", msg}

	d := e.expectClosed("outbound", "explicit_deny", args...)
	fixContains(t, d, "put-role-policy", "guardrail-services", "sqs:SendMessage")
	e.applyFixes(d)
	e.expectOpen(args...)
	// The guardrail still denies what it denied before, e.g. s3.
	if d2, _ := e.diagnose("--function", "e2e-alert-router", "--symptom", "access-denied", "--action", "s3:PutObject",
		"--resource", "arn:aws:s3:::e2e-anything/x"); d2.Decision != "explicit_deny" {
		t.Errorf("after the edit s3:PutObject is %q, want still explicit_deny by the guardrail", d2.Decision)
	}
}

// A person copies the fix from the text output, line continuations and
// all, and pastes it into bash: that must work as well as the JSON command.
func TestTextFixPastesIntoBash(t *testing.T) {
	e := newEnv(t)
	arn := e.role("e2e-paste-role", `{"Version":"2012-10-17","Statement":[{"Sid":"EC2","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	e.function("e2e-paste", arn)
	e.putRolePolicy("e2e-paste-role", "reads", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::e2e-paste-bucket/*"}]}`)
	for _, args := range [][]string{
		{"--function", "e2e-paste", "--symptom", "role-assume"},
		{"--function", "e2e-paste", "--symptom", "no-logs"},
		{"--function", "e2e-paste", "--symptom", "access-denied", "--action", "s3:PutObject", "--resource", "arn:aws:s3:::e2e-paste-bucket/out/report 2026-11-25.csv"},
	} {
		cmd := exec.Command(binary, append(append([]string{"diagnose"}, args...), "--output", "text")...)
		cmd.Env = e.environ()
		out, _ := cmd.Output()
		block := pastedCommand(string(out))
		if block == "" {
			t.Fatalf("diagnose %s: no aws command in the text output:\n%s", strings.Join(args, " "), out)
		}
		t.Logf("pasting:\n%s", block)
		if res, err := e.moto.ShellElsewhere(block); err != nil {
			t.Fatalf("the pasted fix failed: %v\n%s", err, res)
		}
		e.expectOpen(args...)
	}
}

// pastedCommand is the first fix command of a text diagnosis as a person
// would select it: from the line that starts with "aws " through every line
// the previous one continues with a trailing backslash.
func pastedCommand(text string) string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(l)
		if len(lines) == 0 {
			if strings.HasPrefix(trimmed, "aws ") {
				lines = append(lines, l)
			}
			continue
		}
		if !strings.HasSuffix(lines[len(lines)-1], "\\") {
			break
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

// --fix-format cloudformation: the printed resource, put in a template and
// deployed as a stack (moto implements AWS::Lambda::Permission), must open
// the door just like the CLI command.
func TestCloudFormationFixDeploys(t *testing.T) {
	e := newEnv(t)
	e.healthyFunction("e2e-cfn-thumbnailer")
	bucket := "e2e-cfn-uploads-" + e.acct
	args := []string{"--function", "e2e-cfn-thumbnailer", "--symptom", "invoke-denied",
		"--caller", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::" + bucket, "--source-account", e.acct}

	d := e.expectClosed("inbound", "implicit_deny", append(args, "--fix-format", "cloudformation")...)
	if !d.Fixes[0].Verified || !strings.Contains(d.Fixes[0].Command, "AWS::Lambda::Permission") {
		t.Fatalf("want a verified AWS::Lambda::Permission resource, got: %+v", d.Fixes[0])
	}
	var tmpl strings.Builder
	tmpl.WriteString("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n")
	for _, l := range strings.Split(strings.TrimRight(d.Fixes[0].Command, "\n"), "\n") {
		tmpl.WriteString("  " + l + "\n")
	}
	path := filepath.Join(t.TempDir(), "fix.yaml")
	if err := os.WriteFile(path, []byte(tmpl.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	e.aws("cloudformation", "create-stack", "--stack-name", "e2e-cfn-fix", "--template-body", "file://"+path)
	e.expectOpen(args...)
}

// The API Gateway execution log, piped on stdin with --error -, plus the
// route's SourceArn (the live reader does not list API Gateway triggers).
func TestErrorFromStdinAPIGatewayLog(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-user-profile")
	api := e.aws("apigateway", "create-rest-api", "--name", "users", "--query", "id", "--output", "text")
	log := fmt.Sprintf("Sending request to https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/%s/invocations\n"+
		"Execution failed due to configuration error: Invalid permissions on Lambda function\n"+
		"Method completed with status: 500\n", fn)
	src := fmt.Sprintf("arn:aws:execute-api:us-east-1:%s:%s/prod/GET/users", e.acct, api)
	cmd := exec.Command(binary, "diagnose", "--function", "e2e-user-profile", "--error", "-", "--source-arn", src, "--output", "json")
	cmd.Env = e.environ()
	cmd.Stdin = strings.NewReader(log)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("got %v, want exit 1; output: %s", err, out)
	}
	if !strings.Contains(string(out), `"door": "inbound"`) || !strings.Contains(string(out), "apigateway.amazonaws.com") {
		t.Fatalf("want an inbound diagnosis for apigateway.amazonaws.com: %s", out)
	}
	args := []string{"--function", "e2e-user-profile", "--symptom", "invoke-denied", "--caller", "apigateway.amazonaws.com", "--source-arn", src}
	d := e.expectClosed("inbound", "implicit_deny", args...)
	e.applyFixes(d)
	e.expectOpen(args...)
}

// Symptom auto with no caller: the invokers the account shows (an S3
// notification, an SNS subscription) are found by the live reader and
// judged; each missing permission is fixed and the function is open after.
func TestAutoFindsTriggers(t *testing.T) {
	e := newEnv(t)
	fn, _ := e.healthyFunction("e2e-auto-triggers")
	bucket := "e2e-auto-uploads-" + e.acct
	e.aws("s3api", "create-bucket", "--bucket", bucket)
	e.aws("s3api", "put-bucket-notification-configuration", "--bucket", bucket, "--notification-configuration",
		fmt.Sprintf(`{"LambdaFunctionConfigurations":[{"LambdaFunctionArn":%q,"Events":["s3:ObjectCreated:*"]}]}`, fn))
	topic := e.aws("sns", "create-topic", "--name", "e2e-auto-events", "--query", "TopicArn", "--output", "text")
	e.aws("sns", "subscribe", "--topic-arn", topic, "--protocol", "lambda", "--notification-endpoint", fn)
	args := []string{"--function", "e2e-auto-triggers"}

	for round := 1; ; round++ {
		d, code := e.diagnose(args...)
		if code == 0 && d.Door == "none" {
			if round < 3 {
				t.Fatalf("open after %d fixes, want one fix each for the bucket and the topic", round-1)
			}
			break
		}
		if round > 3 || code != 1 || d.Door != "inbound" {
			t.Fatalf("round %d: got exit %d door %q, want 1 inbound (two triggers to fix): %s", round, code, d.Door, d.Summary)
		}
		for _, f := range d.Fixes {
			t.Logf("round %d fix (verified %v): %s", round, f.Verified, f.Command)
		}
		e.applyFixes(d)
	}
	pol := e.aws("lambda", "get-policy", "--function-name", "e2e-auto-triggers", "--query", "Policy", "--output", "text")
	for _, want := range []string{"s3.amazonaws.com", bucket, "sns.amazonaws.com", topic} {
		if !strings.Contains(pol, want) {
			t.Errorf("the function policy lacks %q after the fixes: %s", want, pol)
		}
	}
}

// The execution role was deleted: IAM answers NoSuchEntity, which is a
// fact, not a refused read. `diagnose` alone names it (door config, LD020,
// the role's ARN, exit 1) and `check` fails with LD020; the printed
// create-role runs with the aws CLI, the role gets back what it needs (the
// fix says which policies is not known: the test attaches basic execution,
// as the operator would), and the next diagnosis is exit 0 (Lambda DG
// lambda-intro-execution-role: Lambda assumes the role for every
// invocation).
func TestDeletedExecutionRole(t *testing.T) {
	e := newEnv(t)
	const name, role = "e2e-orphaned-fn", "e2e-orphaned-fn-role"
	roleARN := e.aws("iam", "create-role", "--role-name", role, "--path", "/service-role/", "--assume-role-policy-document", lambdaTrust,
		"--query", "Role.Arn", "--output", "text")
	e.attach(role, basicExecution)
	e.function(name, roleARN)
	e.aws("iam", "detach-role-policy", "--role-name", role, "--policy-arn", basicExecution)
	e.aws("iam", "delete-role", "--role-name", role)
	args := []string{"--function", name}

	d, code := e.diagnose(args...)
	if code != 1 || d.Door != "config" || len(d.Diagnoses) != 1 || d.Diagnoses[0].Rule != "LD020" || !strings.Contains(d.Summary, roleARN) {
		t.Fatalf("got exit %d door %q diagnoses %+v summary %q, want exit 1, one config diagnosis LD020 naming %s", code, d.Door, d.Diagnoses, d.Summary, roleARN)
	}
	fixContains(t, d, "aws iam create-role", "--role-name "+role, "--path /service-role/", "lambda.amazonaws.com")
	advice := ""
	for _, a := range d.FixAdvice {
		advice += a.Explanation + "\n"
	}
	if !strings.Contains(advice, "not known") || !strings.Contains(advice, "aws lambda update-function-configuration") {
		t.Errorf("fix_advice does not say the policies are not known, or how to point the function at another role:\n%s", advice)
	}

	r, code := e.check(args...)
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.ID)
	}
	if code != 1 || strings.Join(ids, ",") != "LD020" {
		t.Errorf("check: got exit %d findings %v, want exit 1 with LD020", code, ids)
	}

	e.applyFixes(d)
	// As the advice says: diagnosed again, the new role's missing
	// permissions are named, its logs first, with their command.
	d, code = e.diagnose(args...)
	if code != 1 || len(d.Diagnoses) == 0 || d.Diagnoses[0].Rule != "LD001" || len(d.Fixes) == 0 {
		t.Errorf("the re-created role without policies: got exit %d diagnoses %+v, want exit 1, LD001 first with a fix", code, d.Diagnoses)
	}
	e.attach(role, basicExecution)
	e.expectOpen(args...)
	if _, code := e.check(args...); code != 0 {
		t.Errorf("check after the fix: exit %d, want 0", code)
	}
}
