package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/checks"
	"github.com/lambda-doctor/lambda-doctor/diagnose"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
)

// An enum is the closed set of values a flag (or a command's argument)
// accepts. The one list checks the flag before the command runs
// (checkEnums) and is what shell completion offers, so the two cannot
// disagree.
type enum struct {
	values  []string          // accepted and offered, in the order help lists them
	aliases map[string]string // also accepted, never offered: alias → value
	list    bool              // a value may be a comma-separated list (--ignore LD101,LD104)
	what    string            // what a value is, said instead of a long list ("a rule id")
	// passThrough leaves a value outside the list to the command, which
	// reads it in a deprecated form (snapshot -o FILE).
	passThrough bool
}

// String lists the values for help and errors: "text, json or markdown",
// or for a long list "a rule id, LD001 to LD203".
func (e enum) String() string {
	if e.what != "" && len(e.values) > 8 {
		return fmt.Sprintf("%s, %s to %s", e.what, e.values[0], e.values[len(e.values)-1])
	}
	return orList(e.values)
}

// match returns the value v names: itself, an alias's value, or one that
// differs only in case.
func (e enum) match(v string) (string, bool) {
	for _, x := range e.values {
		if strings.EqualFold(v, x) {
			return x, true
		}
	}
	for a, x := range e.aliases {
		if strings.EqualFold(v, a) {
			return x, true
		}
	}
	return "", false
}

// Values of the enumerations, from the packages that own them.
var (
	shells     = enum{values: []string{"bash", "zsh", "fish", "powershell"}}
	fixFormats = func() enum {
		var v []string
		for _, f := range fix.Formats {
			v = append(v, string(f))
		}
		return enum{values: v}
	}()
	symptoms    = enum{values: diagnose.Symptoms}
	failOnLevel = func() enum {
		var v []string
		for s := checks.Low; s <= checks.Critical; s++ {
			v = append(v, s.String())
		}
		return enum{values: append(v, checks.SeverityNone.String())}
	}()
	ruleIDs = func() enum {
		var v []string
		for _, r := range checks.Rules() {
			v = append(v, r.ID)
		}
		return enum{values: v, list: true, what: "a rule id"}
	}()
)

// flagEnums are the enumerated flags of each command, by command name and
// flag name.
var flagEnums = map[string]map[string]enum{
	"diagnose": {
		"symptom":    symptoms,
		"output":     {values: []string{"text", "json", "markdown"}, aliases: map[string]string{"md": "markdown"}},
		"fix-format": fixFormats,
	},
	"check": {
		"output":  {values: []string{"text", "json", "sarif", "junit"}},
		"fail-on": failOnLevel,
		"ignore":  ruleIDs,
	},
	"simulate": {
		"output": {values: []string{"text", "json"}},
	},
	"snapshot": {
		"output": snapshotFormats,
	},
}

// argEnums are the enumerated arguments of each command, by command name.
var argEnums = map[string]enum{
	"completion": shells,
}

// flagValueError is a value outside its enumeration, bad usage (exit 2)
// inside a *flagError.
type flagValueError struct {
	flag  string // as typed: --output, or the command of an argument
	value string
	enum  enum
}

func (e *flagValueError) Error() string {
	msg := fmt.Sprintf("%s %q: want %s", e.flag, e.value, e.enum)
	if s := closestNames(e.value, e.enum.values); len(s) > 0 {
		msg += "; did you mean " + orList(s) + "?"
	}
	return msg
}

// checkEnums checks the enumerated flags the command line set, as a
// command's Before hook: a value outside its enum is a *flagError holding a
// *flagValueError. A
// value in another case or an alias is replaced by the value itself, so
// the command reads "markdown" for --output MD.
func checkEnums(c *cli.Context) error {
	if c.Command == nil {
		return nil
	}
	for name, e := range flagEnums[c.Command.Name] {
		if !c.IsSet(name) {
			continue
		}
		if e.list || isSlice(c, name) {
			for _, v := range c.StringSlice(name) {
				parts := []string{v}
				if e.list {
					parts = strings.Split(v, ",")
				}
				for _, p := range parts {
					if _, ok := e.match(strings.TrimSpace(p)); !ok {
						return &flagError{err: &flagValueError{flag: dashed(name), value: p, enum: e}}
					}
				}
			}
			continue
		}
		v := c.String(name)
		m, ok := e.match(v)
		if !ok && e.passThrough {
			continue
		}
		if !ok {
			return &flagError{err: &flagValueError{flag: dashed(name), value: v, enum: e}}
		}
		if m != v {
			if err := c.Set(name, m); err != nil {
				return fmt.Errorf("set %s: %w", dashed(name), err)
			}
		}
	}
	return nil
}

// isSlice reports whether the command's flag name takes several values.
func isSlice(c *cli.Context, name string) bool {
	for _, f := range c.Command.Flags {
		if slices.Contains(f.Names(), name) {
			_, ok := f.(*cli.StringSliceFlag)
			return ok
		}
	}
	return false
}

// dashed is a flag name as typed: -f, --function.
func dashed(name string) string {
	if len([]rune(name)) == 1 {
		return "-" + name
	}
	return "--" + name
}

// orList joins words as "a", "a or b", "a, b or c".
func orList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
