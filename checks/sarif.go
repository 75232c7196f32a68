package checks

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/url"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
)

// SARIF 2.1.0 (OASIS standard; schema in testdata/sarif-schema-2.1.0.json).
// Findings are about cloud resources, not files: their location is a
// logical location (the ARN of what the finding is about, and of every
// function it affects), plus a physical location, which GitHub code
// scanning requires: a repository file (SARIFOptions.Artifact, else the
// spec; a failed expectation points at its line in the spec, a finding of
// check --template at the line of its resource in the template), else the
// stable placeholder path of PlaceholderURI. A run that could not check
// everything says so in its invocation (executionSuccessful false, with
// the reasons).

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
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
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
	Name               string `json:"name,omitempty"`
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
	// any; else each result points at PlaceholderURI of its ARN.
	Artifact string
}

// PlaceholderURI is the repository-relative path a SARIF result points at
// when no file is given: lambda-doctor/ACCOUNT/REGION/SERVICE/RESOURCE,
// from the ARN ("global" for a service without regions, such as IAM), e.g.
// lambda-doctor/111122223333/us-east-1/lambda/function/order-processor. It
// is not a file of the repository; it is the same on every run, so code
// scanning follows an alert from run to run. Something that is not an ARN
// becomes lambda-doctor/NAME.
func PlaceholderURI(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "lambda-doctor/" + url.PathEscape(arn)
	}
	region := parts[3]
	if region == "" {
		region = "global"
	}
	segs := []string{"lambda-doctor", parts[4], region, parts[2]}
	for _, s := range strings.FieldsFunc(parts[5], func(r rune) bool { return r == ':' || r == '/' }) {
		segs = append(segs, s)
	}
	for i, s := range segs {
		if s == "" {
			s = "-"
		}
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// logicalLocations name what a result is about: subject, then every
// function it affects, once each.
func logicalLocations(subject string, functions []string) []sarifLogical {
	var out []sarifLogical
	seen := map[string]bool{}
	add := func(arn string) {
		if arn == "" || seen[arn] {
			return
		}
		seen[arn] = true
		out = append(out, sarifLogical{Name: lastSegment(arn), FullyQualifiedName: arn, Kind: "resource"})
	}
	add(subject)
	for _, f := range functions {
		add(f)
	}
	return out
}

// WriteSARIF renders the report as a SARIF 2.1.0 log.
func WriteSARIF(w io.Writer, r *Report, o SARIFOptions) error {
	version := o.Version
	artifact := o.Artifact
	if artifact == "" {
		artifact = r.Spec
	}
	// fileAt is the physical location of a result about arn: the file at
	// its line, else the placeholder of arn.
	fileAt := func(uri string, line int, arn string) *sarifPhysical {
		if uri == "" {
			return &sarifPhysical{ArtifactLocation: sarifArtifact{URI: PlaceholderURI(arn)}}
		}
		return &sarifPhysical{ArtifactLocation: sarifArtifact{URI: uri}, Region: &sarifRegion{StartLine: line}}
	}
	inv := sarifInvocation{ExecutionSuccessful: !r.Incomplete()}
	for _, reason := range r.IncompleteReasons() {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{Level: "error", Message: sarifText{reason}})
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "lambda-doctor",
			InformationURI: "https://github.com/lambda-doctor/lambda-doctor", Version: version}},
		Invocations: []sarifInvocation{inv},
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
		cmds, advice := fix.Split(f.Fixes)
		if len(cmds) > 0 {
			res.Properties["fixes"] = cmds
		}
		if len(advice) > 0 {
			res.Properties["fix_advice"] = advice
		}
		if f.Ambiguous != nil {
			// Undecided: never an error of the run.
			res.Level = "warning"
			res.Properties["ambiguous"] = f.Ambiguous
		}
		if f.Severity != rulesByID[f.ID].Severity {
			res.Properties["security-severity"] = securitySeverity(f.Severity)
		}
		loc := sarifLocation{PhysicalLocation: fileAt(artifact, 1, f.Subject),
			LogicalLocations: logicalLocations(f.Subject, f.Functions)}
		if l := f.Location; l != nil && l.File != "" {
			// check --template: the line of the template resource.
			loc.PhysicalLocation = fileAt(l.File, max(l.Line, 1), f.Subject)
			loc.PhysicalLocation.Region.StartColumn = l.Column
			if l.LogicalID != "" {
				loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{Name: l.LogicalID, FullyQualifiedName: l.LogicalID, Kind: "resource"})
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
			msg += fixLines(e.Fixes)
			res := sarifResult{
				RuleID: e.ID, RuleIndex: index[e.ID], Level: "error",
				Message:             sarifText{msg},
				PartialFingerprints: map[string]string{"lambdaDoctorExpectation/v1": fingerprint(e.ID, fr.ARN, e.Name)},
				Properties:          map[string]any{"decision": e.Decision, "want": e.Want},
			}
			loc := sarifLocation{PhysicalLocation: fileAt(artifact, 1, fr.ARN),
				LogicalLocations: logicalLocations(fr.ARN, nil)}
			if r.Spec != "" && e.Line > 0 {
				loc.PhysicalLocation = fileAt(r.Spec, e.Line, fr.ARN)
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
	if len(f.Functions) > 0 {
		b.WriteString("\n" + plural2(len(f.Functions), "function") + ": " + strings.Join(names(f.Functions), ", "))
	}
	for _, e := range f.Evidence {
		b.WriteString("\n- " + evidenceText(e))
	}
	b.WriteString(fixLines(f.Fixes))
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

// fixLines are the fixes for a message: "fix: COMMAND" each, and for one
// that is no command, who must act and what.
func fixLines(fixes []fix.Fix) string {
	var b strings.Builder
	for _, fx := range fixes {
		switch {
		case fx.Command != "":
			b.WriteString("\nfix: " + fx.Command)
		case fx.Owner != "":
			b.WriteString("\nno command: " + fx.Owner + " must act: " + fx.Explanation)
		default:
			b.WriteString("\nno command: " + fx.Explanation)
		}
	}
	return b.String()
}
