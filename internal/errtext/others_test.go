package errtext

import (
	"strings"
	"testing"
)

func TestOthers(t *testing.T) {
	query := `An error occurred (AccessDeniedException) when calling the Query operation: User: arn:aws:sts::111122223333:assumed-role/orders-role/orders is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:111122223333:table/Orders because no identity-based policy allows the dynamodb:Query action`
	put := `An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:sts::111122223333:assumed-role/orders-role/orders is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::invoices/2026/x.pdf" because no identity-based policy allows the s3:PutObject action`
	tests := []struct {
		name string
		text string
		want []string // actions of the other denials
	}{
		{"one denial", query, nil},
		{"the same denial twice", "10:00 " + query + "\n10:01 " + query, nil},
		{"two denials", "10:00 " + query + "\n10:01 " + put + "\n10:02 " + put, []string{"s3:PutObject"}},
		{"a message over two lines", "User: arn:aws:sts::111122223333:assumed-role/orders-role/orders is not authorized\nto perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:111122223333:table/Orders", nil},
		{"an API Gateway log", "Sending request to https://lambda.us-east-1.amazonaws.com/...\nExecution failed due to configuration error: Invalid permissions on Lambda function\nMethod completed with status: 500", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, err := Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range Others(tt.text, first) {
				got = append(got, d.Action)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
