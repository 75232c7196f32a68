//go:build integration

package e2e

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestMeasureLiveDiagnose diagnoses a healthy function that has every part
// the live reader reads (inline, managed and boundary policies, a resource
// policy, an alias, a function URL, a log group with events) and logs the
// API calls one diagnosis makes and in how many dependent rounds (run with
// -v to read the figures). It fails only if the diagnosis is wrong.
func TestMeasureLiveDiagnose(t *testing.T) {
	e := newEnv(t)
	fn, roleName := e.healthyFunction("e2e-measured")
	e.putRolePolicy(roleName, "orders", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/Orders"}]}`)
	bnd := e.aws("iam", "create-policy", "--policy-name", "e2e-measured-boundary", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:*","logs:*"],"Resource":"*"}]}`,
		"--query", "Policy.Arn", "--output", "text")
	e.aws("iam", "put-role-permissions-boundary", "--role-name", roleName, "--permissions-boundary", bnd)
	e.aws("lambda", "publish-version", "--function-name", "e2e-measured")
	e.aws("lambda", "create-alias", "--function-name", "e2e-measured", "--name", "live", "--function-version", "1")
	e.aws("lambda", "create-function-url-config", "--function-name", "e2e-measured", "--auth-type", "AWS_IAM")
	e.aws("lambda", "add-permission", "--function-name", "e2e-measured", "--statement-id", "sns-orders",
		"--action", "lambda:InvokeFunction", "--principal", "sns.amazonaws.com",
		"--source-arn", fmt.Sprintf("arn:aws:sns:us-east-1:%s:orders", e.acct))
	group := "/aws/lambda/e2e-measured"
	e.aws("logs", "create-log-group", "--log-group-name", group)
	e.aws("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "s1")
	e.aws("logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "s1", "--log-events",
		fmt.Sprintf(`[{"timestamp":%d,"message":"START RequestId: 1 Version: $LATEST"}]`, nowMillis()))

	d, code := e.diagnose("--function", "e2e-measured")
	calls, rounds := e.proxy.stats()
	ops := map[string]int{}
	for _, c := range calls {
		ops[c.op]++
	}
	var lines []string
	for op, n := range ops {
		lines = append(lines, fmt.Sprintf("%3d  %s", n, op))
	}
	sort.Strings(lines)
	t.Logf("live diagnose of %s: %d API calls in %d dependent rounds\n%s", fn, len(calls), rounds, strings.Join(lines, "\n"))
	if code != 0 || d.Door != "none" {
		t.Fatalf("healthy function: got exit %d door %q, want 0 none; summary: %s", code, d.Door, d.Summary)
	}

	// Dependent rounds, by delay: every request held the same time, the
	// whole run takes about rounds × that time (sts:GetCallerIdentity and
	// the process's start included).
	const delay = 300 * time.Millisecond
	e.proxy.setAnswer(func(http.ResponseWriter, *http.Request) bool {
		time.Sleep(delay)
		return false
	})
	start := time.Now()
	if d, code := e.diagnose("--function", "e2e-measured"); code != 0 || d.Door != "none" {
		t.Fatalf("healthy function, slow: got exit %d door %q", code, d.Door)
	}
	took := time.Since(start)
	t.Logf("with %v per request: %v, about %.1f dependent rounds (sts:GetCallerIdentity included)", delay, took.Round(10*time.Millisecond), took.Seconds()/delay.Seconds())
}
