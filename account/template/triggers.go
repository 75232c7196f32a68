package template

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// triggers reads the callers a resource wires to a template function, with
// the principal and SourceArn shape AWS sends (see account.Trigger*).
func (b *builder) triggers(r *resource) error {
	switch r.typ {
	case "AWS::S3::Bucket":
		return b.s3(r)
	case "AWS::Events::Rule":
		return b.eventsRule(r)
	case "AWS::SNS::Subscription":
		p := r.props
		if strings.EqualFold(p.get("Protocol").text(), "lambda") {
			b.sns(r, p.get("TopicArn").text(), p.get("Endpoint").text())
		}
	case "AWS::SNS::Topic":
		if subs := r.props.get("Subscription"); subs != nil && subs.kind == kList {
			topic, err := b.t.refResource(r, r.raw, "Resources."+r.id)
			if err != nil {
				return err
			}
			for _, s := range subs.list {
				if strings.EqualFold(s.get("Protocol").text(), "lambda") {
					b.sns(r, topic.str, s.get("Endpoint").text())
				}
			}
		}
	case "AWS::Logs::SubscriptionFilter":
		p := r.props
		f, q := b.fnFor(p.get("DestinationArn").text())
		if f == nil {
			return nil
		}
		group := p.get("LogGroupName").text()
		// CloudWatch Logs invokes as logs.amazonaws.com (its global name;
		// logs.REGION.amazonaws.com names it too) with the log group's ARN,
		// ending ":*" (CloudWatch Logs user guide, "Subscription filters
		// with AWS Lambda").
		b.add(f, r, account.Trigger{Kind: account.TriggerLogs, Principal: "logs.amazonaws.com",
			SourceARN: b.t.arn("logs", "log-group:"+group+":*"), SourceAccount: b.t.accountID(), Qualifier: q,
			Name: "subscription filter of log group " + group})
	case "AWS::Cognito::UserPool":
		return b.cognito(r)
	case "AWS::ElasticLoadBalancingV2::TargetGroup":
		return b.targetGroup(r)
	case "AWS::SecretsManager::RotationSchedule":
		p := r.props
		f, q := b.fnFor(p.get("RotationLambdaARN").text())
		if f == nil {
			return nil
		}
		secret := p.get("SecretId").text()
		if !strings.HasPrefix(secret, "arn:") {
			secret = b.t.arn("secretsmanager", "secret:"+secret)
		}
		b.add(f, r, account.Trigger{Kind: account.TriggerSecretsManager, Principal: "secretsmanager.amazonaws.com",
			SourceARN: secret, Qualifier: q, Name: "rotation of secret " + secret})
	case "AWS::StepFunctions::StateMachine":
		return b.stateMachine(r)
	case "AWS::Scheduler::Schedule":
		p := r.props
		f, q := b.fnFor(p.path("Target", "Arn").text())
		if f == nil {
			return nil
		}
		arn, err := b.t.attResource(r, "Arn", r.raw, "Resources."+r.id)
		if err != nil {
			return err
		}
		b.add(f, r, account.Trigger{Kind: account.TriggerScheduler, Principal: "scheduler.amazonaws.com", SourceARN: arn.str,
			Qualifier: q, RoleARN: p.path("Target", "RoleArn").text(), Name: "schedule " + lastSegment(arn.str)})
	case "AWS::IoT::TopicRule":
		acts := r.props.path("TopicRulePayload", "Actions")
		if acts == nil || acts.kind != kList {
			return nil
		}
		arn, err := b.t.attResource(r, "Arn", r.raw, "Resources."+r.id)
		if err != nil {
			return err
		}
		for _, a := range acts.list {
			if f, q := b.fnFor(a.path("Lambda", "FunctionArn").text()); f != nil {
				b.add(f, r, account.Trigger{Kind: account.TriggerOther, Principal: "iot.amazonaws.com", SourceARN: arn.str,
					SourceAccount: b.t.accountID(), Qualifier: q, Name: "IoT topic rule " + lastSegment(arn.str)})
			}
		}
	case "AWS::CloudFront::Distribution":
		return b.cloudFront(r)
	case "AWS::ApiGateway::Method":
		return b.restMethod(r)
	case "AWS::ApiGateway::Authorizer":
		return b.restAuthorizer(r)
	case "AWS::ApiGateway::RestApi":
		return b.restBody(r)
	case "AWS::ApiGatewayV2::Route":
		return b.httpRoute(r)
	case "AWS::ApiGatewayV2::Authorizer":
		return b.httpAuthorizer(r)
	case "AWS::ApiGatewayV2::Api":
		return b.httpAPI(r)
	}
	return nil
}

