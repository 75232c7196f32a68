package diagnose

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
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
		if got := globsIntersect(c.p, c.q); got != c.want {
			t.Errorf("globsIntersect(%q, %q) = %v, want %v", c.p, c.q, got, c.want)
		}
		if got := globsIntersect(c.q, c.p); got != c.want {
			t.Errorf("globsIntersect(%q, %q) = %v, want %v (symmetric)", c.q, c.p, got, c.want)
		}
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
		if got := wildMatchCase(c.p, c.s); got != c.want {
			t.Errorf("wildMatchCase(%q, %q) = %v, want %v", c.p, c.s, got, c.want)
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
		got := bashArgs(t, shellQuote(s))
		if len(got) != 1 || got[0] != s {
			t.Errorf("bash reads %s as %q, want [%q]", shellQuote(s), got, s)
		}
	}
}

func TestWrappedCommandPastesIntoBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	fn := testFunction()
	v, err := CheckInbound(fn, Invoker{Principal: "apigateway.amazonaws.com", SourceARN: "arn:aws:execute-api:us-east-1:111122223333:zzz999/prod/POST/it's/*"})
	if err != nil {
		t.Fatal(err)
	}
	fixes := Fixes(fn, v, CLI)
	if len(fixes) == 0 {
		t.Fatal("no fix")
	}
	cmd := fixes[0].Command
	wrapped := wrapCommand(cmd, "", "  ")
	if !strings.Contains(wrapped, "\\\n") {
		t.Fatalf("command not wrapped: %s", wrapped)
	}
	one, two := bashArgs(t, cmd), bashArgs(t, wrapped)
	if strings.Join(one, "\x00") != strings.Join(two, "\x00") {
		t.Errorf("wrapped command reads differently:\n%q\n%q", one, two)
	}
	if one[len(one)-1] != "arn:aws:execute-api:us-east-1:111122223333:zzz999/prod/POST/it's/*" {
		t.Errorf("last argument: got %q", one[len(one)-1])
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
		v, err := CheckOutbound(fn, Call{Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/by-customer"})
		if err != nil {
			t.Fatal(err)
		}
		if v.Decision != simulate.ImplicitDeny {
			t.Fatalf("decision: got %s, want implicit_deny", v.Decision)
		}
		fixes := Fixes(fn, v, CLI)
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
		v, err := CheckOutbound(fn, Call{Action: "ec2:DescribeNetworkInterfaces", Resource: "*"})
		if err != nil {
			t.Fatal(err)
		}
		fixes := Fixes(fn, v, CLI)
		if len(fixes) != 1 || !fixes[0].Verified || !strings.Contains(fixes[0].Command, `"Resource":"*"`) {
			t.Fatalf("fixes: got %+v", fixes)
		}
	})
	t.Run("logs attach the basic execution role", func(t *testing.T) {
		v, err := CheckLogs(fn)
		if err != nil {
			t.Fatal(err)
		}
		if v.Open() {
			t.Fatal("logs door open for a role without logs permissions")
		}
		fixes := Fixes(fn, v, CLI)
		if len(fixes) != 1 || !fixes[0].Verified || !strings.Contains(fixes[0].Command, "attach-role-policy") {
			t.Fatalf("fixes: got %+v", fixes)
		}
	})
	t.Run("inbound alias is not covered by the unqualified permission", func(t *testing.T) {
		inv := Invoker{Principal: "apigateway.amazonaws.com", SourceARN: "arn:aws:execute-api:us-east-1:111122223333:abc123/prod/GET/", Qualifier: "live"}
		v, err := CheckInbound(fn, inv)
		if err != nil {
			t.Fatal(err)
		}
		if v.Open() {
			t.Fatal("an alias invoke is allowed by a permission on the unqualified function")
		}
		inv.Qualifier = ""
		if v, _ := CheckInbound(fn, inv); !v.Open() {
			t.Fatalf("the unqualified invoke is denied: %s", v)
		}
	})
	t.Run("formats", func(t *testing.T) {
		v, _ := CheckInbound(fn, Invoker{Principal: "s3.amazonaws.com", SourceARN: "arn:aws:s3:::uploads", SourceAccount: acct})
		for f, want := range map[Format]string{CloudFormation: "AWS::Lambda::Permission", SAM: "AWS::Lambda::Permission", Terraform: `resource "aws_lambda_permission"`, CLI: "aws lambda add-permission"} {
			fixes := Fixes(fn, v, f)
			if len(fixes) != 1 || !strings.Contains(fixes[0].Command, want) || !strings.Contains(fixes[0].Command, "arn:aws:s3:::uploads") || !fixes[0].Verified {
				t.Errorf("%s: got %+v", f, fixes)
			}
		}
	})
	t.Run("statement ids do not clash", func(t *testing.T) {
		f2 := testFunction()
		f2.ResourcePolicies[0].Document = strings.Replace(f2.ResourcePolicies[0].Document, `"Sid":"apigw-orders"`, `"Sid":"sns-topic"`, 1)
		v, _ := CheckInbound(f2, Invoker{Principal: "sns.amazonaws.com", SourceARN: "arn:aws:sns:us-east-1:111122223333:topic"})
		fixes := Fixes(f2, v, CLI)
		if len(fixes) != 1 || !strings.Contains(fixes[0].Command, "--statement-id sns-topic-2 ") {
			t.Errorf("fixes: got %+v", fixes)
		}
	})
}

