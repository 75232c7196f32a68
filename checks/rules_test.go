package checks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

const (
	acct   = "111122223333"
	region = "us-east-1"
	queue  = "arn:aws:sqs:us-east-1:111122223333:orders"
)

func doc(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func policy(stmts ...map[string]any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": stmts}
}

func allow(action, resource any) map[string]any {
	return map[string]any{"Effect": "Allow", "Action": action, "Resource": resource}
}

var lambdaTrust = policy(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})

// healthy returns a function that no rule fires on: its role trusts only
// Lambda and can write its logs, nothing else is configured.
func healthy(t testing.TB, name string) *account.Function {
	t.Helper()
	return &account.Function{
		ARN: "arn:aws:lambda:us-east-1:111122223333:function:" + name, Name: name,
		Account: acct, Region: region, Partition: "aws",
		Config: account.Config{RoleARN: "arn:aws:iam::111122223333:role/" + name + "-role",
			Logging: account.Logging{LogGroup: "/aws/lambda/" + name}},
		LogGroups: []account.LogGroup{{Name: "/aws/lambda/" + name, Exists: true}},
		Role: &account.Role{ARN: "arn:aws:iam::111122223333:role/" + name + "-role", Name: name + "-role",
			Trust: doc(t, lambdaTrust),
			Inline: []account.InlinePolicy{{Name: "logs", Document: doc(t, policy(
				allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/"+name+":*")))}},
		},
	}
}

func grant(t testing.TB, fn *account.Function, stmts ...map[string]any) {
	t.Helper()
	fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: "grant", Document: doc(t, policy(stmts...))})
}

func resourcePolicy(t testing.TB, fn *account.Function, stmts ...map[string]any) {
	t.Helper()
	fn.ResourcePolicies = append(fn.ResourcePolicies, account.ResourcePolicy{Document: doc(t, policy(stmts...))})
}

func check(t testing.TB, fns ...*account.Function) *Report {
	t.Helper()
	c := New(Options{FailOn: High})
	for _, fn := range fns {
		c.Check(fn)
	}
	return c.Report()
}

func ids(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID)
	}
	return out
}

func TestHealthyHasNoFindings(t *testing.T) {
	r := check(t, healthy(t, "ok"))
	if len(r.Findings) != 0 {
		t.Fatalf("got findings %v, want none: %+v", ids(r), r.Findings)
	}
	if r.Summary.Failed || r.Summary.Requirements != 2 || r.Summary.RequirementsFailed != 0 {
		t.Fatalf("got summary %+v, want two requirements (logs, trust) holding", r.Summary)
	}
}

// publicURL gives fn a function URL with auth type NONE and the two
// statements the console adds for it (Lambda DG urls-auth): anyone can
// call it, as intended.
func publicURL(t testing.TB, fn *account.Function) {
	t.Helper()
	fn.URLConfigs = []account.URLConfig{{URL: "https://x.lambda-url.us-east-1.on.aws/", AuthType: "NONE"}}
	resourcePolicy(t, fn,
		map[string]any{"Sid": "FunctionURLAllowPublicAccess", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunctionUrl",
			"Resource": fn.ARN, "Condition": map[string]any{"StringEquals": map[string]any{"lambda:FunctionUrlAuthType": "NONE"}}},
		map[string]any{"Sid": "FunctionURLAllowInvokeAction", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction",
			"Resource": fn.ARN, "Condition": map[string]any{"Bool": map[string]any{"lambda:InvokedViaFunctionUrl": "true"}}})
}

// senderTrigger is a Cognito custom email sender trigger whose codes are
// encrypted with the pool's key.
var senderTrigger = account.Trigger{Kind: account.TriggerCognito, Principal: "cognito-idp.amazonaws.com",
	SourceARN: "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_AbC", SourceAccount: "111122223333",
	KMSKeyARN: "arn:aws:kms:us-east-1:111122223333:key/sender", Name: "CustomEmailSender trigger of user pool members (us-east-1_AbC)"}

