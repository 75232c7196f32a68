package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/account/live"
	"github.com/lambda-doctor/lambda-doctor/internal/term"
	"github.com/lambda-doctor/lambda-doctor/internal/validate"
	"github.com/lambda-doctor/lambda-doctor/internal/version"
)

// snapshotOptions are what `lambda-doctor snapshot` was told.
type snapshotOptions struct {
	Source    sourceOptions
	Functions []string
	All       bool
	File      string // where the snapshot goes: a file, or "-" for stdout
}

// snapshotFormats are the formats of --output: a snapshot is JSON.
var snapshotFormats = enum{values: []string{"json"}, passThrough: true}

// snapshotCommand is `lambda-doctor snapshot`; runF, when set, gets the
// options instead of runSnapshot (tests of flag parsing).
func snapshotCommand(runF func(context.Context, *streams, *snapshotOptions) error) *cli.Command {
	return &cli.Command{
		Name:  "snapshot",
		Usage: "write an offline snapshot of functions' doors, to attach to a ticket or read later with --snapshot",
		UsageText: "lambda-doctor snapshot (--function NAME|ARN ... | --all) [--file FILE] [--output json] [--since DURATION] " +
			"[--concurrency N] [--profile PROFILE] [--region REGION] [--snapshot FILE] [--max-snapshot-size BYTES] [--discovery-limit KIND=N ...]",
		Description: "Reads what diagnose and check read about the functions (configuration, resource policies, " +
			"triggers, the execution role with every policy document, log groups and recent denial lines, and what " +
			"could not be read) and writes it as one JSON document, which --snapshot reads anywhere, offline. " +
			"Environment variable values and code are never written. It only reads the account.\n\n" +
			"Exit codes: 0 written, 2 bad usage or input, 3 the account could not be read.",
		Flags: append(append([]cli.Flag{
			&cli.StringSliceFlag{Name: "function", Aliases: []string{"f"}, Usage: "function `NAME` or ARN (repeatable)"},
			&cli.BoolFlag{Name: "all", Usage: "every function of the account and region"},
			&cli.StringFlag{Name: "file", Usage: "write the snapshot to `FILE`, replaced only once complete (default: standard output)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output `FORMAT`: json (-o FILE, the old form, still writes FILE)"},
			&cli.IntFlag{Name: "concurrency", Usage: "read at most `N` functions at once (--all)", Value: 8},
			&cli.StringFlag{Name: "since", Aliases: []string{"log-window"}, Value: "24h", Usage: "search the functions' logs this far back for access denials: a `DURATION` such as 90m, 36h or 7d (0: do not search)"},
		}, sourceFlags()...), triggerFlags()...),
		Action: action(snapshotOptionsFrom, runSnapshot, runF),
	}
}

// snapshotOptionsFrom reads and checks the flags. -o FILE, the form of
// earlier versions, still names the file, with a note on stderr.
func snapshotOptionsFrom(c *cli.Context) (*snapshotOptions, error) {
	o := &snapshotOptions{Functions: c.StringSlice("function"), All: c.Bool("all"), File: "-"}
	if c.IsSet("file") {
		o.File = c.String("file")
		if o.File == "" {
			return nil, usageErrorf("--file is empty: name the snapshot file, or leave --file out for standard output")
		}
	}
	if v := c.String("output"); c.IsSet("output") {
		if _, ok := snapshotFormats.match(v); !ok {
			if c.IsSet("file") {
				return nil, usageErrorf("-o %q: want json (-o names the output format; the file is --file %s)", v, o.File)
			}
			o.File = v
			if v == "-" {
				fmt.Fprintln(ioFrom(c).err, "lambda-doctor: -o - is deprecated: the snapshot goes to standard output unless --file names a file")
			} else {
				fmt.Fprintf(ioFrom(c).err, "lambda-doctor: -o FILE is deprecated: -o is the output format in every command; write --file %s\n", term.Line(v))
			}
		}
	}
	switch {
	case c.Args().Len() > 0:
		return nil, usageErrorf("snapshot takes no arguments (got %q); name functions with --function", c.Args().First())
	case o.All && len(o.Functions) > 0:
		return nil, usageErrorf("give --function or --all, not both")
	case !o.All && len(o.Functions) == 0:
		return nil, usageErrorf("give --function NAME or --all")
	case c.Int("concurrency") < 1:
		return nil, usageErrorf("--concurrency must be at least 1")
	}
	for _, f := range o.Functions {
		if _, err := validate.FunctionName(f); err != nil {
			return nil, badInput(fmt.Errorf("--function: %w", err))
		}
	}
	var err error
	if o.Source, err = sourceOptionsFrom(c); err != nil {
		return nil, err
	}
	return o, nil
}

