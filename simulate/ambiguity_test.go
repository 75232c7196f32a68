package simulate

import (
	"strings"
	"testing"
)

// The sentences of the IAM User Guide the ambiguity rule rests on.
const (
	// "IAM JSON policy elements: Resource" (reference_policies_elements_resource),
	// "Using wildcards in resource ARNs".
	docWithin   = `"You can use wildcard characters (* and ?) within the individual segments of an ARN (the parts separated by colons)"`
	docLastStar = `"If the * wildcard is the last character of a resource ARN segment, it can expand to match beyond the colon boundaries."`
	// "IAM JSON policy elements: Condition operators"
	// (reference_policies_elements_condition_operators), ARN condition operators.
	docArnOps = `"Each of the six colon-delimited components of the ARN is checked separately and each can include multi-character match wildcards (*) or single-character match wildcards (?)."`
)

const (
	fnBase   = "arn:aws:lambda:us-east-1:111122223333:function:"
	fnAlias  = fnBase + "payments-worker:prod" // a resource part with two colons
	fnPlain  = fnBase + "my-fn"
	midStar  = fnBase + "*prod" // the * is not the last character of its segment
	lambdaIn = "lambda:InvokeFunction"
)

func lambdaStmt(effect, resElem, res, extra string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"` + effect + `","Action":"lambda:*","` + resElem + `":"` + res + `"` + extra + `}]}`
}

const allowLambda = `{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"lambda:*","Resource":"*"}]}`

// TestAmbiguity: a decision that hangs on a wildcard the IAM User Guide
// leaves open (a '?', or a '*' that is not the last character of its
// colon-separated segment, against a resource part holding ':') is flagged
// with the other reading's decision, in every layer; a decision that does
// not hang on it, or a wildcard the guide settles, is not.
func TestAmbiguity(t *testing.T) {
	userReq := func(res string, ctx Context) Request {
		return Request{Principal: user, Action: lambdaIn, Resource: res, Context: ctx}
	}
	srcArn := func(v string) Context { return Context{"aws:SourceArn": one(v)} }
	tests := []struct {
		name string
		doc  string // the sentence(s) the row rests on
		in   Input
		want Decision
		// wantAmb is the flagged layer and element; empty: not flagged.
		wantLayer, wantElem string
		otherwise           Decision
	}{
		{
			name: "identity Resource, mid-segment star against an alias ARN",
			doc:  docWithin + " / " + docLastStar,
			in:   Input{Identity: []NamedPolicy{np("id", lambdaStmt("Allow", "Resource", midStar, ""))}, Request: userReq(fnAlias, nil)},
			want: ImplicitDeny, wantLayer: LayerIdentity, wantElem: "Resource", otherwise: Allow,
		},
		{
			name: "identity Resource, star at the start of the resource part",
			doc:  docWithin + " / " + docLastStar,
			in:   Input{Identity: []NamedPolicy{np("id", lambdaStmt("Allow", "Resource", "arn:aws:lambda:us-east-1:111122223333:*my-fn", ""))}, Request: userReq(fnPlain, nil)},
			want: ImplicitDeny, wantLayer: LayerIdentity, wantElem: "Resource", otherwise: Allow,
		},
		{
			name: "identity Resource, question mark in place of the colon",
			doc:  docWithin,
			in:   Input{Identity: []NamedPolicy{np("id", lambdaStmt("Allow", "Resource", "arn:aws:lambda:us-east-1:111122223333:function?my-fn", ""))}, Request: userReq(fnPlain, nil)},
			want: ImplicitDeny, wantLayer: LayerIdentity, wantElem: "Resource", otherwise: Allow,
		},
		{
			name: "settled: a star that ends its segment expands beyond the colon",
			doc:  docLastStar,
			in:   Input{Identity: []NamedPolicy{np("id", lambdaStmt("Allow", "Resource", fnBase+"pay*", ""))}, Request: userReq(fnAlias, nil)},
			want: Allow,
		},
		{
			name: "settled: the request's resource part has no second colon",
			doc:  docWithin,
			in:   Input{Identity: []NamedPolicy{np("id", lambdaStmt("Allow", "Resource", fnBase+"*fn", ""))}, Request: userReq(fnPlain, nil)},
			want: Allow,
		},
		{
			name: "settled: S3 object key with slashes, no colon",
			doc:  docWithin,
			in: Input{Identity: []NamedPolicy{np("id", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*x"}}`)},
				Request: Request{Principal: user, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/a/b/x"}},
			want: Allow,
		},
		{
			name: "not flagged: another statement decides under both readings",
			doc:  docWithin + " / " + docLastStar,
			in: Input{Identity: []NamedPolicy{np("id", lambdaStmt("Allow", "Resource", midStar, "")), np("all", allowLambda)},
				Request: userReq(fnAlias, nil)},
			want: Allow,
		},
		{
			name: "identity NotResource in a deny",
			doc:  docWithin + " / " + docLastStar,
			in: Input{Identity: []NamedPolicy{np("all", allowLambda), np("deny", lambdaStmt("Deny", "NotResource", midStar, ""))},
				Request: userReq(fnAlias, nil)},
			want: ExplicitDeny, wantLayer: LayerIdentity, wantElem: "NotResource", otherwise: Allow,
		},
		{
			name: "identity Resource with a policy variable",
			doc:  docWithin + " / " + docLastStar,
			in: Input{Identity: []NamedPolicy{np("id", lambdaStmt("Allow", "Resource", fnBase+"*-${aws:username}", ""))},
				Request: userReq(fnBase+"team:x-alice", Context{"aws:username": one("alice")})},
			want: ImplicitDeny, wantLayer: LayerIdentity, wantElem: "Resource", otherwise: Allow,
		},
		{
			name: "permissions boundary",
			doc:  docWithin + " / " + docLastStar,
			in: Input{Identity: []NamedPolicy{np("all", allowLambda)}, Boundary: npp("boundary", lambdaStmt("Allow", "Resource", midStar, "")),
				Request: userReq(fnAlias, nil)},
			want: ImplicitDeny, wantLayer: LayerBoundary, wantElem: "Resource", otherwise: Allow,
		},
		{
			name: "session policy",
			doc:  docWithin + " / " + docLastStar,
			in: Input{Identity: []NamedPolicy{np("all", allowLambda)}, Session: npp("session", lambdaStmt("Allow", "Resource", midStar, "")),
				Request: Request{Principal: session, Action: lambdaIn, Resource: fnAlias}},
			want: ImplicitDeny, wantLayer: LayerSession, wantElem: "Resource", otherwise: Allow,
		},
		{
			name: "SCP deny",
			doc:  docWithin + " / " + docLastStar,
			in: Input{Identity: []NamedPolicy{np("all", allowLambda)},
				SCPs:    [][]NamedPolicy{{np("FullAWSAccess", allowAll), np("scp", lambdaStmt("Deny", "Resource", "arn:aws:lambda:*:*:function:*prod", ""))}},
				Request: userReq(fnAlias, nil)},
			want: Allow, wantLayer: LayerSCP, wantElem: "Resource", otherwise: ExplicitDeny,
		},
		{
			name: "RCP deny",
			doc:  docWithin + " / " + docLastStar,
			in: Input{Identity: []NamedPolicy{np("all", allowLambda)},
				RCPs:    [][]NamedPolicy{{np("RCPFullAWSAccess", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`), np("rcp", lambdaStmt("Deny", "Resource", midStar, `,"Principal":"*"`))}},
				Request: userReq(fnAlias, nil)},
			want: Allow, wantLayer: LayerRCP, wantElem: "Resource", otherwise: ExplicitDeny,
		},
		{
			name: "resource policy of a function, cross-account caller",
			doc:  docWithin + " / " + docLastStar,
			in: Input{Identity: []NamedPolicy{np("all", allowLambda)},
				Resource: npp("function policy", lambdaStmt("Allow", "Resource", midStar, `,"Principal":{"AWS":"444455556666"}`)),
				Request:  Request{Principal: "arn:aws:iam::444455556666:user/bob", Action: lambdaIn, Resource: fnAlias}},
			want: ImplicitDeny, wantLayer: LayerResource, wantElem: "Resource", otherwise: Allow,
		},
		{
			name: "trust policy, ArnLike aws:SourceArn",
			doc:  docArnOps + " / " + docLastStar,
			in: Input{Resource: npp("trust", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:lambda:us-east-1:111122223333:*my-fn"}}}}`),
				Request: Request{Principal: "lambda.amazonaws.com", Action: "sts:AssumeRole", Resource: roleARN, Context: srcArn(fnPlain)}},
			want: ImplicitDeny, wantLayer: LayerResource, wantElem: "ArnLike aws:SourceArn", otherwise: Allow,
		},
		{
			name: "ArnNotLike in a deny",
			doc:  docArnOps + " / " + docLastStar,
			in: Input{Identity: []NamedPolicy{np("all", allowLambda), np("deny", lambdaStmt("Deny", "Resource", "*", `,"Condition":{"ArnNotLike":{"aws:SourceArn":"`+midStar+`"}}`))},
				Request: userReq(fnPlain, srcArn(fnAlias))},
			want: ExplicitDeny, wantLayer: LayerIdentity, wantElem: "ArnNotLike aws:SourceArn", otherwise: Allow,
		},
		{
			name: "ArnNotLikeIfExists, key present",
			doc:  docArnOps + " / " + docLastStar,
			in: Input{Identity: []NamedPolicy{np("all", allowLambda), np("deny", lambdaStmt("Deny", "Resource", "*", `,"Condition":{"ArnNotLikeIfExists":{"aws:SourceArn":"`+midStar+`"}}`))},
				Request: userReq(fnPlain, srcArn(fnAlias))},
			want: ExplicitDeny, wantLayer: LayerIdentity, wantElem: "ArnNotLikeIfExists aws:SourceArn", otherwise: Allow,
		},
		{
			name: "ArnNotLikeIfExists, key absent: nothing to read",
			doc:  docArnOps,
			in: Input{Identity: []NamedPolicy{np("all", allowLambda), np("deny", lambdaStmt("Deny", "Resource", "*", `,"Condition":{"ArnNotLikeIfExists":{"aws:SourceArn":"`+midStar+`"}}`))},
				Request: userReq(fnPlain, nil)},
			want: ExplicitDeny,
		},
		{
			name: "ArnLikeIfExists in a resource policy, same account",
			doc:  docArnOps + " / " + docLastStar,
			in: Input{Resource: npp("function policy", lambdaStmt("Allow", "Resource", "*", `,"Principal":{"Service":"events.amazonaws.com"},"Condition":{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:events:us-east-1:111122223333:rule/b*a:x"}}`)),
				Request: Request{Principal: "events.amazonaws.com", Action: lambdaIn, Resource: fnPlain, Context: srcArn("arn:aws:events:us-east-1:111122223333:rule/bus:a:x")}},
			want: ImplicitDeny, wantLayer: LayerResource, wantElem: "ArnLikeIfExists aws:SourceArn", otherwise: Allow,
		},
		{
			name: "ForAnyValue:ArnLike on a multivalued key",
			doc:  docArnOps + " / " + docLastStar,
			in: Input{Identity: []NamedPolicy{np("id", lambdaStmt("Allow", "Resource", "*", `,"Condition":{"ForAnyValue:ArnLike":{"lambda:Layer":"`+fnBase+`*x"}}`))},
				Request: userReq(fnPlain, Context{"lambda:Layer": multi(fnBase+"a:x", fnBase+"b")})},
			want: ImplicitDeny, wantLayer: LayerIdentity, wantElem: "ForAnyValue:ArnLike lambda:Layer", otherwise: Allow,
		},
		{
			name: "StringLike globs the whole value: nothing to read",
			doc:  docWithin,
			in: Input{Identity: []NamedPolicy{np("id", lambdaStmt("Allow", "Resource", "*", `,"Condition":{"StringLike":{"aws:SourceArn":"`+midStar+`"}}`))},
				Request: userReq(fnPlain, srcArn(fnAlias))},
			want: Allow,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, mode := range []struct {
				name string
				f    func(*Input) (*Result, error)
			}{{"Evaluate", Evaluate}, {"Decide", Decide}} {
				r, err := mode.f(&tt.in)
				if err != nil {
					t.Fatal(err)
				}
				if r.Decision != tt.want {
					t.Fatalf("%s: got %s, want %s (%s)\n%s", mode.name, r.Decision, tt.want, tt.doc, r.Explain())
				}
				if tt.wantLayer == "" {
					if len(r.Ambiguous) > 0 {
						t.Fatalf("%s: flagged %+v, want no flag (%s)", mode.name, r.Ambiguous, tt.doc)
					}
					continue
				}
				if len(r.Ambiguous) != 1 {
					t.Fatalf("%s: got %d ambiguities %+v, want 1 (%s)", mode.name, len(r.Ambiguous), r.Ambiguous, tt.doc)
				}
				a := r.Ambiguous[0]
				if a.Layer != tt.wantLayer || a.Element != tt.wantElem || a.Otherwise != tt.otherwise {
					t.Errorf("%s: got layer %s, element %s, otherwise %s; want %s, %s, %s", mode.name, a.Layer, a.Element, a.Otherwise, tt.wantLayer, tt.wantElem, tt.otherwise)
				}
				if a.Pattern == "" || a.Value == "" || !strings.Contains(a.Reason, a.Pattern) || !strings.Contains(a.Reason, a.Statement) {
					t.Errorf("%s: reason %q does not name the statement %q and pattern %q", mode.name, a.Reason, a.Statement, a.Pattern)
				}
			}
		})
	}
}

