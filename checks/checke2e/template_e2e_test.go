//go:build integration

package checke2e

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account/template"
	"github.com/lambda-doctor/lambda-doctor/checks"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// templateCase is a fixture template deployed into moto's CloudFormation,
// with the aws CLI steps that build what moto's CloudFormation does not.
type templateCase struct {
	file  string
	after func(t *testing.T, s *motoserver.Server, physical map[string]string)
}

// checkReport is what the comparison reads of check --output json.
type checkReport struct {
	Functions []struct {
		Name         string `json:"name"`
		ARN          string `json:"arn"`
		Requirements []struct {
			ID       string `json:"id"`
			Decision string `json:"decision"`
		} `json:"requirements"`
		Source *struct {
			LogicalID string `json:"logical_id"`
		} `json:"source"`
	} `json:"functions"`
	Findings []struct {
		ID        string   `json:"id"`
		Title     string   `json:"title"`
		Functions []string `json:"functions"`
	} `json:"findings"`
}

// view is a report as logical ids see it: each function's requirements
// (rule and decision, sorted) and the findings (rule and function).
type view struct {
	requirements map[string][]string
	findings     []string
}

func viewOf(t *testing.T, out string, logical func(name string) string) view {
	t.Helper()
	var r checkReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("check --output json: %v\n%s", err, out)
	}
	v := view{requirements: map[string][]string{}}
	byARN := map[string]string{}
	for _, f := range r.Functions {
		id := logical(f.Name)
		if f.Source != nil {
			id = f.Source.LogicalID
		}
		byARN[f.ARN] = id
		var qs []string
		for _, q := range f.Requirements {
			qs = append(qs, q.ID+" "+q.Decision)
		}
		sort.Strings(qs)
		v.requirements[id] = qs
	}
	for _, f := range r.Findings {
		for _, a := range f.Functions {
			v.findings = append(v.findings, f.ID+" "+byARN[a])
		}
	}
	sort.Strings(v.findings)
	return v
}

