package main

import (
	"os"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/account/live"
)

// sourceFlags are the flags every command that reads an account takes
// (shared/contract.md, "Where the account comes from").
func sourceFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "profile", Usage: "AWS profile, as in the aws CLI", EnvVars: []string{"AWS_PROFILE"}},
		&cli.StringFlag{Name: "region", Usage: "AWS region, as in the aws CLI"},
		&cli.StringFlag{Name: "snapshot", Usage: "read an offline account snapshot `FILE` instead of a live account"},
		&cli.IntFlag{Name: "max-buckets", Value: 500, Usage: "live account: look for S3 triggers in at most `N` buckets of the region (0: do not look)"},
	}
}

// openSource opens the account the source flags name: the snapshot file
// given with --snapshot, else the live account through the standard AWS
// configuration chain. Its errors map to exit codes: *account.InputError
// (2), *account.AccessError and account.ErrNotFound (3).
func openSource(c *cli.Context) (account.Source, error) {
	if path := c.String("snapshot"); path != "" {
		if c.IsSet("region") || (c.String("profile") != "" && c.String("profile") != os.Getenv("AWS_PROFILE")) {
			return nil, usageErrorf("--snapshot reads a file: --profile and --region apply only to a live account")
		}
		return account.LoadSnapshot(path)
	}
	l, err := openLive(c)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// openLive opens the live account. A command's --concurrency flag, if it
// has one, bounds how many functions are read at once.
func openLive(c *cli.Context) (*live.Reader, error) {
	opts := live.Options{
		Profile:     c.String("profile"),
		Region:      c.String("region"),
		Concurrency: c.Int("concurrency"),
	}
	if c.IsSet("log-window") {
		opts.LogWindow = c.Duration("log-window")
		if opts.LogWindow == 0 {
			opts.LogWindow = -1 // 0 on the command line: do not search logs
		}
	}
	switch n := c.Int("max-buckets"); {
	case n < 0:
		return nil, usageErrorf("--max-buckets must be 0 or more, got %d", n)
	case n == 0:
		opts.MaxBuckets = -1 // do not read S3 notifications
	default:
		opts.MaxBuckets = n
	}
	if s := ioFrom(c); s.errTTY {
		opts.Progress = s.err
	}
	return live.New(c.Context, opts)
}
