package main

import (
	"fmt"
	"strings"
)

const (
	acctA = "111122223333" // the caller's account
	acctB = "444455556666" // another account of the organization
	acctC = "777788889999" // an account outside it
	orgID = "o-a1b2c3d4e5"
)

var orgPaths = []string{"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/", "o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/"}

// profile is one kind of resource with the actions that act on it.
type profile struct {
	service   string
	actions   []string
	names     []string // resource names; the ARN uses one of them
	arn       func(region, acct, name string) string
	global    bool // no region or account in the ARN (S3)
	resPolicy bool // the resource can have a resource-based policy
	always    bool // the resource policy is always there (KMS key policy, role trust policy)
	callers   []string
	// keys are service keys the request may carry: name -> value choices.
	keys map[string][]any
}

func arnf(service, format string) func(region, acct, name string) string {
	return func(region, acct, name string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, region, acct, fmt.Sprintf(format, name))
	}
}

var profiles = []*profile{
	{
		service: "dynamodb",
		actions: []string{"Query", "GetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchGetItem", "BatchWriteItem", "Scan", "DescribeTable", "ConditionCheckItem"},
		names:   []string{"Orders", "orders", "Orders-prod", "Customers"},
		arn:     arnf("dynamodb", "table/%s"), resPolicy: true,
		keys: map[string][]any{
			"dynamodb:LeadingKeys":  {[]string{"alice"}, []string{"alice", "bob"}, []string{}, []string{"AIDAEXAMPLEUSERID"}},
			"dynamodb:Attributes":   {[]string{"id", "status"}, []string{"id"}, []string{"id", "status", "secret"}, []string{}},
			"dynamodb:Select":       {"SPECIFIC_ATTRIBUTES", "ALL_ATTRIBUTES"},
			"dynamodb:ReturnValues": {"NONE", "ALL_OLD", "UPDATED_NEW"},
			"aws:ResourceTag/team":  {"orders", "payments"},
			"aws:ResourceTag/env":   {"prod", "dev"},
		},
	},
	{
		service: "dynamodb", actions: []string{"Query", "Scan"},
		names: []string{"Orders/index/byDate", "Orders/index/by-customer"},
		arn:   arnf("dynamodb", "table/%s"), resPolicy: true,
		keys: map[string][]any{"dynamodb:Select": {"ALL_PROJECTED_ATTRIBUTES", "COUNT"}},
	},
	{
		service: "dynamodb", actions: []string{"GetRecords", "GetShardIterator", "DescribeStream"},
		names: []string{"Orders/stream/2024-06-01T00:00:00.000"},
		arn:   arnf("dynamodb", "table/%s"), callers: []string{"lambda.amazonaws.com"},
	},
	{
		service: "s3", actions: []string{"GetObject", "PutObject", "DeleteObject", "GetObjectTagging"},
		names:  []string{"uploads-bucket/alice/report.csv", "uploads-bucket/bob/a.json", "uploads-bucket/public/index.html", "Uploads-Bucket/alice/x", "orders-archive/2024/06/01/orders.json.gz"},
		arn:    func(_, _, name string) string { return "arn:aws:s3:::" + name },
		global: true, resPolicy: true,
		callers: []string{"cloudtrail.amazonaws.com", "logging.s3.amazonaws.com", "lambda.amazonaws.com"},
		keys: map[string][]any{
			"s3:ExistingObjectTag/team":       {"orders", "payments"},
			"s3:RequestObjectTag/team":        {"orders", "Orders"},
			"s3:RequestObjectTagKeys":         {[]string{"team"}, []string{"team", "env"}, []string{}},
			"s3:x-amz-acl":                    {"private", "public-read", "bucket-owner-full-control"},
			"s3:x-amz-server-side-encryption": {"aws:kms", "AES256"},
			"s3:TlsVersion":                   {"1.2", "1.3", "1.0"},
			"s3:signatureAge":                 {"600000", "300", "600001"},
			"s3:authType":                     {"REST-HEADER", "REST-QUERY-STRING"},
			"s3:ResourceAccount":              {acctA, acctB},
		},
	},
	{
		service: "s3", actions: []string{"ListBucket", "GetBucketLocation", "GetBucketPolicy"},
		names:  []string{"uploads-bucket", "orders-archive", "Uploads-Bucket"},
		arn:    func(_, _, name string) string { return "arn:aws:s3:::" + name },
		global: true, resPolicy: true,
		keys: map[string][]any{
			"s3:prefix":     {"alice/", "bob/", "", "public/", "Alice/"},
			"s3:delimiter":  {"/"},
			"s3:max-keys":   {"1000", "10", "1001"},
			"s3:TlsVersion": {"1.2", "1.3"},
		},
	},
	{
		service: "sqs", actions: []string{"SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes", "ChangeMessageVisibility"},
		names: []string{"orders-queue", "orders-dlq.fifo", "Orders-Queue"},
		arn:   arnf("sqs", "%s"), resPolicy: true,
		callers: []string{"sns.amazonaws.com", "events.amazonaws.com", "s3.amazonaws.com"},
		keys:    map[string][]any{"aws:ResourceTag/team": {"orders", "payments"}},
	},
	{
		service: "sns", actions: []string{"Publish", "Subscribe", "GetTopicAttributes"},
		names: []string{"alerts", "order-events", "Alerts"},
		arn:   arnf("sns", "%s"), resPolicy: true,
		callers: []string{"events.amazonaws.com", "s3.amazonaws.com", "cloudwatch.amazonaws.com"},
		keys: map[string][]any{
			"sns:Protocol":         {"sqs", "lambda", "email"},
			"sns:Endpoint":         {"arn:aws:sqs:us-east-1:111122223333:orders-queue", "ops@example.com"},
			"aws:ResourceTag/team": {"orders", "payments"},
		},
	},
	{
		service: "kms", actions: []string{"Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"},
		names: []string{"1234abcd-12ab-34cd-56ef-1234567890ab", "0987dcba-09fe-87dc-65ba-ab0987654321"},
		arn:   arnf("kms", "key/%s"), resPolicy: true, always: true,
		keys: map[string][]any{
			"kms:ViaService":            {"lambda.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com", "dynamodb.eu-west-1.amazonaws.com"},
			"kms:CallerAccount":         {acctA, acctB},
			"kms:EncryptionContextKeys": {[]string{"team"}, []string{"aws:lambda:FunctionArn"}, []string{"team", "env"}, []string{}},
			"kms:EncryptionAlgorithm":   {"SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_256"},
			"aws:ResourceTag/team":      {"orders"},
		},
	},
	{
		service: "logs", actions: []string{"CreateLogStream", "PutLogEvents"},
		names: []string{"/aws/lambda/order-handler:log-stream:2024/06/01/[$LATEST]0a1b2c3d", "/aws/lambda/payment-handler:log-stream:2024/06/01/[7]ffee"},
		arn:   arnf("logs", "log-group:%s"),
	},
	{
		service: "logs", actions: []string{"CreateLogGroup", "PutRetentionPolicy", "DescribeLogStreams"},
		names: []string{"/aws/lambda/order-handler", "/aws/lambda/payment-handler", "/ecs/orders"},
		arn:   arnf("logs", "log-group:%s"),
		keys:  map[string][]any{"aws:ResourceTag/team": {"orders"}},
	},
	{
		service: "lambda", actions: []string{"InvokeFunction", "GetFunction", "UpdateFunctionCode", "GetFunctionConfiguration"},
		names: []string{"order-handler", "payment-handler", "Order-Handler"},
		arn:   arnf("lambda", "function:%s"), resPolicy: true,
		callers: []string{"apigateway.amazonaws.com", "events.amazonaws.com", "s3.amazonaws.com", "sns.amazonaws.com", "elasticloadbalancing.amazonaws.com"},
		keys: map[string][]any{
			"lambda:EventSourceToken": {"token-123"},
			"aws:ResourceTag/team":    {"orders", "payments"},
		},
	},
	{
		service: "ec2", actions: []string{"CreateNetworkInterface"},
		names: []string{"subnet/subnet-0a1b2c3d4e5f60718", "subnet/subnet-0ffee0ffee0ffee00"},
		arn:   arnf("ec2", "%s"),
		keys: map[string][]any{
			"ec2:Vpc":              {"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0a1b2c3d", "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0ffee"},
			"ec2:SubnetID":         {"subnet-0a1b2c3d4e5f60718"},
			"ec2:AvailabilityZone": {"us-east-1a", "us-east-1b"},
			"ec2:Region":           {"us-east-1", "eu-west-1"},
			"aws:ResourceTag/team": {"orders"},
		},
	},
	{
		service: "ec2", actions: []string{"DeleteNetworkInterface"},
		names: []string{"network-interface/eni-0a1b2c3d4e5f60718"},
		arn:   arnf("ec2", "%s"),
		keys: map[string][]any{
			"ec2:Vpc":    {"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0a1b2c3d"},
			"ec2:Region": {"us-east-1"},
		},
	},
	{service: "ec2", actions: []string{"DescribeNetworkInterfaces", "DescribeSubnets"}, keys: map[string][]any{"ec2:Region": {"us-east-1", "eu-west-1"}}},
	{service: "xray", actions: []string{"PutTraceSegments", "PutTelemetryRecords"}},
	{service: "sts", actions: []string{"GetCallerIdentity"}},
	{
		service: "sts", actions: []string{"AssumeRole", "TagSession"},
		names:  []string{"role/order-processor-role", "role/service-role/fn-exec-role", "role/deploy-role"},
		arn:    func(_, acct, name string) string { return "arn:aws:iam::" + acct + ":" + name },
		global: true, resPolicy: true, always: true,
		callers: []string{"lambda.amazonaws.com", "ecs-tasks.amazonaws.com"},
		keys: map[string][]any{
			"sts:ExternalId":      {"ext-42", "EXT-42"},
			"sts:RoleSessionName": {"order-fn", "deploy"},
			"sts:SourceIdentity":  {"alice"},
			"aws:RequestTag/team": {"orders"},
			"aws:TagKeys":         {[]string{"team"}, []string{}, []string{"team", "cost"}},
		},
	},
	{
		service: "iam", actions: []string{"PassRole", "GetRole"},
		names:  []string{"role/order-processor-role", "role/service-role/fn-exec-role", "role/admin-role"},
		arn:    func(_, acct, name string) string { return "arn:aws:iam::" + acct + ":" + name },
		global: true,
		keys: map[string][]any{
			"iam:PassedToService":       {"lambda.amazonaws.com", "ec2.amazonaws.com"},
			"iam:AssociatedResourceArn": {"arn:aws:lambda:us-east-1:111122223333:function:order-handler"},
		},
	},
	{
		service: "secretsmanager", actions: []string{"GetSecretValue", "DescribeSecret"},
		names: []string{"prod/db-creds-AbCdEf", "dev/api-key-123456"},
		arn:   arnf("secretsmanager", "secret:%s"), resPolicy: true,
		keys: map[string][]any{
			"secretsmanager:VersionStage": {"AWSCURRENT", "AWSPREVIOUS"},
			"aws:ResourceTag/team":        {"orders"},
		},
	},
}

// otherActions are actions of other services, for statements that should not
// match by action.
var otherActions = []string{"s3:GetObject", "dynamodb:GetItem", "sqs:SendMessage", "sns:Publish", "kms:Decrypt",
	"logs:PutLogEvents", "lambda:InvokeFunction", "ec2:CreateNetworkInterface", "xray:PutTraceSegments",
	"sts:AssumeRole", "iam:PassRole", "secretsmanager:GetSecretValue"}

// rcpServices are the services resource control policies apply to that the
// profiles use (AWS Organizations User Guide, "Resource control policies":
// list of supported services).
var rcpServices = map[string]bool{"s3": true, "sqs": true, "kms": true, "sts": true, "secretsmanager": true, "dynamodb": true, "logs": true}

func flipCase(s string, i int) string {
	b := []byte(s)
	if i < 0 || i >= len(b) {
		return s
	}
	c := b[i]
	switch {
	case c >= 'a' && c <= 'z':
		b[i] = c - 32
	case c >= 'A' && c <= 'Z':
		b[i] = c + 32
	}
	return string(b)
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) >= 0
}
