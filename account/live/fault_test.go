package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// faultProxy sits between the SDK and moto and misbehaves on purpose for
// the operations it is told about. It learns each request's operation from
// a header that tagOperations adds (the SDK would otherwise have to be
// reverse-engineered from paths and bodies).
type faultProxy struct {
	*httptest.Server
	n      atomic.Int64
	mu     sync.Mutex
	faults map[string]*fault // by "service:Operation", e.g. "iam:GetRolePolicy"; "*" for all
	seen   map[string]int    // requests by "ServiceID Operation" (tagged requests only)
	// rewrites change the server's answer to an operation before the SDK
	// reads it (what moto does not keep, such as a function's KMSKeyArn).
	rewrites map[string]func([]byte) []byte
}

type fault struct {
	kind  string // deny | throttle | 5xx | slow | reset | answer
	body  string // the answer, for kind answer
	times int    // how many requests to hit; <0 for all
	delay time.Duration
	hits  int
}

func newFaultProxy(t testing.TB, target string) *faultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &faultProxy{faults: map[string]*fault{}, seen: map[string]int{}, rewrites: map[string]func([]byte) []byte{}}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.n.Add(1)
		op := r.Header.Get("X-Test-Operation")
		if key := r.Header.Get("X-Test-Key"); key != "" {
			p.mu.Lock()
			p.seen[key]++
			p.mu.Unlock()
		}
		if f := p.take(op); f != nil {
			if f.kind == "answer" {
				w.Header().Set("Content-Type", "text/xml")
				io.WriteString(w, f.body)
				return
			}
			if f.kind == "slow" {
				select {
				case <-time.After(f.delay):
				case <-r.Context().Done():
					return
				}
			} else {
				p.misbehave(w, r, op, f.kind)
				return
			}
		}
		p.mu.Lock()
		rewrite := p.rewrites[op]
		p.mu.Unlock()
		if rewrite != nil {
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r)
			body := rewrite(rec.Body.Bytes())
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.WriteHeader(rec.Code)
			w.Write(body)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

// rewrite makes the proxy pass the server's answer to op through fn.
func (p *faultProxy) rewrite(op string, fn func([]byte) []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rewrites[op] = fn
}

func (p *faultProxy) requests() int64 { return p.n.Load() }

// operations returns the tagged requests that reached the proxy, by
// "ServiceID Operation".
func (p *faultProxy) operations() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := make(map[string]int, len(p.seen))
	for k, v := range p.seen {
		m[k] = v
	}
	return m
}

func (p *faultProxy) set(op, kind string, times int, delay time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[op] = &fault{kind: kind, times: times, delay: delay}
}

// answer makes the proxy answer op with body (XML) instead of the server.
func (p *faultProxy) answer(op, body string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults[op] = &fault{kind: "answer", times: -1, body: body}
}

func (p *faultProxy) take(op string) *fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.faults[op]
	if f == nil {
		f = p.faults["*"]
	}
	if f == nil || (f.times >= 0 && f.hits >= f.times) {
		return nil
	}
	f.hits++
	return f
}

// misbehave answers the way each protocol reports an error.
func (p *faultProxy) misbehave(w http.ResponseWriter, r *http.Request, op, kind string) {
	svc, _, _ := strings.Cut(op, ":")
	code, status := "AccessDenied", http.StatusForbidden
	switch kind {
	case "reset":
		if hj, ok := w.(http.Hijacker); ok {
			io.Copy(io.Discard, r.Body)
			conn, _, err := hj.Hijack()
			if err == nil {
				conn.Close()
			}
		}
		return
	case "broken-doc": // a good answer whose policy document does not parse
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<GetRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRolePolicyResult>`+
			`<PolicyName>odd</PolicyName><RoleName>r</RoleName><PolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C</PolicyDocument>`+
			`</GetRolePolicyResult><ResponseMetadata><RequestId>fault</RequestId></ResponseMetadata></GetRolePolicyResponse>`)
		return
	case "5xx":
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "<html>Service Unavailable</html>")
		return
	case "throttle":
		code, status = "Throttling", http.StatusBadRequest
		if svc == "lambda" {
			code, status = "TooManyRequestsException", http.StatusTooManyRequests
		} else if svc == "logs" {
			code = "ThrottlingException"
		}
	case "deny":
		switch svc {
		case "iam", "sts", "s3", "elasticloadbalancing", "cloudfront":
		case "sns":
			code = "AuthorizationError"
		default:
			code = "AccessDeniedException"
		}
	}
	msg := fmt.Sprintf("User: arn:aws:iam::123456789012:user/operator is not authorized to perform: %s", op)
	switch svc {
	case "s3":
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<Error><Code>%s</Code><Message>%s</Message><RequestId>fault</RequestId></Error>`, code, msg)
	case "iam", "sts", "sns", "elasticloadbalancing", "cloudfront":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fault</RequestId></ErrorResponse>`, code, msg)
	case "lambda":
		w.Header().Set("X-Amzn-ErrorType", code)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"Type":"User","Message":%q}`, msg)
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, msg)
	}
}

