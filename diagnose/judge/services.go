package judge

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// A service principal has a global name, SERVICE.amazonaws.com, and may
// have a regional one, SERVICE.REGION.amazonaws.com: both name the same
// service, which presents all its names (IAM User Guide, "Single-valued vs.
// multivalued context keys": a service can have more than one service
// principal name, listed in the multivalued aws:PrincipalServiceNamesList).
// A resource policy may name either: AWS CDK's ServicePrincipalOpts.region
// says the regional name is needed only for cross-region references to
// opt-in regions, "in all other cases, the global service principal name is
// sufficient"; SAM's CloudWatchLogs event writes logs.amazonaws.com, older
// CloudWatch Logs pages logs.REGION.amazonaws.com. The judge names a
// service invoker by its global name and gives the regional name of the
// region it calls from as an alias (simulate.Request.PrincipalAliases).

// serviceDomains are the endings of service principal names.
var serviceDomains = []string{".amazonaws.com.cn", ".amazonaws.com"}

// RegionalService splits a regional service principal
// (logs.us-east-1.amazonaws.com) into its global name (logs.amazonaws.com)
// and its region; ok is false for a global name or any other principal.
func RegionalService(p string) (global, region string, ok bool) {
	if strings.HasPrefix(p, "arn:") {
		return "", "", false
	}
	for _, dom := range serviceDomains {
		rest, found := strings.CutSuffix(p, dom)
		if !found {
			continue
		}
		i := strings.LastIndexByte(rest, '.')
		if i <= 0 || !account.IsRegionName(rest[i+1:]) {
			return "", "", false
		}
		return rest[:i] + dom, rest[i+1:], true
	}
	return "", "", false
}

// regionalName is the regional name of global service principal p in
// region r.
func regionalName(p, r string) string {
	for _, dom := range serviceDomains {
		if svc, ok := strings.CutSuffix(p, dom); ok {
			return svc + "." + r + dom
		}
	}
	return p
}

// GlobalService is the global name of service principal p (p itself when
// it is not a regional name).
func GlobalService(p string) string {
	if g, _, ok := RegionalService(p); ok {
		return g
	}
	return p
}

// sourceRegion is the region in a source ARN when it names one (not a
// wildcard, a marker or empty).
func sourceRegion(src string) string {
	if r := ARNRegion(src); account.IsRegionName(r) {
		return r
	}
	return ""
}

// ServiceAliases are the other names a service invoker presents: for its
// global name, the regional name of the region it calls from (its source's
// region, else the function's); for a regional name, the global one. Nil for
// any other principal.
func ServiceAliases(fn *account.Function, inv Invoker) []string {
	p := InvokerPrincipal(fn, inv.Principal)
	if !IsServicePrincipal(p) {
		return nil
	}
	if g, _, ok := RegionalService(p); ok {
		return []string{g}
	}
	r := sourceRegion(inv.SourceARN)
	if r == "" {
		r = fn.Region
	}
	return []string{regionalName(p, r)}
}

// canonicalService names a service invoker by its global name when its
// regional name is the one of the region it calls from (its source's
// region, else the function's), so that one invoke has one name whichever
// a trigger or a statement gives. A regional name of another region than
// its source's never matches the invoke the source makes: the invoker is
// then that invoke, and the note says so. A regional name of another
// region with no source to say otherwise is an invoke from that region
// and is kept. who names where the principal was given, for the note.
func canonicalService(fn *account.Function, inv *Invoker, who string) []string {
	g, r, ok := RegionalService(inv.Principal)
	if !ok {
		return nil
	}
	src := sourceRegion(inv.SourceARN)
	switch {
	case src != "" && src != r:
		p := inv.Principal
		inv.Principal = g
		return []string{fmt.Sprintf("%s names %s, the name of the service in region %s; the invoke from %s comes from region %s, where the service is %s or %s, so %s never matches it",
			who, p, r, inv.SourceARN, src, g, regionalName(g, src), p)}
	case src == r || r == fn.Region:
		inv.Principal = g
	}
	return nil
}
