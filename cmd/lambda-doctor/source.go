package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/account/live"
	"github.com/lambda-doctor/lambda-doctor/internal/validate"
)

// sourceFlags are the flags every command that reads an account takes
// (docs/contract.md, "Where the account comes from").
func sourceFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "profile", Usage: "AWS profile, as in the aws CLI", EnvVars: []string{"AWS_PROFILE"}},
		&cli.StringFlag{Name: "region", Usage: "AWS region, as in the aws CLI"},
		&cli.StringFlag{Name: "snapshot", Usage: "read an offline account snapshot `FILE` instead of a live account"},
		&cli.IntFlag{Name: "max-buckets", Value: 500, Usage: "live account: look for S3 triggers in at most `N` buckets of the region (0: do not look)"},
		&cli.Int64Flag{Name: "max-snapshot-size", Value: account.MaxSnapshotSize, Usage: "largest snapshot file read with --snapshot, in `BYTES`"},
	}
}

// sourceOptions say where the account comes from: a snapshot file, else
// the live account through the standard AWS configuration chain.
type sourceOptions struct {
	Profile, Region string
	Snapshot        string
	MaxSnapshot     int64 // --max-snapshot-size
	MaxBuckets      int   // live: S3 notification reads; -1 none
	Concurrency     int   // live: functions read at once (the command's --concurrency)
	LogWindow       time.Duration
}

// sourceOptionsFrom reads the source flags of c.
func sourceOptionsFrom(c *cli.Context) (sourceOptions, error) {
	o := sourceOptions{Profile: c.String("profile"), Region: c.String("region"), Snapshot: c.String("snapshot"),
		Concurrency: c.Int("concurrency")}
	var err error
	if o.MaxSnapshot, err = sizeFlag(c, "max-snapshot-size"); err != nil {
		return o, err
	}
	if o.Snapshot != "" && (c.IsSet("region") || (o.Profile != "" && o.Profile != os.Getenv("AWS_PROFILE"))) {
		return o, usageErrorf("--snapshot reads a file: --profile and --region apply only to a live account")
	}
	if o.Region != "" {
		if _, err := validate.Region(o.Region); err != nil {
			return o, badInput(fmt.Errorf("--region: %w", err))
		}
	}
	if c.IsSet("log-window") {
		o.LogWindow = c.Duration("log-window")
		if o.LogWindow == 0 {
			o.LogWindow = -1 // 0 on the command line: do not search logs
		}
	}
	switch n := c.Int("max-buckets"); {
	case n < 0:
		return o, usageErrorf("--max-buckets must be 0 or more, got %d", n)
	case n == 0:
		o.MaxBuckets = -1 // do not read S3 notifications
	default:
		o.MaxBuckets = n
	}
	return o, nil
}

// maxSizeFlag is the largest value a --max-*-size flag takes.
const maxSizeFlag = 1 << 30

// sizeFlag reads a --max-*-size flag: a number of bytes from 1 to 1 GiB.
func sizeFlag(c *cli.Context, name string) (int64, error) {
	n := c.Int64(name)
	if n < 1 || n > maxSizeFlag {
		return 0, usageErrorf("--%s: want a size in bytes between 1 and %d, got %d", name, int64(maxSizeFlag), n)
	}
	return n, nil
}

// open opens the account. Its errors map to exit codes: *account.InputError
// (2), *account.AccessError and account.ErrNotFound (3). The live reader
// draws its progress on stderr when it is a terminal.
func (o sourceOptions) open(ctx context.Context, s *streams) (account.Source, error) {
	if o.Snapshot != "" {
		return account.LoadSnapshotLimit(o.Snapshot, o.MaxSnapshot, "--max-snapshot-size")
	}
	opts := live.Options{Profile: o.Profile, Region: o.Region, Concurrency: o.Concurrency, LogWindow: o.LogWindow, MaxBuckets: o.MaxBuckets}
	if s.io.IsStderrTTY() {
		opts.Progress = s.err
	}
	r, err := live.New(ctx, opts)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// openSource opens the account the source flags of c name.
func openSource(c *cli.Context) (account.Source, error) {
	o, err := sourceOptionsFrom(c)
	if err != nil {
		return nil, err
	}
	return o.open(c.Context, ioFrom(c))
}
