package judge

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Builders of engine inputs for one function. Each returns the input and
// its Gaps: the layers it had to assume (unseen, taken to allow), the reads
// whose absence prevents a decision, and the documents that do not parse
// (left out of the input).

// Gaps are what an input could not be built from.
type Gaps struct {
	Assumed  []string
	Unseen   []account.Unseen
	Unparsed []Unparsed
}

// Names the builders give policies in inputs (and so in traces); package
// fix finds a policy of the model again by them.

// InlineName is the name of an inline policy of role.
func InlineName(role, policy string) string { return "role/" + role + "/inline/" + policy }

// TrustName is the name of role's trust policy.
func TrustName(role string) string { return "trust policy of role/" + role }

// FunctionPolicyName is the name of the resource policy of qualifier ("" for
// the unqualified function).
func FunctionPolicyName(qualifier string) string {
	if qualifier == "" {
		return "function policy"
	}
	return "function policy (" + qualifier + ")"
}

// SessionARN is the principal the function's code runs as: the execution
// role's session, named after the function.
// (Lambda DG lambda-intro-execution-role: Lambda assumes the role with the
// function name as session name.)
func SessionARN(fn *account.Function) string {
	name := RoleName(fn.Config.RoleARN)
	return fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", fn.PartitionName(), ARNAccount(fn.Config.RoleARN, fn.Account), name, fn.Name)
}

// OutboundInput builds the input for a call the function's code makes: the
// execution role's session as principal; identity = the role's inline and
// managed policies; its permissions boundary; the organization's SCPs (and
// RCPs for resources of this account). The target's resource-based policy
// is not read: for a resource of another account it is assumed to allow and
// reported in Gaps.Assumed. The input is nil when the role was not read.
func OutboundInput(fn *account.Function, c Call) (*simulate.Input, Gaps) {
	var g Gaps
	if fn.Role == nil {
		g.Unseen = roleUnseen(fn)
		return nil, g
	}
	r := fn.Role
	principal := SessionARN(fn)
	resAcct := ARNAccount(c.Resource, "")
	in := &simulate.Input{Request: simulate.Request{
		Principal:       principal,
		Action:          c.Action,
		Resource:        c.Resource,
		ResourceAccount: resAcct,
		Context:         sessionContext(fn, c),
	}}
	in.Identity, in.Boundary = roleLayers(r, &g)
	in.SCPs = orgLevels(fn.Org, false, &g)
	crossAccount := resAcct != "" && resAcct != fn.Account
	switch {
	case crossAccount:
		np := mustNamed("resource policy of "+c.Resource+" (account "+resAcct+", not read)", allowAll(principal))
		in.Resource = &np
		g.Assumed = append(g.Assumed, fmt.Sprintf("the resource policy of %s in account %s was not read; assumed to allow", c.Resource, resAcct))
	case isKMSKey(c.Resource):
		// The key policy decides with the key's grants (keyLayer); one that
		// was not read is assumed to be the default key policy, and said to
		// be.
		in.Resource = keyLayer(fn, c.Resource, &g)
		if in.Resource == nil {
			return nil, g // the key policy does not parse
		}
		if rcpApplies(c.Action) {
			in.RCPs = orgLevels(fn.Org, true, &g)
		}
	case rcpApplies(c.Action):
		in.RCPs = orgLevels(fn.Org, true, &g)
	}
	return in, g
}

// roleLayers parses a role's identity policies and boundary; managed
// policies whose document was not read are unseen, documents that do not
// parse are left out and recorded.
func roleLayers(r *account.Role, g *Gaps) (identity []simulate.NamedPolicy, boundary *simulate.NamedPolicy) {
	for _, p := range r.Inline {
		if np, ok := named(InlineName(r.Name, p.Name), r.ARN, p.Document, g); ok {
			identity = append(identity, np)
		}
	}
	for _, p := range r.Managed {
		if p.Document == "" {
			g.Unseen = append(g.Unseen, managedUnseen(p))
			continue
		}
		if np, ok := named(p.ARN, r.ARN, p.Document, g); ok {
			identity = append(identity, np)
		}
	}
	if b := r.Boundary; b != nil {
		if b.Document == "" {
			g.Unseen = append(g.Unseen, managedUnseen(*b))
		} else if np, ok := named(b.ARN, r.ARN, b.Document, g); ok {
			boundary = &np
		}
	}
	return identity, boundary
}

