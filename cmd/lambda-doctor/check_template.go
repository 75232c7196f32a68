package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/account/template"
	"github.com/lambda-doctor/lambda-doctor/checks"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
)

// `check --template`: the functions of an infrastructure template, judged
// before deploy (docs/contract.md, "check --template").

var (
	accountID  = regexp.MustCompile(`^\d{12}$`)
	regionName = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	stackName  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)
)

// templateOptionsFrom reads --template and the flags that go with it.
func templateOptionsFrom(c *cli.Context, o *checkOptions) error {
	o.Template = c.String("template")
	onlyTemplate := []string{"parameter", "account", "stack-name", "offline"}
	if o.Template == "" {
		for _, f := range onlyTemplate {
			if c.IsSet(f) {
				return usageErrorf("--%s goes with --template FILE", f)
			}
		}
		return nil
	}
	if c.IsSet("snapshot") {
		return usageErrorf("give --template or --snapshot, not both")
	}
	if c.Bool("offline") && fromCommandLine(c, "profile") {
		return usageErrorf("--offline reads no account: --profile does not apply")
	}
	params, err := template.ParseParameters(c.StringSlice("parameter"))
	if err != nil {
		return usageErrorf("%v", err)
	}
	to := template.Options{Region: c.String("region"), Account: c.String("account"), StackName: c.String("stack-name"), Parameters: params}
	if to.Account != "" && !accountID.MatchString(to.Account) {
		return usageErrorf("--account must be a 12-digit account id, not %q", to.Account)
	}
	if to.Region != "" && !regionName.MatchString(to.Region) {
		return usageErrorf("--region %q is not a region name such as us-east-1", to.Region)
	}
	if to.StackName != "" && !stackName.MatchString(to.StackName) {
		return usageErrorf("--stack-name %q is not a stack name (a letter, then letters, digits and hyphens, at most 128)", to.StackName)
	}
	o.TemplateOpts = to
	o.AccountPlan = planAccountRead(c.Bool("offline"), fromCommandLine(c, "profile"), c.String("profile"))
	if to.Region != "" {
		o.AccountPlan.RegionFrom = regionFrom(fromCommandLine(c, "region"))
	}
	return nil
}

// checkTemplateReport reads the template and checks its functions. A
// template that cannot be read is bad input (exit 2, with file:line).
func checkTemplateReport(ctx context.Context, o *checkOptions) (*checks.Report, error) {
	res, opts, ar, err := readTemplate(ctx, o.Template, o.TemplateOpts, o.AccountPlan)
	if err != nil {
		return nil, err
	}
	tpl := &checks.Template{File: res.File, SAM: res.SAM, Resources: map[string]account.Location{}, RoleSources: res.RoleSources,
		Sub: subFor(res), ARNs: map[string]string{}, Account: opts.Account, Region: opts.Region, AccountRead: ar}
	for _, fn := range res.Functions {
		if fn.Source != nil {
			tpl.ARNs[fn.ARN] = fn.Source.LogicalID
		}
	}
	for arn, l := range res.RoleSources {
		if r, ok := res.Resources[l.LogicalID]; ok && r.Type == "AWS::IAM::Role" {
			tpl.ARNs[arn] = l.LogicalID
		}
	}
	for id, r := range res.Resources {
		tpl.Resources[id] = r.Location
	}
	for _, u := range res.Unknowns {
		tpl.Unknowns = append(tpl.Unknowns, checks.TemplateValue{Value: u.Marker, Kind: u.Kind, Name: u.Name,
			File: u.Location.File, Line: u.Location.Line, Path: u.Path, Supply: checks.Supply(u.Kind, u.Name)})
	}
	format := o.FixFormat
	if format == "" {
		format = fix.CloudFormation
		if res.SAM {
			format = fix.SAM
		}
	}
	co := checks.Options{FailOn: o.FailOn, Spec: o.Spec, Function: o.Function, Ignore: o.Ignore,
		FixFormat: format, Template: tpl}
	if ar.Read {
		// A fix on what was read (a role outside the template) runs with
		// the credentials that read it.
		co.Profile = o.AccountPlan.Profile
	}
	c := checks.New(co)
	checked := 0
	for _, fn := range res.Functions {
		if o.Function != "" && !namesFunction(fn, o.Function) {
			continue
		}
		c.Check(fn)
		checked++
	}
	if o.Function != "" && checked == 0 {
		var names []string
		for _, fn := range res.Functions {
			names = append(names, fn.Source.LogicalID)
		}
		return nil, badInput(fmt.Errorf("%s defines no function %q (its functions: %s)", o.Template, o.Function, strings.Join(names, ", ")))
	}
	if o.SARIFFile == "" {
		o.SARIFFile = o.Template
	}
	rep := c.Report()
	if o.Spec != nil {
		if err := specFunctionsFound(o.Spec, rep, o.Function); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// namesFunction reports whether name is fn's name, ARN or logical id.
func namesFunction(fn *account.Function, name string) bool {
	return fn.Name == name || fn.ARN == name || (fn.Source != nil && fn.Source.LogicalID == name)
}

// nameAttribute is the expression that gives the name CloudFormation
// assigns to a resource of a type ("" for types whose name no attribute
// gives): Ref for most, an attribute where Ref gives the URL or the ARN
// (AWS CloudFormation User Guide, each type's "Return values").
var nameAttribute = map[string]string{
	"AWS::Lambda::Function":            "${%s}",
	"AWS::Serverless::Function":        "${%s}",
	"AWS::IAM::Role":                   "${%s}",
	"AWS::DynamoDB::Table":             "${%s}",
	"AWS::Serverless::SimpleTable":     "${%s}",
	"AWS::S3::Bucket":                  "${%s}",
	"AWS::Logs::LogGroup":              "${%s}",
	"AWS::Kinesis::Stream":             "${%s}",
	"AWS::SQS::Queue":                  "${%s.QueueName}",
	"AWS::SNS::Topic":                  "${%s.TopicName}",
	"AWS::StepFunctions::StateMachine": "${%s.Name}",
}

// subFor maps the markers of a template's model to the !Sub expressions
// that give them in the template: its parameters and pseudo parameters,
// and the names it leaves to CloudFormation.
func subFor(res *template.Result) func(string) string {
	exprs := map[string]string{}
	for _, u := range res.Unknowns {
		switch u.Kind {
		case "Parameter", "Pseudo":
			exprs[u.Marker] = "${" + u.Name + "}"
		}
	}
	return func(m string) string {
		if e, ok := exprs[m]; ok {
			return e
		}
		if !strings.HasPrefix(m, account.GeneratedPrefix) {
			return ""
		}
		kind, id, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(m, account.GeneratedPrefix), account.MarkerEnd), ".")
		r, ok := res.Resources[id]
		switch {
		case !ok:
			return ""
		case kind == "Ref", kind == "RestApiId", kind == "ApiId", kind == "KeyId", kind == "DistributionId":
			// What Ref gives for these types.
			return "${" + id + "}"
		case kind == "Name" && nameAttribute[r.Type] != "":
			return fmt.Sprintf(nameAttribute[r.Type], id)
		}
		return ""
	}
}