// TestRules has, for each rule, a function that triggers it and a close
// one that must not.
func TestRules(t *testing.T) {
	svcInvoke := func(cond map[string]any) map[string]any {
		s := map[string]any{"Sid": "s3", "Effect": "Allow", "Principal": map[string]any{"Service": "s3.amazonaws.com"},
			"Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:us-east-1:111122223333:function:f"}
		if cond != nil {
			s["Condition"] = cond
		}
		return s
	}
	tests := []struct {
		name   string
		rule   string
		want   bool
		mutate func(t testing.TB, fn *account.Function)
	}{
		// LD001 logs: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
		{"logs policy detached", "LD001", true, func(t testing.TB, fn *account.Function) { fn.Role.Inline = nil }},
		{"logs on another group only", "LD001", true, func(t testing.TB, fn *account.Function) {
			fn.Role.Inline = nil
			grant(t, fn, allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/other:*"))
		}},
		{"logs via managed policy", "LD001", false, func(t testing.TB, fn *account.Function) {
			fn.Role.Inline = nil
			fn.Role.Managed = []account.ManagedPolicy{{ARN: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
				Document: doc(t, policy(allow([]string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}, "*")))}}
		}},
		// LD002 VPC: https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
		{"vpc without ENI permissions", "LD002", true, func(t testing.TB, fn *account.Function) {
			fn.Config.VPC = &account.VPCConfig{VPCID: "vpc-1", SubnetIDs: []string{"subnet-1"}, SecurityGroupIDs: []string{"sg-1"}}
		}},
		{"vpc with ENI permissions on *", "LD002", false, func(t testing.TB, fn *account.Function) {
			fn.Config.VPC = &account.VPCConfig{VPCID: "vpc-1", SubnetIDs: []string{"subnet-1"}, SecurityGroupIDs: []string{"sg-1"}}
			grant(t, fn, allow([]string{"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
				"ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"}, "*"))
		}},
		{"vpc with DescribeNetworkInterfaces scoped to a subnet", "LD002", true, func(t testing.TB, fn *account.Function) {
			fn.Config.VPC = &account.VPCConfig{VPCID: "vpc-1", SubnetIDs: []string{"subnet-1"}}
			grant(t, fn, allow([]string{"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
				"ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"}, "*"),
				allow("ec2:DescribeNetworkInterfaces", "arn:aws:ec2:us-east-1:111122223333:subnet/subnet-1"))
		}},
		// LD003 event sources: services-sqs-configure, services-kinesis-create, with-ddb, with-msk
		{"sqs source without ReceiveMessage", "LD003", true, func(t testing.TB, fn *account.Function) {
			fn.EventSources = []account.EventSource{{UUID: "u1", EventSourceARN: queue}}
			grant(t, fn, allow([]string{"sqs:DeleteMessage", "sqs:GetQueueAttributes"}, queue))
		}},
		{"sqs source with the three actions", "LD003", false, func(t testing.TB, fn *account.Function) {
			fn.EventSources = []account.EventSource{{UUID: "u1", EventSourceARN: queue}}
			grant(t, fn, allow([]string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}, queue))
		}},
		{"kinesis source without grants", "LD003", true, func(t testing.TB, fn *account.Function) {
			fn.EventSources = []account.EventSource{{UUID: "u1", EventSourceARN: "arn:aws:kinesis:us-east-1:111122223333:stream/clicks"}}
		}},
		{"kinesis source with the managed policy's actions", "LD003", false, func(t testing.TB, fn *account.Function) {
			fn.EventSources = []account.EventSource{{UUID: "u1", EventSourceARN: "arn:aws:kinesis:us-east-1:111122223333:stream/clicks"}}
			grant(t, fn, allow([]string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
				"kinesis:GetShardIterator", "kinesis:ListShards"}, "arn:aws:kinesis:us-east-1:111122223333:stream/clicks"))
		}},
		{"dynamodb stream without grants", "LD003", true, func(t testing.TB, fn *account.Function) {
			fn.EventSources = []account.EventSource{{UUID: "u1", EventSourceARN: "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2026-01-01T00:00:00.000"}}
		}},
		{"dynamodb stream with grants", "LD003", false, func(t testing.TB, fn *account.Function) {
			fn.EventSources = []account.EventSource{{UUID: "u1", EventSourceARN: "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2026-01-01T00:00:00.000"}}
			grant(t, fn, allow([]string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}, "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/*"),
				allow("dynamodb:ListStreams", "*"))
		}},
		{"msk source without grants", "LD003", true, func(t testing.TB, fn *account.Function) {
			fn.EventSources = []account.EventSource{{UUID: "u1", EventSourceARN: "arn:aws:kafka:us-east-1:111122223333:cluster/events/abcd-1"}}
		}},
		{"msk source with grants", "LD003", false, func(t testing.TB, fn *account.Function) {
			fn.EventSources = []account.EventSource{{UUID: "u1", EventSourceARN: "arn:aws:kafka:us-east-1:111122223333:cluster/events/abcd-1"}}
			// kafka:GetBootstrapBrokers accepts no resource-level
			// permission (service authorization reference): it needs "*".
			grant(t, fn, allow("kafka:DescribeClusterV2", "arn:aws:kafka:us-east-1:111122223333:cluster/events/*"),
				allow([]string{"kafka:GetBootstrapBrokers", "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DeleteNetworkInterface",
					"ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"}, "*"))
		}},
		// LD004 DLQ: invocation-async-retain-records#invocation-dlq
		{"dlq topic without sns:Publish", "LD004", true, func(t testing.TB, fn *account.Function) {
			fn.Config.DeadLetterTarget = "arn:aws:sns:us-east-1:111122223333:dlq"
		}},
		{"dlq topic with sns:Publish", "LD004", false, func(t testing.TB, fn *account.Function) {
			fn.Config.DeadLetterTarget = "arn:aws:sns:us-east-1:111122223333:dlq"
			grant(t, fn, allow("sns:Publish", "arn:aws:sns:us-east-1:111122223333:dlq"))
		}},
		// LD005 destinations: invocation-async-retain-records
		{"event bus destination without PutEvents", "LD005", true, func(t testing.TB, fn *account.Function) {
			fn.AsyncConfigs = []account.AsyncConfig{{OnSuccess: "arn:aws:events:us-east-1:111122223333:event-bus/default"}}
		}},
		{"function destination with InvokeFunction", "LD005", false, func(t testing.TB, fn *account.Function) {
			fn.AsyncConfigs = []account.AsyncConfig{{OnFailure: "arn:aws:lambda:us-east-1:111122223333:function:handler"}}
			grant(t, fn, allow("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:111122223333:function:handler"))
		}},
		{"s3 failure destination without ListBucket", "LD005", true, func(t testing.TB, fn *account.Function) {
			fn.AsyncConfigs = []account.AsyncConfig{{OnFailure: "arn:aws:s3:::failures"}}
			grant(t, fn, allow("s3:PutObject", "arn:aws:s3:::failures/*"))
		}},
		// LD006 X-Ray: services-xray
		{"active tracing without xray", "LD006", true, func(t testing.TB, fn *account.Function) { fn.Config.TracingMode = "Active" }},
		{"pass-through tracing needs nothing", "LD006", false, func(t testing.TB, fn *account.Function) { fn.Config.TracingMode = "PassThrough" }},
		{"active tracing with xray", "LD006", false, func(t testing.TB, fn *account.Function) {
			fn.Config.TracingMode = "Active"
			grant(t, fn, allow([]string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, "*"))
		}},
		// LD007 KMS: configuration-envvars-encryption
		{"cmk without kms:Decrypt", "LD007", true, func(t testing.TB, fn *account.Function) {
			fn.Config.KMSKeyARN = "arn:aws:kms:us-east-1:111122223333:key/k1"
		}},
		{"cmk with kms:Decrypt", "LD007", false, func(t testing.TB, fn *account.Function) {
			fn.Config.KMSKeyARN = "arn:aws:kms:us-east-1:111122223333:key/k1"
			grant(t, fn, allow("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k1"))
		}},
		// LD019 Cognito custom sender: user-pool-lambda-custom-sender-triggers
		{"custom sender key without kms:Decrypt", "LD019", true, func(t testing.TB, fn *account.Function) {
			fn.Triggers = []account.Trigger{senderTrigger}
		}},
		{"custom sender key with kms:Decrypt", "LD019", false, func(t testing.TB, fn *account.Function) {
			fn.Triggers = []account.Trigger{senderTrigger}
			grant(t, fn, allow("kms:Decrypt", senderTrigger.KMSKeyARN))
		}},
		{"custom sender key, Decrypt on the environment's key only", "LD019", true, func(t testing.TB, fn *account.Function) {
			fn.Triggers = []account.Trigger{senderTrigger}
			fn.Config.KMSKeyARN = "arn:aws:kms:us-east-1:111122223333:key/k1"
			grant(t, fn, allow("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k1"))
		}},
		{"a sender trigger with no key asks nothing", "LD019", false, func(t testing.TB, fn *account.Function) {
			tr := senderTrigger
			tr.KMSKeyARN = ""
			fn.Triggers = []account.Trigger{tr}
		}},
		// LD008 EFS: configuration-filesystem
		{"efs without ClientMount", "LD008", true, func(t testing.TB, fn *account.Function) {
			fn.Config.FileSystems = []account.FileSystem{{ARN: "arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/fsap-1", LocalMountPath: "/mnt/x"}}
		}},
		{"efs with the client actions", "LD008", false, func(t testing.TB, fn *account.Function) {
			fn.Config.FileSystems = []account.FileSystem{{ARN: "arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/fsap-1", LocalMountPath: "/mnt/x"}}
			grant(t, fn, allow([]string{"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"}, "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/*"))
		}},
		// LD009/LD010 artifacts of other accounts
		{"layer of another account", "LD009", true, func(t testing.TB, fn *account.Function) {
			fn.Config.Layers = []string{"arn:aws:lambda:us-east-1:444455556666:layer:utils:3"}
		}},
		{"layer of this account", "LD009", false, func(t testing.TB, fn *account.Function) {
			fn.Config.Layers = []string{"arn:aws:lambda:us-east-1:111122223333:layer:utils:3"}
		}},
		{"image of another account", "LD010", true, func(t testing.TB, fn *account.Function) {
			fn.Config.PackageType, fn.Config.ImageURI = "Image", "444455556666.dkr.ecr.us-east-1.amazonaws.com/app:1"
		}},
		{"image of this account", "LD010", false, func(t testing.TB, fn *account.Function) {
			fn.Config.PackageType, fn.Config.ImageURI = "Image", "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1"
		}},
		// LD011 trust: lambda-intro-execution-role
		{"trust without lambda", "LD011", true, func(t testing.TB, fn *account.Function) {
			fn.Role.Trust = doc(t, policy(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
		}},
		{"trust lambda among other services", "LD011", false, func(t testing.TB, fn *account.Function) {
			fn.Role.Trust = doc(t, policy(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": []string{"edgelambda.amazonaws.com", "lambda.amazonaws.com"}}, "Action": "sts:AssumeRole"}))
		}},
		// LD101 administrator policies
		{"AdministratorAccess attached", "LD101", true, func(t testing.TB, fn *account.Function) {
			fn.Role.Managed = append(fn.Role.Managed, account.ManagedPolicy{ARN: "arn:aws:iam::aws:policy/AdministratorAccess", Name: "AdministratorAccess"})
		}},
		{"PowerUserAccess attached", "LD101", true, func(t testing.TB, fn *account.Function) {
			fn.Role.Managed = append(fn.Role.Managed, account.ManagedPolicy{ARN: "arn:aws:iam::aws:policy/PowerUserAccess", Name: "PowerUserAccess"})
		}},
		{"customer policy named AdministratorAccess", "LD101", false, func(t testing.TB, fn *account.Function) {
			fn.Role.Managed = append(fn.Role.Managed, account.ManagedPolicy{ARN: "arn:aws:iam::111122223333:policy/AdministratorAccess", Name: "AdministratorAccess",
				Document: doc(t, policy(allow("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:table/T")))})
		}},
		// LD102 *:*
		{"inline *:*", "LD102", true, func(t testing.TB, fn *account.Function) { grant(t, fn, allow("*", "*")) }},
		{"NotAction on *", "LD102", true, func(t testing.TB, fn *account.Function) {
			grant(t, fn, map[string]any{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
		}},
		{"* actions on one table", "LD102", false, func(t testing.TB, fn *account.Function) {
			grant(t, fn, allow("*", "arn:aws:dynamodb:us-east-1:111122223333:table/T"))
		}},
		// LD103 wildcard grants
		{"dynamodb:* on a table", "LD103", true, func(t testing.TB, fn *account.Function) {
			grant(t, fn, allow("dynamodb:*", "arn:aws:dynamodb:us-east-1:111122223333:table/T"))
		}},
		{"GetItem on every table", "LD103", true, func(t testing.TB, fn *account.Function) {
			grant(t, fn, allow("dynamodb:GetItem", "*"))
		}},
		{"xray on * (no resource-level permission)", "LD103", false, func(t testing.TB, fn *account.Function) {
			grant(t, fn, allow([]string{"xray:PutTraceSegments", "xray:PutTelemetryRecords", "ec2:DescribeNetworkInterfaces"}, "*"))
		}},
		{"wildcards in AWS managed policies are not reported", "LD103", false, func(t testing.TB, fn *account.Function) {
			fn.Role.Managed = append(fn.Role.Managed, account.ManagedPolicy{ARN: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
				Document: doc(t, policy(allow([]string{"s3:Get*", "s3:List*"}, "*")))})
		}},
		// LD104 is tested in TestSharedRole.
		// LD105 confused deputy: IAM UG confused-deputy
		{"s3 may invoke without source", "LD105", true, func(t testing.TB, fn *account.Function) { resourcePolicy(t, fn, svcInvoke(nil)) }},
		{"s3 may invoke with SourceAccount", "LD105", false, func(t testing.TB, fn *account.Function) {
			resourcePolicy(t, fn, svcInvoke(map[string]any{"StringEquals": map[string]any{"AWS:SourceAccount": acct}}))
		}},
		{"s3 may invoke with SourceArn", "LD105", false, func(t testing.TB, fn *account.Function) {
			resourcePolicy(t, fn, svcInvoke(map[string]any{"ArnLike": map[string]any{"aws:SourceArn": "arn:aws:s3:::b"}}))
		}},
		// LD106 public principal
		{"anyone may invoke", "LD106", true, func(t testing.TB, fn *account.Function) {
			resourcePolicy(t, fn, map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "*"}, "Action": "lambda:InvokeFunction", "Resource": "*"})
		}},
		{"anyone in the organization may invoke", "LD106", false, func(t testing.TB, fn *account.Function) {
			resourcePolicy(t, fn, map[string]any{"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction", "Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": "o-abc"}}})
		}},
		// LD107 function URL auth NONE: urls-auth
		{"url auth NONE", "LD107", true, func(t testing.TB, fn *account.Function) {
			fn.URLConfigs = []account.URLConfig{{URL: "https://x.lambda-url.us-east-1.on.aws/", AuthType: "NONE"}}
		}},
		{"url auth AWS_IAM", "LD107", false, func(t testing.TB, fn *account.Function) {
			fn.URLConfigs = []account.URLConfig{{URL: "https://x.lambda-url.us-east-1.on.aws/", AuthType: "AWS_IAM"}}
		}},
		// LD108 unknown actions
		{"typo in an inline policy", "LD108", true, func(t testing.TB, fn *account.Function) {
			grant(t, fn, allow("dynamodb:Querry", "arn:aws:dynamodb:us-east-1:111122223333:table/T"))
		}},
		{"unknown service", "LD108", true, func(t testing.TB, fn *account.Function) {
			grant(t, fn, allow("dynamodbb:Query", "arn:aws:dynamodb:us-east-1:111122223333:table/T"))
		}},
		{"pattern matching nothing", "LD108", true, func(t testing.TB, fn *account.Function) {
			grant(t, fn, allow("s3:Gett*", "arn:aws:s3:::b/*"))
		}},
		{"typo in the resource policy", "LD108", true, func(t testing.TB, fn *account.Function) {
			resourcePolicy(t, fn, map[string]any{"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::444455556666:root"},
				"Action": "lambda:InvokeFuncton", "Resource": "*"})
		}},
		{"case differs from the reference", "LD108", false, func(t testing.TB, fn *account.Function) {
			grant(t, fn, allow("DynamoDB:query", "arn:aws:dynamodb:us-east-1:111122223333:table/T"))
		}},
		// LD109 trust more than Lambda
		{"trust also ec2", "LD109", true, func(t testing.TB, fn *account.Function) {
			fn.Role.Trust = doc(t, policy(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": []string{"lambda.amazonaws.com", "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"}))
		}},
		{"trust edge lambda too", "LD109", false, func(t testing.TB, fn *account.Function) {
			fn.Role.Trust = doc(t, policy(map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": []string{"lambda.amazonaws.com", "edgelambda.amazonaws.com"}}, "Action": "sts:AssumeRole"}))
		}},
		// LD110 unreadable policy
		{"inline policy that does not parse", "LD110", true, func(t testing.TB, fn *account.Function) {
			fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: "broken", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Perhaps"}]}`})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			fn := healthy(t, "f")
			tc.mutate(t, fn)
			r := check(t, fn)
			got := false
			for _, f := range r.Findings {
				if f.ID == tc.rule {
					got = true
					if f.Title == "" || f.Severity == SeverityNone || len(f.Evidence) == 0 || (len(f.Fixes) == 0 && f.Advice == "") {
						t.Errorf("finding %s lacks a title, severity, evidence or fix/advice: %+v", f.ID, f)
					}
				}
			}
			if got != tc.want {
				t.Errorf("rule %s fired = %v, want %v; findings %v", tc.rule, got, tc.want, ids(r))
			}
		})
	}
}

func TestSharedRole(t *testing.T) {
	a, b := healthy(t, "a"), healthy(t, "b")
	b.Config.RoleARN, b.Role = a.Config.RoleARN, a.Role
	b.Role.Inline = append(b.Role.Inline, account.InlinePolicy{Name: "b-logs", Document: doc(t, policy(
		allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/b:*")))})
	r := check(t, a, b)
	if got := ids(r); len(got) != 1 || got[0] != "LD104" {
		t.Fatalf("got findings %v, want [LD104]", got)
	}
	if f := r.Findings[0]; len(f.Functions) != 2 {
		t.Errorf("LD104 names %v, want both functions", f.Functions)
	}
	if got := ids(check(t, healthy(t, "a"), healthy(t, "b"))); len(got) != 0 {
		t.Errorf("two roles: got findings %v, want none", got)
	}
}

// A role shared by many functions is checked once: its findings appear once.
func TestRoleFindingsOnce(t *testing.T) {
	a, b := healthy(t, "a"), healthy(t, "b")
	grant(t, a, allow("*", "*"))
	b.Config.RoleARN, b.Role = a.Config.RoleARN, a.Role
	r := check(t, a, b)
	n := 0
	for _, f := range r.Findings {
		if f.ID == "LD102" {
			n++
			if len(f.Functions) != 2 {
				t.Errorf("LD102 names %v, want both functions", f.Functions)
			}
		}
	}
	if n != 1 {
		t.Errorf("got %d LD102 findings, want 1", n)
	}
}

func TestMissingPermissionFixIsVerified(t *testing.T) {
	fn := healthy(t, "f")
	fn.EventSources = []account.EventSource{{UUID: "u1", EventSourceARN: queue}}
	r := check(t, fn)
	if len(r.Findings) != 1 || r.Findings[0].ID != "LD003" {
		t.Fatalf("got %v, want [LD003]", ids(r))
	}
	f := r.Findings[0]
	if len(f.Fixes) != 1 || !f.Fixes[0].Verified {
		t.Fatalf("got fixes %+v, want one verified fix", f.Fixes)
	}
	cmd := f.Fixes[0].Command
	for _, want := range []string{"aws iam put-role-policy", "--role-name f-role", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", queue} {
		if !strings.Contains(cmd, want) {
			t.Errorf("fix %q lacks %q", cmd, want)
		}
	}
	if strings.Contains(cmd, `"*"`) {
		t.Errorf("fix %q grants \"*\"; SQS actions accept the queue ARN", cmd)
	}
}

func TestExplicitDenyIsReported(t *testing.T) {
	fn := healthy(t, "f")
	fn.Config.TracingMode = "Active"
	grant(t, fn, allow([]string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, "*"),
		map[string]any{"Sid": "NoTraces", "Effect": "Deny", "Action": "xray:*", "Resource": "*"})
	r := check(t, fn)
	var q *Requirement
	for i, fr := range r.Functions[0].Requirements {
		if fr.ID == "LD006" {
			q = &r.Functions[0].Requirements[i]
		}
	}
	if q == nil || q.Passed || q.Decision != "explicit_deny" {
		t.Fatalf("got requirement %+v, want LD006 explicit_deny", q)
	}
}

func TestUnreadableRoleIsUnknown(t *testing.T) {
	fn := healthy(t, "f")
	fn.Role = nil
	fn.Unseen = []account.Unseen{{Operation: "iam:GetRole", Resource: fn.Config.RoleARN, Permission: "iam:GetRole", Error: "AccessDenied"}}
	r := check(t, fn)
	if r.Summary.Failed || r.Summary.Unknown == 0 {
		t.Fatalf("got summary %+v, want not failed and unknown > 0", r.Summary)
	}
}

func TestIgnore(t *testing.T) {
	fn := healthy(t, "f")
	publicURL(t, fn)
	c := New(Options{FailOn: Low, Ignore: []string{"ld107"}})
	c.Check(fn)
	if got := ids(c.Report()); len(got) != 0 {
		t.Errorf("got %v, want LD107 ignored", got)
	}
}

func TestFailOn(t *testing.T) {
	fn := healthy(t, "f")
	publicURL(t, fn) // LD107, medium
	for _, tc := range []struct {
		failOn Severity
		want   bool
	}{{Low, true}, {Medium, true}, {High, false}, {Critical, false}, {SeverityNone, false}} {
		c := New(Options{FailOn: tc.failOn})
		c.Check(fn)
		if got := c.Report().Summary.Failed; got != tc.want {
			t.Errorf("fail-on %s: failed = %v, want %v", tc.failOn, got, tc.want)
		}
	}
}

// LD101 says whether detaching the administrator policy would break what
// the configuration requires.
func TestAdminAdviceChecksDetach(t *testing.T) {
	admin := account.ManagedPolicy{ARN: "arn:aws:iam::aws:policy/AdministratorAccess", Name: "AdministratorAccess",
		Document: doc(t, policy(allow("*", "*")))}
	for _, tc := range []struct {
		name   string
		inline bool
		want   string
	}{
		{"logs granted elsewhere", true, "still holds"},
		{"admin is the only grant", false, "could no longer write logs to /aws/lambda/f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := healthy(t, "f")
			if !tc.inline {
				fn.Role.Inline = nil
			}
			fn.Role.Managed = []account.ManagedPolicy{admin}
			r := check(t, fn)
			for _, f := range r.Findings {
				if f.ID == "LD101" {
					if !strings.Contains(f.Advice, tc.want) || !strings.Contains(f.Advice, "aws iam detach-role-policy --region us-east-1 --role-name f-role") {
						t.Errorf("advice %q lacks %q or the detach command", f.Advice, tc.want)
					}
					return
				}
			}
			t.Fatalf("no LD101 in %v", ids(r))
		})
	}
}

// The LD109 fix keeps Lambda and drops the other principals: applied to the
// model, Lambda can still assume the role and LD109 is gone.
func TestTrustFixVerified(t *testing.T) {
	fn := healthy(t, "f")
	fn.Role.Trust = doc(t, policy(
		map[string]any{"Sid": "Both", "Effect": "Allow", "Principal": map[string]any{"Service": []string{"lambda.amazonaws.com", "ec2.amazonaws.com"}}, "Action": "sts:AssumeRole"},
		map[string]any{"Sid": "Ops", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sts:AssumeRole"},
		map[string]any{"Sid": "NoTags", "Effect": "Deny", "Principal": map[string]any{"AWS": "*"}, "Action": "sts:TagSession"}))
	var fx *fix.Fix
	for _, f := range check(t, fn).Findings {
		if f.ID == "LD109" && len(f.Fixes) == 1 {
			fx = &f.Fixes[0]
		}
	}
	if fx == nil || !fx.Verified {
		t.Fatalf("got fix %+v, want a verified one", fx)
	}
	_, doc, ok := strings.Cut(fx.Command, "--policy-document '")
	if !ok || !strings.HasPrefix(fx.Command, "aws iam update-assume-role-policy --region us-east-1 --role-name f-role") {
		t.Fatalf("unexpected command %q", fx.Command)
	}
	fn.Role.Trust = strings.TrimSuffix(doc, "'")
	for _, want := range []string{`"Sid":"Both"`, `"Principal":{"Service":"lambda.amazonaws.com"}`, `"Sid":"NoTags"`} {
		if !strings.Contains(fn.Role.Trust, want) {
			t.Errorf("new trust policy %s lacks %s", fn.Role.Trust, want)
		}
	}
	if strings.Contains(fn.Role.Trust, "ec2") || strings.Contains(fn.Role.Trust, "444455556666") {
		t.Errorf("new trust policy %s still trusts others", fn.Role.Trust)
	}
	if got := ids(check(t, fn)); len(got) != 0 {
		t.Errorf("after the fix: findings %v, want none", got)
	}
}

// TestSharedRoleFixOnce: 150 functions share a role that lacks the logs
// permissions and X-Ray's: each requirement is reported once, naming all
// 150, with one fix (not 150 copies of the same command), whose text
// output names the functions; a function with its own role keeps its own
// finding.
func TestSharedRoleFixOnce(t *testing.T) {
	shared := &account.Role{ARN: "arn:aws:iam::111122223333:role/shared", Name: "shared", Trust: doc(t, lambdaTrust)}
	var fns []*account.Function
	for i := range 150 {
		fn := healthy(t, fmt.Sprintf("fn-%03d", i))
		fn.Config.RoleARN, fn.Role = shared.ARN, shared
		fn.Config.TracingMode = "Active"
		fns = append(fns, fn)
	}
	own := healthy(t, "own")
	own.Role.Inline = nil
	r := check(t, append(fns, own)...)
	count := map[string]int{}
	for _, f := range r.Findings {
		count[f.ID]++
		switch {
		case f.ID == "LD001" && len(f.Functions) == 150:
			if len(f.Fixes) != 1 || !f.Fixes[0].Verified || !strings.Contains(f.Fixes[0].Command, "--role-name shared ") {
				t.Errorf("shared LD001 fixes: %+v", f.Fixes)
			}
			if !strings.Contains(f.Title, "and the same for 149 more functions sharing the role") {
				t.Errorf("shared LD001 title %q", f.Title)
			}
		case f.ID == "LD006":
			if len(f.Functions) != 150 || len(f.Fixes) != 1 {
				t.Errorf("LD006 names %d functions with %d fixes, want 150 and 1", len(f.Functions), len(f.Fixes))
			}
		}
	}
	// LD001 twice: once for the 150 (one grant), once for own-role.
	if count["LD001"] != 2 || count["LD006"] != 1 || count["LD104"] != 1 {
		t.Fatalf("findings by rule %v, want LD001 2, LD006 1, LD104 1", count)
	}
	var b bytes.Buffer
	if err := WriteText(&b, r, TextOptions{Width: 80}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "aws iam attach-role-policy --region us-east-1 --role-name shared"); n != 1 {
		t.Errorf("the shared role's logs fix is printed %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, "functions 150: fn-000, fn-001,") {
		t.Errorf("the text output does not list the functions:\n%s", out)
	}
	if got := r.Summary.ByRule; len(got) == 0 {
		t.Errorf("no by_rule counts")
	}
}

// TestSummaryCountsBySeverity: a rule whose findings differ in severity is
// counted once per severity, and by_severity adds up to the findings.
func TestSummaryCountsBySeverity(t *testing.T) {
	r := &Report{FailOn: High, Findings: []Finding{
		newFinding("LD103", "a", "x"), newFinding("LD103", "b", "y"), newFinding("LD104", "c", "z"),
	}}
	r.Findings[1].Severity = High
	r.summarize()
	got := map[string]int{}
	for _, rc := range r.Summary.ByRule {
		got[rc.ID+" "+rc.Severity.String()] = rc.Count
	}
	want := map[string]int{"LD103 high": 1, "LD103 medium": 1, "LD104 low": 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("by_rule %v, want %v", got, want)
	}
	if s := r.Summary.BySeverity; s["high"] != 1 || s["medium"] != 1 || s["low"] != 1 || r.Summary.AtOrAbove != 1 {
		t.Errorf("by_severity %v, at or above %d", s, r.Summary.AtOrAbove)
	}
}

// TestUnseenWithoutPermission: a read that failed for another reason than
// a permission (the execution role no longer exists) is shown with its
// error, not with "needs" and an empty permission; and the role's absence
// decides (LD020, every requirement on the role closed by it), where a
// refused read of the same role leaves them undecided.
func TestUnseenWithoutPermission(t *testing.T) {
	for _, tc := range []struct {
		name     string
		unseen   account.Unseen
		decision string // of every requirement
		cause    string
		finding  string // the finding's rule, "" for none
	}{
		{"deleted (NoSuchEntity)", account.Unseen{Error: "NoSuchEntity: Role orphan-role not found", NotFound: true},
			"implicit_deny", judge.CauseRoleNotFound, judge.RuleRoleNotFound},
		{"refused (AccessDenied)", account.Unseen{Error: "AccessDenied: not authorized to perform iam:GetRole", Permission: "iam:GetRole"},
			"unknown", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := healthy(t, "orphan")
			fn.Role = nil
			u := tc.unseen
			u.Operation, u.Resource = "iam:GetRole", fn.Config.RoleARN
			fn.Unseen = []account.Unseen{u}
			r := check(t, fn)
			var b bytes.Buffer
			if err := WriteText(&b, r, TextOptions{Width: 200, Verbose: true}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if !strings.Contains(out, u.Error) || strings.Contains(out, "needs )") {
				t.Errorf("the unseen read is not shown with its error alone:\n%s", out)
			}
			for _, f := range r.Functions {
				for _, q := range f.Requirements {
					if q.Decision != tc.decision || q.Cause != tc.cause {
						t.Errorf("%s: decision %s cause %q, want %s %q", q.ID, q.Decision, q.Cause, tc.decision, tc.cause)
					}
				}
			}
			var got []string
			for _, f := range r.Findings {
				got = append(got, f.ID)
			}
			if g := strings.Join(got, ","); g != tc.finding {
				t.Errorf("findings %s, want %q", g, tc.finding)
			}
		})
	}
}
