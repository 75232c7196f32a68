// Command gen copies the SAM policy templates (policy_templates.json of the
// Apache-2.0 licensed AWS SAM translator, the Python package samtranslator)
// into the compact embedded file of package samdata, with the translator's
// version. refresh.sh finds the installed translator and runs it.
//
//	go run ./account/template/samdata/gen -src .../samtranslator -out account/template/samdata/policy_templates.json.gz
//
// Output: gzipped JSON {"samtranslator": VERSION, "Templates": {...}}, the
// templates as published, compacted.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

func main() {
	src := flag.String("src", "", "directory of the installed samtranslator package")
	out := flag.String("out", "policy_templates.json.gz", "output file")
	flag.Parse()
	if *src == "" {
		fmt.Fprintln(os.Stderr, "gen: -src is required")
		os.Exit(2)
	}
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

var versionLine = regexp.MustCompile(`__version__\s*=\s*"([^"]+)"`)

func run(src, out string) error {
	init, err := os.ReadFile(filepath.Join(src, "__init__.py"))
	if err != nil {
		return err
	}
	m := versionLine.FindSubmatch(init)
	if m == nil {
		return fmt.Errorf("no __version__ in %s/__init__.py", src)
	}
	b, err := os.ReadFile(filepath.Join(src, "policy_templates_data", "policy_templates.json"))
	if err != nil {
		return err
	}
	var data struct {
		Templates map[string]json.RawMessage
	}
	if err := json.Unmarshal(b, &data); err != nil {
		return fmt.Errorf("policy_templates.json: %w", err)
	}
	if len(data.Templates) == 0 {
		return fmt.Errorf("policy_templates.json has no templates")
	}
	outData := struct {
		SAMTranslator string                     `json:"samtranslator"`
		License       string                     `json:"license"`
		Templates     map[string]json.RawMessage `json:"Templates"`
	}{string(m[1]), "Apache-2.0", data.Templates}
	j, err := json.Marshal(outData)
	if err != nil {
		return err
	}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	w.Write(j)
	if err := w.Close(); err != nil {
		return err
	}
	return os.WriteFile(out, gz.Bytes(), 0o644)
}
