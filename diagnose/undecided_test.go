package diagnose

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// grantCommands are the fix commands that grant a permission.
var grantCommands = []string{"put-role-policy", "attach-role-policy", "create-policy-version", "add-permission", "put-resource-policy", "put-key-policy", "create-grant"}

func grants(d Diagnosis) bool {
	for _, f := range d.Fixes {
		for _, g := range grantCommands {
			if strings.Contains(f.Command, g) {
				return true
			}
		}
	}
	return false
}

// TestOtherPrincipalDenial: a pasted outbound denial of another principal
// than the execution role (another role, a role of the same name in
// another account, a user) prints no grant for the function's role and is
// undecided (exit 3): nothing read for the function decides about that
// principal. The role's own sessions, under any session name or letter
// case (IAM role names are not case-sensitive: IAM API Reference,
// CreateRole), and its ARN are the outbound door; an invoke of this
// function by another principal is the inbound door.
func TestOtherPrincipalDenial(t *testing.T) {
	const query = " is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:111122223333:table/Orders because no identity-based policy allows the dynamodb:Query action"
	for _, tc := range []struct {
		name, principal string
		door            Door
		exit            int
		note            string // a note of the primary diagnosis holds it
	}{
		{"own session", "arn:aws:sts::111122223333:assumed-role/worker-role/worker", Outbound, 1, ""},
		{"own session, other name and case", "arn:aws:sts::111122223333:assumed-role/Worker-Role/1700000000000", Outbound, 1, ""},
		{"own role ARN", "arn:aws:iam::111122223333:role/service-role/worker-role", Outbound, 1, ""},
		{"another role", "arn:aws:sts::111122223333:assumed-role/OtherRole/sess", Unknown, 3, "aws iam simulate-principal-policy --region us-east-1 --policy-source-arn arn:aws:iam::111122223333:role/OtherRole --action-names dynamodb:Query"},
		{"another role's ARN", "arn:aws:iam::111122223333:role/OtherRole", Unknown, 3, "aws lambda list-functions --region us-east-1 --query 'Functions[?ends_with(Role, `\"/OtherRole\"`)].FunctionName'"},
		{"same name, another account", "arn:aws:sts::444455556666:assumed-role/worker-role/worker", Unknown, 3, "a role of another account is another role"},
		{"a user", "arn:aws:iam::111122223333:user/bob", Unknown, 3, "IAM user bob"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := testFunction()
			rep, err := Diagnose(context.Background(), fn, Options{Error: "User: " + tc.principal + query})
			if err != nil {
				t.Fatal(err)
			}
			p := rep.Primary
			if p.Door != tc.door || rep.ExitCode() != tc.exit {
				t.Fatalf("got door %s, exit %d; want %s, %d (%s)", p.Door, rep.ExitCode(), tc.door, tc.exit, p.Summary)
			}
			if tc.door == Outbound {
				if !grants(p) {
					t.Errorf("the execution role's own denial got no grant: %+v", p.Fixes)
				}
				return
			}
			for _, d := range rep.Diagnoses {
				if grants(d) {
					t.Errorf("a grant for another principal's denial: %+v", d.Fixes)
				}
			}
			if !strings.Contains(p.Summary, tc.principal) || !strings.Contains(p.Summary, "not this function's execution role") || !strings.Contains(p.Summary, "outbound door") {
				t.Errorf("summary does not say whose denial it is: %q", p.Summary)
			}
			if p.Request == nil || p.Request.Principal != tc.principal || p.Request.Action != "dynamodb:Query" {
				t.Errorf("request: got %+v, want the denied request of %s", p.Request, tc.principal)
			}
			if !strings.Contains(strings.Join(p.Notes, "\n"), tc.note) {
				t.Errorf("notes: got %q, want one holding %q", p.Notes, tc.note)
			}
		})
	}
	t.Run("an invoke of this function by another principal is the inbound door", func(t *testing.T) {
		rep, err := Diagnose(context.Background(), testFunction(), Options{Error: "User: arn:aws:sts::444455556666:assumed-role/partner/s is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:111122223333:function:worker"})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Primary.Door != Inbound || rep.ExitCode() != 1 {
			t.Errorf("got door %s, exit %d; want inbound, 1", rep.Primary.Door, rep.ExitCode())
		}
	})
}

