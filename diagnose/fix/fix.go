// Package fix turns a verdict of package judge into the smallest change that
// opens the door for exactly its request, verified by judging the request
// again on a copy of the function with the change applied, and writes it
// in every format: an aws CLI command line, CloudFormation, SAM or
// Terraform. It never grants Principal "*" except the two function-URL
// grants, scoped by lambda:FunctionUrlAuthType NONE and
// lambda:InvokedViaFunctionUrl.
package fix

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Format is how a fix is written (--fix-format).
type Format string

// Fix formats.
const (
	CLI            Format = "cli"
	CloudFormation Format = "cloudformation"
	SAM            Format = "sam"
	Terraform      Format = "terraform"
)

// Formats lists the fix formats.
var Formats = []Format{CLI, CloudFormation, SAM, Terraform}

// Fix is the smallest change that opens one door for one request. Its JSON
// is the contract's fixes[] item (docs/contract.md).
type Fix struct {
	// Command is one line that pastes into bash unchanged (JSON arguments
	// single-quoted), or a CloudFormation/SAM/Terraform snippet for the
	// other formats. Empty when nobody in this account can apply the fix:
	// then Owner says who must act.
	Command     string `json:"command" term:"lines"`
	Explanation string `json:"explanation"`
	// Verified is true when the fix, applied to an in-memory copy of the
	// function's model, makes every probe of the verdict allow.
	Verified bool       `json:"verified"`
	Door     judge.Door `json:"door"`
	Format   Format     `json:"format"`
	// Owner names who must act when it is not this account's operator
	// (the organization's administrators for an SCP/RCP, the caller
	// account's owner for its identity side).
	Owner string `json:"owner,omitempty"`
	// Document is the new policy document when the fix replaces one
	// (trust policy, an edited identity policy or boundary), or what
	// another account's owner must grant.
	Document string `json:"document,omitempty" term:"lines"`
}

// Advice is a fix that cannot be given as a command to run: who must act
// when it is not this account's operator (another account's owner, the
// organization's administrators, a VPC endpoint's owner) and what they
// must do, or why no safe command can be printed. The JSON outputs give
// advice its own field (fix_advice), so that every fixes[].command runs.
type Advice struct {
	Door        judge.Door `json:"door"`
	Owner       string     `json:"owner,omitempty"`
	Explanation string     `json:"explanation"`
	Document    string     `json:"document,omitempty" term:"lines"`
}

// formatNames are the formats as people write them.
var formatNames = map[Format]string{CloudFormation: "CloudFormation", SAM: "SAM", Terraform: "Terraform"}

// CLIOnly marks fixes that have no form in format f (a key policy edit, a
// key to enable, an edited deny, a cause that is not a grant) as what they
// are: aws CLI commands, whose explanation says that the form asked for
// does not exist, rather than passing them off silently.
func CLIOnly(fixes []Fix, f Format) []Fix {
	out := make([]Fix, len(fixes))
	for i, fx := range fixes {
		fx.Format = CLI
		if name := formatNames[f]; name != "" && fx.Command != "" {
			fx.Explanation = "no " + name + " form for this change, so the aws CLI command: " + fx.Explanation
		}
		out[i] = fx
	}
	return out
}

// Split separates the fixes that are commands from those that are advice
// (no command), each list in its order.
func Split(fs []Fix) (commands []Fix, advice []Advice) {
	for _, f := range fs {
		if f.Command != "" {
			commands = append(commands, f)
			continue
		}
		advice = append(advice, Advice{Door: f.Door, Owner: f.Owner, Explanation: f.Explanation, Document: f.Document})
	}
	return commands, advice
}

// BasicExecutionRoleARN is the AWS managed policy that lets a function
// write its logs (Lambda DG lambda-intro-execution-role).
const BasicExecutionRoleARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

// basicExecutionRoleARN is BasicExecutionRoleARN in partition part (the
// AWS managed policies of aws-cn and aws-us-gov have their partition's
// ARNs).
func basicExecutionRoleARN(part string) string {
	if part == "" {
		part = "aws"
	}
	return strings.Replace(BasicExecutionRoleARN, "arn:aws:", "arn:"+part+":", 1)
}

