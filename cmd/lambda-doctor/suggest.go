package main

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/internal/suggest"
)

// The errors of the flag package (and so of urfave/cli), which name every
// flag with one dash.
var (
	reUndefined  = regexp.MustCompile(`^flag provided but not defined: -+(.+)$`)
	reNeedsValue = regexp.MustCompile(`^flag needs an argument: -+(.+)$`)
	reBadValue   = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]+): (.*)$`)
)

// explainFlagError rewrites an error of flag parsing for the command of c
// (the app itself when no command was named) as a *flagError (exit 2): an
// unknown flag gets a suggestion, and every flag its real dashes. Other
// errors are wrapped as they are. OnUsageError of the app and of each
// command calls it.
func explainFlagError(c *cli.Context, err error) error {
	if err == nil {
		return nil
	}
	cmd, app := c.Command, c.App
	msg := err.Error()
	if m := reUndefined.FindStringSubmatch(msg); m != nil {
		return &flagError{err: errors.New(unknownFlag(app, cmd, m[1]))}
	}
	if m := reNeedsValue.FindStringSubmatch(msg); m != nil {
		s := dashed(m[1]) + " needs a value"
		if f := findFlag(cmd, m[1]); f != nil {
			if p := placeholder(f); p != "" {
				s += ": " + dashed(m[1]) + " " + p
			}
		}
		return &flagError{err: errors.New(s)}
	}
	if m := reBadValue.FindStringSubmatch(msg); m != nil {
		value, name := m[1], m[2]
		want := m[3]
		switch findFlag(cmd, name).(type) {
		case *cli.IntFlag, *cli.Int64Flag, *cli.UintFlag, *cli.Uint64Flag:
			want = "a whole number"
		case *cli.DurationFlag:
			want = "a duration such as 90s, 30m or 48h"
		case *cli.BoolFlag:
			want = "true or false"
		case *cli.Float64Flag:
			want = "a number"
		}
		return &flagError{err: fmt.Errorf("%s %q: want %s", dashed(name), value, want)}
	}
	var fe *flagError
	if errors.As(err, &fe) {
		return err
	}
	return &flagError{err: err}
}

// unknownFlag is the message for a flag the command does not have.
func unknownFlag(app *cli.App, cmd *cli.Command, typed string) string {
	where := ""
	if cmd != nil && !isRoot(app, cmd) {
		where = " for " + cmd.Name
	}
	msg := "unknown flag " + dashed(typed) + where
	var names []string
	if cmd != nil {
		names = flagNames(cmd.Flags, cmd.HideHelp)
	} else {
		names = flagNames(app.Flags, app.HideHelp)
	}
	if s := closestNames(typed, names); len(s) > 0 {
		var d []string
		for _, n := range s {
			d = append(d, dashed(n))
		}
		return msg + "; did you mean " + orList(d) + "?"
	}
	// A flag of other commands: say which, and where it goes.
	var owners []string
	for _, other := range app.Commands {
		if other.Hidden || (cmd != nil && other.Name == cmd.Name) {
			continue
		}
		if slices.Contains(flagNames(other.Flags, true), typed) {
			owners = append(owners, other.Name)
		}
	}
	switch {
	case len(owners) > 0 && where == "":
		return fmt.Sprintf("%s; it is a flag of %s: put it after the command", msg, orList(owners))
	case len(owners) == 1:
		return fmt.Sprintf("%s; %s has it", msg, owners[0])
	case len(owners) > 1:
		return fmt.Sprintf("%s; %s have it", msg, andList(owners))
	}
	return msg // the hint beside a flagError names --help
}

// unknownCommand is the message for a command name the app does not have:
// `unknown command "diagnos"; did you mean diagnose?`. The app's
// CommandNotFound prints it.
func unknownCommand(app *cli.App, name string) string {
	var names []string
	for _, c := range app.Commands {
		if !c.Hidden && !c.HasName(name) {
			names = append(names, c.Names()...)
		}
	}
	msg := fmt.Sprintf("unknown command %q", name)
	if s := closestNames(name, names); len(s) > 0 {
		return msg + "; did you mean " + orList(s) + "?"
	}
	return msg + "; run '" + app.Name + " --help'"
}

// closestNames returns the names nearest to typed, case aside: those one
// slip away; else those typed begins, when there are at most three (--source:
// --source-arn or --source-account); else those within suggest.Threshold.
// A word shorter than three letters gets no guess but its other case.
func closestNames(typed string, names []string) []string {
	max := suggest.Threshold(len([]rune(typed)))
	if s := suggest.Closest(typed, names, min(1, max), strings.ToLower); len(s) > 0 {
		return s
	}
	var prefixed []string
	if len([]rune(typed)) >= 3 {
		for _, n := range names {
			if strings.HasPrefix(strings.ToLower(n), strings.ToLower(typed)) && !slices.Contains(prefixed, n) {
				prefixed = append(prefixed, n)
			}
		}
	}
	if len(prefixed) > 0 && len(prefixed) <= 3 {
		return prefixed
	}
	return suggest.Closest(typed, names, max, strings.ToLower)
}

// flagNames are the names and aliases of the visible flags, with help's
// unless it is hidden.
func flagNames(flags []cli.Flag, hideHelp bool) []string {
	var out []string
	for _, f := range flags {
		if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
			continue
		}
		for _, n := range f.Names() {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	if !hideHelp && cli.HelpFlag != nil {
		for _, n := range cli.HelpFlag.Names() {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

func findFlag(cmd *cli.Command, name string) cli.Flag {
	if cmd == nil {
		return nil
	}
	for _, f := range cmd.Flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

// placeholder is the `NAME` a flag's usage puts in back quotes, if any.
func placeholder(f cli.Flag) string {
	d, ok := f.(cli.DocGenerationFlag)
	if !ok {
		return ""
	}
	u := d.GetUsage()
	i := strings.IndexByte(u, '`')
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(u[i+1:], '`')
	if j < 0 {
		return ""
	}
	return u[i+1 : i+1+j]
}

func isRoot(app *cli.App, cmd *cli.Command) bool {
	return cmd.Name == app.Name || cmd.Name == ""
}

// andList joins words as "a", "a and b", "a, b and c".
func andList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
