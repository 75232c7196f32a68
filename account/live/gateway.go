package live

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// API Gateway invokes a function as apigateway.amazonaws.com, with a
// SourceArn in the execute-api namespace of the API's account and region:
//
//   - a REST or HTTP API route: arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/VERB/PATH
//     (Lambda developer guide, "Invoking a Lambda function using an Amazon
//     API Gateway endpoint": ".../mnh1xmpli7/default/GET/"; API Gateway
//     developer guide, "Control access to a REST API with IAM permissions",
//     execute-api resource format). Doc and practice differ in two places,
//     and a trigger carries what API Gateway sends: a method ANY is sent as
//     the request's own verb, so the trigger writes * (SAM issue #296); a
//     path parameter ({id}, {proxy+}) is sent as the request's own path
//     segment, so the trigger writes * in its place (a grant for
//     ".../users/{userId}" is refused: SAM issue #110, fixed by granting
//     ".../users/*"). An HTTP API's $default route is API_ID/STAGE/$default
//     (SAM issue #1860).
//   - a WebSocket API route: API_ID/STAGE/ROUTE_KEY (API Gateway developer
//     guide, "Control access to WebSocket APIs with IAM authorization").
//   - a Lambda authorizer: API_ID/authorizers/AUTHORIZER_ID, the same for
//     every stage (API Gateway developer guide, "Working with AWS Lambda
//     authorizers for HTTP APIs"; terraform-provider-aws#9271,
//     aws-cdk#11766 for REST APIs).
//
// The console's Test button of a REST API invokes with stage
// test-invoke-stage: a note says so. An integration with credentials (a
// role API Gateway assumes) invokes through that role, not the function's
// resource policy: the trigger carries it in RoleARN and Role. An
// integration whose function name comes from a stage variable is resolved
// per stage, with a note; a stage without the variable names no function.
//
// The configuration read is the API's current one (REST: GetResources), not
// the snapshot a stage's deployment serves; an API with no stage invokes
// nothing and gives no trigger. Only APIs of the reader's region are read.

// gatewayAPI is one REST, HTTP or WebSocket API with the places where it
// invokes a function.
type gatewayAPI struct {
	id, name, kind string // kind: "REST API", "HTTP API", "WebSocket API"
	points         []invokePoint
	stages         lazy[stageList]
	readStages     func(ctx context.Context) (stageList, error)
}

// invokePoint is a route (or method) integration or an authorizer that
// invokes a function.
type invokePoint struct {
	authorizer  bool
	label       string // "GET /orders/{id}", "authorizer jwt-check (TOKEN)"
	pathParams  bool   // the route has path parameters, written * in SourceArn
	source      func(stage string) string
	fnRef       string // as configured; may use ${stageVariables.NAME}
	credentials string
}

type stageList struct {
	stages []apiStage
	unseen *account.Unseen
}

type apiStage struct {
	name string
	vars map[string]string
}

// gatewayIndex is the region's APIs of one kind, and which of them name a
// function.
type gatewayIndex struct {
	byFunction map[string][]*gatewayAPI // by unqualified function ARN
	dynamic    []*gatewayAPI            // a function name comes from a stage variable
	unseen     []account.Unseen
}

func (x *gatewayIndex) addAPI(l *Reader, api *gatewayAPI) {
	seen := map[string]bool{}
	dynamic := false
	for _, p := range api.points {
		if strings.Contains(p.fnRef, "${stageVariables.") {
			dynamic = true
			continue
		}
		base, _, ok := l.functionRef(p.fnRef)
		if !ok || seen[base] {
			continue
		}
		seen[base] = true
		if x.byFunction == nil {
			x.byFunction = map[string][]*gatewayAPI{}
		}
		x.byFunction[base] = append(x.byFunction[base], api)
	}
	if dynamic {
		x.dynamic = append(x.dynamic, api)
	}
}

// gatewayTriggers returns the API Gateway triggers of f from the REST and
// the HTTP and WebSocket indexes, reading the stages of the APIs that may
// name f (once per API and Reader).
func (l *Reader) gatewayTriggers(ctx context.Context, f *account.Function) ([]account.Trigger, []account.Unseen, error) {
	var out []account.Trigger
	var unseen []account.Unseen
	for _, index := range []func(context.Context) (gatewayIndex, error){l.restIndex, l.httpIndex} {
		x, err := index(ctx)
		if err != nil {
			return nil, nil, err
		}
		unseen = append(unseen, x.unseen...)
		apis := append(append([]*gatewayAPI(nil), x.byFunction[f.ARN]...), x.dynamic...)
		stages := make([]stageList, len(apis))
		var g group
		for i, api := range apis {
			g.Go(func() (err error) {
				stages[i], err = api.stages.get(ctx, api.readStages)
				return err
			})
			// The roles the API may invoke f through, read while the
			// stages are (the role cache keeps them for withRoles).
			for _, p := range api.points {
				base, _, ok := l.functionRef(p.fnRef)
				if (ok && base != f.ARN) || !strings.Contains(account.ARNField(p.credentials, 5), "role/") {
					continue
				}
				g.Go(func() error {
					_, _, err := l.role(ctx, p.credentials)
					return err
				})
			}
		}
		if err := g.Wait(); err != nil {
			return nil, nil, err
		}
		seen := map[*gatewayAPI]bool{}
		for i, api := range apis {
			if seen[api] {
				continue
			}
			seen[api] = true
			if stages[i].unseen != nil {
				unseen = append(unseen, *stages[i].unseen)
			}
			for _, t := range l.apiTriggers(f, api, stages[i].stages) {
				out = account.AddTrigger(out, t)
			}
		}
	}
	return out, unseen, nil
}