// tagOperations adds the X-Test-Operation header the proxy matches on.
func tagOperations(stack *middleware.Stack) error {
	return stack.Build.Add(middleware.BuildMiddlewareFunc("TestTagOperation",
		func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				req.Header.Set("X-Test-Operation", iamPrefix(middleware.GetServiceID(ctx))+":"+middleware.GetOperationName(ctx))
				req.Header.Set("X-Test-Key", middleware.GetServiceID(ctx)+" "+middleware.GetOperationName(ctx))
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
}

// Refused reads land in account.Unseen with the permission the operator lacks,
// and everything else is still read.
func TestLiveRefusedReads(t *testing.T) {
	s := motoserver.Start(t)
	sc := createScenario(t, s, "deny")
	p := newFaultProxy(t, s.Endpoint)
	l := newTestLive(t, s, p.URL, Options{APIOptions: []func(*middleware.Stack) error{tagOperations}})
	for _, op := range []string{"iam:GetRolePolicy", "lambda:GetPolicy", "logs:FilterLogEvents", "iam:GetPolicyVersion"} {
		p.set(op, "deny", -1, 0)
	}
	f, err := l.Function(context.Background(), "deny-fn")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]account.Unseen{}
	for _, u := range f.Unseen {
		got[u.Operation+" "+u.Resource] = u
	}
	for _, want := range []struct{ op, resource string }{
		{"iam:GetRolePolicy", sc.roleARN},
		{"lambda:GetPolicy", sc.fnARN},
		{"lambda:GetPolicy", sc.fnARN + ":live"},
		{"lambda:GetPolicy", sc.fnARN + ":1"},
		{"logs:FilterLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/deny-fn"},
		{"iam:GetPolicyVersion", sc.boundaryARN},
		{"iam:GetPolicyVersion", sc.customARN},
		{"iam:GetPolicyVersion", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
	} {
		u, ok := got[want.op+" "+want.resource]
		if !ok {
			t.Errorf("no unseen %s on %s; got %+v", want.op, want.resource, f.Unseen)
			continue
		}
		if u.Permission != want.op || !strings.Contains(u.Error, "AccessDenied") {
			t.Errorf("unseen %s: got %+v, want permission %s and the AWS error", want.op, u, want.op)
		}
	}
	if len(f.Unseen) != 8 {
		t.Errorf("got %d unseen, want 8: %+v", len(f.Unseen), f.Unseen)
	}
	// The rest was read.
	if f.Role == nil || f.Role.Trust != lambdaTrust || len(f.Role.Managed) != 2 || f.Role.Managed[0].Document != "" || len(f.Role.Inline) != 0 {
		t.Errorf("role: got %+v", f.Role)
	}
	if len(f.ResourcePolicies) != 0 || len(f.Aliases) != 1 || len(f.URLConfigs) != 1 || len(f.EventSources) != 1 || len(f.LogGroups) != 1 || !f.LogGroups[0].Exists {
		t.Errorf("the rest: got %+v", f)
	}
}

func TestLiveGetFunctionRefused(t *testing.T) {
	s := motoserver.Start(t)
	newSetup(t, s).createFunction(t, "gf-fn", newSetup(t, s).createRole(t, "gf-role", "/", lambdaTrust), nil)
	p := newFaultProxy(t, s.Endpoint)
	l := newTestLive(t, s, p.URL, Options{APIOptions: []func(*middleware.Stack) error{tagOperations}})
	p.set("lambda:GetFunction", "deny", -1, 0)
	_, err := l.Function(context.Background(), "gf-fn")
	var ae *account.AccessError
	if !errors.As(err, &ae) || ae.Permission != "lambda:GetFunction" {
		t.Fatalf("got %v, want an *account.AccessError for lambda:GetFunction", err)
	}
}

// Transient faults are retried and the read completes with nothing unseen;
// faults that do not stop end in account.Unseen or a clear error within the
// deadline.
func TestLiveFaults(t *testing.T) {
	s := motoserver.Start(t)
	createScenario(t, s, "fault")
	for _, tc := range []struct {
		name     string
		op, kind string
		times    int
		delay    time.Duration
		unseen   string // operation expected in account.Unseen; "" for a clean read
		errText  string // expected error; "" for none
		timeout  time.Duration
	}{
		{name: "throttled then fine", op: "iam:GetRole", kind: "throttle", times: 2},
		{name: "lambda throttled then fine", op: "lambda:GetFunction", kind: "throttle", times: 2},
		{name: "5xx then fine", op: "lambda:ListAliases", kind: "5xx", times: 2},
		{name: "reset then fine", op: "logs:DescribeLogGroups", kind: "reset", times: 1},
		{name: "slow once", op: "iam:ListAttachedRolePolicies", kind: "slow", times: 1, delay: 4 * time.Second},
		{name: "always 5xx", op: "lambda:ListEventSourceMappings", kind: "5xx", times: -1, unseen: "lambda:ListEventSourceMappings"},
		{name: "always reset", op: "logs:DescribeLogGroups", kind: "reset", times: -1, unseen: "logs:DescribeLogGroups"},
		{name: "always throttled", op: "iam:ListRolePolicies", kind: "throttle", times: -1, unseen: "iam:ListRolePolicies"},
		{name: "everything slow", op: "*", kind: "slow", times: -1, delay: 20 * time.Second, errText: "deadline exceeded", timeout: 3 * time.Second},
		{name: "attempts time out", op: "lambda:GetFunction", kind: "slow", times: -1, delay: 20 * time.Second, errText: "lambda:GetFunction failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newFaultProxy(t, s.Endpoint)
			opts := Options{APIOptions: []func(*middleware.Stack) error{tagOperations}, AttemptTimeout: 3 * time.Second, MaxAttempts: 3, Timeout: 30 * time.Second}
			if tc.timeout != 0 {
				// The deadline of the whole read comes before any attempt's.
				opts.Timeout, opts.AttemptTimeout = tc.timeout, time.Minute
			}
			l := newTestLive(t, s, p.URL, opts)
			p.set(tc.op, tc.kind, tc.times, tc.delay)
			start := time.Now()
			f, err := l.Function(context.Background(), "fault-fn")
			if took := time.Since(start); took > opts.Timeout+time.Second {
				t.Errorf("took %v, more than the deadline %v", took, opts.Timeout)
			}
			if tc.errText != "" {
				var ae *account.AccessError
				if err == nil || !strings.Contains(err.Error(), tc.errText) || !(errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ae)) {
					t.Fatalf("got %v, want an error with %q that maps to exit 3", err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ops []string // each operation once (the function's log group and the region's log groups are both described)
			for _, u := range f.Unseen {
				if len(ops) == 0 || ops[len(ops)-1] != u.Operation {
					ops = append(ops, u.Operation)
				}
			}
			want := []string(nil)
			if tc.unseen != "" {
				want = []string{tc.unseen}
			}
			if strings.Join(ops, ",") != strings.Join(want, ",") {
				t.Fatalf("unseen: got %+v, want %v", f.Unseen, want)
			}
			for _, u := range f.Unseen {
				if u.Permission != "" {
					t.Errorf("a failure that is not a refusal names a permission: %+v", u)
				}
			}
			if f.Role == nil {
				t.Error("role not read")
			}
		})
	}
}

// A policy document that does not parse is kept as read, reported with
// where it came from, and the rest of the model still loads.
func TestLiveBrokenDocument(t *testing.T) {
	s := motoserver.Start(t)
	sc := createScenario(t, s, "broken")
	p := newFaultProxy(t, s.Endpoint)
	l := newTestLive(t, s, p.URL, Options{APIOptions: []func(*middleware.Stack) error{tagOperations}})
	p.set("iam:GetRolePolicy", "broken-doc", -1, 0)
	f, err := l.Function(context.Background(), "broken-fn")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Unseen) != 1 {
		t.Fatalf("unseen: got %+v, want one entry for the broken document", f.Unseen)
	}
	u := f.Unseen[0]
	if u.Operation != "iam:GetRolePolicy" || u.Resource != sc.roleARN || u.Permission != "" || !strings.Contains(u.Error, "inline policy odd") || !strings.Contains(u.Error, "not a JSON object") {
		t.Errorf("unseen: got %+v", u)
	}
	if f.Role == nil || len(f.Role.Inline) != 1 || f.Role.Inline[0].Document != `{"Version":"2012-10-17",` {
		t.Fatalf("the broken document was not kept decoded: %+v", f.Role)
	}
	if len(f.Role.Managed) != 2 || f.Role.Boundary == nil || len(f.ResourcePolicies) == 0 || len(f.Denials) != len(sc.denials) {
		t.Errorf("the rest did not load: %+v", f)
	}
	// It survives a snapshot round trip as a string.
	var buf bytes.Buffer
	if err := account.WriteSnapshot(&buf, account.NewSnapshot(l.Origin(), []*account.Function{f})); err != nil {
		t.Fatal(err)
	}
	snap, err := account.ParseSnapshot(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Functions[0].Role.Inline[0].Document; got != f.Role.Inline[0].Document {
		t.Errorf("after the round trip: got %q", got)
	}
}

// blackHole is a loopback server that accepts connections and never
// answers: a stalled endpoint.
func blackHole(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go io.Copy(io.Discard, c) // read the request, never answer
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// A stalled optional read costs only itself: with S3 and CloudWatch Logs
// behind a server that accepts connections and never answers, the
// function is still read with the default options, the stalled reads are
// named in Unseen, a second function does not wait for them again, and an
// outbound diagnosis still comes back with its verdict (exit 1), not exit 3.
func TestLiveStalledOptionalReads(t *testing.T) {
	s := motoserver.Start(t)
	sc := createScenario(t, s, "stall")
	hole := blackHole(t)
	s.Setenv(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", hole)
	t.Setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", hole)
	// No Options.BaseEndpoint: it would win over the per-service variables.
	l, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	f, err := l.Function(context.Background(), sc.prefix+"-fn")
	took := time.Since(start)
	if err != nil {
		t.Fatalf("after %v: %v", took, err)
	}
	t.Logf("one function with S3 and Logs stalled, default options (attempt %v, read budget %v): read in %v", l.opts.AttemptTimeout, l.opts.ReadTimeout, took.Round(10*time.Millisecond))
	stalled := map[string]account.Unseen{}
	for _, u := range f.Unseen {
		t.Logf("  unseen %s %s: %s", u.Operation, u.Resource, u.Error)
		stalled[u.Operation] = u
		if u.Permission != "" || !(strings.Contains(u.Error, "no answer within") || strings.Contains(u.Error, "not asked")) {
			t.Errorf("unseen %+v: want a stalled read, with no permission named", u)
		}
	}
	for _, op := range []string{"s3:ListAllMyBuckets", "logs:DescribeLogGroups"} {
		if _, ok := stalled[op]; !ok {
			t.Errorf("no unseen %s; got %+v", op, f.Unseen)
		}
	}
	if f.Role == nil || len(f.Role.Managed) != 2 || len(f.ResourcePolicies) == 0 || len(f.Aliases) != 1 || len(f.EventSources) != 1 {
		t.Errorf("the rest was not read: role %+v, function %+v", f.Role, f)
	}

	start = time.Now()
	f2, err := l.Function(context.Background(), sc.fn2)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a second function with the same reader: %v", time.Since(start).Round(10*time.Millisecond))
	var skipped bool
	for _, u := range f2.Unseen {
		skipped = skipped || (u.Operation == "logs:DescribeLogGroups" && strings.Contains(u.Error, "not asked: logs in us-east-1 gave no answer"))
	}
	if !skipped {
		t.Errorf("second function: want logs:DescribeLogGroups not asked again; got %+v", f2.Unseen)
	}

	// The command, as an on-call engineer runs it.
	bin := filepath.Join(t.TempDir(), "lambda-doctor")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/lambda-doctor").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "diagnose", "--function", sc.prefix+"-fn", "--action", "dynamodb:DeleteItem",
		"--resource", "arn:aws:dynamodb:us-east-1:123456789012:table/orders")
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL_S3="+hole, "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS="+hole)
	start = time.Now()
	out, err := cmd.CombinedOutput()
	took = time.Since(start)
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	t.Logf("diagnose --action dynamodb:DeleteItem with S3 and Logs stalled: exit %d in %v", code, took.Round(10*time.Millisecond))
	if code != 1 || !strings.Contains(string(out), "dynamodb:DeleteItem") {
		t.Errorf("diagnose: exit %d, want 1 (the outbound door is closed)\n%s", code, out)
	}
}
