package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// sourceFlags are the flags every command that reads an account takes
// (shared/contract.md, "Where the account comes from").
func sourceFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "profile", Usage: "AWS profile, as in the aws CLI", EnvVars: []string{"AWS_PROFILE"}},
		&cli.StringFlag{Name: "region", Usage: "AWS region, as in the aws CLI"},
		&cli.StringFlag{Name: "snapshot", Usage: "read an offline account snapshot `FILE` instead of a live account"},
	}
}

// openSource opens the account the source flags name.
func openSource(c *cli.Context) (account.Source, error) {
	return nil, errors.New("account sources are not implemented yet")
}