// InboundInputs builds the inputs for one invoke of the function: the
// function's resource policy for the qualifier the request names; the
// caller as principal; aws:SourceArn/aws:SourceAccount for service
// principals; a function-URL call gives two inputs (lambda:InvokeFunctionUrl
// with lambda:FunctionUrlAuthType, and lambda:InvokeFunction with
// lambda:InvokedViaFunctionUrl = true). An invoker with a role of its own is
// judged with that role's identity policies; any other caller's identity
// policies are never read: for a caller in another account they are assumed
// to allow (and listed in Gaps.Assumed), for a caller in this account they
// are taken as granting nothing. No input is built when the invoker's role
// was not read.
func InboundInputs(fn *account.Function, inv Invoker) ([]*simulate.Input, Gaps) {
	var g Gaps
	role := InvokerRole(fn, inv)
	if role == nil && inv.RoleARN != "" {
		g.Unseen = invokerRoleUnseen(fn, inv.RoleARN)
		return nil, g
	}
	principal := InvokerPrincipal(fn, inv.Principal)
	resource := QualifiedARN(fn, inv.Qualifier)
	rp, rpUnseen := ResourcePolicyFor(fn, inv.Qualifier)
	g.Unseen = append(g.Unseen, rpUnseen...)
	var resPol *simulate.NamedPolicy
	if rp != nil {
		if np, ok := named(FunctionPolicyName(rp.Qualifier), fn.ARN, rp.Document, &g); ok {
			resPol = &np
		}
	}
	ctx := simulate.Context{}
	svc := IsServicePrincipal(principal)
	if inv.SourceARN != "" {
		ctx["aws:SourceArn"] = single(inv.SourceARN)
	}
	if inv.SourceAccount != "" {
		ctx["aws:SourceAccount"] = single(inv.SourceAccount)
	}
	var aliases []string
	if svc {
		ctx["aws:PrincipalIsAWSService"] = single("true")
		ctx["aws:PrincipalServiceName"] = single(principal)
		// A service is named by all its names (ServiceAliases); the
		// default context lists them in aws:PrincipalServiceNamesList.
		aliases = ServiceAliases(fn, inv)
	} else if principal != "*" {
		ctx["aws:PrincipalAccount"] = single(ARNAccount(principal, ""))
		ctx["aws:PrincipalArn"] = single(PrincipalARN(principal))
		ctx["aws:PrincipalIsAWSService"] = single("false")
	}
	ctx["aws:ResourceAccount"] = single(fn.Account)
	ctx["aws:RequestedRegion"] = single(fn.Region)
	ctx["aws:SecureTransport"] = single("true")
	if role != nil {
		// The invoker's role's tags are its sessions' principal tags, as
		// the execution role's are (sessionContext).
		for k, v := range role.Tags {
			ctx["aws:PrincipalTag/"+k] = single(v)
		}
	}
	for k, v := range inv.Context {
		ctx[k] = v
	}

	var identity []simulate.NamedPolicy
	var boundary *simulate.NamedPolicy
	callerAcct := ""
	if !svc && principal != "*" {
		callerAcct = ARNAccount(principal, "")
	}
	var scps [][]simulate.NamedPolicy
	switch {
	case role != nil:
		identity, boundary = roleLayers(role, &g)
		if callerAcct == fn.Account {
			scps = orgLevels(fn.Org, false, &g)
		}
	case callerAcct != "" && callerAcct != fn.Account:
		if inv.CallerDenied {
			g.Assumed = append(g.Assumed, fmt.Sprintf("the caller's identity policies in account %s were not read; AWS reported that none of them allows the invoke", callerAcct))
		} else {
			identity = []simulate.NamedPolicy{mustNamed("identity policies of "+principal+" (account "+callerAcct+", not read)", allowAll(""))}
			g.Assumed = append(g.Assumed, fmt.Sprintf("the caller's identity policies in account %s were not read; its owner must also allow the invoke there", callerAcct))
		}
	case callerAcct == fn.Account:
		scps = orgLevels(fn.Org, false, &g)
		if principal != fmt.Sprintf("arn:%s:iam::%s:root", fn.PartitionName(), callerAcct) {
			g.Assumed = append(g.Assumed, "the caller's own identity policies were not read; in the same account an allow there would also let it invoke (IAM UG policy evaluation, same account)")
		}
	}
	mk := func(action string, extra simulate.Context) *simulate.Input {
		c := simulate.Context{}
		for k, v := range ctx {
			c[k] = v
		}
		for k, v := range extra {
			c[k] = v
		}
		return &simulate.Input{
			Identity: identity,
			Boundary: boundary,
			Resource: resPol,
			SCPs:     scps,
			Request: simulate.Request{
				Principal:        principal,
				PrincipalAliases: aliases,
				Action:           action,
				Resource:         resource,
				ResourceAccount:  fn.Account,
				Context:          c,
			},
		}
	}
	var ins []*simulate.Input
	if inv.FunctionURL {
		auth := URLAuthType(fn, inv.Qualifier)
		ins = append(ins,
			mk("lambda:InvokeFunctionUrl", simulate.Context{"lambda:FunctionUrlAuthType": single(auth)}),
			mk("lambda:InvokeFunction", simulate.Context{"lambda:InvokedViaFunctionUrl": single("true")}))
	} else {
		action := inv.Action
		if action == "" {
			action = "lambda:InvokeFunction"
		}
		ins = append(ins, mk(action, nil))
	}
	return ins, g
}