// cloudFront reads the origins of a distribution that are a template
// function's URL behind an origin access control: CloudFront signs the
// requests as cloudfront.amazonaws.com with the distribution's ARN
// (CloudFront developer guide, "Restrict access to an AWS Lambda function
// URL origin").
func (b *builder) cloudFront(r *resource) error {
	t := b.t
	origins := r.props.path("DistributionConfig", "Origins")
	if origins == nil || origins.kind != kList {
		return nil
	}
	id, err := t.refResource(r, r.raw, "Resources."+r.id)
	if err != nil {
		return err
	}
	arn := "arn:" + t.part + ":cloudfront::" + t.accountID() + ":distribution/" + id.str
	for _, o := range origins.list {
		if o.get("OriginAccessControlId").text() == "" {
			continue
		}
		domain := o.get("DomainName").text()
		for _, f := range b.fns {
			for _, u := range f.URLConfigs {
				if host := strings.TrimSuffix(strings.TrimPrefix(u.URL, "https://"), "/"); host != "" && host == domain {
					b.add(f, r, account.Trigger{Kind: account.TriggerCloudFront, Principal: "cloudfront.amazonaws.com", SourceARN: arn,
						Qualifier: u.Qualifier, Name: "origin " + o.get("Id").text() + " of distribution " + r.id})
				}
			}
		}
	}
	return nil
}

// defaultStageNote is the note on a trigger through an HTTP API's $default
// stage.
const defaultStageNote = "the $default stage: how AWS writes it in the SourceArn is not documented; a permission for stage * covers it"

func lastSegment(arn string) string {
	return arn[strings.LastIndexAny(arn, ":/")+1:]
}

// add adds trigger tr to f, once.
func (b *builder) add(f *account.Function, r *resource, tr account.Trigger) {
	loc := b.t.location(r)
	tr.Source = &loc
	f.Triggers = account.AddTrigger(f.Triggers, tr)
}

func (b *builder) s3(r *resource) error {
	cfgs := r.props.path("NotificationConfiguration", "LambdaConfigurations")
	if cfgs == nil || cfgs.kind != kList {
		return nil
	}
	name, err := b.t.name(r, types[r.typ])
	if err != nil {
		return err
	}
	for _, c := range cfgs.list {
		f, q := b.fnFor(c.get("Function").text())
		if f == nil {
			continue
		}
		// S3 invokes with the bucket's ARN, which holds no account: the
		// SourceAccount is the bucket owner's (Lambda developer guide,
		// "Using resource-based policies for Lambda").
		b.add(f, r, account.Trigger{Kind: account.TriggerS3, Principal: "s3.amazonaws.com", SourceARN: "arn:" + b.t.part + ":s3:::" + name,
			SourceAccount: b.t.accountID(), Qualifier: q, Name: c.get("Event").text() + " notifications of bucket " + name})
	}
	return nil
}

