package checks

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// Template is what `check --template` knows of the file its functions were
// read from (package account/template): where each resource is, and the
// values the file does not give.
type Template struct {
	File string `json:"file"`
	SAM  bool   `json:"sam"`
	// Unknowns are the values the template does not give, in the order of
	// the file, each with how to give it.
	Unknowns []TemplateValue `json:"unknowns"`
	// Resources are the locations of the template's resources by logical
	// id; RoleSources those of its roles by ARN.
	Resources   map[string]account.Location `json:"-"`
	RoleSources map[string]account.Location `json:"-"`
	// Sub is the expression that gives a marker in the template
	// (${AWS::AccountId}, ${Queue.QueueName}); "" when there is none. Fixes
	// written as template edits use it.
	Sub func(marker string) string `json:"-"`
	// ARNs are the logical ids of the template's functions and roles by
	// ARN; Account and Region the values given for its pseudo parameters.
	ARNs            map[string]string `json:"-"`
	Account, Region string            `json:"-"`
	// AccountRead says whether the values the template does not give were
	// read from the account it is deployed to, and where each came from.
	AccountRead *AccountRead `json:"account_read,omitempty"`
}

// AccountRead is what `check --template` read from the deployed account
// (docs/contract.md, "check --template").
type AccountRead struct {
	// Read is false when no account was read: --offline, or no
	// credentials; Note then says why and how to read one.
	Read bool   `json:"read"`
	Note string `json:"note,omitempty"`
	// Account and Region are the values of AWS::AccountId and AWS::Region,
	// and AccountFrom and RegionFrom where each came from (a flag, the
	// AWS configuration, sts:GetCallerIdentity).
	Account     string `json:"account,omitempty"`
	AccountFrom string `json:"account_from,omitempty"`
	Region      string `json:"region,omitempty"`
	RegionFrom  string `json:"region_from,omitempty"`
	// Stack is the deployed stack read (--stack-name), and StackStatus
	// its status; empty when none was read.
	Stack       string `json:"stack,omitempty"`
	StackStatus string `json:"stack_status,omitempty"`
	// Values are the values the account gave, each with where from.
	Values []ReadValue `json:"values,omitempty"`
	// KeptDefaults are the parameters whose template default is used
	// while the deployed stack has another value: the template is what
	// will be deployed, so its default wins; this says it.
	KeptDefaults []KeptDefault `json:"kept_defaults,omitempty"`
	// Unseen are the reads that failed or were not made: their values
	// stay unknown.
	Unseen []account.Unseen `json:"unseen,omitempty"`
}

// KeptDefault is a parameter whose template default is used while the
// deployed stack has another value.
type KeptDefault struct {
	Parameter string `json:"parameter"`
	Default   string `json:"default"`
	Deployed  string `json:"deployed"`
}

// Note is the sentence that says it.
func (k KeptDefault) Note() string {
	return fmt.Sprintf("parameter %s: the template's default %q is used; the deployed stack has %q", k.Parameter, k.Default, k.Deployed)
}

// ReadValue is one value of a template read from the account.
type ReadValue struct {
	// Kind is Parameter, ImportValue, PhysicalIds, Role or ManagedPolicy;
	// Name the parameter, the export, the stack or the ARN.
	Kind string `json:"kind"`
	Name string `json:"name"`
	From string `json:"from"`
}

// TemplateValue is one value the template does not give.
type TemplateValue struct {
	// Value is the marker that stands for it in requests, ARNs and
	// policies ({{unknown.KIND.DETAIL}}).
	Value string `json:"value"`
	// Kind says where it would come from: Parameter, ImportValue, Resolve,
	// Pseudo, NestedStack, CustomResource, Condition, ManagedPolicy, Role,
	// Definition, SAM.
	Kind string `json:"kind"`
	Name string `json:"name"`
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Path string `json:"path,omitempty"`
	// Supply says how to give it: a flag of `check --template`, or why it
	// cannot be given before deploy.
	Supply string `json:"supply"`
	// Decides counts the requirements and expectations it leaves
	// undecided.
	Decides int `json:"decides"`
}

