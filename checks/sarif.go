package checks

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
)

// SARIF 2.1.0 (OASIS standard; schema in testdata/sarif-schema-2.1.0.json).
// Findings are about cloud resources, not files: their location is a
// logical location (the ARN), plus a repository file for code scanning
// (SARIFOptions.Artifact, else the spec). A failed expectation points at
// its line in the spec file; a finding of check --template at the line of
// its resource in the template (Finding.Location).

const sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

func sarifLevel(s Severity) string {
	switch s {
	case Critical, High:
		return "error"
	case Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is GitHub code scanning's numeric severity (0–10).
func securitySeverity(s Severity) string {
	switch s {
	case Critical:
		return "9.5"
	case High:
		return "8.0"
	case Medium:
		return "5.5"
	}
	return "2.0"
}

func fingerprint(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:16])
}

// SARIFOptions tune the SARIF log.
type SARIFOptions struct {
	Version string // the tool's version, "" when unknown
	// Artifact is a repository file every result also points at (line 1),
	// such as the spec or the deployment template: GitHub code scanning
	// accepts only results with a file location. Empty: the spec file, if
	// any; else findings have only their logical location (the ARN).
	Artifact string
}

// WriteSARIF renders the report as a SARIF 2.1.0 log.
func WriteSARIF(w io.Writer, r *Report, o SARIFOptions) error {
	version := o.Version
	artifact := o.Artifact
	if artifact == "" {
		artifact = r.Spec
	}
	fileAt := func(uri string, line int) *sarifPhysical {
		if uri == "" {
			return nil
		}
		return &sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}, Region: &sarifRegion{StartLine: line}}
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "lambda-doctor",
			InformationURI: "https://github.com/lambda-doctor/lambda-doctor", Version: version}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: r.Summary.Errors == 0}},
		Results:     []sarifResult{},
	}
	index := map[string]int{}
	for i, rule := range rules {
		index[rule.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: rule.ID, Name: rule.Name,
			ShortDescription:     sarifText{rule.Short},
			FullDescription:      sarifText{rule.Short + ". " + rule.Help},
			Help:                 sarifText{rule.Help + " See " + rule.Doc},
			HelpURI:              rule.Doc,
			DefaultConfiguration: sarifConfig{Level: sarifLevel(rule.Severity)},
			Properties: map[string]any{
				"security-severity": securitySeverity(rule.Severity),
				"tags":              []string{"security", "aws", "lambda", "iam"},
			},
		})
	}
	for _, f := range r.Findings {
		res := sarifResult{
			RuleID: f.ID, RuleIndex: index[f.ID], Level: sarifLevel(f.Severity),
			Message:             sarifText{sarifMessage(f)},
			PartialFingerprints: map[string]string{"lambdaDoctorFinding/v1": fingerprint(f.ID, f.Subject, f.Title)},
			Properties:          map[string]any{"severity": f.Severity.String(), "functions": nonNil(f.Functions)},
		}
		if len(f.Fixes) > 0 {
			res.Properties["fixes"] = f.Fixes
		}
		if f.Ambiguous != nil {
			// Undecided: never an error of the run.
			res.Level = "warning"
			res.Properties["ambiguous"] = f.Ambiguous
		}
		if f.Severity != rulesByID[f.ID].Severity {
			res.Properties["security-severity"] = securitySeverity(f.Severity)
		}
		loc := sarifLocation{PhysicalLocation: fileAt(artifact, 1),
			LogicalLocations: []sarifLogical{{FullyQualifiedName: f.Subject, Kind: "resource"}}}
		if l := f.Location; l != nil && l.File != "" {
			// check --template: the line of the template resource.
			loc.PhysicalLocation = fileAt(l.File, max(l.Line, 1))
			loc.PhysicalLocation.Region.StartColumn = l.Column
			if l.LogicalID != "" {
				loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{FullyQualifiedName: l.LogicalID, Kind: "resource"})
			}
		}
		res.Locations = []sarifLocation{loc}
		run.Results = append(run.Results, res)
	}
	for _, fr := range r.Functions {
		for _, e := range fr.Expectations {
			if e.Passed {
				continue
			}
			msg := "expectation failed: " + e.Name + " (decision " + e.Decision + ", want " + e.Want + ")"
			for _, fx := range e.Fixes {
				msg += "\nfix: " + fx.Command
			}
			res := sarifResult{
				RuleID: e.ID, RuleIndex: index[e.ID], Level: "error",
				Message:             sarifText{msg},
				PartialFingerprints: map[string]string{"lambdaDoctorExpectation/v1": fingerprint(e.ID, fr.ARN, e.Name)},
				Properties:          map[string]any{"decision": e.Decision, "want": e.Want},
			}
			loc := sarifLocation{PhysicalLocation: fileAt(artifact, 1),
				LogicalLocations: []sarifLogical{{FullyQualifiedName: fr.ARN, Kind: "resource"}}}
			if r.Spec != "" && e.Line > 0 {
				loc.PhysicalLocation = fileAt(r.Spec, e.Line)
			}
			res.Locations = []sarifLocation{loc}
			run.Results = append(run.Results, res)
		}
	}
	return writeJSON(w, sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

func sarifMessage(f Finding) string {
	var b strings.Builder
	b.WriteString(f.Title)
	for _, e := range f.Evidence {
		b.WriteString("\n- " + evidenceText(e))
	}
	for _, fx := range f.Fixes {
		b.WriteString("\nfix: " + fx.Command)
	}
	if f.Advice != "" {
		b.WriteString("\n" + f.Advice)
	}
	return b.String()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
