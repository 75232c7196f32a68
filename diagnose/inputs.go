package diagnose

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Builders of engine inputs for one function. Each returns the input, the
// layers it had to assume (unseen, taken to allow) and the reads whose
// absence prevents a decision.

// SessionARN is the principal the function's code runs as: the execution
// role's session, named after the function.
// (Lambda DG lambda-intro-execution-role: Lambda assumes the role with the
// function name as session name.)
func SessionARN(fn *account.Function) string {
	name := roleName(fn.Config.RoleARN)
	return fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", fn.PartitionName(), arnAccount(fn.Config.RoleARN, fn.Account), name, fn.Name)
}

// OutboundInput builds the input for a call the function's code makes: the
// execution role's session as principal; identity = the role's inline and
// managed policies; its permissions boundary; the organization's SCPs (and
// RCPs for resources of this account). The target's resource-based policy
// is not read: for a resource of another account it is assumed to allow and
// reported in assumed.
func OutboundInput(fn *account.Function, c Call) (in *simulate.Input, assumed []string, unseen []account.Unseen, err error) {
	if fn.Role == nil {
		return nil, nil, roleUnseen(fn), nil
	}
	r := fn.Role
	principal := SessionARN(fn)
	resAcct := arnAccount(c.Resource, "")
	in = &simulate.Input{Request: simulate.Request{
		Principal:       principal,
		Action:          c.Action,
		Resource:        c.Resource,
		ResourceAccount: resAcct,
		Context:         sessionContext(fn, c),
	}}
	for _, p := range r.Inline {
		np, err := named("role/"+r.Name+"/inline/"+p.Name, p.Document)
		if err != nil {
			return nil, nil, nil, err
		}
		in.Identity = append(in.Identity, np)
	}
	for _, p := range r.Managed {
		if p.Document == "" {
			unseen = append(unseen, managedUnseen(p))
			continue
		}
		np, err := named(p.ARN, p.Document)
		if err != nil {
			return nil, nil, nil, err
		}
		in.Identity = append(in.Identity, np)
	}
	if b := r.Boundary; b != nil {
		if b.Document == "" {
			unseen = append(unseen, managedUnseen(*b))
		} else {
			np, err := named(b.ARN, b.Document)
			if err != nil {
				return nil, nil, nil, err
			}
			in.Boundary = &np
		}
	}
	if in.SCPs, err = orgLevels(fn.Org, false); err != nil {
		return nil, nil, nil, err
	}
	crossAccount := resAcct != "" && resAcct != fn.Account
	if crossAccount {
		np, _ := named("resource policy of "+c.Resource+" (account "+resAcct+", not read)", allowAll(principal))
		in.Resource = &np
		assumed = append(assumed, fmt.Sprintf("the resource policy of %s in account %s was not read; assumed to allow", c.Resource, resAcct))
	} else if isKMSKey(c.Resource) {
		// A KMS key policy must let the account's IAM policies grant access;
		// it is not read: assume the default key policy, which does
		// (AWS KMS Developer Guide, key-policy-default).
		doc := `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:` + fn.PartitionName() + `:iam::` + resAcct + `:root"},"Action":"kms:*","Resource":"*"}]}`
		np, err := named("key policy of "+c.Resource+" (not read; assumed default)", doc)
		if err != nil {
			return nil, nil, nil, err
		}
		in.Resource = &np
		assumed = append(assumed, "the key policy of "+c.Resource+" was not read; assumed to be the default key policy, which lets IAM policies of the account grant access")
		if rcpApplies(c.Action) {
			if in.RCPs, err = orgLevels(fn.Org, true); err != nil {
				return nil, nil, nil, err
			}
		}
	} else if rcpApplies(c.Action) {
		if in.RCPs, err = orgLevels(fn.Org, true); err != nil {
			return nil, nil, nil, err
		}
	}
	return in, assumed, unseen, nil
}

