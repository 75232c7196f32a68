package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambda-doctor/lambda-doctor/internal/errtext"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"

	"github.com/lambda-doctor/lambda-doctor/account"
)

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// oddInline has a value with a space, '+', a literal "%20" and "%zz" and
// '/': decoded once it comes back exactly; decoded twice it would not.
const oddInline = `{"Version":"2012-10-17","Statement":[{"Sid":"Odd","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/a b+c%20d/e%zz/*"}]}`

const boundaryDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","logs:*","dynamodb:*"],"Resource":"*","Condition":{"StringLike":{"aws:PrincipalTag/team":"a+b c"}}}]}`

const denyLine = "[ERROR] ClientError: An error occurred (AccessDeniedException) when calling the PutItem operation: User: arn:aws:sts::123456789012:assumed-role/%s/f is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/orders because no identity-based policy allows the dynamodb:PutItem action"

// scenario is what a test created in moto, to compare the reader with.
type scenario struct {
	prefix, roleARN, roleName, fnARN, fn2               string
	boundaryARN, customARN, queueARN, esmUUID, failDest string
	denials                                             []string
}

func createScenario(t *testing.T, s *motoserver.Server, prefix string) *scenario {
	t.Helper()
	c := newSetup(t, s)
	ctx := context.Background()
	sc := &scenario{prefix: prefix, roleName: prefix + "-role"}
	sc.roleARN = c.createRole(t, sc.roleName, "/service-role/", lambdaTrust)

	bp, err := c.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(prefix + "-boundary"), PolicyDocument: aws.String(boundaryDoc)})
	check(t, err)
	sc.boundaryARN = aws.ToString(bp.Policy.Arn)
	_, err = c.iam.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(sc.roleName), PermissionsBoundary: aws.String(sc.boundaryARN)})
	check(t, err)
	_, err = c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(sc.roleName), PolicyName: aws.String("odd"), PolicyDocument: aws.String(oddInline)})
	check(t, err)
	_, err = c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(sc.roleName), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")})
	check(t, err)
	cp, err := c.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(prefix + "-custom"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}]}`)})
	check(t, err)
	sc.customARN = aws.ToString(cp.Policy.Arn)
	_, err = c.iam.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(sc.customARN), SetAsDefault: true,
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem"],"Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/orders"}]}`)})
	check(t, err)
	_, err = c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(sc.roleName), PolicyArn: aws.String(sc.customARN)})
	check(t, err)

	fn := prefix + "-fn"
	sc.fnARN = c.createFunction(t, fn, sc.roleARN, map[string]string{"DB_PASSWORD": "fake-secret-hunter2", "TABLE": "orders"})
	_, err = c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(fn), StatementId: aws.String("apigw"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/orders")})
	check(t, err)
	_, err = c.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(fn)})
	check(t, err)
	_, err = c.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String(fn), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	check(t, err)
	_, err = c.lambda.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(fn), AuthType: ltypes.FunctionUrlAuthTypeNone})
	check(t, err)

	out, err := s.AWSErr("sqs", "create-queue", "--endpoint-url", s.Endpoint, "--queue-name", prefix+"-q", "--query", "QueueUrl", "--output", "text")
	check(t, err)
	attrs := s.AWS(t, "sqs", "get-queue-attributes", "--endpoint-url", s.Endpoint, "--queue-url", strings.TrimSpace(out),
		"--attribute-names", "QueueArn", "--query", "Attributes.QueueArn", "--output", "text")
	sc.queueARN = strings.TrimSpace(attrs)
	esm, err := c.lambda.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(sc.queueARN)})
	check(t, err)
	sc.esmUUID = aws.ToString(esm.UUID)
	sc.failDest = "arn:aws:sqs:us-east-1:123456789012:" + prefix + "-dlq"
	_, err = c.lambda.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String(fn),
		DestinationConfig: &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(sc.failDest)}}})
	check(t, err)

	sc.denials = []string{
		strings.Replace(denyLine, "%s", sc.roleName, 1),
		"An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
		// Two texts the reader's former term list missed (it now uses
		// errtext.IsDenialLine and errtext.FilterPattern).
		"The provided execution role does not have permissions to call ReceiveMessage on SQS",
		"An error occurred (InvalidParameterException) when calling the PutSubscriptionFilter operation: Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
	}
	c.putLogLines(t, "/aws/lambda/"+fn, "2026/11/25/[$LATEST]abc",
		"START RequestId: 1 Version: $LATEST", sc.denials[0], "END RequestId: 1", sc.denials[1],
		"INFO permissions checked", sc.denials[2], sc.denials[3], "REPORT RequestId: 1 Duration: 1 ms")

	sc.fn2 = prefix + "-fn2"
	c.createFunction(t, sc.fn2, sc.roleARN, nil)
	return sc
}