// TrustInput builds the input for Lambda assuming the execution role:
// principal lambda.amazonaws.com, action sts:AssumeRole, resource the role,
// judged by the role's trust policy alone (a role trust policy must allow
// explicitly). The input is nil when the role was not read or its trust
// policy does not parse.
func TrustInput(fn *account.Function) (*simulate.Input, Gaps) {
	var g Gaps
	if fn.Role == nil {
		g.Unseen = roleUnseen(fn)
		return nil, g
	}
	np, ok := named(TrustName(fn.Role.Name), fn.Role.ARN, fn.Role.Trust, &g)
	if !ok {
		return nil, g
	}
	return &simulate.Input{
		Resource: &np,
		Request: simulate.Request{
			Principal:       "lambda.amazonaws.com",
			Action:          "sts:AssumeRole",
			Resource:        fn.Role.ARN,
			ResourceAccount: ARNAccount(fn.Role.ARN, fn.Account),
			// Lambda assumes the role for a function of this account; AWS's
			// Lambda trust templates scope it with aws:SourceAccount (and
			// aws:SourceArn, the function).
			Context: simulate.Context{
				"aws:PrincipalIsAWSService": single("true"),
				"aws:PrincipalServiceName":  single("lambda.amazonaws.com"),
				"aws:SecureTransport":       single("true"),
				"aws:SourceAccount":         single(fn.Account),
				"aws:SourceArn":             single(fn.ARN),
			},
		},
	}, g
}

// logStreamName is the representative stream used to judge log writes.
const logStreamName = "2026/01/01/[$LATEST]lambda-doctor"

// LogCalls are the calls the Lambda runtime makes with the execution role to
// write the function's logs: logs:CreateLogGroup (only while the group does
// not exist), logs:CreateLogStream and logs:PutLogEvents on the group of its
// logging configuration (Lambda DG monitoring-cloudwatchlogs: the execution
// role needs these three; with a custom group, the two on that group).
func LogCalls(fn *account.Function) []Call {
	group := LogGroupName(fn)
	base := LogGroupARN(fn)
	stream := base + ":log-stream:" + logStreamName
	why := "Lambda writes the function's logs to " + group
	var calls []Call
	if !logGroupExists(fn, group) {
		calls = append(calls, Call{Action: "logs:CreateLogGroup", Resource: base, Why: why + " (the group does not exist yet)", ByLambda: true})
	}
	calls = append(calls,
		Call{Action: "logs:CreateLogStream", Resource: stream, Why: why, ByLambda: true},
		Call{Action: "logs:PutLogEvents", Resource: stream, Why: why, ByLambda: true})
	return calls
}

// LogGroupName is the log group the function writes to: the custom group of
// its logging configuration, else /aws/lambda/NAME.
func LogGroupName(fn *account.Function) string {
	if fn.Config.Logging.LogGroup != "" {
		return fn.Config.Logging.LogGroup
	}
	return "/aws/lambda/" + fn.Name
}

// LogGroupARN is the ARN of the function's log group.
func LogGroupARN(fn *account.Function) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", fn.PartitionName(), fn.Region, fn.Account, LogGroupName(fn))
}