func (b *builder) eventsRule(r *resource) error {
	targets := r.props.get("Targets")
	if targets == nil || targets.kind != kList {
		return nil
	}
	arn, err := b.t.attResource(r, "Arn", r.raw, "Resources."+r.id)
	if err != nil {
		return err
	}
	for _, tg := range targets.list {
		f, q := b.fnFor(tg.get("Arn").text())
		if f == nil {
			continue
		}
		tr := account.Trigger{Kind: account.TriggerEvents, Principal: "events.amazonaws.com", SourceARN: arn.str,
			SourceAccount: account.ARNField(arn.str, 4), Qualifier: q,
			RoleARN: tg.get("RoleArn").text(), Name: "rule " + strings.TrimPrefix(arn.str[strings.Index(arn.str, ":rule/")+1:], "rule/")}
		if st := r.props.get("State").text(); st != "" && st != "ENABLED" {
			tr.Notes = append(tr.Notes, "the rule's state is "+st)
		}
		b.add(f, r, tr)
	}
	return nil
}

func (b *builder) sns(r *resource, topic, endpoint string) {
	f, q := b.fnFor(endpoint)
	if f == nil {
		return
	}
	b.add(f, r, account.Trigger{Kind: account.TriggerSNS, Principal: "sns.amazonaws.com", SourceARN: topic,
		SourceAccount: account.ARNField(topic, 4), Qualifier: q, Name: "subscription to topic " + lastSegment(topic)})
}

// cognitoSlots are the LambdaConfig triggers of a user pool
// (AWS::Cognito::UserPool LambdaConfig).
var cognitoSlots = []string{"CreateAuthChallenge", "CustomMessage", "DefineAuthChallenge", "PostAuthentication",
	"PostConfirmation", "PreAuthentication", "PreSignUp", "PreTokenGeneration", "UserMigration", "VerifyAuthChallengeResponse"}

func (b *builder) cognito(r *resource) error {
	lc := r.props.get("LambdaConfig")
	if lc == nil || lc.kind != kMap {
		return nil
	}
	arn, err := b.t.attResource(r, "Arn", r.raw, "Resources."+r.id)
	if err != nil {
		return err
	}
	// The custom senders receive codes encrypted with the pool's key
	// (LambdaConfig.KMSKeyID, "Amazon Cognito uses the key to encrypt codes
	// and temporary passwords sent to CustomEmailSender and
	// CustomSMSSender"), as the live reader says.
	key := lc.get("KMSKeyID").text()
	add := func(slot, fn, key string) {
		if f, q := b.fnFor(fn); f != nil {
			b.add(f, r, account.Trigger{Kind: account.TriggerCognito, Principal: "cognito-idp.amazonaws.com", SourceARN: arn.str,
				Qualifier: q, KMSKeyARN: key, Name: slot + " trigger of user pool " + r.id})
		}
	}
	for _, s := range cognitoSlots {
		add(s, lc.get(s).text(), "")
	}
	for _, s := range []string{"CustomEmailSender", "CustomSMSSender"} {
		add(s, lc.path(s, "LambdaArn").text(), key)
	}
	add("PreTokenGenerationConfig", lc.path("PreTokenGenerationConfig", "LambdaArn").text(), "")
	return nil
}

func (b *builder) targetGroup(r *resource) error {
	if !strings.EqualFold(r.props.get("TargetType").text(), "lambda") {
		return nil
	}
	targets := r.props.get("Targets")
	if targets == nil || targets.kind != kList {
		return nil
	}
	arn, err := b.t.refResource(r, r.raw, "Resources."+r.id)
	if err != nil {
		return err
	}
	for _, tg := range targets.list {
		if f, q := b.fnFor(tg.get("Id").text()); f != nil {
			b.add(f, r, account.Trigger{Kind: account.TriggerELB, Principal: "elasticloadbalancing.amazonaws.com", SourceARN: arn.str,
				SourceAccount: b.t.accountID(), Qualifier: q, Name: "target group " + r.id})
		}
	}
	return nil
}