// healthyFunction is testFunction with the logging permissions: every
// door symptom auto judges is open.
func healthyFunction() *account.Function {
	fn := testFunction()
	fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: "logs",
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`})
	return fn
}

// TestUnexplainedDenial: a pasted access-denied text that every door
// judged leaves unexplained is undecided (exit 3), naming what was not
// read or was assumed; never "no closed door found" (exit 0). A closed
// door found keeps exit 1.
func TestUnexplainedDenial(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fn      func() *account.Function
		text    string
		door    Door
		exit    int
		summary string
	}{
		{"bare, every door open", healthyFunction, "AccessDeniedException", Unknown, 3, "not explained by what was read: every door judged is open"},
		{"bare Access Denied, every door open", healthyFunction, "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied", Unknown, 3, "not explained by what was read"},
		{"bare, with a symptom whose door is open", healthyFunction, "AccessDeniedException", Unknown, 3, "AWS denied"},
		// A denial naming its request is judged as that request: open
		// once its fix is applied (the end-to-end tests paste the same
		// text again after the fix).
		{"the role's own denial, allowed by what was read", healthyFunction,
			"User: arn:aws:sts::111122223333:assumed-role/worker-role/worker is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:111122223333:table/Orders because no identity-based policy allows the dynamodb:GetItem action",
			None, 0, ""},
		{"bare, a closed door", testFunction, "AccessDeniedException", Logs, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := Options{Error: tc.text}
			if strings.Contains(tc.name, "with a symptom") {
				o.Symptom, o.Action, o.Resource = SymptomAccessDenied, "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:111122223333:table/Orders"
			}
			rep, err := Diagnose(context.Background(), tc.fn(), o)
			if err != nil {
				t.Fatal(err)
			}
			p := rep.Primary
			if p.Door != tc.door || rep.ExitCode() != tc.exit {
				t.Fatalf("got door %s, exit %d; want %s, %d (%s)", p.Door, rep.ExitCode(), tc.door, tc.exit, p.Summary)
			}
			if tc.door != Unknown {
				return
			}
			if !strings.Contains(p.Summary, tc.summary) {
				t.Errorf("summary: got %q, want it to hold %q", p.Summary, tc.summary)
			}
			assumed := strings.Join(p.Assumed, "\n")
			for _, w := range []string{"SCPs and RCPs", "session policies", "VPC endpoint policies", "resource-based policy of the resource called"} {
				if !strings.Contains(assumed, w) {
					t.Errorf("assumed: got %q, want it to name %s", p.Assumed, w)
				}
			}
			if len(rep.Diagnoses) == 0 || rep.Diagnoses[0].Door != Unknown {
				t.Errorf("diagnoses: got %+v, want the undecided door listed", rep.Diagnoses)
			}
		})
	}
}

// TestCrossCheckWithPastedError: --cross-check asks IAM about the
// execution role's calls; with a pasted error about none (an invoke of the
// function) it would be ignored, so it is refused; with one about the
// role's call it is asked.
func TestCrossCheckWithPastedError(t *testing.T) {
	asked := 0
	cc := func(context.Context, string, string, string) (string, error) { asked++; return "implicitDeny", nil }
	invoke := "User: arn:aws:sts::444455556666:assumed-role/partner/s is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:111122223333:function:worker"
	_, err := Diagnose(context.Background(), testFunction(), Options{Error: invoke, CrossCheck: cc})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Flag != "--cross-check" {
		t.Errorf("an invoke's denial with --cross-check: got %v, want an *InputError for --cross-check", err)
	}
	call := "User: arn:aws:sts::111122223333:assumed-role/worker-role/worker is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:111122223333:table/Orders"
	rep, err := Diagnose(context.Background(), testFunction(), Options{Error: call, CrossCheck: cc})
	if err != nil || asked != 1 || rep.Primary.CrossCheck == "" {
		t.Errorf("the role's own denial with --cross-check: err %v, asked %d times, cross_check %q; want it asked once", err, asked, rep.Primary.CrossCheck)
	}
}
