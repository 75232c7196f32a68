// Package template reads an AWS CloudFormation template (YAML with the
// short-form intrinsic functions, or JSON), a SAM template
// (Transform: AWS::Serverless-2016-10-31) or the output of `cdk synth`, into
// the account model the live reader builds: one *account.Function per
// AWS::Lambda::Function (or AWS::Serverless::Function), with its
// configuration, execution role (trust, inline, managed and boundary
// policies with their documents), resource policy (from
// AWS::Lambda::Permission and AWS::Lambda::ResourcePolicy), URLs, event
// source mappings, asynchronous destinations, aliases and versions, and a
// trigger for every caller the template wires to it.
//
// # Unknown values
//
// A template cannot know everything: an !ImportValue, a parameter with no
// default and no --parameter, a dynamic reference ({{resolve:...}}), the
// account and region when not given, the outputs of a nested stack, the
// document of a managed policy defined elsewhere. The reader never guesses
// them. Such a value becomes a marker inside the string where it stands
// ({{unknown.KIND.DETAIL}}, see account.HasUnknown), so an ARN keeps its
// shape, and it is listed in Result.Unknowns with the place in the template
// that asked for it. Each function also gets one Unseen entry with
// Operation "template" for each unknown its model depends on, so the
// packages that judge treat it as they treat a read that could not be made:
// a requirement that depends on it is undecided.
//
// Names and ids CloudFormation assigns at deploy time (a function without
// FunctionName, an API id, a version number) are {{generated.KIND.ID}}
// markers: unknown before deploy, but used consistently by the template, so
// a policy that names the function by !GetAtt matches the function.
// Options.PhysicalIDs replaces them with the ids of a deployed stack.
//
// # Locations
//
// Every function carries Source: the file, line and column of its resource
// and its logical id; every trigger carries the resource that wires it.
// Result.Resources gives the location of every resource, for findings that
// point at a role or a permission.
package template

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/limits"
)

// MaxSize is the largest template file Read reads. CloudFormation accepts
// template bodies of up to 1 MB ("CloudFormation quotas", AWS CloudFormation
// user guide); `cdk synth` output of large apps can exceed that only when
// deployed through S3 assets, so the limit leaves room.
var MaxSize int64 = 16 << 20

// Options say what a template cannot: where it is deployed and the values
// of its parameters.
type Options struct {
	// Region and Account are the values of AWS::Region and AWS::AccountId;
	// empty leaves them unknown.
	Region  string
	Account string
	// Partition is the value of AWS::Partition; empty: the partition of
	// Region (aws-cn for cn-*, aws-us-gov for us-gov-*, aws-iso* for the
	// isolated regions), else "aws".
	Partition string
	// StackName is the value of AWS::StackName; empty leaves it unknown.
	StackName string
	// Parameters override the template's parameter defaults (--parameter
	// K=V). A list parameter takes a comma-separated value.
	Parameters map[string]string
	// PhysicalIDs are the physical ids of the resources of a deployed stack,
	// by logical id, as `aws cloudformation describe-stack-resources` lists
	// them; they replace the generated names and ids.
	PhysicalIDs map[string]string
	// SizeFlag names the flag that raises MaxSize, for the error message.
	SizeFlag string

	// Values read from the deployed account (`check --template` with
	// credentials). Each fills only what the template and Parameters leave
	// unknown, and Result.Filled names every value it gave.
	//
	// StackParameters are the parameter values of the deployed stack
	// (cloudformation:DescribeStacks). One fills a parameter that has no
	// Parameters value and no Default; not one that is NoEcho or masked
	// (DescribeStacks shows a NoEcho value as asterisks), nor one that is
	// not among the parameter's AllowedValues. Of a Systems Manager
	// parameter type the value is the SSM parameter's name.
	StackParameters map[string]string
	// StackResolved are the values the deployed stack resolved for its
	// Systems Manager parameter types, by key (DescribeStacks'
	// ResolvedValue, "returned only for Systems Manager parameter types in
	// the template", AWS CloudFormation API Reference, Parameter). One
	// fills such a parameter when the SSM parameter's name the template
	// gives (--parameter, else the Default) is the one the stack resolved
	// (StackParameters), or the template gives none; never a NoEcho one.
	StackResolved map[string]string
	// Exports are the region's exports by name
	// (cloudformation:ListExports), for Fn::ImportValue.
	Exports map[string]string
	// Roles are roles the template names by ARN but does not define (an
	// execution role, an invoking role), read from the account, by ARN.
	Roles map[string]OutsideRole
	// ManagedPolicies are managed policies the template attaches by ARN
	// whose document neither the template nor the embedded AWS managed
	// policies give, read from the account, by ARN.
	ManagedPolicies map[string]account.ManagedPolicy
}

// OutsideRole is a role read from the account, with the reads of it that
// failed: a function that uses it gets them as Unseen, so what they would
// have shown leaves its requirements undecided, as on a live account.
type OutsideRole struct {
	Role   *account.Role
	Unseen []account.Unseen
}

