package account

import (
	"regexp"
	"strings"
)

// PathParamsNote is the note a trigger carries when its route has path
// parameters.
const PathParamsNote = "path parameters are written * in SourceArn: API Gateway sends the request's own path"

var pathParameter = regexp.MustCompile(`\{[^}]*\}`)

// ExecuteAPIPath writes a route path as API Gateway sends it in the
// SourceArn of an invoke: each path parameter ({id}, {proxy+}) becomes *,
// because the SourceArn carries the request's own path, not the route's
// template (serverless-application-model#110, #296). It reports whether
// the path had parameters. Both account readers (live and template) use it,
// so a route reads the same from an account and from its template.
func ExecuteAPIPath(path string) (string, bool) {
	out := pathParameter.ReplaceAllString(path, "*")
	return out, out != path
}

// ExecuteAPIVerb writes a method as API Gateway sends it in SourceArn: ANY
// (and OpenAPI's x-amazon-apigateway-any-method) as *.
func ExecuteAPIVerb(verb string) string {
	if v := strings.ToUpper(verb); v != "ANY" && v != "X-AMAZON-APIGATEWAY-ANY-METHOD" {
		return v
	}
	return "*"
}
