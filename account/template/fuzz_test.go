package template

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse: no input makes the reader panic, hang or fail without a
// *template.Error that says where.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"Resources: {}",
		"Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${AWS::Region}-${!x}'\n",
		"Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !If [C, !GetAtt R.Arn, !ImportValue x]\nConditions:\n  C: !Equals [!Ref AWS::Region, eu-west-1]\n",
		`{"Resources": {"A": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Join": ["", [{"Ref": "AWS::StackName"}, "-t"]]}}}}}`,
		"Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: a.b\n      InlineCode: x\n      Events:\n        A:\n          Type: Api\n          Properties: {Path: '/{id}', Method: get}\n",
		"a: &a [x, *a]\nResources: {}",
		"Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      X: !Cidr ['10.0.0.0/8', 256, 24]\n",
	} {
		f.Add([]byte(seed))
	}
	for _, file := range []string{"../../fixtures/templates/sam/all-events-alias.yaml", "../../fixtures/templates/cfn/orders-api-healthy.yaml"} {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, opts := range []Options{{}, {Region: "us-east-1", Account: "111122223333"}} {
			res, err := Parse("fuzz.yaml", data, opts)
			if err != nil {
				var te *Error
				if !errors.As(err, &te) {
					t.Fatalf("got %T %v, want a *template.Error", err, err)
				}
				continue
			}
			for _, fn := range res.Functions {
				if fn == nil || fn.Source == nil {
					t.Fatal("a function without its source location")
				}
			}
		}
	})
}
