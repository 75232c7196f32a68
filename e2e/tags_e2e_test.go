//go:build integration

package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// The tags of an event source's queue are read live (tag:GetResources with
// ResourceARNList): a poll grant conditioned on aws:ResourceTag/team is
// decided, not undecided. A tagged queue: `diagnose --function F` alone is
// open (exit 0). An untagged one (absent from GetResources' answer, which
// "does not return untagged resources", Resource Groups Tagging API
// reference): closed (exit 1) with a verified fix that, run with the aws
// CLI, opens it.
func TestResourceTagsReadLive(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tags   []string // sqs create-queue --tags
		closed bool
	}{
		{name: "tagged team=orders: open", tags: []string{"--tags", "team=orders"}},
		{name: "tagged team=billing: closed", tags: []string{"--tags", "team=billing"}, closed: true},
		{name: "untagged: closed", closed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			suffix := strings.NewReplacer(" ", "-", ":", "", "=", "-").Replace(tc.name)
			fn, queueName := "e2e-tag-"+suffix, "e2e-tagq-"+suffix
			_, role := e.healthyFunction(fn)
			url := e.aws(append([]string{"sqs", "create-queue", "--queue-name", queueName, "--query", "QueueUrl", "--output", "text"}, tc.tags...)...)
			queue := e.aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "QueueArn",
				"--query", "Attributes.QueueArn", "--output", "text")
			e.putRolePolicy(role, "team-queues", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"TeamQueues","Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes"],"Resource":%q,"Condition":{"StringEquals":{"aws:ResourceTag/team":"orders"}}}]}`, queue))
			e.aws("lambda", "create-event-source-mapping", "--function-name", fn, "--event-source-arn", queue)
			args := []string{"--function", fn}
			if !tc.closed {
				e.expectOpen(args...)
				return
			}
			d := e.expectClosed("outbound", "implicit_deny", args...)
			for _, n := range d.Notes {
				if strings.Contains(n, "were not read") {
					t.Errorf("the queue's tags were read, but a note says: %s", n)
				}
			}
			fixContains(t, d, "put-role-policy", "sqs:ReceiveMessage", queue)
			e.applyFixes(d)
			e.expectOpen(args...)
		})
	}
}

// The queue diagnose's --resource names, that no request of the function
// names, has its tags read too: tagged team=orders under a send grant
// conditioned on it, `diagnose --symptom access-denied --action
// sqs:SendMessage --resource Q` is open (exit 0); tagged otherwise,
// closed (exit 1).
func TestResourceTagsOfNamedResource(t *testing.T) {
	for _, tc := range []struct {
		team   string
		closed bool
	}{{team: "orders"}, {team: "billing", closed: true}} {
		t.Run(tc.team, func(t *testing.T) {
			e := newEnv(t)
			fn, queueName := "e2e-tagsend-"+tc.team, "e2e-tagsendq-"+tc.team
			_, role := e.healthyFunction(fn)
			url := e.aws("sqs", "create-queue", "--queue-name", queueName, "--tags", "team="+tc.team, "--query", "QueueUrl", "--output", "text")
			queue := e.aws("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "QueueArn",
				"--query", "Attributes.QueueArn", "--output", "text")
			e.putRolePolicy(role, "team-send", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"TeamSend","Effect":"Allow","Action":"sqs:SendMessage","Resource":%q,"Condition":{"StringEquals":{"aws:ResourceTag/team":"orders"}}}]}`, queue))
			args := []string{"--function", fn, "--symptom", "access-denied", "--action", "sqs:SendMessage", "--resource", queue}
			if !tc.closed {
				e.expectOpen(args...)
				return
			}
			d := e.expectClosed("outbound", "implicit_deny", args...)
			fixContains(t, d, "put-role-policy", "sqs:SendMessage", queue)
		})
	}
}
