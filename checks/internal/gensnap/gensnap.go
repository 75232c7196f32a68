// Package gensnap writes a synthetic account snapshot for benchmarks of
// `lambda-doctor check --all`: realistic execution roles (logging, table,
// queue and wildcard grants, the odd typo), functions with event sources,
// VPCs, dead-letter queues, tracing, resource policies and function URLs,
// several functions per role. The same seed gives the same file.
package gensnap

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/lambda-doctor/lambda-doctor/account"
)

const (
	acct   = "111122223333"
	region = "us-east-1"
)

func doc(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type m = map[string]any

func policy(stmts ...m) string { return doc(m{"Version": "2012-10-17", "Statement": stmts}) }

func allow(action, resource any) m {
	return m{"Effect": "Allow", "Action": action, "Resource": resource}
}

var (
	trust = policy(m{"Effect": "Allow", "Principal": m{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
	basic = account.ManagedPolicy{ARN: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", Name: "AWSLambdaBasicExecutionRole", VersionID: "v1",
		Document: policy(allow([]string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}, "*"))}
	vpcAccess = account.ManagedPolicy{ARN: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole", Name: "AWSLambdaVPCAccessExecutionRole", VersionID: "v3",
		Document: policy(allow([]string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "ec2:CreateNetworkInterface",
			"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"}, "*"))}
)

// Write writes a snapshot of nf functions sharing nr roles.
func Write(w io.Writer, nf, nr int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	roles := make([]*account.Role, nr)
	for i := range roles {
		name := fmt.Sprintf("app-%04d-role", i)
		r := &account.Role{ARN: "arn:aws:iam::" + acct + ":role/service-role/" + name, Name: name, Path: "/service-role/",
			ID: fmt.Sprintf("AROA%016d", i), Trust: trust}
		table := fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/table-%04d", region, acct, i)
		queue := fmt.Sprintf("arn:aws:sqs:%s:%s:queue-%04d", region, acct, i)
		switch p := rng.IntN(100); {
		case p < 60:
			r.Managed = append(r.Managed, basic)
		case p < 80:
			r.Managed = append(r.Managed, vpcAccess)
		default:
			r.Inline = append(r.Inline, account.InlinePolicy{Name: "logs", Document: policy(
				allow([]string{"logs:CreateLogStream", "logs:PutLogEvents"}, fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/aws/lambda/*", region, acct)))})
		}
		app := []m{allow([]string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"}, []string{table, table + "/index/*"}),
			allow([]string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:SendMessage"}, queue)}
		switch p := rng.IntN(100); {
		case p < 8:
			app = append(app, allow("s3:*", "*"))
		case p < 12:
			app = append(app, allow("dynamodb:Querry", table))
		case p < 14:
			app = append(app, allow("*", "*"))
		case p < 30:
			app = append(app, allow([]string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, "*"))
		}
		r.Inline = append(r.Inline, account.InlinePolicy{Name: "app", Document: policy(app...)})
		if rng.IntN(100) < 3 {
			r.Managed = append(r.Managed, account.ManagedPolicy{ARN: "arn:aws:iam::aws:policy/AdministratorAccess", Name: "AdministratorAccess", VersionID: "v1",
				Document: policy(allow("*", "*"))})
		}
		roles[i] = r
	}
	sw, err := account.NewSnapshotWriter(w, account.Origin{Account: acct, Region: region, Partition: "aws"}, nil, time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC))
	if err != nil {
		return err
	}
	for i := 0; i < nf; i++ {
		ri := i % nr
		if i >= nr {
			ri = rng.IntN(nr)
		}
		r := roles[ri]
		name := fmt.Sprintf("fn-%05d", i)
		arn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, acct, name)
		fn := &account.Function{ARN: arn, Name: name, Account: acct, Region: region, Partition: "aws", Role: r,
			Config: account.Config{Runtime: "python3.12", Handler: "app.handler", RoleARN: r.ARN, PackageType: "Zip",
				Logging: account.Logging{LogGroup: "/aws/lambda/" + name}},
			LogGroups: []account.LogGroup{{Name: "/aws/lambda/" + name, Exists: rng.IntN(10) > 0}}}
		if rng.IntN(100) < 30 {
			fn.EventSources = []account.EventSource{{UUID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), State: "Enabled", FunctionARN: arn,
				EventSourceARN: fmt.Sprintf("arn:aws:sqs:%s:%s:queue-%04d", region, acct, ri)}}
		}
		if rng.IntN(100) < 20 {
			fn.Config.VPC = &account.VPCConfig{VPCID: "vpc-0a1b2c3d", SubnetIDs: []string{"subnet-0a1", "subnet-0b2"}, SecurityGroupIDs: []string{"sg-0c3"}}
		}
		if rng.IntN(100) < 10 {
			fn.Config.DeadLetterTarget = fmt.Sprintf("arn:aws:sqs:%s:%s:queue-%04d", region, acct, ri)
		}
		if rng.IntN(100) < 20 {
			fn.Config.TracingMode = "Active"
		}
		if rng.IntN(100) < 40 {
			st := m{"Sid": "apigw", "Effect": "Allow", "Principal": m{"Service": "apigateway.amazonaws.com"}, "Action": "lambda:InvokeFunction", "Resource": arn,
				"Condition": m{"ArnLike": m{"AWS:SourceArn": fmt.Sprintf("arn:aws:execute-api:%s:%s:api%05d/*/POST/items", region, acct, i)}}}
			if rng.IntN(10) == 0 {
				st = m{"Sid": "s3", "Effect": "Allow", "Principal": m{"Service": "s3.amazonaws.com"}, "Action": "lambda:InvokeFunction", "Resource": arn}
			}
			fn.ResourcePolicies = []account.ResourcePolicy{{Document: doc(m{"Version": "2012-10-17", "Id": "default", "Statement": []m{st}}), RevisionID: "r1"}}
		}
		if rng.IntN(100) < 5 {
			fn.URLConfigs = []account.URLConfig{{URL: fmt.Sprintf("https://%032x.lambda-url.us-east-1.on.aws/", i), AuthType: []string{"AWS_IAM", "NONE"}[rng.IntN(2)]}}
		}
		if err := sw.Add(fn); err != nil {
			return err
		}
	}
	return sw.Close()
}
