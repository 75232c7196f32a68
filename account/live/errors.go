package live

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/lambda-doctor/lambda-doctor/account"
)

type errKind int

const (
	errOther       errKind = iota
	errDenied              // the operator lacks the permission
	errNotFound            // the thing read does not exist
	errUnavailable         // the operation is not offered (404 page, 5xx)
	errContext             // the whole read's context ended
	errBudget              // the call ran out of its own time budget
	errStalled             // not asked: the service stalled before
	errCut                 // a discovery listing ran out of its time
)

// deniedCodes are the error codes AWS services use for a refused call.
var deniedCodes = map[string]bool{
	"AccessDenied":          true,
	"AccessDeniedException": true,
	"UnauthorizedOperation": true,
	"AuthorizationError":    true,
	"UnauthorizedException": true,
	"Forbidden":             true,
}

var notFoundCodes = map[string]bool{
	"ResourceNotFoundException":               true, // lambda, logs
	"NoSuchEntity":                            true, // iam
	"NoSuchEntityException":                   true,
	"NotFoundException":                       true, // kms
	"NotFound":                                true, // sns
	"QueueDoesNotExist":                       true, // sqs (JSON protocol)
	"AWS.SimpleQueueService.NonExistentQueue": true, // sqs (query protocol)
}

func classify(ctx context.Context, err error) errKind {
	var se *stalledError
	if errors.As(err, &se) {
		return errStalled
	}
	var be *budgetError
	if errors.As(err, &be) {
		return errBudget
	}
	if _, ok := cutShort(ctx); ok {
		return errCut
	}
	if ctxErr(ctx, err) {
		return errContext
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch code := ae.ErrorCode(); {
		case deniedCodes[code]:
			return errDenied
		case notFoundCodes[code]:
			return errNotFound
		}
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch st := re.HTTPStatusCode(); {
		case st == http.StatusForbidden && ae != nil:
			return errDenied
		case st == http.StatusNotFound && ae == nil:
			return errUnavailable // an emulator's "no such route" page
		case st == http.StatusNotImplemented, st >= 500 && ae == nil:
			return errUnavailable
		}
	}
	return errOther
}

// ctxErr reports whether err comes from ctx ending.
func ctxErr(ctx context.Context, err error) bool {
	return ctx.Err() != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, ctx.Err()))
}

func permissionIfDenied(err error, perm string) string {
	if classify(context.Background(), err) == errDenied {
		return perm
	}
	return ""
}

// unseenFor describes a failed optional read op (in IAM action form, which
// is also the permission it needs) of resource. stop is set when the read
// must not go on (its context ended).
func unseenFor(ctx context.Context, op, resource string, err error) (u account.Unseen, stop error) {
	u = account.Unseen{Operation: op, Resource: resource, Error: shortError(err)}
	switch classify(ctx, err) {
	case errContext:
		return u, fmt.Errorf("%s %s: %w", op, resource, err)
	case errDenied:
		u.Permission = op
	case errUnavailable:
		u.Error = "not available from this endpoint: " + u.Error
	case errBudget:
		var be *budgetError
		errors.As(err, &be)
		u.Error = fmt.Sprintf("no answer within %s (the time budget of one read): not read", be.d)
	case errStalled:
		var se *stalledError
		errors.As(err, &se)
		u.Error = se.Error()
	case errCut:
		c, _ := cutShort(ctx)
		u.Error = "not read: " + c.Error()
	case errNotFound:
		u.NotFound = true
	}
	return u, nil
}

// shortError is err without the SDK's operation and request-id framing.
func shortError(err error) string {
	s := err.Error()
	var ae smithy.APIError
	if errors.As(err, &ae) {
		prefix := ""
		if i := strings.Index(s, "operation error "); i > 0 {
			prefix = s[:i]
		}
		if msg := ae.ErrorMessage(); msg != "" {
			return prefix + ae.ErrorCode() + ": " + msg
		}
		return prefix + ae.ErrorCode()
	}
	if i := strings.Index(s, ", "); strings.HasPrefix(s, "operation error ") && i > 0 {
		s = s[i+2:]
	}
	return s
}