func TestLiveReadsMoto(t *testing.T) {
	s := motoserver.Start(t)
	sc := createScenario(t, s, "live")
	l := newTestLive(t, s, s.Endpoint, Options{})
	ctx := context.Background()

	if o := l.Origin(); o.Account != "123456789012" || o.Region != "us-east-1" || o.Partition != "aws" || o.Caller == "" {
		t.Errorf("origin: got %+v", o)
	}
	f, err := l.Function(ctx, sc.prefix+"-fn")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("config", func(t *testing.T) {
		want := account.Config{Runtime: "python3.12", Handler: "index.handler", RoleARN: sc.roleARN, PackageType: "Zip",
			EnvironmentKeys: []string{"DB_PASSWORD", "TABLE"}, Logging: account.Logging{LogGroup: "/aws/lambda/live-fn"}}
		got := f.Config
		// Fields moto fills with its own defaults are not compared.
		got.Architectures, got.Version, got.State, got.LastUpdateStatus, got.TracingMode, got.VPC = nil, "", "", "", "", nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("config:\n got %+v\nwant %+v", got, want)
		}
		if f.ARN != sc.fnARN || f.Name != "live-fn" || f.Account != "123456789012" || f.Region != "us-east-1" || f.Partition != "aws" {
			t.Errorf("identity: got %s %s %s %s %s", f.ARN, f.Name, f.Account, f.Region, f.Partition)
		}
	})
	t.Run("resource policies", func(t *testing.T) {
		if len(f.ResourcePolicies) == 0 || f.ResourcePolicies[0].Qualifier != "" {
			t.Fatalf("got %+v, want the unqualified policy first", f.ResourcePolicies)
		}
		var doc struct {
			Statement []struct {
				Sid       string
				Principal map[string]string
				Condition map[string]map[string]string
			}
		}
		if err := json.Unmarshal([]byte(f.ResourcePolicies[0].Document), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Statement) != 1 || doc.Statement[0].Sid != "apigw" || doc.Statement[0].Principal["Service"] != "apigateway.amazonaws.com" ||
			doc.Statement[0].Condition["ArnLike"]["AWS:SourceArn"] != "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/orders" {
			t.Errorf("policy: got %s", f.ResourcePolicies[0].Document)
		}
		quals := map[string]bool{}
		for _, p := range f.ResourcePolicies {
			quals[p.Qualifier] = true
		}
		// moto keeps one policy for all qualifiers, so alias and version
		// reads answer it too.
		if !quals["live"] || !quals["1"] {
			t.Errorf("qualifiers with a policy: got %v, want live and 1 too", quals)
		}
	})
	t.Run("aliases versions url esm async", func(t *testing.T) {
		if want := []account.Alias{{Name: "live", ARN: sc.fnARN + ":live", FunctionVersion: "1"}}; !reflect.DeepEqual(f.Aliases, want) {
			t.Errorf("aliases: got %+v, want %+v", f.Aliases, want)
		}
		if !reflect.DeepEqual(f.Versions, []string{"1"}) {
			t.Errorf("versions: got %v", f.Versions)
		}
		if len(f.URLConfigs) != 1 || f.URLConfigs[0].AuthType != "NONE" || !strings.HasPrefix(f.URLConfigs[0].URL, "https://") || f.URLConfigs[0].Qualifier != "" {
			t.Errorf("url configs: got %+v", f.URLConfigs)
		}
		if len(f.EventSources) != 1 || f.EventSources[0].UUID != sc.esmUUID || f.EventSources[0].EventSourceARN != sc.queueARN {
			t.Errorf("event sources: got %+v", f.EventSources)
		}
		if want := []account.AsyncConfig{{OnFailure: sc.failDest}}; !reflect.DeepEqual(f.AsyncConfigs, want) {
			t.Errorf("async: got %+v, want %+v", f.AsyncConfigs, want)
		}
	})
	t.Run("role", func(t *testing.T) {
		r := f.Role
		if r == nil {
			t.Fatalf("no role; unseen %+v", f.Unseen)
		}
		if r.ARN != sc.roleARN || r.Name != sc.roleName || r.Path != "/service-role/" || !strings.HasPrefix(r.ID, "AROA") {
			t.Errorf("role: got %s %s %s %s", r.ARN, r.Name, r.Path, r.ID)
		}
		if r.Trust != lambdaTrust {
			t.Errorf("trust: got %s, want %s", r.Trust, lambdaTrust)
		}
		if want := []account.InlinePolicy{{Name: "odd", Document: oddInline}}; !reflect.DeepEqual(r.Inline, want) {
			t.Errorf("inline: got %+v, want %+v", r.Inline, want)
		}
		if len(r.Managed) != 2 {
			t.Fatalf("managed: got %+v", r.Managed)
		}
		custom, basic := r.Managed[0], r.Managed[1] // sorted by ARN: account id before "aws"
		if basic.Name != "AWSLambdaBasicExecutionRole" || basic.VersionID == "" || !strings.Contains(basic.Document, "logs:PutLogEvents") {
			t.Errorf("AWS managed: got %+v", basic)
		}
		if custom.ARN != sc.customARN || custom.VersionID != "v2" || !strings.Contains(custom.Document, "dynamodb:PutItem") {
			t.Errorf("custom managed: got %+v, want its default version v2", custom)
		}
		if r.Boundary == nil || r.Boundary.ARN != sc.boundaryARN || r.Boundary.Document != boundaryDoc {
			t.Errorf("boundary: got %+v, want %s", r.Boundary, boundaryDoc)
		}
	})
	t.Run("logs", func(t *testing.T) {
		if len(f.LogGroups) != 1 || !f.LogGroups[0].Exists || f.LogGroups[0].Name != "/aws/lambda/live-fn" || f.LogGroups[0].LastEvent == nil ||
			!strings.HasSuffix(f.LogGroups[0].ARN, ":log-group:/aws/lambda/live-fn") {
			t.Errorf("log groups: got %+v", f.LogGroups)
		}
		if len(f.Denials) != len(sc.denials) {
			t.Fatalf("denials: got %d %+v, want %d", len(f.Denials), f.Denials, len(sc.denials))
		}
		for i, d := range f.Denials {
			if d.Message != sc.denials[i] || d.LogGroup != "/aws/lambda/live-fn" || d.Stream != "2026/11/25/[$LATEST]abc" || d.Time.IsZero() {
				t.Errorf("denial %d: got %+v", i, d)
			}
			p, err := errtext.Parse(sc.denials[i])
			if err != nil {
				t.Fatalf("errtext.Parse(%q): %v", sc.denials[i], err)
			}
			if d.Kind != string(p.Kind) {
				t.Errorf("denial %d kind: got %q, want %q", i, d.Kind, p.Kind)
			}
		}
		if p, err := errtext.Parse(sc.denials[0]); err == nil { // once the parser is written
			d := f.Denials[0]
			if d.Action != "dynamodb:PutItem" || d.Resource != "arn:aws:dynamodb:us-east-1:123456789012:table/orders" || d.Principal != p.Principal {
				t.Errorf("parsed denial: got %+v", d)
			}
		}
	})
	if len(f.Unseen) != 0 {
		t.Errorf("unseen: got %+v, want none", f.Unseen)
	}

	t.Run("shared role read once", func(t *testing.T) {
		f2, err := l.Function(ctx, sc.fn2)
		if err != nil {
			t.Fatal(err)
		}
		if f2.Role != f.Role {
			t.Error("functions sharing a role got different *account.Role values")
		}
		if len(f2.LogGroups) != 1 || f2.LogGroups[0].Exists {
			t.Errorf("fn2 log group: got %+v, want one that does not exist", f2.LogGroups)
		}
		calls, _ := l.Calls()
		for _, op := range []string{"iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"} {
			if calls[op] != 1 {
				t.Errorf("%s: got %d calls, want 1 for two functions sharing the role", op, calls[op])
			}
		}
		if calls["iam:GetPolicyVersion"] != 3 {
			t.Errorf("iam:GetPolicyVersion: got %d calls, want 3 (two managed policies and a boundary)", calls["iam:GetPolicyVersion"])
		}
	})

	t.Run("snapshot round trip", func(t *testing.T) {
		f2, _ := l.Function(ctx, sc.fn2)
		var buf bytes.Buffer
		if err := account.WriteSnapshot(&buf, account.NewSnapshot(l.Origin(), []*account.Function{f, f2})); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(buf.Bytes(), []byte("fake-secret-hunter2")) {
			t.Fatal("the snapshot holds an environment variable value")
		}
		if !bytes.Contains(buf.Bytes(), []byte(`"DB_PASSWORD"`)) {
			t.Error("the snapshot lost the environment variable names")
		}
		snap, err := account.ParseSnapshot(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		src := account.NewSnapshotSource(snap)
		for _, want := range []*account.Function{f, f2} {
			got, err := src.Function(ctx, want.Name)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(got.Role, want.Role) {
				t.Errorf("%s after the round trip:\n got %+v\n     %+v\nwant %+v\n     %+v", want.Name, got, got.Role, want, want.Role)
			}
		}
	})

	t.Run("qualified names", func(t *testing.T) {
		for _, n := range []string{"live-fn:live", sc.fnARN + ":1", sc.fnARN} {
			if _, err := l.Function(ctx, n); err != nil {
				t.Errorf("%s: %v", n, err)
			}
		}
		if _, err := l.Function(ctx, "live-fn:nope"); !errors.Is(err, account.ErrNotFound) {
			t.Errorf("unknown alias: got %v, want account.ErrNotFound", err)
		}
	})
}

