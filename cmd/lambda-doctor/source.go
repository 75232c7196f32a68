package main

import (
	"errors"
	"os"

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

// openSource opens the account the source flags name: the snapshot file
// given with --snapshot, else the live account. Its errors map to exit
// codes: *account.InputError (2), *account.AccessError and
// account.ErrNotFound (3).
func openSource(c *cli.Context) (account.Source, error) {
	if path := c.String("snapshot"); path != "" {
		if c.IsSet("region") || (c.String("profile") != "" && c.String("profile") != os.Getenv("AWS_PROFILE")) {
			return nil, usageErrorf("--snapshot reads a file: --profile and --region apply only to a live account")
		}
		return account.LoadSnapshot(path)
	}
	return openLive(c)
}

func openLive(c *cli.Context) (account.Source, error) {
	return nil, errors.New("the live account reader is not implemented yet; use --snapshot FILE")
}
