package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "(not yet implemented)",
		Action: func(c *cli.Context) error {
			return errors.New("check is not implemented yet")
		},
	}
}
