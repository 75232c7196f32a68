package live

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aws/smithy-go/middleware"
)

// WriteRefusedError is returned, before anything is sent, for any AWS
// operation that is not a read. lambda-doctor only ever reads.
type WriteRefusedError struct {
	Service, Operation string
}

func (e *WriteRefusedError) Error() string {
	return fmt.Sprintf("%s %s refused: lambda-doctor only makes read calls", e.Service, e.Operation)
}

// readPrefixes are the operation name prefixes of read calls. Every AWS
// operation named like this only reads (Simulate* evaluates policies,
// Filter* searches log events).
var readPrefixes = []string{"Get", "List", "Describe", "Filter", "Simulate"}

// readExceptions are reads, or credential exchanges made by the SDK's
// credential providers (they change nothing in the account), whose names
// do not start with a read prefix. The providers' clients are built from
// the same configuration, so they pass through this guard too. Keys are
// "ServiceID Operation".
var readExceptions = map[string]bool{
	"STS DecodeAuthorizationMessage":     true, // returns the decoded text of an authorization failure
	"STS AssumeRole":                     true, // profiles with role_arn
	"STS AssumeRoleWithWebIdentity":      true, // web identity credentials
	"SSO OIDC CreateToken":               true, // refreshing an SSO token
	"SSO GetRoleCredentials":             true, // (a Get, listed for clarity)
	"Signin CreateOAuth2Token":           true, // refreshing "aws login" credentials
	"Organizations DescribeOrganization": true,
}

// IsReadOperation reports whether operation op of the service with SDK
// service ID svc only reads.
func IsReadOperation(svc, op string) bool {
	if readExceptions[svc+" "+op] {
		return true
	}
	for _, p := range readPrefixes {
		if strings.HasPrefix(op, p) && len(op) > len(p) && op[len(p)] >= 'A' && op[len(p)] <= 'Z' {
			return true
		}
	}
	return false
}

// readOnlyMiddleware fails every operation that is not a read in the
// Initialize step, before the request is even serialized.
func readOnlyMiddleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("LambdaDoctorReadOnly",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			svc, op := middleware.GetServiceID(ctx), middleware.GetOperationName(ctx)
			if !IsReadOperation(svc, op) {
				return middleware.InitializeOutput{}, middleware.Metadata{}, &WriteRefusedError{Service: svc, Operation: op}
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

// callCounter counts operations (once per call) and attempts (once per
// HTTP request, retries included) by "service:Operation".
type callCounter struct {
	mu       sync.Mutex
	ops      map[string]int
	attempts atomic.Int64
}

func newCallCounter() *callCounter { return &callCounter{ops: map[string]int{}} }

func (c *callCounter) middleware(stack *middleware.Stack) error {
	err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("LambdaDoctorCountCalls",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			key := iamPrefix(middleware.GetServiceID(ctx)) + ":" + middleware.GetOperationName(ctx)
			c.mu.Lock()
			c.ops[key]++
			c.mu.Unlock()
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	if err != nil {
		return err
	}
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("LambdaDoctorCountAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c.attempts.Add(1)
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

func (c *callCounter) snapshot() (map[string]int, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := make(map[string]int, len(c.ops))
	for k, v := range c.ops {
		m[k] = v
	}
	return m, c.attempts.Load()
}

// iamPrefix maps an SDK service ID to its IAM action prefix.
func iamPrefix(serviceID string) string {
	switch serviceID {
	case "CloudWatch Logs":
		return "logs"
	case "EventBridge":
		return "events"
	case "SSO OIDC":
		return "sso-oauth"
	}
	return strings.ToLower(strings.ReplaceAll(serviceID, " ", ""))
}
