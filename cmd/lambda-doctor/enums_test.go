package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/checks"
	"github.com/lambda-doctor/lambda-doctor/diagnose"
)

// TestEnumsNameRealFlags: every enumerated flag is a flag of its command
// that takes a value, its default is one of its values, and the command's
// usage text lists the same values (so help cannot drift from them).
func TestEnumsNameRealFlags(t *testing.T) {
	app := realApp(t)
	for cmdName, flags := range flagEnums {
		cmd := app.Command(cmdName)
		if cmd == nil {
			t.Errorf("flagEnums names command %s, which the app does not have", cmdName)
			continue
		}
		for name, e := range flags {
			f := findFlag(cmd, name)
			if f == nil {
				t.Errorf("%s: flagEnums names --%s, which it does not have", cmdName, name)
				continue
			}
			d, ok := f.(cli.DocGenerationFlag)
			if !ok || !d.TakesValue() {
				t.Errorf("%s --%s takes no value", cmdName, name)
				continue
			}
			if def := d.GetValue(); def != "" && !slices.Contains(e.values, def) {
				t.Errorf("%s --%s: default %q is not one of %s", cmdName, name, def, e)
			}
			for _, v := range e.values {
				if !strings.Contains(d.GetUsage(), v) && e.what == "" {
					t.Errorf("%s --%s: usage %q does not name %s", cmdName, name, d.GetUsage(), v)
				}
			}
		}
	}
}

// TestEnumSources: the lists are those of the packages that own them.
func TestEnumSources(t *testing.T) {
	if !slices.Equal(symptoms.values, diagnose.Symptoms) {
		t.Errorf("symptoms %q, want %q", symptoms.values, diagnose.Symptoms)
	}
	for _, v := range failOnLevel.values {
		if _, err := checks.ParseSeverity(v); err != nil {
			t.Errorf("--fail-on %s: %v", v, err)
		}
	}
	if len(failOnLevel.values) != 5 {
		t.Errorf("severities %q, want low to critical and none", failOnLevel.values)
	}
	if len(ruleIDs.values) != len(checks.Rules()) {
		t.Errorf("%d rule ids, want %d", len(ruleIDs.values), len(checks.Rules()))
	}
	for _, id := range ruleIDs.values {
		if _, ok := checks.RuleByID(id); !ok {
			t.Errorf("rule id %s unknown to checks", id)
		}
	}
}

// runEnums runs the real app with checkEnums before each command, as
// newApp's commands do once wired, with actions that record what they
// read instead of doing the work.
func runEnums(t *testing.T, args ...string) (map[string]any, error) {
	t.Helper()
	app := realApp(t)
	got := map[string]any{}
	for _, c := range app.Commands {
		if c.Name == "help" {
			continue // urfave/cli's one help command, shared by every app
		}
		c.Before = checkEnums
		c.Action = func(c *cli.Context) error {
			for _, n := range []string{"output", "symptom", "fix-format", "fail-on"} {
				if c.IsSet(n) {
					got[n] = c.String(n)
				}
			}
			if c.IsSet("ignore") {
				got["ignore"] = c.StringSlice("ignore")
			}
			return nil
		}
	}
	err := app.Run(append([]string{"lambda-doctor"}, args...))
	return got, err
}

func TestCheckEnums(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
		read    map[string]any
	}{
		{[]string{"diagnose", "--output", "json"}, "", map[string]any{"output": "json"}},
		{[]string{"diagnose", "-o", "MD"}, "", map[string]any{"output": "markdown"}},
		{[]string{"diagnose", "--symptom", "No-Logs"}, "", map[string]any{"symptom": "no-logs"}},
		{[]string{"diagnose", "--fix-format", "terraform"}, "", map[string]any{"fix-format": "terraform"}},
		{[]string{"check", "--fail-on", "HIGH"}, "", map[string]any{"fail-on": "high"}},
		{[]string{"check", "--ignore", "LD104,ld101", "--ignore", "LD105"}, "", map[string]any{"ignore": []string{"LD104", "ld101", "LD105"}}},
		{[]string{"diagnose"}, "", map[string]any{}},
		{[]string{"diagnose", "--output", "yaml"}, `--output "yaml": want text, json or markdown`, nil},
		{[]string{"diagnose", "--output", "jsn"}, `--output "jsn": want text, json or markdown; did you mean json?`, nil},
		{[]string{"diagnose", "--output", "sarif"}, `--output "sarif": want text, json or markdown`, nil},
		{[]string{"check", "--output", "sarf"}, `--output "sarf": want text, json, sarif or junit; did you mean sarif?`, nil},
		{[]string{"simulate", "--output", "markdown"}, `--output "markdown": want text or json`, nil},
		{[]string{"diagnose", "--symptom", "invoke-denid"}, `--symptom "invoke-denid": want auto, invoke-denied, access-denied, no-logs or role-assume; did you mean invoke-denied?`, nil},
		{[]string{"diagnose", "--fix-format", "cfn"}, `--fix-format "cfn": want cli, cloudformation, sam or terraform`, nil},
		{[]string{"diagnose", "--fix-format", "cloud"}, `--fix-format "cloud": want cli, cloudformation, sam or terraform; did you mean cloudformation?`, nil},
		{[]string{"check", "--fail-on", "hihg"}, `--fail-on "hihg": want low, medium, high, critical or none; did you mean high?`, nil},
		{[]string{"check", "--ignore", "LD104,LD1044"}, `--ignore "LD1044": want a rule id, ` + ruleIDs.values[0] + ` to ` + ruleIDs.values[len(ruleIDs.values)-1] + `; did you mean LD104?`, nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			read, err := runEnums(t, tt.args...)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr || !isFlagError(err) {
					t.Fatalf("error %v, want usage error %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			for k, v := range tt.read {
				if !equalAny(read[k], v) {
					t.Errorf("command read --%s %v, want %v", k, read[k], v)
				}
			}
		})
	}
}

func equalAny(a, b any) bool {
	as, aok := a.([]string)
	bs, bok := b.([]string)
	if aok && bok {
		return slices.Equal(as, bs)
	}
	return a == b
}
