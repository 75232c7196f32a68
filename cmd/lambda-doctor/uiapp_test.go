package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// realApp is the command's app as run() builds it, set up as RunContext
// sets it up (help flags and commands in place), for the tests of
// completion, suggestions and enums. It is the one place these tests
// depend on how app.go builds the app. The configure funcs change the app
// before it is set up.
func realApp(t *testing.T, configure ...func(*cli.App)) *cli.App {
	t.Helper()
	var out, errb bytes.Buffer
	app := newApp(&streams{in: strings.NewReader(""), out: &out, err: &errb})
	for _, f := range configure {
		f(app)
	}
	app.Setup()
	return app
}