// InboundInputs builds the inputs for one invoke of the function: the
// function's resource policy for the qualifier the request names; the
// caller as principal; aws:SourceArn/aws:SourceAccount for service
// principals; a function-URL call gives two inputs (lambda:InvokeFunctionUrl
// with lambda:FunctionUrlAuthType, and lambda:InvokeFunction with
// lambda:InvokedViaFunctionUrl = true). The caller's identity policies are
// never read: for a caller in another account they are assumed to allow (and
// listed in assumed), for a caller in this account they are taken as
// granting nothing.
func InboundInputs(fn *account.Function, inv Invoker) (ins []*simulate.Input, assumed []string, unseen []account.Unseen, err error) {
	principal := invokerPrincipal(fn, inv.Principal)
	resource := fn.ARN
	if inv.Qualifier != "" {
		resource += ":" + inv.Qualifier
	}
	rp, rpUnseen := resourcePolicyFor(fn, inv.Qualifier)
	unseen = append(unseen, rpUnseen...)
	var resPol *simulate.NamedPolicy
	if rp != nil {
		name := "function policy"
		if rp.Qualifier != "" {
			name = "function policy (" + rp.Qualifier + ")"
		}
		np, err := named(name, rp.Document)
		if err != nil {
			return nil, nil, nil, err
		}
		resPol = &np
	}
	ctx := simulate.Context{}
	svc := isServicePrincipal(principal)
	if inv.SourceARN != "" {
		ctx["aws:SourceArn"] = single(inv.SourceARN)
	}
	if inv.SourceAccount != "" {
		ctx["aws:SourceAccount"] = single(inv.SourceAccount)
	}
	if svc {
		ctx["aws:PrincipalIsAWSService"] = single("true")
		ctx["aws:PrincipalServiceName"] = single(principal)
	} else if principal != "*" {
		ctx["aws:PrincipalAccount"] = single(arnAccount(principal, ""))
		ctx["aws:PrincipalArn"] = single(principalARN(principal))
		ctx["aws:PrincipalIsAWSService"] = single("false")
	}
	ctx["aws:ResourceAccount"] = single(fn.Account)
	ctx["aws:RequestedRegion"] = single(fn.Region)
	ctx["aws:SecureTransport"] = single("true")
	for k, v := range inv.Context {
		ctx[k] = v
	}

	var identity []simulate.NamedPolicy
	callerAcct := ""
	if !svc && principal != "*" {
		callerAcct = arnAccount(principal, "")
	}
	var scps [][]simulate.NamedPolicy
	if callerAcct != "" && callerAcct != fn.Account {
		if inv.CallerDenied {
			assumed = append(assumed, fmt.Sprintf("the caller's identity policies in account %s were not read; AWS reported that none of them allows the invoke", callerAcct))
		} else {
			np, err := named("identity policies of "+principal+" (account "+callerAcct+", not read)", allowAll(""))
			if err != nil {
				return nil, nil, nil, err
			}
			identity = []simulate.NamedPolicy{np}
			assumed = append(assumed, fmt.Sprintf("the caller's identity policies in account %s were not read; its owner must also allow the invoke there", callerAcct))
		}
	} else if callerAcct == fn.Account {
		if scps, err = orgLevels(fn.Org, false); err != nil {
			return nil, nil, nil, err
		}
		if principal != fmt.Sprintf("arn:%s:iam::%s:root", fn.PartitionName(), callerAcct) {
			assumed = append(assumed, "the caller's own identity policies were not read; in the same account an allow there would also let it invoke (IAM UG policy evaluation, same account)")
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
			Resource: resPol,
			SCPs:     scps,
			Request: simulate.Request{
				Principal:       principal,
				Action:          action,
				Resource:        resource,
				ResourceAccount: fn.Account,
				Context:         c,
			},
		}
	}
	if inv.FunctionURL {
		auth := urlAuthType(fn, inv.Qualifier)
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
	return ins, assumed, unseen, nil
}

// TrustInput builds the input for Lambda assuming the execution role:
// principal lambda.amazonaws.com, action sts:AssumeRole, resource the role,
// judged by the role's trust policy alone (a role trust policy must allow
// explicitly).
func TrustInput(fn *account.Function) (*simulate.Input, []account.Unseen, error) {
	if fn.Role == nil {
		return nil, roleUnseen(fn), nil
	}
	np, err := named("trust policy of role/"+fn.Role.Name, fn.Role.Trust)
	if err != nil {
		return nil, nil, err
	}
	return &simulate.Input{
		Resource: &np,
		Request: simulate.Request{
			Principal:       "lambda.amazonaws.com",
			Action:          "sts:AssumeRole",
			Resource:        fn.Role.ARN,
			ResourceAccount: arnAccount(fn.Role.ARN, fn.Account),
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
	}, nil, nil
}

// logStreamName is the representative stream used to judge log writes.
const logStreamName = "2026/01/01/[$LATEST]lambda-doctor"

// LogCalls are the calls the Lambda runtime makes with the execution role to
// write the function's logs: logs:CreateLogGroup (only while the group does
// not exist), logs:CreateLogStream and logs:PutLogEvents on the group of its
// logging configuration (Lambda DG monitoring-cloudwatchlogs: the execution
// role needs these three; with a custom group, the two on that group).
func LogCalls(fn *account.Function) []Call {
	group := logGroupName(fn)
	base := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", fn.PartitionName(), fn.Region, fn.Account, group)
	stream := base + ":log-stream:" + logStreamName
	why := "Lambda writes the function's logs to " + group
	var calls []Call
	if !logGroupExists(fn, group) {
		calls = append(calls, Call{Action: "logs:CreateLogGroup", Resource: base, Why: why + " (the group does not exist yet)"})
	}
	calls = append(calls,
		Call{Action: "logs:CreateLogStream", Resource: stream, Why: why},
		Call{Action: "logs:PutLogEvents", Resource: stream, Why: why})
	return calls
}

func logGroupName(fn *account.Function) string {
	if fn.Config.Logging.LogGroup != "" {
		return fn.Config.Logging.LogGroup
	}
	return "/aws/lambda/" + fn.Name
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

// resourcePolicyFor picks the resource policy of the qualifier. Lambda keeps
// one policy per function, version and alias (Lambda DG
// access-control-resource-based); the statements of the unqualified policy
// name the unqualified ARN, so a source that stores every statement in the
// unqualified policy (moto) is still judged right by Resource matching.
func resourcePolicyFor(fn *account.Function, qualifier string) (*account.ResourcePolicy, []account.Unseen) {
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
		if strings.EqualFold(u.Operation, "lambda:GetPolicy") {
			unseen = append(unseen, u)
		}
	}
	return fallback, unseen
}

func urlAuthType(fn *account.Function, qualifier string) string {
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

func sessionContext(fn *account.Function, c Call) simulate.Context {
	r := fn.Role
	ctx := simulate.Context{
		"aws:PrincipalArn":          single(r.ARN),
		"aws:PrincipalAccount":      single(arnAccount(r.ARN, fn.Account)),
		"aws:PrincipalType":         single("AssumedRole"),
		"aws:PrincipalIsAWSService": single("false"),
		"aws:SecureTransport":       single("true"),
		"aws:ViaAWSService":         single("false"),
		"lambda:SourceFunctionArn":  single(fn.ARN),
	}
	if r.ID != "" {
		ctx["aws:userid"] = single(r.ID + ":" + fn.Name)
	}
	if fn.Org != nil && fn.Org.ID != "" {
		ctx["aws:PrincipalOrgID"] = single(fn.Org.ID)
	}
	if region := arnRegion(c.Resource); region != "" {
		ctx["aws:RequestedRegion"] = single(region)
	} else {
		ctx["aws:RequestedRegion"] = single(fn.Region)
	}
	if acct := arnAccount(c.Resource, ""); acct != "" {
		ctx["aws:ResourceAccount"] = single(acct)
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

func orgLevels(org *account.Org, rcp bool) ([][]simulate.NamedPolicy, error) {
	if org == nil {
		return nil, nil
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
			np, err := named(name, p.Document)
			if err != nil {
				return nil, err
			}
			l = append(l, np)
		}
		out = append(out, l)
	}
	return out, nil
}

func named(name, doc string) (simulate.NamedPolicy, error) {
	p, err := ParsePolicy(doc)
	if err != nil {
		return simulate.NamedPolicy{}, fmt.Errorf("policy %s: %w", name, err)
	}
	return simulate.NamedPolicy{Name: name, Policy: p}, nil
}

// allowAll stands for a policy that could not be read and is assumed to
// allow; as a resource policy it names principal.
func allowAll(principal string) string {
	if principal == "" {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"*","Resource":"*"}]}`
}

func roleUnseen(fn *account.Function) []account.Unseen {
	var out []account.Unseen
	for _, u := range fn.Unseen {
		if strings.HasPrefix(strings.ToLower(u.Operation), "iam:") {
			out = append(out, u)
		}
	}
	if len(out) == 0 {
		out = append(out, account.Unseen{Operation: "iam:GetRole", Resource: fn.Config.RoleARN, Permission: "iam:GetRole", Error: "the execution role could not be read"})
	}
	return out
}

func managedUnseen(p account.ManagedPolicy) account.Unseen {
	return account.Unseen{Operation: "iam:GetPolicyVersion", Resource: p.ARN, Permission: "iam:GetPolicyVersion", Error: "the policy document could not be read"}
}

var accountRE = regexp.MustCompile(`^\d{12}$`)

// invokerPrincipal turns --caller into a request principal: an account id
// becomes its root ARN.
func invokerPrincipal(fn *account.Function, p string) string {
	p = strings.TrimSpace(p)
	if accountRE.MatchString(p) {
		return fmt.Sprintf("arn:%s:iam::%s:root", fn.PartitionName(), p)
	}
	return p
}

// principalARN is aws:PrincipalArn for a principal: the role ARN for an
// assumed-role session.
func principalARN(p string) string {
	parts := strings.SplitN(p, ":", 6)
	if len(parts) == 6 && parts[2] == "sts" && strings.HasPrefix(parts[5], "assumed-role/") {
		seg := strings.Split(strings.TrimPrefix(parts[5], "assumed-role/"), "/")
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", parts[1], parts[4], seg[0])
	}
	return p
}

func isServicePrincipal(p string) bool {
	return !strings.HasPrefix(p, "arn:") && (strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazonaws.com.cn"))
}

func single(v string) simulate.Value { return simulate.Value{Values: []string{v}} }

// arnAccount is the account field of an ARN, or def.
func arnAccount(arn, def string) string {
	if a := account.ARNField(arn, 4); a != "" {
		return a
	}
	return def
}

func arnRegion(arn string) string { return account.ARNField(arn, 3) }

// roleName is the role's name (the last path segment) from its ARN.
func roleName(arn string) string {
	res := account.ARNField(arn, 5)
	if res == "" {
		return arn
	}
	if i := strings.LastIndex(res, "/"); i >= 0 {
		return res[i+1:]
	}
	return res
}

func isKMSKey(arn string) bool {
	return account.ARNField(arn, 2) == "kms" && strings.HasPrefix(account.ARNField(arn, 5), "key/")
}
