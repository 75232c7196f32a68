package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// A stalled optional read costs only itself.
//
// Every call but the required ones (lambda:GetFunction,
// lambda:ListFunctions, sts:GetCallerIdentity and the credential
// exchanges) has its own time budget, Options.ReadTimeout (20 s), retries
// included; each HTTP attempt has Options.AttemptTimeout (10 s) and a slow
// attempt is retried while the budget lasts. A call that runs out of its
// budget is recorded in account.Function.Unseen ("no answer within 20s"),
// and the rest of the read goes on.
//
// The service (in its region) whose call ran out of its budget is then
// stalled for the rest of the Reader's life: later optional calls to it
// fail at once, without a request, and are recorded in Unseen too ("not
// asked: s3 in us-east-1 gave no answer to an earlier read within 20s").
// So a stalled endpoint costs about one budget per run, not one per call or
// per function of check --all. Calls running concurrently when the service
// stalls each wait out their own budget, at the same time.
//
// A region-wide discovery listing (every bucket's notifications, every
// API's routes...) may make many calls to a healthy but slow service; the
// whole listing is bounded by Options.ListTimeout (60 s) and cut, named in
// Unseen, when that runs out; a cut does not stall the service.
//
// Reads run concurrently, in chains of dependent calls (a list, then what
// it names). With one stalled service a function is read in about one
// ReadTimeout (measured: 20.2 s with S3 and CloudWatch Logs both stalled,
// TestLiveStalledOptionalReads); whatever stalls, one account.Function
// call ends within Options.Timeout (2 min).

// budgetError is the error of an optional call that ran out of its time
// budget.
type budgetError struct {
	d   time.Duration
	err error
}

func (e *budgetError) Error() string {
	return fmt.Sprintf("no answer within %s (the time budget of one read): %v", e.d, e.err)
}

func (e *budgetError) Unwrap() error { return e.err }

// stalledError is returned, without a request, for an optional call to a
// service whose earlier call ran out of its budget.
type stalledError struct {
	service string
	d       time.Duration
}

func (e *stalledError) Error() string {
	return fmt.Sprintf("not asked: %s gave no answer to an earlier read within %s", e.service, e.d)
}

// stallBreaker gives each optional call its budget and remembers the
// stalled services, by IAM prefix and region.
type stallBreaker struct {
	budget time.Duration

	mu      sync.Mutex
	stalled map[string]time.Duration
}

// callBudget is the cause of a call's context that ended on its budget.
type callBudget struct{}

func (callBudget) Error() string { return "read budget" }

func (b *stallBreaker) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Insert(middleware.InitializeMiddlewareFunc("LambdaDoctorStallBreaker",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			svc, op := middleware.GetServiceID(ctx), middleware.GetOperationName(ctx)
			if requiredOperations[svc+" "+op] || credentialOperations[svc+" "+op] {
				return next.HandleInitialize(ctx, in)
			}
			key := iamPrefix(svc)
			if region := awsmiddleware.GetRegion(ctx); region != "" {
				key += " in " + region
			}
			b.mu.Lock()
			d, stalled := b.stalled[key]
			b.mu.Unlock()
			if stalled {
				return middleware.InitializeOutput{}, middleware.Metadata{}, &stalledError{service: key, d: d}
			}
			cctx, cancel := context.WithTimeoutCause(ctx, b.budget, callBudget{})
			defer cancel()
			out, md, err := next.HandleInitialize(cctx, in)
			if err != nil && ctx.Err() == nil && errors.Is(context.Cause(cctx), callBudget{}) {
				b.mu.Lock()
				if b.stalled == nil {
					b.stalled = map[string]time.Duration{}
				}
				b.stalled[key] = b.budget
				b.mu.Unlock()
				err = &budgetError{d: b.budget, err: err}
			}
			return out, md, err
		}), "LambdaDoctorReadOnly", middleware.After)
}

// listingCut is the cause of a discovery listing's context that ran out of
// Options.ListTimeout.
type listingCut struct{ d time.Duration }

func (e *listingCut) Error() string {
	return fmt.Sprintf("the listing ran out of its %s", e.d)
}

// listing returns the context of one region-wide discovery listing.
func (l *Reader) listing(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, l.opts.ListTimeout, &listingCut{l.opts.ListTimeout})
}

// cutShort reports whether ctx, a listing's context, ran out of its time
// while the read that needs it goes on.
func cutShort(ctx context.Context) (*listingCut, bool) {
	if ctx.Err() == nil {
		return nil, false
	}
	var c *listingCut
	ok := errors.As(context.Cause(ctx), &c)
	return c, ok
}

// stopError returns err when it must end the whole read (the read's
// context ended, not only a listing's time), else nil: the caller records
// what it could not read.
func stopError(ctx context.Context, err error) error {
	if err == nil || classify(ctx, err) != errContext {
		return nil
	}
	return err
}