// stateMachine reads the Task states of a state machine's definition that
// invoke a template function: a function ARN as Resource, or the
// lambda:invoke integration with Parameters.FunctionName (or JSONata
// Arguments.FunctionName). The state machine invokes with its role.
func (b *builder) stateMachine(r *resource) error {
	t := b.t
	p := r.props
	var def any
	switch {
	case p.get("Definition") != nil:
		text := substitute(p.get("Definition").toJSON(), p.get("DefinitionSubstitutions"))
		if err := json.Unmarshal([]byte(text), &def); err != nil {
			return b.errAt(r, "Definition", "not a state machine definition: %v", err)
		}
	case p.get("DefinitionString") != nil:
		text := substitute(p.get("DefinitionString").text(), p.get("DefinitionSubstitutions"))
		if err := json.Unmarshal([]byte(text), &def); err != nil {
			if account.HasMarker(text) {
				return nil
			}
			return b.errAt(r, "DefinitionString", "not a JSON state machine definition: %v", err)
		}
	case p.get("DefinitionS3Location") != nil:
		marker := t.unknown("Definition", r.id+".DefinitionS3Location", r.raw, "Resources."+r.id+".Properties.DefinitionS3Location")
		b.allFunctionsUnseen(marker, "the definition of state machine "+r.id+" is in S3: the functions it invokes were not read")
		return nil
	default:
		return nil
	}
	arn, err := t.refResource(r, r.raw, "Resources."+r.id)
	if err != nil {
		return err
	}
	role := p.get("RoleArn").text()
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > maxDepth {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if x["Type"] == "Task" {
				res, _ := x["Resource"].(string)
				fn := ""
				switch {
				case strings.Contains(res, ":lambda:") && strings.Contains(res, ":function:"):
					fn = res
				case strings.HasPrefix(strings.TrimPrefix(res, "arn:"+t.part), ":states:::lambda:invoke"):
					for _, k := range []string{"Parameters", "Arguments"} {
						if m, ok := x[k].(map[string]any); ok {
							if s, ok := m["FunctionName"].(string); ok {
								fn = s
							}
						}
					}
				}
				if f, q := b.fnFor(fn); f != nil {
					b.add(f, r, account.Trigger{Kind: account.TriggerStates, Principal: "states.amazonaws.com", SourceARN: arn.str,
						Qualifier: q, RoleARN: role, Name: "state machine " + lastSegment(arn.str)})
				}
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				walk(x[k], depth+1)
			}
		case []any:
			for _, it := range x {
				walk(it, depth+1)
			}
		}
	}
	walk(def, 0)
	return nil
}

// substitute replaces the ${KEY} of a state machine definition with its
// DefinitionSubstitutions (AWS::StepFunctions::StateMachine).
func substitute(text string, subs *node) string {
	if subs == nil || subs.kind != kMap {
		return text
	}
	for i, k := range subs.keys {
		v := subs.vals[i].text()
		if subs.vals[i].kind == kString {
			// Inside a JSON string: escape as JSON does.
			q := (&node{kind: kString, str: v}).toJSON()
			v = q[1 : len(q)-1]
		}
		text = strings.ReplaceAll(text, "${"+k+"}", v)
	}
	return text
}

func (b *builder) allFunctionsUnseen(resource, msg string) {
	b.deferred = append(b.deferred, func() {
		for _, f := range b.fns {
			b.unseenFor(f, resource, msg)
		}
	})
}

// lambdaFromURI returns the function ARN of an API Gateway Lambda
// integration URI (arn:PARTITION:apigateway:REGION:lambda:path/2015-03-31/
// functions/FUNCTION_ARN/invocations), or the URI itself when it is a
// function ARN (an HTTP API integration may name the function directly).
func lambdaFromURI(uri string) string {
	const pre, post = "/functions/", "/invocations"
	if i := strings.Index(uri, pre); i >= 0 && strings.Contains(uri, ":lambda:path/") {
		rest := uri[i+len(pre):]
		if j := strings.Index(rest, post); j >= 0 {
			return rest[:j]
		}
		return rest
	}
	if strings.Contains(uri, ":lambda:") && strings.Contains(uri, ":function:") {
		return uri
	}
	return ""
}

