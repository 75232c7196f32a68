package judge

import (
	"slices"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

func TestRegionalService(t *testing.T) {
	tests := []struct {
		in, global, region string
		ok                 bool
	}{
		{"logs.us-east-1.amazonaws.com", "logs.amazonaws.com", "us-east-1", true},
		{"logs.cn-north-1.amazonaws.com.cn", "logs.amazonaws.com.cn", "cn-north-1", true},
		{"states.us-gov-west-1.amazonaws.com", "states.amazonaws.com", "us-gov-west-1", true},
		{"logs.amazonaws.com", "", "", false},
		{"delivery.logs.amazonaws.com", "", "", false},
		{"logging.s3.amazonaws.com", "", "", false},
		{"us-east-1.amazonaws.com", "", "", false},
		{"arn:aws:iam::111122223333:role/logs.us-east-1.amazonaws.com", "", "", false},
		{"111122223333", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g, r, ok := RegionalService(tt.in)
			if g != tt.global || r != tt.region || ok != tt.ok {
				t.Errorf("got %q %q %v, want %q %q %v", g, r, ok, tt.global, tt.region, tt.ok)
			}
		})
	}
}

func TestServiceAliases(t *testing.T) {
	fn := fnWith()
	tests := []struct {
		name string
		inv  Invoker
		want []string
	}{
		{"global, no source: the function's region", Invoker{Principal: "logs.amazonaws.com"}, []string{"logs.us-east-1.amazonaws.com"}},
		{"global, source in another region", Invoker{Principal: "sns.amazonaws.com", SourceARN: "arn:aws:sns:eu-west-1:111122223333:t"}, []string{"sns.eu-west-1.amazonaws.com"}},
		{"global, source region a wildcard", Invoker{Principal: "logs.amazonaws.com", SourceARN: "arn:aws:logs:*:111122223333:log-group:x:*"}, []string{"logs.us-east-1.amazonaws.com"}},
		{"global, source without a region", Invoker{Principal: "s3.amazonaws.com", SourceARN: "arn:aws:s3:::b"}, []string{"s3.us-east-1.amazonaws.com"}},
		{"regional", Invoker{Principal: "logs.eu-west-1.amazonaws.com"}, []string{"logs.amazonaws.com"}},
		{"a role", Invoker{Principal: "arn:aws:iam::111122223333:role/r"}, nil},
		{"an account", Invoker{Principal: "444455556666"}, nil},
		{"anonymous", Invoker{Principal: "*"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ServiceAliases(fn, tt.inv); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// A service invoker is named by its global name when its regional name is
// the one of the region it calls from; a regional name of another region
// than its source's never matches; one with no source is kept.
func TestCanonicalService(t *testing.T) {
	fn := fnWith()
	const group = "arn:aws:logs:us-east-1:111122223333:log-group:/app:*"
	tests := []struct {
		name      string
		inv       Invoker
		principal string
		never     bool
	}{
		{"global", Invoker{Principal: "logs.amazonaws.com", SourceARN: group}, "logs.amazonaws.com", false},
		{"regional of the source's region", Invoker{Principal: "logs.us-east-1.amazonaws.com", SourceARN: group}, "logs.amazonaws.com", false},
		{"regional of the function's region, no source", Invoker{Principal: "logs.us-east-1.amazonaws.com"}, "logs.amazonaws.com", false},
		{"regional of another region than the source's", Invoker{Principal: "logs.eu-west-1.amazonaws.com", SourceARN: group}, "logs.amazonaws.com", true},
		{"regional of another region, no source", Invoker{Principal: "sns.eu-west-1.amazonaws.com"}, "sns.eu-west-1.amazonaws.com", false},
		{"regional of another region, its own source", Invoker{Principal: "sns.eu-west-1.amazonaws.com", SourceARN: "arn:aws:sns:eu-west-1:111122223333:t"}, "sns.amazonaws.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := tt.inv
			notes := canonicalService(fn, &inv, "statement \"S\"")
			if inv.Principal != tt.principal {
				t.Errorf("principal: got %q, want %q", inv.Principal, tt.principal)
			}
			never := slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, "never matches") })
			if never != tt.never {
				t.Errorf("never-matches note: got %v, want %v (%q)", never, tt.never, notes)
			}
		})
	}
}

// A CloudWatch Logs trigger (global name) and a statement naming the
// regional name of the function's region are the same invoke, admitted by
// either spelling of the grant; the regional name of another region admits
// nothing (IAM UG, multivalued context keys: aws:PrincipalServiceNamesList).
func TestLogsInvokerByEitherName(t *testing.T) {
	const group = "arn:aws:logs:us-east-1:111122223333:log-group:/app:*"
	grant := func(principal string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"Logs","Effect":"Allow","Principal":{"Service":"` + principal +
			`"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:app","Condition":{"ArnLike":{"AWS:SourceArn":"` + group + `"}}}]}`
	}
	for _, tc := range []struct {
		trigger, statement string
		want               simulate.Decision
		reqs               int
	}{
		{"logs.amazonaws.com", "logs.amazonaws.com", simulate.Allow, 1},
		{"logs.amazonaws.com", "logs.us-east-1.amazonaws.com", simulate.Allow, 1},
		{"logs.us-east-1.amazonaws.com", "logs.amazonaws.com", simulate.Allow, 1},
		{"logs.amazonaws.com", "logs.eu-west-1.amazonaws.com", simulate.ImplicitDeny, 1},
	} {
		t.Run(tc.trigger+" "+tc.statement, func(t *testing.T) {
			fn := fnWith()
			fn.Triggers = []account.Trigger{{Kind: account.TriggerLogs, Principal: tc.trigger, SourceARN: group, SourceAccount: acct}}
			fn.ResourcePolicies = []account.ResourcePolicy{{Document: grant(tc.statement)}}
			var inbound []Requirement
			for _, r := range Requirements(fn) {
				if r.Rule == RuleInvoker {
					inbound = append(inbound, r)
				}
			}
			if len(inbound) != tc.reqs {
				t.Fatalf("got %d invoker requirements, want %d: %+v", len(inbound), tc.reqs, inbound)
			}
			for _, r := range inbound {
				if r.Invoker.Principal != "logs.amazonaws.com" {
					t.Errorf("%s: principal %q, want logs.amazonaws.com", r.Source, r.Invoker.Principal)
				}
				if got := CheckInbound(fn, *r.Invoker).Decision; got != tc.want {
					t.Errorf("%s: got %s, want %s", r.Source, got, tc.want)
				}
			}
		})
	}
}
