package fix

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
	"gopkg.in/yaml.v3"
)

const acct = "111122223333"

// testFunction is a small function with a role that may only read one
// table and has no logging permission.
func testFunction() *account.Function {
	role := &account.Role{
		ARN:   "arn:aws:iam::111122223333:role/service-role/worker-role",
		Name:  "worker-role",
		Path:  "/service-role/",
		Trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		Inline: []account.InlinePolicy{{Name: "lambda-doctor-dynamodb-Query",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/Orders"}]}`}},
	}
	return &account.Function{
		ARN: "arn:aws:lambda:us-east-1:111122223333:function:worker", Name: "worker",
		Account: acct, Region: "us-east-1", Partition: "aws",
		Config: account.Config{RoleARN: role.ARN, Logging: account.Logging{LogGroup: "/aws/lambda/worker"}},
		Role:   role,
		ResourcePolicies: []account.ResourcePolicy{{Document: `{"Version":"2012-10-17","Id":"default","Statement":[` +
			`{"Sid":"apigw-orders","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction",` +
			`"Resource":"arn:aws:lambda:us-east-1:111122223333:function:worker","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:111122223333:abc123/*"}}}]}`}},
	}
}

func TestWildMatchCase(t *testing.T) {
	for _, c := range []struct {
		p, s string
		want bool
	}{
		{"arn:aws:s3:::audit-*/*", "arn:aws:s3:::audit-x/2019/a.gz", true},
		{"arn:aws:s3:::audit-*/*", "arn:aws:s3:::Audit-x/a", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbY", false},
		{"users/*", "users/*", true},
		{"a?", "a", false},
	} {
		if got := simulate.Glob(c.p, c.s, false); got != c.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", c.p, c.s, got, c.want)
		}
	}
}

// bashArgs runs line with bash and returns the arguments bash splits it into.
func bashArgs(t *testing.T, line string) []string {
	t.Helper()
	out, err := exec.Command("bash", "-c", "set -- "+line+"\nprintf '%s\\0' \"$@\"").Output()
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

func TestShellQuotePastesIntoBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for _, s := range []string{"plain", "*", `{"a":"it's"}`, "a b", "$HOME", "arn:aws:execute-api:us-east-1:1:a/*/GET/", "back\\slash", "!bang"} {
		got := bashArgs(t, Quote(s))
		if len(got) != 1 || got[0] != s {
			t.Errorf("bash reads %s as %q, want [%q]", Quote(s), got, s)
		}
	}
}

func decide(t *testing.T, doc string, action, resource string) simulate.Decision {
	t.Helper()
	p, err := simulate.ParseString(doc)
	if err != nil {
		t.Fatalf("parse %s: %v", doc, err)
	}
	allow := simulate.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	r, err := simulate.Evaluate(&simulate.Input{
		Identity: []simulate.NamedPolicy{{Name: "allow", Policy: allow}, {Name: "edited", Policy: p}},
		Request:  simulate.Request{Principal: "arn:aws:iam::111122223333:role/r", Action: action, Resource: resource},
	})
	if err != nil {
		t.Fatal(err)
	}
	return r.Decision
}

// TestEditDenyNarrowsOnly checks, by simulation, that an edited deny no
// longer denies the request and denies everything else it denied before
// (IAM UG reference_policies_elements_notresource for NotResource).
func TestEditDenyNarrowsOnly(t *testing.T) {
	obj := "arn:aws:s3:::audit-a/2019/x.gz"
	other := "arn:aws:s3:::audit-a/2020/y.gz"
	scratch := "arn:aws:s3:::scratch/tmp.json"
	cases := []struct {
		name, doc string
		allowed   []string
		// requests that must stay denied / stay not denied (besides the request)
		denied, open [][2]string
	}{
		{"literal list", `{"Version":"2012-10-17","Statement":[{"Sid":"D","Effect":"Deny","Action":["s3:DeleteObject","s3:PutObject"],"Resource":["` + obj + `","` + other + `"]}]}`, nil,
			[][2]string{{"s3:DeleteObject", other}, {"s3:PutObject", obj}}, [][2]string{{"s3:DeleteObject", scratch}}},
		{"star", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`, nil,
			[][2]string{{"s3:DeleteObject", other}, {"s3:DeleteObject", scratch}}, [][2]string{{"s3:GetObject", obj}}},
		{"pattern keeps the role's other grants", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::audit-*/*"}]}`,
			[]string{"arn:aws:s3:::audit-a/*", "arn:aws:s3:::scratch/*"},
			[][2]string{{"s3:DeleteObject", other}}, [][2]string{{"s3:DeleteObject", scratch}}},
		{"wildcard action expanded", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject*","Resource":"arn:aws:s3:::audit-*/*"}]}`,
			[]string{"arn:aws:s3:::scratch/*"},
			[][2]string{{"s3:DeleteObjectVersion", obj}, {"s3:DeleteObject", other}}, [][2]string{{"s3:DeleteObject", scratch}}},
		{"NotAction", `{"Version":"2012-10-17","Statement":[{"Sid":"Only","Effect":"Deny","NotAction":"s3:GetObject","Resource":"*"}]}`, nil,
			[][2]string{{"s3:PutObject", obj}, {"s3:DeleteObject", other}}, [][2]string{{"s3:GetObject", obj}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, r := range append(c.denied, [2]string{"s3:DeleteObject", obj}) {
				if got := decide(t, c.doc, r[0], r[1]); got != simulate.ExplicitDeny {
					t.Fatalf("before: %s on %s: got %s, want explicit_deny (bad case)", r[0], r[1], got)
				}
			}
			doc, _, err := editDeny(c.doc, 0, "s3:DeleteObject", obj, c.allowed, nil)
			if err != nil {
				t.Fatal(err)
			}
			sids := map[string]bool{}
			d, _ := decodeDoc(doc)
			for s := range d.sids() {
				sids[s] = true
			}
			var n int
			for _, raw := range d.Statement {
				if strings.Contains(string(raw), `"Sid"`) {
					n++
				}
			}
			if n != len(sids) {
				t.Errorf("duplicate Sids after the edit:\n%s", doc)
			}
			if got := decide(t, doc, "s3:DeleteObject", obj); got != simulate.Allow {
				t.Errorf("the request after the edit: got %s, want allow\n%s", got, doc)
			}
			for _, r := range c.denied {
				if got := decide(t, doc, r[0], r[1]); got != simulate.ExplicitDeny {
					t.Errorf("%s on %s after the edit: got %s, want still explicit_deny\n%s", r[0], r[1], got, doc)
				}
			}
			for _, r := range c.open {
				if got := decide(t, doc, r[0], r[1]); got != simulate.Allow {
					t.Errorf("%s on %s after the edit: got %s, want allow (not denied before)\n%s", r[0], r[1], got, doc)
				}
			}
		})
	}
}

func TestFixesPerDoor(t *testing.T) {
	fn := testFunction()
	t.Run("outbound grant under a new name, exact resource", func(t *testing.T) {
		v := judge.CheckOutbound(fn, judge.Call{Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/by-customer"})
		if v.Decision != simulate.ImplicitDeny {
			t.Fatalf("decision: got %s, want implicit_deny", v.Decision)
		}
		fixes := For(fn, v, CLI)
		if len(fixes) != 1 || !fixes[0].Verified {
			t.Fatalf("fixes: got %+v, want one verified", fixes)
		}
		cmd := fixes[0].Command
		if strings.Contains(cmd, "--policy-name lambda-doctor-dynamodb-Query ") {
			t.Errorf("the fix reuses the existing inline policy name: %s", cmd)
		}
		if !strings.Contains(cmd, `"Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/by-customer"`) {
			t.Errorf("the grant is not on the exact resource: %s", cmd)
		}
	})
	t.Run("action without resource-level permission gets *", func(t *testing.T) {
		v := judge.CheckOutbound(fn, judge.Call{Action: "ec2:DescribeNetworkInterfaces", Resource: "*"})
		fixes := For(fn, v, CLI)
		if len(fixes) != 1 || !fixes[0].Verified || !strings.Contains(fixes[0].Command, `"Resource":"*"`) {
			t.Fatalf("fixes: got %+v", fixes)
		}
	})
	t.Run("logs attach the basic execution role", func(t *testing.T) {
		v := judge.CheckLogs(fn)
		if v.Open() {
			t.Fatal("logs door open for a role without logs permissions")
		}
		fixes := For(fn, v, CLI)
		if len(fixes) != 1 || !fixes[0].Verified || !strings.Contains(fixes[0].Command, "attach-role-policy") {
			t.Fatalf("fixes: got %+v", fixes)
		}
	})
	t.Run("inbound alias is not covered by the unqualified permission", func(t *testing.T) {
		inv := judge.Invoker{Principal: "apigateway.amazonaws.com", SourceARN: "arn:aws:execute-api:us-east-1:111122223333:abc123/prod/GET/", Qualifier: "live"}
		v := judge.CheckInbound(fn, inv)
		if v.Open() {
			t.Fatal("an alias invoke is allowed by a permission on the unqualified function")
		}
		inv.Qualifier = ""
		if v := judge.CheckInbound(fn, inv); !v.Open() {
			t.Fatalf("the unqualified invoke is denied: %s", v)
		}
	})
	t.Run("formats", func(t *testing.T) {
		v := judge.CheckInbound(fn, judge.Invoker{Principal: "s3.amazonaws.com", SourceARN: "arn:aws:s3:::uploads", SourceAccount: acct})
		for f, want := range map[Format]string{CloudFormation: "AWS::Lambda::Permission", SAM: "AWS::Lambda::Permission", Terraform: `resource "aws_lambda_permission"`, CLI: "aws lambda add-permission"} {
			fixes := For(fn, v, f)
			if len(fixes) != 1 || !strings.Contains(fixes[0].Command, want) || !strings.Contains(fixes[0].Command, "arn:aws:s3:::uploads") || !fixes[0].Verified {
				t.Errorf("%s: got %+v", f, fixes)
			}
		}
	})
	t.Run("statement ids do not clash", func(t *testing.T) {
		f2 := testFunction()
		f2.ResourcePolicies[0].Document = strings.Replace(f2.ResourcePolicies[0].Document, `"Sid":"apigw-orders"`, `"Sid":"sns-topic"`, 1)
		v := judge.CheckInbound(f2, judge.Invoker{Principal: "sns.amazonaws.com", SourceARN: "arn:aws:sns:us-east-1:111122223333:topic"})
		fixes := For(f2, v, CLI)
		if len(fixes) != 1 || !strings.Contains(fixes[0].Command, "--statement-id sns-topic-2 ") {
			t.Errorf("fixes: got %+v", fixes)
		}
	})
}

// TestIaCSnippetsAreYAML parses the CloudFormation and SAM renderings of a
// fix for each door as YAML.
func TestIaCSnippetsAreYAML(t *testing.T) {
	fn := testFunction()
	fn.Role.Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	var verdicts []*judge.Verdict
	v1 := judge.CheckInbound(fn, judge.Invoker{Principal: "events.amazonaws.com", SourceARN: "arn:aws:events:us-east-1:111122223333:rule/nightly"})
	v2 := judge.CheckOutbound(fn, judge.Call{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:111122223333:q"})
	v3 := judge.CheckLogs(fn)
	v4 := judge.CheckTrust(fn)
	verdicts = append(verdicts, v1, v2, v3, v4)
	for _, v := range verdicts {
		for _, f := range []Format{CloudFormation, SAM} {
			fixes := For(fn, v, f)
			if len(fixes) == 0 {
				t.Fatalf("%s %s: no fix", v.Door, f)
			}
			var doc any
			if err := yaml.Unmarshal([]byte(fixes[0].Command), &doc); err != nil || doc == nil {
				t.Errorf("%s %s: not YAML (%v):\n%s", v.Door, f, err, fixes[0].Command)
			}
		}
	}
}

// TestEditDenySharedPolicyOnlyForThisRole: a boundary or managed policy can
// be attached to other roles, which must keep the deny exactly as it was.
func TestEditDenySharedPolicyOnlyForThisRole(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"DenyAudit","Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::audit-*/*"}]}`
	obj, scratch := "arn:aws:s3:::audit-a/2019/x.gz", "arn:aws:s3:::tmp/x"
	role := &account.Role{ARN: "arn:aws:iam::111122223333:role/ops/cleaner-role", Name: "cleaner-role"}
	edited, _, err := editDeny(doc, 0, "s3:DeleteObject", obj, []string{"arn:aws:s3:::audit-a/*"}, rolePrincipalARNs(role))
	if err != nil {
		t.Fatal(err)
	}
	p := simulate.MustParse(edited)
	allow := simulate.MustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	decideAs := func(principal, roleARN, resource string) simulate.Decision {
		r, err := simulate.Evaluate(&simulate.Input{
			Identity: []simulate.NamedPolicy{{Name: "allow", Policy: allow}},
			Boundary: &simulate.NamedPolicy{Name: "b", Policy: p},
			Request: simulate.Request{Principal: principal, Action: "s3:DeleteObject", Resource: resource,
				Context: simulate.Context{"aws:PrincipalArn": {Values: []string{roleARN}}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return r.Decision
	}
	// The boundary also allows nothing itself here, so judge only the deny:
	// explicit_deny vs not.
	this := "arn:aws:sts::111122223333:assumed-role/cleaner-role/cleaner"
	other := "arn:aws:sts::111122223333:assumed-role/janitor-role/janitor"
	if got := decideAs(this, role.ARN, obj); got == simulate.ExplicitDeny {
		t.Errorf("this role on the object: still denied\n%s", edited)
	}
	if got := decideAs(this, role.ARN, "arn:aws:s3:::audit-a/2020/y.gz"); got != simulate.ExplicitDeny {
		t.Errorf("this role on another audit object: got %s, want explicit_deny", got)
	}
	if got := decideAs(other, "arn:aws:iam::111122223333:role/janitor-role", obj); got != simulate.ExplicitDeny {
		t.Errorf("another role on the object: got %s, want explicit_deny (unchanged)\n%s", got, edited)
	}
	if got := decideAs(other, "arn:aws:iam::111122223333:role/janitor-role", scratch); got == simulate.ExplicitDeny {
		t.Errorf("another role on scratch: denied after the edit (it was not before)\n%s", edited)
	}
}

// TestNeverOpenToAnyone: an anonymous caller gets a command only for a
// function URL with auth type NONE, and then only the two grants scoped by
// lambda:FunctionUrlAuthType and lambda:InvokedViaFunctionUrl (Lambda DG
// urls-auth); an anonymous direct invoke, or an anonymous call of an
// AWS_IAM URL, gets none.
func TestNeverOpenToAnyone(t *testing.T) {
	for _, tc := range []struct {
		name    string
		auth    string // URL auth type, "" for no URL
		viaURL  bool
		command bool
	}{
		{"direct invoke", "", false, false},
		{"AWS_IAM URL", "AWS_IAM", true, false},
		{"NONE URL", "NONE", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := testFunction()
			if tc.auth != "" {
				fn.URLConfigs = []account.URLConfig{{URL: "https://x.lambda-url.us-east-1.on.aws/", AuthType: tc.auth}}
			}
			v := judge.CheckInbound(fn, judge.Invoker{Principal: "*", FunctionURL: tc.viaURL})
			if v.Open() {
				t.Fatal("an anonymous caller is let in by the test function")
			}
			fixes := For(fn, v, CLI)
			if len(fixes) == 0 {
				t.Fatal("no fix, not even an explanation")
			}
			f := fixes[0]
			if (f.Command != "") != tc.command {
				t.Fatalf("command %q, want one: %v (%s)", f.Command, tc.command, f.Explanation)
			}
			if !tc.command {
				return
			}
			if !f.Verified || !strings.Contains(f.Command, "--function-url-auth-type NONE") || !strings.Contains(f.Command, "--invoked-via-function-url") {
				t.Errorf("the URL grants are not scoped or not verified: %+v", f)
			}
		})
	}
}

// TestRoleInvokerFix: an invoker with a role of its own (Step Functions)
// that may not invoke gets one inline policy on that role allowing exactly
// the invoke, verified; the model it was judged on is not changed.
func TestRoleInvokerFix(t *testing.T) {
	fn := testFunction()
	sfn := &account.Role{ARN: "arn:aws:iam::111122223333:role/sfn", Name: "sfn",
		Trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}]}`}
	fn.Triggers = []account.Trigger{{Kind: account.TriggerStates, SourceARN: "arn:aws:states:us-east-1:111122223333:stateMachine:m", RoleARN: sfn.ARN, Role: sfn}}
	var v *judge.Verdict
	for _, r := range judge.Requirements(fn) {
		if r.Rule == judge.RuleInvoker && r.Invoker.RoleARN == sfn.ARN {
			v = judge.Judge(fn, r)
		}
	}
	if v == nil || !v.Closed() {
		t.Fatalf("got %v, want a closed door", v)
	}
	fixes := For(fn, v, CLI)
	if len(fixes) != 1 || !fixes[0].Verified {
		t.Fatalf("fixes: %+v, want one verified", fixes)
	}
	cmd := fixes[0].Command
	for _, want := range []string{"aws iam put-role-policy --region us-east-1 --role-name sfn ", `"Action":"lambda:InvokeFunction"`, `"Resource":"arn:aws:lambda:us-east-1:111122223333:function:worker"`} {
		if !strings.Contains(cmd, want) {
			t.Errorf("fix %s lacks %s", cmd, want)
		}
	}
	if len(sfn.Inline) != 0 {
		t.Errorf("the fix changed the model's role: %+v", sfn.Inline)
	}
}

// TestSetFixesPasteInOrder: the fixes of one report never reuse an inline
// policy name, and each is verified with the ones before it applied.
func TestSetFixesPasteInOrder(t *testing.T) {
	fn := testFunction()
	set := NewSet()
	names := map[string]bool{}
	for _, res := range []string{"arn:aws:sqs:us-east-1:111122223333:a", "arn:aws:sqs:us-east-1:111122223333:b"} {
		v := judge.CheckOutbound(fn, judge.Call{Action: "sqs:SendMessage", Resource: res})
		fixes := set.For(fn, v, CLI)
		if len(fixes) != 1 || !fixes[0].Verified {
			t.Fatalf("%s: fixes %+v", res, fixes)
		}
		_, rest, _ := strings.Cut(fixes[0].Command, "--policy-name ")
		name, _, _ := strings.Cut(rest, " ")
		if names[name] {
			t.Errorf("two fixes write the inline policy %s", name)
		}
		names[name] = true
	}
}
