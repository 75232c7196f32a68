package judge

import (
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// The sentences of the IAM User Guide, "IAM JSON policy elements:
// Resource", "Using wildcards in resource ARNs"
// (reference_policies_elements_resource), that leave a wildcard inside a
// segment open: it is settled only for a * that ends its segment.
const (
	docWithin   = `"You can use wildcard characters (* and ?) within the individual segments of an ARN (the parts separated by colons)"`
	docLastStar = `"If the * wildcard is the last character of a resource ARN segment, it can expand to match beyond the colon boundaries."`
)

const (
	aliasARN = "arn:aws:lambda:us-east-1:111122223333:function:payments-worker:prod"
	midStar  = "arn:aws:lambda:us-east-1:111122223333:function:*prod"
)

func inline(fn *account.Function, name, doc string) {
	fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: name, Document: doc})
}

// TestVerdictAmbiguity: a verdict is ambiguous exactly when the door is open
// under one reading of the guide and closed under the other; it is then
// neither Open nor Closed, Decision is the engine's reading and Otherwise
// the other's, and its note names the statement and the pattern. A probe
// flagged on its own does not make the door ambiguous when another probe
// closes it either way.
func TestVerdictAmbiguity(t *testing.T) {
	invoke := Call{Action: "lambda:InvokeFunction", Resource: aliasARN}
	get := Call{Action: "lambda:GetFunction", Resource: aliasARN}
	for _, tc := range []struct {
		name, doc string
		mutate    func(*account.Function)
		judge     func(*account.Function) *Verdict
		// want: the engine's decision; otherwise: "" when not ambiguous.
		want, otherwise simulate.Decision
		open, closed    bool
		note            []string // what the note names
	}{
		{
			name: "role Resource with a mid-segment star against an alias ARN: closed under the engine's reading",
			doc:  docWithin + " / " + docLastStar,
			mutate: func(f *account.Function) {
				inline(f, "invoke", `{"Version":"2012-10-17","Statement":[{"Sid":"InvokeProd","Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"`+midStar+`"}]}`)
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, invoke) },
			want:  simulate.ImplicitDeny, otherwise: simulate.Allow,
			note: []string{`"InvokeProd"`, "role/app-role/inline/invoke", `"` + midStar + `"`, `"` + aliasARN + `"`, "Resource", "closed (implicit deny) under lambda-doctor's reading, open (allow) under the other"},
		},
		{
			name: "trust policy ArnLike aws:SourceArn ...:*app: closed under the engine's reading",
			doc:  docWithin + " / " + docLastStar,
			mutate: func(f *account.Function) {
				f.Role.Trust = `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyApp","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:lambda:us-east-1:111122223333:*app"}}}]}`
			},
			judge: CheckTrust,
			want:  simulate.ImplicitDeny, otherwise: simulate.Allow,
			note: []string{`"OnlyApp"`, "trust policy of role/app-role", "ArnLike aws:SourceArn", `"arn:aws:lambda:us-east-1:111122223333:*app"`},
		},
		{
			name: "a deny with a mid-segment star: open under the engine's reading, closed under the other",
			doc:  docWithin + " / " + docLastStar,
			mutate: func(f *account.Function) {
				inline(f, "all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"*"}]}`)
				inline(f, "no-prod", `{"Version":"2012-10-17","Statement":[{"Sid":"NoProd","Effect":"Deny","Action":"lambda:InvokeFunction","Resource":"`+midStar+`"}]}`)
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, invoke) },
			want:  simulate.Allow, otherwise: simulate.ExplicitDeny,
			note: []string{`"NoProd"`, "open (allow) under lambda-doctor's reading, closed (explicit deny) under the other"},
		},
		{
			name: "one probe flagged, another closed under both readings: closed, not ambiguous",
			doc:  docWithin,
			mutate: func(f *account.Function) {
				inline(f, "invoke", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"`+midStar+`"}]}`)
			},
			judge:  func(f *account.Function) *Verdict { return CheckOutboundAll(f, []Call{invoke, get}) },
			want:   simulate.ImplicitDeny,
			closed: true,
		},
		{
			name: "a star that ends its segment is settled",
			doc:  docLastStar,
			mutate: func(f *account.Function) {
				inline(f, "invoke", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:payments-*"}]}`)
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, invoke) },
			want:  simulate.Allow,
			open:  true,
		},
		{
			name: "denied under both readings, explicitly under one only: closed, with a note",
			doc:  docWithin,
			mutate: func(f *account.Function) {
				inline(f, "no-prod", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"lambda:InvokeFunction","Resource":"`+midStar+`"}]}`)
			},
			judge:  func(f *account.Function) *Verdict { return CheckOutbound(f, invoke) },
			want:   simulate.ImplicitDeny,
			closed: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Log(tc.doc)
			fn := fnWith()
			tc.mutate(fn)
			v := tc.judge(fn)
			if v.Decision != tc.want || v.Otherwise != tc.otherwise {
				t.Fatalf("got %s otherwise %q, want %s otherwise %q", v.Decision, v.Otherwise, tc.want, tc.otherwise)
			}
			if v.Open() != tc.open || v.Closed() != tc.closed || v.IsAmbiguous() != (tc.otherwise != "") {
				t.Errorf("open %v closed %v ambiguous %v, want %v %v %v", v.Open(), v.Closed(), v.IsAmbiguous(), tc.open, tc.closed, tc.otherwise != "")
			}
			a := v.Ambiguity()
			if (a != nil) != (tc.otherwise != "") {
				t.Fatalf("Ambiguity() = %+v", a)
			}
			if a == nil {
				if v.AmbiguityNote() != "" {
					t.Errorf("a note for a verdict that is not ambiguous: %s", v.AmbiguityNote())
				}
				return
			}
			if a.Decision != tc.want || a.Otherwise != tc.otherwise || len(a.Patterns) == 0 || a.Patterns[0].Reason == "" {
				t.Errorf("Ambiguity() = %+v", a)
			}
			for _, w := range tc.note {
				if !strings.Contains(a.Note, w) {
					t.Errorf("note %q does not name %s", a.Note, w)
				}
			}
			// The other reading decides as Otherwise says, and is certain.
			o := v.UnderOtherReading()
			if o.Decision != tc.otherwise || o.IsAmbiguous() {
				t.Errorf("under the other reading: got %s ambiguous %v, want %s", o.Decision, o.IsAmbiguous(), tc.otherwise)
			}
		})
	}
}

// TestKindOfDenialHangingOnTheReading: closed either way, the verdict says
// that only the kind of denial depends on the reading.
func TestKindOfDenialHangingOnTheReading(t *testing.T) {
	fn := fnWith()
	inline(fn, "no-prod", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"lambda:InvokeFunction","Resource":"`+midStar+`"}]}`)
	v := CheckOutbound(fn, Call{Action: "lambda:InvokeFunction", Resource: aliasARN})
	if len(v.Notes) != 1 || !strings.Contains(v.Notes[0], "closed under every reading") || !strings.Contains(v.Notes[0], midStar) {
		t.Errorf("notes %q, want one saying the door is closed under every reading, naming %s", v.Notes, midStar)
	}
}
