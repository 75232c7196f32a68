package simulate

import (
	"strconv"
	"strings"
	"time"
)

// DefaultContext returns the global condition keys AWS sets on every request
// from the request's principal that Evaluate does not derive itself: IAM User
// Guide, "AWS global condition context keys" (reference_policies_condition-keys).
//
//   - aws:PrincipalArn: the user or role ARN (for a role session, the role's
//     ARN, without a path, which the session ARN does not carry), the root
//     ARN for an account; absent for service and anonymous principals.
//   - aws:PrincipalAccount, aws:PrincipalType (Account, User, AssumedRole,
//     FederatedUser, Anonymous), aws:username for IAM users.
//   - aws:PrincipalIsAWSService and, for a service principal,
//     aws:PrincipalServiceName and aws:PrincipalServiceNamesList (the
//     principal and its PrincipalAliases, multivalued: IAM User Guide,
//     "Single-valued vs. multivalued context keys").
//   - aws:CurrentTime and aws:EpochTime (now), aws:SecureTransport "true"
//     (AWS API endpoints are HTTPS), aws:RequestedRegion from the resource
//     ARN's region when it has one.
//
// aws:userid is left out: it holds the unique id of the user or role, which a
// principal ARN does not reveal. The result can be merged with the request's
// own context by the caller; keys already in req.Context are kept as given.
func DefaultContext(req Request) Context { return DefaultContextAt(req, time.Now()) }

// DefaultContextAt is DefaultContext at a given time.
func DefaultContextAt(req Request, now time.Time) Context {
	ctx := Context{}
	set := func(k, v string) { ctx[k] = Value{Values: []string{v}} }
	now = now.UTC()
	set("aws:CurrentTime", now.Format(time.RFC3339))
	set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	set("aws:SecureTransport", "true")
	if a := splitARN(req.Resource); a.ok && a.seg[3] != "" {
		set("aws:RequestedRegion", a.seg[3])
	}
	p, err := requestPrincipal(&req)
	if err == nil {
		part := "aws"
		if a := splitARN(p.arn); a.ok {
			part = a.seg[1]
		}
		switch p.kind {
		case pkService:
			set("aws:PrincipalIsAWSService", "true")
			set("aws:PrincipalServiceName", p.arn)
			ctx["aws:PrincipalServiceNamesList"] = Value{Values: append([]string{p.arn}, p.aliases...), Multi: true}
		case pkAnonymous:
			set("aws:PrincipalIsAWSService", "false")
			set("aws:PrincipalType", "Anonymous")
		default:
			set("aws:PrincipalIsAWSService", "false")
			if p.account != "" {
				set("aws:PrincipalAccount", p.account)
			}
			switch p.kind {
			case pkAccount:
				set("aws:PrincipalType", "Account")
				set("aws:PrincipalArn", "arn:"+part+":iam::"+p.account+":root")
			case pkUser:
				set("aws:PrincipalType", "User")
				set("aws:PrincipalArn", p.arn)
				set("aws:username", p.arn[strings.LastIndexByte(p.arn, '/')+1:])
			case pkRole:
				set("aws:PrincipalType", "AssumedRole")
				set("aws:PrincipalArn", p.arn)
			case pkSession:
				set("aws:PrincipalType", "AssumedRole")
				set("aws:PrincipalArn", "arn:"+part+":iam::"+p.account+":role/"+p.roleName)
			case pkFederated:
				set("aws:PrincipalType", "FederatedUser")
				set("aws:PrincipalArn", p.arn)
			default:
				set("aws:PrincipalArn", p.arn)
			}
		}
	}
	for k, v := range req.Context {
		for dk := range ctx {
			if strings.EqualFold(dk, k) {
				delete(ctx, dk)
			}
		}
		ctx[k] = v
	}
	return ctx
}
