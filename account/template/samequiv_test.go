package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// samTranslateAll translates SAM templates with the installed samtranslator
// (testdata/samtranslate.py, one process for all) and returns each
// template's CloudFormation JSON, or the translator's error. It skips the
// test when python3 or samtranslator is missing, unless
// LAMBDA_DOCTOR_REQUIRE_SAM is set (CI sets it).
func samTranslateAll(t *testing.T, region string, paths []string) map[string]translated {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		skipOrFail(t, "python3 is not installed")
	}
	cmd := exec.Command(py, append([]string{"testdata/samtranslate.py", "--batch", region}, paths...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 3 {
		skipOrFail(t, "samtranslator is not installed: "+stderr.String())
	}
	if err != nil {
		t.Fatalf("samtranslate: %v: %s", err, stderr.String())
	}
	var res map[string]translated
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("samtranslate output: %v", err)
	}
	return res
}

type translated struct {
	Template json.RawMessage `json:"template"`
	Error    string          `json:"error"`
}

func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("LAMBDA_DOCTOR_REQUIRE_SAM") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg + " (pip install aws-sam-translator)")
}

// versionMarker hides the hash SAM puts in a version's logical id
// (FnVersion694d741b46): the version number is unknown either way.
var versionMarker = regexp.MustCompile(`\{\{generated\.Version\.([A-Za-z0-9]+?)Version[0-9a-f]{10}\}\}`)

// layerMarker hides the hash SAM puts in a layer version's logical id
// (Common4c7dc9c108).
var layerMarker = regexp.MustCompile(`\{\{generated\.LayerVersion\.([A-Za-z0-9]+?)[0-9a-f]{10}\}\}`)

// comparable is a function's model as both readings must agree on it:
// locations and the wording of unseen entries (which carry file:line)
// aside.
func comparable(t *testing.T, fns []*account.Function) string {
	t.Helper()
	var out []any
	for _, f := range fns {
		c := *f
		c.Source = nil
		var unseen []string
		for _, u := range f.Unseen {
			unseen = append(unseen, u.Operation+" "+u.Resource)
		}
		c.Unseen = nil
		var trig []account.Trigger
		for _, tr := range f.Triggers {
			tr.Source = nil
			trig = append(trig, tr)
		}
		c.Triggers = trig
		out = append(out, map[string]any{"function": c, "role": f.Role, "unseen": unseen})
	}
	// Through any and back: the keys of every object, policy documents
	// included, come out sorted (key order means nothing to IAM).
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	b, err = json.MarshalIndent(generic, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	s := versionMarker.ReplaceAllString(string(b), "{{generated.Version.${1}Version}}")
	s = layerMarker.ReplaceAllString(s, "{{generated.LayerVersion.${1}}}")
	return s
}

// TestSAMEquivalence reads every SAM fixture twice: as SAM, and as the
// CloudFormation the installed AWS SAM translator makes of it; both must
// give the same model.
func TestSAMEquivalence(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../../fixtures/templates/sam/*.yaml")
	corpus, _ := filepath.Glob("../../fixtures/templates/corpus/sam-*.yaml")
	files = append(files, corpus...)
	if len(files) == 0 {
		t.Fatal("no SAM fixtures found")
	}
	opts := Options{Region: "us-east-1", Account: "111122223333", StackName: "equiv"}
	all := samTranslateAll(t, opts.Region, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			sam, err := Read(file, opts)
			if err != nil {
				t.Fatalf("SAM reading: %v", err)
			}
			if !sam.SAM {
				t.Fatalf("%s does not use the SAM transform", file)
			}
			tr := all[file]
			if tr.Error != "" || len(tr.Template) == 0 {
				t.Fatalf("samtranslator refuses the template: %s", tr.Error)
			}
			cfn, err := Parse(file+" (translated)", tr.Template, opts)
			if err != nil {
				t.Fatalf("reading the translated template: %v", err)
			}
			got, want := comparable(t, sam.Functions), comparable(t, cfn.Functions)
			if got != want {
				t.Errorf("the SAM reading (got) and the translated CloudFormation (want) differ:\n%s", lineDiff(want, got))
			}
			if len(sam.Functions) == 0 {
				t.Error("no functions read")
			}
		})
	}
}

// lineDiff shows the lines of got that are not in want and the reverse.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	inW, inG := map[string]int{}, map[string]int{}
	for _, l := range wl {
		inW[l]++
	}
	for _, l := range gl {
		inG[l]++
	}
	var b strings.Builder
	for _, l := range wl {
		if inG[l] == 0 {
			b.WriteString("- want: " + l + "\n")
		}
	}
	for _, l := range gl {
		if inW[l] == 0 {
			b.WriteString("+ got:  " + l + "\n")
		}
	}
	if b.Len() == 0 {
		return "(same lines, other order)\n--- want\n" + want + "\n--- got\n" + got
	}
	return b.String()
}