// awsManaged reports whether arn is an AWS managed policy, in any
// partition.
func awsManaged(arn string) bool {
	p := strings.SplitN(arn, ":", 6)
	return len(p) == 6 && p[0] == "arn" && p[2] == "iam" && p[4] == "aws"
}

// basicExecutionRoleDoc is its document (version 1) for verification.
const basicExecutionRoleDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`

// For synthesises the smallest fixes that open the verdict's door for its
// request, in the order they are to be applied, and verifies them: each is
// applied (with the ones before it) to a copy of fn and the verdict's
// request is judged again; Verified is true when it is then allowed under
// every reading of the documentation (judge.Verdict.Open: no
// simulate.Ambiguity left), and every command of a chain is Verified when
// the whole chain opens the door. An ambiguous verdict (open under one
// reading, closed under the other) gets the fix that makes it certain.
// A fix nobody in this account can apply (an SCP or RCP, the identity side
// of a caller in another account) has no Command and names its Owner. An
// open or undecided verdict has no fixes. Fixes of several verdicts that
// are to be pasted one after another come from one Set.
func For(fn *account.Function, v *judge.Verdict, f Format) []Fix {
	return NewSet().For(fn, v, f)
}

// Set builds the fixes of one report, to be applied one after another:
// each verdict's fixes are planned on the model with the fixes before them
// applied, so that no two write the same inline policy or statement id, and
// a second edit of a policy (a boundary, a resource policy) keeps what the
// first added. A role or a function met again (a role shared by several
// functions) carries its earlier fixes. Not safe for concurrent use.
type Set struct {
	// Profile is the named profile the account was read with (from
	// --profile or AWS_PROFILE), "" for none: every command carries it
	// (see Target).
	Profile string

	roles    map[string]*account.Role            // by role ARN, with the fixes so far
	policies map[string][]account.ResourcePolicy // by function ARN
	// Template, when set, writes the CloudFormation and SAM fixes as edits
	// of the template the model was read from.
	Template *Template
}

// CoveredAbove is the explanation of the one fix of a door that an earlier
// fix of the same Set opens too (a role shared by several functions): it
// has no command.
const CoveredAbove = "a fix printed above for this function (or its role) also opens this door: apply that one"

// NewSet returns an empty Set.
func NewSet() *Set {
	return &Set{roles: map[string]*account.Role{}, policies: map[string][]account.ResourcePolicy{}}
}

// For is the package's For, planned on fn with the Set's earlier fixes
// applied, and records this verdict's fixes in the Set.
func (s *Set) For(fn *account.Function, v *judge.Verdict, f Format) []Fix {
	if v == nil || v.Unknown || v.Decision == "" || (v.Decision == simulate.Allow && v.Cause == nil && !v.IsAmbiguous()) {
		return nil
	}
	if f == "" {
		f = CLI
	}
	if v.Blamed != "" {
		return []Fix{blamedFix(fn, v)}
	}
	if v.Cause != nil {
		// Something other than a missing grant decides first: its own fix,
		// never a grant.
		return causeFixes(fn, v, *v.Cause, TargetOf(fn, s.Profile))
	}
	base, changed := s.base(fn)
	if changed {
		// Judged again on the model with the earlier fixes applied, so that
		// the plans edit the documents as they then are.
		v = judge.Recheck(base, v)
		if v.Open() {
			// An earlier fix of this report opens this door too.
			return []Fix{{Door: v.Door, Format: f, Explanation: CoveredAbove}}
		}
	}
	t := TargetOf(fn, s.Profile)
	// A door open under the engine's reading and closed under the other
	// gets the change that closes the gap under that reading: planned on
	// its results, verified (below) to leave the door open under both.
	pv := v
	if v.Decision == simulate.Allow && v.IsAmbiguous() {
		pv = v.UnderOtherReading()
	}
	plans := planFixes(base, pv, t)
	work := cloneFunction(base)
	var out []Fix
	for _, p := range plans {
		fix := p.fix
		// Judged on the command line, whatever the format: an IaC form
		// quotes its values its own way, but carries the same ones.
		unsafe := UnsafeCommand(fix.Command)
		if p.apply != nil {
			// Applied even when no command is printed for it: the operator
			// applies it by hand, and the fixes after it build on it.
			if err := p.apply(work); err == nil && fix.Command != "" {
				if judge.Recheck(work, v).Open() {
					fix.Verified = true
				}
			}
		}
		if f != CLI && p.iac != nil {
			fix.Command = t.iacComment(f) + "\n" + p.iac(render{f: f, t: s.Template, fn: fn})
			fix.Format = f
		} else {
			fix = CLIOnly([]Fix{fix}, f)[0]
			if fix.Command != "" && !t.known() {
				fix = refused(fix, fmt.Sprintf("the function's region (%q) is not a region name, so no command can be pinned to it: a command without --region would act in the shell's default region", t.Region))
			}
		}
		if why := UnsafeCommand(fix.Command); why != "" {
			unsafe = why
		}
		if unsafe != "" && fix.Command != "" {
			fix = refused(fix, unsafe)
		}
		out = append(out, fix)
	}
	// Fixes that must be applied together (a deny edited out, then the
	// missing allow) are verified together: when the last one opens the
	// door, every command before it is part of the verified change.
	if n := len(out); n > 1 && out[n-1].Verified {
		for i := range out {
			if out[i].Command != "" {
				out[i].Verified = true
			}
		}
	}
	if a := v.Ambiguity(); a != nil && a.Unread() && v.Decision == simulate.Allow {
		// Open as read, closed only for a value lambda-doctor did not read
		// (a tag, an alias): the change that would close the gap edits a
		// Deny conditioned on that value, usually a deliberate guardrail.
		// Printed as advice, never as a command to paste at 3 a.m.
		for i := range out {
			if out[i].Command != "" {
				out[i] = refused(out[i], "the door is open as read; only a value lambda-doctor did not read would close it (see undecided): check that value first, and change a deny conditioned on it only on purpose")
			}
		}
	} else if a != nil {
		both := "; with it the door is open under both readings of the IAM User Guide (no wildcard inside an ARN segment decides it)"
		if a.Unread() {
			both = "; with it the door is open whatever the values lambda-doctor did not read"
		}
		for i := range out {
			if out[i].Verified {
				out[i].Explanation += both
			}
		}
	}
	s.keep(work)
	return out
}

// base is a copy of fn with the Set's earlier fixes applied, and whether
// there were any.
func (s *Set) base(fn *account.Function) (*account.Function, bool) {
	b := cloneFunction(fn)
	changed := false
	if fn.Role != nil {
		if r := s.roles[fn.Role.ARN]; r != nil {
			b.Role = cloneRole(r)
			changed = true
		}
	}
	if p, ok := s.policies[fn.ARN]; ok {
		b.ResourcePolicies = append([]account.ResourcePolicy(nil), p...)
		changed = true
	}
	return b, changed
}

// keep records the state of a function with fixes applied.
func (s *Set) keep(work *account.Function) {
	if work.Role != nil {
		s.roles[work.Role.ARN] = work.Role
	}
	s.policies[work.ARN] = work.ResourcePolicies
}

// plan is one fix with how to apply it to the model and render it as IaC.
type plan struct {
	fix   Fix
	apply func(*account.Function) error
	iac   func(render) string
	// key is a KMS key the plan acts on that the model may not hold (one
	// a pasted text told about).
	key *account.Key
}

// refused is f without its command, saying why none is printed.
func refused(f Fix, why string) Fix {
	f.Command, f.Verified = "", false
	f.Explanation = "no command: " + why + "; the fix was: " + f.Explanation
	return f
}

func planFixes(fn *account.Function, v *judge.Verdict, t Target) []plan {
	var plans []plan
	// Explicit denies first: each is edited out for this request only.
	seen := map[string]bool{}
	for _, pr := range v.Probes {
		if pr.Result == nil || pr.Result.Decision != simulate.ExplicitDeny {
			continue
		}
		for _, d := range pr.Result.Deciding {
			key := d.Policy + "#" + d.Statement
			if seen[key] {
				continue
			}
			seen[key] = true
			plans = append(plans, denyPlan(fn, v, pr.Input.Request, d, t))
		}
	}
	// Then the missing allows, judged on the model with the denies edited
	// out, layer by layer.
	work, nv := fn, v
	if len(plans) > 0 {
		work = cloneFunction(fn)
		for _, p := range plans {
			if p.apply != nil {
				_ = p.apply(work)
			}
		}
		nv = judge.Recheck(work, v)
	}
	if nv.Unknown || nv.Decision != simulate.ImplicitDeny {
		return plans
	}
	switch v.Door {
	case judge.Inbound:
		plans = append(plans, inboundPlans(work, nv, t)...)
	case judge.Trust:
		plans = append(plans, trustPlan(work, nv, t))
	case judge.Logs:
		plans = append(plans, logsPlans(work, nv, t)...)
	case judge.Outbound:
		plans = append(plans, outboundPlans(work, nv, t)...)
	}
	return plans
}

// missingLayers are the layers of the failing probes that allow nothing.
func missingLayers(v *judge.Verdict) map[string]bool {
	out := map[string]bool{}
	for _, pr := range v.Probes {
		if pr.Result == nil || pr.Result.Decision == simulate.Allow {
			continue
		}
		for _, l := range pr.Result.Layers {
			if l.Decision != simulate.Allow && !strings.HasPrefix(l.Note, "not evaluated") {
				out[l.Layer] = true
			}
		}
	}
	return out
}

// orgOwner is who must act on an organization policy.
const orgOwner = "the AWS Organizations administrators (management account or delegated administrator)"

// orgOwnerOf names who must act on organization policy policyARN (""
// when not known): the management account, from the model or from the
// policy's ARN (arn:aws:organizations::MANAGEMENT:policy/o-ORG/...), or a
// delegated administrator; never the member account (Organizations UG,
// SCPs and RCPs).
func orgOwnerOf(fn *account.Function, policyARN string) string {
	mgmt := ""
	if fn.Org != nil {
		mgmt = fn.Org.ManagementAccount
	}
	if a := account.ARNField(policyARN, 4); mgmt == "" && account.IsAccountID(a) {
		mgmt = a
	}
	if mgmt == "" || mgmt == fn.Account {
		return orgOwner
	}
	return "the AWS Organizations administrators: management account " + mgmt + " or a delegated administrator"
}

// orgPolicyWhere says which organization policy a name is and where it is
// attached: "policy p-dk9w1x2y, attached to ou-ab12-payments,".
func orgPolicyWhere(fn *account.Function, policyARN string) string {
	id := policyARN
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	s := "policy " + id
	if o := fn.Org; o != nil {
		for _, levels := range [][][]account.ManagedPolicy{o.SCPs, o.RCPs} {
			for i, l := range levels {
				for _, p := range l {
					if p.ARN == policyARN && i < len(o.Path) {
						return s + ", attached to " + o.Path[i] + ","
					}
				}
			}
		}
	}
	return s
}

// lambdasOwnCall explains a call Lambda makes itself that an organization
// policy refuses.
func lambdasOwnCall(v *judge.Verdict, r simulate.Request) string {
	if c := v.CallFor(r); c == nil || !c.ByLambda {
		return ""
	}
	return "; Lambda makes this call itself with the execution role, from outside the function's VPC and execution environment, so it carries no aws:SourceVpc and no lambda:SourceFunctionArn (Lambda DG lambda-intro-execution-role; IAM UG global condition keys): a network perimeter that requires aws:SourceVpc refuses it, and one scoped to the function's code with lambda:SourceFunctionArn does not (as in the AWS data perimeter examples' Lambda policy)"
}

// orgPlan names who must act on an SCP or RCP.
func orgPlan(door judge.Door, layer string, r simulate.Request) plan {
	kind := "service control policies (SCPs)"
	if layer == simulate.LayerRCP {
		kind = "resource control policies (RCPs)"
	}
	return plan{fix: Fix{
		Door:        door,
		Owner:       orgOwner,
		Explanation: fmt.Sprintf("the organization's %s allow nothing that matches %s on %s; this account cannot change them: ask the organization's administrators to allow it", kind, r.Action, r.Resource),
	}}
}

// orgPlans is the org plan when an SCP or RCP layer allows nothing.
func orgPlans(door judge.Door, missing map[string]bool, r simulate.Request) ([]plan, bool) {
	for _, l := range []string{simulate.LayerRCP, simulate.LayerSCP} {
		if missing[l] {
			return []plan{orgPlan(door, l, r)}, true
		}
	}
	return nil, false
}

// cloneFunction deep-copies the parts of fn that fixes change.
func cloneFunction(fn *account.Function) *account.Function {
	c := *fn
	c.ResourcePolicies = append([]account.ResourcePolicy(nil), fn.ResourcePolicies...)
	c.Role = cloneRole(fn.Role)
	if len(fn.Triggers) > 0 {
		c.Triggers = append([]account.Trigger(nil), fn.Triggers...)
	}
	if len(fn.Keys) > 0 {
		c.Keys = make([]*account.Key, len(fn.Keys))
		for i, k := range fn.Keys {
			kc := *k
			kc.Grants = append([]account.Grant(nil), k.Grants...)
			c.Keys[i] = &kc
		}
	}
	return &c
}

func cloneRole(r *account.Role) *account.Role {
	if r == nil {
		return nil
	}
	c := *r
	c.Inline = append([]account.InlinePolicy(nil), r.Inline...)
	c.Managed = append([]account.ManagedPolicy(nil), r.Managed...)
	if r.Boundary != nil {
		b := *r.Boundary
		c.Boundary = &b
	}
	return &c
}

// blamedFix names who must act on a denial in a policy the model does not
// hold; no command is offered (nothing here could be verified).
func blamedFix(fn *account.Function, v *judge.Verdict) Fix {
	r := v.Request()
	role := fn.Config.RoleARN
	f := Fix{Door: v.Door}
	switch v.Blamed {
	case "VPC endpoint":
		f.Owner = "the owner of the VPC endpoint the function's traffic goes through (the network team)"
		f.Explanation = fmt.Sprintf("AWS reported that the VPC endpoint policy does not allow %s on %s; the role's own policies do, so changing them would not help: the endpoint policy must allow the request (aws ec2 describe-vpc-endpoints shows it; edit it with aws ec2 modify-vpc-endpoint --policy-document)", r.Action, r.Resource)
	case "resource-based":
		f.Owner = "the owner of " + r.Resource
		f.Explanation = fmt.Sprintf("AWS reported that the resource-based policy of %s does not allow %s for role %s; that policy is not in the model and the role's own policies allow the call: the resource's policy (bucket, key, queue or topic policy) must allow it", r.Resource, r.Action, role)
	case "ECR repository":
		f.Owner = "the owner of the ECR repository " + r.Resource
		f.Explanation = fmt.Sprintf("Lambda could not pull the container image: the repository policy of %s must allow the principal lambda.amazonaws.com ecr:BatchGetImage and ecr:GetDownloadUrlForLayer (from another account, also scoped with an aws:sourceARN condition on arn:%s:lambda:%s:%s:function:*); see it with aws ecr get-repository-policy. aws ecr set-repository-policy replaces the whole policy, so keep every existing statement", r.Resource, fn.PartitionName(), fn.Region, fn.Account)
	case "service control", "resource control":
		f.Owner = orgOwnerOf(fn, v.BlamedPolicy)
		f.Explanation = fmt.Sprintf("AWS reported a %s policy denying %s on %s; the organization's policies are not in the model: only the organization's administrators can change them", v.Blamed, r.Action, r.Resource)
		if v.BlamedPolicy != "" {
			f.Explanation = fmt.Sprintf("AWS reported that the organization's %s %s denies %s on %s (%s); the organization's policies are not in the model: only the organization's administrators can change it", v.Blamed, orgPolicyWhere(fn, v.BlamedPolicy), r.Action, r.Resource, v.BlamedPolicy)
		}
	default:
		f.Owner = "whoever controls the " + v.Blamed + " policy"
		f.Explanation = fmt.Sprintf("AWS reported that a %s policy denies %s on %s; that policy is not in the model", v.Blamed, r.Action, r.Resource)
	}
	return f
}
