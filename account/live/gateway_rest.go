package live

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// restIndex lists the region's REST APIs (at most Limits["apigateway"])
// and reads each one's resources with their methods and integrations
// (GetResources with embed=methods: one call per 500 resources), and its
// authorizers (GetAuthorizers) when a method uses a custom authorizer.
// Stages are read later, only for the APIs that name the function read
// (gatewayTriggers). IAM: every read is apigateway:GET.
func (l *Reader) restIndex(ctx context.Context) (gatewayIndex, error) {
	return l.trig.rest.get(ctx, func(ctx context.Context) (gatewayIndex, error) {
		ctx, cancel := l.listing(ctx)
		defer cancel()
		var x gatewayIndex
		all := l.apigatewayARN("/restapis")
		var apis []agtypes.RestApi
		p := apigateway.NewGetRestApisPaginator(l.apigw, &apigateway.GetRestApisInput{Limit: aws.Int32(500)})
		unseen, err := listEach(ctx, l, regionListing{list: "apigateway:GET", op: "apigateway:GET", all: all,
			kind: "apigateway", items: "REST APIs", finds: "integrations and authorizers", off: "API Gateway REST APIs"},
			sdkPages(p.HasMorePages, p.NextPage, func(o *apigateway.GetRestApisOutput) []agtypes.RestApi { return o.Items }),
			func(a agtypes.RestApi) { apis = append(apis, a) })
		x.unseen = append(x.unseen, unseen...)
		if err != nil {
			return x, err
		}
		err = readAPIs(ctx, l, &x, apis, l.readRestAPI, func(a agtypes.RestApi) string { return "/restapis/" + aws.ToString(a.Id) + "/resources" })
		return x, err
	})
}

// apigatewayARN is the ARN of an API Gateway management resource at path.
func (l *Reader) apigatewayARN(path string) string {
	return fmt.Sprintf("arn:%s:apigateway:%s::%s", l.origin.Partition, l.origin.Region, path)
}

// readRestAPI reads one REST API's Lambda integrations and authorizers. A
// refused or failed read gives an Unseen entry and no API.
func (l *Reader) readRestAPI(ctx context.Context, ra agtypes.RestApi) (*gatewayAPI, *account.Unseen, error) {
	id := aws.ToString(ra.Id)
	api := &gatewayAPI{id: id, name: aws.ToString(ra.Name), kind: "REST API"}
	fail := func(path string, err error) (*gatewayAPI, *account.Unseen, error) {
		u, stop := unseenFor(ctx, "apigateway:GET", l.apigatewayARN(path), err)
		if u.NotFound { // deleted meanwhile
			return nil, nil, stop
		}
		return nil, &u, stop
	}
	authorizers := map[string]bool{}
	p := apigateway.NewGetResourcesPaginator(l.apigw, &apigateway.GetResourcesInput{RestApiId: ra.Id, Embed: []string{"methods"}, Limit: aws.Int32(500)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fail("/restapis/"+id+"/resources", err)
		}
		for _, res := range page.Items {
			path := aws.ToString(res.Path)
			verbs := make([]string, 0, len(res.ResourceMethods))
			for v := range res.ResourceMethods {
				verbs = append(verbs, v)
			}
			sort.Strings(verbs)
			for _, verb := range verbs {
				m := res.ResourceMethods[verb]
				if aws.ToString(m.AuthorizationType) == "CUSTOM" && aws.ToString(m.AuthorizerId) != "" {
					authorizers[aws.ToString(m.AuthorizerId)] = true
				}
				in := m.MethodIntegration
				if in == nil || (in.Type != agtypes.IntegrationTypeAws && in.Type != agtypes.IntegrationTypeAwsProxy) {
					continue
				}
				ref := lambdaURIRef(aws.ToString(in.Uri))
				if ref == "" {
					continue
				}
				arnPath, params := account.ExecuteAPIPath(path)
				v := account.ExecuteAPIVerb(verb)
				api.points = append(api.points, invokePoint{
					label: verb + " " + path, pathParams: params, fnRef: ref, credentials: aws.ToString(in.Credentials),
					source: func(stage string) string { return stage + "/" + v + arnPath },
				})
			}
		}
	}
	if len(authorizers) == 0 {
		api.readStages = l.restStages(api)
		return api, nil, nil
	}
	in := &apigateway.GetAuthorizersInput{RestApiId: ra.Id, Limit: aws.Int32(500)}
	for {
		out, err := l.apigw.GetAuthorizers(ctx, in)
		if err != nil {
			return fail("/restapis/"+id+"/authorizers", err)
		}
		for _, a := range out.Items {
			aid := aws.ToString(a.Id)
			ref := lambdaURIRef(aws.ToString(a.AuthorizerUri))
			if !authorizers[aid] || ref == "" {
				continue
			}
			api.points = append(api.points, invokePoint{
				authorizer: true, label: fmt.Sprintf("authorizer %s (%s)", aws.ToString(a.Name), a.Type),
				fnRef: ref, credentials: aws.ToString(a.AuthorizerCredentials),
				source: func(string) string { return "authorizers/" + aid },
			})
		}
		if aws.ToString(out.Position) == "" {
			break
		}
		in.Position = out.Position
	}
	api.readStages = l.restStages(api)
	return api, nil, nil
}

func (l *Reader) restStages(api *gatewayAPI) func(context.Context) (stageList, error) {
	return func(ctx context.Context) (stageList, error) {
		out, err := l.apigw.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: aws.String(api.id)})
		if err != nil {
			u, stop := unseenFor(ctx, "apigateway:GET", l.apigatewayARN("/restapis/"+api.id+"/stages"), err)
			return stageList{unseen: &u}, stop
		}
		var list stageList
		for _, s := range out.Item {
			list.stages = append(list.stages, apiStage{name: aws.ToString(s.StageName), vars: s.Variables})
		}
		sort.Slice(list.stages, func(i, j int) bool { return list.stages[i].name < list.stages[j].name })
		return list, nil
	}
}