func TestLiveMissingFunction(t *testing.T) {
	s := motoserver.Start(t)
	l := newTestLive(t, s, s.Endpoint, Options{})
	_, err := l.Function(context.Background(), "no-such-function")
	if !errors.Is(err, account.ErrNotFound) || !strings.Contains(err.Error(), "no-such-function") {
		t.Fatalf("got %v, want account.ErrNotFound naming the function", err)
	}
}

// A role that was deleted (or never existed) is recorded as unseen, not
// found, and the rest is read.
func TestLiveMissingRole(t *testing.T) {
	s := motoserver.Start(t)
	c := newSetup(t, s)
	role := c.createRole(t, "gone-role", "/", lambdaTrust)
	c.createFunction(t, "gone-fn", role, nil)
	_, err := c.iam.DeleteRole(context.Background(), &iam.DeleteRoleInput{RoleName: aws.String("gone-role")})
	check(t, err)
	l := newTestLive(t, s, s.Endpoint, Options{})
	f, err := l.Function(context.Background(), "gone-fn")
	if err != nil {
		t.Fatal(err)
	}
	if f.Role != nil || len(f.Unseen) != 1 || f.Unseen[0].Operation != "iam:GetRole" || !f.Unseen[0].NotFound || f.Unseen[0].Permission != "" {
		t.Fatalf("got role %+v unseen %+v, want no role and one not-found iam:GetRole", f.Role, f.Unseen)
	}
	if len(f.LogGroups) != 1 {
		t.Errorf("the rest was not read: log groups %+v", f.LogGroups)
	}
}