// Supply says how a value of kind, named name, can be given to `check
// --template`.
func Supply(kind, name string) string {
	switch kind {
	case "Parameter":
		return "--parameter " + name + "=VALUE"
	case "Pseudo":
		switch name {
		case "AWS::AccountId":
			return "--account ID"
		case "AWS::Region":
			return "--region REGION"
		case "AWS::StackName", "AWS::StackId":
			return "--stack-name NAME"
		case "AWS::Partition", "AWS::URLSuffix":
			return "--region REGION (the partition follows from it)"
		}
		return "not known before deploy (" + name + ")"
	case "Condition":
		return "give the parameters condition " + name + " depends on with --parameter"
	case "ImportValue":
		return "the export " + name + " of another stack: not known before deploy; check the deployed account (check --all), or make it a parameter"
	case "Resolve":
		return "a dynamic reference resolved at deploy time: not known before deploy"
	case "NestedStack":
		return "an output of a nested stack: check the deployed account (check --all)"
	case "CustomResource":
		return "an attribute of a custom resource: not known before deploy"
	case "ManagedPolicy":
		return "a managed policy defined outside the template: its document is not known before deploy"
	case "Role":
		return "a role defined outside the template: its policies are not known before deploy"
	case "Definition":
		return "a definition stored in S3: not read"
	case "SAM":
		return "a SAM feature lambda-doctor does not model"
	}
	return "not known before deploy"
}

// Unresolved is a value a requirement's decision depends on that the model
// does not know, with where it comes from.
type Unresolved struct {
	Value  string `json:"value"`
	Source string `json:"source"`
	Supply string `json:"supply,omitempty"`
}

// unresolved lists what leaves a verdict of a template's model undecided:
// the values its decision depends on and the template's gaps (a role or
// policy defined outside it).
func (c *Checker) unresolved(v *judge.Verdict) []Unresolved {
	var out []Unresolved
	add := func(u account.Unseen) {
		for _, have := range out {
			if have.Value == u.Resource && have.Source == u.Error {
				return
			}
		}
		out = append(out, Unresolved{Value: u.Resource, Source: u.Error, Supply: c.supplyFor(u.Resource)})
	}
	for _, u := range v.Unresolved {
		add(u)
	}
	for _, u := range v.Unseen {
		if u.Operation == "template" {
			add(u)
		}
	}
	return out
}

// supplyFor says how to give the value a marker stands for.
func (c *Checker) supplyFor(marker string) string {
	if t := c.opts.Template; t != nil {
		for _, u := range t.Unknowns {
			if u.Value == marker {
				return u.Supply
			}
		}
	}
	if strings.HasPrefix(marker, account.GeneratedPrefix) {
		return "assigned by CloudFormation at deploy: check the deployed account (check --all)"
	}
	return ""
}

// locate points a finding at the template resource it is about: the
// trigger or permission that asks for it, else the role for a role's
// finding, else the function.
func (c *Checker) locate(f *Finding, fn *account.Function) {
	t := c.opts.Template
	if t == nil || f.Location != nil {
		return
	}
	if l, ok := t.RoleSources[f.Subject]; ok {
		f.Location = &l
		return
	}
	if fn != nil && fn.Source != nil {
		l := *fn.Source
		f.Location = &l
	}
}

// statementResource is the location of the resource a resource-policy
// statement comes from: the template reader names each statement after the
// AWS::Lambda::Permission that adds it.
func (c *Checker) statementResource(source string) *account.Location {
	t := c.opts.Template
	if t == nil || !strings.HasPrefix(source, "statement ") {
		return nil
	}
	sid := strings.Trim(strings.TrimPrefix(source, "statement "), `"`)
	if l, ok := t.Resources[sid]; ok {
		return &l
	}
	return nil
}

// fixTemplate is what package fix needs to write fixes as edits of t.
func (t *Template) fixTemplate() *fix.Template {
	if t == nil {
		return nil
	}
	return &fix.Template{File: t.File, SAM: t.SAM, Roles: t.RoleSources, Sub: t.Sub, ARNs: t.ARNs, Account: t.Account, Region: t.Region}
}

// needsValues drops the command of a fix that a template's model cannot
// fill in: an aws CLI line or Terraform with a value the template does not
// give is not safe to paste.
func needsValues(fx *fix.Fix) {
	if fx.Format != fix.CLI && fx.Format != fix.Terraform && fx.Format != "" {
		return
	}
	ms := judge.Markers(fx.Command)
	if len(ms) == 0 {
		return
	}
	fx.Command = ""
	fx.Verified = false
	fx.Explanation += "; the command needs " + strings.Join(ms, ", ") + ", which the template does not give: give them (--region, --account, --parameter) or write the fix as a template edit (--fix-format cloudformation or sam)"
}

// where renders a location for people: file:line (LogicalId).
func where(l *account.Location) string {
	if l == nil {
		return ""
	}
	s := l.File
	if l.Line > 0 {
		s += fmt.Sprintf(":%d", l.Line)
	}
	if l.LogicalID != "" {
		s += " (" + l.LogicalID + ")"
	}
	return s
}
