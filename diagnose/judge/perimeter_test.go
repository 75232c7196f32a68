package judge

import (
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// Network-perimeter SCPs in the two shapes of the AWS data perimeter
// examples (aws-samples/data-perimeter-policy-examples): one that denies
// every call of a tagged role made outside the corporate network or the
// VPC, and one scoped to Lambda functions' code with
// Null lambda:SourceFunctionArn = false. Written here from the condition
// keys they use.
const (
	perimeterSourceVPC = `{"Version":"2012-10-17","Statement":[{"Sid":"EnforceNetworkPerimeterSourceVPC","Effect":"Deny","NotAction":["es:ES*","kafka-cluster:*"],"Resource":"*",` +
		`"Condition":{"BoolIfExists":{"aws:ViaAWSService":"false"},"NotIpAddressIfExists":{"aws:SourceIp":["203.0.113.0/24"]},` +
		`"StringNotEqualsIfExists":{"aws:SourceVpc":["vpc-0corp"],"aws:PrincipalTag/dp:exclude:network":"true"},` +
		`"StringEquals":{"aws:PrincipalTag/dp:include:network":"true"}}}]}`
	perimeterLambdaCode = `{"Version":"2012-10-17","Statement":[{"Sid":"EnforceNetworkPerimeterOnLambdaRoles","Effect":"Deny","NotAction":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*",` +
		`"Condition":{"BoolIfExists":{"aws:ViaAWSService":"false"},"NotIpAddressIfExists":{"aws:SourceIp":["203.0.113.0/24"]},` +
		`"StringNotEqualsIfExists":{"aws:VpceOrgID":"o-a1b2c3d4e5"},"Null":{"lambda:SourceFunctionArn":"false"}}}]}`
	fullAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
)

// TestLambdasOwnCallsUnderDataPerimeter: the network interfaces of a VPC
// function are created by Lambda with the execution role from outside the
// VPC and the execution environment: no aws:SourceVpc (IAM UG condition
// keys: only through a VPC endpoint), no lambda:SourceFunctionArn (Lambda
// DG lambda-intro-execution-role: only calls from inside the execution
// environment carry it), aws:ViaAWSService false (a service role, not a
// forward access session). So the VPC-wide perimeter denies them, as
// aws-samples/data-perimeter-policy-examples#63 reports, while the
// perimeter scoped with lambda:SourceFunctionArn lets them through and
// still denies the code's own call.
func TestLambdasOwnCallsUnderDataPerimeter(t *testing.T) {
	setup := func(scp string) *account.Function {
		fn := fnWith()
		fn.Role.Tags = map[string]string{"dp:include:network": "true"}
		fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: "work", Document: `{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","Action":["ec2:CreateNetworkInterface","ec2:DescribeNetworkInterfaces","ec2:DeleteNetworkInterface","ec2:AssignPrivateIpAddresses","ec2:UnassignPrivateIpAddresses"],"Resource":"*"},` +
			`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`})
		fn.Config.VPC = &account.VPCConfig{VPCID: "vpc-0corp", SubnetIDs: []string{"subnet-1"}, SecurityGroupIDs: []string{"sg-1"}}
		fn.Org = &account.Org{ID: "o-a1b2c3d4e5", SCPs: [][]account.ManagedPolicy{
			{{ARN: "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess", Document: fullAccess}},
			{{ARN: "arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/service_control_policy/p-perimeter", Document: fullAccess},
				{ARN: "arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/service_control_policy/p-network", Document: scp}},
		}}
		return fn
	}
	vpc := func(fn *account.Function) *Verdict {
		for _, r := range Requirements(fn) {
			if r.Rule == RuleVPC {
				return Judge(fn, r)
			}
		}
		t.Fatal("no VPC requirement")
		return nil
	}
	code := Call{Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/2026.csv", Why: "--action"}

	fn := setup(perimeterSourceVPC)
	v := vpc(fn)
	if v.Decision != simulate.ExplicitDeny {
		t.Fatalf("VPC-wide perimeter: got %s, want ENI creation denied (no aws:SourceVpc on Lambda's own call)", v)
	}
	if d := v.Failing().Result.Deciding; len(d) != 1 || d[0].Statement != "EnforceNetworkPerimeterSourceVPC" {
		t.Errorf("deciding: got %+v, want the SCP statement", d)
	}
	if v := CheckLogs(fn); v.Decision != simulate.ExplicitDeny {
		// Lambda's log writes come from outside the VPC too: the VPC-wide
		// perimeter refuses them as well (the Lambda-scoped one, below,
		// is how the examples keep execution roles working).
		t.Errorf("log writes under the VPC-wide perimeter: got %s, want denied", v)
	}

	fn = setup(perimeterLambdaCode)
	if v := vpc(fn); !v.Open() {
		t.Errorf("perimeter scoped to the code (lambda:SourceFunctionArn): got %s, want Lambda's ENI calls allowed", v)
	}
	if v := CheckLogs(fn); !v.Open() {
		t.Errorf("perimeter scoped to the code: got %s, want Lambda's log writes allowed", v)
	}
	if v := CheckOutbound(fn, code); v.Decision != simulate.ExplicitDeny {
		t.Errorf("the code's own call from outside the perimeter: got %s, want denied", v)
	}
}

// TestPrincipalTagsFromRoleTags: a session of a tagged role carries the
// role's tags as aws:PrincipalTag/KEY (IAM UG condition keys).
func TestPrincipalTagsFromRoleTags(t *testing.T) {
	fn := fnWith()
	fn.Role.Tags = map[string]string{"team": "payments"}
	fn.Role.Inline = append(fn.Role.Inline, account.InlinePolicy{Name: "abac", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/${aws:PrincipalTag/team}/*"}]}`})
	if v := CheckOutbound(fn, Call{Action: "s3:GetObject", Resource: "arn:aws:s3:::data/payments/x"}); !v.Open() {
		t.Errorf("got %s, want the tag to match its own prefix", v)
	}
	if v := CheckOutbound(fn, Call{Action: "s3:GetObject", Resource: "arn:aws:s3:::data/orders/x"}); v.Open() {
		t.Errorf("got %s, want another team's prefix refused", v)
	}
}
