package iamdata

import (
	"slices"
	"strings"
	"sync"
	"testing"
)

// Facts below are from the Service Authorization Reference pages
// list_amazondynamodb, list_amazonec2, list_amazoncloudwatchlogs,
// list_awsx-ray and list_awssecuritytokenservice.

func TestActionResourceTypes(t *testing.T) {
	tests := []struct {
		action    string
		wantTypes []string // names; "*" suffix means required
		needsStar bool
	}{
		{"dynamodb:Query", []string{"index", "table*"}, false},
		{"DynamoDB:query", []string{"index", "table*"}, false},
		{"ec2:CreateNetworkInterface", []string{"network-interface*", "security-group", "subnet*"}, false},
		{"logs:PutLogEvents", []string{"log-stream*"}, false},
		{"lambda:InvokeFunction", []string{"function*"}, false},
		{"xray:PutTraceSegments", nil, true},
		{"sts:GetCallerIdentity", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			a, ok := Action(tt.action)
			if !ok {
				t.Fatalf("Action(%q) not found", tt.action)
			}
			var got []string
			for _, rt := range a.ResourceTypes {
				n := rt.Name
				if rt.Required {
					n += "*"
				}
				got = append(got, n)
				if len(rt.ARNFormats) == 0 {
					t.Errorf("resource type %s has no ARN format", rt.Name)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.wantTypes) {
				t.Errorf("resource types: got %v, want %v", got, tt.wantTypes)
			}
			if a.NeedsStar() != tt.needsStar {
				t.Errorf("NeedsStar: got %v, want %v", a.NeedsStar(), tt.needsStar)
			}
		})
	}
}

func TestActionDetails(t *testing.T) {
	a, ok := Action("dynamodb:query")
	if !ok {
		t.Fatal("dynamodb:query not found")
	}
	if a.Service != "dynamodb" || a.Name != "Query" || a.AccessLevel != "Read" {
		t.Errorf("got %s:%s %q, want dynamodb:Query Read", a.Service, a.Name, a.AccessLevel)
	}
	if !slices.Contains(a.ConditionKeys, "dynamodb:LeadingKeys") {
		t.Errorf("condition keys %v lack dynamodb:LeadingKeys", a.ConditionKeys)
	}
	for _, rt := range a.ResourceTypes {
		if rt.Name == "table" && !slices.Contains(rt.ConditionKeys, "aws:ResourceTag/${TagKey}") {
			t.Errorf("table keys %v lack aws:ResourceTag/${TagKey}", rt.ConditionKeys)
		}
	}
}

func TestUnknown(t *testing.T) {
	for _, name := range []string{"dynamodb:Querry", "dynamo:Query", "Query", "", ":", "dynamodb:"} {
		if _, ok := Action(name); ok {
			t.Errorf("Action(%q) found, want unknown", name)
		}
	}
	if Service("dynamo") || !Service("DynamoDB") || !Service("sts") {
		t.Error("Service: wrong answer for dynamo/DynamoDB/sts")
	}
	if got := ServiceName("lambda"); got != "AWS Lambda" {
		t.Errorf("ServiceName(lambda) = %q, want AWS Lambda", got)
	}
}

func TestActions(t *testing.T) {
	got := Actions("logs:put*event?")
	if !slices.Equal(got, []string{"logs:PutLogEvents"}) {
		t.Errorf("Actions(logs:put*event?) = %v", got)
	}
	get := Actions("s3:Get*")
	if len(get) < 50 || !slices.Contains(get, "s3:GetObject") || slices.Contains(get, "s3:PutObject") {
		t.Errorf("Actions(s3:Get*) = %d names, want many incl. s3:GetObject, no s3:PutObject", len(get))
	}
	if got := Actions("sts:*"); !slices.Contains(got, "sts:AssumeRole") || !slices.Contains(got, "sts:GetCallerIdentity") {
		t.Errorf("Actions(sts:*) = %v", got)
	}
	if got := Actions("*:GetCallerIdentity"); !slices.Equal(got, []string{"sts:GetCallerIdentity"}) {
		t.Errorf("Actions(*:GetCallerIdentity) = %v", got)
	}
	if got := Actions("dynamodb:Querry*"); len(got) != 0 {
		t.Errorf("Actions(dynamodb:Querry*) = %v, want none", got)
	}
	if n := len(Actions("*")); n < 15000 {
		t.Errorf("Actions(*) = %d names, want all (>15000)", n)
	}
}

func TestConditionKeyType(t *testing.T) {
	tests := []struct{ key, want string }{
		{"aws:SourceArn", "ARN"},
		{"aws:sourcearn", "ARN"},
		{"aws:PrincipalArn", "ARN"},
		{"aws:TagKeys", "ArrayOfString"},
		{"aws:PrincipalOrgPaths", "ArrayOfString"},
		{"aws:SourceIp", "IPAddress"},
		{"aws:CurrentTime", "Date"},
		{"aws:SecureTransport", "Bool"},
		{"aws:MultiFactorAuthAge", "Numeric"},
		{"aws:PrincipalTag/team", "String"},
		{"aws:ResourceTag/env", "String"},
		{"dynamodb:LeadingKeys", "ArrayOfString"},
		{"dynamodb:Select", "String"},
		{"s3:ExistingObjectTag/team", "String"},
		{"s3:BucketTag/team", "String"},
		{"lambda:SourceFunctionArn", "ARN"},
		{"kms:EncryptionContextKeys", "ArrayOfString"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, ok := ConditionKeyType(tt.key)
			if !ok || got != tt.want {
				t.Errorf("got %q %v, want %q", got, ok, tt.want)
			}
		})
	}
	for _, k := range []string{"aws:NoSuchKey", "aws:PrincipalTag/", "dynamodb:NoSuchKey", "nosvc:Key", "plain"} {
		if got, ok := ConditionKeyType(k); ok {
			t.Errorf("ConditionKeyType(%q) = %q, want unknown", k, got)
		}
	}
}

