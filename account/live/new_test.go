package live

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// cleanAWSEnv leaves the test with no AWS_ variable but empty config
// files and no instance metadata, then sets kv.
func cleanAWSEnv(t *testing.T, kv ...string) {
	t.Helper()
	for _, e := range os.Environ() {
		if k, _, _ := strings.Cut(e, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	dir := t.TempDir()
	for _, name := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for i := 0; i+1 < len(kv); i += 2 {
		t.Setenv(kv[i], kv[i+1])
	}
}

// countingServer answers every request with status and body, counting them.
func countingServer(t *testing.T, status int, body string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// A region that is not a region name is bad input (exit 2), found before
// anything is sent, whether it comes from --region or the environment.
func TestNewBadRegion(t *testing.T) {
	srv, n := countingServer(t, 500, "")
	for _, tc := range []struct {
		name, flag, env, source string
	}{
		{"letter l for one", "us-east-l", "", "--region"},
		{"space", "foo bar", "", "--region"},
		{"control characters", "us-east-1\x1b[2J", "", "--region"},
		{"upper case", "US-EAST-1", "", "--region"},
		{"from the environment", "", "us-east-l", "AWS_REGION"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanAWSEnv(t, "AWS_ACCESS_KEY_ID", "testing", "AWS_SECRET_ACCESS_KEY", "testing", "AWS_REGION", tc.env)
			_, err := New(context.Background(), Options{Region: tc.flag, BaseEndpoint: srv.URL})
			var ie *account.InputError
			if !errors.As(err, &ie) || !strings.Contains(ie.Source, tc.source) || !strings.Contains(err.Error(), "is not an AWS region name") {
				t.Fatalf("got %v, want an *account.InputError from %s", err, tc.source)
			}
			if strings.ContainsRune(err.Error(), '\x1b') || strings.Contains(err.Error(), "credentials") {
				t.Errorf("message %q: want the region quoted, no control character, no credentials hint", err)
			}
		})
	}
	for _, good := range []string{"us-east-1", "us-gov-west-1", "cn-northwest-1", "us-isob-east-1", "eusc-de-east-1", "ap-southeast-5"} {
		if err := checkRegion("--region", good); err != nil {
			t.Errorf("%s: %v", good, err)
		}
	}
	if n.Load() != 0 {
		t.Errorf("%d requests were sent for a bad region", n.Load())
	}
}

// The credentials hint appears when credentials are missing, and only then.
func TestNewCredentialErrors(t *testing.T) {
	closed := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr
	}()
	refused, _ := countingServer(t, 403, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>`+
		`<Message>The security token included in the request is invalid.</Message></Error><RequestId>x</RequestId></ErrorResponse>`)
	silent, n := countingServer(t, 500, "")
	for _, tc := range []struct {
		name     string
		keys     bool
		endpoint string
		want     string
		hint     bool
	}{
		{"no credentials", false, silent.URL, "no AWS credentials found", true},
		{"credentials refused", true, refused.URL, "AWS refused the credentials", false},
		{"endpoint unreachable", true, closed, "cannot reach AWS STS in us-east-1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanAWSEnv(t, "AWS_REGION", "us-east-1")
			if tc.keys {
				t.Setenv("AWS_ACCESS_KEY_ID", "testing")
				t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
			}
			_, err := New(context.Background(), Options{BaseEndpoint: tc.endpoint, MaxAttempts: 1})
			var ae *account.AccessError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an *account.AccessError saying %q", err, tc.want)
			}
			if got := strings.Contains(err.Error(), "no AWS credentials"); got != tc.hint {
				t.Errorf("credentials hint: got %v, want %v in %q", got, tc.hint, err)
			}
		})
	}
	if n.Load() != 0 {
		t.Errorf("%d requests were sent without credentials", n.Load())
	}
}

func TestParseFunctionARN(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want functionARN
		err  string
	}{
		{in: "arn:aws:lambda:us-west-2:123456789012:function:f", want: functionARN{"aws", "us-west-2", "123456789012", "f", ""}},
		{in: "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:live", want: functionARN{"aws-cn", "cn-north-1", "123456789012", "f", "live"}},
		{in: "arn:aws:lambda:us-west-2:123456789012:layer:f:1", err: "not a function"},
		{in: "arn:aws:s3:::bucket", err: "wrong number of fields"},
		{in: "arn:aws:lambda:us-west-l:123456789012:function:f", err: "not a region name"},
		{in: "arn:aws:lambda:us-west-2:12345:function:f", err: "12-digit"},
		{in: "arn:aws:lambda:us-west-2:123456789012:function:", err: "empty"},
		{in: "arn:aws:lambda:us-west-2:123456789012:function:f:", err: "empty"},
		{in: "arn:evil:lambda:us-west-2:123456789012:function:f", err: "partition"},
	} {
		got, err := parseFunctionARN(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%s: got %+v, %v, want %+v", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: got %v, want an error with %q", tc.in, err, tc.err)
		}
	}
}
