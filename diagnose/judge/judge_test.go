package judge

import (
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

const acct = "111122223333"

// fnWith is a function whose role trusts Lambda and may write its logs.
func fnWith() *account.Function {
	role := &account.Role{
		ARN: "arn:aws:iam::111122223333:role/app-role", Name: "app-role",
		Trust:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		Inline: []account.InlinePolicy{{Name: "logs", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/app:*"}]}`}},
	}
	return &account.Function{
		ARN: "arn:aws:lambda:us-east-1:111122223333:function:app", Name: "app", Account: acct, Region: "us-east-1", Partition: "aws",
		Config: account.Config{RoleARN: role.ARN, Logging: account.Logging{LogGroup: "/aws/lambda/app"}},
		Role:   role,
	}
}

func ruleIDs(reqs []Requirement) string {
	var ids []string
	for _, r := range reqs {
		ids = append(ids, r.Rule)
	}
	return strings.Join(ids, ",")
}

// TestRequirementsFromConfiguration: each part of a function's
// configuration adds its requirement, with its rule, once.
func TestRequirementsFromConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*account.Function)
		want   string
	}{
		{"plain", func(*account.Function) {}, "LD001,LD011"},
		{"vpc", func(f *account.Function) {
			f.Config.VPC = &account.VPCConfig{VPCID: "vpc-1", SubnetIDs: []string{"subnet-1"}, SecurityGroupIDs: []string{"sg-1"}}
		}, "LD001,LD002,LD011"},
		{"event sources of every kind", func(f *account.Function) {
			for _, arn := range []string{"arn:aws:sqs:us-east-1:111122223333:q", "arn:aws:kinesis:us-east-1:111122223333:stream/s",
				"arn:aws:dynamodb:us-east-1:111122223333:table/T/stream/2026", "arn:aws:kafka:us-east-1:111122223333:cluster/c/u",
				"arn:aws:mq:us-east-1:111122223333:broker:b:b-1234", "arn:aws:rds:us-east-1:111122223333:cluster:docdb",
				"arn:aws:sns:us-east-1:111122223333:not-a-poller"} {
				f.EventSources = append(f.EventSources, account.EventSource{UUID: arn, EventSourceARN: arn})
			}
		}, "LD001,LD003,LD003,LD003,LD003,LD003,LD003,LD011"},
		{"dead letter, destinations, tracing, key, file system", func(f *account.Function) {
			f.Config.DeadLetterTarget = "arn:aws:sqs:us-east-1:111122223333:dlq"
			f.AsyncConfigs = []account.AsyncConfig{{OnSuccess: "arn:aws:sns:us-east-1:111122223333:t", OnFailure: "arn:aws:s3:::b"}}
			f.Config.TracingMode = "Active"
			f.Config.KMSKeyARN = "arn:aws:kms:us-east-1:111122223333:key/k"
			f.Config.FileSystems = []account.FileSystem{{ARN: "arn:aws:elasticfilesystem:us-east-1:111122223333:access-point/fsap-1", LocalMountPath: "/mnt/x"}}
		}, "LD001,LD004,LD005,LD005,LD006,LD007,LD008,LD011"},
		{"invokers: trigger, role trigger, public URL, statement", func(f *account.Function) {
			f.Triggers = []account.Trigger{
				{Kind: account.TriggerSNS, Principal: "sns.amazonaws.com", SourceARN: "arn:aws:sns:us-east-1:111122223333:t"},
				{Kind: account.TriggerStates, SourceARN: "arn:aws:states:us-east-1:111122223333:stateMachine:m", RoleARN: "arn:aws:iam::111122223333:role/sfn"},
			}
			f.URLConfigs = []account.URLConfig{{URL: "https://u", AuthType: "NONE"}}
			f.ResourcePolicies = []account.ResourcePolicy{{Document: `{"Version":"2012-10-17","Statement":[` +
				`{"Sid":"partner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:app"},` +
				`{"Sid":"sns-again","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:app","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:sns:us-east-1:111122223333:t"}}},` +
				`{"Sid":"anyone","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:app"}]}`}}
		}, "LD001,LD011,LD012,LD012,LD012,LD012"},
		{"other accounts' layer and image", func(f *account.Function) {
			f.Config.Layers = []string{"arn:aws:lambda:us-east-1:444455556666:layer:shared:3", "arn:aws:lambda:us-east-1:111122223333:layer:own:1"}
			f.Config.PackageType = "Image"
			f.Config.ImageURI = "444455556666.dkr.ecr.us-east-1.amazonaws.com/app:1"
		}, "LD001,LD011,LD009,LD010"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := fnWith()
			tc.mutate(fn)
			reqs := Requirements(fn)
			if got := ruleIDs(reqs); got != tc.want {
				t.Fatalf("rules: got %s, want %s", got, tc.want)
			}
			for _, r := range reqs {
				rule, ok := RuleByID(r.Rule)
				if !ok || !strings.HasPrefix(rule.Doc, "https://docs.aws.amazon.com/") || r.Need == "" || r.Source == "" {
					t.Errorf("requirement %+v: no rule, AWS doc, need or source", r)
				}
				v := Judge(fn, r)
				if (v == nil) != (r.Outside != "") {
					t.Errorf("%s %s: verdict %v, outside %q", r.Rule, r.Need, v, r.Outside)
				}
				if v != nil && v.Rule != r.Rule {
					t.Errorf("verdict rule %q, want %q", v.Rule, r.Rule)
				}
			}
		})
	}
}

