package account

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// exampleFunctions is the model of testdata/example.json: two functions
// sharing one role, one with a resource policy per qualifier, a function
// URL, an event source mapping, a broken inline policy, unseen reads and
// triggers (one invoking through a role stored in the snapshot, one whose
// role could not be read, one with a KMS key).
func exampleFunctions() []*Function {
	role := &Role{
		ARN: "arn:aws:iam::111122223333:role/service-role/orders-role", Name: "orders-role",
		Path: "/service-role/", ID: "AROAEXAMPLEROLEID0001",
		Trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		Inline: []InlinePolicy{
			{Name: "orders-table", Document: `{"Version":"2012-10-17","Statement":[{"Sid":"ReadOrders","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/orders"}]}`},
			{Name: "broken", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`},
		},
		Managed: []ManagedPolicy{{
			ARN: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", Name: "AWSLambdaBasicExecutionRole", VersionID: "v1",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`,
		}},
		Boundary: &ManagedPolicy{ARN: "arn:aws:iam::111122223333:policy/boundary", Name: "boundary", VersionID: "v2",
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:*","logs:*"],"Resource":"*"}]}`},
		Tags: map[string]string{"team": "orders"},
	}
	invoker := &Role{ARN: "arn:aws:iam::111122223333:role/orders-api-invoke", Name: "orders-api-invoke", ID: "AROAEXAMPLEROLEID0002",
		Trust:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		Inline: []InlinePolicy{{Name: "invoke", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:order-processor:live"}]}`}}}
	t0 := time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)
	last := t0.Add(time.Minute)
	proc := &Function{
		ARN: "arn:aws:lambda:us-east-1:111122223333:function:order-processor", Name: "order-processor",
		Account: "111122223333", Region: "us-east-1", Partition: "aws",
		Config: Config{Runtime: "python3.12", Handler: "app.handler", RoleARN: role.ARN, PackageType: "Zip",
			Architectures: []string{"x86_64"}, Version: "$LATEST", EnvironmentKeys: []string{"DB_PASSWORD", "TABLE"},
			TracingMode: "PassThrough", Logging: Logging{LogGroup: "/aws/lambda/order-processor", LogFormat: "Text"},
			State: "Active", LastUpdateStatus: "Successful"},
		ResourcePolicies: []ResourcePolicy{
			{Document: `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"apigw-old","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:order-processor","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:111122223333:zz9yy8xx7w/*"}}}]}`, RevisionID: "r-1"},
			{Qualifier: "live", Document: `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"url","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"arn:aws:lambda:us-east-1:111122223333:function:order-processor:live","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}}]}`},
		},
		Aliases:      []Alias{{Name: "live", ARN: "arn:aws:lambda:us-east-1:111122223333:function:order-processor:live", FunctionVersion: "3"}},
		URLConfigs:   []URLConfig{{Qualifier: "live", URL: "https://abc.lambda-url.us-east-1.on.aws/", AuthType: "NONE"}},
		EventSources: []EventSource{{UUID: "6d9bc6a4-0000-4000-8000-000000000001", EventSourceARN: "arn:aws:sqs:us-east-1:111122223333:orders", State: "Enabled", FunctionARN: "arn:aws:lambda:us-east-1:111122223333:function:order-processor"}},
		// The queue's tags were read; the dead-letter queue was read and
		// has none (an empty entry, kept by a round trip).
		ResourceTags: map[string]map[string]string{
			"arn:aws:sqs:us-east-1:111122223333:orders":     {"team": "orders"},
			"arn:aws:sqs:us-east-1:111122223333:orders-dlq": {},
		},
		AsyncConfigs: []AsyncConfig{{OnFailure: "arn:aws:sqs:us-east-1:111122223333:orders-dlq"}},
		Triggers: []Trigger{
			{Kind: TriggerAPIGateway, Principal: "apigateway.amazonaws.com", SourceARN: "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/*/orders/*",
				SourceAccount: "111122223333", Qualifier: "live", RoleARN: invoker.ARN, Role: invoker,
				Name:  "ANY /orders/{id} of REST API orders-api (a1b2c3d4e5), stage prod",
				Notes: []string{"path parameters are written * in SourceArn: API Gateway sends the request's own path"}},
			{Kind: TriggerCognito, Principal: "cognito-idp.amazonaws.com", SourceARN: "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_AbCdEfGhI",
				SourceAccount: "111122223333", KMSKeyARN: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
				Name: "CustomEmailSender trigger of user pool customers (us-east-1_AbCdEfGhI)"},
			{Kind: TriggerStates, Principal: "states.amazonaws.com", SourceARN: "arn:aws:states:us-east-1:111122223333:stateMachine:checkout",
				SourceAccount: "111122223333", RoleARN: "arn:aws:iam::111122223333:role/checkout-sfn", Name: "state Charge of state machine checkout"},
		},
		Role:      role,
		LogGroups: []LogGroup{{Name: "/aws/lambda/order-processor", ARN: "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/order-processor", Exists: true, RetentionDays: 14, LastEvent: &last}},
		Denials: []Denial{{Time: t0, LogGroup: "/aws/lambda/order-processor", Stream: "2026/11/25/[$LATEST]abc",
			Message:   "An error occurred (AccessDeniedException) when calling the PutItem operation: User: arn:aws:sts::111122223333:assumed-role/orders-role/order-processor is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:111122223333:table/orders because no identity-based policy allows the dynamodb:PutItem action",
			Principal: "arn:aws:sts::111122223333:assumed-role/orders-role/order-processor", Action: "dynamodb:PutItem",
			Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/orders", Reason: "no identity-based policy allows"}},
		Unseen: []Unseen{
			{Operation: "iam:GetRole", Resource: "arn:aws:iam::111122223333:role/checkout-sfn", Permission: "iam:GetRole", Error: "AccessDenied: not authorized"},
			{Operation: "lambda:GetFunctionEventInvokeConfig", Resource: "arn:aws:lambda:us-east-1:111122223333:function:order-processor:live",
				Permission: "lambda:GetFunctionEventInvokeConfig", Error: "AccessDeniedException: not authorized"}},
	}
	report := &Function{
		ARN: "arn:aws:lambda:us-east-1:111122223333:function:order-report", Name: "order-report",
		Account: "111122223333", Region: "us-east-1", Partition: "aws",
		Config: Config{Runtime: "nodejs20.x", Handler: "index.handler", RoleARN: role.ARN, PackageType: "Zip",
			Logging: Logging{LogGroup: "/aws/lambda/order-report"}},
		Role:      role,
		LogGroups: []LogGroup{{Name: "/aws/lambda/order-report", Exists: false}},
	}
	return []*Function{report, proc}
}

func exampleSnapshot() *Snapshot {
	s := NewSnapshot(Origin{Account: "111122223333", Region: "us-east-1", Partition: "aws",
		Caller: "arn:aws:sts::111122223333:assumed-role/support/alice"}, exampleFunctions())
	s.CreatedAt = time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)
	return s
}

func TestSnapshotGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, exampleSnapshot()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "example.json")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("WriteSnapshot differs from %s (run with -update and read the diff):\n%s", golden, buf.String())
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	src, err := LoadSnapshot(filepath.Join("testdata", "example.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := src.Snapshot()
	want := exampleSnapshot()
	if !reflect.DeepEqual(got.Source, want.Source) || !got.CreatedAt.Equal(want.CreatedAt) || got.SchemaVersion != SchemaVersion {
		t.Errorf("header: got %+v %v, want %+v %v", got.Source, got.CreatedAt, want.Source, want.CreatedAt)
	}
	for _, wf := range want.Functions {
		gf, err := src.Function(context.Background(), wf.Name)
		if err != nil {
			t.Fatalf("Function(%s): %v", wf.Name, err)
		}
		if !reflect.DeepEqual(gf, wf) {
			t.Errorf("function %s:\n got %+v\nwant %+v", wf.Name, gf, wf)
		}
		if !reflect.DeepEqual(gf.Role, wf.Role) {
			t.Errorf("function %s role:\n got %+v\nwant %+v", wf.Name, gf.Role, wf.Role)
		}
	}
	a, _ := src.Function(context.Background(), "order-processor")
	b, _ := src.Function(context.Background(), "arn:aws:lambda:us-east-1:111122223333:function:order-report")
	if a.Role != b.Role {
		t.Error("functions sharing a role do not share the *Role after load")
	}
	// Writing what was loaded gives the same bytes.
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, got); err != nil {
		t.Fatal(err)
	}
	want2, _ := os.ReadFile(filepath.Join("testdata", "example.json"))
	if !bytes.Equal(buf.Bytes(), want2) {
		t.Errorf("load+write is not the identity:\n%s", buf.String())
	}
	names, _ := src.FunctionNames(context.Background())
	if strings.Join(names, ",") != "order-processor,order-report" {
		t.Errorf("FunctionNames: got %v", names)
	}
}

func TestSnapshotFunctionLookup(t *testing.T) {
	src := NewSnapshotSource(exampleSnapshot())
	for _, tc := range []struct {
		name  string
		found bool
	}{
		{"order-processor", true},
		{"order-processor:live", true},
		{"order-processor:3", true},
		{"order-processor:$LATEST", true},
		{"arn:aws:lambda:us-east-1:111122223333:function:order-processor:live", true},
		{"order-processor:nope", false},
		{"missing", false},
		{"arn:aws:lambda:us-east-1:111122223333:function:missing", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := src.Function(context.Background(), tc.name)
			if tc.found && (err != nil || f == nil) {
				t.Fatalf("got %v, want the function", err)
			}
			if !tc.found && !errors.Is(err, ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
		})
	}
}

func TestLoadSnapshotErrors(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "example.json"))
	if err != nil {
		t.Fatal(err)
	}
	g := string(good)
	for _, tc := range []struct {
		name, body, want string
	}{
		{"empty", "", "empty"},
		{"truncated", g[:len(g)/2], "truncated: the JSON ends at line"},
		{"syntax", strings.Replace(g, `"schema_version": 1,`, `"schema_version": 1,,`, 1), "not valid JSON at line 2, column 23"},
		{"not object", `[1,2]`, "not a JSON object"},
		{"no version", `{"functions":[]}`, `no "schema_version" (expected 1)`},
		{"wrong version", strings.Replace(g, `"schema_version": 1,`, `"schema_version": 2,`, 1), "schema_version 2 is not supported: this lambda-doctor reads schema_version 1"},
		{"unknown top field", strings.Replace(g, `"source":`, `"sauce": 1, "source":`, 1), `unknown field "sauce" at line 4`},
		{"unknown function field", strings.Replace(g, `"name": "order-report",`, `"name": "order-report", "nmae": 1,`, 1), `functions[1] ("order-report") at line`},
		{"wrong type", strings.Replace(g, `"runtime": "nodejs20.x",`, `"runtime": 20,`, 1), `config.runtime: a JSON number where string is expected`},
		{"bad document", `{"schema_version":1,"functions":[],"roles":[{"arn":"r","name":"r","trust_policy":[1]}]}`, `roles[0] ("r") at line 1, column 45 (byte 44): trust_policy: a policy document must be a JSON object or a string`},
		{"dangling role", strings.Replace(g, `"role_arn": "arn:aws:iam::111122223333:role/service-role/orders-role"`, `"role_arn": "arn:aws:iam::111122223333:role/typo"`, 1), "config.role_arn arn:aws:iam::111122223333:role/typo is not in \"roles\""},
		{"duplicate key", strings.Replace(g, `"source":`, `"org": null, "org": null, "source":`, 1), `"org" appears twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.json")
			if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadSnapshot(path)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an *InputError", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), path+": ") {
				t.Fatalf("got %q, want it to start with the path and contain %q", err, tc.want)
			}
		})
	}
	t.Run("huge", func(t *testing.T) {
		old := MaxSnapshotSize
		MaxSnapshotSize = 100
		defer func() { MaxSnapshotSize = old }()
		path := filepath.Join(t.TempDir(), "s.json")
		os.WriteFile(path, good, 0o644)
		_, err := LoadSnapshot(path)
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "larger than") {
			t.Fatalf("got %v, want a too-large InputError", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		_, err := LoadSnapshot(filepath.Join(t.TempDir(), "nope.json"))
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Fatalf("got %v, want an *InputError", err)
		}
	})
}

// A document given as a JSON string (as a hand-written fixture may) loads
// like the same document given as an object.
func TestSnapshotDocumentAsString(t *testing.T) {
	obj := `{"schema_version":1,"functions":[{"arn":"arn:aws:lambda:us-east-1:1:function:f","name":"f","config":{"role_arn":"arn:aws:iam::1:role/r","logging":{"log_group":""}}}],
"roles":[{"arn":"arn:aws:iam::1:role/r","name":"r","trust_policy":{"Version": "2012-10-17", "Statement": []}}]}`
	str := strings.Replace(obj, `{"Version": "2012-10-17", "Statement": []}`, `"{\"Version\":\"2012-10-17\",\"Statement\":[]}"`, 1)
	a, err := ParseSnapshot([]byte(obj))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseSnapshot([]byte(str))
	if err != nil {
		t.Fatal(err)
	}
	if a.Roles[0].Trust != b.Roles[0].Trust || a.Roles[0].Trust != `{"Version":"2012-10-17","Statement":[]}` {
		t.Errorf("got %q and %q, want both compact", a.Roles[0].Trust, b.Roles[0].Trust)
	}
	if a.Functions[0].Config.Logging.LogGroup != "/aws/lambda/f" {
		t.Errorf("default log group: got %q", a.Functions[0].Config.Logging.LogGroup)
	}
}

func FuzzParseSnapshot(f *testing.F) {
	good, _ := os.ReadFile(filepath.Join("testdata", "example.json"))
	f.Add(good)
	keys, _ := os.ReadFile(filepath.Join("testdata", "example-keys.json"))
	f.Add(keys)
	f.Add([]byte(`{"schema_version":1}`))
	f.Add([]byte(`{"schema_version":1,"functions":[{"name":"f","arn":"a","config":{"role_arn":""}}],"roles":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSnapshot(data)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteSnapshot(&buf, s); err != nil {
			t.Fatalf("write what was parsed: %v", err)
		}
		if _, err := ParseSnapshot(buf.Bytes()); err != nil {
			t.Fatalf("parse what was written: %v\n%s", err, buf.Bytes())
		}
	})
}

// bigSnapshot is the example with n copies of its functions, 20 roles.
func bigSnapshot(n int) []byte {
	base := exampleFunctions()
	var fns []*Function
	for i := range n {
		f := *base[i%len(base)]
		f.Name = fmt.Sprintf("fn-%05d", i)
		f.ARN = "arn:aws:lambda:us-east-1:111122223333:function:" + f.Name
		r := *f.Role
		r.ARN = fmt.Sprintf("arn:aws:iam::111122223333:role/r%02d", i%20)
		f.Role = &r
		f.Config.RoleARN = r.ARN
		fns = append(fns, &f)
	}
	var buf bytes.Buffer
	if err := WriteSnapshot(&buf, NewSnapshot(Origin{Account: "111122223333"}, fns)); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func BenchmarkParseSnapshot5000(b *testing.B) {
	data := bigSnapshot(5000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSnapshot(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteSnapshot5000(b *testing.B) {
	snap, err := ParseSnapshot(bigSnapshot(5000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteSnapshot(io.Discard, snap); err != nil {
			b.Fatal(err)
		}
	}
}
