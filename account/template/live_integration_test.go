//go:build integration

package template_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/account/live"
	"github.com/lambda-doctor/lambda-doctor/account/template"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.Stop()
	os.Exit(code)
}

// deployCase is a template deployed into moto's CloudFormation, with the
// aws CLI steps that build what moto's CloudFormation does not (moto
// accepts a bucket's NotificationConfiguration but does not apply it).
type deployCase struct {
	file  string
	after func(t *testing.T, s *motoserver.Server, physical map[string]string)
	// skipESM says why the event source mappings cannot be compared.
	skipESM string
}

// TestBeforeEqualsAfter: a plain CloudFormation template, read before
// deploy, gives the model the live reader reads after deploying it into
// moto, field by field for what both know.
func TestBeforeEqualsAfter(t *testing.T) {
	s := motoserver.Start(t)
	s.Reset(t)
	cases := []deployCase{
		{file: "cfn/orders-api-healthy.yaml"},
		{file: "cfn/esm-sqs-healthy.yaml"},
		{file: "cfn/url-healthy.yaml"},
		{file: "cfn/sns-broken.yaml"},
		{file: "cfn/events-broken.yaml"},
		{file: "cfn/logs-broken.yaml"},
		{file: "corpus/cfn-ddb-stream-conditions.yaml",
			skipESM: "moto filters ListEventSourceMappings by the FunctionName text the mapping was created with (an ARN here), AWS by the function"},
		{file: "corpus/cfn-cross-account-permission.yaml"},
		{file: "corpus/cfn-permissions-boundary.yaml"},
		{file: "cfn/s3-healthy.yaml", after: func(t *testing.T, s *motoserver.Server, physical map[string]string) {
			fn := "arn:aws:lambda:us-east-1:" + s.Account + ":function:" + physical["Fn"]
			s.AWS(t, "s3api", "put-bucket-notification-configuration", "--bucket", physical["Bucket"], "--notification-configuration",
				`{"LambdaFunctionConfigurations":[{"LambdaFunctionArn":"`+fn+`","Events":["s3:ObjectCreated:*"]}]}`)
		}},
	}
	for i, c := range cases {
		stack := "bea" + strings.NewReplacer("/", "-", ".yaml", "").Replace(c.file)
		t.Run(c.file, func(t *testing.T) {
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
			physical := map[string]string{}
			for _, r := range res.StackResources {
				if r.ResourceStatus != "CREATE_COMPLETE" {
					t.Fatalf("%s: %s", r.LogicalResourceId, r.ResourceStatus)
				}
				if r.PhysicalResourceId != "" && r.PhysicalResourceId != "None" {
					physical[r.LogicalResourceId] = r.PhysicalResourceId
				}
			}
			if c.after != nil {
				c.after(t, s, physical)
			}
			before, err := template.Read(path, template.Options{Region: "us-east-1", Account: s.Account, StackName: stack, PhysicalIDs: physical})
			if err != nil {
				t.Fatal(err)
			}
			completeRoles(t, s, before)
			s.Setenv(t)
			reader, err := live.New(context.Background(), live.Options{Region: "us-east-1", BaseEndpoint: s.Endpoint, LogWindow: -1})
			if err != nil {
				t.Fatal(err)
			}
			if len(before.Functions) == 0 {
				t.Fatal("the template has no functions")
			}
			for _, want := range before.Functions {
				got, err := reader.Function(context.Background(), want.Name)
				if err != nil {
					t.Fatalf("live read of %s: %v", want.Name, err)
				}
				compareModels(t, want, got, c.skipESM)
			}
		})
		_ = i
	}
}

