// Package samdata holds the SAM policy templates (DynamoDBReadPolicy,
// SQSPollerPolicy, S3CrudPolicy...) that AWS::Serverless::Function's
// Policies may name, as embedded data copied from the AWS SAM translator's
// policy_templates.json (see gen/; Version says which release). It is
// decompressed on first use.
package samdata

//go:generate ./gen/refresh.sh

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"io"
	"sync"
)

//go:embed policy_templates.json.gz
var blob []byte

// Template is one policy template: its parameters and its definition, a
// policy document whose {"Ref": PARAMETER} stand for the parameters' values.
type Template struct {
	Parameters map[string]json.RawMessage `json:"Parameters"`
	Definition json.RawMessage            `json:"Definition"`
}

var (
	once      sync.Once
	templates map[string]Template
	version   string
	loadErr   error
)

func load() {
	once.Do(func() {
		zr, err := gzip.NewReader(bytes.NewReader(blob))
		if err != nil {
			loadErr = err
			return
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			loadErr = err
			return
		}
		var data struct {
			SAMTranslator string              `json:"samtranslator"`
			Templates     map[string]Template `json:"Templates"`
		}
		if err := json.Unmarshal(b, &data); err != nil {
			loadErr = err
			return
		}
		templates, version = data.Templates, data.SAMTranslator
	})
}

// Lookup returns the policy template of that name.
func Lookup(name string) (Template, bool) {
	load()
	t, ok := templates[name]
	return t, ok
}

// Version is the samtranslator release the templates come from.
func Version() string {
	load()
	return version
}

// Err is the error that broke loading the data, if any.
func Err() error {
	load()
	return loadErr
}
