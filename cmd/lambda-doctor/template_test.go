package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// templateArgs are the flags the fixture templates are read with
// (fixtures/templates/README.md).
var templateArgs = []string{"--region", "us-east-1", "--account", "111122223333", "--stack-name", "fixture"}

// expectedFindings is fixtures/templates/expected.json.
type expectedFindings struct {
	Templates map[string]struct {
		Exit     int    `json:"exit"`
		Why      string `json:"why"`
		Findings []struct {
			ID       string `json:"id"`
			Function string `json:"function"`
			Contains string `json:"contains"`
			Fix      string `json:"fix"`
		} `json:"findings"`
		Undecided []string `json:"undecided"`
	} `json:"templates"`
}

// templateReport is what the tests read of check --output json.
type templateReport struct {
	Functions []struct {
		ARN    string `json:"arn"`
		Source *struct {
			LogicalID string `json:"logical_id"`
		} `json:"source"`
		Requirements []struct {
			ID         string `json:"id"`
			Decision   string `json:"decision"`
			Unresolved []struct {
				Value, Source, Supply string
			} `json:"unresolved"`
		} `json:"requirements"`
	} `json:"functions"`
	Findings []struct {
		ID        string          `json:"id"`
		Title     string          `json:"title"`
		Functions []string        `json:"functions"`
		Subject   string          `json:"subject"`
		Ambiguous json.RawMessage `json:"ambiguous"`
		Location  *struct {
			File      string `json:"file"`
			Line      int    `json:"line"`
			LogicalID string `json:"logical_id"`
		} `json:"location"`
		Fixes []struct {
			Command  string `json:"command"`
			Verified bool   `json:"verified"`
			Format   string `json:"format"`
		} `json:"fixes"`
	} `json:"findings"`
}

// logicalIDs maps function ARNs to the logical ids of their resources.
func (r *templateReport) logicalIDs() map[string]string {
	m := map[string]string{}
	for _, f := range r.Functions {
		if f.Source != nil {
			m[f.ARN] = f.Source.LogicalID
		}
	}
	return m
}

// TestTemplateFindings runs check --template on every fixture template and
// requires the findings fixtures/templates/expected.json reasons from the
// AWS documentation: the exit code, every finding by rule and function
// (none more), the text its title holds, a verified fix written as an edit
// of the template, findings that point at a line of the template; then
// compares the text and JSON outputs with fixtures/templates/golden/
// (-update rewrites them, to be read before a commit).
func TestTemplateFindings(t *testing.T) {
	t.Chdir("../..")
	t.Setenv("NO_COLOR", "1")
	raw, err := os.ReadFile("fixtures/templates/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var exp expectedFindings
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("fixtures/templates/cfn/*.yaml")
	sam, _ := filepath.Glob("fixtures/templates/sam/*.yaml")
	files = append(files, sam...)
	if len(files) != len(exp.Templates) {
		t.Errorf("%d fixture templates, %d with expected findings: every template needs its expectation", len(files), len(exp.Templates))
	}
	for _, file := range files {
		key := strings.TrimPrefix(file, "fixtures/templates/")
		want, ok := exp.Templates[key]
		t.Run(key, func(t *testing.T) {
			if !ok {
				t.Fatalf("no expectation for %s in expected.json", key)
			}
			out, stderr, code := runCheckCmd(t, append([]string{"--template", file, "--output", "json"}, templateArgs...)...)
			if code != want.Exit {
				t.Errorf("exit %d, want %d (%s); stderr %s", code, want.Exit, want.Why, stderr)
			}
			var rep templateReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("json: %v\n%s", err, out)
			}
			ids := rep.logicalIDs()
			var got, wantKeys []string
			for _, f := range rep.Findings {
				for _, fa := range f.Functions {
					got = append(got, f.ID+" "+ids[fa])
				}
				if f.Location == nil || f.Location.File != file || f.Location.Line == 0 {
					t.Errorf("%s %s: location %+v, want a line of %s", f.ID, f.Title, f.Location, file)
				}
			}
			for _, w := range want.Findings {
				wantKeys = append(wantKeys, w.ID+" "+w.Function)
			}
			sort.Strings(got)
			sort.Strings(wantKeys)
			if !slices.Equal(got, wantKeys) {
				t.Errorf("findings %q, want %q (%s)", got, wantKeys, want.Why)
			}
			for _, w := range want.Findings {
				found, fixed := false, w.Fix == ""
				for _, f := range rep.Findings {
					if f.ID != w.ID || !strings.Contains(f.Title, w.Contains) ||
						!slices.ContainsFunc(f.Functions, func(a string) bool { return ids[a] == w.Function }) {
						continue
					}
					found = true
					for _, fx := range f.Fixes {
						if w.Fix != "" && fx.Verified && strings.Contains(fx.Command, w.Fix) && (fx.Format == "cloudformation" || fx.Format == "sam") {
							fixed = true
						}
					}
				}
				if !found {
					t.Errorf("no %s finding on %s whose title holds %q", w.ID, w.Function, w.Contains)
				} else if !fixed {
					t.Errorf("%s %s: no verified template fix holding %q", w.ID, w.Function, w.Fix)
				}
			}
			var undecided []string
			for _, fr := range rep.Functions {
				for _, q := range fr.Requirements {
					if q.Decision == "unknown" {
						undecided = append(undecided, q.ID)
						if len(q.Unresolved) == 0 {
							t.Errorf("%s undecided without naming what the template does not give", q.ID)
						}
					}
				}
			}
			if !slices.Equal(undecided, want.Undecided) {
				t.Errorf("undecided %q, want %q", undecided, want.Undecided)
			}

			text, _, _ := runCheckCmd(t, append([]string{"--template", file, "--verbose"}, templateArgs...)...)
			base := strings.ReplaceAll(strings.TrimSuffix(key, ".yaml"), "/", "-")
			for ext, got := range map[string]string{"txt": text, "json": out} {
				golden := filepath.Join("fixtures/templates/golden", base+"."+ext)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				w, err := os.ReadFile(golden)
				if err != nil {
					t.Errorf("missing golden (go test ./cmd/lambda-doctor -run TestTemplateFindings -update): %v", err)
					continue
				}
				if string(w) != got {
					t.Errorf("%s differs from the golden file (rerun with -update and read the diff):\n--- got\n%s", golden, got)
				}
			}
		})
	}
}