// TestTemplateBeforeEqualsAfter: a plain CloudFormation template judged
// before deploy (check --template) gives the findings a whole-account
// check gives after deploying it into moto (check --all): the same
// findings, and the same decision for every requirement of every
// function, except those the template leaves undecided because they hang
// on a name or id CloudFormation assigns at deploy; read again with the
// deployed stack's physical ids, those agree too.
func TestTemplateBeforeEqualsAfter(t *testing.T) {
	requireAWS(t)
	s := motoserver.Start(t)
	cases := []templateCase{
		{file: "cfn/sns-broken.yaml"},
		{file: "cfn/sns-healthy.yaml"},
		{file: "cfn/events-broken.yaml"},
		{file: "cfn/esm-sqs-broken.yaml"},
		{file: "cfn/esm-sqs-healthy.yaml"},
		// moto's CloudFormation leaves out a function URL: built with the CLI.
		// (url-broken, a URL on an alias, makes moto's CloudFormation answer
		// 500, so it is not here.)
		{file: "cfn/url-healthy.yaml", after: func(t *testing.T, s *motoserver.Server, physical map[string]string) {
			s.AWS(t, "lambda", "create-function-url-config", "--function-name", physical["Fn"], "--auth-type", "NONE")
		}},
		{file: "cfn/orders-api-healthy.yaml"},
		// moto's CloudFormation does not create an AWS::ApiGateway::Stage.
		{file: "cfn/orders-api-broken.yaml", after: func(t *testing.T, s *motoserver.Server, physical map[string]string) {
			s.AWS(t, "apigateway", "create-stage", "--rest-api-id", physical["Api"], "--stage-name", "prod", "--deployment-id", physical["Deployment"])
		}},
		// moto's CloudFormation does not create an AWS::Logs::SubscriptionFilter.
		{file: "cfn/logs-broken.yaml", after: func(t *testing.T, s *motoserver.Server, physical map[string]string) {
			s.AWS(t, "logs", "create-log-group", "--log-group-name", "/app/payments")
			s.AWS(t, "logs", "put-subscription-filter", "--log-group-name", "/app/payments", "--filter-name", "payments",
				"--filter-pattern", "", "--destination-arn", "arn:aws:lambda:us-east-1:"+s.Account+":function:"+physical["Fn"])
		}},
		{file: "corpus/cfn-cross-account-permission.yaml"},
		{file: "corpus/cfn-permissions-boundary.yaml"},
		{file: "cfn/s3-healthy.yaml", after: func(t *testing.T, s *motoserver.Server, physical map[string]string) {
			fn := "arn:aws:lambda:us-east-1:" + s.Account + ":function:" + physical["Fn"]
			s.AWS(t, "s3api", "put-bucket-notification-configuration", "--bucket", physical["Bucket"], "--notification-configuration",
				`{"LambdaFunctionConfigurations":[{"LambdaFunctionArn":"`+fn+`","Events":["s3:ObjectCreated:*"]}]}`)
		}},
		{file: "cfn/s3-broken.yaml", after: func(t *testing.T, s *motoserver.Server, physical map[string]string) {
			fn := "arn:aws:lambda:us-east-1:" + s.Account + ":function:" + physical["Fn"]
			s.AWS(t, "s3api", "put-bucket-notification-configuration", "--bucket", physical["Bucket"], "--notification-configuration",
				`{"LambdaFunctionConfigurations":[{"LambdaFunctionArn":"`+fn+`","Events":["s3:ObjectRemoved:*"]}]}`)
		}},
	}
	compared, undecided := 0, 0
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			s.Reset(t)
			stack := "bea-" + strings.NewReplacer("/", "-", ".yaml", "").Replace(c.file)
			path := filepath.Join("../../fixtures/templates", c.file)
			s.AWS(t, "cloudformation", "create-stack", "--stack-name", stack, "--template-body", "file://"+path,
				"--capabilities", "CAPABILITY_IAM", "CAPABILITY_NAMED_IAM")
			out := s.AWS(t, "cloudformation", "describe-stack-resources", "--stack-name", stack, "--output", "json")
			var res struct {
				StackResources []struct{ LogicalResourceId, PhysicalResourceId, ResourceStatus string }
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatal(err)
			}
			physical, logicalOf := map[string]string{}, map[string]string{}
			for _, r := range res.StackResources {
				if r.ResourceStatus != "CREATE_COMPLETE" {
					t.Fatalf("%s: %s", r.LogicalResourceId, r.ResourceStatus)
				}
				if r.PhysicalResourceId != "" && r.PhysicalResourceId != "None" {
					physical[r.LogicalResourceId] = r.PhysicalResourceId
					logicalOf[r.PhysicalResourceId] = r.LogicalResourceId
				}
			}
			if c.after != nil {
				c.after(t, s, physical)
			}
			opts := template.Options{Region: "us-east-1", Account: s.Account, StackName: stack}
			completeRoles(t, s, path, template.Options{Region: "us-east-1", Account: s.Account, StackName: stack, PhysicalIDs: physical})

			args := []string{"--output", "json", "--fail-on", "none"}
			beforeOut, _ := check(t, s, append([]string{"--template", path, "--offline", "--region", "us-east-1", "--account", s.Account, "--stack-name", stack}, args...)...)
			afterOut, _ := check(t, s, append([]string{"--all"}, args...)...)
			logical := func(name string) string { return logicalOf[name] }
			before, after := viewOf(t, beforeOut, logical), viewOf(t, afterOut, logical)

			// With the physical ids, the template's model decides all.
			opts.PhysicalIDs = physical
			known, err := template.Read(path, opts)
			if err != nil {
				t.Fatal(err)
			}
			ck := checks.New(checks.Options{FailOn: checks.SeverityNone})
			for _, fn := range known.Functions {
				ck.Check(fn)
			}
			b, _ := json.Marshal(ck.Report())
			withIDs := viewOf(t, string(b), logical)

			// A finding after deploy on a requirement the template left
			// undecided is the one allowed difference (checked below).
			var afterDecided []string
			for _, f := range after.findings {
				rule, id, _ := strings.Cut(f, " ")
				if !slices.Contains(before.requirements[id], rule+" unknown") {
					afterDecided = append(afterDecided, f)
				}
			}
			if strings.Join(before.findings, ",") != strings.Join(afterDecided, ",") {
				t.Errorf("findings: before deploy %q, after %q", before.findings, after.findings)
			}
			if strings.Join(withIDs.findings, ",") != strings.Join(after.findings, ",") {
				t.Errorf("findings with the physical ids %q, after deploy %q", withIDs.findings, after.findings)
			}
			for id, want := range after.requirements {
				if got := withIDs.requirements[id]; strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("%s: requirements with the physical ids %q, after deploy %q", id, got, want)
				}
				got := before.requirements[id]
				if len(got) != len(want) {
					t.Errorf("%s: requirements before deploy %q, after %q", id, got, want)
					continue
				}
				for i := range got {
					switch {
					case got[i] == want[i]:
						compared++
					case strings.HasSuffix(got[i], " unknown"):
						undecided++
						t.Logf("%s: %s before deploy, %s after: it hangs on a value CloudFormation assigns", id, got[i], want[i])
					default:
						t.Errorf("%s: requirement %s before deploy, %s after", id, got[i], want[i])
					}
				}
			}
			if len(before.requirements) != len(after.requirements) {
				t.Errorf("functions: before deploy %d, after %d", len(before.requirements), len(after.requirements))
			}
		})
	}
	t.Logf("%d requirements decided the same before and after deploy; %d undecided before, decided after", compared, undecided)
}

// completeRoles builds with the aws CLI what moto's CloudFormation leaves
// out of the template's roles: it does not attach a role's
// ManagedPolicyArns nor create AWS::IAM::RolePolicy resources, and it
// stores an inline policy given as an object in Python's notation, which
// IAM would not (moto 5.2.1; account/template's TestBeforeEqualsAfter does
// the same). opts carries the stack's physical ids, so that the roles have
// their deployed names.
func completeRoles(t *testing.T, s *motoserver.Server, path string, opts template.Options) {
	t.Helper()
	res, err := template.Read(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	for _, f := range res.Functions {
		r := f.Role
		if r == nil || done[r.ARN] {
			continue
		}
		done[r.ARN] = true
		name := r.Name
		attached := s.AWS(t, "iam", "list-attached-role-policies", "--role-name", name, "--query", "AttachedPolicies[].PolicyArn", "--output", "text")
		for _, p := range r.Managed {
			if !strings.Contains(attached, p.ARN) {
				s.AWS(t, "iam", "attach-role-policy", "--role-name", name, "--policy-arn", p.ARN)
			}
		}
		for _, p := range r.Inline {
			s.AWS(t, "iam", "put-role-policy", "--role-name", name, "--policy-name", p.Name, "--policy-document", p.Document)
		}
	}
}
