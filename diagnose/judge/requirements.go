package judge

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
	"github.com/lambda-doctor/lambda-doctor/simulate/iamdata"
)

// Rule is a requirement rule: its stable id (a public interface: CI
// configurations ignore findings by id), a short name, and the AWS
// documentation page that states the requirement.
type Rule struct {
	ID   string
	Name string
	Doc  string
}

// The requirement rules. LD0xx ids are `check`'s required-permission
// findings; `diagnose` reports the same ids in its JSON ("rule").
const (
	RuleLogs        = "LD001"
	RuleVPC         = "LD002"
	RuleEventSource = "LD003"
	RuleDeadLetter  = "LD004"
	RuleDestination = "LD005"
	RuleXRay        = "LD006"
	RuleKMSEnv      = "LD007"
	RuleEFS         = "LD008"
	RuleLayer       = "LD009"
	RuleImage       = "LD010"
	RuleTrust       = "LD011"
	RuleInvoker     = "LD012"
	// RuleKMSSender comes after the causes (LD013-LD018), which took the
	// ids before it.
	RuleKMSSender = "LD019"
)

var rules = []Rule{
	{RuleLogs, "logs-permission", "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html"},
	{RuleVPC, "vpc-permission", "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html"},
	{RuleEventSource, "event-source-permission", "https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html"},
	{RuleDeadLetter, "dead-letter-permission", "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq"},
	{RuleDestination, "destination-permission", "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html"},
	{RuleXRay, "xray-permission", "https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html"},
	{RuleKMSEnv, "kms-env-permission", "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html"},
	{RuleEFS, "efs-permission", "https://docs.aws.amazon.com/lambda/latest/dg/configuration-filesystem.html"},
	{RuleLayer, "cross-account-layer", "https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html"},
	{RuleImage, "cross-account-image", "https://docs.aws.amazon.com/lambda/latest/dg/images-create.html"},
	{RuleTrust, "trust-lambda", "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html"},
	{RuleInvoker, "invoke-permission", "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"},
	// The causes that are not, or not only, a missing grant (Causes).
	{RuleFunctionFailed, "function-failed", docStates},
	{RuleLayerUnusable, "layer-unusable", docLayers},
	{RuleKeyState, "kms-key-state", docKeyState},
	{RuleDeletedPrincipal, "deleted-principal", docPrincipals},
	{RuleImageRegion, "image-region", docImages},
	{RuleESMNotARN, "esm-not-arn", docESM},
	{RuleKMSSender, "kms-sender-permission", "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-custom-sender-triggers.html"},
	{RuleRoleNotFound, "role-not-found", docRole},
}

// lambdaMakes are the requirements whose calls Lambda makes itself on the
// function's behalf, outside the execution environment (Call.ByLambda):
// logs (Lambda DG lambda-intro-execution-role names CloudWatch logging),
// network interfaces (Lambda DG configuration-vpc: Lambda creates them with
// the execution role), event source polling (Lambda DG
// invocation-eventsourcemapping: "Lambda uses the execution role to read
// event data"), dead-letter and destination delivery (Lambda DG
// invocation-async-retain-records: Lambda sends the records), and the
// environment's decryption (Lambda DG lambda-intro-execution-role). X-Ray
// segments and EFS mounts are made from inside the environment and keep the
// code's context.
var lambdaMakes = map[string]bool{RuleLogs: true, RuleVPC: true, RuleEventSource: true, RuleDeadLetter: true,
	RuleDestination: true, RuleKMSEnv: true}

// Rules returns the requirement rules, ordered by id.
func Rules() []Rule { return append([]Rule(nil), rules...) }