// TestCloudFrontCallsTheURL: CloudFront's origin access control calls the
// function URL, so the console's two grants for it (InvokeFunctionUrl, and
// InvokeFunction through the URL) let it in.
func TestCloudFrontCallsTheURL(t *testing.T) {
	fn := fnWith()
	dist := "arn:aws:cloudfront::111122223333:distribution/E1ABC"
	fn.URLConfigs = []account.URLConfig{{URL: "https://u", AuthType: "AWS_IAM"}}
	fn.Triggers = []account.Trigger{{Kind: account.TriggerCloudFront, Principal: "cloudfront.amazonaws.com", SourceARN: dist}}
	fn.ResourcePolicies = []account.ResourcePolicy{{Document: `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"cf-url","Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"lambda:InvokeFunctionUrl","Resource":"arn:aws:lambda:us-east-1:111122223333:function:app","Condition":{"ArnLike":{"AWS:SourceArn":"` + dist + `"},"StringEquals":{"lambda:FunctionUrlAuthType":"AWS_IAM"}}},` +
		`{"Sid":"cf-invoke","Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:app","Condition":{"ArnLike":{"AWS:SourceArn":"` + dist + `"},"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}}]}`}}
	for _, r := range Requirements(fn) {
		if r.Rule == RuleInvoker && r.Invoker.Why == "trigger" {
			if v := Judge(fn, r); !v.Open() || len(v.Probes) != 2 {
				t.Errorf("got %s with %d probes, want open through the URL (2 probes)", v, len(v.Probes))
			}
			return
		}
	}
	t.Fatal("no requirement for the CloudFront trigger")
}

// TestStatementsGiveNoAnonymousInvoker: a statement's principal "*" names
// anyone, not a caller; a statement conditioned on the function URL keys is
// an invoke through the URL.
func TestStatementsGiveNoAnonymousInvoker(t *testing.T) {
	fn := fnWith()
	fn.URLConfigs = []account.URLConfig{{URL: "https://u", AuthType: "AWS_IAM"}}
	fn.ResourcePolicies = []account.ResourcePolicy{{Document: `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"public","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"*","Condition":{"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}},` +
		`{"Sid":"aws-star","Effect":"Allow","Principal":{"AWS":"*"},"Action":"lambda:InvokeFunction","Resource":"*"},` +
		`{"Sid":"partner-url","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/p"},"Action":"lambda:InvokeFunction","Resource":"*","Condition":{"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}}]}`}}
	invs := PolicyInvokers(fn)
	if len(invs) != 1 {
		t.Fatalf("got %d invokers %+v, want only the partner's", len(invs), invs)
	}
	if inv := invs[0].Invoker; inv.Principal != "arn:aws:iam::444455556666:role/p" || !inv.FunctionURL {
		t.Errorf("got %+v, want the partner role through the URL", inv)
	}
}

