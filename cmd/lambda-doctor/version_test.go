package main

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/internal/version"
)

// versionLine is the form of the version line (internal/version tests
// each case of it).
var versionLine = regexp.MustCompile(`^lambda-doctor \S+ \(.*go1\.[0-9]+.*\)\n$`)

func TestVersionCommandAndFlag(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		app := realApp(t, func(app *cli.App) {
			if app.Command("version") == nil {
				app.Commands = append(app.Commands, versionCommand())
			}
			app.Version = version.Get().Version
		})
		var out bytes.Buffer
		app.Writer = &out
		if err := app.Run(append([]string{"lambda-doctor"}, args...)); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if !versionLine.MatchString(out.String()) || out.String() != version.Get().String()+"\n" {
			t.Errorf("%v printed %q, want %q", args, out.String(), version.Get().String())
		}
	}
}

func TestVersionTakesNoArguments(t *testing.T) {
	app := realApp(t)
	if app.Command("version") == nil {
		app.Commands = append(app.Commands, versionCommand())
	}
	err := app.Run([]string{"lambda-doctor", "version", "extra"})
	if err == nil || err.Error() != `version takes no arguments, got "extra"` || !isFlagError(err) {
		t.Errorf("error %v", err)
	}
}