// The flag reaches the batch output line and the explanation.
func TestAmbiguityOutput(t *testing.T) {
	in := &Input{Identity: []NamedPolicy{np("identity[0]", lambdaStmt("Allow", "Resource", midStar, ""))},
		Request: Request{Principal: user, Action: lambdaIn, Resource: fnAlias}}
	r, err := Decide(in)
	if err != nil {
		t.Fatal(err)
	}
	line := string(AppendResult(nil, []byte(`"c1"`), r))
	want := `{"id":"c1","decision":"implicit_deny","matched":[],"ambiguous":["identity[0] statement S: Resource \"` + midStar + `\" matches \"` + fnAlias + `\" only if`
	if !strings.HasPrefix(line, want) || !strings.HasSuffix(line, `then allow, not implicit_deny"]}`) {
		t.Errorf("got %s\nwant prefix %s", line, want)
	}
	if ex := r.Explain(); !strings.Contains(ex, "note: the IAM User Guide does not settle this decision (allow under another reading)") {
		t.Errorf("Explain lacks the note:\n%s", ex)
	}
	in.Request.Resource = fnBase + "prod"
	r, _ = Decide(in)
	if line := string(AppendResult(nil, []byte(`"c2"`), r)); strings.Contains(line, "ambiguous") {
		t.Errorf("unambiguous case carries the field: %s", line)
	}
}
