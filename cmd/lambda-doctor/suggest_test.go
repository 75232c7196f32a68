package main

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// runApp runs the real app with the flag errors of every command rewritten
// by flagError, as newApp's OnUsageError does once wired, and returns the
// error of the run.
func runApp(t *testing.T, args ...string) error {
	t.Helper()
	app := realApp(t)
	onUsage := func(c *cli.Context, err error, _ bool) error { return explainFlagError(c, err) }
	app.OnUsageError = onUsage
	for _, c := range app.Commands {
		c.OnUsageError = onUsage
	}
	return app.Run(append([]string{"lambda-doctor"}, args...))
}

func TestFlagError(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		// A slip in a flag of each command.
		{[]string{"diagnose", "--functon", "f"}, "unknown flag --functon for diagnose; did you mean --function?"},
		{[]string{"diagnose", "-functon", "f"}, "unknown flag --functon for diagnose; did you mean --function?"},
		{[]string{"diagnose", "--fucntion", "f"}, "unknown flag --fucntion for diagnose; did you mean --function?"},
		{[]string{"diagnose", "--Function", "f"}, "unknown flag --Function for diagnose; did you mean --function?"},
		{[]string{"diagnose", "--sympton", "x"}, "unknown flag --sympton for diagnose; did you mean --symptom?"},
		{[]string{"diagnose", "--fix-fromat", "x"}, "unknown flag --fix-fromat for diagnose; did you mean --fix-format?"},
		{[]string{"diagnose", "--source-acount", "1"}, "unknown flag --source-acount for diagnose; did you mean --source-account?"},
		{[]string{"check", "--fail_on", "high"}, "unknown flag --fail_on for check; did you mean --fail-on?"},
		{[]string{"check", "--ingore", "LD104"}, "unknown flag --ingore for check; did you mean --ignore?"},
		{[]string{"check", "--sarif-fil", "x"}, "unknown flag --sarif-fil for check; did you mean --sarif-file?"},
		{[]string{"simulate", "--resouce", "x"}, "unknown flag --resouce for simulate; did you mean --resource?"},
		{[]string{"simulate", "--session-polcy", "x"}, "unknown flag --session-polcy for simulate; did you mean --session-policy?"},
		{[]string{"snapshot", "--concurency", "2"}, "unknown flag --concurency for snapshot; did you mean --concurrency?"},
		{[]string{"snapshot", "--log-windw", "1h"}, "unknown flag --log-windw for snapshot; did you mean --log-window?"},
		{[]string{"diagnose", "--regoin", "x"}, "unknown flag --regoin for diagnose; did you mean --region?"},
		{[]string{"diagnose", "--hlep"}, "unknown flag --hlep for diagnose; did you mean --help?"},
		// A prefix: all the flags it begins, up to three.
		{[]string{"diagnose", "--source", "x"}, "unknown flag --source for diagnose; did you mean --source-arn or --source-account?"},
		// A flag of another command.
		{[]string{"diagnose", "--spec", "x"}, "unknown flag --spec for diagnose; check has it"},
		{[]string{"simulate", "--all"}, "unknown flag --all for simulate; check and snapshot have it"},
		{[]string{"--function", "x", "diagnose"}, "unknown flag --function; it is a flag of diagnose, simulate, check or snapshot: put it after the command"},
		// Nothing near.
		{[]string{"diagnose", "--zzz"}, "unknown flag --zzz for diagnose"},
		{[]string{"diagnose", "-x"}, "unknown flag -x for diagnose"},
		{[]string{"--verbos"}, "unknown flag --verbos"},
		{[]string{"--verbose"}, "unknown flag --verbose; it is a flag of check: put it after the command"},
		// Values.
		{[]string{"diagnose", "--function"}, "--function needs a value: --function NAME"},
		{[]string{"diagnose", "-f"}, "-f needs a value: -f NAME"},
		{[]string{"check", "--all", "--concurrency", "many"}, `--concurrency "many": want a whole number`},
		{[]string{"snapshot", "--all", "--log-window", "2 days"}, `--since "2 days": want a duration such as 90m, 36h, 7d or 2w`},
		{[]string{"diagnose", "-f", "x", "--since", "-3h"}, `--since "-3h": want a duration such as 90m, 36h, 7d or 2w`},
		{[]string{"simulate", "--discovery-limit", "s3=0"}, "unknown flag --discovery-limit for simulate; diagnose, check and snapshot have it"},
		{[]string{"diagnose", "--function-url=maybe"}, `--function-url "maybe": want true or false`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := runApp(t, tt.args...)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("got  %q\nwant %q", err.Error(), tt.want)
			}
			if !isFlagError(err) {
				t.Errorf("error %T is not a usage error", err)
			}
		})
	}
}

func TestFlagErrorOther(t *testing.T) {
	other := errors.New("something else")
	app := realApp(t)
	ctx := cli.NewContext(app, nil, nil)
	ctx.Command = app.Command("diagnose")
	if got := explainFlagError(ctx, nil); got != nil {
		t.Errorf("flagError(nil) = %v", got)
	}
	// An error that is not the flag package's is bad usage all the same.
	if got := explainFlagError(ctx, other); !errors.Is(got, other) || !isFlagError(got) || got.Error() != other.Error() {
		t.Errorf("got %v (%T), want the error as a *flagError", got, got)
	}
}

func TestUnknownCommand(t *testing.T) {
	app := realApp(t)
	for typed, want := range map[string]string{
		"diagnos":  `unknown command "diagnos"; did you mean diagnose?`,
		"daignose": `unknown command "daignose"; did you mean diagnose?`,
		"Diagnose": `unknown command "Diagnose"; did you mean diagnose?`,
		"chek":     `unknown command "chek"; did you mean check?`,
		"simulat":  `unknown command "simulat"; did you mean simulate?`,
		"snapshto": `unknown command "snapshto"; did you mean snapshot?`,
		"snap":     `unknown command "snap"; did you mean snapshot?`,
		"sim":      `unknown command "sim"; did you mean simulate?`,
		"deploy":   `unknown command "deploy"; run 'lambda-doctor --help'`,
		"x":        `unknown command "x"; run 'lambda-doctor --help'`,
	} {
		if got := unknownCommand(app, typed); got != want {
			t.Errorf("%s:\n got %q\nwant %q", typed, got, want)
		}
	}
	// help is suggested only when it is a command, and never for itself.
	want := `unknown command "hepl"; run 'lambda-doctor --help'`
	if app.Command("help") != nil {
		want = `unknown command "hepl"; did you mean help?`
	}
	if got := unknownCommand(app, "hepl"); got != want {
		t.Errorf("hepl:\n got %q\nwant %q", got, want)
	}
	if got := unknownCommand(app, "help"); strings.Contains(got, "did you mean") {
		t.Errorf("help: %q suggests something", got)
	}
}

func TestClosestNames(t *testing.T) {
	names := []string{"function", "function-url", "fail-on", "f"}
	tests := []struct {
		typed string
		want  []string
	}{
		{"functon", []string{"function"}},
		{"functio", []string{"function"}},
		{"func", []string{"function", "function-url"}},
		{"fu", nil}, // too short for a prefix
		{"g", nil},  // one letter: no guess
		{"failon", []string{"fail-on"}},
	}
	for _, tt := range tests {
		if got := closestNames(tt.typed, names); !slices.Equal(got, tt.want) {
			t.Errorf("closestNames(%q) = %q, want %q", tt.typed, got, tt.want)
		}
	}
}
