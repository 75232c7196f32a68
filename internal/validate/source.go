package validate

import (
	"strings"

	"github.com/lambda-doctor/lambda-doctor/simulate/iamdata"
)

// Source is a checked --source-arn.
type Source struct {
	ARN ARN
	// Service is the service whose resource invokes the function, e.g. "sns".
	Service string
	// Principals are the service principals that invoke Lambda with a
	// SourceArn of this service, e.g. sns.amazonaws.com; empty for a
	// service this package does not know as an invoker (Known is false).
	Principals []string
	Known      bool
}

// invokers are the services that call lambda:InvokeFunction under their
// service principal with the ARN of one of their resources as
// aws:SourceArn, with the resource types that can be that source (Lambda DG
// pages of each service, "Using resource-based policies for Lambda"); the
// probe action is one whose resource types in the service authorization
// reference include those types, so the ARN's shape is checked against
// AWS's own formats.
var invokers = map[string]struct {
	principals []string
	probe      string
	types      []string
	// colons: the resource part may hold more colons than the type's
	// format, as log groups are given with ":*" (Lambda DG, services-cloudwatchlogs).
	colons bool
}{
	"s3":                   {[]string{"s3.amazonaws.com"}, "s3:ListBucket", []string{"bucket"}, false},
	"sns":                  {[]string{"sns.amazonaws.com"}, "sns:Publish", []string{"topic"}, false},
	"events":               {[]string{"events.amazonaws.com"}, "events:PutRule", []string{"rule-on-default-event-bus", "rule-on-custom-event-bus"}, false},
	"execute-api":          {[]string{"apigateway.amazonaws.com"}, "execute-api:Invoke", []string{"execute-api-general"}, false},
	"logs":                 {[]string{"logs.amazonaws.com", "logs.REGION.amazonaws.com"}, "logs:PutSubscriptionFilter", []string{"log-group"}, true},
	"cognito-idp":          {[]string{"cognito-idp.amazonaws.com"}, "cognito-idp:DescribeUserPool", []string{"userpool"}, false},
	"elasticloadbalancing": {[]string{"elasticloadbalancing.amazonaws.com"}, "elasticloadbalancing:RegisterTargets", []string{"targetgroup"}, false},
	"secretsmanager":       {[]string{"secretsmanager.amazonaws.com"}, "secretsmanager:RotateSecret", []string{"Secret"}, false},
	"cloudfront":           {[]string{"cloudfront.amazonaws.com"}, "cloudfront:GetDistribution", []string{"distribution"}, false},
	"iot":                  {[]string{"iot.amazonaws.com"}, "iot:GetTopicRule", []string{"rule"}, false},
}

// pollers are read by event source mappings, which invoke with the
// execution role and no function policy: a source ARN does not apply.
var pollers = map[string]string{
	"sqs": "SQS queue", "kinesis": "Kinesis stream", "dynamodb": "DynamoDB stream", "kafka": "MSK cluster", "mq": "Amazon MQ broker", "rds": "DocumentDB cluster",
}

// SourceARN checks a --source-arn: a well-formed ARN, and, for the services
// known to invoke Lambda under their service principal, one of the resource
// types that can be the source (an SNS topic, not an SNS subscription).
// ARNs of principals (IAM, STS) and of event-source-mapping sources (SQS,
// Kinesis, DynamoDB streams, MSK, MQ, DocumentDB) are refused with the
// reason; other services pass with Known false.
func SourceARN(s string) (Source, error) {
	a, err := ParseARN(s)
	if err != nil {
		e := err.(*Error)
		e.What = "source ARN"
		return Source{}, e
	}
	src := Source{ARN: a, Service: a.Service}
	switch a.Service {
	case "iam", "sts":
		return src, errorf("source ARN", s, "%s is a principal, not the resource that invokes: pass it as --caller", show(s))
	}
	if what, ok := pollers[a.Service]; ok {
		return src, errorf("source ARN", s, "%s is a %s, read by an event source mapping with the execution role: no source ARN or function policy is involved", show(s), what)
	}
	inv, ok := invokers[a.Service]
	if !ok {
		return src, nil
	}
	typ, ok := iamdata.ResourceTypeOf(inv.probe, s)
	good := false
	for _, t := range inv.types {
		if !ok || !strings.EqualFold(t, typ) {
			continue
		}
		// The reference's formats match loosely across colons; a topic
		// name holds none, so a subscription ARN (topic:ID) is no topic.
		for _, f := range iamdata.ResourceARN(a.Service, t) {
			if fa := strings.SplitN(f, ":", 6); len(fa) == 6 && (inv.colons || strings.Count(a.Resource, ":") <= strings.Count(fa[5], ":")) {
				good = true
			}
		}
	}
	if !good {
		var want []string
		for _, t := range inv.types {
			want = append(want, iamdata.ResourceARN(a.Service, t)...)
		}
		return src, errorf("source ARN", s, "%s is not a %s resource that invokes Lambda: want %s", show(s), a.Service, strings.Join(want, " or "))
	}
	src.Known = true
	for _, p := range inv.principals {
		if strings.Contains(p, "REGION") {
			if a.Region == "" {
				continue
			}
			p = strings.Replace(p, "REGION", a.Region, 1)
		}
		src.Principals = append(src.Principals, p)
	}
	return src, nil
}

// Invoker checks that a caller and a source ARN given together agree: a
// service principal must be the one that invokes with sources of that
// service (s3.amazonaws.com with an S3 bucket, not an SNS topic).
func Invoker(p ParsedPrincipal, src Source) error {
	if p.Kind != Service || !src.Known {
		return nil
	}
	for _, q := range src.Principals {
		if q == p.Value {
			return nil
		}
	}
	return errorf("principal", p.Value, "--source-arn names a %s resource, which %s invokes with, not %s", src.Service, strings.Join(src.Principals, " or "), show(p.Value))
}
