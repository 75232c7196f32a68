package simulate

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// lambdaRole is a realistic execution role: AWS managed basic execution,
// a DynamoDB inline policy, SQS event source, S3 read with a condition, KMS,
// plus a permissions boundary and an SCP level.
func lambdaRole() *Input {
	return &Input{
		Identity: []NamedPolicy{
			np("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`),
			np("role/order-role/inline/ddb", `{"Version":"2012-10-17","Statement":[{"Sid":"ReadOrders","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:Scan","dynamodb:BatchGetItem"],"Resource":["arn:aws:dynamodb:us-east-1:111122223333:table/Orders","arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/*"]},{"Sid":"WriteOrders","Effect":"Allow","Action":["dynamodb:PutItem","dynamodb:UpdateItem","dynamodb:DeleteItem"],"Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/Orders","Condition":{"ForAllValues:StringEquals":{"dynamodb:Attributes":["pk","sk","status"]}}}]}`),
			np("role/order-role/inline/sqs", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:DeleteMessage","sqs:GetQueueAttributes","sqs:ChangeMessageVisibility"],"Resource":"arn:aws:sqs:us-east-1:111122223333:orders-*"}]}`),
			np("arn:aws:iam::111122223333:policy/s3-read", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::order-archive","arn:aws:s3:::order-archive/${aws:PrincipalTag/team}/*"],"Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:ResourceAccount":"111122223333"}}},{"Sid":"DenyUnencrypted","Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}}]}`),
			np("arn:aws:iam::111122223333:policy/kms", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"arn:aws:kms:us-east-1:111122223333:key/*","Condition":{"StringLike":{"kms:ViaService":["sqs.*.amazonaws.com","dynamodb.*.amazonaws.com"]}}}]}`),
		},
		Boundary: npp("arn:aws:iam::111122223333:policy/boundary", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:*","dynamodb:*","sqs:*","s3:*","kms:*"],"Resource":"*"},{"Effect":"Deny","Action":["iam:*","organizations:*"],"Resource":"*"}]}`),
		SCPs:     [][]NamedPolicy{{np("FullAWSAccess", allowAll), np("region", `{"Version":"2012-10-17","Statement":[{"Sid":"DenyOutsideUS","Effect":"Deny","NotAction":["iam:*","sts:*","organizations:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]}}}]}`)}},
		Request: Request{
			Principal: "arn:aws:sts::111122223333:assumed-role/order-role/order-processor",
			Action:    "dynamodb:Query",
			Resource:  "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/byDate",
			Context: Context{
				"aws:PrincipalArn":      one("arn:aws:iam::111122223333:role/order-role"),
				"aws:PrincipalAccount":  one("111122223333"),
				"aws:RequestedRegion":   one("us-east-1"),
				"aws:SecureTransport":   one("true"),
				"aws:PrincipalTag/team": one("orders"),
			},
		},
	}
}

func TestBenchInputIsAllowed(t *testing.T) {
	r, err := Evaluate(lambdaRole())
	if err != nil || r.Decision != Allow {
		t.Fatalf("got %v, %v", r, err)
	}
}

// BenchmarkDecideLambdaRole is the batch path on a pre-parsed role with five
// identity policies, a boundary and an SCP level.
func BenchmarkDecideLambdaRole(b *testing.B) {
	in := lambdaRole()
	b.ReportAllocs()
	for b.Loop() {
		if r, err := Decide(in); err != nil || r.Decision != Allow {
			b.Fatal(r, err)
		}
	}
}

// BenchmarkEvaluateLambdaRole is the same with the full trace.
func BenchmarkEvaluateLambdaRole(b *testing.B) {
	in := lambdaRole()
	b.ReportAllocs()
	for b.Loop() {
		if r, err := Evaluate(in); err != nil || r.Decision != Allow {
			b.Fatal(r, err)
		}
	}
}

// BenchmarkDecideLambdaRoleDenied: no statement grants s3:PutObject on the
// request (every statement is checked; the DenyUnencrypted condition holds).
func BenchmarkDecideLambdaRoleDenied(b *testing.B) {
	in := lambdaRole()
	in.Request.Action = "s3:PutObject"
	in.Request.Resource = "arn:aws:s3:::order-archive/orders/x.json"
	b.ReportAllocs()
	for b.Loop() {
		if r, err := Decide(in); err != nil || r.Decision != ExplicitDeny {
			b.Fatal(r, err)
		}
	}
}

func BenchmarkParseLambdaPolicy(b *testing.B) {
	doc := []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"ReadOrders","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:Scan","dynamodb:BatchGetItem"],"Resource":["arn:aws:dynamodb:us-east-1:111122223333:table/Orders","arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/*"]},{"Sid":"WriteOrders","Effect":"Allow","Action":["dynamodb:PutItem","dynamodb:UpdateItem"],"Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/Orders","Condition":{"ForAllValues:StringEquals":{"dynamodb:Attributes":["pk","sk","status"]}}}]}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCases reads, decides and writes 1,000 distinct cases as the batch
// command does.
func BenchmarkCases(b *testing.B) {
	var buf bytes.Buffer
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&buf, `{"id":"c%d","identity_policies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:Query","dynamodb:GetItem"],"Resource":"arn:aws:dynamodb:us-east-1:111122223333:table/T%d*"}]}],"resource_policy":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/r%d"},"Action":"dynamodb:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"t%d"}}}]},"request":{"principal":"arn:aws:sts::111122223333:assumed-role/r%d/s","action":"dynamodb:Query","resource":"arn:aws:dynamodb:us-east-1:111122223333:table/T%d","context":{"aws:PrincipalTag/team":"t%d","aws:TagKeys":["a","b"]}}}`+"\n", i, i%7, i, i%3, i%5, i%11, i%2)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	out := make([]byte, 0, 1<<16)
	for b.Loop() {
		cr := NewCaseReader("bench", bytes.NewReader(data))
		for {
			c, err := cr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			r, err := Decide(&c.Input)
			if err != nil {
				b.Fatal(err)
			}
			out = AppendResult(out[:0], c.ID, r)
		}
	}
}

// BenchmarkDecideAmbiguityCheck: what the ambiguity rule costs. "plain": no
// pattern that can be ambiguous (the usual case: nothing to do); "settled":
// such a pattern, but the request has no second colon in its resource part;
// "flagged": the decision hangs on it, so the request is decided twice.
func BenchmarkDecideAmbiguityCheck(b *testing.B) {
	for _, bc := range []struct{ name, pattern, resource string }{
		{"plain", "arn:aws:lambda:us-east-1:111122223333:function:payments-*", "arn:aws:lambda:us-east-1:111122223333:function:payments-worker:prod"},
		{"settled", "arn:aws:lambda:us-east-1:111122223333:function:*prod", "arn:aws:lambda:us-east-1:111122223333:function:payments-prod"},
		{"flagged", "arn:aws:lambda:us-east-1:111122223333:function:*prod", "arn:aws:lambda:us-east-1:111122223333:function:payments-worker:prod"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			in := lambdaRole()
			in.Identity = append(in.Identity, np("fn", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"`+bc.pattern+`"}}`))
			in.Boundary = nil
			in.Request.Action = "lambda:InvokeFunction"
			in.Request.Resource = bc.resource
			r, err := Decide(in)
			if err != nil || (len(r.Ambiguous) > 0) != (bc.name == "flagged") {
				b.Fatal(r, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				Decide(in)
			}
		})
	}
}