func TestResourceARN(t *testing.T) {
	got := ResourceARN("logs", "log-stream")
	want := []string{"arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ResourceARN("logs", "nope"); got != nil {
		t.Errorf("unknown type: got %v", got)
	}
}

func TestResourceTypeOf(t *testing.T) {
	tests := []struct {
		action, arn, want string
	}{
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:111122223333:table/Orders", "table"},
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/byDate", "index"},
		{"logs:PutLogEvents", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/fn:log-stream:2024/01/01/[$LATEST]abc", "log-stream"},
		{"logs:PutRetentionPolicy", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/fn", "log-group"},
		{"s3:GetObject", "arn:aws:s3:::my-bucket/a/b:c.txt", "object"},
		{"s3:ListBucket", "arn:aws:s3:::my-bucket", "bucket"},
		{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:111122223333:function:fn", "function"},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:orders", "queue"},
		{"iam:PassRole", "arn:aws:iam::111122223333:role/service-role/exec", "role"},
	}
	for _, tt := range tests {
		t.Run(tt.action+" "+tt.arn, func(t *testing.T) {
			got, ok := ResourceTypeOf(tt.action, tt.arn)
			if !ok || got != tt.want {
				t.Errorf("got %q %v, want %q", got, ok, tt.want)
			}
		})
	}
	for _, tt := range [][2]string{
		{"dynamodb:Query", "arn:aws:s3:::bucket"},
		{"sts:GetCallerIdentity", "*"},
		{"dynamodb:Querry", "arn:aws:dynamodb:us-east-1:111122223333:table/Orders"},
		{"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:111122223333:function:"},
	} {
		if got, ok := ResourceTypeOf(tt[0], tt[1]); ok {
			t.Errorf("ResourceTypeOf(%q, %q) = %q, want no match", tt[0], tt[1], got)
		}
	}
}

// The embedded index is read strictly: a damaged one is refused, and every
// service it lists decompresses to its stated size.
func TestIndex(t *testing.T) {
	svcs, pfx, ver, err := parseIndex(blob)
	if err != nil || len(svcs) < 400 || len(pfx) != len(svcs) || ver == "" {
		t.Fatalf("got %d services, %d prefixes, version %q, %v", len(svcs), len(pfx), ver, err)
	}
	for _, p := range pfx {
		if got := len(svcs[p].text()); got != svcs[p].size {
			t.Errorf("%s: %d bytes, want %d", p, got, svcs[p].size)
		}
	}
	head, _, _ := strings.Cut(blob, "\n\n")
	for name, bad := range map[string]string{
		"no blank line":  head,
		"no magic":       strings.TrimPrefix(blob, "IAMDATA\t2\n"),
		"bad number":     strings.Replace(blob, "\tAWS App2Container\t0\t", "\tAWS App2Container\tx\t", 1),
		"past the end":   head + "\nS\tzz\tZ\t0\t99999999\t1\n\n",
		"negative":       strings.Replace(blob, "\tAWS App2Container\t0\t", "\tAWS App2Container\t-1\t", 1),
		"unknown record": strings.Replace(blob, "V\t", "Q\t", 1),
	} {
		if _, _, _, err := parseIndex(bad); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestVersion(t *testing.T) {
	if Version() == "" {
		t.Error("no version in the embedded data")
	}
}

func TestWildMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"*", "", true}, {"a*", "a", true}, {"a?", "a", false}, {"*b", "ab", true},
		{"a*b*c", "axxbyyc", true}, {"a*b*c", "axxbyy", false}, {"??", "ab", true},
	}
	for _, tt := range tests {
		if got := wildMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("wildMatch(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

// BenchmarkIndex measures the first use of any lookup: reading the index.
func BenchmarkIndex(b *testing.B) {
	for b.Loop() {
		if _, _, _, err := parseIndex(blob); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFirstUse is the first lookup of an action: the index, then one
// service decompressed and parsed.
func BenchmarkFirstUse(b *testing.B) {
	for i := 0; i < b.N; i++ {
		loadOnce = sync.Once{}
		services, prefixes = nil, nil
		if _, ok := Action("dynamodb:Query"); !ok {
			b.Fatal("dynamodb:Query not found")
		}
	}
}

func BenchmarkParseAll(b *testing.B) {
	for i := 0; i < b.N; i++ {
		loadOnce = sync.Once{}
		services, prefixes = nil, nil
		if n := len(Actions("*")); n == 0 {
			b.Fatal("no actions")
		}
	}
}

func BenchmarkAction(b *testing.B) {
	Action("dynamodb:Query")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := Action("dynamodb:Query"); !ok {
			b.Fatal("not found")
		}
	}
}