func logGroupExists(fn *account.Function, name string) bool {
	for _, g := range fn.LogGroups {
		if g.Name == name {
			return g.Exists
		}
	}
	// Not read: assume it exists (CreateLogGroup is then not needed).
	return true
}

// ResourcePolicyFor picks the resource policy of the qualifier. Lambda keeps
// one policy per function, version and alias (Lambda DG
// access-control-resource-based); the statements of the unqualified policy
// name the unqualified ARN, so a source that stores every statement in the
// unqualified policy (moto) is still judged right by Resource matching.
// The unseen lambda:GetPolicy reads are returned with it.
func ResourcePolicyFor(fn *account.Function, qualifier string) (*account.ResourcePolicy, []account.Unseen) {
	var fallback *account.ResourcePolicy
	for i := range fn.ResourcePolicies {
		p := &fn.ResourcePolicies[i]
		if p.Qualifier == qualifier {
			return p, nil
		}
		if p.Qualifier == "" {
			fallback = p
		}
	}
	var unseen []account.Unseen
	for _, u := range fn.Unseen {
		// A template that sets the policy twice (AWS::Lambda::ResourcePolicy
		// and AWS::Lambda::Permission) leaves it unknown too.
		if strings.EqualFold(u.Operation, "lambda:GetPolicy") || (u.Operation == "template" && u.Resource == fn.ARN) {
			unseen = append(unseen, u)
		}
	}
	return fallback, unseen
}

// URLAuthType is the auth type of the function URL of qualifier (else of
// any URL; AWS_IAM when the function has none).
func URLAuthType(fn *account.Function, qualifier string) string {
	for _, u := range fn.URLConfigs {
		if u.Qualifier == qualifier {
			return u.AuthType
		}
	}
	for _, u := range fn.URLConfigs {
		return u.AuthType
	}
	return "AWS_IAM"
}

// sessionContext is the request context of a call made with the execution
// role's session.
//
// For a call of the function's code, Lambda injects the function's ARN as
// lambda:SourceFunctionArn (Lambda DG lambda-intro-execution-role, "Working
// with Lambda execution environment credentials"). A call Lambda makes
// itself (Call.ByLambda) uses the same role session but is sent from
// outside the execution environment: the same page says such calls (the
// environment's KMS decryption, CloudWatch logging) "don't contain the
// source function ARN", and, made by Lambda's own infrastructure rather
// than through a VPC endpoint of the function's VPC, they carry no
// aws:SourceVpc or aws:SourceVpce ("included in the request context only if
// the requester uses a VPC endpoint", IAM UG reference_policies_condition-keys).
// Both kinds are made with the role's credentials by a service that assumed
// a service role, not forwarded from a caller (forward access sessions), so
// aws:ViaAWSService is false and aws:CalledVia absent ("returns false if the
// service uses a service role", same page; IAM UG
// access_forward_access_sessions), and aws:PrincipalIsAWSService is false:
// the principal is the role session, not a service principal. This is what
// lets a data-perimeter SCP decide them right: one that exempts Lambda's
// calls by requiring lambda:SourceFunctionArn does not touch them, one that
// denies every call without the right aws:SourceVpc denies them too
// (aws-samples/data-perimeter-policy-examples#63: CreateNetworkInterface
// refused by EnforceNetworkPerimeterSourceVPC).
//
// The role's tags are the session's principal tags (aws:PrincipalTag/KEY:
// "included for a principal using an IAM role with attached tags").
func sessionContext(fn *account.Function, c Call) simulate.Context {
	r := fn.Role
	ctx := simulate.Context{
		"aws:PrincipalArn":          single(r.ARN),
		"aws:PrincipalAccount":      single(ARNAccount(r.ARN, fn.Account)),
		"aws:PrincipalType":         single("AssumedRole"),
		"aws:PrincipalIsAWSService": single("false"),
		"aws:SecureTransport":       single("true"),
		"aws:ViaAWSService":         single("false"),
	}
	if !c.ByLambda {
		ctx["lambda:SourceFunctionArn"] = single(fn.ARN)
	}
	for k, v := range r.Tags {
		ctx["aws:PrincipalTag/"+k] = single(v)
	}
	if r.ID != "" {
		ctx["aws:userid"] = single(r.ID + ":" + fn.Name)
	}
	if fn.Org != nil && fn.Org.ID != "" {
		ctx["aws:PrincipalOrgID"] = single(fn.Org.ID)
	}
	if region := ARNRegion(c.Resource); region != "" {
		ctx["aws:RequestedRegion"] = single(region)
	} else {
		ctx["aws:RequestedRegion"] = single(fn.Region)
	}
	if acct := ARNAccount(c.Resource, ""); acct != "" {
		ctx["aws:ResourceAccount"] = single(acct)
	}
	// The tags of the requested resource, when read, are its
	// aws:ResourceTag/KEY ("included in the request context when the
	// requested resource already has attached tags", IAM User Guide, "AWS
	// global condition context keys") and the request's service's own
	// SERVICE:ResourceTag/KEY (Service Authorization Reference, e.g.
	// secretsmanager:ResourceTag/tag-key). A key not among them is absent
	// (see unreadKind).
	if tags, ok := fn.TagsOf(c.Resource); ok {
		svc, _, _ := strings.Cut(c.Action, ":")
		for k, v := range tags {
			ctx["aws:ResourceTag/"+k] = single(v)
			if svc != "" && !strings.EqualFold(svc, "aws") {
				ctx[strings.ToLower(svc)+":ResourceTag/"+k] = single(v)
			}
		}
	}
	for k, v := range c.Context {
		ctx[k] = v
	}
	return ctx
}

