package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

func snapshotCommand() *cli.Command {
	return &cli.Command{
		Name:  "snapshot",
		Usage: "(not yet implemented)",
		Action: func(c *cli.Context) error {
			return errors.New("snapshot is not implemented yet")
		},
	}
}
