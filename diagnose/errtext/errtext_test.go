package errtext

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// parseCase is one pasted text and everything Parse must find in it. An
// empty msg means the message is the whole input with its whitespace
// collapsed.
type parseCase struct {
	name string
	in   string
	want Denial
	msg  string
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := tc.want
			want.Message = tc.msg
			if want.Message == "" {
				want.Message = strings.Join(strings.Fields(tc.in), " ")
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("got  %+v\nwant %+v", *got, want)
			}
			if !IsDenialLine(tc.in) {
				t.Errorf("IsDenialLine(%q) = false, want true", tc.in)
			}
		})
	}
}

func TestParseStandard(t *testing.T) {
	runParseCases(t, standardCases)
}

var standardCases = []parseCase{
	{
		// IAM UG troubleshoot_access-denied-authorization-id, example verbatim (line breaks as on the page).
		name: "iam-ug/authorization-id/identity-based-explicit-with-arn",
		in: "User: arn:aws:iam::123456789012:user/janedoe is not authorized to perform: iam:CreateInstanceProfile\n" +
			"on resource: arn:aws:iam::123456789012:instance-profile/my-instance-profile\n" +
			"with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/ExampleDenyPolicy.\n" +
			"Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/EXAMPLE1a2b3c4d5e6f7g8h9i0j for complete details,\n" +
			"or call the GetRequestAuthorizationDetails API with the following authorization id: EXAMPLE1a2b3c4d5e6f7g8h9i0j",
		want: Denial{
			Kind:            KindNotAuthorized,
			Principal:       "arn:aws:iam::123456789012:user/janedoe",
			Action:          "iam:CreateInstanceProfile",
			Resource:        "arn:aws:iam::123456789012:instance-profile/my-instance-profile",
			PolicyType:      PolicyIdentityBased,
			Explicit:        true,
			PolicyARN:       "arn:aws:iam::123456789012:policy/ExampleDenyPolicy",
			AuthorizationID: "EXAMPLE1a2b3c4d5e6f7g8h9i0j",
			Reason:          "with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/ExampleDenyPolicy",
		},
	},
	{
		// github.com/cloud-custodian/cloud-custodian/issues/4736 (botocore, older explicit deny without a type)
		name: "cloud-custodian#4736/botocore-explicit-deny-no-type",
		in:   "botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when calling the GetFunction operation: User: arn:aws:iam::1111111111:user/USERNAME is not authorized to perform: lambda:GetFunction on resource: arn:aws:lambda:us-east-1:11111111111:function:custodian-s3-deny-public-object-acl-realtime with an explicit deny",
		want: Denial{
			Kind:      KindNotAuthorized,
			Principal: "arn:aws:iam::1111111111:user/USERNAME",
			Action:    "lambda:GetFunction",
			Resource:  "arn:aws:lambda:us-east-1:11111111111:function:custodian-s3-deny-public-object-acl-realtime",
			Explicit:  true,
			Reason:    "with an explicit deny",
			Code:      "AccessDeniedException",
			Operation: "GetFunction",
		},
		msg: "User: arn:aws:iam::1111111111:user/USERNAME is not authorized to perform: lambda:GetFunction on resource: arn:aws:lambda:us-east-1:11111111111:function:custodian-s3-deny-public-object-acl-realtime with an explicit deny",
	},
	{
		// github.com/feast-dev/feast/issues/2800 (principal given as a bare name)
		name: "feast#2800/implicit-identity-bare-principal",
		in:   "`botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when calling the GetFunction operation: User: MyUser is not authorized to perform: lambda:GetFunction on resource: arn:aws:lambda:us-east-1:964458643333:function:feast-python-server-feast_demo-0_21_3 because no identity-based policy allows the lambda:GetFunction action`",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "MyUser",
			Action:     "lambda:GetFunction",
			Resource:   "arn:aws:lambda:us-east-1:964458643333:function:feast-python-server-feast_demo-0_21_3",
			PolicyType: PolicyIdentityBased,
			Reason:     "because no identity-based policy allows the lambda:GetFunction action",
			Code:       "AccessDeniedException",
			Operation:  "GetFunction",
		},
		msg: "User: MyUser is not authorized to perform: lambda:GetFunction on resource: arn:aws:lambda:us-east-1:964458643333:function:feast-python-server-feast_demo-0_21_3 because no identity-based policy allows the lambda:GetFunction action",
	},
}

func TestParseNotDenial(t *testing.T) {
	for _, in := range []string{"", "   \n", "hello world", "Task timed out after 3.00 seconds"} {
		d, err := Parse(in)
		if !errors.Is(err, ErrNotDenial) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrNotDenial", in, d, err)
		}
	}
}
