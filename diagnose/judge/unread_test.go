package judge

import (
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// The IAM User Guide, "AWS global condition context keys"
// (reference_policies_condition-keys), on the keys AWS sets from state
// lambda-doctor does not read.
const (
	docResourceTag  = `aws:ResourceTag/tag-key: "This key is included in the request context when the requested resource already has attached tags."`
	docPrincipalTag = `aws:PrincipalTag/tag-key: "It is included for a principal using an IAM role with attached tags."`
	docAliases      = `AWS KMS Developer Guide, "Use aliases to control access to KMS keys": kms:ResourceAliases "allows or denies access to a KMS key based on the aliases associated with the KMS key"`
)

const (
	ordersIndex = "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/by-customer"
	ordersGrant = `{"Version":"2012-10-17","Statement":[{"Sid":"Orders","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/Orders*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`
)

// TestUnreadContextKeys: a decision that a context key AWS sets from state
// the model did not read (a resource's tags, a key's aliases, an unread
// caller's tags) would change is undecided, with a reason naming the
// statement, the key and what to check; one that no value of the key
// changes, or that hangs on a key the model knows, stays decided.
func TestUnreadContextKeys(t *testing.T) {
	query := Call{Action: "dynamodb:Query", Resource: ordersIndex}
	for _, tc := range []struct {
		name, doc string
		mutate    func(*account.Function)
		judge     func(*account.Function) *Verdict
		// want: the decision as read; otherwise: "" when decided.
		want, otherwise simulate.Decision
		note            []string // what the note names
	}{
		{
			name:   "an allow conditioned on the table's tag: closed as read, open if it is tagged",
			doc:    docResourceTag,
			mutate: func(f *account.Function) { inline(f, "orders-table", ordersGrant) },
			judge:  func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:   simulate.ImplicitDeny, otherwise: simulate.Allow,
			note: []string{"closed (implicit deny) as read, open (allow) otherwise",
				"the tags of table/Orders/index/by-customer were not read", "if it is tagged env=prod",
				`statement "Orders" of role/app-role/inline/orders-table allows`},
		},
		{
			name: "the same allow, the index's tags read with env=prod: open, decided",
			doc:  docResourceTag,
			mutate: func(f *account.Function) {
				inline(f, "orders-table", ordersGrant)
				f.ResourceTags = map[string]map[string]string{ordersIndex: {"env": "prod", "team": "orders"}}
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.Allow,
		},
		{
			name: "the same allow, the index's tags read without env: closed, decided",
			doc:  docResourceTag,
			mutate: func(f *account.Function) {
				inline(f, "orders-table", ordersGrant)
				f.ResourceTags = map[string]map[string]string{ordersIndex: {"team": "orders"}}
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.ImplicitDeny,
		},
		{
			name: "the same allow on the service's own key, the index read with no tags at all: closed, decided",
			doc:  docResourceTag,
			mutate: func(f *account.Function) {
				inline(f, "orders-table", strings.ReplaceAll(ordersGrant, "aws:ResourceTag/env", "dynamodb:ResourceTag/env"))
				f.ResourceTags = map[string]map[string]string{ordersIndex: {}}
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.ImplicitDeny,
		},
		{
			name: "the same allow on the service's own key, the index read with env=prod: open, decided",
			doc:  docResourceTag,
			mutate: func(f *account.Function) {
				inline(f, "orders-table", strings.ReplaceAll(ordersGrant, "aws:ResourceTag/env", "dynamodb:ResourceTag/env"))
				f.ResourceTags = map[string]map[string]string{ordersIndex: {"env": "prod"}}
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.Allow,
		},
		{
			name: "the same allow, another resource's tags read: still undecided",
			doc:  docResourceTag,
			mutate: func(f *account.Function) {
				inline(f, "orders-table", ordersGrant)
				f.ResourceTags = map[string]map[string]string{"arn:aws:dynamodb:us-east-1:111122223333:table/Orders": {"env": "prod"}}
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.ImplicitDeny, otherwise: simulate.Allow,
			note: []string{"the tags of table/Orders/index/by-customer were not read"},
		},
		{
			name: "a deny conditioned on the tag, read with env=prod: closed, decided",
			doc:  docResourceTag,
			mutate: func(f *account.Function) {
				inline(f, "all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}`)
				inline(f, "no-prod", `{"Version":"2012-10-17","Statement":[{"Sid":"NoProd","Effect":"Deny","Action":"dynamodb:*","Resource":"*","Condition":{"StringLike":{"aws:ResourceTag/env":"prod*"}}}]}`)
				f.ResourceTags = map[string]map[string]string{ordersIndex: {"env": "prod-eu"}}
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.ExplicitDeny,
		},
		{
			name: "the same condition on a principal tag the role carries: decided",
			doc:  docPrincipalTag,
			mutate: func(f *account.Function) {
				f.Role.Tags = map[string]string{"env": "dev"}
				inline(f, "orders-table", strings.ReplaceAll(ordersGrant, "aws:ResourceTag/env", "aws:PrincipalTag/env"))
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.ImplicitDeny,
		},
		{
			name: "the same condition on a principal tag the role carries with that value: open, decided",
			doc:  docPrincipalTag,
			mutate: func(f *account.Function) {
				f.Role.Tags = map[string]string{"env": "prod"}
				inline(f, "orders-table", strings.ReplaceAll(ordersGrant, "aws:ResourceTag/env", "aws:PrincipalTag/env"))
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.Allow,
		},
		{
			name: "the same condition on a principal tag of a role without tags: decided (the role's tags were read)",
			doc:  docPrincipalTag,
			mutate: func(f *account.Function) {
				inline(f, "orders-table", strings.ReplaceAll(ordersGrant, "aws:ResourceTag/env", "aws:PrincipalTag/env"))
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.ImplicitDeny,
		},
		{
			name: "aws:ResourceAccount, which the request's ARN gives: decided",
			mutate: func(f *account.Function) {
				inline(f, "orders-table", strings.ReplaceAll(strings.ReplaceAll(ordersGrant, "aws:ResourceTag/env", "aws:ResourceAccount"), `"prod"`, `"444455556666"`))
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.ImplicitDeny,
		},
		{
			name: "a deny conditioned on the table's tag: open as read, closed if it is tagged",
			doc:  docResourceTag,
			mutate: func(f *account.Function) {
				inline(f, "all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}`)
				inline(f, "no-prod", `{"Version":"2012-10-17","Statement":[{"Sid":"NoProd","Effect":"Deny","Action":"dynamodb:*","Resource":"*","Condition":{"StringLike":{"aws:ResourceTag/env":"prod*"}}}]}`)
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.Allow, otherwise: simulate.ExplicitDeny,
			note: []string{"open (allow) as read, closed (explicit deny) otherwise", "if it is tagged env=prod", `statement "NoProd" of role/app-role/inline/no-prod denies`},
		},
		{
			name: "a deny on a tag's absence (StringNotEquals): closed as read, open if it is tagged",
			doc:  docResourceTag,
			mutate: func(f *account.Function) {
				inline(f, "all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:*","Resource":"*"}]}`)
				inline(f, "only-prod", `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyProd","Effect":"Deny","Action":"dynamodb:*","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceTag/env":"prod"}}}]}`)
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.ExplicitDeny, otherwise: simulate.Allow,
			note: []string{"closed (explicit deny) as read, open (allow) otherwise", "if it is tagged env=prod"},
		},
		{
			name: "a statement whose Resource does not match anyway: decided",
			doc:  docResourceTag,
			mutate: func(f *account.Function) {
				inline(f, "orders-table", strings.ReplaceAll(ordersGrant, "table/Orders*", "table/Payments"))
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.ImplicitDeny,
		},
		{
			name: "a deny on the tag where the role allows nothing: closed either way, decided",
			doc:  docResourceTag,
			mutate: func(f *account.Function) {
				inline(f, "no-prod", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"dynamodb:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`)
			},
			judge: func(f *account.Function) *Verdict { return CheckOutbound(f, query) },
			want:  simulate.ImplicitDeny,
		},
		{
			name: "a service's own resource tag key (secretsmanager:ResourceTag)",
			doc:  "Service Authorization Reference, AWS Secrets Manager: secretsmanager:ResourceTag/tag-key",
			mutate: func(f *account.Function) {
				inline(f, "secrets", `{"Version":"2012-10-17","Statement":[{"Sid":"Tagged","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"secretsmanager:ResourceTag/app":"${aws:PrincipalTag/app}"}}}]}`)
				f.Role.Tags = map[string]string{"app": "orders"}
			},
			judge: func(f *account.Function) *Verdict {
				return CheckOutbound(f, Call{Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"})
			},
			want: simulate.ImplicitDeny, otherwise: simulate.Allow,
			note: []string{"the tags of secret:db-AbCdEf were not read", "if it is tagged app=orders", `statement "Tagged"`},
		},
		{
			name: "a key policy's kms:ResourceAliases (ListAliases is not read)",
			doc:  docAliases,
			mutate: func(f *account.Function) {
				inline(f, "kms", `{"Version":"2012-10-17","Statement":[{"Sid":"ByAlias","Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"ForAnyValue:StringLike":{"kms:ResourceAliases":"alias/orders-*"}}}]}`)
			},
			judge: func(f *account.Function) *Verdict {
				return CheckOutbound(f, Call{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"})
			},
			want: simulate.ImplicitDeny, otherwise: simulate.Allow,
			note: []string{"the aliases of key key/1234abcd-12ab-34cd-56ef-1234567890ab were not read", "if it has the alias alias/orders-", `statement "ByAlias"`},
		},
		{
			name: "an invoker of another account whose tags were not read, against a resource policy conditioned on them",
			doc:  docPrincipalTag,
			mutate: func(f *account.Function) {
				f.ResourcePolicies = []account.ResourcePolicy{{Document: `{"Version":"2012-10-17","Statement":[{"Sid":"Team","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"lambda:InvokeFunction","Resource":"` + f.ARN + `","Condition":{"StringEquals":{"aws:PrincipalTag/team":"orders"}}}]}`}}
			},
			judge: func(f *account.Function) *Verdict {
				return CheckInbound(f, Invoker{Principal: "arn:aws:iam::444455556666:role/caller"})
			},
			want: simulate.ImplicitDeny, otherwise: simulate.Allow,
			note: []string{"the tags of arn:aws:iam::444455556666:role/caller were not read", "if the caller is tagged team=orders", `statement "Team"`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Log(tc.doc)
			fn := fnWith()
			tc.mutate(fn)
			v := tc.judge(fn)
			if v.Unknown {
				t.Fatalf("unknown verdict: %+v", v.Unseen)
			}
			if v.Decision != tc.want || v.Otherwise != tc.otherwise {
				t.Fatalf("got %s otherwise %q, want %s otherwise %q (notes %q)", v.Decision, v.Otherwise, tc.want, tc.otherwise, v.Notes)
			}
			if v.IsAmbiguous() != (tc.otherwise != "") || v.Open() && v.IsAmbiguous() || v.Closed() && v.IsAmbiguous() {
				t.Errorf("open %v closed %v ambiguous %v", v.Open(), v.Closed(), v.IsAmbiguous())
			}
			a := v.Ambiguity()
			if a == nil {
				if tc.otherwise != "" {
					t.Fatal("no ambiguity")
				}
				return
			}
			if !a.Unread() || a.Patterns[0].Key == "" || a.Patterns[0].Reason == "" {
				t.Errorf("Ambiguity() = %+v, want patterns on an unread key", a)
			}
			for _, w := range tc.note {
				if !strings.Contains(a.Note, w) {
					t.Errorf("note %q does not name %s", a.Note, w)
				}
			}
			// With the keys set as they change it, the request decides as
			// Otherwise says, and is certain.
			o := v.UnderOtherReading()
			if o.Decision != tc.otherwise || o.IsAmbiguous() {
				t.Errorf("with the unread keys set: got %s ambiguous %v, want %s", o.Decision, o.IsAmbiguous(), tc.otherwise)
			}
		})
	}
}

// TestUnreadKeyFixIsCertain: a grant with no condition opens the door
// whatever the unread tags are, so the fix's recheck is decided.
func TestUnreadKeyFixIsCertain(t *testing.T) {
	fn := fnWith()
	inline(fn, "orders-table", ordersGrant)
	c := Call{Action: "dynamodb:Query", Resource: ordersIndex}
	if v := CheckOutbound(fn, c); !v.IsAmbiguous() {
		t.Fatalf("got %s ambiguous %v, want undecided before the fix", v.Decision, v.IsAmbiguous())
	}
	inline(fn, "fix", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:Query","Resource":"`+ordersIndex+`"}]}`)
	if v := CheckOutbound(fn, c); !v.Open() {
		t.Errorf("got %s ambiguous %v, want open after the grant", v.Decision, v.IsAmbiguous())
	}
}
