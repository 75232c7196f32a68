package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func diagnoseCommand() *cli.Command {
	return &cli.Command{
		Name:  "diagnose",
		Usage: "(not yet implemented)",
		Action: func(c *cli.Context) error {
			return errors.New("diagnose is not implemented yet")
		},
	}
}
