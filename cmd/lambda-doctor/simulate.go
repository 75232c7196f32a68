package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func simulateCommand() *cli.Command {
	return &cli.Command{
		Name:  "simulate",
		Usage: "(not yet implemented)",
		Action: func(c *cli.Context) error {
			return errors.New("simulate is not implemented yet")
		},
	}
}
