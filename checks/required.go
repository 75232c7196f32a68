package checks

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
	"github.com/lambda-doctor/lambda-doctor/simulate/iamdata"
)

// need is a group of calls the function's configuration requires of its
// execution role, reported together (one requirement, one finding).
type need struct {
	id    string // rule id when missing
	what  string // "read the SQS queue arn:..."
	calls []judge.Call
}

// requiredNeeds derives, from the function's configuration, the calls Lambda
// makes with the execution role on the function's behalf. Each group cites
// the AWS documentation page that states the requirement.
func requiredNeeds(fn *account.Function) []need {
	var out []need
	part, region, acct := fn.PartitionName(), fn.Region, fn.Account
	ec2ARN := func(res string) string { return fmt.Sprintf("arn:%s:ec2:%s:%s:%s", part, region, acct, res) }
	calls := func(why string, resource string, actions ...string) []judge.Call {
		var cs []judge.Call
		for _, a := range actions {
			r := resource
			if info, ok := iamdata.Action(a); ok && info.NeedsStar() {
				r = "*"
			}
			cs = append(cs, judge.Call{Action: a, Resource: r, Why: why})
		}
		return cs
	}

	// VPC: Lambda creates and manages the function's network interfaces with
	// the execution role: ec2:CreateNetworkInterface, DescribeNetworkInterfaces
	// (only on "Resource": "*"), DeleteNetworkInterface, AssignPrivateIpAddresses,
	// UnassignPrivateIpAddresses.
	// https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html
	// (and the AWSLambdaVPCAccessExecutionRole managed policy).
	if v := fn.Config.VPC; v != nil && len(v.SubnetIDs) > 0 {
		why := "the function is attached to a VPC"
		var cs []judge.Call
		for _, s := range v.SubnetIDs {
			cs = append(cs, judge.Call{Action: "ec2:CreateNetworkInterface", Resource: ec2ARN("subnet/" + s), Why: why})
		}
		for _, g := range v.SecurityGroupIDs {
			cs = append(cs, judge.Call{Action: "ec2:CreateNetworkInterface", Resource: ec2ARN("security-group/" + g), Why: why})
		}
		eni := ec2ARN("network-interface/*")
		cs = append(cs, judge.Call{Action: "ec2:CreateNetworkInterface", Resource: eni, Why: why})
		cs = append(cs, calls(why, "*", "ec2:DescribeNetworkInterfaces")...)
		cs = append(cs, calls(why, eni, "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses")...)
		out = append(out, need{"LD002", "manage network interfaces in VPC " + v.VPCID, cs})
	}

	for _, es := range fn.EventSources {
		arn := es.EventSourceARN
		why := "event source mapping " + es.UUID
		switch arnService(arn) {
		case "sqs":
			// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
			// ("Execution role permissions": ReceiveMessage, DeleteMessage, GetQueueAttributes).
			out = append(out, need{"LD003", "poll the SQS queue " + arn,
				calls(why, arn, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")})
		case "kinesis":
			// https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-create.html
			// (DescribeStream, DescribeStreamSummary, GetRecords, GetShardIterator,
			// ListShards; SubscribeToShard for an enhanced fan-out consumer).
			stream, consumer, _ := strings.Cut(arn, "/consumer/")
			cs := calls(why, stream, "kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
				"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards")
			if consumer != "" {
				cs = append(cs, calls(why, arn, "kinesis:SubscribeToShard")...)
			}
			out = append(out, need{"LD003", "read the Kinesis stream " + stream, cs})
		case "dynamodb":
			// https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-eventsourcemapping.html
			// (DescribeStream, GetRecords, GetShardIterator, ListStreams).
			out = append(out, need{"LD003", "read the DynamoDB stream " + arn,
				calls(why, arn, "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams")})
		case "kafka":
			// https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html
			// (kafka:DescribeClusterV2, kafka:GetBootstrapBrokers and the ENI
			// actions for the cluster's VPC).
			cs := calls(why, arn, "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers")
			eni := ec2ARN("network-interface/*")
			cs = append(cs, calls(why, eni, "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface")...)
			cs = append(cs, calls(why, "*", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups")...)
			out = append(out, need{"LD003", "read the MSK cluster " + arn, cs})
		}
	}

	// Dead-letter queue or topic: sqs:SendMessage / sns:Publish.
	// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq
	if t := fn.Config.DeadLetterTarget; t != "" {
		if cs := deliveryCalls(t, "the function's dead-letter target", false); len(cs) > 0 {
			out = append(out, need{"LD004", "send discarded events to " + t, cs})
		}
	}

	// Async destinations: sqs:SendMessage, sns:Publish, lambda:InvokeFunction,
	// events:PutEvents; S3 (on failure only) s3:PutObject and s3:ListBucket.
	// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
	for _, ac := range fn.AsyncConfigs {
		for _, d := range []struct{ dest, kind string }{{ac.OnSuccess, "on-success"}, {ac.OnFailure, "on-failure"}} {
			if d.dest == "" {
				continue
			}
			why := d.kind + " destination"
			if ac.Qualifier != "" {
				why += " of " + ac.Qualifier
			}
			if cs := deliveryCalls(d.dest, why, true); len(cs) > 0 {
				out = append(out, need{"LD005", "deliver " + d.kind + " records to " + d.dest, cs})
			}
		}
	}

	// Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords.
	// https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html
	// (and the AWSXRayDaemonWriteAccess managed policy).
	if strings.EqualFold(fn.Config.TracingMode, "Active") {
		out = append(out, need{"LD006", "send traces to X-Ray",
			calls("tracing mode Active", "*", "xray:PutTraceSegments", "xray:PutTelemetryRecords")})
	}

	// Environment variables encrypted with a customer managed key.
	// https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html
	if k := fn.Config.KMSKeyARN; k != "" {
		out = append(out, need{"LD007", "decrypt environment variables with " + k,
			calls("environment variables encrypted with a customer managed key", k, "kms:Decrypt")})
	}

	// EFS access points: elasticfilesystem:ClientMount, and ClientWrite unless
	// the mount is read-only. The function's configuration names the access
	// point, not the file system, so the request names every file system of
	// the account and region with the access point as context.
	// https://docs.aws.amazon.com/lambda/latest/dg/configuration-filesystem.html
	for _, f := range fn.Config.FileSystems {
		fs := fmt.Sprintf("arn:%s:elasticfilesystem:%s:%s:file-system/*", part, arnRegionOr(f.ARN, region), arnAccountOr(f.ARN, acct))
		ctx := simulate.Context{"elasticfilesystem:AccessPointArn": {Values: []string{f.ARN}}}
		cs := calls("file system mounted at "+f.LocalMountPath, fs, "elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")
		for i := range cs {
			cs[i].Context = ctx
		}
		out = append(out, need{"LD008", "mount the EFS access point " + f.ARN, cs})
	}
	return out
}

// deliveryCalls are the calls that deliver a record to target.
func deliveryCalls(target, why string, destination bool) []judge.Call {
	one := func(action, res string) judge.Call { return judge.Call{Action: action, Resource: res, Why: why} }
	switch arnService(target) {
	case "sqs":
		return []judge.Call{one("sqs:SendMessage", target)}
	case "sns":
		return []judge.Call{one("sns:Publish", target)}
	}
	if !destination {
		return nil
	}
	switch arnService(target) {
	case "lambda":
		return []judge.Call{one("lambda:InvokeFunction", target)}
	case "events":
		return []judge.Call{one("events:PutEvents", target)}
	case "s3":
		bucket := strings.TrimSuffix(target, "/")
		return []judge.Call{one("s3:PutObject", bucket+"/*"), one("s3:ListBucket", bucket)}
	}
	return nil
}

// requiredPermissions judges every need against the role, and reports each
// missing one with a verified fix.
func requiredPermissions(fn *account.Function) ([]Requirement, []Finding) {
	var reqs []Requirement
	var findings []Finding

	if v := judge.CheckLogs(fn); len(v.Unparsed) > 0 {
		findings = append(findings, unreadable(fn, v.Unparsed[0]))
	} else {
		// The runtime writes the function's logs with the execution role.
		// https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
		q, f := judgeNeed(fn, "LD001", "write logs to "+logGroup(fn), []*judge.Verdict{v})
		reqs = append(reqs, q)
		findings = append(findings, f...)
	}
	for _, n := range requiredNeeds(fn) {
		var vs []*judge.Verdict
		var failed error
		for _, c := range n.calls {
			v := judge.CheckOutbound(fn, c)
			if len(v.Unparsed) > 0 {
				failed = v.Unparsed[0]
				break
			}
			vs = append(vs, v)
		}
		if failed != nil {
			findings = append(findings, unreadable(fn, failed))
			continue
		}
		q, f := judgeNeed(fn, n.id, n.what, vs)
		reqs = append(reqs, q)
		findings = append(findings, f...)
	}
	return reqs, findings
}

// judgeNeed turns the verdicts of one need into a requirement and, when it is
// not met, a finding.
func judgeNeed(fn *account.Function, id, what string, vs []*judge.Verdict) (Requirement, []Finding) {
	q := Requirement{ID: id, Need: what, Decision: string(simulate.Allow), Passed: true}
	var closed []*judge.Verdict
	unknown := false
	for _, v := range vs {
		for _, p := range v.Probes {
			q.Requests = append(q.Requests, request(p.Input.Request))
		}
		if len(v.Probes) == 0 && v.Call != nil {
			q.Requests = append(q.Requests, RequestJSON{Action: v.Call.Action, Resource: v.Call.Resource})
		}
		switch {
		case v.Unknown:
			unknown = true
		case v.Decision != simulate.Allow:
			closed = append(closed, v)
			if q.Decision != string(simulate.ExplicitDeny) {
				q.Decision = string(v.Decision)
			}
		}
	}
	if len(closed) == 0 {
		if unknown {
			q.Decision, q.Passed = "unknown", false
		}
		return q, nil
	}
	q.Passed = false
	var missing []string
	for _, v := range closed {
		for _, p := range v.Probes {
			if p.Result != nil && p.Result.Decision != simulate.Allow {
				missing = append(missing, p.Input.Request.Action)
			}
		}
	}
	missing = dedupe(missing)
	f := newFinding(id, fn.ARN, fmt.Sprintf("%s cannot %s: %s %s", roleLabel(fn), what, plural(len(missing), "action", "actions"), strings.Join(missing, ", ")+" "+denyWord(q.Decision)), fn.ARN)
	for _, v := range closed {
		f.Evidence = append(f.Evidence, verdictEvidence(v)...)
	}
	f.Fixes = fixesFor(fn, id, closed)
	if len(f.Fixes) == 0 {
		f.Advice = "Grant " + strings.Join(missing, ", ") + " to the execution role."
	}
	return q, []Finding{f}
}

func denyWord(decision string) string {
	if decision == string(simulate.ExplicitDeny) {
		return "(explicitly denied)"
	}
	return "(not allowed)"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func roleLabel(fn *account.Function) string {
	return "role " + lastSegment(fn.Config.RoleARN)
}

func logGroup(fn *account.Function) string {
	if fn.Config.Logging.LogGroup != "" {
		return fn.Config.Logging.LogGroup
	}
	return "/aws/lambda/" + fn.Name
}

// unreadable reports a policy that the engine could not parse.
func unreadable(fn *account.Function, err error) Finding {
	f := newFinding("LD110", fn.Config.RoleARN, "a policy of "+roleLabel(fn)+" could not be parsed", fn.ARN)
	f.Evidence = []Evidence{{Detail: err.Error()}}
	f.Advice = "Fix the policy document; until then the checks that need it cannot run."
	return f
}

func arnService(arn string) string { return account.ARNField(arn, 2) }

func arnRegionOr(arn, def string) string {
	if r := account.ARNField(arn, 3); r != "" {
		return r
	}
	return def
}

func arnAccountOr(arn, def string) string {
	if a := account.ARNField(arn, 4); a != "" {
		return a
	}
	return def
}
