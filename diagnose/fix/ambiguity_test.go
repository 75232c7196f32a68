package fix

import (
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// TestFixesOfAmbiguousDoors: a door open under one reading of the IAM User
// Guide and closed under the other ("IAM JSON policy elements: Resource",
// "Using wildcards in resource ARNs": only a * that ends a segment is said
// to match beyond ':') gets a verified fix in a form both readings agree on
// (an explicit ARN, no wildcard inside a segment): applied by hand as
// printed, the door is open and no longer ambiguous.
func TestFixesOfAmbiguousDoors(t *testing.T) {
	const alias = "arn:aws:lambda:us-east-1:111122223333:function:payments-worker:prod"
	const midStar = "arn:aws:lambda:us-east-1:111122223333:function:*prod"
	invoke := judge.Call{Action: "lambda:InvokeFunction", Resource: alias}
	for _, tc := range []struct {
		name   string
		mutate func(*account.Function)
		judge  func(*account.Function) *judge.Verdict
		// apply applies the printed fix to the model as a person would.
		apply func(*account.Function, Fix)
		want  []string // in the fix's command
		not   []string
	}{
		{
			name: "role grant on function:*prod: an inline policy on the exact alias ARN",
			mutate: func(f *account.Function) {
				f.Role.Inline = append(f.Role.Inline, account.InlinePolicy{Name: "invoke",
					Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"` + midStar + `"}]}`})
			},
			judge: func(f *account.Function) *judge.Verdict { return judge.CheckOutbound(f, invoke) },
			apply: func(f *account.Function, x Fix) {
				f.Role.Inline = append(f.Role.Inline, account.InlinePolicy{Name: "fix", Document: x.Document})
			},
			want: []string{"put-role-policy", `"Resource":"` + alias + `"`},
			not:  []string{"*prod"},
		},
		{
			name: "trust ArnLike aws:SourceArn ...:*worker: a statement scoped by the function's exact ARN",
			mutate: func(f *account.Function) {
				f.Role.Trust = `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyWorker","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:lambda:us-east-1:111122223333:*worker"}}}]}`
			},
			judge: judge.CheckTrust,
			apply: func(f *account.Function, x Fix) { f.Role.Trust = x.Document },
			want:  []string{"update-assume-role-policy", `"ArnLike":{"aws:SourceArn":"arn:aws:lambda:us-east-1:111122223333:function:worker"}`, `"Sid":"OnlyWorker"`},
		},
		{
			name: "a deny on function:*prod that applies under the other reading only: narrowed for this request",
			mutate: func(f *account.Function) {
				f.Role.Inline = append(f.Role.Inline,
					account.InlinePolicy{Name: "all", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"*"}]}`},
					account.InlinePolicy{Name: "no-prod", Document: `{"Version":"2012-10-17","Statement":[{"Sid":"NoProd","Effect":"Deny","Action":"lambda:InvokeFunction","Resource":"` + midStar + `"}]}`})
			},
			judge: func(f *account.Function) *judge.Verdict { return judge.CheckOutbound(f, invoke) },
			apply: func(f *account.Function, x Fix) {
				for i := range f.Role.Inline {
					if f.Role.Inline[i].Name == "no-prod" {
						f.Role.Inline[i].Document = x.Document
					}
				}
			},
			want: []string{"put-role-policy", "--policy-name no-prod"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := testFunction()
			tc.mutate(fn)
			v := tc.judge(fn)
			if !v.IsAmbiguous() {
				t.Fatalf("got %s, want an ambiguous verdict", v)
			}
			fixes := For(fn, v, CLI)
			if len(fixes) != 1 || !fixes[0].Verified || fixes[0].Document == "" {
				t.Fatalf("fixes: got %+v, want one verified with its document", fixes)
			}
			for _, w := range tc.want {
				if !strings.Contains(fixes[0].Command, w) {
					t.Errorf("the fix does not hold %s: %s", w, fixes[0].Command)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(fixes[0].Document, w) {
					t.Errorf("the fix's document holds %s: %s", w, fixes[0].Document)
				}
			}
			work := cloneFunction(fn)
			tc.apply(work, fixes[0])
			nv := judge.Recheck(work, v)
			if !nv.Open() || nv.IsAmbiguous() || nv.Decision != simulate.Allow {
				t.Errorf("with the fix applied: got %s ambiguous %v, want open under both readings", nv, nv.IsAmbiguous())
			}
			for _, p := range nv.Probes {
				if len(p.Result.Ambiguous) > 0 {
					t.Errorf("a probe is still flagged: %+v", p.Result.Ambiguous)
				}
			}
		})
	}
}

// TestNoCommandAgainstAnUnreadGuardrail: a door open as read that a Deny
// conditioned on a value lambda-doctor did not read (the table's tags,
// aws:ResourceTag: "AWS global condition context keys", IAM User Guide)
// would close gets no command: narrowing that Deny would remove a
// guardrail that may be deliberate (no production tables) for a door that
// may well be open. The planned change is kept as advice.
func TestNoCommandAgainstAnUnreadGuardrail(t *testing.T) {
	const table = "arn:aws:dynamodb:us-east-1:111122223333:table/Orders"
	fn := testFunction()
	fn.Role.Inline = []account.InlinePolicy{{Name: "orders",
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:Query","Resource":"` + table + `"},` +
			`{"Sid":"NoProd","Effect":"Deny","Action":"dynamodb:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`}}
	v := judge.CheckOutbound(fn, judge.Call{Action: "dynamodb:Query", Resource: table})
	if v.Decision != simulate.Allow || !v.IsAmbiguous() || !v.Ambiguity().Unread() {
		t.Fatalf("got %s ambiguous %v, want allow as read, undecided by unread tags", v.Decision, v.IsAmbiguous())
	}
	fixes := For(fn, v, CLI)
	if len(fixes) == 0 {
		t.Fatal("got no fix, want the planned change as advice")
	}
	for _, f := range fixes {
		if f.Command != "" || f.Verified {
			t.Errorf("got command %q (verified %v), want none", f.Command, f.Verified)
		}
		if !strings.Contains(f.Explanation, "only a value lambda-doctor did not read would close it") {
			t.Errorf("explanation %q does not say why no command", f.Explanation)
		}
	}

	// Closed as read and open for some tag value: the grant is still
	// printed, verified to open the door whatever the tags are.
	fn.Role.Inline = []account.InlinePolicy{{Name: "orders",
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:Query","Resource":"` + table + `","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`}}
	v = judge.CheckOutbound(fn, judge.Call{Action: "dynamodb:Query", Resource: table})
	if v.Decision == simulate.Allow || !v.IsAmbiguous() {
		t.Fatalf("got %s ambiguous %v, want closed as read, undecided", v.Decision, v.IsAmbiguous())
	}
	fixes = For(fn, v, CLI)
	if len(fixes) == 0 || fixes[0].Command == "" || !fixes[0].Verified {
		t.Fatalf("got %+v, want a verified grant", fixes)
	}
}
