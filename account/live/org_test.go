package live

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// asAccount makes every request act in moto account acct (moto's
// x-moto-account-id header), and Organizations requests in account org
// when org is set: how moto can stand for a delegated administrator, which
// AWS answers with the organization's data (moto answers a member
// account's ListParents from the member's own, empty, backend).
func asAccount(acct, org string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Build.Add(middleware.BuildMiddlewareFunc("TestMotoAccount",
			func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok {
					a := acct
					if org != "" && middleware.GetServiceID(ctx) == "Organizations" {
						a = org
					}
					req.Header.Set("x-moto-account-id", a)
				}
				return next.HandleBuild(ctx, in)
			}), middleware.After)
	}
}

// setupAs returns setup clients acting in moto account acct.
func setupAs(t testing.TB, s *motoserver.Server, acct string) (*setupClients, *organizations.Client) {
	t.Helper()
	s.Setenv(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithBaseEndpoint(s.Endpoint), config.WithRegion("us-east-1"),
		config.WithAPIOptions([]func(*middleware.Stack) error{asAccount(acct, "")}))
	check(t, err)
	return &setupClients{lambda: lambda.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg)}, organizations.NewFromConfig(cfg)
}

// orgScenario builds, in a management account of its own, an organization
// with an OU "payments" under the root, a member account in it, and an
// SCP denying logs:PutLogEvents attached to the OU; the member account
// gets a function. It returns the management and member accounts, the
// root and OU ids, and the deny policy's summary.
func orgScenario(t *testing.T, s *motoserver.Server, mgmt string) (member, root, ou string, deny *orgtypes.PolicySummary) {
	t.Helper()
	ctx := context.Background()
	_, org := setupAs(t, s, mgmt)
	_, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	check(t, err)
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	check(t, err)
	root = aws.ToString(roots.Roots[0].Id)
	ouOut, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("payments")})
	check(t, err)
	ou = aws.ToString(ouOut.OrganizationalUnit.Id)
	acct, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("payments-prod"), Email: aws.String("p@example.com")})
	check(t, err)
	member = aws.ToString(acct.CreateAccountStatus.AccountId)
	_, err = org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: aws.String(root), DestinationParentId: aws.String(ou)})
	check(t, err)
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"NoLogWrites","Effect":"Deny","Action":"logs:PutLogEvents","Resource":"*"}]}`
	p, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny-log-writes"), Description: aws.String("test"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(doc)})
	check(t, err)
	deny = p.Policy.PolicySummary
	_, err = org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: deny.Id, TargetId: aws.String(ou)})
	check(t, err)

	c, _ := setupAs(t, s, member)
	c.createFunction(t, "org-member-fn", c.createRole(t, "org-member-role", "/", lambdaTrust), nil)
	return member, root, ou, deny
}

func policyNames(levels [][]account.ManagedPolicy) [][]string {
	var out [][]string
	for _, l := range levels {
		var names []string
		for _, p := range l {
			names = append(names, p.Name)
		}
		out = append(out, names)
	}
	return out
}

// TestLiveOrganizationPolicies: a member account read by an operator who
// may read the organization's policies (moto stands for a delegated
// administrator: its Organizations reads are answered from the
// management account) gets every level root → OU → account with its SCPs
// and RCPs and their documents, read once per reader; the same member
// read without that right gets PoliciesUnread and the refused read in
// Unseen; the management account gets no level at all, since SCPs and
// RCPs do not restrict it (Organizations UG).
func TestLiveOrganizationPolicies(t *testing.T) {
	s := motoserver.Start(t)
	const mgmt = "210000000001"
	member, root, ou, deny := orgScenario(t, s, mgmt)
	ctx := context.Background()

	l := newTestLive(t, s, s.Endpoint, Options{APIOptions: []func(*middleware.Stack) error{asAccount(member, mgmt)}})
	f, err := l.Function(ctx, "org-member-fn")
	check(t, err)
	o := f.Org
	if o == nil || o.PoliciesUnread || o.ManagementAccount != mgmt || !strings.HasPrefix(o.ID, "o-") {
		t.Fatalf("got Org %+v, want the organization with its policies read", o)
	}
	if want := []string{root, ou, member}; !reflect.DeepEqual(o.Path, want) {
		t.Errorf("path: got %v, want %v", o.Path, want)
	}
	if got, want := policyNames(o.SCPs), [][]string{{"FullAWSAccess"}, {"FullAWSAccess", "deny-log-writes"}, {"FullAWSAccess"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("SCP levels: got %v, want %v", got, want)
	}
	if got, want := policyNames(o.RCPs), [][]string{{"RCPFullAWSAccess"}, {"RCPFullAWSAccess"}, {"RCPFullAWSAccess"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("RCP levels: got %v, want %v", got, want)
	}
	for _, p := range o.SCPs[1] {
		if p.Name == "deny-log-writes" {
			if p.ARN != aws.ToString(deny.Arn) || !json.Valid([]byte(p.Document)) || !strings.Contains(p.Document, "NoLogWrites") {
				t.Errorf("the deny policy: got %+v, want ARN %s and its document", p, aws.ToString(deny.Arn))
			}
		}
	}
	if len(f.Unseen) != 0 {
		t.Errorf("unseen: %+v", f.Unseen)
	}
	// A second function of the reader costs no Organizations call.
	c, _ := setupAs(t, s, member)
	c.createFunction(t, "org-member-fn2", c.createRole(t, "org-member-role2", "/", lambdaTrust), nil)
	if _, err := l.Function(ctx, "org-member-fn2"); err != nil {
		t.Fatal(err)
	}
	calls, _ := l.Calls()
	for op, want := range map[string]int{"organizations:DescribeOrganization": 1, "organizations:ListParents": 2,
		"organizations:ListPoliciesForTarget": 6, "organizations:DescribePolicy": 3} {
		if calls[op] != want {
			t.Errorf("%s calls: got %d, want %d", op, calls[op], want)
		}
	}

	// Dependent rounds, measured: every request delayed by the same time,
	// the read takes about rounds × that time (a measurement, logged).
	t.Run("rounds", func(t *testing.T) {
		const delay = 300 * time.Millisecond
		slow := newFaultProxy(t, s.Endpoint)
		slow.set("*", "slow", -1, delay)
		l := newTestLive(t, s, slow.URL, Options{APIOptions: []func(*middleware.Stack) error{asAccount(member, mgmt), tagOperations}})
		start := time.Now()
		if _, err := l.Function(ctx, "org-member-fn"); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		calls, _ := l.Calls()
		total := 0
		for _, n := range calls {
			total += n
		}
		t.Logf("one function of a member account one OU below the root, the organization's policies read: %d calls in %v with %v per request: about %.1f dependent rounds after New",
			total, took.Round(10*time.Millisecond), delay, took.Seconds()/delay.Seconds())
	})

	// Without the right to read the policies (moto: the member's own
	// Organizations backend), the policies are assumed and the read named.
	l = newTestLive(t, s, s.Endpoint, Options{APIOptions: []func(*middleware.Stack) error{asAccount(member, "")}})
	f, err = l.Function(ctx, "org-member-fn")
	check(t, err)
	if o := f.Org; o == nil || !o.PoliciesUnread || o.ManagementAccount != mgmt || len(o.SCPs)+len(o.RCPs)+len(o.Path) != 0 {
		t.Errorf("unreadable policies: got Org %+v, want PoliciesUnread with the management account and no level", o)
	}
	if len(f.Unseen) != 1 || f.Unseen[0].Operation != "organizations:ListParents" || f.Unseen[0].Resource != member {
		t.Errorf("unseen: got %+v, want the refused organizations:ListParents of %s", f.Unseen, member)
	}

	// The management account: no level applies to it.
	cm, _ := setupAs(t, s, mgmt)
	cm.createFunction(t, "org-mgmt-fn", cm.createRole(t, "org-mgmt-role", "/", lambdaTrust), nil)
	l = newTestLive(t, s, s.Endpoint, Options{APIOptions: []func(*middleware.Stack) error{asAccount(mgmt, "")}})
	f, err = l.Function(ctx, "org-mgmt-fn")
	check(t, err)
	if o := f.Org; o == nil || o.PoliciesUnread || o.ManagementAccount != mgmt || o.ID == "" || len(o.SCPs)+len(o.RCPs) != 0 {
		t.Errorf("management account: got Org %+v, want the organization with no level", o)
	}
	calls, _ = l.Calls()
	if calls["organizations:ListParents"] != 0 {
		t.Errorf("the management account's levels were walked: %v", calls)
	}
}

// TestLiveOrganizationStatus: an account in no organization gets an empty
// Org (no SCP or RCP applies), read with one call.
func TestLiveOrganizationStatus(t *testing.T) {
	s := motoserver.Start(t)
	const acct = "210000000009"
	c, _ := setupAs(t, s, acct)
	c.createFunction(t, "org-fn", c.createRole(t, "org-role", "/", lambdaTrust), nil)

	l := newTestLive(t, s, s.Endpoint, Options{APIOptions: []func(*middleware.Stack) error{asAccount(acct, "")}})
	f, err := l.Function(context.Background(), "org-fn")
	if err != nil {
		t.Fatal(err)
	}
	if f.Org == nil || f.Org.ID != "" || f.Org.PoliciesUnread || len(f.Org.SCPs) != 0 {
		t.Fatalf("no organization: got Org %+v, want an empty Org", f.Org)
	}
	calls, _ := l.Calls()
	if n := calls["organizations:DescribeOrganization"]; n != 1 {
		t.Errorf("organizations:DescribeOrganization calls: got %d, want 1", n)
	}
}

func TestOrgLevels(t *testing.T) {
	docs := map[string]*account.ManagedPolicy{"p-a": {Name: "a"}, "p-b": {Name: "b"}}
	for _, c := range []struct {
		levels [][]string
		want   [][]string
		ok     bool
	}{
		{[][]string{nil, nil}, nil, true}, // the type is not enabled
		{[][]string{{"p-a"}, {"p-a", "p-b"}}, [][]string{{"a"}, {"a", "b"}}, true},
		{[][]string{{"p-a"}, nil}, nil, false}, // a level with none: not read consistently
	} {
		got, ok := orgLevels(c.levels, docs)
		if ok != c.ok || !reflect.DeepEqual(policyNames(got), c.want) {
			t.Errorf("%v: got %v %v, want %v %v", c.levels, policyNames(got), ok, c.want, c.ok)
		}
	}
}
