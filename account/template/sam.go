package template

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account/template/managed"
	"github.com/lambda-doctor/lambda-doctor/account/template/samdata"
)

// The SAM transform (AWS::Serverless-2016-10-31), done the way the AWS SAM
// translator (samtranslator, the Python package CloudFormation runs) does
// it, for what matters to a function's doors: each AWS::Serverless::
// resource is expanded into the CloudFormation resources SAM generates,
// with SAM's logical ids, and those are read like any other. The SAM
// equivalence test translates each SAM fixture with the installed
// samtranslator and requires the same model from both.

// raw-node builders for generated resources.
func ref(id string) *node { return newMap().set("Ref", str(id)) }
func getAtt(id, attr string) *node {
	return newMap().set("Fn::GetAtt", listOf(str(id), str(attr)))
}
func fnSub(text string, vars *node) *node {
	if vars == nil {
		return newMap().set("Fn::Sub", str(text))
	}
	return newMap().set("Fn::Sub", listOf(str(text), vars))
}

// samFunction is what the events of a SAM function invoke: the function,
// or its alias when AutoPublishAlias is set.
type samFunction struct {
	id      string // the function's logical id
	target  string // logical id of the function or of its alias
	isAlias bool
	role    *node // the generated role's raw map; nil when the template gives Role
	res     *resource
}

// arnRef is the function's (or alias's) ARN as SAM writes it.
func (f *samFunction) arnRef() *node {
	if f.isAlias {
		return ref(f.target)
	}
	return getAtt(f.id, "Arn")
}

// nameRef is what SAM puts in FunctionName: the name, or the alias ARN.
func (f *samFunction) nameRef() *node { return ref(f.target) }

// uriVar is how SAM names the function in an integration's Fn::Sub.
func (f *samFunction) uriVar() string {
	if f.isAlias {
		return "${" + f.target + "}"
	}
	return "${" + f.id + ".Arn}"
}

func (t *tmpl) expandSAM() error {
	s := &samExpander{t: t, apis: map[string]*samAPI{}}
	globals := t.root.get("Globals")
	if globals != nil && globals.kind != kMap {
		return t.errAt(globals, "Globals", "must be a map")
	}
	s.globals = globals
	ids := append([]string(nil), t.order...)
	// APIs first: the functions' events add to them.
	for _, id := range ids {
		r := t.resources[id]
		switch r.typ {
		case "AWS::Serverless::Api":
			if err := s.api(r, false); err != nil {
				return err
			}
		case "AWS::Serverless::HttpApi":
			if err := s.api(r, true); err != nil {
				return err
			}
		}
	}
	for _, id := range ids {
		r := t.resources[id]
		if s.globalsErr != nil {
			return s.globalsErr
		}
		var err error
		switch r.typ {
		case "AWS::Serverless::Function":
			err = s.function(r)
		case "AWS::Serverless::SimpleTable":
			err = s.simpleTable(r)
		case "AWS::Serverless::LayerVersion":
			err = s.layer(r)
		case "AWS::Serverless::StateMachine":
			err = s.stateMachine(r)
		case "AWS::Serverless::Api", "AWS::Serverless::HttpApi":
		case "AWS::Serverless::Application":
			// A nested stack: its outputs are unknown (outsideKind).
		default:
			if strings.HasPrefix(r.typ, "AWS::Serverless::") {
				t.unknown("SAM", r.typ, r.raw, "Resources."+id)
				if r.typ == "AWS::Serverless::Connector" {
					// A connector adds policies and permissions between its
					// source and destination.
					p := r.raw.get("Properties")
					for _, end := range []string{"Source", "Destination"} {
						if fid := p.path(end, "Id").text(); fid != "" {
							t.note(fid, "SAM connector "+id+" adds permissions the reader does not model")
						}
					}
				}
			}
		}
		if err != nil {
			return err
		}
	}
	if s.globalsErr != nil {
		return s.globalsErr
	}
	return s.finishAPIs()
}

