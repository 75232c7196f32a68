//go:build integration

package checke2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// recorder is a proxy in front of moto that records the operation of
// every request lambda-doctor sends (the Action of the query protocol,
// the X-Amz-Target of the JSON protocols, else method and path).
type recorder struct {
	mu  sync.Mutex
	ops []string
	url string
}

func newRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		op := req.Header.Get("X-Amz-Target")
		if v, err := url.ParseQuery(string(body)); err == nil && v.Get("Action") != "" {
			op = v.Get("Action")
		}
		if op == "" {
			op = req.Method + " " + req.URL.Path
		}
		r.mu.Lock()
		r.ops = append(r.ops, op)
		r.mu.Unlock()
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.ops
	r.ops = nil
	return out
}

// templateReads are the operations check --template may send.
var templateReads = []string{"GetCallerIdentity", "DescribeStacks", "ListStackResources", "ListExports",
	"GetRole", "ListRolePolicies", "GetRolePolicy", "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion"}

// checkVia runs lambda-doctor check with the server's environment, its
// endpoint replaced by the recorder's, and more (KEY=VALUE) over it.
func checkVia(t *testing.T, s *motoserver.Server, rec *recorder, more []string, args ...string) (string, int) {
	t.Helper()
	return checkWithEnv(t, append(append(env(s), "AWS_ENDPOINT_URL="+rec.url), more...), args...)
}

type accountReport struct {
	Functions []struct {
		Requirements []struct {
			ID       string `json:"id"`
			Decision string `json:"decision"`
		} `json:"requirements"`
	} `json:"functions"`
	Findings []struct {
		ID      string `json:"id"`
		Subject string `json:"subject"`
		Fixes   []struct {
			Command  string `json:"command"`
			Verified bool   `json:"verified"`
		} `json:"fixes"`
	} `json:"findings"`
	Template struct {
		Unknowns []struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		} `json:"unknowns"`
		AccountRead struct {
			Read        bool   `json:"read"`
			Note        string `json:"note"`
			Account     string `json:"account"`
			AccountFrom string `json:"account_from"`
			Stack       string `json:"stack"`
			Values      []struct {
				Kind string `json:"kind"`
				Name string `json:"name"`
			} `json:"values"`
			Unseen []struct {
				Operation string `json:"operation"`
			} `json:"unseen"`
		} `json:"account_read"`
	} `json:"template"`
}

func parseAccountReport(t *testing.T, out string) accountReport {
	t.Helper()
	var r accountReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("check --output json: %v\n%s", err, out)
	}
	return r
}

// decision is the decision of requirement id of the report's only function.
func (r accountReport) decision(t *testing.T, id string) string {
	t.Helper()
	if len(r.Functions) != 1 {
		t.Fatalf("functions: got %d, want 1", len(r.Functions))
	}
	for _, q := range r.Functions[0].Requirements {
		if q.ID == id {
			return q.Decision
		}
	}
	t.Fatalf("no requirement %s in %+v", id, r.Functions[0].Requirements)
	return ""
}

