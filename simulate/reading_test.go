package simulate

import "testing"

// TestEvaluateOtherReading: the other reading decides what
// Result.Ambiguous names as Otherwise, with the statements that decide
// under it, and is never itself flagged.
func TestEvaluateOtherReading(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in        Input
		want      Decision // the engine's reading
		otherwise Decision
		deciding  string // the statement deciding under the other reading
	}{
		{
			name:      "an allow that matches only under the other reading",
			in:        Input{Identity: []NamedPolicy{np("id", lambdaStmt("Allow", "Resource", midStar, ""))}, Request: Request{Principal: user, Action: lambdaIn, Resource: fnAlias}},
			want:      ImplicitDeny,
			otherwise: Allow, deciding: "S",
		},
		{
			name: "a deny that applies only under the other reading",
			in: Input{Identity: []NamedPolicy{np("all", allowLambda), np("id", lambdaStmt("Deny", "Resource", midStar, ""))},
				Request: Request{Principal: user, Action: lambdaIn, Resource: fnAlias}},
			want:      Allow,
			otherwise: ExplicitDeny, deciding: "S",
		},
		{
			name:      "a settled pattern: both readings agree",
			in:        Input{Identity: []NamedPolicy{np("id", lambdaStmt("Allow", "Resource", fnBase+"pay*", ""))}, Request: Request{Principal: user, Action: lambdaIn, Resource: fnAlias}},
			want:      Allow,
			otherwise: Allow, deciding: "S",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Evaluate(&tc.in)
			if err != nil {
				t.Fatal(err)
			}
			o, err := EvaluateOtherReading(&tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if r.Decision != tc.want || o.Decision != tc.otherwise {
				t.Fatalf("got %s / %s under the other reading, want %s / %s", r.Decision, o.Decision, tc.want, tc.otherwise)
			}
			if len(o.Ambiguous) != 0 {
				t.Errorf("the other reading's result is flagged: %+v", o.Ambiguous)
			}
			if tc.want != tc.otherwise && (len(r.Ambiguous) == 0 || r.Ambiguous[0].Otherwise != o.Decision) {
				t.Errorf("Ambiguous %+v does not name the other reading's decision %s", r.Ambiguous, o.Decision)
			}
			if len(o.Deciding) == 0 || o.Deciding[0].Statement != tc.deciding {
				t.Errorf("deciding under the other reading: got %+v, want statement %s", o.Deciding, tc.deciding)
			}
			if len(o.Trace) == 0 {
				t.Error("no trace under the other reading")
			}
		})
	}
}
