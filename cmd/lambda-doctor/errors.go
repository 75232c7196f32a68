package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/account/live"
	"github.com/lambda-doctor/lambda-doctor/account/template"
	"github.com/lambda-doctor/lambda-doctor/checks"
	"github.com/lambda-doctor/lambda-doctor/diagnose"
	"github.com/lambda-doctor/lambda-doctor/internal/limits"
)

// Exit codes of the command-line contract (docs/contract.md, "Exit codes").
const (
	exitOK       = 0
	exitProblem  = 1 // a door is closed / an expectation failed
	exitBadInput = 2 // bad usage or bad input
	exitUnseen   = 3 // the account could not be inspected well enough
)

// The typed errors of the commands. exitCode maps them, and the errors of
// the packages below, to exit codes in one switch.

// flagError is bad usage (exit 2): a flag value, a missing or conflicting
// flag, a stray argument.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

// inputError is bad input (exit 2): a file or a value that is not what it
// must be.
type inputError struct{ err error }

func (e *inputError) Error() string { return e.err.Error() }
func (e *inputError) Unwrap() error { return e.err }

// silentError ends a command whose result, already on stdout, says it
// all: only the exit code is left to give.
type silentError struct{ code int }

func (e *silentError) Error() string { return "" }

// incompleteError is a run that could not see enough to decide (exit 3);
// the message says what was not seen.
type incompleteError struct{ err error }

func (e *incompleteError) Error() string { return e.err.Error() }
func (e *incompleteError) Unwrap() error { return e.err }

// usageErrorf reports bad usage (exit 2).
func usageErrorf(format string, args ...any) error {
	return &flagError{err: fmt.Errorf(format, args...)}
}

// badInput wraps err as bad input (exit 2).
func badInput(err error) error { return &inputError{err: err} }

// problemFound reports that a problem was found and already explained on
// stdout (exit 1, nothing more printed).
func problemFound() error { return &silentError{code: exitProblem} }

// exitWith ends a command whose report, on stdout, gave code.
func exitWith(code int) error {
	if code == exitOK {
		return nil
	}
	return &silentError{code: code}
}

// exitCode is the one switch from an error to the contract's exit code,
// with the advice to print beside it (none when the message says it all).
func exitCode(err error) (code int, advice string) {
	var (
		se  *silentError
		fe  *flagError
		ie  *inputError
		ine *incompleteError
		ae  *account.AccessError
		pfe *live.ProfileError
		aie *account.InputError
		die *diagnose.InputError
		spe *checks.SpecError
		tle *limits.TooLargeError
		nte *limits.NotTextError
		tpe *template.Error
	)
	switch {
	case err == nil:
		return exitOK, ""
	case errors.As(err, &se):
		return se.code, ""
	case errors.As(err, &fe):
		return exitBadInput, "run 'lambda-doctor COMMAND --help' for the flags"
	case errors.As(err, &ine), errors.As(err, &ae), errors.As(err, &pfe):
		// A profile the config files do not have leaves no credentials:
		// the account cannot be inspected (docs/contract.md, exit 3).
		return exitUnseen, ""
	case errors.As(err, &tle), errors.As(err, &nte), errors.As(err, &ie), errors.As(err, &aie), errors.As(err, &die), errors.As(err, &spe), errors.As(err, &tpe):
		return exitBadInput, ""
	case errors.Is(err, account.ErrNotFound):
		return exitUnseen, "check the function's name, and the account and region it is read in (--profile, --region, or the ARN's region)"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return exitUnseen, "the account did not answer in time; what was read is not enough to decide"
	}
	return exitBadInput, ""
}