// The reader's clients refuse every write before it is sent: the server
// never sees it, and the function gets no permission.
func TestLiveRefusesWrites(t *testing.T) {
	s := motoserver.Start(t)
	c := newSetup(t, s)
	c.createFunction(t, "ro-fn", c.createRole(t, "ro-role", "/", lambdaTrust), nil)
	p := newFaultProxy(t, s.Endpoint)
	l := newTestLive(t, s, p.URL, Options{})
	before := p.requests()
	_, err := l.lambda.AddPermission(context.Background(), &lambda.AddPermissionInput{FunctionName: aws.String("ro-fn"),
		StatementId: aws.String("x"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")})
	var we *WriteRefusedError
	if !errors.As(err, &we) || we.Operation != "AddPermission" {
		t.Fatalf("AddPermission: got %v, want a *WriteRefusedError", err)
	}
	_, err = l.iam.PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{RoleName: aws.String("ro-role"), PolicyName: aws.String("p"), PolicyDocument: aws.String(lambdaTrust)})
	if !errors.As(err, &we) {
		t.Fatalf("PutRolePolicy: got %v, want a *WriteRefusedError", err)
	}
	if n := p.requests() - before; n != 0 {
		t.Fatalf("%d requests reached the server, want 0", n)
	}
	if _, err := c.lambda.GetPolicy(context.Background(), &lambda.GetPolicyInput{FunctionName: aws.String("ro-fn")}); err == nil {
		t.Fatal("the function has a policy: the write went through")
	}
}

func TestDecodeIAMDocument(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"raw json", `{"a": "b+c %41"}`, `{"a":"b+c %41"}`},
		{"raw with leading space", "  \n{\"a\":1}", `{"a":1}`},
		{"encoded", "%7B%22a%22%3A%20%22b%2Bc%20d%2Fe%25zz%22%7D", `{"a":"b+c d/e%zz"}`},
		{"encoded keeps plus", "%7B%22a%22%3A%22b+c%22%7D", `{"a":"b+c"}`},
		{"encoded once only", "%7B%22a%22%3A%22%2520%22%7D", `{"a":"%20"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeIAMDocument(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	for _, bad := range []string{"%7B%22a", "%zz", "not json", `{"a":`} {
		if _, err := DecodeIAMDocument(bad); err == nil {
			t.Errorf("%q: got no error", bad)
		}
	}
}

// Any JSON object, URL-encoded as IAM does, decodes to itself (compacted),
// and decoding is never applied twice.
func FuzzDecodeIAMDocument(f *testing.F) {
	f.Add(oddInline)
	f.Add(boundaryDoc)
	f.Add(`{"a":"%41+%2B %"}`)
	f.Fuzz(func(t *testing.T, doc string) {
		if !isJSONObject(doc) {
			DecodeIAMDocument(doc) // must not panic
			return
		}
		want := account.CompactDocument(doc)
		for _, in := range []string{doc, strings.ReplaceAll(url.PathEscape(doc), "+", "%2B")} {
			got, err := DecodeIAMDocument(in)
			if err != nil || got != want {
				t.Fatalf("DecodeIAMDocument(%q) = %q, %v; want %q", in, got, err, want)
			}
		}
	})
}

// moto has no policy simulator: the cross-check says it is unavailable
// instead of failing the diagnosis.
func TestLiveSimulatePrincipalPolicyUnavailable(t *testing.T) {
	s := motoserver.Start(t)
	c := newSetup(t, s)
	role := c.createRole(t, "sim-role", "/", lambdaTrust)
	l := newTestLive(t, s, s.Endpoint, Options{MaxAttempts: 1})
	_, err := l.SimulatePrincipalPolicy(context.Background(), role, "s3:GetObject", "arn:aws:s3:::b/k", map[string][]string{"aws:SourceIp": {"10.0.0.1"}})
	if !errors.Is(err, account.ErrUnavailable) {
		t.Fatalf("got %v, want account.ErrUnavailable", err)
	}
}

func TestFromConfigurationLogging(t *testing.T) {
	l := &Reader{}
	for _, tc := range []struct {
		name   string
		lc     *ltypes.LoggingConfig
		group  string
		custom bool
	}{
		{"no logging config", nil, "/aws/lambda/f", false},
		{"default group named", &ltypes.LoggingConfig{LogGroup: aws.String("/aws/lambda/f"), LogFormat: ltypes.LogFormatText}, "/aws/lambda/f", false},
		{"custom group", &ltypes.LoggingConfig{LogGroup: aws.String("shared-logs"), LogFormat: ltypes.LogFormatJson}, "shared-logs", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := l.fromConfiguration(&ltypes.FunctionConfiguration{
				FunctionArn: aws.String("arn:aws:lambda:eu-west-1:111122223333:function:f"), FunctionName: aws.String("f"),
				LoggingConfig: tc.lc, Environment: &ltypes.EnvironmentResponse{Variables: map[string]string{"K": "secret-value"}},
			})
			if f.Config.Logging.LogGroup != tc.group || f.Config.Logging.Custom != tc.custom {
				t.Errorf("got %+v, want group %s custom %v", f.Config.Logging, tc.group, tc.custom)
			}
			if f.Account != "111122223333" || f.Region != "eu-west-1" || f.Partition != "aws" {
				t.Errorf("got %s %s %s", f.Account, f.Region, f.Partition)
			}
			if b, _ := json.Marshal(f); bytes.Contains(b, []byte("secret-value")) || !reflect.DeepEqual(f.Config.EnvironmentKeys, []string{"K"}) {
				t.Errorf("environment: got %s", b)
			}
		})
	}
}

func TestLiveReadAll(t *testing.T) {
	s := motoserver.Start(t)
	createScenario(t, s, "all")
	var progress bytes.Buffer
	l := newTestLive(t, s, s.Endpoint, Options{Concurrency: 2, Progress: &progress})
	names, err := l.FunctionNames(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	read := map[string]*account.Function{}
	err = l.ReadAll(context.Background(), func(f *account.Function) error {
		got = append(got, f.Name)
		read[f.Name] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, names) {
		t.Errorf("ReadAll order: got %v, want the sorted names %v", got, names)
	}
	calls, _ := l.Calls()
	// Pages of the two prefetched lists, and of the log groups whose
	// subscription filters are read (at most the logs limit).
	if n := calls["logs:DescribeLogGroups"] + calls["lambda:ListEventSourceMappings"]; n > 2*((len(names)+49)/50)+(DefaultLimits["logs"]+49)/50+1 {
		t.Errorf("%d DescribeLogGroups and ListEventSourceMappings calls for %d functions: the region-wide lists were not used", n, len(names))
	}
	// ReadAll (with its region-wide lists) and account.Function (one by one) see
	// the same model.
	for _, name := range []string{"all-fn", "all-fn2"} {
		one, err := l.Function(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(read[name], one) {
			t.Errorf("%s: ReadAll got\n%+v\nFunction got\n%+v", name, read[name], one)
		}
		if len(one.EventSources) == 0 && name == "all-fn" {
			t.Errorf("%s: no event source", name)
		}
	}
	if !strings.Contains(progress.String(), fmt.Sprintf("%d/%d functions read", len(names), len(names))) {
		t.Errorf("progress: got %q", progress.String())
	}
	stop := errors.New("stop")
	n := 0
	err = l.ReadAll(context.Background(), func(f *account.Function) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("got %v after %d functions, want the callback's error after 1", err, n)
	}
}

func TestParseDenialTruncates(t *testing.T) {
	long := strings.Replace(denyLine, "%s", "r", 1) + " " + strings.Repeat("é", 5000)
	d, ok := parseDenial(long)
	if !ok || len(d.Message) > maxDenialMessage+len("…") || !strings.HasPrefix(d.Message, "[ERROR]") || !strings.HasSuffix(d.Message, "…") {
		t.Fatalf("got ok=%v, %d bytes", ok, len(d.Message))
	}
	if !utf8.ValidString(d.Message) {
		t.Fatal("truncation split a character")
	}
}