// compareModels compares what both readers know of a function.
func compareModels(t *testing.T, tmpl, liveFn *account.Function, skipESM string) {
	t.Helper()
	eq := func(what string, a, b any) {
		t.Helper()
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: %s: template %v, live %v", tmpl.Name, what, a, b)
		}
	}
	// eqMarked compares texts where a generated marker of the template
	// (a DynamoDB stream label) stands for any text.
	eqMarked := func(what string, a, b []string) {
		t.Helper()
		if len(a) != len(b) {
			t.Errorf("%s: %s: template %v, live %v", tmpl.Name, what, a, b)
			return
		}
		for i := range a {
			re := regexp.QuoteMeta(a[i])
			re = markerRE.ReplaceAllString(re, ".+")
			if !regexp.MustCompile("^" + re + "$").MatchString(b[i]) {
				t.Errorf("%s: %s: template %v, live %v", tmpl.Name, what, a, b)
			}
		}
	}
	eq("ARN", tmpl.ARN, liveFn.ARN)
	eq("runtime", tmpl.Config.Runtime, liveFn.Config.Runtime)
	eq("handler", tmpl.Config.Handler, liveFn.Config.Handler)
	eq("role ARN", tmpl.Config.RoleARN, liveFn.Config.RoleARN)
	eq("environment keys", tmpl.Config.EnvironmentKeys, liveFn.Config.EnvironmentKeys)
	eq("log group", tmpl.Config.Logging.LogGroup, liveFn.Config.Logging.LogGroup)
	if tmpl.Config.VPC != nil || liveFn.Config.VPC != nil {
		if tmpl.Config.VPC == nil || liveFn.Config.VPC == nil {
			t.Errorf("%s: VPC: template %v, live %v", tmpl.Name, tmpl.Config.VPC, liveFn.Config.VPC)
		} else {
			eq("subnets", tmpl.Config.VPC.SubnetIDs, liveFn.Config.VPC.SubnetIDs)
		}
	}

	if tmpl.Role == nil || liveFn.Role == nil {
		t.Fatalf("%s: role: template %v, live %v", tmpl.Name, tmpl.Role, liveFn.Role)
	}
	eq("role name", tmpl.Role.Name, liveFn.Role.Name)
	eq("role path", tmpl.Role.Path, liveFn.Role.Path)
	eq("trust policy", canonical(t, tmpl.Role.Trust), canonical(t, liveFn.Role.Trust))
	eq("inline policies", inlineOf(t, tmpl.Role), inlineOf(t, liveFn.Role))
	eq("managed policies", managedOf(t, tmpl.Role), managedOf(t, liveFn.Role))
	if (tmpl.Role.Boundary == nil) != (liveFn.Role.Boundary == nil) {
		t.Errorf("%s: boundary: template %v, live %v", tmpl.Name, tmpl.Role.Boundary, liveFn.Role.Boundary)
	} else if tmpl.Role.Boundary != nil {
		eq("boundary", []string{tmpl.Role.Boundary.ARN, canonical(t, tmpl.Role.Boundary.Document)},
			[]string{liveFn.Role.Boundary.ARN, canonical(t, liveFn.Role.Boundary.Document)})
	}

	eq("resource policy statements", statementsOf(t, tmpl), statementsOf(t, liveFn))

	var esT, esL []string
	for _, e := range tmpl.EventSources {
		esT = append(esT, e.UUID+" "+e.EventSourceARN+" "+e.State)
	}
	for _, e := range liveFn.EventSources {
		esL = append(esL, e.UUID+" "+e.EventSourceARN+" "+e.State)
	}
	sort.Strings(esT)
	sort.Strings(esL)
	if skipESM == "" {
		eqMarked("event sources", esT, esL)
	}

	// The live reader discovers S3, SNS and EventBridge triggers.
	known := map[string]bool{account.TriggerS3: true, account.TriggerSNS: true, account.TriggerEvents: true}
	trig := func(f *account.Function) []string {
		var out []string
		for _, tr := range f.Triggers {
			if known[tr.Kind] {
				out = append(out, strings.Join([]string{tr.Kind, tr.Principal, tr.SourceARN, tr.SourceAccount, tr.Qualifier, tr.RoleARN}, " "))
			}
		}
		sort.Strings(out)
		return out
	}
	eq("triggers", trig(tmpl), trig(liveFn))
}

// markerRE matches a generated marker after regexp.QuoteMeta.
var markerRE = regexp.MustCompile(`\\\{\\\{generated\\\.[A-Za-z0-9._\\-]*\\\}\\\}`)