// TestSAMFindingsEqualTranslated: a SAM template judged as written gives
// the findings, and the decision of every requirement, that the
// CloudFormation the installed SAM translator makes of it gives.
func TestSAMFindingsEqualTranslated(t *testing.T) {
	t.Chdir("../..")
	files, _ := filepath.Glob("fixtures/templates/sam/*.yaml")
	corpus, _ := filepath.Glob("fixtures/templates/corpus/sam-*.yaml")
	files = append(files, corpus...)
	py, err := exec.LookPath("python3")
	if err != nil {
		samSkip(t, "python3 is not installed")
	}
	cmd := exec.Command(py, append([]string{"account/template/testdata/samtranslate.py", "--batch", "us-east-1"}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		samSkip(t, "samtranslator is not installed: "+stderr.String())
	}
	if err != nil {
		t.Fatalf("samtranslate: %v: %s", err, stderr.String())
	}
	var translated map[string]struct {
		Template json.RawMessage `json:"template"`
		Error    string          `json:"error"`
	}
	if err := json.Unmarshal(out, &translated); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	compared := 0
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			tr, ok := translated[file]
			if !ok || tr.Error != "" {
				t.Fatalf("no translation: %s", tr.Error)
			}
			cfn := filepath.Join(dir, strings.ReplaceAll(file, "/", "-")+".json")
			if err := os.WriteFile(cfn, tr.Template, 0o644); err != nil {
				t.Fatal(err)
			}
			view := func(path string) (findings []string, reqs map[string][]string) {
				out, stderr, code := runCheckCmd(t, append([]string{"--template", path, "--output", "json", "--fail-on", "none"}, templateArgs...)...)
				if code == exitBadInput {
					t.Fatalf("%s: exit 2: %s", path, stderr)
				}
				var rep templateReport
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatal(err)
				}
				ids := rep.logicalIDs()
				reqs = map[string][]string{}
				for _, f := range rep.Functions {
					var qs []string
					for _, q := range f.Requirements {
						qs = append(qs, q.ID+" "+q.Decision)
					}
					sort.Strings(qs)
					reqs[ids[f.ARN]] = qs
				}
				for _, f := range rep.Findings {
					for _, a := range f.Functions {
						findings = append(findings, f.ID+" "+ids[a])
					}
				}
				sort.Strings(findings)
				return findings, reqs
			}
			fs, rs := view(file)
			ft, rt := view(cfn)
			if !slices.Equal(fs, ft) {
				t.Errorf("findings: SAM %q, translated %q", fs, ft)
			}
			if len(rs) != len(rt) {
				t.Errorf("functions: SAM %d, translated %d", len(rs), len(rt))
			}
			for id, want := range rt {
				if got := rs[id]; !slices.Equal(got, want) {
					t.Errorf("%s: requirements: SAM %q, translated %q", id, got, want)
				}
				compared += len(want)
			}
		})
	}
	t.Logf("%d templates, %d requirements decided the same from the SAM reading and from its translation", len(files), compared)
}