// RuleByID returns the requirement rule with id.
func RuleByID(id string) (Rule, bool) {
	for _, r := range rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Requirement is one thing a function's configuration requires of its
// doors: calls its execution role must be able to make (Door Outbound or
// Logs), Lambda assuming the role (Trust), or an invoker the account shows
// that the function must admit (Inbound).
type Requirement struct {
	Rule string // one of the Rule* ids
	// Need says what the function needs, as a phrase after "cannot":
	// "write logs to /aws/lambda/f", "poll the SQS queue ARN", "be invoked
	// by s3.amazonaws.com from arn:aws:s3:::b".
	Need    string
	Door    Door
	Calls   []Call   // Outbound, Logs
	Invoker *Invoker // Inbound
	// Source says what in the configuration or the account asks for it
	// ("event source mapping ARN", "s3 trigger ARN", "statement \"Sid\"").
	Source string
	// Notes are facts found while deriving it (a statement that names a
	// principal AWS never sends...).
	Notes []string
	// Outside, when set, names the document that decides the requirement
	// when the model does not hold it (another account's layer permissions,
	// an ECR repository policy): it is reported, never judged, and Judge
	// returns nil. Owner says who controls that document.
	Outside string
	Owner   string
	// Unresolved are the markers (values a template does not give, see
	// Markers) the requirement itself hangs on: what it asks of the doors
	// cannot be said (a dead-letter target whose service is a parameter).
	// Judge returns an undecided verdict naming them.
	Unresolved []string
	// If is a marker the requirement exists only for some values of (a
	// tracing mode from a condition): an open door holds either way, a
	// door that is not open is undecided.
	If string
	// At is the template resource that asks for it (the trigger's wiring),
	// when the model was read from a template and it is not the function
	// itself.
	At *account.Location
}

// Judge judges r on fn: nil for a requirement decided Outside the model.
// The verdict carries r.Rule.
func Judge(fn *account.Function, r Requirement) *Verdict {
	var v *Verdict
	switch {
	case r.Outside != "":
		return nil
	case len(r.Unresolved) > 0:
		v = &Verdict{Door: r.Door, Unknown: true, Calls: r.Calls, Invoker: r.Invoker}
		if r.Door == Outbound && len(r.Calls) == 1 {
			v.Call, v.Calls = &r.Calls[0], nil
		}
		v.addUnresolved(fn, r.Unresolved...)
	case r.Door == Trust:
		v = CheckTrust(fn)
	case r.Door == Logs:
		v = checkCalls(fn, Logs, r.Calls)
	case r.Door == Inbound:
		v = CheckInbound(fn, *r.Invoker)
	default:
		v = CheckOutboundAll(fn, r.Calls)
	}
	if r.If != "" && !v.Open() && !v.Unknown {
		// Required only for some values of r.If.
		v.Unknown = true
		v.Ambiguous, v.Otherwise = nil, ""
		v.addUnresolved(fn, r.If)
	}
	v.Rule = r.Rule
	return v
}

// Requirements is the one list of what fn's configuration requires, each
// with the rule that reports it and the AWS documentation that states it:
// the logs, VPC, event source, dead-letter, destination, X-Ray, KMS (the
// environment's key, a Cognito custom sender's key) and EFS permissions of
// the execution role, Lambda's trust, every invoker the
// account shows (triggers, public function URLs, and the invokes the
// resource policy's statements are meant for), and the layers and images
// of other accounts.
func Requirements(fn *account.Function) []Requirement {
	var out []Requirement
	add := func(r Requirement) {
		if lambdaMakes[r.Rule] {
			for i := range r.Calls {
				r.Calls[i].ByLambda = true
			}
		}
		out = append(out, r)
	}
	part, region, acct := fn.PartitionName(), fn.Region, fn.Account
	ec2ARN := func(res string) string { return fmt.Sprintf("arn:%s:ec2:%s:%s:%s", part, region, acct, res) }
	calls := func(why string, resource string, actions ...string) []Call {
		var cs []Call
		for _, a := range actions {
			cs = append(cs, Call{Action: a, Resource: GrantResource(a, resource), Why: why})
		}
		return cs
	}

	// The runtime writes the function's logs with the execution role
	// (LogCalls).
	add(Requirement{Rule: RuleLogs, Door: Logs, Need: "write logs to " + LogGroupName(fn), Calls: LogCalls(fn),
		Source: "the function's logging permissions"})

	// VPC: Lambda creates and manages the function's network interfaces with
	// the execution role: ec2:CreateNetworkInterface, DescribeNetworkInterfaces
	// (only on "Resource": "*"), DeleteNetworkInterface, AssignPrivateIpAddresses,
	// UnassignPrivateIpAddresses (Lambda DG configuration-vpc, and the
	// AWSLambdaVPCAccessExecutionRole managed policy).
	if v := fn.Config.VPC; v != nil && len(v.SubnetIDs) > 0 {
		why := "the function is attached to a VPC"
		var cs []Call
		for _, s := range v.SubnetIDs {
			cs = append(cs, Call{Action: "ec2:CreateNetworkInterface", Resource: ec2ARN("subnet/" + s), Why: why})
		}
		for _, g := range v.SecurityGroupIDs {
			cs = append(cs, Call{Action: "ec2:CreateNetworkInterface", Resource: ec2ARN("security-group/" + g), Why: why})
		}
		eni := ec2ARN("network-interface/*")
		cs = append(cs, Call{Action: "ec2:CreateNetworkInterface", Resource: eni, Why: why})
		cs = append(cs, calls(why, "*", "ec2:DescribeNetworkInterfaces")...)
		cs = append(cs, calls(why, eni, "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses")...)
		add(Requirement{Rule: RuleVPC, Door: Outbound, Need: "manage network interfaces in VPC " + v.VPCID, Calls: cs,
			Source: "the function's VPC configuration (" + v.VPCID + ")"})
	}

	for _, es := range fn.EventSources {
		if r, ok := eventSourceRequirement(fn, es, calls, ec2ARN); ok {
			r.Calls = append(r.Calls, ResourceKeyCalls(fn, es.EventSourceARN, false, "event source mapping "+es.UUID)...)
			add(r)
		} else if m := serviceMarkers(es.EventSourceARN); len(m) > 0 {
			add(Requirement{Rule: RuleEventSource, Door: Outbound, Need: "read the event source " + es.EventSourceARN,
				Source: "event source mapping " + es.EventSourceARN, Unresolved: m})
		}
	}

	// Dead-letter queue or topic: sqs:SendMessage / sns:Publish (Lambda DG
	// invocation-async-retain-records, dead-letter queues).
	if t := fn.Config.DeadLetterTarget; t != "" {
		r := Requirement{Rule: RuleDeadLetter, Door: Outbound, Need: "send discarded events to " + t,
			Source: "the function's dead-letter target " + t}
		if r.Calls = deliveryCalls(t, "the function's dead-letter target", false); len(r.Calls) > 0 {
			r.Calls = append(r.Calls, ResourceKeyCalls(fn, t, true, "the function's dead-letter target")...)
			add(r)
		} else if m := serviceMarkers(t); len(m) > 0 {
			r.Unresolved = m
			add(r)
		}
	}

	// Async destinations: sqs:SendMessage, sns:Publish, lambda:InvokeFunction,
	// events:PutEvents; S3 (on failure only) s3:PutObject and s3:ListBucket
	// (Lambda DG invocation-async-retain-records).
	for _, ac := range fn.AsyncConfigs {
		for _, d := range []struct{ dest, kind string }{{ac.OnSuccess, "on-success"}, {ac.OnFailure, "on-failure"}} {
			if d.dest == "" {
				continue
			}
			why := d.kind + " destination"
			if ac.Qualifier != "" {
				why += " of " + ac.Qualifier
			}
			r := Requirement{Rule: RuleDestination, Door: Outbound, Need: "deliver " + d.kind + " records to " + d.dest,
				Source: "the " + why + " " + d.dest}
			if r.Calls = deliveryCalls(d.dest, why, true); len(r.Calls) > 0 {
				r.Calls = append(r.Calls, ResourceKeyCalls(fn, d.dest, true, why)...)
				add(r)
			} else if m := serviceMarkers(d.dest); len(m) > 0 {
				r.Unresolved = m
				add(r)
			}
		}
	}

	// Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords
	// (Lambda DG services-xray, and the AWSXRayDaemonWriteAccess managed
	// policy).
	if tm := fn.Config.TracingMode; strings.EqualFold(tm, "Active") || account.HasMarker(tm) {
		r := Requirement{Rule: RuleXRay, Door: Outbound, Need: "send traces to X-Ray",
			Calls:  calls("tracing mode Active", "*", "xray:PutTraceSegments", "xray:PutTelemetryRecords"),
			Source: "the function's Active tracing"}
		if account.HasMarker(tm) {
			r.If = Markers(tm)[0]
			r.Source = "the function's tracing mode " + tm + " (Active for some values)"
		}
		add(r)
	}

	// Environment variables encrypted with a customer managed key (Lambda DG
	// configuration-envvars-encryption): Lambda decrypts them with the
	// execution role's session (EnvDecryptCall).
	if k := fn.Config.KMSKeyARN; k != "" {
		add(Requirement{Rule: RuleKMSEnv, Door: Outbound, Need: "decrypt environment variables with " + k,
			Calls:  []Call{EnvDecryptCall(fn, k)},
			Source: "the environment's customer managed key " + k})
	}

	// A Cognito custom email or SMS sender trigger receives the codes it
	// must deliver encrypted with the user pool's KMS key: the function's
	// code decrypts them (AWS Encryption SDK) with its execution role,
	// kms:Decrypt on that key (Cognito DG, "Custom sender Lambda triggers":
	// "The Lambda functions must decrypt codes in the events"; a symmetric
	// KMS key is used by calling AWS KMS). One requirement per key.
	senderKeys := map[string]bool{}
	for _, t := range fn.Triggers {
		k := t.KMSKeyARN
		if k == "" || senderKeys[k] {
			continue
		}
		senderKeys[k] = true
		add(Requirement{Rule: RuleKMSSender, Door: Outbound, Need: "decrypt the codes Cognito sends with " + k,
			Calls: []Call{{Action: "kms:Decrypt", Resource: k, Why: "the function decrypts the codes of the " + t.Kind + " trigger " + t.SourceARN,
				Context: simulate.Context{"kms:CallerAccount": single(ARNAccount(fn.Config.RoleARN, fn.Account))}}},
			Source: triggerSource(t) + ", whose codes are encrypted with " + k, At: t.Source})
	}

	// EFS access points: elasticfilesystem:ClientMount, and ClientWrite unless
	// the mount is read-only. The function's configuration names the access
	// point, not the file system, so the request names every file system of
	// the account and region with the access point as context (Lambda DG
	// configuration-filesystem).
	for _, f := range fn.Config.FileSystems {
		fs := fmt.Sprintf("arn:%s:elasticfilesystem:%s:%s:file-system/*", part, orDefault(ARNRegion(f.ARN), region), ARNAccount(f.ARN, acct))
		ctx := simulate.Context{"elasticfilesystem:AccessPointArn": {Values: []string{f.ARN}}}
		cs := calls("file system mounted at "+f.LocalMountPath, fs, "elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")
		for i := range cs {
			cs[i].Context = ctx
		}
		add(Requirement{Rule: RuleEFS, Door: Outbound, Need: "mount the EFS access point " + f.ARN, Calls: cs,
			Source: "the file system mounted at " + f.LocalMountPath})
	}

	// Lambda must be able to assume the execution role (Lambda DG
	// lambda-intro-execution-role).
	add(Requirement{Rule: RuleTrust, Door: Trust, Need: "be assumed by Lambda",
		Source: "the execution role's trust policy"})

	out = append(out, invokerRequirements(fn)...)
	out = append(out, artifactRequirements(fn)...)
	return out
}

func eventSourceRequirement(fn *account.Function, es account.EventSource, calls func(string, string, ...string) []Call, ec2ARN func(string) string) (Requirement, bool) {
	arn := es.EventSourceARN
	why := "event source mapping " + es.UUID
	// networkCalls are what Lambda does in the source's VPC to reach a
	// broker or cluster: create and delete network interfaces, and look up
	// the network.
	networkCalls := func() []Call {
		eni := ec2ARN("network-interface/*")
		return append(calls(why, eni, "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"),
			calls(why, "*", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups")...)
	}
	r := Requirement{Rule: RuleEventSource, Door: Outbound, Source: "event source mapping " + arn}
	switch account.ARNField(arn, 2) {
	case "sqs":
		// Lambda DG services-sqs-configure, "Execution role permissions":
		// ReceiveMessage, DeleteMessage, GetQueueAttributes.
		r.Need = "poll the SQS queue " + arn
		r.Calls = calls(why, arn, "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
	case "kinesis":
		// Lambda DG services-kinesis-create: DescribeStream,
		// DescribeStreamSummary, GetRecords, GetShardIterator, ListShards;
		// SubscribeToShard for an enhanced fan-out consumer.
		stream, consumer, _ := strings.Cut(arn, "/consumer/")
		r.Need = "read the Kinesis stream " + stream
		r.Calls = calls(why, stream, "kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
			"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards")
		if consumer != "" {
			r.Calls = append(r.Calls, calls(why, arn, "kinesis:SubscribeToShard")...)
		}
	case "dynamodb":
		// Lambda DG services-dynamodb-eventsourcemapping: DescribeStream,
		// GetRecords, GetShardIterator, ListStreams.
		r.Need = "read the DynamoDB stream " + arn
		r.Calls = calls(why, arn, "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams")
	case "kafka":
		// Lambda DG with-msk-permissions: kafka:DescribeClusterV2,
		// kafka:GetBootstrapBrokers and the ENI actions for the cluster's VPC.
		r.Need = "read the MSK cluster " + arn
		r.Calls = append(calls(why, arn, "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers"), networkCalls()...)
	case "mq":
		// Lambda DG with-mq, "Execution role permissions": mq:DescribeBroker,
		// the ENI actions for the broker's VPC, and secretsmanager:GetSecretValue
		// on the broker's credentials, which the model does not name.
		r.Need = "read the Amazon MQ broker " + arn
		r.Calls = append(calls(why, arn, "mq:DescribeBroker"), networkCalls()...)
		r.Notes = append(r.Notes, "the broker's credentials secret (secretsmanager:GetSecretValue) is not in the model and was not judged")
	case "rds":
		// Amazon DocumentDB change streams (Lambda DG with-documentdb):
		// rds:DescribeDBClusters on the cluster, the ENI actions, and
		// rds:DescribeDBClusterParameters, rds:DescribeDBSubnetGroups and the
		// cluster's secret, whose resources the model does not name.
		r.Need = "read the Amazon DocumentDB change stream of " + arn
		r.Calls = append(calls(why, arn, "rds:DescribeDBClusters"), networkCalls()...)
		r.Notes = append(r.Notes, "rds:DescribeDBClusterParameters, rds:DescribeDBSubnetGroups and the cluster's secret (secretsmanager:GetSecretValue) name resources the model does not hold and were not judged")
	default:
		return r, false
	}
	return r, true
}

// serviceMarkers are the markers that stand where an ARN's service is (a
// whole ARN from a parameter or an import): what calls reach it cannot be
// said.
func serviceMarkers(arn string) []string {
	if svc := account.ARNField(arn, 2); svc != "" && !account.HasMarker(svc) {
		return nil
	}
	return Markers(arn)
}

// deliveryCalls are the calls that deliver a record to target.
func deliveryCalls(target, why string, destination bool) []Call {
	one := func(action, res string) Call { return Call{Action: action, Resource: res, Why: why} }
	switch account.ARNField(target, 2) {
	case "sqs":
		return []Call{one("sqs:SendMessage", target)}
	case "sns":
		return []Call{one("sns:Publish", target)}
	}
	if !destination {
		return nil
	}
	switch account.ARNField(target, 2) {
	case "lambda":
		return []Call{one("lambda:InvokeFunction", target)}
	case "events":
		return []Call{one("events:PutEvents", target)}
	case "s3":
		bucket := strings.TrimSuffix(target, "/")
		return []Call{one("s3:PutObject", bucket+"/*"), one("s3:ListBucket", bucket)}
	}
	return nil
}

// artifactRequirements are the layers (Lambda DG
// permissions-layer-cross-account) and the container image (Lambda DG
// images-create, cross-account ECR) of other accounts: their owners' grants
// are not in the model.
func artifactRequirements(fn *account.Function) []Requirement {
	var out []Requirement
	for _, l := range fn.Config.Layers {
		owner := account.ARNField(l, 4)
		if owner == "" || owner == fn.Account {
			continue
		}
		out = append(out, Requirement{Rule: RuleLayer, Need: "use layer " + LayerName(l) + " of account " + owner,
			Source: "layer " + l, Owner: owner,
			Outside: fmt.Sprintf("the layer's permissions in account %s (lambda:GetLayerVersion for account %s, granted with aws lambda add-layer-version-permission), which lambda-doctor does not read", owner, fn.Account)})
	}
	if strings.EqualFold(fn.Config.PackageType, "Image") && fn.Config.ImageURI != "" {
		owner, _, _ := strings.Cut(fn.Config.ImageURI, ".")
		if account.IsAccountID(owner) && owner != fn.Account {
			out = append(out, Requirement{Rule: RuleImage, Need: "pull its container image from a repository of account " + owner,
				Source: "the container image " + fn.Config.ImageURI, Owner: owner,
				Outside: fmt.Sprintf("the ECR repository policy in account %s (ecr:BatchGetImage and ecr:GetDownloadUrlForLayer for lambda.amazonaws.com with aws:sourceARN arn:%s:lambda:%s:%s:function:*, and for account %s), which lambda-doctor does not read",
					owner, fn.PartitionName(), fn.Region, fn.Account, fn.Account)})
		}
	}
	return out
}

// LayerName is a layer version ARN's NAME:VERSION.
func LayerName(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) >= 7 {
		return strings.Join(parts[6:], ":")
	}
	return arn
}

// GrantResource is the Resource of a grant: the request's resource, or "*"
// for an action that accepts no resource-level permission (IAM service
// authorization reference, via iamdata).
func GrantResource(action, resource string) string {
	if a, ok := iamdata.Action(action); ok && a.NeedsStar() {
		return "*"
	}
	return resource
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