// Filled is a value the template does not give that came from Options'
// account values.
type Filled struct {
	// Kind is "Parameter", "ImportValue", "Role" or "ManagedPolicy"; Name
	// the parameter, the export's name or the ARN.
	Kind, Name string
	// Resolved is, for a Systems Manager parameter type filled with the
	// stack's ResolvedValue (Options.StackResolved), the name of the SSM
	// parameter whose value it is.
	Resolved string
}

// KeptDefault is a parameter whose Default the template uses while the
// deployed stack has another value: the template is what will be
// deployed, so its Default wins.
type KeptDefault struct {
	Name, Default, Deployed string
}

// Result is what a template says about its functions.
type Result struct {
	File string
	// Functions are the template's functions in logical-id order. Functions
	// that share an execution role share the *account.Role.
	Functions []*account.Function
	// Origin is the account, region and partition the model assumes (from
	// Options; empty when unknown).
	Origin account.Origin
	// Unknowns are the values the template cannot know, each once, in the
	// order of the template.
	Unknowns []Unknown
	// Resources are the location and type of every resource, by logical id
	// (SAM resources and the resources SAM generates from them included;
	// a generated resource has the location of the SAM resource).
	Resources map[string]Resource
	// SAM is true when the template uses the SAM transform.
	SAM bool
	// RoleSources are the locations of the template's roles by ARN (the
	// execution roles and the invoking roles of triggers), for findings on
	// a role.
	RoleSources map[string]account.Location
	// ExternalRoles are the ARNs of the roles the template names but does
	// not define and Options.Roles does not give (execution roles and
	// invoking roles), sorted; ExternalPolicies those of the managed
	// policies whose document nothing gives. An ARN with an unknown or
	// generated value in it is not listed.
	ExternalRoles    []string
	ExternalPolicies []string
	// Filled are the values Options' account values gave, in the order
	// the reader used them.
	Filled []Filled
	// KeptDefaults are the parameters whose template Default is used while
	// the deployed stack (Options.StackParameters) has another value, in
	// the order of the template.
	KeptDefaults []KeptDefault
}

// Resource is one resource of the template.
type Resource struct {
	Type     string
	Location account.Location
}

// Unknown is a value the template cannot know.
type Unknown struct {
	// Marker is the text that stands for the value in the model's strings.
	Marker string
	// Kind says where the value would come from: "Parameter",
	// "ImportValue", "Resolve" (a dynamic reference), "Pseudo" (AWS::Region,
	// AWS::AccountId...), "NestedStack", "CustomResource", "Condition" (a
	// condition that depends on an unknown), "ManagedPolicy" (a managed
	// policy whose document is not in the template or the embedded AWS
	// data), "Role" (an execution role defined outside the template),
	// "Definition" (an API or state machine definition in S3), "SAM" (a SAM
	// feature the reader does not model).
	Kind string
	Name string
	// Location is where the value comes from (a parameter's declaration)
	// or where the template first uses it, and Path the element there.
	Location account.Location
	Path     string
}

func (u Unknown) String() string {
	loc := u.Location.File
	if u.Location.Line > 0 {
		loc += fmt.Sprintf(":%d", u.Location.Line)
	}
	return fmt.Sprintf("%s: %s: %s %s", loc, u.Path, u.Kind, u.Name)
}

// ParseParameters turns --parameter values (KEY=VALUE, repeatable) into
// Options.Parameters. A value may contain '='; a key may not be empty or
// given twice.
func ParseParameters(kvs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("--parameter %q: want KEY=VALUE", kv)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("--parameter %s given twice", k)
		}
		out[k] = v
	}
	return out, nil
}

// Read reads the template file at path.
func Read(path string, opts Options) (*Result, error) {
	data, err := limits.ReadFile(path, MaxSize, opts.SizeFlag)
	if err != nil {
		if limits.IsTooLarge(err) {
			return nil, &Error{File: path, Err: err}
		}
		return nil, &Error{File: path, Msg: "cannot read the template", Err: err}
	}
	return Parse(path, data, opts)
}

// Parse reads a template from data; file names it in errors and locations.
func Parse(file string, data []byte, opts Options) (*Result, error) {
	if int64(len(data)) > MaxSize {
		return nil, &Error{File: file, Err: &limits.TooLargeError{What: file, Limit: MaxSize, Flag: opts.SizeFlag}}
	}
	root, err := parse(file, data)
	if err != nil {
		return nil, err
	}
	t, err := newTmpl(file, root, opts)
	if err != nil {
		return nil, err
	}
	return t.build()
}

func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}

func urlSuffix(partition string) string {
	switch partition {
	case "aws-cn":
		return "amazonaws.com.cn"
	case "aws-iso":
		return "c2s.ic.gov"
	case "aws-iso-b":
		return "sc2s.sgov.gov"
	}
	return "amazonaws.com"
}

// sortedIDs returns the keys of m in order.
func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