// TestRoleTriggerJudgedOnItsRole: a trigger that invokes with a role of its
// own (Step Functions) is judged on that role's identity policies; when the
// role was not read, the requirement is undecided, never open.
func TestRoleTriggerJudgedOnItsRole(t *testing.T) {
	sfn := &account.Role{ARN: "arn:aws:iam::111122223333:role/sfn", Name: "sfn",
		Trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}
	trigger := account.Trigger{Kind: account.TriggerStates, SourceARN: "arn:aws:states:us-east-1:111122223333:stateMachine:m", RoleARN: sfn.ARN, Role: sfn}
	invoker := func(fn *account.Function) Requirement {
		for _, r := range Requirements(fn) {
			if r.Rule == RuleInvoker {
				return r
			}
		}
		t.Fatal("no invoker requirement")
		return Requirement{}
	}

	fn := fnWith()
	fn.Triggers = []account.Trigger{trigger}
	v := Judge(fn, invoker(fn))
	if !v.Closed() || v.Invoker.RoleARN != sfn.ARN {
		t.Fatalf("a role with no policy: got %s (unknown %v), want closed", v, v.Unknown)
	}
	if got := v.Probes[0].Input.Request.Principal; got != "arn:aws:sts::111122223333:assumed-role/sfn/states" {
		t.Errorf("principal %s, want a session of the role", got)
	}

	granted := *sfn
	granted.Inline = []account.InlinePolicy{{Name: "invoke", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:app"}]}`}}
	fn.Triggers[0].Role = &granted
	if v := Judge(fn, invoker(fn)); !v.Open() {
		t.Errorf("the role allows the invoke: got %s", v)
	}

	fn.Triggers[0].Role = nil
	v = Judge(fn, invoker(fn))
	if !v.Unknown || v.Open() || len(v.Unseen) == 0 || v.Unseen[0].Resource != sfn.ARN {
		t.Errorf("role not read: got %s unknown %v unseen %+v, want undecided naming the role", v, v.Unknown, v.Unseen)
	}
}

// TestUnparsedIsUndecided: a document the engine cannot parse leaves every
// request that needs it undecided (it could hold a deny), unless another
// document already denies explicitly.
func TestUnparsedIsUndecided(t *testing.T) {
	fn := fnWith()
	fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: "broken", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Perhaps"}]}`})
	v := CheckLogs(fn)
	if !v.Unknown || v.Open() || len(v.Unparsed) != 1 || v.Unparsed[0].Policy != "role/app-role/inline/broken" || v.Unparsed[0].Owner != fn.Role.ARN {
		t.Fatalf("got %s unknown %v unparsed %+v, want undecided naming role/app-role/inline/broken", v, v.Unknown, v.Unparsed)
	}
	fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: "deny", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"logs:*","Resource":"*"}]}`})
	if v := CheckLogs(fn); v.Unknown || v.Decision != simulate.ExplicitDeny {
		t.Errorf("an explicit deny decides: got %s unknown %v", v, v.Unknown)
	}
	fn = fnWith()
	fn.Role.Trust = "not json"
	if v := CheckTrust(fn); !v.Unknown || len(v.Unparsed) != 1 {
		t.Errorf("trust policy that does not parse: got %s unknown %v", v, v.Unknown)
	}
}

// The documents judge writes for policies it does not read (another
// account's resource policy, a KMS key policy) name the function's session
// and the resource's account: a hostile snapshot's role name with a quote
// or a control character panicked it (issue 8), and a quote could have
// changed what the document says.
func TestHostileNamesInWrittenDocuments(t *testing.T) {
	for _, name := range []string{`app"},"Action":"*","Resource":"*"},{"Effect":"Deny`, "app\x1b]0;t\x07", "app\u009b"} {
		fn := fnWith()
		fn.Role.Name = name
		fn.Role.ARN = "arn:aws:iam::111122223333:role/" + name
		fn.Config.RoleARN = fn.Role.ARN
		for _, res := range []string{
			"arn:aws:s3:::other-bucket/k",                                    // the resource policy of another account is not read
			"arn:aws:sqs:us-east-1:444455556666:q",                           // idem, with an account
			"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef", // the key policy is assumed
			`arn:aws:kms:us-east-1:1111"22223333:key/x`,                      // a quote in the account field
		} {
			action := "s3:GetObject"
			switch {
			case strings.Contains(res, ":sqs:"):
				action = "sqs:SendMessage"
			case strings.Contains(res, ":kms:"):
				action = "kms:Decrypt"
			}
			v := CheckOutbound(fn, Call{Action: action, Resource: res})
			if v == nil || v.Decision == "" {
				t.Errorf("%q on %s: no verdict", name, res)
			}
		}
	}
}

func TestGlobsIntersect(t *testing.T) {
	for _, c := range []struct {
		p, q string
		want bool
	}{
		{"arn:aws:s3:::audit-*/*", "arn:aws:s3:::scratch/*", false},
		{"arn:aws:s3:::audit-*/*", "arn:aws:s3:::audit-archive/*", true},
		{"arn:aws:s3:::audit-*/*", "arn:aws:s3:::audit-archive", false},
		{"*", "anything", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a*", "*b", true},
		{"x*", "y*", false},
		{"", "", true},
		{"", "*", true},
		{"abc", "abd", false},
	} {
		if got := GlobsIntersect(c.p, c.q); got != c.want {
			t.Errorf("GlobsIntersect(%q, %q) = %v, want %v", c.p, c.q, got, c.want)
		}
		if got := GlobsIntersect(c.q, c.p); got != c.want {
			t.Errorf("GlobsIntersect(%q, %q) = %v, want %v (symmetric)", c.q, c.p, got, c.want)
		}
	}
}

// TestMayIntersect: a name or id a template leaves to CloudFormation (word)
// holds no '/' or ':'; '*' may.
func TestMayIntersect(t *testing.T) {
	for _, c := range []struct {
		p, q string
		want bool
	}{
		{"api/*/*/*", "api/authorizers/\x03", false},
		{"api/*/*/*", "api/authorizers/*", true},
		{"api/authorizers/*", "api/authorizers/\x03", true},
		{"x\x03y", "x/y", false},
		{"x\x03y", "xaby", true},
		{"a?c", "a\x03c", true},
		{"\x03", "", true},
		{"log-group:\x03:*", "log-group:/aws/lambda/x:*", false},
	} {
		if got := mayIntersect(c.p, c.q); got != c.want {
			t.Errorf("mayIntersect(%q, %q) = %v, want %v", c.p, c.q, got, c.want)
		}
		if got := mayIntersect(c.q, c.p); got != c.want {
			t.Errorf("mayIntersect(%q, %q) = %v, want %v (symmetric)", c.q, c.p, got, c.want)
		}
	}
}
