package main

import (
	"errors"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/internal/iostreams"
)

// isFlagError reports whether err is bad usage, exit 2 in exitCode.
func isFlagError(err error) bool {
	var fe *flagError
	return errors.As(err, &fe)
}

// realApp is the command's app as run() builds it, set up as RunContext
// sets it up (help flags and commands in place), for the tests of
// completion, suggestions and enums. It is the one place these tests
// depend on how app.go builds the app. The configure funcs change the app
// before it is set up.
func realApp(t *testing.T, configure ...func(*cli.App)) *cli.App {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	app := newApp(newStreams(ios))
	for _, f := range configure {
		f(app)
	}
	app.Setup()
	return app
}
