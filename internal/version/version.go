// Package version says which build of lambda-doctor is running: its
// version, commit, commit time, whether the tree was modified, and the Go
// version, for `lambda-doctor --version` and for the snapshots it writes.
//
// The facts come from the build information the Go toolchain embeds:
//
//   - `go install github.com/lambda-doctor/lambda-doctor/cmd/lambda-doctor@v1.2.3`
//     records the module version v1.2.3; installing a commit records a
//     pseudo-version (v0.0.0-20261204101500-abcdef123456) that names the
//     commit and its time.
//   - `go build` in a git checkout (with VCS stamping on, the default
//     outside this project's machines, which set GOFLAGS=-buildvcs=false)
//     records the revision, its time and whether the tree was modified, and
//     since Go 1.24 a version from the tag on HEAD or a pseudo-version.
//   - A release build may set any of them with the linker:
//     -ldflags "-X github.com/lambda-doctor/lambda-doctor/internal/version.version=1.2.3
//     -X .../internal/version.commit=<sha> -X .../internal/version.date=2026-12-04T10:15:00Z".
//     A value set this way wins over the build information.
package version

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Set by release builds with -ldflags -X (see the package comment).
var (
	version string
	commit  string
	date    string
)

// Info describes one build.
type Info struct {
	// Version is the release version without its leading "v" (1.2.3), a
	// pseudo-version for an untagged commit, or "devel" when the build
	// recorded none.
	Version   string    `json:"version"`
	Commit    string    `json:"commit,omitempty"` // the revision, as long as known
	Time      time.Time `json:"time,omitzero"`    // the commit's time, UTC
	Dirty     bool      `json:"dirty,omitempty"`  // built from a modified tree
	GoVersion string    `json:"go"`
}

// Get returns the running program's build information.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = nil
	}
	return resolve(bi, version, commit, date)
}

// pseudo matches the tail of a pseudo-version: the commit time
// (yyyymmddhhmmss) and a 12-hex-digit revision prefix, in each of the three
// forms of https://go.dev/ref/mod#pseudo-versions.
var pseudo = regexp.MustCompile(`(?:^|[-.])(\d{14})-([0-9a-f]{12})$`)

// resolve combines the build information (nil when there is none) with the
// values set by the linker.
func resolve(bi *debug.BuildInfo, ldVersion, ldCommit, ldDate string) Info {
	in := Info{GoVersion: runtime.Version()}
	if bi != nil {
		if bi.GoVersion != "" {
			in.GoVersion = bi.GoVersion
		}
		v, dirty := strings.CutSuffix(bi.Main.Version, "+dirty")
		in.Dirty = dirty
		if v != "" && v != "(devel)" {
			in.Version = v
			if m := pseudo.FindStringSubmatch(strings.SplitN(v, "+", 2)[0]); m != nil {
				in.Commit = m[2]
				if t, err := time.Parse("20060102150405", m[1]); err == nil {
					in.Time = t
				}
			}
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				in.Commit = s.Value
			case "vcs.time":
				if t, err := time.Parse(time.RFC3339Nano, s.Value); err == nil {
					in.Time = t.UTC()
				}
			case "vcs.modified":
				in.Dirty = in.Dirty || s.Value == "true"
			}
		}
	}
	if ldVersion != "" {
		in.Version = ldVersion
	}
	if ldCommit != "" {
		in.Commit = ldCommit
	}
	if ldDate != "" {
		if t, ok := parseDate(ldDate); ok {
			in.Time = t
		}
	}
	in.Version = strings.TrimPrefix(in.Version, "v")
	if in.Version == "" {
		in.Version = "devel"
	}
	return in
}

// parseDate reads a release date given to the linker: RFC 3339, or a day.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// String is the line `lambda-doctor --version` prints:
//
//	lambda-doctor 1.2.3 (commit abc1234, 2026-12-04, go1.26.8)
//
// with "-dirty" after a commit built from a modified tree, and without the
// parts that are not known.
func (in Info) String() string {
	var parts []string
	if in.Commit != "" {
		c := in.Commit
		if len(c) > 7 {
			c = c[:7]
		}
		if in.Dirty {
			c += "-dirty"
		}
		parts = append(parts, "commit "+c)
	} else if in.Dirty {
		parts = append(parts, "modified")
	}
	if !in.Time.IsZero() {
		parts = append(parts, in.Time.Format("2006-01-02"))
	}
	if in.GoVersion != "" {
		parts = append(parts, in.GoVersion)
	}
	s := "lambda-doctor " + in.Version
	if len(parts) > 0 {
		s += fmt.Sprintf(" (%s)", strings.Join(parts, ", "))
	}
	return s
}