// rcpApplies reports whether resource control policies govern the action's
// service. Organizations UG orgs_manage_policies_rcps lists S3, STS, KMS,
// SQS and Secrets Manager at launch; ECR, OpenSearch Serverless, Cognito
// identity pools, CloudWatch Logs and DynamoDB are later additions taken
// from memory (UNCONFIRMED: an RCP on them is applied, which only matters
// when an RCP names their actions).
func rcpApplies(action string) bool {
	svc, _, _ := strings.Cut(strings.ToLower(action), ":")
	switch svc {
	case "s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-identity", "logs", "dynamodb":
		return true
	}
	return false
}

func orgLevels(org *account.Org, rcp bool, g *Gaps) [][]simulate.NamedPolicy {
	if org == nil {
		return nil
	}
	levels := org.SCPs
	if rcp {
		levels = org.RCPs
	}
	var out [][]simulate.NamedPolicy
	for _, lvl := range levels {
		var l []simulate.NamedPolicy
		for _, p := range lvl {
			name := p.ARN
			if name == "" {
				name = p.Name
			}
			if np, ok := named(name, p.ARN, p.Document, g); ok {
				l = append(l, np)
			}
		}
		out = append(out, l)
	}
	return out
}

// named parses a document of the model; one that does not parse is
// recorded in g and left out.
func named(name, owner, doc string, g *Gaps) (simulate.NamedPolicy, bool) {
	p, err := ParsePolicy(doc)
	if err != nil {
		g.Unparsed = append(g.Unparsed, Unparsed{Policy: name, Owner: owner, Err: err})
		return simulate.NamedPolicy{}, false
	}
	return simulate.NamedPolicy{Name: name, Policy: p}, true
}

// mustNamed is named for the documents this package writes itself.
func mustNamed(name, doc string) simulate.NamedPolicy {
	p, err := ParsePolicy(doc)
	if err != nil {
		panic("judge: " + name + ": " + err.Error())
	}
	return simulate.NamedPolicy{Name: name, Policy: p}
}

// allowAll stands for a policy that could not be read and is assumed to
// allow; as a resource policy it names principal.
func allowAll(principal string) string {
	st := map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}
	if principal != "" {
		st["Principal"] = map[string]string{"AWS": principal}
	}
	return policyJSON(st)
}

// policyJSON is a policy document of one statement. It is marshalled, not
// pasted together: the model's names (a role name in a session ARN, an
// account in a resource ARN) may hold quotes or control characters in a
// hostile snapshot, and must neither break the document nor change it.
func policyJSON(statement map[string]any) string {
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{statement}})
	if err != nil {
		panic("judge: " + err.Error()) // maps of strings always marshal
	}
	return string(b)
}