// executeAPI builds an execute-api ARN in the function's region (Lambda
// developer guide, services-apigateway: the SourceArn names the function's
// Region when the API is in another).
func (b *builder) executeAPI(apiID, rest string) string {
	return b.t.arn("execute-api", apiID+"/"+rest)
}

// restStages are the stages of a REST API, with their stage variables:
// AWS::ApiGateway::Stage resources and the StageName of
// AWS::ApiGateway::Deployment resources.
func (b *builder) restStages(apiID string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, id := range b.t.order {
		r := b.t.resources[id]
		if !r.done || r.exists == triFalse {
			continue
		}
		var vars *node
		switch r.typ {
		case "AWS::ApiGateway::Stage":
			vars = r.props.get("Variables")
		case "AWS::ApiGateway::Deployment":
			vars = r.props.path("StageDescription", "Variables")
		default:
			continue
		}
		if r.props.get("RestApiId").text() != apiID {
			continue
		}
		if s := r.props.get("StageName").text(); s != "" {
			out[s] = mergeVars(out[s], vars)
		}
	}
	return out
}

func mergeVars(m map[string]string, vars *node) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	if vars != nil && vars.kind == kMap {
		for i, k := range vars.keys {
			m[k] = vars.vals[i].text()
		}
	}
	return m
}

// stageTarget is the function an integration invokes in one stage.
type stageTarget struct {
	stage string
	f     *account.Function
	q     string
}

