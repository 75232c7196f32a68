package diagnose

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/internal/iostreams"
	"github.com/lambda-doctor/lambda-doctor/internal/textwrap"
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

// bashArgs runs line with bash and returns the arguments bash splits it into.
func bashArgs(t *testing.T, line string) []string {
	t.Helper()
	out, err := exec.Command("bash", "-c", "set -- "+line+"\nprintf '%s\\0' \"$@\"").Output()
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

func TestWrappedCommandPastesIntoBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	fn := testFunction()
	v := judge.CheckInbound(fn, judge.Invoker{Principal: "apigateway.amazonaws.com", SourceARN: "arn:aws:execute-api:us-east-1:111122223333:zzz999/prod/POST/it's/*"})
	fixes := fix.For(fn, v, fix.CLI)
	if len(fixes) == 0 {
		t.Fatal("no fix")
	}
	cmd := fixes[0].Command
	wrapped := textwrap.Command(cmd, 80, "", "  ")
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
	if err := RenderText(&plain, rep, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := RenderText(&col, rep, TextOptions{Palette: iostreams.NewPalette(true)}); err != nil {
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

// TestPolicyInvokers: with no caller, each statement's intended invoke is
// judged; sound statements (org-wide with aws:PrincipalOrgID, CloudWatch
// Logs by its global or its regional name) stay open, and statements that
// can never match (the regional name of another region than the source's,
// an API Gateway SourceArn in another region) are reported.
func TestPolicyInvokers(t *testing.T) {
	fn := testFunction()
	fn.ResourcePolicies[0].Document = `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"org","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:worker","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}},` +
		`{"Sid":"logs-global","Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:worker","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:logs:us-east-1:111122223333:log-group:/app:*"}}},` +
		`{"Sid":"logs-regional","Effect":"Allow","Principal":{"Service":"logs.us-east-1.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:worker","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:logs:us-east-1:111122223333:log-group:/api:*"}}},` +
		`{"Sid":"logs-eu","Effect":"Allow","Principal":{"Service":"logs.eu-west-1.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:worker","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:logs:us-east-1:111122223333:log-group:/jobs:*"}}},` +
		`{"Sid":"apigw-eu","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:worker","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:eu-west-1:111122223333:abc123/*/GET/items"}}}]}`
	rep, err := Diagnose(context.Background(), fn, Options{Symptom: SymptomInvokeDenied})
	if err != nil {
		t.Fatal(err)
	}
	closed := map[string]bool{}
	for _, d := range rep.Diagnoses {
		closed[d.Source] = true
	}
	for src, want := range map[string]bool{`statement "org"`: false, `statement "logs-global"`: false, `statement "logs-regional"`: false,
		`statement "logs-eu"`: true, `statement "apigw-eu"`: true} {
		if closed[src] != want {
			t.Errorf("%s: closed %v, want %v (diagnoses %v, open %v)", src, closed[src], want, closed, rep.Open)
		}
	}
	for _, d := range rep.Diagnoses {
		if len(d.Fixes) == 0 || !d.Fixes[0].Verified {
			t.Errorf("%s: no verified fix", d.Source)
		}
		if d.Source == `statement "logs-eu"` {
			if !slices.ContainsFunc(d.Notes, func(n string) bool { return strings.Contains(n, "never matches") }) {
				t.Errorf("%s: no note that it never matches: %q", d.Source, d.Notes)
			}
			if len(d.Fixes) > 0 && !strings.Contains(d.Fixes[0].Command, "--principal logs.amazonaws.com ") {
				t.Errorf("%s: the fix should grant logs.amazonaws.com: %s", d.Source, d.Fixes[0].Command)
			}
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

// TestPastedTextWithSeveralDenials: a pasted log with two different
// denials gets the first diagnosed and a note naming the other, which a fix
// of the first does not address; the same denial repeated gets no note.
func TestPastedTextWithSeveralDenials(t *testing.T) {
	query := `User: arn:aws:sts::111122223333:assumed-role/worker-role/worker is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:111122223333:table/Orders because no identity-based policy allows the dynamodb:Query action`
	put := `User: arn:aws:sts::111122223333:assumed-role/worker-role/worker is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::invoices/x.pdf because no identity-based policy allows the s3:PutObject action`
	tests := []struct {
		name, text string
		want       string // in a note; "" for no note about other denials
	}{
		{"two denials", "10:00 ERROR " + query + "\n10:01 ERROR " + put + "\n", "the text holds 1 other denial(s), not diagnosed here: s3:PutObject on arn:aws:s3:::invoices/x.pdf"},
		{"one denial twice", "10:00 ERROR " + query + "\n10:01 ERROR " + query + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Diagnose(context.Background(), testFunction(), Options{Error: tt.text})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Primary.Request == nil || rep.Primary.Request.Action != "dynamodb:Query" {
				t.Errorf("diagnosed %+v, want the first denial, dynamodb:Query", rep.Primary.Request)
			}
			note := ""
			for _, n := range rep.Notes {
				if strings.Contains(n, "other denial") {
					note = n
				}
			}
			if tt.want == "" && note != "" || !strings.Contains(note, tt.want) {
				t.Errorf("note %q, want %q", note, tt.want)
			}
		})
	}
}