func roleUnseen(fn *account.Function) []account.Unseen {
	var out []account.Unseen
	for _, u := range fn.Unseen {
		if strings.HasPrefix(strings.ToLower(u.Operation), "iam:") ||
			(u.Operation == "template" && (u.Resource == fn.Config.RoleARN || slices.Contains(Markers(fn.Config.RoleARN), u.Resource))) {
			out = append(out, u)
		}
	}
	if len(out) == 0 {
		out = append(out, account.Unseen{Operation: "iam:GetRole", Resource: fn.Config.RoleARN, Permission: "iam:GetRole", Error: "the execution role could not be read"})
	}
	return out
}

// InvokerRole is the role an invoker calls with: the function's trigger's
// role of that ARN (so that a copy of the function with a fix applied is
// judged with its own copy), else the invoker's.
func InvokerRole(fn *account.Function, inv Invoker) *account.Role {
	if inv.RoleARN == "" {
		return inv.Role
	}
	for _, t := range fn.Triggers {
		if t.RoleARN == inv.RoleARN && t.Role != nil {
			return t.Role
		}
	}
	return inv.Role
}

// invokerRoleUnseen is why an invoking role is not in the model: the
// refused reads of it, else a read that was not made.
func invokerRoleUnseen(fn *account.Function, roleARN string) []account.Unseen {
	var out []account.Unseen
	for _, u := range fn.Unseen {
		if u.Resource == roleARN || strings.HasSuffix(u.Resource, "/"+RoleName(roleARN)) {
			out = append(out, u)
		}
	}
	if len(out) == 0 {
		out = append(out, account.Unseen{Operation: "iam:GetRole", Resource: roleARN, Permission: "iam:GetRole",
			Error: "the invoking role and its policies were not read"})
	}
	return out
}

func managedUnseen(p account.ManagedPolicy) account.Unseen {
	return account.Unseen{Operation: "iam:GetPolicyVersion", Resource: p.ARN, Permission: "iam:GetPolicyVersion", Error: "the policy document could not be read"}
}

// InvokerPrincipal turns --caller into a request principal: an account id
// becomes its root ARN.
func InvokerPrincipal(fn *account.Function, p string) string {
	p = strings.TrimSpace(p)
	if account.IsAccountID(p) {
		return fmt.Sprintf("arn:%s:iam::%s:root", fn.PartitionName(), p)
	}
	return p
}

// PrincipalARN is aws:PrincipalArn for a principal: the role ARN for an
// assumed-role session.
func PrincipalARN(p string) string {
	parts := strings.SplitN(p, ":", 6)
	if len(parts) == 6 && parts[2] == "sts" && strings.HasPrefix(parts[5], "assumed-role/") {
		seg := strings.Split(strings.TrimPrefix(parts[5], "assumed-role/"), "/")
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", parts[1], parts[4], seg[0])
	}
	return p
}

// IsServicePrincipal reports whether p is a service principal
// (apigateway.amazonaws.com).
func IsServicePrincipal(p string) bool {
	return !strings.HasPrefix(p, "arn:") && (strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazonaws.com.cn"))
}

func single(v string) simulate.Value { return simulate.Value{Values: []string{v}} }

// ARNAccount is the account field of an ARN, or def.
func ARNAccount(arn, def string) string {
	if a := account.ARNField(arn, 4); a != "" {
		return a
	}
	return def
}

// ARNRegion is the region field of an ARN.
func ARNRegion(arn string) string { return account.ARNField(arn, 3) }

// RoleName is the role's name (the last path segment) from its ARN.
func RoleName(arn string) string {
	res := account.ARNField(arn, 5)
	if res == "" {
		return arn
	}
	if i := strings.LastIndex(res, "/"); i >= 0 {
		return res[i+1:]
	}
	return res
}

// QualifiedARN is the function's ARN with qualifier q ("" for none).
func QualifiedARN(fn *account.Function, q string) string {
	if q == "" {
		return fn.ARN
	}
	return fn.ARN + ":" + q
}

// IsKMSKey reports whether arn is a KMS key ARN (not an alias).
func IsKMSKey(arn string) bool { return isKMSKey(arn) }

func isKMSKey(arn string) bool {
	return account.ARNField(arn, 2) == "kms" && strings.HasPrefix(account.ARNField(arn, 5), "key/")
}

// RoleSessionARN is a session ARN of role r, named session.
func RoleSessionARN(r *account.Role, session string) string {
	return fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", account.ARNField(r.ARN, 1), account.ARNField(r.ARN, 4), r.Name, session)
}
