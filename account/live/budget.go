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

// A stalled optional read costs only itself. Every read but the required
// ones (lambda:GetFunction, lambda:ListFunctions, sts:GetCallerIdentity)
// runs with its own deadline, Options.ReadTimeout: one function's resource
// policy, its role with every policy, its log search, one region-wide
// trigger listing with all its pages. Each HTTP attempt has its own
// deadline too (Options.AttemptTimeout), and a slow attempt is retried
// while the read's budget lasts. A read whose budget runs out is recorded
// in account.Function.Unseen ("no answer within 20s") and the rest goes on.
//
// The service (and region) whose call was waiting when a budget ran out is
// then treated as stalled for the rest of the Reader's life: later optional
// calls to it fail at once with a *stalledError, recorded in Unseen too. So
// a stalled endpoint costs one budget per run, not one per function of
// check --all.
//
// Reads run concurrently in chains of at most two budgets (a list, then
// what it names: aliases then their policies; a trigger listing then the
// invoking role), so a diagnosis whose optional reads all stall comes back
// within 2 × ReadTimeout after lambda:GetFunction answers, and one with
// one stalled service within about one ReadTimeout.

// budgetExpired is the cause of a context that ended because its optional
// read used up its time budget.
type budgetExpired struct{ d time.Duration }

func (e *budgetExpired) Error() string {
	return fmt.Sprintf("no answer within %s (the time budget of one optional read)", e.d)
}

// budget returns the context of one optional read.
func (l *Reader) budget(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, l.opts.ReadTimeout, &budgetExpired{l.opts.ReadTimeout})
}

// optional runs fn as one optional read with its own budget.
func (l *Reader) optional(ctx context.Context, fn func(ctx context.Context) error) error {
	ctx, cancel := l.budget(ctx)
	defer cancel()
	return fn(ctx)
}

// overBudget reports whether ctx ended because its own read budget ran out
// while the whole read (its parent) goes on.
func overBudget(ctx context.Context) (*budgetExpired, bool) {
	if ctx.Err() == nil {
		return nil, false
	}
	var be *budgetExpired
	ok := errors.As(context.Cause(ctx), &be)
	return be, ok
}

// stopError returns err when it must end the whole read (the read's
// context ended for another reason than a read budget), else nil: the
// caller records what it could not read.
func stopError(ctx context.Context, err error) error {
	if err == nil || classify(ctx, err) != errContext {
		return nil
	}
	return err
}

// stalledError is returned, without a request, for an optional call to a
// service whose earlier call got no answer within its read budget.
type stalledError struct {
	service string
	d       time.Duration
}

func (e *stalledError) Error() string {
	return fmt.Sprintf("not asked: %s gave no answer to an earlier read within %s", e.service, e.d)
}

// stallBreaker remembers the stalled services, by IAM prefix and region.
type stallBreaker struct {
	mu      sync.Mutex
	stalled map[string]time.Duration
}

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
			out, md, err := next.HandleInitialize(ctx, in)
			if err != nil {
				if be, ok := overBudget(ctx); ok {
					b.mu.Lock()
					if b.stalled == nil {
						b.stalled = map[string]time.Duration{}
					}
					b.stalled[key] = be.d
					b.mu.Unlock()
				}
			}
			return out, md, err
		}), "LambdaDoctorReadOnly", middleware.After)
}
