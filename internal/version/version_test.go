package version

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestResolve(t *testing.T) {
	day := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	vcs := func(rev, tm, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: tm}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name                string
		bi                  *debug.BuildInfo
		ldVer, ldRev, ldDay string
		want                Info
		line                string
	}{
		{
			name: "go install at a tag",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/lambda-doctor/lambda-doctor", Version: "v1.2.3"}},
			want: Info{Version: "1.2.3", GoVersion: "go1.26.8"},
			line: "lambda-doctor 1.2.3 (go1.26.8)",
		},
		{
			name: "go install at a commit (pseudo-version)",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261204101500-abcdef123456"}},
			want: Info{Version: "0.0.0-20261204101500-abcdef123456", Commit: "abcdef123456", Time: day("2026-12-04T10:15:00Z"), GoVersion: "go1.26.8"},
			line: "lambda-doctor 0.0.0-20261204101500-abcdef123456 (commit abcdef1, 2026-12-04, go1.26.8)",
		},
		{
			name: "pseudo-version after a tag",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.4-0.20261204101500-abcdef123456"}},
			want: Info{Version: "1.2.4-0.20261204101500-abcdef123456", Commit: "abcdef123456", Time: day("2026-12-04T10:15:00Z"), GoVersion: "go1.26.8"},
			line: "lambda-doctor 1.2.4-0.20261204101500-abcdef123456 (commit abcdef1, 2026-12-04, go1.26.8)",
		},
		{
			name: "pseudo-version after a pre-release",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.3.0-rc.1.0.20261204101500-abcdef123456"}},
			want: Info{Version: "1.3.0-rc.1.0.20261204101500-abcdef123456", Commit: "abcdef123456", Time: day("2026-12-04T10:15:00Z"), GoVersion: "go1.26.8"},
			line: "lambda-doctor 1.3.0-rc.1.0.20261204101500-abcdef123456 (commit abcdef1, 2026-12-04, go1.26.8)",
		},
		{
			name: "go build in a checkout at a tag",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: vcs(rev, "2026-12-04T10:15:00Z", "false")},
			want: Info{Version: "1.2.3", Commit: rev, Time: day("2026-12-04T10:15:00Z"), GoVersion: "go1.26.8"},
			line: "lambda-doctor 1.2.3 (commit 0123456, 2026-12-04, go1.26.8)",
		},
		{
			name: "go build in a modified checkout",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261204101500-0123456789ab+dirty"}, Settings: vcs(rev, "2026-12-04T10:15:00Z", "true")},
			want: Info{Version: "0.0.0-20261204101500-0123456789ab", Commit: rev, Time: day("2026-12-04T10:15:00Z"), Dirty: true, GoVersion: "go1.26.8"},
			line: "lambda-doctor 0.0.0-20261204101500-0123456789ab (commit 0123456-dirty, 2026-12-04, go1.26.8)",
		},
		{
			name: "vcs time in another zone is shown in UTC",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-12-04T23:30:00-05:00", "false")},
			want: Info{Version: "devel", Commit: rev, Time: day("2026-12-05T04:30:00Z"), GoVersion: "go1.26.8"},
			line: "lambda-doctor devel (commit 0123456, 2026-12-05, go1.26.8)",
		},
		{
			name: "go build without VCS stamping",
			bi:   &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			want: Info{Version: "devel", GoVersion: "go1.26.8"},
			line: "lambda-doctor devel (go1.26.8)",
		},
		{
			name: "no build information",
			want: Info{Version: "devel", GoVersion: runtime.Version()},
			line: "lambda-doctor devel (" + runtime.Version() + ")",
		},
		{
			name:  "release build with -ldflags -X",
			bi:    &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-12-01T00:00:00Z", "false")},
			ldVer: "v2.0.0", ldRev: "fedcba9876543210", ldDay: "2026-12-04",
			want: Info{Version: "2.0.0", Commit: "fedcba9876543210", Time: day("2026-12-04T00:00:00Z"), GoVersion: "go1.26.8"},
			line: "lambda-doctor 2.0.0 (commit fedcba9, 2026-12-04, go1.26.8)",
		},
		{
			name:  "a linker date that is not a date is ignored",
			bi:    &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.0.0"}},
			ldDay: "yesterday",
			want:  Info{Version: "1.0.0", GoVersion: "go1.26.8"},
			line:  "lambda-doctor 1.0.0 (go1.26.8)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resolve(tt.bi, tt.ldVer, tt.ldRev, tt.ldDay)
			if got != tt.want {
				t.Errorf("resolve:\n got %+v\nwant %+v", got, tt.want)
			}
			if s := got.String(); s != tt.line {
				t.Errorf("String() = %q, want %q", s, tt.line)
			}
		})
	}
}

// TestGetInTest: a test binary has build information; Get must not panic
// and names the Go version it was built with.
func TestGetInTest(t *testing.T) {
	in := Get()
	if in.GoVersion != runtime.Version() {
		t.Errorf("GoVersion = %q, want %q", in.GoVersion, runtime.Version())
	}
	if in.Version == "" {
		t.Error("Version is empty, want at least devel")
	}
}
