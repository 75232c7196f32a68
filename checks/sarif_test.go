package checks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// The official SARIF 2.1.0 schema (OASIS, errata 01), as published in
// oasis-tcs/sarif-spec Schemata/sarif-schema-2.1.0.json. It is draft-04 and
// uses only the keywords validate implements.
const sarifSchemaFile = "testdata/sarif-schema-2.1.0.json"

// validator checks a JSON value against a draft-04 schema: type, enum,
// properties, additionalProperties, required, items, minItems, uniqueItems,
// minimum, maximum, pattern, format (uri, uri-reference, date-time), $ref
// to #/definitions/..., anyOf and oneOf. Other keywords make it fail loudly,
// so a schema it cannot judge is not passed by accident.
type validator struct {
	root map[string]any
	errs []string
}

var knownKeywords = map[string]bool{"$schema": true, "id": true, "title": true, "description": true, "default": true,
	"definitions": true, "type": true, "enum": true, "properties": true, "additionalProperties": true, "required": true,
	"items": true, "minItems": true, "uniqueItems": true, "minimum": true, "maximum": true, "pattern": true,
	"format": true, "$ref": true, "anyOf": true, "oneOf": true}

func (v *validator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, path+": "+fmt.Sprintf(format, args...))
}

func jsonType(x any) string {
	switch t := x.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if t == math.Trunc(t) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func (v *validator) validate(schema map[string]any, x any, path string) {
	for k := range schema {
		if !knownKeywords[k] {
			v.fail(path, "schema keyword %q is not implemented by this validator", k)
		}
	}
	if ref, ok := schema["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/definitions/")
		def, ok := v.root["definitions"].(map[string]any)[name].(map[string]any)
		if !found || !ok {
			v.fail(path, "unresolvable $ref %q", ref)
			return
		}
		v.validate(def, x, path)
	}
	if t, ok := schema["type"]; ok {
		var types []string
		switch tt := t.(type) {
		case string:
			types = []string{tt}
		case []any:
			for _, e := range tt {
				types = append(types, e.(string))
			}
		}
		got, match := jsonType(x), false
		for _, want := range types {
			if want == got || (want == "number" && got == "integer") {
				match = true
			}
		}
		if !match {
			v.fail(path, "type %s, want %v", got, types)
			return
		}
	}
	if enum, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if reflect.DeepEqual(e, x) {
				found = true
			}
		}
		if !found {
			v.fail(path, "value %v not in enum %v", x, enum)
		}
	}
	if any, ok := schema["anyOf"].([]any); ok {
		if v.count(any, x, path) == 0 {
			v.fail(path, "matches none of anyOf")
		}
	}
	if one, ok := schema["oneOf"].([]any); ok {
		if n := v.count(one, x, path); n != 1 {
			v.fail(path, "matches %d of oneOf, want exactly 1", n)
		}
	}
	switch val := x.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		if req, ok := schema["required"].([]any); ok {
			for _, r := range req {
				if _, ok := val[r.(string)]; !ok {
					v.fail(path, "missing required property %q", r)
				}
			}
		}
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "." + k
			if ps, ok := props[k].(map[string]any); ok {
				v.validate(ps, val[k], p)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case bool:
				if !ap {
					v.fail(p, "additional property not allowed")
				}
			case map[string]any:
				v.validate(ap, val[k], p)
			}
		}
	case []any:
		if min, ok := schema["minItems"].(float64); ok && float64(len(val)) < min {
			v.fail(path, "%d items, want at least %v", len(val), min)
		}
		if u, ok := schema["uniqueItems"].(bool); ok && u {
			seen := map[string]bool{}
			for _, e := range val {
				b, _ := json.Marshal(e)
				if seen[string(b)] {
					v.fail(path, "duplicate item %s", b)
				}
				seen[string(b)] = true
			}
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, e := range val {
				v.validate(items, e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	case float64:
		if min, ok := schema["minimum"].(float64); ok && val < min {
			v.fail(path, "%v below minimum %v", val, min)
		}
		if max, ok := schema["maximum"].(float64); ok && val > max {
			v.fail(path, "%v above maximum %v", val, max)
		}
	case string:
		if pat, ok := schema["pattern"].(string); ok && !regexp.MustCompile(pat).MatchString(val) {
			v.fail(path, "%q does not match %s", val, pat)
		}
		switch schema["format"] {
		case "uri":
			if u, err := url.Parse(val); err != nil || u.Scheme == "" {
				v.fail(path, "%q is not an absolute URI", val)
			}
		case "uri-reference":
			if _, err := url.Parse(val); err != nil {
				v.fail(path, "%q is not a URI reference", val)
			}
		case "date-time":
			if _, err := time.Parse(time.RFC3339, val); err != nil {
				v.fail(path, "%q is not an RFC 3339 date-time", val)
			}
		}
	}
}

func (v *validator) count(schemas []any, x any, path string) int {
	n := 0
	for _, s := range schemas {
		sub := &validator{root: v.root}
		sub.validate(s.(map[string]any), x, path)
		if len(sub.errs) == 0 {
			n++
		}
	}
	return n
}

func validateSARIF(t *testing.T, data []byte) []string {
	t.Helper()
	raw, err := os.ReadFile(sarifSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatalf("schema: %v", err)
	}
	if !strings.Contains(schema["title"].(string), "2.1.0") {
		t.Fatalf("schema title %q is not SARIF 2.1.0", schema["title"])
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	v := &validator{root: schema}
	v.validate(schema, doc, "$")
	return v.errs
}

// sampleReport has a finding of every kind of field and a failed
// expectation with a spec location.
func sampleReport(t *testing.T) *Report {
	fn := healthy(t, "f")
	fn.EventSources = []account.EventSource{{UUID: "u1", EventSourceARN: queue}}
	fn.URLConfigs = []account.URLConfig{{URL: "https://x.lambda-url.us-east-1.on.aws/", AuthType: "NONE"}}
	grant(t, fn, allow("s3:*", "*"), allow("dynamodb:Querry", "*"))
	spec, err := ParseSpec("ci/lambda-spec.yaml", []byte("function: f\ncalls:\n  - action: dynamodb:PutItem\n    resource: arn:aws:dynamodb:us-east-1:111122223333:table/T\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{FailOn: High, Spec: spec, Function: "f"})
	c.Check(fn)
	return c.Report()
}

// TestSARIFValidatesAgainstSchema validates the SARIF output against the
// official SARIF 2.1.0 JSON schema.
func TestSARIFValidatesAgainstSchema(t *testing.T) {
	r := sampleReport(t)
	if len(r.Findings) < 3 || r.Summary.ExpectationsFailed != 1 {
		t.Fatalf("sample report too small: %v, %d failed expectations", ids(r), r.Summary.ExpectationsFailed)
	}
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, r, SARIFOptions{Version: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	if errs := validateSARIF(t, buf.Bytes()); len(errs) > 0 {
		t.Fatalf("SARIF output does not validate:\n%s", strings.Join(errs, "\n"))
	}
	// The whole-account golden, and the log of a run that could not read
	// the account (exit 3, no results: executionSuccessful false).
	for _, golden := range []string{"../fixtures/check/golden/all.sarif", "../fixtures/check/golden/not-run.sarif"} {
		data, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if errs := validateSARIF(t, data); len(errs) > 0 {
			t.Errorf("%s does not validate:\n%s", golden, strings.Join(errs, "\n"))
		}
	}
}

// The validator rejects broken SARIF, so the test above can fail.
func TestSARIFValidatorRejects(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, sampleReport(t), SARIFOptions{}); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	for name, bad := range map[string]string{
		"wrong version":    strings.Replace(good, `"version": "2.1.0"`, `"version": "2.0.0"`, 1),
		"unknown level":    strings.Replace(good, `"level": "error"`, `"level": "fatal"`, 1),
		"unknown property": strings.Replace(good, `"ruleId":`, `"rule_id": "x", "ruleId":`, 1),
		"no message text":  strings.Replace(good, `"message": {`, `"message": {"markdown": "x"}, "x": {`, 1),
		"negative line":    strings.Replace(good, `"startLine": `, `"startLine": -`, 1),
	} {
		if bad == good {
			t.Fatalf("%s: the replacement did not apply", name)
		}
		if errs := validateSARIF(t, []byte(bad)); len(errs) == 0 {
			t.Errorf("%s: validated, want errors", name)
		}
	}
}

// GitHub code scanning refuses results without a file location
// ("locationFromSarifResult: expected artifact location"): with a spec or
// an artifact, every result has one.
func TestSARIFEveryResultHasAFile(t *testing.T) {
	for _, tc := range []struct {
		name     string
		artifact string
		want     string
	}{{"spec", "", "ci/lambda-spec.yaml"}, {"artifact", "template.yaml", "template.yaml"}} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteSARIF(&buf, sampleReport(t), SARIFOptions{Artifact: tc.artifact}); err != nil {
				t.Fatal(err)
			}
			var log struct {
				Runs []struct {
					Results []struct {
						RuleID    string `json:"ruleId"`
						Locations []struct {
							PhysicalLocation *struct {
								ArtifactLocation struct{ URI string } `json:"artifactLocation"`
							} `json:"physicalLocation"`
						} `json:"locations"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
				t.Fatal(err)
			}
			for _, r := range log.Runs[0].Results {
				if len(r.Locations) == 0 || r.Locations[0].PhysicalLocation == nil {
					t.Fatalf("%s has no file location", r.RuleID)
				}
				uri := r.Locations[0].PhysicalLocation.ArtifactLocation.URI
				if r.RuleID < "LD200" && uri != tc.want {
					t.Errorf("%s points at %q, want %q", r.RuleID, uri, tc.want)
				}
				if r.RuleID > "LD200" && uri != "ci/lambda-spec.yaml" {
					t.Errorf("expectation %s points at %q, want the spec", r.RuleID, uri)
				}
			}
		})
	}
}

// TestSARIFNotRun: a run that stopped before checking writes a log that
// validates, with no results and an invocation that failed, giving why.
func TestSARIFNotRun(t *testing.T) {
	r := NotRun(High, nil, fmt.Errorf("no AWS credentials found"))
	if !r.Incomplete() || len(r.IncompleteReasons()) != 1 {
		t.Fatalf("NotRun: incomplete %v, reasons %q", r.Incomplete(), r.IncompleteReasons())
	}
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, r, SARIFOptions{}); err != nil {
		t.Fatal(err)
	}
	if errs := validateSARIF(t, buf.Bytes()); len(errs) > 0 {
		t.Fatalf("does not validate:\n%s", strings.Join(errs, "\n"))
	}
	var log struct {
		Runs []struct {
			Invocations []map[string]any `json:"invocations"`
			Results     []any            `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	inv := log.Runs[0].Invocations[0]
	if inv["executionSuccessful"] != false || !strings.Contains(fmt.Sprint(inv["toolExecutionNotifications"]), "no AWS credentials found") ||
		log.Runs[0].Results == nil || len(log.Runs[0].Results) != 0 {
		t.Errorf("invocation %v, results %v", inv, log.Runs[0].Results)
	}
}

// TestSARIFPlaceholderLocations: with neither a spec nor an artifact,
// every result still has a physical location (the placeholder path of its
// subject, which code scanning accepts: relative, no scheme), and logical
// locations naming its subject and every function it affects.
func TestSARIFPlaceholderLocations(t *testing.T) {
	r := sampleReport(t)
	r.Spec = ""
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, r, SARIFOptions{}); err != nil {
		t.Fatal(err)
	}
	if errs := validateSARIF(t, buf.Bytes()); len(errs) > 0 {
		t.Fatalf("does not validate:\n%s", strings.Join(errs, "\n"))
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
					} `json:"physicalLocation"`
					LogicalLocations []struct {
						FullyQualifiedName string `json:"fullyQualifiedName"`
					} `json:"logicalLocations"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	fnARN := "arn:aws:lambda:us-east-1:111122223333:function:f"
	if len(log.Runs[0].Results) < 3 {
		t.Fatalf("only %d results", len(log.Runs[0].Results))
	}
	for _, res := range log.Runs[0].Results {
		loc := res.Locations[0]
		if loc.PhysicalLocation == nil {
			t.Fatalf("%s has no physical location", res.RuleID)
		}
		uri := loc.PhysicalLocation.ArtifactLocation.URI
		if u, err := url.Parse(uri); err != nil || u.Scheme != "" || !strings.HasPrefix(uri, "lambda-doctor/111122223333/") {
			t.Errorf("%s: physical location %q, want a relative placeholder path", res.RuleID, uri)
		}
		var logical []string
		for _, l := range loc.LogicalLocations {
			logical = append(logical, l.FullyQualifiedName)
		}
		if !slices.Contains(logical, fnARN) {
			t.Errorf("%s: logical locations %q lack the function %s", res.RuleID, logical, fnARN)
		}
	}
}

func TestPlaceholderURI(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:lambda:us-east-1:111122223333:function:order-processor": "lambda-doctor/111122223333/us-east-1/lambda/function/order-processor",
		"arn:aws:iam::111122223333:role/service/order-role":              "lambda-doctor/111122223333/global/iam/role/service/order-role",
		"arn:aws-cn:lambda:cn-north-1:111122223333:function:f:live":      "lambda-doctor/111122223333/cn-north-1/lambda/function/f/live",
		"arn:aws:iam::aws:policy/AdministratorAccess":                    "lambda-doctor/aws/global/iam/policy/AdministratorAccess",
		"role/x inline policy":                                           "lambda-doctor/role%2Fx%20inline%20policy",
		"arn:aws:s3:::bucket with space/k":                               "lambda-doctor/-/global/s3/bucket%20with%20space/k",
	} {
		if got := PlaceholderURI(arn); got != want {
			t.Errorf("PlaceholderURI(%q) = %q, want %q", arn, got, want)
		}
	}
}
