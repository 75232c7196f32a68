package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/internal/version"
)

// The app's --version flag (urfave/cli's, without its -v alias, which
// check uses for --verbose) prints the same line as the version command.
func init() {
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version and exit"}
	cli.VersionPrinter = func(c *cli.Context) { fmt.Fprintln(c.App.Writer, version.Get()) }
}

// versionCommand prints the version line, as gh version does:
//
//	lambda-doctor 1.2.3 (commit abc1234, 2026-12-04, go1.26.8)
func versionCommand() *cli.Command {
	return &cli.Command{
		Name:      "version",
		Usage:     "print the version, commit and Go version",
		UsageText: "lambda-doctor version",
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErrorf("version takes no arguments, got %q", c.Args().First())
			}
			_, err := fmt.Fprintln(c.App.Writer, version.Get())
			return err
		},
	}
}