var stageVarRef = regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`)

// stageTargets resolves an integration's function per stage: a function
// named with ${stageVariables.NAME} is the one the stage's variable names
// (API Gateway developer guide, "Use stage variables for a REST API"; a
// stage without the variable cannot invoke anything).
func (b *builder) stageTargets(r *resource, fnRef string, stages map[string]map[string]string) []stageTarget {
	var out []stageTarget
	for _, stage := range sortedIDs(stages) {
		ref := fnRef
		missing := ""
		ref = stageVarRef.ReplaceAllStringFunc(ref, func(m string) string {
			name := stageVarRef.FindStringSubmatch(m)[1]
			v, ok := stages[stage][name]
			if !ok && missing == "" {
				missing = name
			}
			return v
		})
		if missing != "" {
			b.stageVariableNote(r, fnRef, stage, missing)
			continue
		}
		if f, q := b.fnFor(ref); f != nil {
			out = append(out, stageTarget{stage, f, q})
		}
	}
	return out
}

// httpStages are the stages of an HTTP or WebSocket API with their stage
// variables.
func (b *builder) httpStages(apiID string, api *resource) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, id := range b.t.order {
		r := b.t.resources[id]
		if r.done && r.exists != triFalse && r.typ == "AWS::ApiGatewayV2::Stage" && r.props.get("ApiId").text() == apiID {
			if s := r.props.get("StageName").text(); s != "" {
				out[s] = mergeVars(out[s], r.props.get("StageVariables"))
			}
		}
	}
	if api != nil && api.props.get("Target") != nil && out["$default"] == nil {
		out["$default"] = map[string]string{} // quick create makes the $default stage
	}
	return out
}

// restPath is the path of an AWS::ApiGateway::Resource id (the resolved
// Ref of a resource, or the API's RootResourceId).
func (b *builder) restPath(id string, depth int) (string, bool) {
	if strings.Contains(id, "RootResourceId.") || depth > 50 {
		return "/", depth <= 50
	}
	for _, rid := range b.t.order {
		r := b.t.resources[rid]
		if r.typ != "AWS::ApiGateway::Resource" || !r.done {
			continue
		}
		ref, err := b.t.refResource(r, r.raw, "Resources."+rid)
		if err != nil || ref.str != id {
			continue
		}
		parent, ok := b.restPath(r.props.get("ParentId").text(), depth+1)
		if !ok {
			return "", false
		}
		return strings.TrimSuffix(parent, "/") + "/" + r.props.get("PathPart").text(), true
	}
	return "", false
}

// routeARN is the SourceArn part STAGE/VERB/PATH of a route as API Gateway
// sends it (account.ExecuteAPIPath, account.ExecuteAPIVerb); params reports
// path parameters, which the trigger notes.
func routeARN(stage, verb, path string) (arn string, params bool) {
	p, params := account.ExecuteAPIPath(path)
	return stage + "/" + account.ExecuteAPIVerb(verb) + p, params
}

// paramNotes is the notes of a route trigger.
func paramNotes(params bool) []string {
	if params {
		return []string{account.PathParamsNote}
	}
	return nil
}

func (b *builder) restMethod(r *resource) error {
	p := r.props
	integ := p.get("Integration")
	typ := strings.ToUpper(integ.get("Type").text())
	if typ != "AWS" && typ != "AWS_PROXY" {
		return nil
	}
	fnRef := lambdaFromURI(integ.get("Uri").text())
	apiID := p.get("RestApiId").text()
	path, ok := b.restPath(p.get("ResourceId").text(), 0)
	if !ok {
		path = "/" + generated("ResourcePath", r.id)
	}
	verb := p.get("HttpMethod").text()
	for _, st := range b.stageTargets(r, fnRef, b.restStages(apiID)) {
		route, params := routeARN(st.stage, verb, path)
		b.add(st.f, r, account.Trigger{Kind: account.TriggerAPIGateway, Principal: "apigateway.amazonaws.com",
			SourceARN: b.executeAPI(apiID, route), Qualifier: st.q, RoleARN: integ.get("Credentials").text(),
			Name: strings.ToUpper(verb) + " " + path + " of API " + apiID + ", stage " + st.stage, Notes: paramNotes(params)})
	}
	return nil
}

func (b *builder) stageVariableNote(r *resource, uri, stage, name string) {
	msg := "the integration of " + r.id + " names its function with stage variable " + name + " (" + uri + "), which stage " + stage + " does not set"
	b.allFunctionsUnseen(r.id, msg)
}

func (b *builder) restAuthorizer(r *resource) error {
	return b.authorizer(r, "RestApiId", "AuthorizerCredentials")
}

// authorizer reads a Lambda authorizer of an API (AWS::ApiGateway::Authorizer,
// or a REQUEST AWS::ApiGatewayV2::Authorizer): its API id and credentials
// are in the properties api and creds.
func (b *builder) authorizer(r *resource, api, creds string) error {
	p := r.props
	f, q := b.fnFor(lambdaFromURI(p.get("AuthorizerUri").text()))
	if f == nil {
		return nil
	}
	apiID := p.get(api).text()
	id, err := b.t.refResource(r, r.raw, "Resources."+r.id)
	if err != nil {
		return err
	}
	b.add(f, r, account.Trigger{Kind: account.TriggerAPIAuthorizer, Principal: "apigateway.amazonaws.com",
		SourceARN: b.executeAPI(apiID, "authorizers/"+id.str), Qualifier: q, RoleARN: p.get(creds).text(),
		Name: "authorizer " + p.get("Name").text() + " of API " + apiID})
	return nil
}

// restBody reads the integrations and authorizers of an OpenAPI definition
// in a REST API's Body (as SAM writes them).
func (b *builder) restBody(r *resource) error {
	t := b.t
	p := r.props
	if p.get("BodyS3Location") != nil || p.get("Body") == nil && p.get("DefinitionUri") != nil {
		marker := t.unknown("Definition", r.id+".BodyS3Location", r.raw, "Resources."+r.id+".Properties.BodyS3Location")
		b.allFunctionsUnseen(marker, "the OpenAPI definition of API "+r.id+" is in S3: its integrations were not read")
		return nil
	}
	body := p.get("Body")
	if body == nil || body.kind != kMap {
		return nil
	}
	idN, err := t.refResource(r, r.raw, "Resources."+r.id)
	if err != nil {
		return err
	}
	apiID := idN.str
	stages := b.restStages(apiID)
	b.bodyIntegrations(r, body, func(verb, path, fnRef, creds string) {
		for _, st := range b.stageTargets(r, fnRef, stages) {
			route, params := routeARN(st.stage, verb, path)
			b.add(st.f, r, account.Trigger{Kind: account.TriggerAPIGateway, Principal: "apigateway.amazonaws.com",
				SourceARN: b.executeAPI(apiID, route), Qualifier: st.q, RoleARN: creds,
				Name: strings.ToUpper(verbName(verb)) + " " + path + " of API " + r.id + ", stage " + st.stage, Notes: paramNotes(params)})
		}
	})
	b.bodyAuthorizers(r, body, apiID)
	return nil
}

func verbName(v string) string {
	if strings.EqualFold(v, "x-amazon-apigateway-any-method") {
		return "ANY"
	}
	return v
}

var httpVerbs = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true,
	"patch": true, "any": true, "x-amazon-apigateway-any-method": true}

// bodyIntegrations calls found for every Lambda integration of an OpenAPI
// body.
func (b *builder) bodyIntegrations(r *resource, body *node, found func(verb, path, fnRef, creds string)) {
	paths := body.get("paths")
	if paths == nil || paths.kind != kMap {
		return
	}
	for i, path := range paths.keys {
		ops := paths.vals[i]
		if ops.kind != kMap {
			continue
		}
		for j, verb := range ops.keys {
			if !httpVerbs[strings.ToLower(verb)] {
				continue
			}
			integ := ops.vals[j].get("x-amazon-apigateway-integration")
			typ := strings.ToLower(integ.get("type").text())
			if typ != "aws" && typ != "aws_proxy" {
				continue
			}
			if fnRef := lambdaFromURI(integ.get("uri").text()); fnRef != "" {
				found(verb, path, fnRef, integ.get("credentials").text())
			}
		}
	}
}

// bodyAuthorizers reads the Lambda authorizers of an OpenAPI body
// (securityDefinitions, or components.securitySchemes). Their ids are
// assigned when the API is imported.
func (b *builder) bodyAuthorizers(r *resource, body *node, apiID string) {
	for _, defs := range []*node{body.get("securityDefinitions"), body.path("components", "securitySchemes")} {
		if defs == nil || defs.kind != kMap {
			continue
		}
		for i, name := range defs.keys {
			az := defs.vals[i].get("x-amazon-apigateway-authorizer")
			f, q := b.fnFor(lambdaFromURI(az.get("authorizerUri").text()))
			if f == nil {
				continue
			}
			b.add(f, r, account.Trigger{Kind: account.TriggerAPIAuthorizer, Principal: "apigateway.amazonaws.com",
				SourceARN: b.executeAPI(apiID, "authorizers/"+generated("AuthorizerId", r.id+"."+name)), Qualifier: q,
				RoleARN: az.get("authorizerCredentials").text(), Name: "authorizer " + name + " of API " + r.id})
		}
	}
}

// httpRouteARN is the SourceArn of an HTTP or WebSocket API route: for an
// HTTP API, API/STAGE/VERB/PATH with ANY as "*" and the $default route as
// API/STAGE/$default; for a WebSocket API, API/STAGE/ROUTE_KEY.
func (b *builder) httpRouteARN(apiID, stage, routeKey string) (string, []string) {
	verb, path, ok := strings.Cut(routeKey, " ")
	if !ok {
		return b.executeAPI(apiID, stage+"/"+routeKey), nil
	}
	route, params := routeARN(stage, verb, path)
	return b.executeAPI(apiID, route), paramNotes(params)
}

func (b *builder) httpRoute(r *resource) error {
	t := b.t
	p := r.props
	target := p.get("Target").text()
	if !strings.HasPrefix(target, "integrations/") {
		return nil
	}
	integID := strings.TrimPrefix(target, "integrations/")
	var integ *resource
	for _, id := range t.order {
		x := t.resources[id]
		if x.typ != "AWS::ApiGatewayV2::Integration" || !x.done {
			continue
		}
		ref, err := t.refResource(x, x.raw, "Resources."+id)
		if err == nil && ref.str == integID {
			integ = x
		}
	}
	if integ == nil || !strings.EqualFold(integ.props.get("IntegrationType").text(), "AWS_PROXY") {
		return nil
	}
	fnRef := lambdaFromURI(integ.props.get("IntegrationUri").text())
	apiID := p.get("ApiId").text()
	routeKey := p.get("RouteKey").text()
	for _, st := range b.stageTargets(r, fnRef, b.httpStages(apiID, b.apiResource(apiID))) {
		arn, notes := b.httpRouteARN(apiID, st.stage, routeKey)
		tr := account.Trigger{Kind: account.TriggerAPIGateway, Principal: "apigateway.amazonaws.com",
			SourceARN: arn, Qualifier: st.q, RoleARN: integ.props.get("CredentialsArn").text(),
			Name: "route " + routeKey + " of API " + apiID + ", stage " + st.stage, Notes: notes}
		if st.stage == "$default" {
			tr.Notes = append(tr.Notes, defaultStageNote)
		}
		b.add(st.f, r, tr)
	}
	return nil
}

// apiResource finds the AWS::ApiGatewayV2::Api whose id is apiID.
func (b *builder) apiResource(apiID string) *resource {
	for _, id := range b.t.order {
		x := b.t.resources[id]
		if x.typ == "AWS::ApiGatewayV2::Api" && x.done {
			if ref, err := b.t.refResource(x, x.raw, "Resources."+id); err == nil && ref.str == apiID {
				return x
			}
		}
	}
	return nil
}

func (b *builder) httpAuthorizer(r *resource) error {
	if !strings.EqualFold(r.props.get("AuthorizerType").text(), "REQUEST") {
		return nil
	}
	return b.authorizer(r, "ApiId", "AuthorizerCredentialsArn")
}

// httpAPI reads an HTTP API's quick-create Target and its OpenAPI Body.
func (b *builder) httpAPI(r *resource) error {
	t := b.t
	p := r.props
	idN, err := t.refResource(r, r.raw, "Resources."+r.id)
	if err != nil {
		return err
	}
	apiID := idN.str
	if p.get("BodyS3Location") != nil {
		marker := t.unknown("Definition", r.id+".BodyS3Location", r.raw, "Resources."+r.id+".Properties.BodyS3Location")
		b.allFunctionsUnseen(marker, "the OpenAPI definition of API "+r.id+" is in S3: its integrations were not read")
		return nil
	}
	stages := b.httpStages(apiID, r)
	route := func(routeKey, fnRef, creds string) {
		for _, st := range b.stageTargets(r, fnRef, stages) {
			arn, notes := b.httpRouteARN(apiID, st.stage, routeKey)
			tr := account.Trigger{Kind: account.TriggerAPIGateway, Principal: "apigateway.amazonaws.com",
				SourceARN: arn, Qualifier: st.q, RoleARN: creds,
				Name: "route " + routeKey + " of API " + r.id + ", stage " + st.stage, Notes: notes}
			if st.stage == "$default" {
				tr.Notes = append(tr.Notes, defaultStageNote)
			}
			b.add(st.f, r, tr)
		}
	}
	if target := p.get("Target").text(); target != "" {
		key := p.get("RouteKey").text()
		if key == "" {
			key = "$default"
		}
		route(key, lambdaFromURI(target), p.get("CredentialsArn").text())
	}
	body := p.get("Body")
	if body == nil || body.kind != kMap {
		return nil
	}
	b.bodyIntegrations(r, body, func(verb, path, fnRef, creds string) {
		key := strings.ToUpper(verbName(verb)) + " " + path
		if path == "$default" {
			key = "$default"
		}
		route(key, fnRef, creds)
	})
	b.bodyAuthorizers(r, body, apiID)
	return nil
}