// writeTemplate writes a test template and returns its path.
func writeTemplate(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// dlqTemplate is a function whose dead-letter queue is named by VALUE
// (a parameter without a default, an !ImportValue) and whose role may
// send only to the queue orders-dlq: the requirement (LD004) hangs on
// VALUE.
const dlqTemplate = `AWSTemplateFormatVersion: '2010-09-09'
PARAMS
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: dlq
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: arn:aws:sqs:us-east-1:123456789012:orders-dlq
              - Effect: Allow
                Action: [logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents]
                Resource: '*'
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: 'def handler(e, c): return 1'}
      DeadLetterConfig:
        TargetArn: !Sub ['arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Q}', {Q: VALUE}]
`

// TestTemplateValuesFromAccount: check --template with credentials reads
// what the template does not give from the account it is deployed to
// (docs/contract.md, "check --template"), and only reads.
func TestTemplateValuesFromAccount(t *testing.T) {
	requireAWS(t)
	s := motoserver.Start(t)
	s.Reset(t)
	rec := newRecorder(t, s.Endpoint)
	if s.Account != "123456789012" {
		t.Skipf("the templates name moto's default account, not %s", s.Account)
	}
	s.AWS(t, "sqs", "create-queue", "--queue-name", "orders-dlq")
	jsonOut := []string{"--output", "json"}

	t.Run("a parameter from the deployed stack", func(t *testing.T) {
		path := writeTemplate(t, "params.yaml", strings.NewReplacer("PARAMS", "Parameters:\n  DlqName: {Type: String}", "VALUE", "!Ref DlqName").Replace(dlqTemplate))
		s.AWS(t, "cloudformation", "create-stack", "--stack-name", "tv-params", "--template-body", "file://"+path,
			"--parameters", "ParameterKey=DlqName,ParameterValue=orders-dlq", "--capabilities", "CAPABILITY_IAM")
		rec.take()
		out, code := checkVia(t, s, rec, nil, append([]string{"--template", path, "--stack-name", "tv-params"}, jsonOut...)...)
		r := parseAccountReport(t, out)
		if got := r.decision(t, "LD004"); got != "allow" {
			t.Errorf("LD004 with the stack's parameter: got %s, want allow\n%s", got, out)
		}
		if code != 0 {
			t.Errorf("exit %d, want 0\n%s", code, out)
		}
		ar := r.Template.AccountRead
		if !ar.Read || ar.Account != "123456789012" || !strings.HasPrefix(ar.AccountFrom, "sts:GetCallerIdentity") || ar.Stack != "tv-params" {
			t.Errorf("account_read: got %+v, want read from account 123456789012 by sts:GetCallerIdentity, stack tv-params", ar)
		}
		if !slices.ContainsFunc(ar.Values, func(v struct {
			Kind string `json:"kind"`
			Name string `json:"name"`
		}) bool {
			return v.Kind == "Parameter" && v.Name == "DlqName"
		}) {
			t.Errorf("account_read.values %+v: want Parameter DlqName", ar.Values)
		}
		ops := rec.take()
		for _, want := range []string{"GetCallerIdentity", "DescribeStacks", "ListStackResources"} {
			if !slices.Contains(ops, want) {
				t.Errorf("requests %q: want %s", ops, want)
			}
		}
		noWrites(t, ops)

		// --offline: nothing is read, the requirement is undecided.
		out, code = checkVia(t, s, rec, nil, append([]string{"--template", path, "--stack-name", "tv-params", "--offline"}, jsonOut...)...)
		r = parseAccountReport(t, out)
		if got := r.decision(t, "LD004"); got != "unknown" {
			t.Errorf("LD004 --offline: got %s, want unknown", got)
		}
		if code != 3 {
			t.Errorf("--offline: exit %d, want 3", code)
		}
		if r.Template.AccountRead.Read || r.Template.AccountRead.Note != "--offline" {
			t.Errorf("--offline: account_read %+v, want not read (--offline)", r.Template.AccountRead)
		}
		if ops := rec.take(); len(ops) != 0 {
			t.Errorf("--offline sent %q, want no request", ops)
		}
	})

	t.Run("an export of another stack", func(t *testing.T) {
		exporter := writeTemplate(t, "exporter.yaml", `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  DlqName:
    Value: orders-dlq
    Export: {Name: tv-dlq-name}
`)
		s.AWS(t, "cloudformation", "create-stack", "--stack-name", "tv-exporter", "--template-body", "file://"+exporter)
		path := writeTemplate(t, "import.yaml", strings.NewReplacer("PARAMS", "", "VALUE", "!ImportValue tv-dlq-name").Replace(dlqTemplate))
		rec.take()
		out, code := checkVia(t, s, rec, nil, append([]string{"--template", path}, jsonOut...)...)
		r := parseAccountReport(t, out)
		if got := r.decision(t, "LD004"); got != "allow" || code != 0 {
			t.Errorf("LD004 with the export: got %s (exit %d), want allow (exit 0)\n%s", got, code, out)
		}
		ops := rec.take()
		if !slices.Contains(ops, "ListExports") {
			t.Errorf("requests %q: want ListExports", ops)
		}
		noWrites(t, ops)
		out, _ = checkVia(t, s, rec, nil, append([]string{"--template", path, "--offline"}, jsonOut...)...)
		if got := parseAccountReport(t, out).decision(t, "LD004"); got != "unknown" {
			t.Errorf("LD004 --offline: got %s, want unknown", got)
		}
	})

	t.Run("an execution role outside the template", func(t *testing.T) {
		s.AWS(t, "iam", "create-role", "--role-name", "tv-outside", "--assume-role-policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
		s.AWS(t, "iam", "put-role-policy", "--role-name", "tv-outside", "--policy-name", "logs", "--policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`)
		path := writeTemplate(t, "outside.yaml", `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/tv-outside
      Code: {ZipFile: 'def handler(e, c): return 1'}
      DeadLetterConfig:
        TargetArn: arn:aws:sqs:us-east-1:123456789012:orders-dlq
`)
		args := append([]string{"--template", path, "--fix-format", "cli"}, jsonOut...)
		out, code := checkVia(t, s, rec, nil, args...)
		r := parseAccountReport(t, out)
		if got := r.decision(t, "LD004"); got != "implicit_deny" || code != 1 {
			t.Fatalf("LD004 on the role outside the template: got %s (exit %d), want implicit_deny (exit 1)\n%s", got, code, out)
		}
		var fixes []string
		for _, f := range r.Findings {
			if f.ID != "LD004" {
				continue
			}
			for _, fx := range f.Fixes {
				if fx.Command != "" && fx.Verified {
					fixes = append(fixes, fx.Command)
				}
			}
		}
		if len(fixes) == 0 || !strings.Contains(fixes[0], "tv-outside") {
			t.Fatalf("LD004 fixes %q: want a verified command on role tv-outside\n%s", fixes, out)
		}
		noWrites(t, rec.take())
		for _, f := range fixes {
			if o, err := s.Shell(f); err != nil {
				t.Fatalf("fix %s: %v %s", f, err, o)
			}
		}
		out, code = checkVia(t, s, rec, nil, args...)
		if got := parseAccountReport(t, out).decision(t, "LD004"); got != "allow" || code != 0 {
			t.Errorf("after the fix: LD004 %s (exit %d), want allow (exit 0)\n%s", got, code, out)
		}
		// Offline, the role is not known: undecided.
		out, code = checkVia(t, s, rec, nil, append(args, "--offline")...)
		if got := parseAccountReport(t, out).decision(t, "LD004"); got != "unknown" || code != 3 {
			t.Errorf("--offline: LD004 %s (exit %d), want unknown (exit 3)", got, code)
		}
		noWrites(t, rec.take())
	})

	t.Run("no credentials", func(t *testing.T) {
		path := writeTemplate(t, "params.yaml", strings.NewReplacer("PARAMS", "Parameters:\n  DlqName: {Type: String}", "VALUE", "!Ref DlqName").Replace(dlqTemplate))
		empty := t.TempDir()
		for _, f := range []string{"config", "credentials"} {
			if err := os.WriteFile(filepath.Join(empty, f), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		none := []string{"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_CONFIG_FILE=" + filepath.Join(empty, "config"),
			"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(empty, "credentials"), "AWS_EC2_METADATA_DISABLED=true"}
		rec.take()
		for _, output := range []string{"json", "text"} {
			args := []string{"--template", path, "--stack-name", "tv-params", "--output", output, "--account", "123456789012", "--region", "us-east-1"}
			got, code := checkVia(t, s, rec, none, args...)
			offline, offCode := checkVia(t, s, rec, nil, append(args, "--offline")...)
			if code != 3 || offCode != 3 {
				t.Errorf("%s: exit %d without credentials, %d offline; want 3", output, code, offCode)
			}
			if output == "json" {
				r := parseAccountReport(t, got)
				if r.Template.AccountRead.Read || !strings.Contains(r.Template.AccountRead.Note, "no AWS credentials") {
					t.Errorf("account_read %+v: want not read, no credentials", r.Template.AccountRead)
				}
			}
			// The same report as --offline but for why nothing was read.
			note := strings.NewReplacer("no AWS credentials found (give --profile, or AWS credentials in the environment, to fill them from the deployed account; --offline never reads)", "--offline")
			if a, b := note.Replace(strings.Join(strings.Fields(got), " ")), strings.Join(strings.Fields(offline), " "); a != b {
				t.Errorf("%s without credentials differs from --offline:\n%s\n---\n%s", output, got, offline)
			}
		}
		if ops := rec.take(); len(ops) != 0 {
			t.Errorf("without credentials: requests %q, want none", ops)
		}
	})
}

// noWrites fails the test for any request that is not one of the reads of
// check --template.
func noWrites(t *testing.T, ops []string) {
	t.Helper()
	for _, op := range ops {
		if !slices.Contains(templateReads, op) {
			t.Errorf("request %s is not a read of check --template", op)
		}
	}
}
