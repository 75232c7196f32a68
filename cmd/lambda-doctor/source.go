package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
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
// (docs/contract.md, "Where the account comes from"). The environment
// variables are the AWS CLI's and the SDK's, shown in help; a value given
// on the command line wins.
func sourceFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "profile", Usage: "AWS `PROFILE` of the shared config files, as in the aws CLI", EnvVars: []string{"AWS_PROFILE"}, Category: accountCategory},
		&cli.StringFlag{Name: "region", Usage: "AWS `REGION` to read, as in the aws CLI (default: the profile's)", EnvVars: []string{"AWS_REGION", "AWS_DEFAULT_REGION"}, Category: accountCategory},
		&cli.StringFlag{Name: "snapshot", Usage: "read an offline account snapshot `FILE` instead of a live account", Category: accountCategory},
		&cli.Int64Flag{Name: "max-snapshot-size", Value: account.MaxSnapshotSize, Usage: "largest snapshot file read with --snapshot, in `BYTES`", Category: accountCategory},
	}
}

// triggerFlags are the source flags of commands that judge a function's
// invokers, which the live reader discovers around the function. A command
// without them (simulate) turns discovery off.
func triggerFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "discovery-limit", Usage: discoveryLimitUsage(), Category: accountCategory},
		// Deprecated, so not shown; a string flag, so that it has no default.
		&cli.StringFlag{Name: "max-buckets", Usage: "deprecated: the same as --discovery-limit s3=`N`", Hidden: true, Category: accountCategory},
	}
}

// discoveryLimitUsage is the help of --discovery-limit: every kind the
// live reader discovers, its default and what it counts (live.LimitKinds),
// one a line.
func discoveryLimitUsage() string {
	kinds := make([]string, 0, len(live.LimitKinds))
	for k := range live.LimitKinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var b strings.Builder
	b.WriteString("live account: read at most N items of one kind's region-wide listing when looking for what invokes a function, as `KIND=N` (repeatable or comma-separated; 0 turns the kind off; the output names every listing cut or turned off). Kinds, with their defaults:")
	for _, k := range kinds {
		fmt.Fprintf(&b, "\n- %s=%d: %s", k, live.DefaultLimits[k], live.LimitKinds[k])
	}
	return b.String()
}

// fromCommandLine reports whether flag name was given on the command line
// (not only by its environment variable).
func fromCommandLine(c *cli.Context, name string) bool {
	if !c.IsSet(name) {
		return false
	}
	for _, f := range c.Command.Flags {
		if slices.Contains(f.Names(), name) {
			if ev, ok := f.(interface{ GetEnvVars() []string }); ok {
				for _, e := range ev.GetEnvVars() {
					if v, set := os.LookupEnv(e); set && v == c.String(name) {
						return false
					}
				}
			}
		}
	}
	return true
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
	if o.Snapshot == "" && c.IsSet("max-snapshot-size") {
		// A flag that is given is used or is an error.
		return o, usageErrorf("--max-snapshot-size bounds the --snapshot FILE read; a live account reads no file: give --snapshot FILE, or drop --max-snapshot-size")
	}
	if o.Snapshot != "" && (fromCommandLine(c, "region") || fromCommandLine(c, "profile")) {
		return o, usageErrorf("--snapshot reads a file: --profile and --region apply only to a live account")
	}
	if o.Region != "" {
		if _, err := validate.Region(o.Region); err != nil {
			return o, badInput(fmt.Errorf("--region: %w", err))
		}
	}
	if c.IsSet("since") {
		if o.Snapshot != "" {
			return o, usageErrorf("--since searches a live account's logs; a snapshot holds the denial lines read when it was taken (lambda-doctor snapshot --since)")
		}
		d, err := parseSince(c.String("since"))
		if err != nil {
			return o, usageErrorf("--since %q: %v", c.String("since"), err)
		}
		o.LogWindow = d
		if o.LogWindow == 0 {
			o.LogWindow = -1 // 0 on the command line: do not search logs
		}
	}
	o.Limits = live.Limits{}
	if !slices.ContainsFunc(c.Command.Flags, func(f cli.Flag) bool { return slices.Contains(f.Names(), "discovery-limit") }) {
		// A command that judges no invoker: discover none.
		for k := range live.LimitKinds {
			o.Limits[k] = 0
		}
		return o, nil
	}
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
		opts.Progress = s.io.ErrOut // redrawn with \r: not through the wrapping of messages
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

// maxSince bounds --since: CloudWatch Logs keeps events for at most ten
// years, and a search that far back reads every page of the function's
// logs.
const maxSince = 10 * 365 * 24 * time.Hour

// parseSince reads how far back to search the logs: a Go duration (90m,
// 36h, 1h30m) or whole days and weeks (7d, 2w, 1w3d); 0 turns the search
// off.
func parseSince(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	const want = "want a duration such as 90m, 36h, 7d or 2w"
	if s == "" {
		return 0, errors.New(want)
	}
	if s == "0" {
		return 0, nil
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
		if i <= 0 {
			break
		}
		unit := rest[i]
		if unit != 'd' && unit != 'w' {
			break
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > int(maxSince/(24*time.Hour)) {
			return 0, fmt.Errorf("%s, at most 10 years", want)
		}
		day := 24 * time.Hour
		if unit == 'w' {
			day *= 7
		}
		total += time.Duration(n) * day
		rest = rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return 0, errors.New(want)
		}
		total += d
	}
	if total > maxSince || total < 0 {
		return 0, fmt.Errorf("%s, at most 10 years", want)
	}
	return total, nil
}
