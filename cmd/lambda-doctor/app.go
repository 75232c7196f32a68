package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// Exit codes of the command-line contract (shared/contract.md).
const (
	exitOK       = 0
	exitProblem  = 1 // a door is closed / an expectation failed
	exitBadInput = 2 // bad usage or bad input
	exitUnseen   = 3 // the account could not be inspected well enough
)

// exitError carries an exit code and an optional hint printed on its own line.
type exitError struct {
	code int
	err  error
	hint string
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports bad usage or bad input (exit 2).
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitBadInput, err: fmt.Errorf(format, args...)}
}

// badInput wraps err as bad input (exit 2).
func badInput(err error) error { return &exitError{code: exitBadInput, err: err} }

// problemFound reports that a problem was found and already explained on
// stdout (exit 1, nothing more printed).
func problemFound() error { return &exitError{code: exitProblem} }

// streams are the process's standard streams and what is known about them.
type streams struct {
	in       io.Reader
	out, err io.Writer
	outTTY   bool // stdout is a terminal
	errTTY   bool // stderr is a terminal

	unknownCommand bool
}

// color reports whether text output may use ANSI colour: only on a
// terminal, never with NO_COLOR set (https://no-color.org), always with
// CLICOLOR_FORCE set.
func (s *streams) color() bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	if v := os.Getenv("CLICOLOR_FORCE"); v != "" && v != "0" {
		return true
	}
	return s.outTTY
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func ioFrom(c *cli.Context) *streams { return c.App.Metadata["streams"].(*streams) }

// run runs the command line and returns the process exit code. It never
// exits by itself, so tests can run whole commands in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := &streams{in: stdin, out: stdout, err: stderr, outTTY: isTerminal(stdout), errTTY: isTerminal(stderr)}
	app := newApp(s)
	err := app.RunContext(ctx, args)
	if err == nil && s.unknownCommand {
		return exitBadInput
	}
	return exitCode(err, stderr)
}

func newApp(s *streams) *cli.App {
	onUsage := func(_ *cli.Context, err error, _ bool) error { return badInput(err) }
	app := &cli.App{
		Name:                 "lambda-doctor",
		Usage:                "why does my Lambda function get access denied, which door is closed, and how to open it",
		Writer:               s.out,
		ErrWriter:            s.err,
		ExitErrHandler:       func(*cli.Context, error) {},
		OnUsageError:         onUsage,
		Metadata:             map[string]any{"streams": s},
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		Commands: []*cli.Command{
			diagnoseCommand(),
			simulateCommand(),
			checkCommand(),
			snapshotCommand(),
		},
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(c.App.ErrWriter, "lambda-doctor: unknown command %q; run 'lambda-doctor --help'\n", name)
			s.unknownCommand = true
		},
	}
	for _, c := range app.Commands {
		if c.OnUsageError == nil {
			c.OnUsageError = onUsage
		}
	}
	return app
}

// exitCode maps an error to the contract's exit codes, printing it on stderr.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	code := exitBadInput
	var ee *exitError
	var ae *account.AccessError
	var ie *account.InputError
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case errors.As(err, &ae), errors.Is(err, account.ErrNotFound):
		code = exitUnseen
	case errors.As(err, &ie):
		code = exitBadInput
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		code = exitUnseen
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(stderr, "lambda-doctor: %s\n", strings.TrimSpace(msg))
	}
	if ee != nil && ee.hint != "" {
		fmt.Fprintf(stderr, "hint: %s\n", ee.hint)
	}
	return code
}
