package errtext

import "testing"

// Real transcripts, each cited by the page or issue it comes from.
// Account IDs and names are kept as published except where the source
// had placeholders ("<arn here>", "{account-id}"), which are filled with
// example values and marked "filled".

func TestParseStandard(t *testing.T) { runParseCases(t, standardCases) }
func TestParseSpecial(t *testing.T)  { runParseCases(t, specialCases) }
func TestParseBare(t *testing.T)     { runParseCases(t, bareCases) }

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
			Kind:                KindNotAuthorized,
			Principal:           "arn:aws:iam::123456789012:user/janedoe",
			Action:              "iam:CreateInstanceProfile",
			Resource:            "arn:aws:iam::123456789012:instance-profile/my-instance-profile",
			PolicyType:          PolicyIdentityBased,
			Explicit:            true,
			PolicyARN:           "arn:aws:iam::123456789012:policy/ExampleDenyPolicy",
			AuthorizationID:     "EXAMPLE1a2b3c4d5e6f7g8h9i0j",
			AuthorizationRegion: "us-east-1",
			Reason:              "with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/ExampleDenyPolicy",
		},
	},
	{
		// https://github.com/cloud-custodian/cloud-custodian/issues/4736 (botocore; older explicit deny without a type)
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
		// https://github.com/feast-dev/feast/issues/2800 (principal given as a bare name, backquoted in markdown)
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
	{
		// https://github.com/kubernetes-sigs/aws-load-balancer-controller/issues/2322 (JSON log record; account and role filled)
		name: "aws-load-balancer-controller#2322/json-log-scp",
		in:   `{"level":"error","ts":1635254280.17,"logger":"controller-runtime.manager.controller.ingress","msg":"Reconciler error","name":"ingress-2048","namespace":"game-2048","error":"AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/alb-controller/1635254 is not authorized to perform: waf-regional:GetWebACLForResource on resource: arn:aws:waf-regional:us-east-1:123456789012:*/* with an explicit deny in a service control policy"}`,
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::123456789012:assumed-role/alb-controller/1635254",
			Action:     "waf-regional:GetWebACLForResource",
			Resource:   "arn:aws:waf-regional:us-east-1:123456789012:*/*",
			PolicyType: PolicySCP,
			Explicit:   true,
			Reason:     "with an explicit deny in a service control policy",
			Code:       "AccessDeniedException",
		},
		msg: "User: arn:aws:sts::123456789012:assumed-role/alb-controller/1635254 is not authorized to perform: waf-regional:GetWebACLForResource on resource: arn:aws:waf-regional:us-east-1:123456789012:*/* with an explicit deny in a service control policy",
	},
	{
		// https://aws.amazon.com/blogs/security/enhanced-access-denied-error-messages-with-policy-arns ("Enhanced" example)
		name: "aws-blog/enhanced-scp-with-policy-arn",
		in:   "An error occurred (AccessDenied) when calling the ListRoles operation: User: arn:aws:iam::123456789012:user/Matt is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/* with an explicit deny in a service control policy: arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:iam::123456789012:user/Matt",
			Action:     "iam:ListRoles",
			Resource:   "arn:aws:iam::123456789012:role/*",
			PolicyType: PolicySCP,
			Explicit:   true,
			PolicyARN:  "arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd",
			Reason:     "with an explicit deny in a service control policy: arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd",
			Code:       "AccessDenied",
			Operation:  "ListRoles",
		},
		msg: "User: arn:aws:iam::123456789012:user/Matt is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/* with an explicit deny in a service control policy: arn:aws:organizations::987654321098:policy/o-qv5af4abcd/service_control_policy/p-2kgnabcd",
	},
	{
		// https://github.com/noobaa/noobaa-core/issues/10060 (S3 quotes the resource; account and names filled)
		name: "noobaa#10060/s3-quoted-resource-resource-based-explicit",
		in:   `An error occurred (AccessDenied) when calling the ListObjectsV2 operation: User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::my-bucket" with an explicit deny in a resource-based policy`,
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:iam::123456789012:user/alice",
			Action:     "s3:ListBucket",
			Resource:   "arn:aws:s3:::my-bucket",
			PolicyType: PolicyResourceBased,
			Explicit:   true,
			Reason:     "with an explicit deny in a resource-based policy",
			Code:       "AccessDenied",
			Operation:  "ListObjectsV2",
		},
		msg: `User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::my-bucket" with an explicit deny in a resource-based policy`,
	},
	{
		// terraform plan transcript in the public code corpus (Go SDK v2 envelope, EC2 prefix sentence, no resource)
		name: "terraform-plan/go-sdk-v2-ec2-explicit-identity-with-arn",
		in: "│ Error: reading EC2 AMIs: operation error EC2: DescribeImages, https response error StatusCode: 403, RequestID: 23ff8138-81c9-4ef0-af6d-32a29d77da5a, api error UnauthorizedOperation: You are not authorized to perform this operation. User: arn:aws:sts::543752389747:assumed-role/voclabs/user4549459=a29316@svalero.com is not authorized to perform: ec2:DescribeImages with an explicit deny in an identity-based policy: arn:aws:iam::543752389747:policy/voc-cancel-cred\n" +
			"│ \n│   with data.aws_ami.amazon_linux,\n│   on main.tf line 4, in data \"aws_ami\" \"amazon_linux\":",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::543752389747:assumed-role/voclabs/user4549459=a29316@svalero.com",
			Action:     "ec2:DescribeImages",
			PolicyType: PolicyIdentityBased,
			Explicit:   true,
			PolicyARN:  "arn:aws:iam::543752389747:policy/voc-cancel-cred",
			Reason:     "with an explicit deny in an identity-based policy: arn:aws:iam::543752389747:policy/voc-cancel-cred",
			Code:       "UnauthorizedOperation",
			Service:    "EC2",
			Operation:  "DescribeImages",
			StatusCode: 403,
			RequestID:  "23ff8138-81c9-4ef0-af6d-32a29d77da5a",
		},
		msg: "User: arn:aws:sts::543752389747:assumed-role/voclabs/user4549459=a29316@svalero.com is not authorized to perform: ec2:DescribeImages with an explicit deny in an identity-based policy: arn:aws:iam::543752389747:policy/voc-cancel-cred",
	},
	{
		// EC2 message with both the readable sentence and the encoded one (public code corpus, markdown bold removed, encoded message shortened)
		name: "ec2/readable-and-encoded",
		in:   "You are not authorized to perform this operation. User: arn:aws:iam::548387266019:user/ccsad-g04 is not authorized to perform: ec2:CreateSecurityGroup on resource: arn:aws:ec2:ap-southeast-1:548387266019:vpc/vpc-02b29ff02cd658307 because no identity-based policy allows the ec2:CreateSecurityGroup action. Encoded authorization failure message: OIH6QTbpor6EoyZHdzm4D6U3O_wNNWv-53XamfhE4-1BxbmjOKimeEJVdo_EU9VoHk2nhp7ru3C1OenKZtcyQaXgIu6qkjpruWEc1Pcwa6RdncT",
		want: Denial{
			Kind:           KindNotAuthorized,
			Principal:      "arn:aws:iam::548387266019:user/ccsad-g04",
			Action:         "ec2:CreateSecurityGroup",
			Resource:       "arn:aws:ec2:ap-southeast-1:548387266019:vpc/vpc-02b29ff02cd658307",
			PolicyType:     PolicyIdentityBased,
			Reason:         "because no identity-based policy allows the ec2:CreateSecurityGroup action",
			EncodedMessage: "OIH6QTbpor6EoyZHdzm4D6U3O_wNNWv-53XamfhE4-1BxbmjOKimeEJVdo_EU9VoHk2nhp7ru3C1OenKZtcyQaXgIu6qkjpruWEc1Pcwa6RdncT",
		},
		msg: "User: arn:aws:iam::548387266019:user/ccsad-g04 is not authorized to perform: ec2:CreateSecurityGroup on resource: arn:aws:ec2:ap-southeast-1:548387266019:vpc/vpc-02b29ff02cd658307 because no identity-based policy allows the ec2:CreateSecurityGroup action",
	},
	{
		// Lambda DG troubleshooting-invocation ("IAM: lambda:InvokeFunction not authorized"): a function name, not an ARN
		name: "lambda-dg/troubleshooting-invocation/resource-name",
		in:   "User: arn:aws:iam::123456789012:user/developer is not authorized to perform: lambda:InvokeFunction on resource: my-function",
		want: Denial{
			Kind:      KindNotAuthorized,
			Principal: "arn:aws:iam::123456789012:user/developer",
			Action:    "lambda:InvokeFunction",
			Resource:  "my-function",
		},
	},
	{
		// https://github.com/awslabs/aws-deployment-framework/issues/460 (Step Functions "cause", Java SDK v1 suffix)
		name: "aws-deployment-framework#460/step-functions-java-envelope",
		in: `{
  "error": "Lambda.AWSLambdaException",
  "cause": "User: arn:aws:sts::111122223333:assumed-role/serverlessrepo-aws-deploy-StateMachineExecutionRol-YYXZKF1DNVEG/GGzJDbzYyvarbIioekwoULLKpGuSfJRc is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:111122223333:function:AccountAliasConfigurationFunction because no identity-based policy allows the lambda:InvokeFunction action (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: c0c4199a-20fa-472e-a106-471bfdaa742e; Proxy: null)"
}`,
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::111122223333:assumed-role/serverlessrepo-aws-deploy-StateMachineExecutionRol-YYXZKF1DNVEG/GGzJDbzYyvarbIioekwoULLKpGuSfJRc",
			Action:     "lambda:InvokeFunction",
			Resource:   "arn:aws:lambda:us-east-1:111122223333:function:AccountAliasConfigurationFunction",
			PolicyType: PolicyIdentityBased,
			Reason:     "because no identity-based policy allows the lambda:InvokeFunction action",
			Code:       "AccessDeniedException",
			Service:    "AWSLambda",
			StatusCode: 403,
			RequestID:  "c0c4199a-20fa-472e-a106-471bfdaa742e",
		},
		msg: "User: arn:aws:sts::111122223333:assumed-role/serverlessrepo-aws-deploy-StateMachineExecutionRol-YYXZKF1DNVEG/GGzJDbzYyvarbIioekwoULLKpGuSfJRc is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:111122223333:function:AccountAliasConfigurationFunction because no identity-based policy allows the lambda:InvokeFunction action",
	},
	{
		// https://github.com/doug-macleod/Pipe-1Dev/issues/13 (wrapped across lines, even inside "Error Code")
		name: "Pipe-1Dev#13/wrapped-lines-explicit",
		in: "User: arn:aws:sts::674568819625:assumed-role/SCF/ImNaYhDWEWEnqwXHDyUIJYXvRnZUCQNG\n" +
			"is not authorized to perform: lambda:InvokeFunction on resource:\n" +
			"arn:aws:lambda:us-east-2:674568819625:function:scf-prepare-data-generateUploadKeyHQ3VTHNGXALG with an explicit deny (Service: AWSLambda; Status Code: 403; Error\n" +
			"Code: AccessDeniedException; Request ID: 07cfc81d-06b7-45bc-8d4a-7f2d673a80ba)",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::674568819625:assumed-role/SCF/ImNaYhDWEWEnqwXHDyUIJYXvRnZUCQNG",
			Action:     "lambda:InvokeFunction",
			Resource:   "arn:aws:lambda:us-east-2:674568819625:function:scf-prepare-data-generateUploadKeyHQ3VTHNGXALG",
			Explicit:   true,
			Reason:     "with an explicit deny",
			Code:       "AccessDeniedException",
			Service:    "AWSLambda",
			StatusCode: 403,
			RequestID:  "07cfc81d-06b7-45bc-8d4a-7f2d673a80ba",
		},
		msg: "User: arn:aws:sts::674568819625:assumed-role/SCF/ImNaYhDWEWEnqwXHDyUIJYXvRnZUCQNG is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-2:674568819625:function:scf-prepare-data-generateUploadKeyHQ3VTHNGXALG with an explicit deny",
	},
	{
		// https://github.com/alexcasalboni/aws-lambda-power-tuning/issues/59 (CloudWatch line: timestamp, request id, level; JSON on one line; cross-account)
		name: "power-tuning#59/cloudwatch-line-json-cross-account",
		in:   "2020-01-27T20:45:51.054Z\tab2c1583-e26d-420e-acaf-cb03878c7f8b\tERROR\tInvoke Error\t{\"errorType\":\"AccessDeniedException\",\"errorMessage\":\"User: arn:aws:sts::831967359561:assumed-role/serverlessrepo-aws-lambda-power-tu-initializerRole-KBWW5V1IY08N/serverlessrepo-aws-lambda-power-tuning-initializer-1D8H4M62LFR4T is not authorized to perform: lambda:GetFunctionConfiguration on resource: arn:aws:lambda:us-west-2:725462913924:function:dev-testResult-student-testresults-get-lambda\",\"code\":\"AccessDeniedException\",\"requestId\":\"bd67d8aa-829e-4af5-bc94-e9118818b2df\",\"statusCode\":403,\"retryable\":false}",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::831967359561:assumed-role/serverlessrepo-aws-lambda-power-tu-initializerRole-KBWW5V1IY08N/serverlessrepo-aws-lambda-power-tuning-initializer-1D8H4M62LFR4T",
			Action:     "lambda:GetFunctionConfiguration",
			Resource:   "arn:aws:lambda:us-west-2:725462913924:function:dev-testResult-student-testresults-get-lambda",
			Code:       "AccessDeniedException",
			StatusCode: 403,
			RequestID:  "bd67d8aa-829e-4af5-bc94-e9118818b2df",
		},
		msg: "User: arn:aws:sts::831967359561:assumed-role/serverlessrepo-aws-lambda-power-tu-initializerRole-KBWW5V1IY08N/serverlessrepo-aws-lambda-power-tuning-initializer-1D8H4M62LFR4T is not authorized to perform: lambda:GetFunctionConfiguration on resource: arn:aws:lambda:us-west-2:725462913924:function:dev-testResult-student-testresults-get-lambda",
	},
	{
		// https://github.com/architect/architect/issues/1322 (Node runtime error record: the code is glued before the message)
		name: "architect#1322/runtime-unhandled-rejection",
		in:   `{"errorType": "Runtime.UnhandledPromiseRejection", "errorMessage": "AccessDeniedException: User: arn:aws:sts::974894071214:assumed-role/DecipadBackendStaging943-Role-1M2SYTSZGLP1B/DecipadBackendStaging943-PostApiAuthSigninProvider-cacbKgjHtgdx is not authorized to perform: ssm:GetParametersByPath on resource: arn:aws:ssm:eu-west-2:974894071214:parameter/DecipadBackendStaging because no identity-based policy allows the ssm:GetParametersByPath action"}`,
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::974894071214:assumed-role/DecipadBackendStaging943-Role-1M2SYTSZGLP1B/DecipadBackendStaging943-PostApiAuthSigninProvider-cacbKgjHtgdx",
			Action:     "ssm:GetParametersByPath",
			Resource:   "arn:aws:ssm:eu-west-2:974894071214:parameter/DecipadBackendStaging",
			PolicyType: PolicyIdentityBased,
			Reason:     "because no identity-based policy allows the ssm:GetParametersByPath action",
			Code:       "AccessDeniedException",
		},
		msg: "User: arn:aws:sts::974894071214:assumed-role/DecipadBackendStaging943-Role-1M2SYTSZGLP1B/DecipadBackendStaging943-PostApiAuthSigninProvider-cacbKgjHtgdx is not authorized to perform: ssm:GetParametersByPath on resource: arn:aws:ssm:eu-west-2:974894071214:parameter/DecipadBackendStaging because no identity-based policy allows the ssm:GetParametersByPath action",
	},
	{
		// https://github.com/danilop/LambdAuth/issues/37 (HTTP response body)
		name: "LambdAuth#37/http-body",
		in:   `{"Message":"User: arn:aws:sts::009825708026:assumed-role/Cognito_toadkicker_poolUnauth_Role/CognitoIdentityCredentials is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:009825708026:function:LambdAuthCreateUser"}`,
		want: Denial{
			Kind:      KindNotAuthorized,
			Principal: "arn:aws:sts::009825708026:assumed-role/Cognito_toadkicker_poolUnauth_Role/CognitoIdentityCredentials",
			Action:    "lambda:InvokeFunction",
			Resource:  "arn:aws:lambda:us-east-1:009825708026:function:LambdAuthCreateUser",
		},
		msg: "User: arn:aws:sts::009825708026:assumed-role/Cognito_toadkicker_poolUnauth_Role/CognitoIdentityCredentials is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:009825708026:function:LambdAuthCreateUser",
	},
	{
		// https://github.com/aws-solutions-library-samples/qnabot-on-aws/issues/88 (Lambda log line: resource followed by ": ClientError")
		name: "qnabot#88/resource-then-colon",
		in:   "An error occurred (AccessDeniedException) when calling the Invoke operation: User: arn:aws:sts::507296099304:assumed-role/QnABot2-ExamplesStack-PJB77ZTHUM-ExampleLambdaRole-L1RE5HHNPSU2/QnABot2-ExamplesStack-PJB7-ExamplePYTHONLambdaNext-1FCMM9VWGMXZH is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:507296099304:function:QnABot2-ESQidLambda-M9LBJLAZJB9N: ClientError",
		want: Denial{
			Kind:      KindNotAuthorized,
			Principal: "arn:aws:sts::507296099304:assumed-role/QnABot2-ExamplesStack-PJB77ZTHUM-ExampleLambdaRole-L1RE5HHNPSU2/QnABot2-ExamplesStack-PJB7-ExamplePYTHONLambdaNext-1FCMM9VWGMXZH",
			Action:    "lambda:InvokeFunction",
			Resource:  "arn:aws:lambda:us-east-1:507296099304:function:QnABot2-ESQidLambda-M9LBJLAZJB9N",
			Code:      "AccessDeniedException",
			Operation: "Invoke",
		},
		msg: "User: arn:aws:sts::507296099304:assumed-role/QnABot2-ExamplesStack-PJB77ZTHUM-ExampleLambdaRole-L1RE5HHNPSU2/QnABot2-ExamplesStack-PJB7-ExamplePYTHONLambdaNext-1FCMM9VWGMXZH is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:507296099304:function:QnABot2-ESQidLambda-M9LBJLAZJB9N",
	},
	{
		// https://github.com/aws/agentcore-cli/pull/1891 (principal elided as "...", wrapped, "(reached max retries: 0)")
		name: "agentcore-cli#1891/elided-principal-wrapped",
		in: "Access denied when invoking Lambda function: An error occurred (AccessDeniedException)\n" +
			"when calling the Invoke operation (reached max retries: 0): User: ... is not authorized\n" +
			"to perform: lambda:InvokeFunction on resource:\n" +
			"arn:aws:lambda:us-east-1:...:function:E2e3pEval30379817-eval-answer_relevancy\n" +
			"because no identity-based policy allows the lambda:InvokeFunction action",
		want: Denial{
			Kind:       KindNotAuthorized,
			Action:     "lambda:InvokeFunction",
			Resource:   "arn:aws:lambda:us-east-1:...:function:E2e3pEval30379817-eval-answer_relevancy",
			PolicyType: PolicyIdentityBased,
			Reason:     "because no identity-based policy allows the lambda:InvokeFunction action",
			Code:       "AccessDeniedException",
			Operation:  "Invoke",
		},
		msg: "User: ... is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:...:function:E2e3pEval30379817-eval-answer_relevancy because no identity-based policy allows the lambda:InvokeFunction action",
	},
	{
		// https://github.com/hashicorp/terraform-provider-aws (doc PR #29847 context) / cisagov/XFD#1371: S3 GetObject denied on the KMS key
		name: "cisagov-XFD#1371/kms-decrypt-under-s3-getobject",
		in:   "[ERROR] ClientError: An error occurred (AccessDenied) when calling the GetObject operation: User: arn:aws:sts::123456789012:assumed-role/crossfeed-staging-cd-api-us-east-1-lambdaRole/crossfeed-staging-cd-api is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Decrypt action",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::123456789012:assumed-role/crossfeed-staging-cd-api-us-east-1-lambdaRole/crossfeed-staging-cd-api",
			Action:     "kms:Decrypt",
			Resource:   "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			PolicyType: PolicyIdentityBased,
			Reason:     "because no identity-based policy allows the kms:Decrypt action",
			Code:       "AccessDenied",
			Operation:  "GetObject",
		},
		msg: "User: arn:aws:sts::123456789012:assumed-role/crossfeed-staging-cd-api-us-east-1-lambdaRole/crossfeed-staging-cd-api is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Decrypt action",
	},
	{
		// https://github.com/kubernetes-sigs/aws-load-balancer-controller/pull/413 (Go SDK v1: "status code: 403, request id: ...")
		name: "aws-load-balancer-controller#413/go-sdk-v1-envelope",
		in: "[ERROR]:  - AccessDenied: User: arn:aws:sts::1122334455:assumed-role/my-role/session-name is not authorized to perform: elasticloadbalancing:ModifyTargetGroupAttributes on resource: arn:aws:elasticloadbalancing:us-east-1:1122334455:targetgroup/something-32555-HTTP-fd25f48/60bd46e9f1eeb72d\n" +
			"\tstatus code: 403, request id: 5e9a919a-77c9-11e8-864b-c174c9d69364.",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::1122334455:assumed-role/my-role/session-name",
			Action:     "elasticloadbalancing:ModifyTargetGroupAttributes",
			Resource:   "arn:aws:elasticloadbalancing:us-east-1:1122334455:targetgroup/something-32555-HTTP-fd25f48/60bd46e9f1eeb72d",
			Code:       "AccessDenied",
			StatusCode: 403,
			RequestID:  "5e9a919a-77c9-11e8-864b-c174c9d69364",
		},
		msg: "User: arn:aws:sts::1122334455:assumed-role/my-role/session-name is not authorized to perform: elasticloadbalancing:ModifyTargetGroupAttributes on resource: arn:aws:elasticloadbalancing:us-east-1:1122334455:targetgroup/something-32555-HTTP-fd25f48/60bd46e9f1eeb72d",
	},
	{
		// https://github.com/aws/aws-sdk-js-v3/issues/6225, https://github.com/external-secrets/kubernetes-external-secrets/issues/287: STS web identity, no principal
		name: "external-secrets#287/sts-web-identity-no-principal",
		in:   "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity",
		want: Denial{
			Kind:      KindNotAuthorized,
			Action:    "sts:AssumeRoleWithWebIdentity",
			Code:      "AccessDenied",
			Operation: "AssumeRoleWithWebIdentity",
		},
		msg: "Not authorized to perform sts:AssumeRoleWithWebIdentity",
	},
	{
		// https://www.tech-reader.blog/2025/11/aws-lambda-error-accessdeniedexception.html ("User is not authorized", no colon after perform)
		name: "tech-reader/user-without-arn",
		in:   "AccessDeniedException: User is not authorized to perform lambda:InvokeFunction",
		want: Denial{
			Kind:   KindNotAuthorized,
			Action: "lambda:InvokeFunction",
			Code:   "AccessDeniedException",
		},
		msg: "User is not authorized to perform lambda:InvokeFunction",
	},
	{
		// https://stackengine.dev/aws-api-gateway-lambda-invoke-permission (API Gateway credentials role, wrapped)
		name: "stackengine/apigateway-role-wrapped",
		in: "User: arn:aws:sts::123456789012:assumed-role/APIGatewayExecutionRole/AmazonAPIGateway-my-api\n" +
			"is not authorized to perform: lambda:InvokeFunction \n" +
			"on resource: arn:aws:lambda:us-east-1:123456789012:function:my-function\n" +
			"because no identity-based policy allows the lambda:InvokeFunction action",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::123456789012:assumed-role/APIGatewayExecutionRole/AmazonAPIGateway-my-api",
			Action:     "lambda:InvokeFunction",
			Resource:   "arn:aws:lambda:us-east-1:123456789012:function:my-function",
			PolicyType: PolicyIdentityBased,
			Reason:     "because no identity-based policy allows the lambda:InvokeFunction action",
		},
	},
	// The IAM UG troubleshoot_access-denied table of documented forms, one per
	// policy type (examples from the page; account IDs as there).
	{
		name: "iam-ug/session-implicit-no-resource",
		in:   "User: arn:aws:sts::777788889999:assumed-role/AWSExampleRole/session-name is not authorized to perform: codecommit:ListRepositories because no session policy allows the codecommit:ListRepositories action",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::777788889999:assumed-role/AWSExampleRole/session-name",
			Action:     "codecommit:ListRepositories",
			PolicyType: PolicySession,
			Reason:     "because no session policy allows the codecommit:ListRepositories action",
		},
	},
	{
		name: "iam-ug/sessions-policy-explicit-doc-spelling",
		in:   "User: arn:aws:sts::777788889999:assumed-role/AWSExampleRole/session-name is not authorized to perform: codecommit:ListRepositories with an explicit deny in a sessions policy",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::777788889999:assumed-role/AWSExampleRole/session-name",
			Action:     "codecommit:ListRepositories",
			PolicyType: PolicySession,
			Explicit:   true,
			Reason:     "with an explicit deny in a sessions policy",
		},
	},
	{
		name: "iam-ug/boundary-implicit",
		in:   "User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: codedeploy:ListDeployments on resource: arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:* because no permissions boundary allows the codedeploy:ListDeployments action",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:iam::123456789012:user/JohnDoe",
			Action:     "codedeploy:ListDeployments",
			Resource:   "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:*",
			PolicyType: PolicyBoundary,
			Reason:     "because no permissions boundary allows the codedeploy:ListDeployments action",
		},
	},
	{
		// Boundary deny with the ARN the 2026 messages append (AWS blog above lists boundaries among the covered types).
		name: "aws-blog/boundary-explicit-with-arn-and-period",
		in:   "User: arn:aws:sts::123456789012:assumed-role/app-role/app-fn is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/Orders with an explicit deny in a permissions boundary: arn:aws:iam::123456789012:policy/DevBoundary.",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::123456789012:assumed-role/app-role/app-fn",
			Action:     "dynamodb:PutItem",
			Resource:   "arn:aws:dynamodb:us-east-1:123456789012:table/Orders",
			PolicyType: PolicyBoundary,
			Explicit:   true,
			PolicyARN:  "arn:aws:iam::123456789012:policy/DevBoundary",
			Reason:     "with an explicit deny in a permissions boundary: arn:aws:iam::123456789012:policy/DevBoundary",
		},
		msg: "User: arn:aws:sts::123456789012:assumed-role/app-role/app-fn is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/Orders with an explicit deny in a permissions boundary: arn:aws:iam::123456789012:policy/DevBoundary",
	},
	{
		name: "iam-ug/resource-based-implicit-cross-account",
		in:   "User: arn:aws:iam::777788889999:user/JohnDoe is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:demo-AbCdEf because no resource-based policy allows the secretsmanager:GetSecretValue action",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:iam::777788889999:user/JohnDoe",
			Action:     "secretsmanager:GetSecretValue",
			Resource:   "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo-AbCdEf",
			PolicyType: PolicyResourceBased,
			Reason:     "because no resource-based policy allows the secretsmanager:GetSecretValue action",
		},
	},
	{
		name: "iam-ug/vpc-endpoint-implicit",
		in:   "User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: codecommit:ListRepositories because no VPC endpoint policy allows the codecommit:ListRepositories action",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:iam::123456789012:user/JohnDoe",
			Action:     "codecommit:ListRepositories",
			PolicyType: PolicyVPCEndpoint,
			Reason:     "because no VPC endpoint policy allows the codecommit:ListRepositories action",
		},
	},
	{
		name: "iam-ug/vpc-endpoint-transitive-through-scp",
		in:   "User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: codecommit:ListRepositories on resource: arn:aws:codecommit:us-east-1:123456789012:* with an explicit deny in a VPC endpoint policy transitively through a service control policy",
		want: Denial{
			Kind:          KindNotAuthorized,
			Principal:     "arn:aws:iam::123456789012:user/JohnDoe",
			Action:        "codecommit:ListRepositories",
			Resource:      "arn:aws:codecommit:us-east-1:123456789012:*",
			PolicyType:    PolicyVPCEndpoint,
			ViaPolicyType: PolicySCP,
			Explicit:      true,
			Reason:        "with an explicit deny in a VPC endpoint policy transitively through a service control policy",
		},
	},
	{
		name: "iam-ug/role-trust-explicit",
		in:   "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/ExampleRole with an explicit deny in the role trust policy",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:iam::123456789012:user/JohnDoe",
			Action:     "sts:AssumeRole",
			Resource:   "arn:aws:iam::123456789012:role/ExampleRole",
			PolicyType: PolicyRoleTrust,
			Explicit:   true,
			Reason:     "with an explicit deny in the role trust policy",
			Code:       "AccessDenied",
			Operation:  "AssumeRole",
		},
		msg: "User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/ExampleRole with an explicit deny in the role trust policy",
	},
	{
		// The IAM UG's own role-trust example reads "because the role trust policy allows" (sic).
		name: "iam-ug/role-trust-doc-wording",
		in:   "User: arn:aws:iam::123456789012:user/JohnDoe is not authorized to perform: sts:AssumeRole because the role trust policy allows the sts:AssumeRole action",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:iam::123456789012:user/JohnDoe",
			Action:     "sts:AssumeRole",
			PolicyType: PolicyRoleTrust,
			Reason:     "because the role trust policy allows the sts:AssumeRole action",
		},
	},
	{
		// RCP deny with ARN: the AWS blog above lists RCPs among the covered types; the ARN form follows its SCP example.
		name: "aws-blog/rcp-explicit-with-arn-s3-quoted",
		in:   `User: arn:aws:sts::111122223333:assumed-role/app/fn is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data-bucket/report 2024.csv" with an explicit deny in a resource control policy: arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/resource_control_policy/p-rcp12345`,
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::111122223333:assumed-role/app/fn",
			Action:     "s3:GetObject",
			Resource:   "arn:aws:s3:::data-bucket/report 2024.csv",
			PolicyType: PolicyRCP,
			Explicit:   true,
			PolicyARN:  "arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/resource_control_policy/p-rcp12345",
			Reason:     "with an explicit deny in a resource control policy: arn:aws:organizations::999988887777:policy/o-a1b2c3d4e5/resource_control_policy/p-rcp12345",
		},
	},
	{
		// "because no service control policy allows" (third-party KBs; AWS says SCP denials read as explicit, so Explicit is set)
		name: "kb/scp-implicit-wording-is-explicit",
		in:   "User: arn:aws:iam::123456789012:role/deploy-role is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:eu-west-1:123456789012:instance/* because no service control policy allows the ec2:RunInstances action",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:iam::123456789012:role/deploy-role",
			Action:     "ec2:RunInstances",
			Resource:   "arn:aws:ec2:eu-west-1:123456789012:instance/*",
			PolicyType: PolicySCP,
			Explicit:   true,
			Reason:     "because no service control policy allows the ec2:RunInstances action",
		},
	},
	{
		// S3 UG troubleshoot-403-errors: Block Public Access variant
		name: "s3-ug/block-public-policy",
		in:   `User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::my-bucket" because public policies are prevented by the BlockPublicPolicy setting in S3 Block Public Access.`,
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:iam::123456789012:user/alice",
			Action:     "s3:PutBucketPolicy",
			Resource:   "arn:aws:s3:::my-bucket",
			PolicyType: PolicyS3BlockPublic,
			Reason:     "because public policies are prevented by the BlockPublicPolicy setting in S3 Block Public Access",
		},
		msg: `User: arn:aws:iam::123456789012:user/alice is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::my-bucket" because public policies are prevented by the BlockPublicPolicy setting in S3 Block Public Access`,
	},
	{
		// https://repost.aws/knowledge-center/iam-organizations-scp-deny-error (paraphrase without an action token; "on this resource" form elsewhere)
		name: "repost/scp-paraphrase-no-action",
		in:   `My account received: "The IAM Entity is not authorized to perform API action on resource: arn:aws:iam::123456789012:role/Admin with an explicit deny in a service control policy".`,
		want: Denial{
			Kind:       KindNotAuthorized,
			Resource:   "arn:aws:iam::123456789012:role/Admin",
			PolicyType: PolicySCP,
			Explicit:   true,
			Reason:     "with an explicit deny in a service control policy",
		},
		msg: "Entity is not authorized to perform API action on resource: arn:aws:iam::123456789012:role/Admin with an explicit deny in a service control policy",
	},
	{
		// "on this resource" (named in the brief; seen in services that do not name the resource)
		name: "on-this-resource",
		in:   "User: arn:aws:sts::123456789012:assumed-role/fn-role/fn is not authorized to perform: bedrock:InvokeModel on this resource because no identity-based policy allows the bedrock:InvokeModel action",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::123456789012:assumed-role/fn-role/fn",
			Action:     "bedrock:InvokeModel",
			PolicyType: PolicyIdentityBased,
			Reason:     "because no identity-based policy allows the bedrock:InvokeModel action",
		},
	},
	{
		// ANSI colours from a terminal paste, CRLF line ends and a trailing period.
		name: "terminal-colours-crlf",
		in:   "\x1b[31mError:\x1b[0m User: arn:aws-us-gov:iam::123456789012:user/ops is not authorized to perform: lambda:UpdateFunctionCode on resource: arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:api\r\nbecause no identity-based policy allows the lambda:UpdateFunctionCode action.\r\n",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws-us-gov:iam::123456789012:user/ops",
			Action:     "lambda:UpdateFunctionCode",
			Resource:   "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:api",
			PolicyType: PolicyIdentityBased,
			Reason:     "because no identity-based policy allows the lambda:UpdateFunctionCode action",
		},
		msg: "User: arn:aws-us-gov:iam::123456789012:user/ops is not authorized to perform: lambda:UpdateFunctionCode on resource: arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:api because no identity-based policy allows the lambda:UpdateFunctionCode action",
	},
	{
		// Constructed: a JSON log record whose message is itself escaped JSON (two levels of escaping).
		name: "double-escaped-json",
		in:   `{"delivery":{"statusCode":403,"providerResponse":"{\"ErrorCode\":\"AccessDeniedException\",\"ErrorMessage\":\"User: sns.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:notify\"}"},"status":"FAILURE"}`,
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "sns.amazonaws.com",
			Action:     "lambda:InvokeFunction",
			Resource:   "arn:aws:lambda:us-east-1:123456789012:function:notify",
			Code:       "AccessDeniedException",
			StatusCode: 403,
		},
		msg: "User: sns.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:notify",
	},
	{
		// Authorization ID given only in the console link (IAM UG troubleshoot_access-denied-authorization-id shape).
		name: "iam-ug/authorization-id-link-only",
		in:   "User: arn:aws:sts::123456789012:assumed-role/fn-role/fn is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:jobs because no identity-based policy allows the sqs:SendMessage action. Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/a1b2c3d4e5f6 for complete details",
		want: Denial{
			Kind:                KindNotAuthorized,
			Principal:           "arn:aws:sts::123456789012:assumed-role/fn-role/fn",
			Action:              "sqs:SendMessage",
			Resource:            "arn:aws:sqs:us-east-1:123456789012:jobs",
			PolicyType:          PolicyIdentityBased,
			AuthorizationID:     "a1b2c3d4e5f6",
			AuthorizationRegion: "us-east-1",
			Reason:              "because no identity-based policy allows the sqs:SendMessage action",
		},
		msg: "User: arn:aws:sts::123456789012:assumed-role/fn-role/fn is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:jobs because no identity-based policy allows the sqs:SendMessage action. Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/a1b2c3d4e5f6",
	},
	{
		// https://github.com/awslabs/aws-automated-incident-response-and-forensics/issues/13
		// (SNS delivery-status log: escaped JSON inside a string; cut off as in the issue)
		name: "incident-response#13/sns-delivery-escaped-truncated",
		in:   `"{\"ErrorCode\":\"AccessDeniedException\",\"ErrorMessage\":\"User: sns.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:xxxx:xxxx:function:SlackNotificationLambda because no resource-based policy `,
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "sns.amazonaws.com",
			Action:     "lambda:InvokeFunction",
			Resource:   "arn:aws:lambda:xxxx:xxxx:function:SlackNotificationLambda",
			PolicyType: PolicyResourceBased,
			Reason:     "because no resource-based policy",
			Code:       "AccessDeniedException",
		},
		msg: "User: sns.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:xxxx:xxxx:function:SlackNotificationLambda because no resource-based policy",
	},
	{
		// https://github.com/aws-ia/terraform-aws-control_tower_account_factory/issues/151 (Lambda log with traceback; "SNS:" upper case; empty region/account)
		name: "aft#151/sns-authorization-error-traceback",
		in: "[ERROR] AuthorizationErrorException: An error occurred (AuthorizationError) when calling the Publish operation: User: arn:aws:sts:::assumed-role/aft-identify-targets-execution-role/aft-customizations-identify-targets is not authorized to perform: SNS:Publish on resource: arn:aws:sns:::aft-failure-notifications because no identity-based policy allows the SNS:Publish action\n" +
			"Traceback (most recent call last):\n  File \"/var/task/aft_customizations_identify_targets.py\", line 53, in lambda_handler",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts:::assumed-role/aft-identify-targets-execution-role/aft-customizations-identify-targets",
			Action:     "SNS:Publish",
			Resource:   "arn:aws:sns:::aft-failure-notifications",
			PolicyType: PolicyIdentityBased,
			Reason:     "because no identity-based policy allows the SNS:Publish action",
			Code:       "AuthorizationError",
			Operation:  "Publish",
		},
		msg: "User: arn:aws:sts:::assumed-role/aft-identify-targets-execution-role/aft-customizations-identify-targets is not authorized to perform: SNS:Publish on resource: arn:aws:sns:::aft-failure-notifications because no identity-based policy allows the SNS:Publish action",
	},
	{
		// https://github.com/functionalone/serverless-iam-roles-per-function/issues/106 (markdown quote, wrapped; SMS phone-number resource)
		name: "serverless-iam-roles#106/markdown-quoted-wrapped",
		in:   "> PostConfirmation is not authorized to perform: SNS:Publish on\n> resource: +358.... because no identity-based policy allows the\n> SNS:Publish action",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "PostConfirmation",
			Action:     "SNS:Publish",
			Resource:   "+358",
			PolicyType: PolicyIdentityBased,
			Reason:     "because no identity-based policy allows the SNS:Publish action",
		},
		msg: "PostConfirmation is not authorized to perform: SNS:Publish on resource: +358.... because no identity-based policy allows the SNS:Publish action",
	},
	{
		// Terraform wraps diagnostics to the terminal width behind "│ " (shape of the terraform-plan case above, wrapped)
		name: "terraform/wrapped-box-prefix",
		in: "│ Error: creating Lambda Function (api): operation error Lambda: CreateFunction, https response error StatusCode: 403, RequestID: 5f1d2c3b-aaaa-4bbb-8ccc-0123456789ab,\n" +
			"│ api error AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/deployer/ci is not authorized to perform: iam:PassRole on resource:\n" +
			"│ arn:aws:iam::123456789012:role/api-exec because no identity-based policy allows the iam:PassRole action\n│ \n╵",
		want: Denial{
			Kind:       KindNotAuthorized,
			Principal:  "arn:aws:sts::123456789012:assumed-role/deployer/ci",
			Action:     "iam:PassRole",
			Resource:   "arn:aws:iam::123456789012:role/api-exec",
			PolicyType: PolicyIdentityBased,
			Reason:     "because no identity-based policy allows the iam:PassRole action",
			Code:       "AccessDeniedException",
			Service:    "Lambda",
			Operation:  "CreateFunction",
			StatusCode: 403,
			RequestID:  "5f1d2c3b-aaaa-4bbb-8ccc-0123456789ab",
		},
		msg: "User: arn:aws:sts::123456789012:assumed-role/deployer/ci is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/api-exec because no identity-based policy allows the iam:PassRole action",
	},
}
