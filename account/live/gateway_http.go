package live

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	v2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// httpIndex lists the region's HTTP and WebSocket APIs (at most
// Limits["apigatewayv2"]) and reads each one's integrations and routes
// (concurrently), then each Lambda authorizer a route uses (GetAuthorizer;
// GetAuthorizers would read the unused ones too). Stages are read later,
// only for the APIs that name the function read. IAM: apigateway:GET.
func (l *Reader) httpIndex(ctx context.Context) (gatewayIndex, error) {
	return l.trig.http.get(ctx, func(ctx context.Context) (gatewayIndex, error) {
		ctx, cancel := l.listing(ctx)
		defer cancel()
		var x gatewayIndex
		all := l.apigatewayARN("/apis")
		var apis []v2types.Api
		// GetApis has no paginator: its pages follow NextToken.
		in := &apigatewayv2.GetApisInput{MaxResults: aws.String("100")}
		done := false
		next := func(ctx context.Context) ([]v2types.Api, bool, error) {
			if done {
				return nil, false, nil
			}
			out, err := l.apigwv2.GetApis(ctx, in)
			if err != nil {
				return nil, false, err
			}
			in.NextToken, done = out.NextToken, aws.ToString(out.NextToken) == ""
			return out.Items, true, nil
		}
		unseen, err := listEach(ctx, l, regionListing{list: "apigateway:GET", op: "apigateway:GET", all: all,
			kind: "apigatewayv2", items: "HTTP and WebSocket APIs", finds: "integrations and authorizers", off: "API Gateway HTTP and WebSocket APIs"},
			next, func(a v2types.Api) { apis = append(apis, a) })
		x.unseen = append(x.unseen, unseen...)
		if err != nil {
			return x, err
		}
		err = readAPIs(ctx, l, &x, apis, l.readHTTPAPI, func(a v2types.Api) string { return "/apis/" + aws.ToString(a.ApiId) + "/routes" })
		return x, err
	})
}

// readHTTPAPI reads one HTTP or WebSocket API's routes that lead to a
// function and the Lambda authorizers its routes use.
func (l *Reader) readHTTPAPI(ctx context.Context, a v2types.Api) (*gatewayAPI, *account.Unseen, error) {
	id := aws.ToString(a.ApiId)
	api := &gatewayAPI{id: id, name: aws.ToString(a.Name), kind: "HTTP API"}
	websocket := a.ProtocolType == v2types.ProtocolTypeWebsocket
	if websocket {
		api.kind = "WebSocket API"
	}
	fail := func(path string, err error) (*gatewayAPI, *account.Unseen, error) {
		u, stop := unseenFor(ctx, "apigateway:GET", l.apigatewayARN(path), err)
		if u.NotFound {
			return nil, nil, stop
		}
		return nil, &u, stop
	}
	var integrations []v2types.Integration
	var routes []v2types.Route
	var ierr, rerr error
	var g group
	g.Go(func() error {
		in := &apigatewayv2.GetIntegrationsInput{ApiId: a.ApiId, MaxResults: aws.String("100")}
		for {
			out, err := l.apigwv2.GetIntegrations(ctx, in)
			if err != nil {
				ierr = err
				return nil
			}
			integrations = append(integrations, out.Items...)
			if aws.ToString(out.NextToken) == "" {
				return nil
			}
			in.NextToken = out.NextToken
		}
	})
	g.Go(func() error {
		in := &apigatewayv2.GetRoutesInput{ApiId: a.ApiId, MaxResults: aws.String("100")}
		for {
			out, err := l.apigwv2.GetRoutes(ctx, in)
			if err != nil {
				rerr = err
				return nil
			}
			routes = append(routes, out.Items...)
			if aws.ToString(out.NextToken) == "" {
				return nil
			}
			in.NextToken = out.NextToken
		}
	})
	g.Wait()
	if ierr != nil {
		return fail("/apis/"+id+"/integrations", ierr)
	}
	if rerr != nil {
		return fail("/apis/"+id+"/routes", rerr)
	}
	lambdas := map[string]v2types.Integration{}
	for _, in := range integrations {
		switch in.IntegrationType {
		case v2types.IntegrationTypeAwsProxy, v2types.IntegrationTypeAws:
			if lambdaURIRef(aws.ToString(in.IntegrationUri)) != "" {
				lambdas[aws.ToString(in.IntegrationId)] = in
			}
		}
	}
	sort.Slice(routes, func(i, j int) bool { return aws.ToString(routes[i].RouteKey) < aws.ToString(routes[j].RouteKey) })
	var authorizers []string
	seen := map[string]bool{}
	for _, r := range routes {
		key := aws.ToString(r.RouteKey)
		if r.AuthorizationType == v2types.AuthorizationTypeCustom && aws.ToString(r.AuthorizerId) != "" && !seen[aws.ToString(r.AuthorizerId)] {
			seen[aws.ToString(r.AuthorizerId)] = true
			authorizers = append(authorizers, aws.ToString(r.AuthorizerId))
		}
		in, ok := lambdas[strings.TrimPrefix(aws.ToString(r.Target), "integrations/")]
		if !ok {
			continue
		}
		p := invokePoint{label: "route " + key, fnRef: lambdaURIRef(aws.ToString(in.IntegrationUri)), credentials: aws.ToString(in.CredentialsArn)}
		verb, path, hasPath := strings.Cut(key, " ")
		switch {
		case websocket || !hasPath:
			// $connect, $default, a custom WebSocket route; the HTTP API
			// $default route
			p.source = func(stage string) string { return stage + "/" + key }
		default:
			arnPath, params := account.ExecuteAPIPath(path)
			v := account.ExecuteAPIVerb(verb)
			p.label, p.pathParams = verb+" "+path, params
			p.source = func(stage string) string { return stage + "/" + v + arnPath }
		}
		api.points = append(api.points, p)
	}
	for _, aid := range authorizers {
		out, err := l.apigwv2.GetAuthorizer(ctx, &apigatewayv2.GetAuthorizerInput{ApiId: a.ApiId, AuthorizerId: aws.String(aid)})
		if err != nil {
			return fail("/apis/"+id+"/authorizers/"+aid, err)
		}
		ref := lambdaURIRef(aws.ToString(out.AuthorizerUri))
		if out.AuthorizerType != v2types.AuthorizerTypeRequest || ref == "" {
			continue
		}
		api.points = append(api.points, invokePoint{
			authorizer: true, label: fmt.Sprintf("authorizer %s (%s)", aws.ToString(out.Name), out.AuthorizerType),
			fnRef: ref, credentials: aws.ToString(out.AuthorizerCredentialsArn),
			source: func(string) string { return "authorizers/" + aid },
		})
	}
	api.readStages = func(ctx context.Context) (stageList, error) {
		var list stageList
		in := &apigatewayv2.GetStagesInput{ApiId: aws.String(api.id), MaxResults: aws.String("100")}
		for {
			out, err := l.apigwv2.GetStages(ctx, in)
			if err != nil {
				u, stop := unseenFor(ctx, "apigateway:GET", l.apigatewayARN("/apis/"+api.id+"/stages"), err)
				return stageList{unseen: &u}, stop
			}
			for _, s := range out.Items {
				list.stages = append(list.stages, apiStage{name: aws.ToString(s.StageName), vars: s.StageVariables})
			}
			if aws.ToString(out.NextToken) == "" {
				break
			}
			in.NextToken = out.NextToken
		}
		sort.Slice(list.stages, func(i, j int) bool { return list.stages[i].name < list.stages[j].name })
		return list, nil
	}
	return api, nil, nil
}
