package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/internal/iostreams"
	"github.com/lambda-doctor/lambda-doctor/internal/term"
	"github.com/lambda-doctor/lambda-doctor/internal/textwrap"
	"github.com/lambda-doctor/lambda-doctor/internal/version"
)

// streams are the command's standard streams (short names for the command
// files) and the iostreams that own what is known about them: terminals,
// colour, progress.
type streams struct {
	in       io.Reader
	out, err io.Writer
	io       *iostreams.IOStreams

	unknownCommand bool
	// errWrap wraps err to the terminal's width when stderr is one.
	errWrap *textwrap.Writer
}

func newStreams(ios *iostreams.IOStreams) *streams {
	s := &streams{in: ios.In, out: ios.Out, err: ios.ErrOut, io: ios}
	if w := ios.ErrWidth(); w > 0 {
		// Messages fit the terminal as the text output does; a progress
		// bar, which redraws its line, writes to ios.ErrOut itself.
		s.errWrap = textwrap.NewWriter(ios.ErrOut, w)
		s.err = s.errWrap
	}
	return s
}

func ioFrom(c *cli.Context) *streams { return c.App.Metadata["streams"].(*streams) }

// run runs the command line and returns the process exit code. It never
// exits by itself, so tests can run whole commands in-process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runStreams(ctx, iostreams.System(stdin, stdout, stderr), args)
}

// runStreams is run on given streams: every command's error goes through
// exitCode, the one switch from errors to exit codes, and is printed with
// its advice on stderr.
func runStreams(ctx context.Context, ios *iostreams.IOStreams, args []string) int {
	s := newStreams(ios)
	err := newApp(s).RunContext(ctx, args)
	if err == nil && s.unknownCommand {
		return exitBadInput
	}
	code, advice := exitCode(err)
	if err != nil {
		// Errors quote what the user or the account supplied (names,
		// ARNs, file contents): shown on one line, control characters
		// escaped.
		if msg := strings.TrimSpace(err.Error()); msg != "" {
			fmt.Fprintf(s.err, "lambda-doctor: %s\n", term.Line(msg))
		}
		var fe *flagError
		if errors.As(err, &fe) && len(args) > 1 && !strings.HasPrefix(args[1], "-") {
			advice = "run 'lambda-doctor " + args[1] + " --help' for the flags"
		}
		if advice != "" {
			fmt.Fprintf(s.err, "hint: %s\n", term.Line(advice))
		}
	}
	if s.errWrap != nil {
		s.errWrap.Flush()
	}
	return code
}

// action is a command's Action in the cli/cli shape: parse reads the
// flags into the options (bad usage ends there), then runF (a test's hook)
// or run does the work with them.
func action[O any](parse func(*cli.Context) (O, error), run, runF func(context.Context, *streams, O) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		o, err := parse(c)
		if err != nil {
			return err
		}
		if runF != nil {
			run = runF
		}
		return run(c.Context, ioFrom(c), o)
	}
}

func newApp(s *streams) *cli.App {
	onUsage := func(c *cli.Context, err error, _ bool) error { return explainFlagError(c, err) }
	app := &cli.App{
		Name:                 "lambda-doctor",
		Usage:                "why does my Lambda function get access denied, which door is closed, and how to open it",
		Version:              version.Get().Version,
		Writer:               &helpWriter{Writer: s.out, width: s.io.Width()},
		ErrWriter:            s.err,
		ExitErrHandler:       func(*cli.Context, error) {},
		OnUsageError:         onUsage,
		Metadata:             map[string]any{"streams": s},
		EnableBashCompletion: true,
		Commands: []*cli.Command{
			diagnoseCommand(nil),
			simulateCommand(),
			checkCommand(nil),
			snapshotCommand(nil),
			completionCommand(),
			versionCommand(),
		},
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(c.App.ErrWriter, "lambda-doctor: %s\n", term.Line(unknownCommand(c.App, name)))
			s.unknownCommand = true
		},
	}
	for _, c := range app.Commands {
		if c.OnUsageError == nil {
			c.OnUsageError = onUsage
		}
		c.Before = checkEnums
	}
	return app
}
