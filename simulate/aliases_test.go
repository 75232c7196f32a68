package simulate

import (
	"strings"
	"testing"
)

// A service may have a global and a regional name; a Service entry naming
// either names the service (IAM User Guide, "Single-valued vs. multivalued
// context keys": a service can have more than one service principal name,
// aws:PrincipalServiceNamesList). Without aliases a request matches by its
// principal alone, as before.
func TestPrincipalAliases(t *testing.T) {
	const (
		fn       = "arn:aws:lambda:us-east-1:111122223333:function:f"
		global   = "logs.amazonaws.com"
		regional = "logs.us-east-1.amazonaws.com"
	)
	grant := func(principal string) *NamedPolicy {
		return npp("resource", `{"Version":"2012-10-17","Statement":[{"Sid":"Logs","Effect":"Allow","Principal":{"Service":`+principal+`},"Action":"lambda:InvokeFunction","Resource":"*"}]}`)
	}
	deny := func(principal string) *NamedPolicy {
		return npp("resource", `{"Version":"2012-10-17","Statement":[{"Sid":"Open","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"*"},`+
			`{"Sid":"NotLogs","Effect":"Deny","NotPrincipal":{"Service":`+principal+`},"Action":"lambda:InvokeFunction","Resource":"*"}]}`)
	}
	tests := []struct {
		name      string
		principal string
		aliases   []string
		policy    *NamedPolicy
		want      Decision
	}{
		{"global request, global statement", global, nil, grant(`"` + global + `"`), Allow},
		{"global request, regional statement, no alias", global, nil, grant(`"` + regional + `"`), ImplicitDeny},
		{"global request, regional statement, regional alias", global, []string{regional}, grant(`"` + regional + `"`), Allow},
		{"regional request, global statement, global alias", regional, []string{global}, grant(`"` + global + `"`), Allow},
		{"alias of another region", global, []string{"logs.eu-west-1.amazonaws.com"}, grant(`"` + regional + `"`), ImplicitDeny},
		{"alias in a list", global, []string{regional}, grant(`["sns.amazonaws.com","` + regional + `"]`), Allow},
		{"alias excludes from NotPrincipal", global, []string{regional}, deny(`"` + regional + `"`), Allow},
		{"no alias: NotPrincipal denies", global, nil, deny(`"` + regional + `"`), ExplicitDeny},
		{"an alias is not an AWS principal", global, []string{regional}, npp("resource", `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"AWS":"`+regional+`"},"Action":"lambda:InvokeFunction","Resource":"*"}]}`), ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &Input{Resource: tt.policy, Request: Request{Principal: tt.principal, PrincipalAliases: tt.aliases, Action: "lambda:InvokeFunction", Resource: fn}}
			if got := decide(t, in).Decision; got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPrincipalAliasesRefused(t *testing.T) {
	tests := []struct {
		name      string
		principal string
		aliases   []string
	}{
		{"a role has no aliases", roleARN, []string{"logs.amazonaws.com"}},
		{"anonymous has no aliases", "*", []string{"logs.amazonaws.com"}},
		{"an alias must be a service name", "logs.amazonaws.com", []string{roleARN}},
		{"an empty alias", "logs.amazonaws.com", []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Evaluate(&Input{Request: Request{Principal: tt.principal, PrincipalAliases: tt.aliases, Action: query, Resource: table}})
			if err == nil || !strings.Contains(err.Error(), "principal_aliases") {
				t.Errorf("got error %v, want one about principal_aliases", err)
			}
		})
	}
}

// IAM User Guide, "AWS global condition context keys": aws:PrincipalServiceNamesList
// is multivalued and holds every name of the service.
func TestDefaultContextServiceNames(t *testing.T) {
	tests := []struct {
		name    string
		req     Request
		want    string
		present bool
	}{
		{"service without aliases", Request{Principal: "sns.amazonaws.com"}, "sns.amazonaws.com", true},
		{"service with an alias", Request{Principal: "logs.amazonaws.com", PrincipalAliases: []string{"logs.us-east-1.amazonaws.com"}}, "logs.amazonaws.com,logs.us-east-1.amazonaws.com", true},
		{"a role", Request{Principal: roleARN}, "", false},
		{"anonymous", Request{Principal: "*"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := DefaultContext(tt.req).lookup("aws:PrincipalServiceNamesList")
			if ok != tt.present {
				t.Fatalf("present: got %v, want %v", ok, tt.present)
			}
			if got := strings.Join(v.Values, ","); ok && (got != tt.want || !v.Multi) {
				t.Errorf("got %q (multi %v), want %q (multi)", got, v.Multi, tt.want)
			}
		})
	}
	// A condition on the list matches the alias.
	pol := npp("resource", `{"Version":"2012-10-17","Statement":[{"Sid":"L","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"*",`+
		`"Condition":{"ForAnyValue:StringEquals":{"aws:PrincipalServiceNamesList":"logs.us-east-1.amazonaws.com"}}}]}`)
	req := Request{Principal: "logs.amazonaws.com", PrincipalAliases: []string{"logs.us-east-1.amazonaws.com"}, Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:111122223333:function:f"}
	req.Context = DefaultContext(req)
	if got := decide(t, &Input{Resource: pol, Request: req}).Decision; got != Allow {
		t.Errorf("ForAnyValue on the names list: got %s, want allow", got)
	}
}