func samSkip(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("LAMBDA_DOCTOR_REQUIRE_SAM") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (pip install aws-sam-translator)")
}

// TestTemplateCorpus runs check --template on every corpus template
// (fixtures/templates/corpus), with the account and region given and
// without (every ARN then holds markers): none is bad input or crashes,
// every finding points at a line of the template, every undecided
// requirement names the values it hangs on; the findings and the values
// that decide something are logged (go test -v).
func TestTemplateCorpus(t *testing.T) {
	t.Chdir("../..")
	files, _ := filepath.Glob("fixtures/templates/corpus/*")
	if len(files) < 30 {
		t.Fatalf("%d corpus templates, want at least 30", len(files))
	}
	for _, file := range files {
		for _, args := range [][]string{templateArgs, nil} {
			name := file
			if args == nil {
				name += " (no account, no region)"
			}
			t.Run(name, func(t *testing.T) {
				out, stderr, code := runCheckCmd(t, append([]string{"--template", file, "--output", "json"}, args...)...)
				if code != exitOK && code != exitProblem && code != exitUnseen {
					t.Fatalf("exit %d: %s", code, stderr)
				}
				var rep templateReport
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatalf("json: %v", err)
				}
				var found []string
				for _, f := range rep.Findings {
					found = append(found, f.ID)
					if f.Location == nil || f.Location.File != file || f.Location.Line == 0 {
						t.Errorf("%s %s: location %+v", f.ID, f.Title, f.Location)
					}
				}
				var values []string
				undecided := 0
				for _, fr := range rep.Functions {
					for _, q := range fr.Requirements {
						if q.Decision != "unknown" {
							continue
						}
						undecided++
						if len(q.Unresolved) == 0 {
							t.Errorf("%s undecided without naming what the template does not give", q.ID)
						}
						for _, u := range q.Unresolved {
							if !slices.Contains(values, u.Value) {
								values = append(values, u.Value)
							}
						}
					}
				}
				t.Logf("exit %d; %d functions; findings %v; %d undecided on %v", code, len(rep.Functions), found, undecided, values)
			})
		}
	}
}

// TestCheckTemplateBadInput: a template that cannot be read, or flags that
// do not fit, are exit 2 with the file and line or the flag at fault.
func TestCheckTemplateBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	malformed := write("bad.yaml", "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: [unclosed\n")
	unknownFn := write("fn.yaml", "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !Fn::Nope x\n")
	circular := write("loop.yaml", "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt B.QueueName\n  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt A.QueueName\n")
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(50 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	good := "../../fixtures/templates/cfn/sns-broken.yaml"
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"malformed YAML", []string{"--template", malformed}, malformed + ":3: not valid YAML"},
		{"unknown intrinsic", []string{"--template", unknownFn}, unknownFn + ":5"},
		{"circular reference", []string{"--template", circular}, circular + ":"},
		{"50 MB", []string{"--template", big}, "big.yaml"},
		{"missing file", []string{"--template", filepath.Join(dir, "none.yaml")}, "none.yaml"},
		{"parameter without =", []string{"--template", good, "--parameter", "Stage"}, "KEY=VALUE"},
		{"parameter without --template", []string{"--all", "--parameter", "Stage=prod"}, "--parameter goes with --template"},
		{"bad account", []string{"--template", good, "--account", "1234"}, "12-digit"},
		{"bad region", []string{"--template", good, "--region", "moon-1"}, "region"},
		{"template and snapshot", []string{"--template", good, "--snapshot", "x.json"}, "not both"},
		{"no such function", []string{"--template", good, "--function", "Nope"}, "defines no function"},
		{"bad fix format", []string{"--template", good, "--fix-format", "pulumi"}, "--fix-format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := runCheckCmd(t, tc.args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want 2; stdout %s stderr %s", code, out, stderr)
			}
			if !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
				t.Errorf("stderr %q, want it to name %q", stderr, tc.want)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
		})
	}
}
