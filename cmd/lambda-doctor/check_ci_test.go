package main

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// TestCheckNotRunStillWritesADocument: when the run stops before it can
// check (here a function the account does not have: exit 3), --output
// json, sarif and junit still write a document CI accepts, which says the
// run failed and why; never an empty file. The SARIF and JUnit documents
// are kept in fixtures/check/golden/not-run.* (checks validates the SARIF
// against the 2.1.0 schema).
func TestCheckNotRunStillWritesADocument(t *testing.T) {
	for _, format := range []string{"json", "sarif", "junit", "text"} {
		t.Run(format, func(t *testing.T) {
			out, stderr, code := runCheckCmd(t, "-f", "no-such-function", "--snapshot", checkAccount, "-o", format)
			if code != 3 || !strings.Contains(stderr, "no-such-function") {
				t.Fatalf("exit %d, stderr %q; want 3 naming the function", code, stderr)
			}
			switch format {
			case "text":
				if out != "" {
					t.Errorf("text: stdout %q, want nothing (the error is on stderr)", out)
				}
				return
			case "json":
				var r struct{ Error string }
				if err := json.Unmarshal([]byte(out), &r); err != nil || !strings.Contains(r.Error, "no-such-function") {
					t.Errorf("json: %v, error %q", err, r.Error)
				}
				return
			case "sarif":
				var log struct {
					Runs []struct {
						Invocations []struct {
							ExecutionSuccessful        bool `json:"executionSuccessful"`
							ToolExecutionNotifications []struct {
								Message struct{ Text string } `json:"message"`
							} `json:"toolExecutionNotifications"`
						} `json:"invocations"`
						Results []any `json:"results"`
					} `json:"runs"`
				}
				if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Invocations) != 1 {
					t.Fatalf("sarif: %v %s", err, out)
				}
				inv := log.Runs[0].Invocations[0]
				if inv.ExecutionSuccessful || len(inv.ToolExecutionNotifications) == 0 ||
					!strings.Contains(inv.ToolExecutionNotifications[0].Message.Text, "no-such-function") {
					t.Errorf("sarif invocation %+v: want executionSuccessful false with the reason", inv)
				}
			case "junit":
				var v struct {
					Errors int `xml:"errors,attr"`
					Suites []struct {
						Cases []struct {
							Error *struct {
								Text string `xml:",chardata"`
							} `xml:"error"`
						} `xml:"testcase"`
					} `xml:"testsuite"`
				}
				if err := xml.Unmarshal([]byte(out), &v); err != nil || v.Errors != 1 || len(v.Suites) == 0 ||
					v.Suites[0].Cases[0].Error == nil || !strings.Contains(v.Suites[0].Cases[0].Error.Text, "no-such-function") {
					t.Errorf("junit: %v %+v\n%s", err, v, out)
				}
			}
			golden := filepath.Join("../../fixtures/check/golden", "not-run."+map[string]string{"sarif": "sarif", "junit": "junit.xml"}[format])
			if *updateCheck {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want, err := os.ReadFile(golden); err != nil || string(want) != out {
				t.Errorf("output differs from %s (run with -update-check and read the diff): %v\n%s", golden, err, firstDiff(string(want), out))
			}
		})
	}
}

// TestCheckBadSpecStillWritesADocument: a spec that cannot be read (no
// such file, not YAML) is bad input (exit 2), and --output json, sarif
// and junit still write a document that says so, as the contract promises
// once the flags are valid: the CI upload step that follows gets a file.
func TestCheckBadSpecStillWritesADocument(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(bad, []byte("version: 1\ninvokers: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{filepath.Join(t.TempDir(), "missing.yaml"), bad} {
		for _, format := range []string{"json", "sarif", "junit", "text"} {
			t.Run(filepath.Base(spec)+"/"+format, func(t *testing.T) {
				out, stderr, code := runCheckCmd(t, "--all", "--snapshot", checkAccount, "--spec", spec, "-o", format)
				if code != 2 || !strings.Contains(stderr, spec) {
					t.Fatalf("exit %d, stderr %q; want 2 naming the spec", code, stderr)
				}
				switch format {
				case "text":
					if out != "" {
						t.Errorf("text: stdout %q, want nothing (the error is on stderr)", out)
					}
				case "json":
					var r struct{ Error string }
					if err := json.Unmarshal([]byte(out), &r); err != nil || !strings.Contains(r.Error, spec) {
						t.Errorf("json: %v, error %q; want the spec's error", err, r.Error)
					}
				case "sarif":
					if !json.Valid([]byte(out)) || !strings.Contains(out, `"executionSuccessful": false`) || !strings.Contains(out, spec) {
						t.Errorf("sarif: want a log that says the run failed, naming the spec:\n%s", out)
					}
				case "junit":
					var v struct {
						Errors int `xml:"errors,attr"`
					}
					if err := xml.Unmarshal([]byte(out), &v); err != nil || v.Errors != 1 || !strings.Contains(out, spec) {
						t.Errorf("junit: %v %+v; want one error naming the spec:\n%s", err, v, out)
					}
				}
			})
		}
	}
}

// TestCheckNoCredentialsWritesSARIF: a live account that cannot be read at
// all (no credentials: exit 3) still gets a SARIF log and a JUnit report
// that say so.
func TestCheckNoCredentialsWritesSARIF(t *testing.T) {
	s := motoserver.Start(t)
	s.Setenv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, format := range []string{"sarif", "junit"} {
		out, stderr, code := runCheckCmd(t, "--all", "-o", format)
		if code != 3 || !strings.Contains(stderr, "credentials") {
			t.Fatalf("%s: exit %d, stderr %q; want 3 about credentials", format, code, stderr)
		}
		if !strings.Contains(out, "credentials") || (format == "sarif" && !strings.Contains(out, `"executionSuccessful": false`)) ||
			(format == "junit" && !strings.Contains(out, `errors="1"`)) {
			t.Errorf("%s document does not say the run failed for want of credentials:\n%s", format, out)
		}
	}
}