// runSnapshot reads the functions and writes the snapshot.
func runSnapshot(ctx context.Context, s *streams, o *snapshotOptions) error {
	src, err := o.Source.open(ctx, s)
	if err != nil {
		return err
	}
	origin := account.Origin{}
	var org *account.Org
	switch v := src.(type) {
	case *live.Reader:
		origin = v.Origin()
	case *account.SnapshotSource:
		origin, org = v.Snapshot().Source, v.Snapshot().Org
	}
	origin.WrittenBy = version.Get().String()

	// Functions named one by one are read before the snapshot is opened, so
	// that its source can name their region (an ARN of another region is
	// read there); --all on a live account streams them into it.
	lr, streaming := src.(*live.Reader)
	streaming = streaming && o.All
	var fns []*account.Function
	if !streaming {
		names := o.Functions
		if o.All {
			if names, err = src.FunctionNames(ctx); err != nil {
				return fmt.Errorf("list functions: %w", err)
			}
		}
		for _, name := range names {
			f, err := src.Function(ctx, name)
			if err != nil {
				return err
			}
			fns = append(fns, f)
		}
		origin.Region = functionsRegion(origin.Region, fns)
		if lr != nil {
			// The organization each function was read with is the
			// account's: the snapshot holds it once.
			org = account.NewSnapshot(origin, fns).Org
		}
	} else if org, err = lr.Org(ctx); err != nil {
		return err
	}

	out := o.File
	w, commit, cleanup, err := openOutput(out, s.out)
	if err != nil {
		return badInput(fmt.Errorf("--file %s: %w", out, err))
	}
	defer cleanup()
	sw, err := account.NewSnapshotWriter(w, origin, org, time.Time{})
	if err != nil {
		return err
	}
	n, unseen := 0, 0
	add := func(f *account.Function) error {
		n++
		unseen += len(f.Unseen)
		return sw.Add(f)
	}
	if streaming {
		err = lr.ReadAll(ctx, add)
	} else {
		for _, f := range account.NewSnapshot(origin, fns).Functions {
			if err = add(f); err != nil {
				break
			}
		}
	}
	if err != nil {
		return err
	}
	if err := sw.Close(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if err := commit(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if out != "-" {
		fmt.Fprintf(s.err, "wrote %s: %d function(s)\n", term.Line(out), n)
	}
	if unseen > 0 {
		fmt.Fprintf(s.err, "lambda-doctor: %d read(s) were refused or failed; each is listed under \"unseen\" with the permission it needs\n", unseen)
	}
	return nil
}

// functionsRegion is the region a snapshot of fns comes from: theirs when
// they are all of one region (a function given as an ARN of another region
// is read there), else the reader's.
func functionsRegion(reader string, fns []*account.Function) string {
	region := ""
	for _, f := range fns {
		switch {
		case f.Region == "":
		case region == "":
			region = f.Region
		case region != f.Region:
			return reader
		}
	}
	if region == "" {
		return reader
	}
	return region
}

// openOutput opens where the snapshot goes. A regular file (new, or
// existing, or behind a symlink) is written next to itself and renamed into
// place by commit, so that a failed read never leaves half a snapshot under
// the name asked for. Anything else (a device such as /dev/null, a pipe) is
// written in place: renaming over it would replace it.
func openOutput(out string, stdout io.Writer) (w io.Writer, commit func() error, cleanup func(), err error) {
	if out == "-" {
		// Standard output may be a terminal: what encoding/json leaves
		// raw (C1 controls, bidi overrides) is escaped too.
		jw := &term.JSONWriter{W: stdout}
		return jw, jw.Flush, func() {}, nil
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(out); err == nil {
		if !fi.Mode().IsRegular() {
			if fi.IsDir() {
				return nil, nil, nil, errors.New("is a directory")
			}
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				return nil, nil, nil, err
			}
			return f, f.Close, func() { f.Close() }, nil
		}
		mode = fi.Mode().Perm()
	}
	target := out
	if resolved, err := filepath.EvalSymlinks(out); err == nil {
		target = resolved
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*")
	if err != nil {
		return nil, nil, nil, err
	}
	cleanup = func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}
	commit = func() error {
		if err := tmp.Chmod(mode); err != nil {
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
		return os.Rename(tmp.Name(), target)
	}
	return tmp, commit, cleanup, nil
}
