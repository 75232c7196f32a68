package judge

import (
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Markers as the template reader writes them (account.HasMarker).
const (
	mAcct   = "{{unknown.AWS-AccountId}}"
	mRegion = "{{unknown.AWS-Region}}"
	mQueue  = "{{unknown.Parameter.QueueArn}}"
	mName   = "{{unknown.Parameter.QueueName}}"
	mFn     = "{{generated.Name.Fn}}"
)

// markerFn is fnWith with the account and region unknown, as a template
// read without --account and --region gives it, and a generated name.
func markerFn() *account.Function {
	fn := fnWith()
	fn.Account, fn.Region = mAcct, mRegion
	fn.Name = mFn
	fn.ARN = "arn:aws:lambda:" + mRegion + ":" + mAcct + ":function:" + mFn
	fn.Role.ARN = "arn:aws:iam::" + mAcct + ":role/app-role"
	fn.Config.RoleARN = fn.Role.ARN
	fn.Config.Logging.LogGroup = "/aws/lambda/" + mFn
	fn.Role.Inline = []account.InlinePolicy{{Name: "logs", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:` + mRegion + `:` + mAcct + `:log-group:/aws/lambda/` + mFn + `:*"}]}`}}
	fn.Unseen = []account.Unseen{
		{Operation: "template", Resource: mAcct, Error: "AWS::AccountId is not known: give --region and --account"},
		{Operation: "template", Resource: mQueue, Error: "parameter QueueArn has no default and no --parameter value (t.yaml:5)"},
	}
	return fn
}

func grantDoc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// TestUnknownValues: a decision that depends on a value the template does
// not give is undecided and names it with where it comes from; equal
// markers are equal values; a comparison that matches or misses whatever
// the value is decides as usual.
func TestUnknownValues(t *testing.T) {
	sqs := func(q string) Call { return Call{Action: "sqs:ReceiveMessage", Resource: q} }
	queue := "arn:aws:sqs:" + mRegion + ":" + mAcct + ":orders"
	for _, tc := range []struct {
		name  string
		grant []string // statements of an inline policy of the role
		trust string   // a trust policy, when the trust door is judged
		call  Call
		want  simulate.Decision
		// unresolved: the markers the verdict must name; nil: decided.
		unresolved []string
	}{
		{name: "equal markers in the grant and the request: decided open",
			grant: []string{`{"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:` + mRegion + `:` + mAcct + `:orders"}`},
			call:  sqs(queue), want: simulate.Allow},
		{name: "Resource * matches any value: decided open",
			grant: []string{`{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"*"}`},
			call:  sqs(mQueue), want: simulate.Allow},
		{name: "a wildcard that ends its segment swallows a marker: decided open",
			grant: []string{`{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"arn:aws:sqs:*:*:*"}`},
			call:  sqs("arn:aws:sqs:" + mRegion + ":" + mAcct + ":" + mName), want: simulate.Allow},
		{name: "a literal ARN against an imported queue ARN: undecided",
			grant: []string{`{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:orders"}`},
			call:  sqs(mQueue), want: simulate.ImplicitDeny, unresolved: []string{mQueue}},
		{name: "a prefix pattern against a queue name parameter: undecided",
			grant: []string{`{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"arn:aws:sqs:*:*:orders-*"}`},
			call:  sqs("arn:aws:sqs:" + mRegion + ":" + mAcct + ":" + mName), want: simulate.ImplicitDeny, unresolved: []string{mName}},
		{name: "text that conflicts wherever the marker is: decided closed",
			grant: []string{`{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"arn:aws:sqs:*:*:payments"}`},
			call:  sqs(queue), want: simulate.ImplicitDeny},
		{name: "another service, whatever the account: decided closed",
			grant: []string{`{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"arn:aws:s3:::bucket/*"}`},
			call:  sqs(queue), want: simulate.ImplicitDeny},
		{name: "a deny on a parameter's ARN may cover the request: undecided",
			grant: []string{`{"Effect":"Allow","Action":"sqs:*","Resource":"*"}`, `{"Sid":"Blocked","Effect":"Deny","Action":"sqs:*","Resource":"` + mQueue + `"}`},
			call:  sqs("arn:aws:sqs:us-east-1:111122223333:orders"), want: simulate.Allow, unresolved: []string{mQueue}},
		{name: "a deny that cannot cover the request: decided open",
			grant: []string{`{"Effect":"Allow","Action":"sqs:*","Resource":"*"}`, `{"Effect":"Deny","Action":"sqs:*","Resource":"arn:aws:sqs:*:*:archive-` + mName + `"}`},
			call:  sqs(queue), want: simulate.Allow},
		{name: "a condition comparing the same marker: decided open",
			grant: []string{`{"Effect":"Allow","Action":"sqs:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"` + mAcct + `"}}}`},
			call:  sqs(queue), want: simulate.Allow},
		{name: "a condition comparing a marker with a literal account: undecided",
			grant: []string{`{"Effect":"Allow","Action":"sqs:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"111122223333"}}}`},
			call:  sqs(queue), want: simulate.ImplicitDeny, unresolved: []string{mAcct}},
		{name: "equals one parameter and not another: undecided even when both markers read as the same",
			grant: []string{`{"Effect":"Allow","Action":"sqs:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"{{unknown.Parameter.A}}"},"StringNotEquals":{"aws:ResourceTag/team":"{{unknown.Parameter.B}}"}}}`},
			call:  Call{Action: "sqs:ReceiveMessage", Resource: queue, Context: simulate.Context{"aws:ResourceTag/team": {Values: []string{"payments"}}}},
			want:  simulate.ImplicitDeny, unresolved: []string{"{{unknown.Parameter.A}}", "{{unknown.Parameter.B}}"}},
		{name: "trust: Lambda's principal and the function's own ARN: decided open",
			trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"` + mAcct + `"},"ArnLike":{"aws:SourceArn":"arn:aws:lambda:` + mRegion + `:` + mAcct + `:function:` + mFn + `"}}}]}`,
			want:  simulate.Allow},
		{name: "trust scoped to a literal account: undecided",
			trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}`,
			want:  simulate.ImplicitDeny, unresolved: []string{mAcct}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn := markerFn()
			var v *Verdict
			if tc.trust != "" {
				fn.Role.Trust = tc.trust
				v = CheckTrust(fn)
			} else {
				inline(fn, "grant", grantDoc(tc.grant...))
				v = CheckOutbound(fn, tc.call)
			}
			if v.Decision != tc.want {
				t.Errorf("decision %s, want %s", v.Decision, tc.want)
			}
			var got []string
			for _, u := range v.Unresolved {
				got = append(got, u.Resource)
				if u.Operation != "template" || u.Error == "" {
					t.Errorf("unresolved %+v: want where it comes from", u)
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.unresolved, " ") {
				t.Errorf("unresolved %q, want %q", got, tc.unresolved)
			}
			if v.Unknown != (tc.unresolved != nil) || (v.Open() && tc.unresolved != nil) || (v.Closed() && tc.unresolved != nil) {
				t.Errorf("unknown %v open %v closed %v: undecided must be neither open nor closed", v.Unknown, v.Open(), v.Closed())
			}
		})
	}
}

// TestUnresolvedSource: the verdict names where a marker comes from, as the
// template reader recorded it.
func TestUnresolvedSource(t *testing.T) {
	fn := markerFn()
	inline(fn, "grant", grantDoc(`{"Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:orders"}`))
	v := CheckOutbound(fn, Call{Action: "sqs:ReceiveMessage", Resource: mQueue})
	if len(v.Unresolved) != 1 || !strings.Contains(v.Unresolved[0].Error, "parameter QueueArn has no default") {
		t.Errorf("unresolved %+v, want the reader's sentence for %s", v.Unresolved, mQueue)
	}
	if u := MarkerSource(nil, "{{generated.Name.X}}"); !strings.Contains(u.Error, "deploy") {
		t.Errorf("generated marker: %+v", u)
	}
}

func TestMarkers(t *testing.T) {
	got := Markers("arn:aws:sqs:{{unknown.AWS-Region}}:{{unknown.AWS-AccountId}}:{{generated.Name.Q}}-{{unknown.AWS-Region}} {{x}} {{unknown.open")
	want := "{{unknown.AWS-Region}} {{unknown.AWS-AccountId}} {{generated.Name.Q}}"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
