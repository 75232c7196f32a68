package version

import (
	"archive/zip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// These tests build a small program that prints Get(), with the real Go
// toolchain, in each way a user or a release gets lambda-doctor. The
// program lives in a temporary module holding a copy of version.go, so the
// code under test is this package's own file.

const tmpModule = "example.com/ldversion"

const mainGo = `package main

import (
	"encoding/json"
	"fmt"
	"os"

	"example.com/ldversion/internal/version"
)

func main() {
	in := version.Get()
	fmt.Println(in)
	json.NewEncoder(os.Stdout).Encode(in)
}
`

// writeModule writes the temporary module into dir.
func writeModule(t *testing.T, dir string) {
	t.Helper()
	src, err := os.ReadFile("version.go")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go.mod":                      "module " + tmpModule + "\n\ngo 1.24\n",
		"internal/version/version.go": string(src),
		"cmd/showversion/main.go":     mainGo,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// goEnv is the environment for the go command: no GOFLAGS from the
// machine (this project's machines set -buildvcs=false), no network.
func goEnv(extra ...string) []string {
	env := append(os.Environ(), "GOFLAGS=-modcacherw", "GOWORK=off", "GOTOOLCHAIN=local", "GOPROXY=off")
	return append(env, extra...)
}

func runIn(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// show runs the built program and returns its line and its decoded Info.
func show(t *testing.T, bin string) (string, Info) {
	t.Helper()
	out := runIn(t, filepath.Dir(bin), os.Environ(), bin)
	line, js, _ := strings.Cut(out, "\n")
	var in Info
	if err := json.Unmarshal([]byte(js), &in); err != nil {
		t.Fatalf("decode %q: %v", js, err)
	}
	return line, in
}

func needGo(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds programs; skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
}

func TestBuildFromGitCheckout(t *testing.T) {
	t.Parallel()
	needGo(t)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	writeModule(t, dir)
	gitEnv := goEnv("GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"GIT_AUTHOR_DATE=2026-12-04T10:15:00Z", "GIT_COMMITTER_DATE=2026-12-04T10:15:00Z",
		// With GOPROXY=off the go command stamps a pseudo-version even at a
		// tag; direct reads only the local repository here (no dependencies).
		"GOPROXY=direct")
	runIn(t, dir, gitEnv, "git", "init", "-q")
	runIn(t, dir, gitEnv, "git", "add", ".")
	runIn(t, dir, gitEnv, "git", "commit", "-qm", "one")
	rev := strings.TrimSpace(runIn(t, dir, gitEnv, "git", "rev-parse", "HEAD"))
	bin := filepath.Join(t.TempDir(), "showversion") // outside the checkout, or it would be dirty
	build := func(t *testing.T, args ...string) (string, Info) {
		t.Helper()
		runIn(t, dir, gitEnv, "go", append(append([]string{"build"}, args...), "-o", bin, "./cmd/showversion")...)
		return show(t, bin)
	}

	t.Run("untagged commit", func(t *testing.T) {
		line, in := build(t, "-buildvcs=true")
		if in.Commit != rev || in.Dirty {
			t.Errorf("commit %q dirty %v, want %q clean", in.Commit, in.Dirty, rev)
		}
		// Go 1.24+ stamps a pseudo-version naming the commit.
		if want := "0.0.0-20261204101500-" + rev[:12]; in.Version != want {
			t.Errorf("version %q, want %q", in.Version, want)
		}
		if want := "(commit " + rev[:7] + ", 2026-12-04, "; !strings.Contains(line, want) {
			t.Errorf("line %q, want it to contain %q", line, want)
		}
	})
	t.Run("tagged commit", func(t *testing.T) {
		runIn(t, dir, gitEnv, "git", "tag", "v1.2.3")
		line, in := build(t, "-buildvcs=true")
		if want := "lambda-doctor 1.2.3 (commit " + rev[:7] + ", 2026-12-04, "; !strings.HasPrefix(line, want) {
			t.Errorf("line %q, want prefix %q", line, want)
		}
		if in.Dirty {
			t.Error("dirty, want clean")
		}
	})
	t.Run("modified tree", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(dir, "cmd/showversion/extra.go"), []byte("package main\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		line, in := build(t, "-buildvcs=true")
		if !in.Dirty || !strings.Contains(line, "commit "+rev[:7]+"-dirty") {
			t.Errorf("line %q (dirty %v), want commit %s-dirty", line, in.Dirty, rev[:7])
		}
		if in.Version != "1.2.3" {
			t.Errorf("version %q, want 1.2.3 (the tag, without +dirty)", in.Version)
		}
	})
	t.Run("without VCS stamping", func(t *testing.T) {
		line, in := build(t, "-buildvcs=false")
		if in.Version != "devel" || in.Commit != "" {
			t.Errorf("got %+v, want devel without a commit", in)
		}
		if !regexp.MustCompile(`^lambda-doctor devel \(go1\.[0-9.]+\S*\)$`).MatchString(line) {
			t.Errorf("line %q, want lambda-doctor devel (goX)", line)
		}
	})
	t.Run("release build with -ldflags -X", func(t *testing.T) {
		pkg := tmpModule + "/internal/version"
		line, in := build(t, "-buildvcs=true", "-ldflags",
			"-X "+pkg+".version=v9.8.7 -X "+pkg+".commit=fedcba9876543210 -X "+pkg+".date=2027-01-02T03:04:05Z")
		if want := "lambda-doctor 9.8.7 (commit fedcba9-dirty, 2027-01-02, "; !strings.HasPrefix(line, want) {
			t.Errorf("line %q, want prefix %q", line, want)
		}
		if in.Commit != "fedcba9876543210" {
			t.Errorf("commit %q, want the -X one", in.Commit)
		}
	})
}

// TestGoInstall installs the temporary module the way a user runs
// `go install module/cmd/x@version`, from a module proxy served from files
// (GOPROXY=file://...), so no network is needed.
func TestGoInstall(t *testing.T) {
	t.Parallel()
	needGo(t)
	src := t.TempDir()
	writeModule(t, src)
	proxy := t.TempDir()
	versions := []string{"v1.2.3", "v0.0.0-20261204101500-abcdef123456"}
	for _, v := range versions {
		writeProxyVersion(t, proxy, src, v)
	}
	if err := os.WriteFile(filepath.Join(proxy, tmpModule, "@v", "list"), []byte(versions[0]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ version, line string }{
		{"v1.2.3", "lambda-doctor 1.2.3 (go"},
		{"v0.0.0-20261204101500-abcdef123456", "lambda-doctor 0.0.0-20261204101500-abcdef123456 (commit abcdef1, 2026-12-04, go"},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			gobin := t.TempDir()
			env := goEnv("GOPROXY=file://"+filepath.ToSlash(proxy), "GOSUMDB=off", "GOMODCACHE="+t.TempDir(), "GOBIN="+gobin)
			runIn(t, t.TempDir(), env, "go", "install", tmpModule+"/cmd/showversion@"+tt.version)
			line, in := show(t, filepath.Join(gobin, "showversion"))
			if !strings.HasPrefix(line, tt.line) {
				t.Errorf("line %q, want prefix %q", line, tt.line)
			}
			if in.Dirty {
				t.Error("an installed module is never dirty")
			}
		})
	}
}

// writeProxyVersion writes the .info, .mod and .zip files of one version of
// the module in src, in the layout of https://go.dev/ref/mod#goproxy-protocol.
func writeProxyVersion(t *testing.T, proxy, src, version string) {
	t.Helper()
	dir := filepath.Join(proxy, tmpModule, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	info := `{"Version":"` + version + `","Time":"2026-12-04T10:15:00Z"}`
	if err := os.WriteFile(filepath.Join(dir, version+".info"), []byte(info), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, version+".mod"), mod, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, version+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		w, err := zw.Create(tmpModule + "@" + version + "/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}