// completeRoles builds with the aws CLI what moto's CloudFormation leaves
// out of the template's roles: it does not attach a role's
// ManagedPolicyArns nor create AWS::IAM::RolePolicy resources (moto
// 5.2.1).
func completeRoles(t *testing.T, s *motoserver.Server, res *template.Result) {
	t.Helper()
	done := map[string]bool{}
	for _, f := range res.Functions {
		r := f.Role
		if r == nil || done[r.Name] {
			continue
		}
		done[r.Name] = true
		attached := s.AWS(t, "iam", "list-attached-role-policies", "--role-name", r.Name, "--query", "AttachedPolicies[].PolicyArn", "--output", "text")
		for _, p := range r.Managed {
			if !strings.Contains(attached, p.ARN) {
				s.AWS(t, "iam", "attach-role-policy", "--role-name", r.Name, "--policy-arn", p.ARN)
			}
		}
		inline := s.AWS(t, "iam", "list-role-policies", "--role-name", r.Name, "--query", "PolicyNames", "--output", "text")
		for _, p := range r.Inline {
			if !strings.Contains(" "+strings.Join(strings.Fields(inline), " ")+" ", " "+p.Name+" ") {
				s.AWS(t, "iam", "put-role-policy", "--role-name", r.Name, "--policy-name", p.Name, "--policy-document", p.Document)
			}
		}
	}
}

// canonical re-marshals a JSON document with sorted keys and one form for
// single-item lists ("Action": "x" and ["x"] mean the same).
func canonical(t *testing.T, doc string) string {
	t.Helper()
	if doc == "" {
		return ""
	}
	if strings.HasPrefix(doc, "{'") {
		// moto's CloudFormation stores an inline policy given as an object
		// in Python's notation: {'Version': '2012-10-17', ...}.
		doc = strings.NewReplacer("'", `"`, "True", "true", "False", "false").Replace(doc)
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, doc)
	}
	b, _ := json.Marshal(unwrapSingles(v))
	return string(b)
}

func unwrapSingles(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) == 1 {
			return unwrapSingles(x[0])
		}
		for i := range x {
			x[i] = unwrapSingles(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = unwrapSingles(x[k])
		}
	}
	return v
}

func inlineOf(t *testing.T, r *account.Role) []string {
	var out []string
	for _, p := range r.Inline {
		out = append(out, p.Name+" "+canonical(t, p.Document))
	}
	sort.Strings(out)
	return out
}

func managedOf(t *testing.T, r *account.Role) []string {
	var out []string
	for _, p := range r.Managed {
		doc := ""
		if !strings.Contains(p.ARN, ":iam::aws:") {
			doc = " " + canonical(t, p.Document) // moto's copies of AWS managed policies may be older
		}
		out = append(out, p.ARN+doc)
	}
	sort.Strings(out)
	return out
}

// statementsOf returns the statements of the function's resource
// policies, without their ids (CloudFormation makes its own), with moto's
// non-AWS shapes (moto-notes: top-level FunctionUrlAuthType and
// InvokedViaFunctionUrl, raw account principals, a FunctionName key) put
// in the form AWS writes.
func statementsOf(t *testing.T, f *account.Function) []string {
	var out []string
	for _, p := range f.ResourcePolicies {
		var doc struct{ Statement []map[string]any }
		if err := json.Unmarshal([]byte(p.Document), &doc); err != nil {
			t.Fatalf("%s: resource policy: %v", f.Name, err)
		}
		for _, st := range doc.Statement {
			delete(st, "Sid")
			delete(st, "FunctionName")
			cond, _ := st["Condition"].(map[string]any)
			if cond == nil {
				cond = map[string]any{}
			}
			if v, ok := st["FunctionUrlAuthType"]; ok {
				se, _ := cond["StringEquals"].(map[string]any)
				if se == nil {
					se = map[string]any{}
				}
				se["lambda:FunctionUrlAuthType"] = v
				cond["StringEquals"] = se
				delete(st, "FunctionUrlAuthType")
			}
			if v, ok := st["InvokedViaFunctionUrl"]; ok {
				cond["Bool"] = map[string]any{"lambda:InvokedViaFunctionUrl": strings.ToLower(strings.Trim(mustJSON(v), `"`))}
				delete(st, "InvokedViaFunctionUrl")
			}
			if len(cond) > 0 {
				st["Condition"] = cond
			}
			if p, ok := st["Principal"].(string); ok && account.IsAccountID(p) {
				st["Principal"] = map[string]any{"AWS": "arn:aws:iam::" + p + ":root"}
			}
			if p, ok := st["Principal"].(string); ok && strings.HasPrefix(p, "arn:") {
				st["Principal"] = map[string]any{"AWS": p}
			}
			out = append(out, canonical(t, mustJSON(st)))
		}
	}
	sort.Strings(out)
	return out
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