func setOf(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// globalProps are the properties SAM accepts in each Globals section
// (samtranslator plugins/globals/globals.py).
var globalProps = map[string]map[string]bool{
	"Function": setOf("Handler", "Runtime", "CodeUri", "DeadLetterQueue", "Description", "MemorySize", "Timeout", "VpcConfig",
		"Environment", "Tags", "PropagateTags", "Tracing", "KmsKeyArn", "AutoPublishAlias", "AutoPublishAliasAllProperties", "Layers",
		"DeploymentPreference", "RolePath", "PermissionsBoundary", "ReservedConcurrentExecutions", "ProvisionedConcurrencyConfig",
		"AssumeRolePolicyDocument", "EventInvokeConfig", "FileSystemConfigs", "CodeSigningConfigArn", "Architectures", "SnapStart",
		"EphemeralStorage", "FunctionUrlConfig", "RuntimeManagementConfig", "LoggingConfig", "RecursiveLoop", "SourceKMSKeyArn",
		"TenancyConfig", "DurableConfig", "CapacityProviderConfig", "FunctionScalingConfig", "PublishToLatestPublished", "VersionDeletionPolicy"),
	"Api": setOf("Auth", "Name", "DefinitionUri", "CacheClusterEnabled", "CacheClusterSize", "MergeDefinitions", "Variables",
		"EndpointConfiguration", "MethodSettings", "BinaryMediaTypes", "MinimumCompressionSize", "Cors", "GatewayResponses",
		"AccessLogSetting", "CanarySetting", "TracingEnabled", "OpenApiVersion", "Domain", "AlwaysDeploy", "PropagateTags",
		"SecurityPolicy", "EndpointAccessMode"),
	"HttpApi": setOf("Auth", "AccessLogSettings", "StageVariables", "Tags", "CorsConfiguration", "DefaultRouteSettings", "Domain",
		"RouteSettings", "FailOnWarnings", "PropagateTags"),
	"SimpleTable": setOf("SSESpecification"),
}

// gap records a SAM feature the reader does not model, as an unknown and
// as a note on the function it changes.
func (s *samExpander) gap(fnID, feature string, at *node, path string) {
	s.t.unknown("SAM", feature, at, path)
	s.t.note(fnID, "SAM "+feature+" is not modelled: what SAM generates for it is missing from the model")
}

type samExpander struct {
	t          *tmpl
	globalsErr error
	globals    *node
	apis       map[string]*samAPI // by logical id
}

// add adds a generated resource.
func (s *samExpander) add(id, typ string, props *node, from *resource) (*node, error) {
	n := newMap().set("Type", str(typ)).set("Properties", props)
	if c := from.raw.get("Condition"); c != nil {
		n.set("Condition", c)
	}
	n.at(from.line, from.col)
	if s.t.resources[id] != nil {
		return nil, s.t.errAt(from.raw, "Resources."+from.id, "SAM would generate resource %s, which the template already has", id)
	}
	if err := s.t.addResource(id, n, from.id); err != nil {
		return nil, err
	}
	return n, nil
}

// withGlobals merges Globals.<section> into a SAM resource's properties:
// maps merge (the resource wins), lists concatenate, other values are the
// resource's (SAM developer guide, "Globals section of the AWS SAM
// template").
func (s *samExpander) withGlobals(section string, props *node) *node {
	g := s.globals.get(section)
	if g == nil || g.kind != kMap {
		return props
	}
	if ok := globalProps[section]; ok != nil {
		for i, k := range g.keys {
			if !ok[k] && s.globalsErr == nil {
				s.globalsErr = s.t.errAt(g.vals[i], "Globals."+section+"."+k, "SAM does not take %s in Globals.%s", k, section)
			}
		}
	}
	if props == nil || props.kind != kMap {
		props = newMap()
	}
	return mergeGlobal(g.clone(), props)
}

func mergeGlobal(g, local *node) *node {
	if _, _, ok := local.intrinsic(); ok {
		return local
	}
	if _, _, ok := g.intrinsic(); ok {
		return local
	}
	switch {
	case g.kind == kMap && local.kind == kMap:
		out := g
		for i, k := range local.keys {
			if gv := out.get(k); gv != nil {
				out.set(k, mergeGlobal(gv, local.vals[i]))
			} else {
				out.set(k, local.vals[i])
			}
		}
		return out
	case g.kind == kList && local.kind == kList:
		return &node{kind: kList, list: append(append([]*node(nil), g.list...), local.list...), line: local.line, col: local.col}
	}
	return local
}

// simpleTable: an AWS::DynamoDB::Table with a string key "id" unless
// PrimaryKey says otherwise, billed per request without
// ProvisionedThroughput.
func (s *samExpander) simpleTable(r *resource) error {
	p := s.withGlobals("SimpleTable", r.raw.get("Properties"))
	pk := p.get("PrimaryKey")
	name, typ := str("id"), str("S")
	if pk != nil {
		if n := pk.get("Name"); n != nil {
			name = n
		}
		if x := pk.get("Type"); x != nil {
			t := x.text()
			typ = str(map[string]string{"String": "S", "Number": "N", "Binary": "B"}[t])
		}
	}
	props := newMap()
	if n := p.get("TableName"); n != nil {
		props.set("TableName", n)
	}
	props.set("AttributeDefinitions", listOf(newMap().set("AttributeName", name).set("AttributeType", typ)))
	props.set("KeySchema", listOf(newMap().set("AttributeName", name).set("KeyType", str("HASH"))))
	if pt := p.get("ProvisionedThroughput"); pt != nil {
		props.set("ProvisionedThroughput", pt)
	} else {
		props.set("BillingMode", str("PAY_PER_REQUEST"))
	}
	if sse := p.get("SSESpecification"); sse != nil {
		props.set("SSESpecification", sse)
	}
	return s.replace(r, "AWS::DynamoDB::Table", props)
}

// replace turns SAM resource r into a CloudFormation resource of the same
// logical id.
func (s *samExpander) replace(r *resource, typ string, props *node) error {
	r.raw = r.raw.clone().set("Type", str(typ)).set("Properties", props)
	r.typ = typ
	return nil
}

// stateMachine expands an AWS::Serverless::StateMachine: the
// AWS::StepFunctions::StateMachine and, without Role, the role SAM
// generates from Policies (trusting states.amazonaws.com). The state
// machine's own Events invoke it, not a function: they are not read.
func (s *samExpander) stateMachine(r *resource) error {
	t := s.t
	p := r.raw.get("Properties")
	if p == nil {
		p = newMap()
	}
	sm := newMap()
	switch {
	case p.get("Definition") != nil:
		sm.set("Definition", p.get("Definition"))
	case p.get("DefinitionUri") != nil:
		sm.set("DefinitionS3Location", newMap().set("Bucket", str("definition-in-s3")))
	}
	for _, k := range [][2]string{{"DefinitionSubstitutions", "DefinitionSubstitutions"}, {"Type", "StateMachineType"},
		{"Logging", "LoggingConfiguration"}, {"Tracing", "TracingConfiguration"}} {
		if v := p.get(k[0]); v != nil {
			sm.set(k[1], v)
		}
	}
	if n := p.get("Name"); n != nil {
		sm.set("StateMachineName", n)
	}
	if role := p.get("Role"); role != nil {
		sm.set("RoleArn", role)
	} else {
		managedARNs, inline := &node{kind: kList}, &node{kind: kList}
		if err := s.policies(r, p, managedARNs, inline); err != nil {
			return err
		}
		if p.path("Tracing", "Enabled").boolean() {
			name := "AWSXrayWriteOnlyAccess"
			if t.part != "aws" {
				name = "AWSXRayDaemonWriteAccess"
			}
			managedARNs.list = append(managedARNs.list, s.awsManaged(name))
		}
		role := newMap().set("AssumeRolePolicyDocument", newMap().set("Version", str("2012-10-17")).set("Statement", listOf(
			newMap().set("Action", listOf(str("sts:AssumeRole"))).set("Effect", str("Allow")).
				set("Principal", newMap().set("Service", listOf(str("states.amazonaws.com")))))))
		setRolePolicies(role, p, managedARNs, inline)
		if _, err := s.add(r.id+"Role", "AWS::IAM::Role", role, r); err != nil {
			return err
		}
		sm.set("RoleArn", getAtt(r.id+"Role", "Arn"))
	}
	return s.replace(r, "AWS::StepFunctions::StateMachine", sm)
}

// layer: SAM names the AWS::Lambda::LayerVersion with a hash suffix and
// keeps the logical id pointing at it; the model needs only its ARN.
func (s *samExpander) layer(r *resource) error {
	p := r.raw.get("Properties")
	props := newMap()
	if n := p.get("LayerName"); n != nil {
		props.set("LayerName", n)
	}
	return s.replace(r, "AWS::Lambda::LayerVersion", props)
}

// managedARN resolves a managed policy name of SAM's Policies as SAM does:
// a name in the AWS managed policy list becomes its ARN; anything else is
// kept (an ARN, or an intrinsic function).
func (s *samExpander) managedARN(n *node) *node {
	if n.kind != kString || strings.HasPrefix(n.str, "arn:") {
		return n
	}
	if p, ok := managed.ByName(n.str); ok {
		return str(strings.Replace(p.ARN, "arn:aws:", "arn:"+s.t.part+":", 1))
	}
	return n
}

func (s *samExpander) awsManaged(path string) *node {
	return str("arn:" + s.t.part + ":iam::aws:policy/" + path)
}

// policyTemplate expands a SAM policy template {Name: {Param: value}} into
// the statements of its definition, each {"Ref": Param} replaced.
func (s *samExpander) policyTemplate(name string, params *node, at *node, path string) (*node, error) {
	tp, ok := samdata.Lookup(name)
	if !ok {
		return nil, nil
	}
	def, err := parseJSON(s.t.file, tp.Definition)
	if err != nil {
		return nil, s.t.errAt(at, path, "SAM policy template %s: %v", name, err)
	}
	for p := range tp.Parameters {
		if params.get(p) == nil {
			return nil, s.t.errAt(at, path, "SAM policy template %s needs parameter %s", name, p)
		}
	}
	var subst func(n *node) *node
	subst = func(n *node) *node {
		if fn, arg, ok := n.intrinsic(); ok && fn == "Ref" && arg.scalar() {
			if v := params.get(arg.str); v != nil {
				return v.clone()
			}
		}
		for i, it := range n.list {
			n.list[i] = subst(it)
		}
		for i, v := range n.vals {
			n.vals[i] = subst(v)
		}
		return n
	}
	def = subst(def)
	def.at(at.line, at.col)
	return def, nil
}

// function expands an AWS::Serverless::Function.
func (s *samExpander) function(r *resource) error {
	t := s.t
	id := r.id
	path := "Resources." + id + ".Properties"
	p := s.withGlobals("Function", r.raw.get("Properties"))
	fn := newMap()
	pass := []string{"FunctionName", "Description", "MemorySize", "Timeout", "Handler", "Runtime", "Environment",
		"VpcConfig", "KmsKeyArn", "Layers", "ReservedConcurrentExecutions", "FileSystemConfigs", "PackageType",
		"ImageConfig", "Architectures", "EphemeralStorage", "SnapStart", "RuntimeManagementConfig", "LoggingConfig",
		"RecursiveLoop", "CodeSigningConfigArn", "TracingConfig"}
	for _, k := range pass {
		if v := p.get(k); v != nil {
			fn.set(k, v)
		}
	}
	code := newMap()
	switch {
	case p.get("InlineCode") != nil:
		code.set("ZipFile", p.get("InlineCode"))
	case p.get("ImageUri") != nil:
		code.set("ImageUri", p.get("ImageUri"))
		if fn.get("PackageType") == nil {
			fn.set("PackageType", str("Image"))
		}
	case p.get("CodeUri") != nil:
		code.set("S3Bucket", str("bucket")).set("S3Key", str("key"))
	}
	fn.set("Code", code)
	if tr := p.get("Tracing"); tr != nil {
		fn.set("TracingConfig", newMap().set("Mode", tr))
	}
	dlq := p.get("DeadLetterQueue")
	if dlq != nil {
		if dlq.kind != kMap || dlq.get("TargetArn") == nil {
			return t.errAt(dlq, path+".DeadLetterQueue", "needs Type (SQS or SNS) and TargetArn")
		}
		fn.set("DeadLetterConfig", newMap().set("TargetArn", dlq.get("TargetArn")))
	}
	sf := &samFunction{id: id, target: id, res: r}
	if role := p.get("Role"); role != nil {
		fn.set("Role", role)
	} else {
		roleProps, err := s.executionRole(r, p)
		if err != nil {
			return err
		}
		if _, err := s.add(id+"Role", "AWS::IAM::Role", roleProps, r); err != nil {
			return err
		}
		sf.role = roleProps
		fn.set("Role", getAtt(id+"Role", "Arn"))
	}
	if err := s.replace(r, "AWS::Lambda::Function", fn); err != nil {
		return err
	}
	if alias := p.get("AutoPublishAlias"); alias != nil {
		an, err := t.eval(alias, path+".AutoPublishAlias")
		if err != nil {
			return err
		}
		if !an.scalar() {
			return t.errAt(alias, path+".AutoPublishAlias", "must be a string")
		}
		verID := id + "Version"
		if _, err := s.add(verID, "AWS::Lambda::Version", newMap().set("FunctionName", ref(id)), r); err != nil {
			return err
		}
		aliasID := id + "Alias" + an.str
		if !validLogicalID(aliasID) {
			aliasID = id + "Alias" + markerDetail(strings.ReplaceAll(an.str, "-", ""))
		}
		if _, err := s.add(aliasID, "AWS::Lambda::Alias", newMap().set("FunctionName", ref(id)).
			set("FunctionVersion", getAtt(verID, "Version")).set("Name", an), r); err != nil {
			return err
		}
		sf.target, sf.isAlias = aliasID, true
		t.samRefs[id+".Alias"] = aliasID
		t.samRefs[id+".Version"] = verID
	}
	if eic := p.get("EventInvokeConfig"); eic != nil {
		if err := s.eventInvokeConfig(sf, eic, path+".EventInvokeConfig"); err != nil {
			return err
		}
	}
	if u := p.get("FunctionUrlConfig"); u != nil {
		if err := s.functionURL(sf, u); err != nil {
			return err
		}
	}
	events := p.get("Events")
	if events != nil && events.kind == kMap {
		for _, ev := range events.vals {
			if ev.get("Type").text() != "HttpApi" {
				continue
			}
			ep := ev.get("Properties")
			method := strings.ToLower(ep.get("Method").text())
			if ep.get("Path") == nil && (method == "" || method == "any") || ep.get("Path").text() == "$default" && (method == "" || method == "any") {
				a := s.apiFor(ep.get("ApiId"), true, r)
				if a != nil {
					a.defaultRouteOf[sf.target] = true
				}
			}
		}
		for i, name := range events.keys {
			if err := s.event(sf, name, events.vals[i], path+".Events."+name); err != nil {
				return err
			}
		}
	}
	return nil
}

// executionRole builds the role SAM generates for a function that gives
// no Role: AWSLambdaBasicExecutionRole, X-Ray and VPC managed policies as
// the function needs them, the dead-letter queue policy, the Policies
// property (managed policy names and ARNs, statements, policy templates),
// RolePath and PermissionsBoundary.
func (s *samExpander) executionRole(r *resource, p *node) (*node, error) {
	t := s.t
	path := "Resources." + r.id + ".Properties"
	role := newMap()
	if a := p.get("AssumeRolePolicyDocument"); a != nil {
		role.set("AssumeRolePolicyDocument", a)
	} else {
		role.set("AssumeRolePolicyDocument", newMap().set("Version", str("2012-10-17")).set("Statement", listOf(
			newMap().set("Action", listOf(str("sts:AssumeRole"))).set("Effect", str("Allow")).
				set("Principal", newMap().set("Service", listOf(str("lambda.amazonaws.com")))))))
	}
	managedARNs := &node{kind: kList}
	if p.get("DurableConfig") != nil {
		managedARNs.list = append(managedARNs.list, s.awsManaged("service-role/AWSLambdaBasicDurableExecutionRolePolicy"))
	} else {
		managedARNs.list = append(managedARNs.list, s.awsManaged("service-role/AWSLambdaBasicExecutionRole"))
	}
	if tr := p.get("Tracing"); tr != nil {
		v, err := t.eval(tr, path+".Tracing")
		if err != nil {
			return nil, err
		}
		if v.text() != "Disabled" {
			name := "AWSXrayWriteOnlyAccess"
			if t.part != "aws" {
				name = "AWSXRayDaemonWriteAccess"
			}
			managedARNs.list = append(managedARNs.list, s.awsManaged(name))
		}
	}
	if p.get("VpcConfig") != nil {
		managedARNs.list = append(managedARNs.list, s.awsManaged("service-role/AWSLambdaVPCAccessExecutionRole"))
	}
	inline := &node{kind: kList}
	if dlq := p.get("DeadLetterQueue"); dlq != nil {
		action := map[string]string{"SQS": "sqs:SendMessage", "SNS": "sns:Publish"}[dlq.get("Type").text()]
		if action == "" {
			return nil, t.errAt(dlq, path+".DeadLetterQueue.Type", "must be SQS or SNS")
		}
		inline.list = append(inline.list, newMap().set("PolicyName", str("DeadLetterQueuePolicy")).set("PolicyDocument",
			newMap().set("Version", str("2012-10-17")).set("Statement", listOf(newMap().set("Action", str(action)).
				set("Resource", dlq.get("TargetArn")).set("Effect", str("Allow"))))))
	}
	if eic := p.get("EventInvokeConfig"); eic != nil {
		for _, side := range []string{"OnSuccess", "OnFailure"} {
			d := eic.path("DestinationConfig", side)
			if d == nil {
				continue
			}
			logical := r.id + "EventInvokeConfig" + side
			dest := d.get("Destination")
			if dest == nil {
				continue // SAM creates the queue or topic: see eventInvokeConfig
			}
			if pol := destinationPolicy(d.get("Type").text(), dest, logical); pol != nil {
				inline.list = append(inline.list, pol)
			}
		}
	}
	if err := s.policies(r, p, managedARNs, inline); err != nil {
		return nil, err
	}
	setRolePolicies(role, p, managedARNs, inline)
	tags := listOf(newMap().set("Key", str("lambda:createdBy")).set("Value", str("SAM")))
	if tg := p.get("Tags"); tg != nil && tg.kind == kMap {
		for _, k := range tg.sortedKeys() {
			tags.list = append(tags.list, newMap().set("Key", str(k)).set("Value", tg.get(k)))
		}
	}
	role.set("Tags", tags)
	return role, nil
}

// policies adds a SAM resource's Policies to a generated role: managed
// policy names and ARNs to managedARNs, statement documents and policy
// templates to inline as RESOURCERolePolicyINDEX.
func (s *samExpander) policies(r *resource, p, managedARNs, inline *node) error {
	t := s.t
	path := "Resources." + r.id + ".Properties"
	pols := p.get("Policies")
	if pols != nil && pols.kind != kList {
		pols = listOf(pols)
	}
	if pols != nil {
		for i, pol := range pols.list {
			ppath := path + ".Policies[" + itoa(i) + "]"
			name := str(r.id + "RolePolicy" + itoa(i))
			switch {
			case pol.kind == kString:
				arn := s.managedARN(pol)
				if !containsText(managedARNs, arn) {
					managedARNs.list = append(managedARNs.list, arn)
				}
			case pol.kind == kMap && pol.get("Statement") != nil:
				inline.list = append(inline.list, newMap().set("PolicyName", name).set("PolicyDocument", pol))
			case pol.kind == kMap:
				if fnName, _, ok := pol.intrinsic(); ok {
					if fnName == "Fn::If" {
						s.gap(r.id, "Fn::If in Policies", pol, ppath)
						continue
					}
					managedARNs.list = append(managedARNs.list, pol)
					continue
				}
				if len(pol.keys) != 1 {
					return t.errAt(pol, ppath, "a policy must be a managed policy, a statement document or one SAM policy template")
				}
				def, err := s.policyTemplate(pol.keys[0], pol.vals[0], pol, ppath)
				if err != nil {
					return err
				}
				if def == nil {
					return t.errAt(pol, ppath, "%s is not a SAM policy template", pol.keys[0])
				}
				inline.list = append(inline.list, newMap().set("PolicyName", name).set("PolicyDocument", def))
			default:
				return t.errAt(pol, ppath, "a policy must be a managed policy, a statement document or a SAM policy template")
			}
		}
	}
	return nil
}

func containsText(l *node, v *node) bool {
	for _, it := range l.list {
		if it.scalar() && v.scalar() && it.str == v.str {
			return true
		}
	}
	return false
}

// destinationPolicy is the role policy SAM adds for an asynchronous
// destination (samtranslator model/iam.py).
func destinationPolicy(typ string, dest *node, logical string) *node {
	stmt := func(action string, res *node) *node {
		return newMap().set("Action", str(action)).set("Effect", str("Allow")).set("Resource", res)
	}
	var name string
	var stmts []*node
	switch typ {
	case "SQS":
		name, stmts = logical+"SQSPolicy", []*node{stmt("sqs:SendMessage", dest)}
	case "SNS":
		name, stmts = logical+"SNSPolicy", []*node{stmt("sns:publish", dest)}
	case "EventBridge":
		name, stmts = logical+"EventBridgePolicy", []*node{stmt("events:PutEvents", dest)}
	case "Lambda":
		name, stmts = logical+"LambdaPolicy", []*node{stmt("lambda:InvokeFunction", dest)}
	case "S3Bucket":
		name = logical + "S3Policy"
		stmts = []*node{stmt("s3:PutObject", newMap().set("Fn::Join", listOf(str("/"), listOf(dest.clone(), str("*"))))),
			stmt("s3:ListBucket", dest)}
	default:
		return nil
	}
	return newMap().set("PolicyName", str(name)).set("PolicyDocument", newMap().set("Statement", &node{kind: kList, list: stmts}))
}

// eventInvokeConfig: an AWS::Lambda::EventInvokeConfig for the function or
// its alias; a destination of type SQS or SNS without Destination makes
// SAM create the queue or topic.
func (s *samExpander) eventInvokeConfig(f *samFunction, eic *node, path string) error {
	props := newMap().set("FunctionName", ref(f.id))
	if f.isAlias {
		alias := s.t.resources[f.target].raw.path("Properties", "Name")
		props.set("Qualifier", alias)
	} else {
		props.set("Qualifier", str("$LATEST"))
	}
	for _, k := range []string{"MaximumEventAgeInSeconds", "MaximumRetryAttempts"} {
		if v := eic.get(k); v != nil {
			props.set(k, v)
		}
	}
	dc := eic.get("DestinationConfig")
	if dc != nil {
		out := newMap()
		for _, side := range []string{"OnSuccess", "OnFailure"} {
			d := dc.get(side)
			if d == nil {
				continue
			}
			dest := d.get("Destination")
			if dest == nil {
				logical := f.id + "EventInvokeConfig" + side
				switch d.get("Type").text() {
				case "SQS":
					if _, err := s.add(logical+"Queue", "AWS::SQS::Queue", newMap(), f.res); err != nil {
						return err
					}
					dest = getAtt(logical+"Queue", "Arn")
				case "SNS":
					if _, err := s.add(logical+"Topic", "AWS::SNS::Topic", newMap(), f.res); err != nil {
						return err
					}
					dest = ref(logical + "Topic")
				default:
					return s.t.errAt(d, path+".DestinationConfig."+side, "needs a Destination")
				}
				if f.role != nil {
					pols := f.role.get("Policies")
					if pols == nil {
						pols = &node{kind: kList}
						f.role.set("Policies", pols)
					}
					pols.list = append(pols.list, destinationPolicy(d.get("Type").text(), dest, logical))
				}
			}
			out.set(side, newMap().set("Destination", dest))
		}
		props.set("DestinationConfig", out)
	}
	_, err := s.add(f.id+"EventInvokeConfig", "AWS::Lambda::EventInvokeConfig", props, f.res)
	return err
}

// functionURL: an AWS::Lambda::Url, and for AuthType NONE the two public
// statements the console writes (lambda:InvokeFunctionUrl with the auth
// type condition, lambda:InvokeFunction via the function URL).
func (s *samExpander) functionURL(f *samFunction, u *node) error {
	props := newMap().set("TargetFunctionArn", f.nameRef())
	for _, k := range []string{"AuthType", "Cors", "InvokeMode"} {
		if v := u.get(k); v != nil {
			props.set(k, v)
		}
	}
	if _, err := s.add(f.id+"Url", "AWS::Lambda::Url", props, f.res); err != nil {
		return err
	}
	auth, err := s.t.eval(u.get("AuthType"), "Resources."+f.id+".Properties.FunctionUrlConfig.AuthType")
	if err != nil {
		return err
	}
	if auth.text() != "NONE" {
		return nil
	}
	if _, err := s.add(f.id+"UrlPublicPermissions", "AWS::Lambda::Permission", newMap().set("Action", str("lambda:InvokeFunctionUrl")).
		set("FunctionName", f.nameRef()).set("FunctionUrlAuthType", str("NONE")).set("Principal", str("*")), f.res); err != nil {
		return err
	}
	_, err = s.add(f.id+"URLInvokeAllowPublicAccess", "AWS::Lambda::Permission", newMap().set("Action", str("lambda:InvokeFunction")).
		set("FunctionName", f.nameRef()).set("InvokedViaFunctionUrl", &node{kind: kBool, str: "true"}).set("Principal", str("*")), f.res)
	return err
}

// permission adds the AWS::Lambda::Permission SAM generates for a push
// event.
func (s *samExpander) permission(f *samFunction, id, principal string, sourceARN, sourceAccount *node) error {
	props := newMap().set("Action", str("lambda:InvokeFunction")).set("FunctionName", f.nameRef()).set("Principal", str(principal))
	if sourceARN != nil {
		props.set("SourceArn", sourceARN)
	}
	if sourceAccount != nil {
		props.set("SourceAccount", sourceAccount)
	}
	_, err := s.add(id, "AWS::Lambda::Permission", props, f.res)
	return err
}

// pollerPolicy adds the managed policy a pull event needs to the generated
// role.
func (s *samExpander) pollerPolicy(f *samFunction, name string) {
	if f.role == nil || name == "" {
		return
	}
	l := f.role.get("ManagedPolicyArns")
	arn := s.awsManaged(name)
	if !containsText(l, arn) {
		l.list = append(l.list, arn)
	}
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z0-9._-]+|[a-zA-Z0-9._-]+\+|proxy\+)\}`)

// event expands one entry of a function's Events.
func (s *samExpander) event(f *samFunction, name string, ev *node, path string) error {
	t := s.t
	if ev.kind != kMap {
		return t.errAt(ev, path, "an event must be a map with a Type")
	}
	typ := ev.get("Type").text()
	p := ev.get("Properties")
	if p == nil {
		p = newMap()
	}
	id := f.id + name
	if !validLogicalID(id) {
		return t.errAt(ev, path, "the event name must be alphanumeric")
	}
	switch typ {
	case "S3":
		return s.s3Event(f, id, p, path)
	case "SNS":
		sub := newMap().set("Endpoint", f.arnRef()).set("Protocol", str("lambda")).set("TopicArn", p.get("Topic"))
		for _, k := range []string{"Region", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy"} {
			if v := p.get(k); v != nil {
				sub.set(k, v)
			}
		}
		if p.get("SqsSubscription") != nil {
			s.gap(f.id, "SNS SqsSubscription", ev, path)
			return nil
		}
		if _, err := s.add(id, "AWS::SNS::Subscription", sub, f.res); err != nil {
			return err
		}
		return s.permission(f, id+"Permission", "sns.amazonaws.com", p.get("Topic"), nil)
	case "SQS", "Kinesis", "DynamoDB", "MSK", "MQ", "SelfManagedKafka", "DocumentDB":
		return s.pullEvent(f, id, typ, p, ev, path)
	case "Schedule", "CloudWatchEvent", "EventBridgeRule":
		rule := newMap()
		if typ == "Schedule" {
			rule.set("ScheduleExpression", p.get("Schedule"))
		} else {
			rule.set("EventPattern", p.get("Pattern"))
			if b := p.get("EventBusName"); b != nil {
				rule.set("EventBusName", b)
			}
		}
		if st := p.get("State"); st != nil {
			rule.set("State", st)
		}
		if en := p.get("Enabled"); en != nil {
			st := "DISABLED"
			if en.boolean() {
				st = "ENABLED"
			}
			rule.set("State", str(st))
		}
		for _, k := range []string{"Name", "Description"} {
			if v := p.get(k); v != nil {
				rule.set(k, v)
			}
		}
		if rn := p.get("RuleName"); rn != nil && typ != "Schedule" {
			rule.set("Name", rn)
		}
		targetID := p.path("Target", "Id")
		if targetID == nil {
			targetID = str(eventTargetID(id))
		}
		target := newMap().set("Arn", f.arnRef()).set("Id", targetID)
		if in := p.get("Input"); in != nil {
			target.set("Input", in)
		}
		if ip := p.get("InputPath"); ip != nil {
			target.set("InputPath", ip)
		}
		if p.get("DeadLetterConfig") != nil {
			s.gap(f.id, typ+" DeadLetterConfig", ev, path)
		}
		rule.set("Targets", listOf(target))
		if _, err := s.add(id, "AWS::Events::Rule", rule, f.res); err != nil {
			return err
		}
		return s.permission(f, id+"Permission", "events.amazonaws.com", getAtt(id, "Arn"), nil)
	case "ScheduleV2":
		sched := newMap().set("ScheduleExpression", p.get("ScheduleExpression"))
		win := p.get("FlexibleTimeWindow")
		if win == nil {
			win = newMap().set("Mode", str("OFF"))
		}
		sched.set("FlexibleTimeWindow", win)
		if n := p.get("Name"); n != nil {
			sched.set("Name", n)
		} else {
			sched.set("Name", str(id))
		}
		for _, k := range []string{"GroupName", "State", "Description", "StartDate", "EndDate", "ScheduleExpressionTimezone", "KmsKeyArn"} {
			if v := p.get(k); v != nil {
				sched.set(k, v)
			}
		}
		target := newMap().set("Arn", f.arnRef())
		if ra := p.get("RoleArn"); ra != nil {
			target.set("RoleArn", ra)
		} else {
			target.set("RoleArn", getAtt(id+"Role", "Arn"))
			role := newMap().set("AssumeRolePolicyDocument", newMap().set("Version", str("2012-10-17")).set("Statement", listOf(
				newMap().set("Action", listOf(str("sts:AssumeRole"))).set("Effect", str("Allow")).
					set("Principal", newMap().set("Service", listOf(str("scheduler.amazonaws.com")))))))
			role.set("Policies", listOf(newMap().set("PolicyName", str(id+"LambdaPolicy")).set("PolicyDocument",
				newMap().set("Statement", listOf(newMap().set("Action", str("lambda:InvokeFunction")).set("Effect", str("Allow")).
					set("Resource", f.arnRef()))))))
			if pb := p.get("PermissionsBoundary"); pb != nil {
				role.set("PermissionsBoundary", pb)
			}
			if _, err := s.add(id+"Role", "AWS::IAM::Role", role, f.res); err != nil {
				return err
			}
		}
		if in := p.get("Input"); in != nil {
			target.set("Input", in)
		}
		sched.set("Target", target)
		_, err := s.add(id, "AWS::Scheduler::Schedule", sched, f.res)
		return err
	case "CloudWatchLogs":
		group := p.get("LogGroupName")
		filter := newMap().set("DestinationArn", f.arnRef()).set("FilterPattern", p.get("FilterPattern")).set("LogGroupName", group)
		if _, err := s.add(id, "AWS::Logs::SubscriptionFilter", filter, f.res); err != nil {
			return err
		}
		return s.permission(f, id+"Permission", "logs.amazonaws.com", fnSub("arn:"+s.t.part+":logs:${AWS::Region}:${AWS::AccountId}:log-group:${__LogGroupName__}:*",
			newMap().set("__LogGroupName__", group)), nil)
	case "Cognito":
		pool := p.get("UserPool")
		poolID := ""
		if fnName, arg, ok := pool.intrinsic(); ok && fnName == "Ref" && arg.scalar() {
			poolID = arg.str
		}
		up := t.resources[poolID]
		if up == nil || up.typ != "AWS::Cognito::UserPool" {
			return t.errAt(pool, path+".Properties.UserPool", "must be a !Ref to an AWS::Cognito::UserPool of the template")
		}
		props := up.raw.get("Properties")
		if props == nil || props.kind != kMap {
			props = newMap()
			up.raw.set("Properties", props)
		}
		lc := props.get("LambdaConfig")
		if lc == nil {
			lc = newMap()
			props.set("LambdaConfig", lc)
		}
		for _, trig := range p.get("Trigger").strings() {
			if lc.get(trig) != nil {
				return t.errAt(ev, path, "Cognito trigger %s defined multiple times", trig)
			}
			lc.set(trig, f.arnRef())
		}
		permID := f.target + "CognitoPermission"
		if t.resources[permID] != nil {
			return nil // one permission per function and user pool suffices
		}
		return s.permission(f, permID, "cognito-idp.amazonaws.com", getAtt(poolID, "Arn"), nil)
	case "IoTRule":
		payload := newMap().set("AwsIotSqlVersion", p.get("AwsIotSqlVersion")).set("Sql", p.get("Sql")).
			set("RuleDisabled", &node{kind: kBool, str: "false"}).
			set("Actions", listOf(newMap().set("Lambda", newMap().set("FunctionArn", f.arnRef()))))
		if payload.get("AwsIotSqlVersion") == nil {
			payload.del("AwsIotSqlVersion")
		}
		if _, err := s.add(id, "AWS::IoT::TopicRule", newMap().set("TopicRulePayload", payload), f.res); err != nil {
			return err
		}
		return s.permission(f, id+"Permission", "iot.amazonaws.com", fnSub("arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}:rule/${RuleName}",
			newMap().set("RuleName", ref(id))), ref("AWS::AccountId"))
	case "AlexaSkill":
		props := newMap().set("Action", str("lambda:InvokeFunction")).set("FunctionName", f.nameRef()).set("Principal", str("alexa-appkit.amazon.com"))
		if sk := p.get("SkillId"); sk != nil {
			props.set("EventSourceToken", sk)
		}
		_, err := s.add(id+"Permission", "AWS::Lambda::Permission", props, f.res)
		return err
	case "Api":
		return s.apiEvent(f, id, p, ev, path, false)
	case "HttpApi":
		return s.apiEvent(f, id, p, ev, path, true)
	}
	s.gap(f.id, "event type "+typ, ev, path)
	return nil
}

// eventTargetID is SAM's target id for a rule: the logical id plus
// "LambdaTarget", cut to 64 characters.
func eventTargetID(id string) string {
	out := id + "LambdaTarget"
	if len(out) > 64 {
		out = out[:64]
	}
	return out
}

func (s *samExpander) s3Event(f *samFunction, id string, p *node, path string) error {
	t := s.t
	bucket := p.get("Bucket")
	bucketID := ""
	if fnName, arg, ok := bucket.intrinsic(); ok && fnName == "Ref" && arg.scalar() {
		bucketID = arg.str
	}
	b := t.resources[bucketID]
	if b == nil || b.typ != "AWS::S3::Bucket" {
		return t.errAt(bucket, path+".Properties.Bucket", "must be a !Ref to an AWS::S3::Bucket of the template")
	}
	if err := s.permission(f, id+"Permission", "s3.amazonaws.com", nil, ref("AWS::AccountId")); err != nil {
		return err
	}
	props := b.raw.get("Properties")
	if props == nil || props.kind != kMap {
		props = newMap()
		b.raw.set("Properties", props)
	}
	nc := props.get("NotificationConfiguration")
	if nc == nil {
		nc = newMap()
		props.set("NotificationConfiguration", nc)
	}
	lcs := nc.get("LambdaConfigurations")
	if lcs == nil {
		lcs = &node{kind: kList}
		nc.set("LambdaConfigurations", lcs)
	}
	evs := p.get("Events")
	list := []*node{evs}
	if evs != nil && evs.kind == kList {
		list = evs.list
	}
	for _, e := range list {
		c := newMap().set("Event", e).set("Function", f.arnRef())
		if flt := p.get("Filter"); flt != nil {
			c.set("Filter", flt)
		}
		lcs.list = append(lcs.list, c)
	}
	return nil
}

// pullEvents: the managed policy SAM adds to a generated role for each
// poller (samtranslator model/eventsources/pull.py).
var pullPolicies = map[string]string{
	"SQS":      "service-role/AWSLambdaSQSQueueExecutionRole",
	"Kinesis":  "service-role/AWSLambdaKinesisExecutionRole",
	"DynamoDB": "service-role/AWSLambdaDynamoDBExecutionRole",
	"MSK":      "service-role/AWSLambdaMSKExecutionRole",
}

func (s *samExpander) pullEvent(f *samFunction, id, typ string, p, ev *node, path string) error {
	esm := newMap().set("FunctionName", f.nameRef())
	switch typ {
	case "SQS":
		esm.set("EventSourceArn", p.get("Queue"))
	case "MQ", "DocumentDB":
		esm.set("EventSourceArn", p.get("Broker"))
		if typ == "DocumentDB" {
			esm.set("EventSourceArn", p.get("Cluster"))
		}
	case "SelfManagedKafka":
	default:
		esm.set("EventSourceArn", p.get("Stream"))
	}
	for _, k := range []string{"Enabled", "BatchSize", "StartingPosition"} {
		if v := p.get(k); v != nil {
			esm.set(k, v)
		}
	}
	if _, err := s.add(id, "AWS::Lambda::EventSourceMapping", esm, f.res); err != nil {
		return err
	}
	if pol, ok := pullPolicies[typ]; ok {
		s.pollerPolicy(f, pol)
	} else if f.role != nil {
		// MQ, self-managed Kafka and DocumentDB pollers get inline policies
		// built from their secrets and networks: not modelled.
		s.gap(f.id, typ+" poller policy", ev, path)
	}
	if dc := p.get("DestinationConfig"); dc != nil && f.role != nil {
		s.gap(f.id, typ+" DestinationConfig", ev, path)
	}
	return nil
}

// samAPI is an AWS::Serverless::Api or HttpApi (explicit or implicit).
type samAPI struct {
	id    string
	http  bool
	body  *node // the RestApi's or Api's Body
	res   *resource
	stage string // Serverless::Api StageName ("Prod" for the implicit API)
	s3    bool   // DefinitionUri: the body is in S3
	authz map[string]*node
	// openAPIVersion is set when the API (or Globals.Api) sets
	// OpenApiVersion.
	openAPIVersion bool
	// defaultRouteOf holds the functions (or aliases) with an ANY $default
	// route on this HTTP API.
	defaultRouteOf map[string]bool
}

// api expands an explicit AWS::Serverless::Api or HttpApi: the RestApi (or
// ApiGatewayV2 Api) with its Body, a stage, and its Lambda authorizers.
func (s *samExpander) api(r *resource, http bool) error {
	section := "Api"
	if http {
		section = "HttpApi"
	}
	p := s.withGlobals(section, r.raw.get("Properties"))
	a := &samAPI{id: r.id, http: http, res: r, authz: map[string]*node{}, defaultRouteOf: map[string]bool{}}
	if body := p.get("DefinitionBody"); body != nil {
		a.body = body.clone()
	} else if p.get("DefinitionUri") != nil {
		a.s3 = true
	}
	if a.body == nil {
		a.body = s.newBody(http)
	}
	st, err := s.t.eval(p.get("StageName"), "Resources."+r.id+".Properties.StageName")
	if err != nil {
		return err
	}
	a.stage = st.text()
	if http && a.stage == "" {
		a.stage = "$default"
	}
	if auth := p.path("Auth", "Authorizers"); auth != nil && auth.kind == kMap {
		for i, name := range auth.keys {
			a.authz[name] = auth.vals[i]
		}
	}
	a.openAPIVersion = p.get("OpenApiVersion") != nil
	s.apis[r.id] = a
	r.raw = r.raw.clone()
	r.raw.set("Properties", p)
	return nil
}

func (s *samExpander) newBody(http bool) *node {
	info := newMap().set("version", str("1.0")).set("title", ref("AWS::StackName"))
	if http {
		return newMap().set("openapi", str("3.0.1")).set("info", info).set("paths", newMap())
	}
	return newMap().set("swagger", str("2.0")).set("info", info).set("paths", newMap())
}

// implicitAPI returns ServerlessRestApi or ServerlessHttpApi, made on first
// use.
func (s *samExpander) implicitAPI(http bool, from *resource) *samAPI {
	id := "ServerlessRestApi"
	if http {
		id = "ServerlessHttpApi"
	}
	if a := s.apis[id]; a != nil {
		return a
	}
	a := &samAPI{id: id, http: http, body: s.newBody(http), res: from, stage: "Prod", authz: map[string]*node{}, defaultRouteOf: map[string]bool{}}
	if http {
		a.stage = "$default"
	}
	if g := s.globals.get(map[bool]string{false: "Api", true: "HttpApi"}[http]); g != nil {
		a.openAPIVersion = g.get("OpenApiVersion") != nil
	}
	s.apis[id] = a
	return a
}

// apiFor is the API an event names (RestApiId or ApiId), or the implicit
// one; nil when the reference is not to a SAM API of the template.
func (s *samExpander) apiFor(apiRef *node, http bool, from *resource) *samAPI {
	if apiRef == nil {
		return s.implicitAPI(http, from)
	}
	fnName, arg, ok := apiRef.intrinsic()
	if !ok || fnName != "Ref" || !arg.scalar() {
		return nil
	}
	return s.apis[arg.str]
}

// apiEvent adds a function's Api or HttpApi event to its API's Body and
// the permission SAM generates for it.
func (s *samExpander) apiEvent(f *samFunction, id string, p, ev *node, path string, http bool) error {
	t := s.t
	var a *samAPI
	apiRef := p.get("RestApiId")
	if http {
		apiRef = p.get("ApiId")
	}
	if a = s.apiFor(apiRef, http, f.res); a == nil {
		return t.errAt(apiRef, path, "must be a !Ref to an AWS::Serverless::Api or HttpApi of the template")
	}
	pathText, method := "$default", "x-amazon-apigateway-any-method"
	if pn := p.get("Path"); pn != nil {
		pathText = pn.text()
	}
	if m := p.get("Method"); m != nil {
		method = strings.ToLower(m.text())
	}
	if !http && (pathText == "" || method == "") {
		return t.errAt(ev, path, "an Api event needs Path and Method")
	}
	if method == "any" {
		method = "x-amazon-apigateway-any-method"
	}
	bodyPath := pathText
	if http && pathText == "$default" {
		bodyPath = "$default"
	}
	paths := a.body.get("paths")
	if paths == nil || paths.kind != kMap {
		paths = newMap()
		a.body.set("paths", paths)
	}
	ops := paths.get(bodyPath)
	if ops == nil {
		ops = newMap()
		paths.set(bodyPath, ops)
	}
	partition := "aws"
	if http {
		partition = "${AWS::Partition}"
	}
	uri := fnSub("arn:"+partition+":apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"+f.uriVar()+"/invocations", nil)
	if !http {
		uri = fnSub("arn:"+s.t.part+":apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"+f.uriVar()+"/invocations", nil)
	}
	integ := newMap().set("type", str("aws_proxy")).set("httpMethod", str("POST")).set("uri", uri)
	if http {
		integ.set("payloadFormatVersion", str("2.0"))
	}
	op := newMap().set("x-amazon-apigateway-integration", integ).set("responses", newMap())
	ops.set(method, op)

	// The permission, for every stage: SAM scopes it to API/*/VERB/PATH
	// with path parameters as "*".
	verb := "*"
	if method != "x-amazon-apigateway-any-method" {
		verb = strings.ToUpper(method)
	}
	apiID := ref(a.id)
	if http {
		if pathText != "$default" && a.defaultRouteOf[f.target] {
			// The function's $default route's permission covers this route:
			// SAM adds none (samtranslator push.py, HttpApi._get_permission).
			return nil
		}
		permPath := strings.TrimSuffix(pathText, "/")
		if permPath == "" {
			permPath = "/"
		}
		resource := "${__ApiId__}/${__Stage__}"
		if pathText == "$default" {
			permPath = ""
		}
		if verb == "*" && permPath == "/$default" {
			resource += permPath
		} else {
			resource += "/" + verb + permPath
		}
		return s.permission(f, id+"Permission", "apigateway.amazonaws.com",
			fnSub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"+resource, newMap().set("__ApiId__", apiID).set("__Stage__", str("*"))), nil)
	}
	permPath := pathParam.ReplaceAllString(pathText, "*")
	if len(permPath) > 1 {
		permPath = strings.TrimSuffix(permPath, "/")
	}
	suffix := a.stage
	if suffix == "" || !validLogicalID(suffix) {
		suffix = "Prod"
		if a.stage != "" {
			suffix = markerDetail(a.stage)
		}
	}
	return s.permission(f, id+"Permission"+suffix, "apigateway.amazonaws.com",
		fnSub("arn:"+s.t.part+":execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/"+verb+permPath,
			newMap().set("__ApiId__", apiID).set("__Stage__", str("*"))), nil)
}

// finishAPIs writes the APIs SAM generates: the RestApi (or Api) with its
// Body, a stage, and the authorizers' permissions.
func (s *samExpander) finishAPIs() error {
	ids := make([]string, 0, len(s.apis))
	for id := range s.apis {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := s.apis[id]
		if err := s.finishAPI(a); err != nil {
			return err
		}
	}
	return nil
}

func (s *samExpander) finishAPI(a *samAPI) error {
	t := s.t
	explicit := t.resources[a.id] != nil
	props := newMap()
	if a.s3 {
		props.set("BodyS3Location", newMap().set("Bucket", str("definition-in-s3")))
	} else {
		props.set("Body", a.body)
	}
	s.authorizers(a)
	if a.http {
		if explicit {
			if err := s.replace(t.resources[a.id], "AWS::ApiGatewayV2::Api", props); err != nil {
				return err
			}
		} else if _, err := s.add(a.id, "AWS::ApiGatewayV2::Api", props, a.res); err != nil {
			return err
		}
		stageID := a.id + "ApiGatewayDefaultStage"
		if a.stage != "$default" {
			stageID = a.id + markerDetail(a.stage) + "Stage"
		}
		t.samRefs[a.id+".Stage"] = stageID
		_, err := s.add(stageID, "AWS::ApiGatewayV2::Stage", newMap().set("ApiId", ref(a.id)).set("StageName", str(a.stage)).
			set("AutoDeploy", &node{kind: kBool, str: "true"}), a.res)
		return err
	}
	if explicit {
		if err := s.replace(t.resources[a.id], "AWS::ApiGateway::RestApi", props); err != nil {
			return err
		}
	} else if _, err := s.add(a.id, "AWS::ApiGateway::RestApi", props, a.res); err != nil {
		return err
	}
	// Without OpenApiVersion, SAM's deployment also makes a stage named
	// "Stage" (a known SAM behaviour; OpenApiVersion turns it off).
	dep := newMap().set("RestApiId", ref(a.id))
	if !a.openAPIVersion {
		dep.set("StageName", str("Stage"))
	}
	if _, err := s.add(a.id+"Deployment", "AWS::ApiGateway::Deployment", dep, a.res); err != nil {
		return err
	}
	stage := a.stage
	if stage == "" {
		stage = "Prod"
	}
	t.samRefs[a.id+".Stage"] = a.id + markerDetail(stage) + "Stage"
	t.samRefs[a.id+".Deployment"] = a.id + "Deployment"
	_, err := s.add(a.id+markerDetail(stage)+"Stage", "AWS::ApiGateway::Stage", newMap().set("RestApiId", ref(a.id)).
		set("DeploymentId", ref(a.id+"Deployment")).set("StageName", str(stage)), a.res)
	return err
}

// authorizers writes an API's Lambda authorizers into its Body and adds
// the permission SAM generates for each (API_ID/authorizers/*).
func (s *samExpander) authorizers(a *samAPI) {
	if len(a.authz) == 0 {
		return
	}
	names := make([]string, 0, len(a.authz))
	for n := range a.authz {
		names = append(names, n)
	}
	sort.Strings(names)
	var defs *node
	if a.http {
		comps := a.body.get("components")
		if comps == nil {
			comps = newMap()
			a.body.set("components", comps)
		}
		defs = comps.get("securitySchemes")
		if defs == nil {
			defs = newMap()
			comps.set("securitySchemes", defs)
		}
	} else {
		defs = a.body.get("securityDefinitions")
		if defs == nil {
			defs = newMap()
			a.body.set("securityDefinitions", defs)
		}
	}
	for _, name := range names {
		az := a.authz[name]
		fnArn := az.get("FunctionArn")
		if fnArn == nil {
			continue // a Cognito or JWT authorizer
		}
		typ := "token"
		if a.http || az.get("Identity").get("Headers") != nil || az.get("FunctionPayloadType").text() == "REQUEST" {
			typ = "request"
		}
		partition := s.t.part
		if a.http {
			partition = "${AWS::Partition}"
		}
		uri := fnSub("arn:"+partition+":apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations",
			newMap().set("__FunctionArn__", fnArn))
		spec := newMap().set("type", str(typ)).set("authorizerUri", uri)
		if c := az.get("FunctionInvokeRole"); c != nil {
			spec.set("authorizerCredentials", c)
		}
		defs.set(name, newMap().set("type", str("apiKey")).set("name", str("Authorization")).set("in", str("header")).
			set("x-amazon-apigateway-authtype", str("custom")).set("x-amazon-apigateway-authorizer", spec))
		// A REST API authorizer gets a permission unless
		// DisableFunctionDefaultPermissions; an HTTP API authorizer only
		// with EnableFunctionDefaultPermissions (samtranslator
		// api_generator.py, http_api_generator.py).
		if a.http && !az.get("EnableFunctionDefaultPermissions").boolean() ||
			!a.http && az.get("DisableFunctionDefaultPermissions").boolean() {
			continue
		}
		partition = s.t.part
		if a.http {
			partition = "${AWS::Partition}"
		}
		props := newMap().set("Action", str("lambda:InvokeFunction")).set("FunctionName", fnArn).set("Principal", str("apigateway.amazonaws.com")).
			set("SourceArn", fnSub("arn:"+partition+":execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*",
				newMap().set("__ApiId__", ref(a.id))))
		if _, err := s.add(a.id+name+"AuthorizerPermission", "AWS::Lambda::Permission", props, a.res); err != nil {
			continue
		}
	}
}

// jsonNode parses a JSON value into a node (for tests and data).
func jsonNode(v any) *node {
	b, _ := json.Marshal(v)
	n, _ := parseJSON("", b)
	return n
}

// setRolePolicies gives a role SAM generates its managed and inline
// policies and the resource's RolePath and PermissionsBoundary (the same for
// a function's role and a state machine's).
func setRolePolicies(role, p, managedARNs, inline *node) {
	role.set("ManagedPolicyArns", managedARNs)
	if len(inline.list) > 0 {
		role.set("Policies", inline)
	}
	if rp := p.get("RolePath"); rp != nil {
		role.set("Path", rp)
	}
	if pb := p.get("PermissionsBoundary"); pb != nil {
		role.set("PermissionsBoundary", pb)
	}
}