func TestDiagnoseBadInput(t *testing.T) {
	fn := testFunction()
	for name, o := range map[string]Options{
		"not a denial":          {Error: "Task timed out after 3.00 seconds"},
		"unknown symptom":       {Symptom: "broken"},
		"access-denied no act":  {Symptom: SymptomAccessDenied},
		"action not an action":  {Symptom: SymptomAccessDenied, Action: "Query", Resource: "arn:aws:dynamodb:us-east-1:1:table/T"},
		"resource not an ARN":   {Symptom: SymptomAccessDenied, Action: "dynamodb:Query", Resource: "Orders"},
		"resource needed":       {Symptom: SymptomAccessDenied, Action: "dynamodb:Query"},
		"empty-looking garbage": {Error: "\x00\x01\x02"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Diagnose(context.Background(), fn, o)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an *InputError", err)
			}
		})
	}
}

func TestDiagnoseAutoReportsEveryClosedDoor(t *testing.T) {
	fn := testFunction()
	fn.Role.Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	fn.Triggers = []account.Trigger{{Kind: "sns", Principal: "sns.amazonaws.com", SourceARN: "arn:aws:sns:us-east-1:111122223333:orders"}}
	rep, err := Diagnose(context.Background(), fn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var doors []string
	for _, d := range rep.Diagnoses {
		doors = append(doors, string(d.Door))
	}
	if got, want := strings.Join(doors, ","), "trust,logs,inbound"; got != want {
		t.Errorf("doors: got %s, want %s", got, want)
	}
	if rep.ExitCode() != 1 || rep.Primary.Door != Trust {
		t.Errorf("primary: got %s exit %d, want trust exit 1", rep.Primary.Door, rep.ExitCode())
	}
	for _, d := range rep.Diagnoses {
		if len(d.Fixes) == 0 || !d.Fixes[0].Verified {
			t.Errorf("%s: no verified fix: %+v", d.Door, d.Fixes)
		}
	}
}

func TestDiagnoseUnknownWhenRoleUnreadable(t *testing.T) {
	fn := testFunction()
	fn.Role = nil
	fn.Unseen = []account.Unseen{{Operation: "iam:GetRole", Resource: fn.Config.RoleARN, Permission: "iam:GetRole", Error: "AccessDenied"}}
	rep, err := Diagnose(context.Background(), fn, Options{Symptom: SymptomAccessDenied, Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/Orders"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Primary.Door != Unknown || rep.ExitCode() != 3 {
		t.Fatalf("got door %s exit %d, want unknown 3", rep.Primary.Door, rep.ExitCode())
	}
	if !strings.Contains(rep.Primary.Summary, "iam:GetRole") {
		t.Errorf("summary does not name the missing permission: %s", rep.Primary.Summary)
	}
}

func TestRenderTextColour(t *testing.T) {
	fn := testFunction()
	rep, err := Diagnose(context.Background(), fn, Options{Symptom: SymptomNoLogs})
	if err != nil {
		t.Fatal(err)
	}
	var plain, col bytes.Buffer
	if err := RenderText(&plain, rep, false); err != nil {
		t.Fatal(err)
	}
	if err := RenderText(&col, rep, true); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Errorf("plain text has ANSI codes")
	}
	if !strings.Contains(col.String(), "\x1b[31m") {
		t.Errorf("coloured text has no red")
	}
	if !strings.HasPrefix(plain.String(), "✗ LOGS door closed: role worker-role may not write") {
		t.Errorf("first line: %q", strings.SplitN(plain.String(), "\n", 2)[0])
	}
}

// TestIaCSnippetsAreYAML parses the CloudFormation and SAM renderings of a
// fix for each door as YAML.
func TestIaCSnippetsAreYAML(t *testing.T) {
	fn := testFunction()
	fn.Role.Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	var verdicts []*Verdict
	v1, _ := CheckInbound(fn, Invoker{Principal: "events.amazonaws.com", SourceARN: "arn:aws:events:us-east-1:111122223333:rule/nightly"})
	v2, _ := CheckOutbound(fn, Call{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:111122223333:q"})
	v3, _ := CheckLogs(fn)
	v4, _ := CheckTrust(fn)
	verdicts = append(verdicts, v1, v2, v3, v4)
	for _, v := range verdicts {
		for _, f := range []Format{CloudFormation, SAM} {
			fixes := Fixes(fn, v, f)
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

// TestCrossCheckReportsDisagreement checks how IAM's answer is compared
// with the local engine's (the live call is made by the account package).
func TestCrossCheckReportsDisagreement(t *testing.T) {
	fn := testFunction()
	o := Options{Symptom: SymptomAccessDenied, Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:111122223333:q"}
	for answer, want := range map[string]string{"implicitDeny": "agrees", "allowed": "DISAGREES", "": "not available"} {
		a := answer
		o.CrossCheck = func(_ context.Context, roleARN, action, resource string) (string, error) {
			if roleARN != fn.Role.ARN || action != o.Action || resource != o.Resource {
				t.Errorf("asked about %s %s %s", roleARN, action, resource)
			}
			if a == "" {
				return "", errors.New("NotImplemented")
			}
			return a, nil
		}
		rep, err := Diagnose(context.Background(), fn, o)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(rep.Primary.CrossCheck, want) {
			t.Errorf("IAM answers %q: cross-check %q, want it to contain %q", answer, rep.Primary.CrossCheck, want)
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
	judge := func(principal, roleARN, resource string) simulate.Decision {
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
	if got := judge(this, role.ARN, obj); got == simulate.ExplicitDeny {
		t.Errorf("this role on the object: still denied\n%s", edited)
	}
	if got := judge(this, role.ARN, "arn:aws:s3:::audit-a/2020/y.gz"); got != simulate.ExplicitDeny {
		t.Errorf("this role on another audit object: got %s, want explicit_deny", got)
	}
	if got := judge(other, "arn:aws:iam::111122223333:role/janitor-role", obj); got != simulate.ExplicitDeny {
		t.Errorf("another role on the object: got %s, want explicit_deny (unchanged)\n%s", got, edited)
	}
	if got := judge(other, "arn:aws:iam::111122223333:role/janitor-role", scratch); got == simulate.ExplicitDeny {
		t.Errorf("another role on scratch: denied after the edit (it was not before)\n%s", edited)
	}
}

// TestPolicyInvokers: with no caller, each statement's intended invoke is
// judged; a sound statement (org-wide with aws:PrincipalOrgID) stays open,
// and statements that can never match (logs.amazonaws.com, an API Gateway
// SourceArn in another region) are reported.
func TestPolicyInvokers(t *testing.T) {
	fn := testFunction()
	fn.ResourcePolicies[0].Document = `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"org","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:worker","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}},` +
		`{"Sid":"logs-old","Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:worker","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:logs:us-east-1:111122223333:log-group:/app:*"}}},` +
		`{"Sid":"apigw-eu","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:worker","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:eu-west-1:111122223333:abc123/*/GET/items"}}}]}`
	rep, err := Diagnose(context.Background(), fn, Options{Symptom: SymptomInvokeDenied})
	if err != nil {
		t.Fatal(err)
	}
	closed := map[string]bool{}
	for _, d := range rep.Diagnoses {
		closed[d.Source] = true
	}
	for src, want := range map[string]bool{`statement "org"`: false, `statement "logs-old"`: true, `statement "apigw-eu"`: true} {
		if closed[src] != want {
			t.Errorf("%s: closed %v, want %v (diagnoses %v, open %v)", src, closed[src], want, closed, rep.Open)
		}
	}
	for _, d := range rep.Diagnoses {
		if len(d.Fixes) == 0 || !d.Fixes[0].Verified {
			t.Errorf("%s: no verified fix", d.Source)
		}
	}
}

// TestCallerWithoutSourceARN: a service --caller with no --source-arn is
// judged with the source the account's triggers show, else with a note.
func TestCallerWithoutSourceARN(t *testing.T) {
	fn := testFunction()
	fn.Triggers = []account.Trigger{{Kind: "sns", Principal: "sns.amazonaws.com", SourceARN: "arn:aws:sns:us-east-1:111122223333:orders"}}
	rep, err := Diagnose(context.Background(), fn, Options{Symptom: SymptomInvokeDenied, Caller: "sns.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Primary.Request == nil || rep.Primary.Request.Context["aws:SourceArn"] != "arn:aws:sns:us-east-1:111122223333:orders" {
		t.Errorf("request: %+v", rep.Primary.Request)
	}
	rep, err = Diagnose(context.Background(), fn, Options{Symptom: SymptomInvokeDenied, Caller: "events.amazonaws.com"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(rep.Primary.Notes, "\n"), "pass --source-arn") {
		t.Errorf("no note asking for --source-arn: %v", rep.Primary.Notes)
	}
	if _, err := Diagnose(context.Background(), fn, Options{Symptom: SymptomInvokeDenied, SourceARN: "arn:aws:foo:us-east-1:1:x"}); err == nil {
		t.Errorf("an unknown source service without --caller is accepted")
	}
}