// apiTriggers are the triggers of f in api, one per stage for routes and
// one per authorizer.
func (l *Reader) apiTriggers(f *account.Function, api *gatewayAPI, stages []apiStage) []account.Trigger {
	var out []account.Trigger
	for _, p := range api.points {
		for _, st := range stages {
			ref, vars, ok := resolveStageVariables(p.fnRef, st.vars)
			if !ok {
				continue
			}
			base, q, ok := l.functionRef(ref)
			if !ok || base != f.ARN {
				continue
			}
			t := account.Trigger{Kind: account.TriggerAPIGateway, Principal: "apigateway.amazonaws.com",
				SourceARN:     fmt.Sprintf("arn:%s:execute-api:%s:%s:%s/%s", l.origin.Partition, l.origin.Region, l.origin.Account, api.id, p.source(st.name)),
				SourceAccount: l.origin.Account, Qualifier: q,
				Name: fmt.Sprintf("%s of %s %s (%s), stage %s", p.label, api.kind, api.name, api.id, st.name)}
			if p.authorizer {
				t.Kind = account.TriggerAPIAuthorizer
				t.Name = fmt.Sprintf("%s of %s %s (%s)", p.label, api.kind, api.name, api.id)
			}
			switch c := p.credentials; {
			case strings.Contains(account.ARNField(c, 5), "role/"):
				t.RoleARN = c
				t.Notes = append(t.Notes, "API Gateway invokes with the role "+c+" (the integration's credentials): that role's policies must allow lambda:InvokeFunction, the function's resource policy is not asked")
			case c != "":
				t.Notes = append(t.Notes, "the integration passes on the caller's own credentials ("+c+"): each caller's identity must allow lambda:InvokeFunction")
			}
			if len(vars) > 0 {
				t.Notes = append(t.Notes, fmt.Sprintf("the function name comes from stage variable %s: in stage %s it names %s", strings.Join(vars, ", "), st.name, ref))
			}
			if p.pathParams && !p.authorizer {
				t.Notes = append(t.Notes, account.PathParamsNote)
			}
			if api.kind == "REST API" && !p.authorizer {
				t.Notes = append(t.Notes, "the console's Test button invokes with stage test-invoke-stage: "+
					fmt.Sprintf("arn:%s:execute-api:%s:%s:%s/%s", l.origin.Partition, l.origin.Region, l.origin.Account, api.id, p.source("test-invoke-stage")))
			}
			out = account.AddTrigger(out, t)
		}
	}
	return out
}

var stageVariable = regexp.MustCompile(`\$\{stageVariables\.([A-Za-z0-9_]+)\}`)

// resolveStageVariables replaces ${stageVariables.NAME} in ref with the
// stage's values; ok is false when the stage lacks one. vars are the names
// used.
func resolveStageVariables(ref string, stage map[string]string) (resolved string, vars []string, ok bool) {
	ok = true
	resolved = stageVariable.ReplaceAllStringFunc(ref, func(m string) string {
		name := stageVariable.FindStringSubmatch(m)[1]
		v, has := stage[name]
		if !has || v == "" {
			ok = false
		}
		vars = append(vars, name)
		return v
	})
	sort.Strings(vars)
	return resolved, vars, ok
}

// lambdaURIRef returns the function an integration or authorizer URI
// invokes, as written: the ARN inside
// arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations,
// or the URI itself when it is a function ARN (HTTP APIs); "" otherwise.
func lambdaURIRef(uri string) string {
	if account.ARNField(uri, 2) == "lambda" {
		return uri
	}
	const fns = "/functions/"
	if !strings.Contains(uri, ":lambda:path/") {
		return ""
	}
	i := strings.Index(uri, fns)
	if i < 0 {
		return ""
	}
	ref := uri[i+len(fns):]
	ref = strings.TrimSuffix(ref, "/invocations")
	return ref
}

// readAPIs reads the APIs a listing found (read, concurrently) into x: what
// could not be read is unseen, an API whose read never ran (the context
// ended) is unseen on its path (the management path read first).
func readAPIs[A any](ctx context.Context, l *Reader, x *gatewayIndex, apis []A, read func(context.Context, A) (*gatewayAPI, *account.Unseen, error), path func(A) string) error {
	got := make([]*gatewayAPI, len(apis))
	failed := make([]*account.Unseen, len(apis))
	err := fanOut(ctx, len(apis), discoverConcurrency, func(ctx context.Context, i int) error {
		api, u, err := read(ctx, apis[i])
		got[i], failed[i] = api, u
		return err
	})
	if err != nil {
		return err
	}
	for i, api := range got {
		switch {
		case failed[i] != nil:
			x.unseen = append(x.unseen, *failed[i])
		case api == nil:
			u, _ := unseenFor(ctx, "apigateway:GET", l.apigatewayARN(path(apis[i])), ctx.Err())
			x.unseen = append(x.unseen, u)
		default:
			x.addAPI(l, api)
		}
	}
	return nil
}
