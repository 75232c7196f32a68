package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestRequestsAWSCouldNotMake: a request AWS would refuse as malformed is
// bad input, whether it comes from a flag, a pasted error or a spec file:
// exit 2, one precise line on stderr, and no fix (nothing on stdout).
func TestRequestsAWSCouldNotMake(t *testing.T) {
	const (
		outSnap = "../../fixtures/dynamodb-index-query/snapshot.json"
		inSnap  = apigwSnap
		index   = "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/by-customer"
		apiSrc  = "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders"
	)
	out := []string{"diagnose", "--snapshot", outSnap, "--function", "order-search"}
	in := []string{"diagnose", "--snapshot", inSnap, "--function", "order-processor", "--symptom", "invoke-denied"}
	pasted := func(action, resource string) string {
		return "An error occurred (AccessDeniedException) when calling the Query operation: User: arn:aws:sts::111122223333:assumed-role/order-search-role/order-search is not authorized to perform: " +
			action + " on resource: " + resource + " because no identity-based policy allows the " + action + " action"
	}
	dir := t.TempDir()
	n := 0
	spec := func(body string) string {
		n++
		return writeFile(t, dir, fmt.Sprintf("spec%d.yaml", n), "version: 1\nfunction: order-search\n"+body)
	}
	check := func(specFile string) []string {
		return []string{"check", "--snapshot", outSnap, "--function", "order-search", "--spec", specFile}
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		// --action / --resource
		{"unknown action (issue 8)", append(out, "--action", "dynamodb:Querry", "--resource", index), `--action: unknown action "dynamodb:Querry"; did you mean dynamodb:Query?`},
		{"unknown service", append(out, "--action", "dynamo:Query", "--resource", index), `--action: unknown service "dynamo"`},
		{"wildcard action", append(out, "--action", "dynamodb:*", "--resource", index), "has a wildcard"},
		{"resource not an ARN", append(out, "--action", "dynamodb:Query", "--resource", "arn:aws:dynamo"), `--resource: "arn:aws:dynamo" is not an ARN`},
		{"resource just arn:", append(out, "--action", "dynamodb:Query", "--resource", "arn:"), `--resource: "arn:" is not an ARN`},
		{"resource of another service", append(out, "--action", "dynamodb:Query", "--resource", "arn:aws:s3:::orders/k"), `dynamodb:Query does not act on "arn:aws:s3:::orders/k": it takes arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/index/${IndexName} (index) or arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName} (table)`},
		{"star for an action with resources", append(out, "--action", "dynamodb:Query", "--resource", "*"), `dynamodb:Query acts on a resource: give its ARN`},
		{"resource in another partition", append(out, "--action", "dynamodb:Query", "--resource", "arn:aws-cn:dynamodb:cn-north-1:111122223333:table/Orders"), `is in partition aws-cn, the function "order-search" in partition aws`},
		{"region of another partition", append(out, "--action", "dynamodb:Query", "--resource", "arn:aws:dynamodb:cn-north-1:111122223333:table/Orders"), "puts region cn-north-1, which is in partition aws-cn, in partition aws"},
		// --caller / --source-arn / --source-account / --qualifier
		{"caller not a principal", append(in, "--caller", "apigateway"), `--caller: "apigateway" is not a principal`},
		{"caller a group", append(in, "--caller", "arn:aws:iam::111122223333:group/devs"), "an IAM group cannot be a principal"},
		{"caller account too short", append(in, "--caller", "11112222333"), "this has 11"},
		{"source ARN broken", append(in, "--caller", "apigateway.amazonaws.com", "--source-arn", "arn:aws:execute-api"), `--source-arn: "arn:aws:execute-api" is not an ARN`},
		{"source ARN a principal", append(in, "--source-arn", "arn:aws:iam::111122223333:role/r"), "pass it as --caller"},
		{"source ARN of a poller", append(in, "--source-arn", "arn:aws:sqs:us-east-1:111122223333:q"), "read by an event source mapping"},
		{"caller and source disagree", append(in, "--caller", "s3.amazonaws.com", "--source-arn", apiSrc), "which apigateway.amazonaws.com invokes with, not \"s3.amazonaws.com\""},
		{"source ARN in another partition", append(in, "--caller", "apigateway.amazonaws.com", "--source-arn", "arn:aws-us-gov:execute-api:us-gov-west-1:111122223333:a1b2c3d4e5/prod/POST/orders"), "is in partition aws-us-gov"},
		{"source account", append(in, "--caller", "s3.amazonaws.com", "--source-account", "12345"), "--source-account: \"12345\" is not an account ID"},
		{"qualifier", append(in, "--caller", "apigateway.amazonaws.com", "--qualifier", "a.b"), "--qualifier: qualifier \"a.b\" is not a version or alias name"},
		// --function, --region
		{"function name", []string{"diagnose", "--snapshot", outSnap, "--function", "order search"}, `--function: "order search": "order search" is not a function name`},
		{"function ARN of a layer", []string{"diagnose", "--snapshot", outSnap, "--function", "arn:aws:lambda:us-east-1:111122223333:layer:l"}, "is not a Lambda function ARN"},
		{"region", []string{"diagnose", "--region", "us-east-1a", "--function", "f"}, `--region: "us-east-1a" is not a region name: it ends in a letter after its number: an availability zone, not a region`},
		{"region upper case", []string{"check", "--region", "US-EAST-1", "--function", "f"}, "region names are lower case"},
		// pasted errors
		{"pasted unknown action", append(out, "--error", pasted("dynamodb:Querry", index)), `--error: unknown action "dynamodb:Querry"; did you mean dynamodb:Query?`},
		{"pasted resource of another service", append(out, "--error", pasted("dynamodb:Query", "arn:aws:s3:::orders")), `--error: dynamodb:Query does not act on "arn:aws:s3:::orders"`},
		{"pasted resource in another partition", append(out, "--error", pasted("dynamodb:Query", "arn:aws-cn:dynamodb:cn-north-1:111122223333:table/Orders")), "is in partition aws-cn, the function in aws"},
		// spec files, with their line
		{"spec unknown action", check(spec("calls:\n  - action: dynamodb:Querry\n    resource: " + index + "\n")), "yaml:4: calls[0].action: unknown action \"dynamodb:Querry\"; did you mean dynamodb:Query?"},
		{"spec resource of another service", check(spec("calls:\n  - action: dynamodb:Query\n    resource: arn:aws:s3:::b/k\n")), "yaml:5: calls[0].resource: dynamodb:Query does not act on"},
		{"spec denied call not an ARN", check(spec("denied_calls:\n  - action: dynamodb:DeleteTable\n    resource: 'arn:'\n")), "yaml:5: denied_calls[0].resource: \"arn:\" is not an ARN"},
		{"spec invoker", check(spec("invokers:\n  - principal: apigateway\n")), "yaml:4: invokers[0].principal: \"apigateway\" is not a principal"},
		{"spec source ARN", check(spec("invokers:\n  - principal: sns.amazonaws.com\n    source_arn: arn:aws:sns:us-east-1:111122223333:topic:0c5f1b2e-3b6a-4c1e-9f3a-2b1c0d9e8f7a\n")), "yaml:5: invokers[0].source_arn: \"arn:aws:sns:us-east-1:111122223333:topic:0c5f1b2e-3b6a-4c1e-9f3a-2b1c0d9e8f7a\" is not a sns resource that invokes Lambda"},
		{"spec partition", check(spec("calls:\n  - action: dynamodb:Query\n    resource: arn:aws-cn:dynamodb:cn-north-1:111122223333:table/Orders\n")), "yaml:4: resource \"arn:aws-cn:dynamodb:cn-north-1:111122223333:table/Orders\" is in partition aws-cn, the function order-search in partition aws"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, a := range tc.args {
				if strings.HasSuffix(a, "snapshot.json") {
					if _, err := os.Stat(a); err != nil {
						t.Skip(err)
					}
				}
			}
			stdout, stderr, code := runCmd(t, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", code, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q\nwant it to contain %q", stderr, tc.want)
			}
			if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) > 2 || !strings.HasPrefix(lines[0], "lambda-doctor: ") ||
				len(lines) == 2 && !strings.HasPrefix(lines[1], "hint: ") {
				t.Errorf("stderr is not one line (and a hint): %q", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing (no fix)", stdout)
			}
			if strings.Contains(stderr, "credentials") {
				t.Errorf("stderr %q speaks of credentials", stderr)
			}
		})
	}
}
