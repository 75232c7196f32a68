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

// Suggestions use internal/suggest's distance, where a swap of neighbours
// counts 1: a transposed typo is suggested the action it was typed for.
func TestClosestAction(t *testing.T) {
	for _, tt := range []struct{ svc, name, want string }{
		{"dynamodb", "Querry", "dynamodb:Query"},
		{"dynamodb", "query", "dynamodb:Query"},
		{"DYNAMODB", "querry", "dynamodb:Query"},
		{"dynamodb", "GteIetm", "dynamodb:GetItem"},     // two swaps: Levenshtein 4
		{"logs", "nUtagResource", "logs:UntagResource"}, // not TagResource
		{"kms", "eDcqypt", "kms:Decrypt"},               // not Encrypt
		{"s3", "uPtBucketVersionibg", "s3:PutBucketVersioning"},
		{"dynamodb", "Fly", ""},
	} {
		if got := closestAction(tt.svc, tt.name); got != tt.want {
			t.Errorf("%s:%s: got %q, want %q", tt.svc, tt.name, got, tt.want)
		}
	}
}
