package live

import (
	"bytes"
	"context"
	"testing"

	"github.com/aws/smithy-go/middleware"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// TestLiveStackResolvedValue: ReadStack keeps the ResolvedValue
// DescribeStacks returns for a Systems Manager parameter type ("returned
// only for Systems Manager parameter types in the template", AWS
// CloudFormation API Reference, Parameter), with the SSM parameter's name
// as its value. moto 5.2.1 returns no ResolvedValue (it puts the SSM
// parameter's value in ParameterValue), so the proxy rewrites its answer
// to AWS's: ParameterValue the name, ResolvedValue the value.
func TestLiveStackResolvedValue(t *testing.T) {
	s := motoserver.Start(t)
	s.AWS(t, "ssm", "put-parameter", "--name", "/stack-test/bucket", "--value", "orders-bucket", "--type", "String")
	path := writeFile(t, "t.json", `{"Parameters":{"Bucket":{"Type":"AWS::SSM::Parameter::Value<String>","Default":"/stack-test/bucket"},"Stage":{"Type":"String","Default":"prod"}},
"Resources":{"Q":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":{"Fn::Sub":"${Bucket}-${Stage}"}}}}}`)
	s.AWS(t, "cloudformation", "create-stack", "--stack-name", "stack-resolved", "--template-body", "file://"+path)
	p := newFaultProxy(t, s.Endpoint)
	p.rewrite("cloudformation:DescribeStacks", func(b []byte) []byte {
		return bytes.Replace(b, []byte("<ParameterValue>orders-bucket</ParameterValue>"),
			[]byte("<ParameterValue>/stack-test/bucket</ParameterValue><ResolvedValue>orders-bucket</ResolvedValue>"), 1)
	})
	l := newTestLive(t, s, p.URL, Options{APIOptions: []func(*middleware.Stack) error{tagOperations}})
	st, us, err := l.ReadStack(context.Background(), "stack-resolved")
	if err != nil || st == nil {
		t.Fatalf("ReadStack: %v %+v", err, us)
	}
	if got := st.Parameters["Bucket"]; got != "/stack-test/bucket" {
		t.Errorf("Bucket's value: got %q, want the SSM parameter's name (the proxy did not rewrite moto's answer?)", got)
	}
	if got, ok := st.Resolved["Bucket"]; !ok || got != "orders-bucket" {
		t.Errorf("Bucket's resolved value: got %q (%v), want orders-bucket", got, ok)
	}
	if _, ok := st.Resolved["Stage"]; ok || st.Parameters["Stage"] != "prod" {
		t.Errorf("Stage: value %q, resolved %v; want prod and no resolved value", st.Parameters["Stage"], st.Resolved)
	}
}
