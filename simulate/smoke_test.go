package simulate

import "testing"

func TestSmokeLambdaRole(t *testing.T) {
	p := MustParse(`{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["dynamodb:Query","dynamodb:GetItem"],"Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/Orders*"}]}`)
	in := &Input{
		Identity: []NamedPolicy{{Name: "identity[0]", Policy: p}},
		Request: Request{Principal: "arn:aws:sts::111122223333:assumed-role/r/s", Action: "DynamoDB:query",
			Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/x"},
	}
	r, err := Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Decision != Allow {
		t.Fatalf("got %s, want allow\n%s", r.Decision, r.Explain())
	}
	in.Request.Action = "dynamodb:Scan"
	r, _ = Evaluate(in)
	if r.Decision != ImplicitDeny {
		t.Fatalf("got %s", r.Decision)
	}
	t.Log(r.Explain())
}
