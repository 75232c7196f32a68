//go:build unix

// Command benchtime times whole processes, interleaved so that a busy
// machine disturbs each command alike, and prints the median of each.
//
//	benchtime [-runs N] -- LABEL[:RUNS] CMD ARG... [--- LABEL[:RUNS] CMD ARG...]...
//
// Each group is a label (with its own number of runs, default N) and a
// command. Round after round, every group with runs left runs once; the
// command's output is discarded, and an exit code other than 0 or 1 (1 is a
// closed door or a failed expectation, not a failure of the tool) stops the
// bench. One line per group follows, machine-readable:
//
//	LABEL runs R wall_median_s W wall_min_s M cpu_median_s C rss_max_kb K
//
// where cpu is user+system time and rss the peak resident set size.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type group struct {
	label string
	runs  int
	argv  []string
	wall  []float64
	cpu   []float64
	rss   int64
}

func main() {
	runs := flag.Int("runs", 11, "runs per group unless LABEL:RUNS says otherwise")
	flag.Parse()
	groups, err := parseGroups(flag.Args(), *runs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtime:", err)
		fmt.Fprintln(os.Stderr, "usage: benchtime [-runs N] -- LABEL[:RUNS] CMD ARG... [--- LABEL[:RUNS] CMD ARG...]...")
		os.Exit(2)
	}
	for round := 0; ; round++ {
		ran := false
		for _, g := range groups {
			if round >= g.runs {
				continue
			}
			ran = true
			if err := g.once(); err != nil {
				fmt.Fprintf(os.Stderr, "benchtime: %s: %v\n", g.label, err)
				os.Exit(1)
			}
		}
		if !ran {
			break
		}
	}
	for _, g := range groups {
		fmt.Printf("%s runs %d wall_median_s %.4f wall_min_s %.4f cpu_median_s %.4f rss_max_kb %d\n",
			g.label, len(g.wall), median(g.wall), slices.Min(g.wall), median(g.cpu), g.rss)
	}
}

func parseGroups(args []string, runs int) ([]*group, error) {
	var groups []*group
	for len(args) > 0 {
		end := slices.Index(args, "---")
		if end < 0 {
			end = len(args)
		}
		part := args[:end]
		if end < len(args) {
			args = args[end+1:]
		} else {
			args = nil
		}
		if len(part) < 2 {
			return nil, errors.New("a group needs a label and a command")
		}
		g := &group{label: part[0], runs: runs, argv: part[1:]}
		if l, n, ok := strings.Cut(part[0], ":"); ok {
			r, err := strconv.Atoi(n)
			if err != nil || r < 1 {
				return nil, fmt.Errorf("label %q: runs must be a positive number", part[0])
			}
			g.label, g.runs = l, r
		}
		groups = append(groups, g)
	}
	if len(groups) == 0 {
		return nil, errors.New("no command")
	}
	return groups, nil
}

func (g *group) once() error {
	cmd := exec.Command(g.argv[0], g.argv[1:]...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start).Seconds()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		return fmt.Errorf("%s: %w", strings.Join(g.argv, " "), err)
	}
	st := cmd.ProcessState
	g.wall = append(g.wall, wall)
	g.cpu = append(g.cpu, (st.UserTime() + st.SystemTime()).Seconds())
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > g.rss {
		g.rss = ru.Maxrss // kilobytes on Linux
	}
	return nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
