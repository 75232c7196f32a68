package simulate

import (
	"strings"
	"testing"
)

// Unknown actions are reported: a typo like dynamodb:Querry is a classic
// reason a grant never works (issue 2). Actions per the Service
// Authorization Reference (package iamdata).
func TestUnknownActions(t *testing.T) {
	p := MustParse(`{"Version":"2012-10-17","Statement":[
		{"Sid":"Typos","Effect":"Allow","Action":["dynamodb:Querry","dynamodb:GetItem","DYNAMODB:query","s3:GetObjects"],"Resource":"*"},
		{"Effect":"Allow","Action":["dynamo:Query","s3:Get*","s3:Fly*","lambda:Invoke?unction","*"],"Resource":"*"},
		{"Effect":"Deny","NotAction":["iam:PassRoles"],"Resource":"*"}]}`)
	got := UnknownActions(p)
	var lines []string
	for _, f := range got {
		lines = append(lines, f.String())
	}
	want := []string{
		`statement Typos, Action[0]: unknown action "dynamodb:Querry"; did you mean dynamodb:Query?`,
		`statement Typos, Action[3]: unknown action "s3:GetObjects"; did you mean s3:GetObject?`,
		`statement #1, Action[0]: unknown service prefix "dynamo" in "dynamo:Query"`,
		`statement #1, Action[2]: "s3:Fly*" matches no known action`,
		`statement #2, NotAction[0]: unknown action "iam:PassRoles"; did you mean iam:PassRole?`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if got[0].Suggestion != "dynamodb:Query" || got[0].Action != "dynamodb:Querry" {
		t.Errorf("got %+v", got[0])
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"query", "querry", 1}, {"", "abc", 3}, {"abc", "abc", 0}, {"kitten", "sitting", 3}, {"abcdef", "x", 3}} {
		if got := editDistance(tt.a, tt.b, 2); got != min(tt.want, 3) {
			t.Errorf("%q %q: got %d, want %d", tt.a, tt.b, got, min(tt.want, 3))
		}
	}
}
