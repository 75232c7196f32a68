package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
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
		&cli.StringSliceFlag{Name: "discovery-limit", Usage: discoveryLimitUsage()},
		// A string flag, so that help shows no default for a deprecated alias.
		&cli.StringFlag{Name: "max-buckets", Usage: "deprecated: the same as --discovery-limit s3=`N`"},
		&cli.Int64Flag{Name: "max-snapshot-size", Value: account.MaxSnapshotSize, Usage: "largest snapshot file read with --snapshot, in `BYTES`"},
	}
}

// discoveryLimitUsage is the help of --discovery-limit: every kind the
// live reader discovers, its default and what it counts (live.LimitKinds).
func discoveryLimitUsage() string {
	kinds := make([]string, 0, len(live.LimitKinds))
	for k := range live.LimitKinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b strings.Builder
	b.WriteString("live account: read at most N items of one kind's region-wide listing when looking for what invokes a function, as `KIND=N` (repeatable or comma-separated; 0 turns the kind off; the output names every listing cut or turned off). Kinds, with their defaults:")
	for _, k := range kinds {
		fmt.Fprintf(&b, "\n\t%s=%d: %s", k, live.DefaultLimits[k], live.LimitKinds[k])
	}
	return b.String()
}

// sourceOptions say where the account comes from: a snapshot file, else
// the live account through the standard AWS configuration chain.
type sourceOptions struct {
	Profile, Region string
	Snapshot        string
	MaxSnapshot     int64       // --max-snapshot-size
	Limits          live.Limits // live: discovery limits given (--discovery-limit, --max-buckets)
	Concurrency     int         // live: functions read at once (the command's --concurrency)
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
	o.Limits = live.Limits{}
	if o.Snapshot != "" && c.IsSet("discovery-limit") {
		return o, usageErrorf("--snapshot reads a file: --discovery-limit applies only to a live account")
	}
	for _, v := range c.StringSlice("discovery-limit") {
		l, err := live.ParseLimits(v)
		if err != nil {
			return o, usageErrorf("--discovery-limit: %v", err)
		}
		for k, n := range l {
			o.Limits[k] = n
		}
	}
	if c.IsSet("max-buckets") {
		n, err := strconv.Atoi(c.String("max-buckets"))
		if err != nil || n < 0 {
			return o, usageErrorf("--max-buckets must be a whole number, 0 or more, got %q", c.String("max-buckets"))
		}
		if _, set := o.Limits["s3"]; set {
			return o, usageErrorf("--max-buckets and --discovery-limit s3=N say the same thing: give only --discovery-limit")
		}
		o.Limits["s3"] = n
		fmt.Fprintf(ioFrom(c).err, "lambda-doctor: --max-buckets is deprecated: use --discovery-limit s3=%d\n", n)
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
	opts := live.Options{Profile: o.Profile, Region: o.Region, Concurrency: o.Concurrency, LogWindow: o.LogWindow, Limits: o.Limits}
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
