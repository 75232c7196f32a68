package errtext

var specialCases = []parseCase{
	{
		// https://github.com/cattle-ops/terraform-aws-gitlab-runner/pull/1253 (console Test; "<arn here>" and request id filled)
		name: "gitlab-runner#1253/kms-env-with-standard-message",
		in: "Calling the invoke API action failed with this message: Lambda was unable to decrypt the environment variables\n" +
			"because KMS access was denied. Please check the function's KMS key settings. KMS Exception:\n" +
			"AccessDeniedExceptionKMS Message: User: arn:aws:sts::123456789012:assumed-role/runner-terminate/runner-terminate is not authorized to perform: kms:Decrypt on resource:\n" +
			"arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab because no identity-based policy allows the kms:Decrypt action (Service: Kms, Status Code: 400,\n" +
			"Request ID: 0c1f1f0e-3f6b-4a53-9a51-6b1a4d0c2d7e)",
		want: Denial{
			Kind:         KindKMSEnv,
			Principal:    "arn:aws:sts::123456789012:assumed-role/runner-terminate/runner-terminate",
			Action:       "kms:Decrypt",
			Resource:     "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			KeyARN:       "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			KMSException: "AccessDeniedException",
			PolicyType:   PolicyIdentityBased,
			Reason:       "because no identity-based policy allows the kms:Decrypt action",
			Service:      "Kms",
			StatusCode:   400,
			RequestID:    "0c1f1f0e-3f6b-4a53-9a51-6b1a4d0c2d7e",
		},
		msg: "Lambda was unable to decrypt the environment variables because KMS access was denied.",
	},
	{
		// https://github.com/serverless/examples/issues/279 and https://github.com/DataBiosphere/azul/issues/4200
		name: "serverless-examples#279/kms-env-key-gone",
		in:   "Lambda was unable to decrypt the environment variables because KMS access was denied. Please check the function's KMS key settings. KMS Exception: AccessDeniedExceptionKMS Message: The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.",
		want: Denial{
			Kind:         KindKMSEnv,
			Action:       "kms:Decrypt",
			KMSException: "AccessDeniedException",
			Cause:        causeKMSCiphertext,
		},
		msg: "Lambda was unable to decrypt the environment variables because KMS access was denied.",
	},
	{
		// Lambda API_Invoke error KMSAccessDeniedException as the CLI prints it (message text as in the issues above)
		name: "cli/kms-access-denied-exception-code",
		in:   "An error occurred (KMSAccessDeniedException) when calling the Invoke operation: Lambda was unable to decrypt the environment variables because KMS access was denied. Please check the function's KMS key settings.",
		want: Denial{
			Kind:      KindKMSEnv,
			Action:    "kms:Decrypt",
			Code:      "KMSAccessDeniedException",
			Operation: "Invoke",
		},
		msg: "Lambda was unable to decrypt the environment variables because KMS access was denied.",
	},
	{
		// botocore text quoted in a code comment in the public code corpus (CreateFunction right after role creation)
		name: "botocore/role-cannot-be-assumed",
		in:   "botocore.exceptions.ClientError: An error occurred (InvalidParameterValueException) when calling the CreateFunction operation: The role defined for the function cannot be assumed by Lambda.",
		want: Denial{
			Kind:      KindRoleAssume,
			Principal: "lambda.amazonaws.com",
			Action:    "sts:AssumeRole",
			Code:      "InvalidParameterValueException",
			Operation: "CreateFunction",
		},
		msg: "The role defined for the function cannot be assumed by Lambda.",
	},
	{
		// IAM API GetRole, error NoSuchEntity ("The request was rejected because it referenced a resource entity that does not exist"),
		// message as the aws CLI prints it for a deleted role (and as moto answers)
		name: "cli/iam-role-not-found",
		in:   "An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name thumbnailer-role cannot be found.",
		want: Denial{
			Kind:      KindRoleAssume,
			Principal: "lambda.amazonaws.com",
			Action:    "sts:AssumeRole",
			Code:      "NoSuchEntity",
			Operation: "GetRole",
			Cause:     causeRoleNotFound,
			NotIAM:    true,
		},
		msg: "The role with name thumbnailer-role cannot be found.",
	},
	{
		// pulumi-aws-native example README (issue pulumi/pulumi-aws-native#148): CloudFormation handler envelope
		name: "pulumi-aws-native#148/role-cannot-be-assumed-cfn",
		in:   `error: operation CREATE failed with "InvalidRequest": The role defined for the function cannot be assumed by Lambda. (Service: Lambda, Status Code: 400, Request ID: c33fdd39-59d4-4ba8-8ad6-29f6c04d79eb, Extended Request ID: null)`,
		want: Denial{
			Kind:       KindRoleAssume,
			Principal:  "lambda.amazonaws.com",
			Action:     "sts:AssumeRole",
			Code:       "InvalidRequest",
			Service:    "Lambda",
			StatusCode: 400,
			RequestID:  "c33fdd39-59d4-4ba8-8ad6-29f6c04d79eb",
		},
		msg: "The role defined for the function cannot be assumed by Lambda.",
	},
	{
		// Go SDK v1 error string as matched in public Go code ("InvalidParameterValueException: The role defined ...")
		name: "go-sdk-v1/role-cannot-be-assumed",
		in:   "InvalidParameterValueException: The role defined for the function cannot be assumed by Lambda.\n\tstatus code: 400, request id: 6d3c5f8e-1b2a-4c3d-9e8f-0a1b2c3d4e5f",
		want: Denial{
			Kind:       KindRoleAssume,
			Principal:  "lambda.amazonaws.com",
			Action:     "sts:AssumeRole",
			Code:       "InvalidParameterValueException",
			StatusCode: 400,
			RequestID:  "6d3c5f8e-1b2a-4c3d-9e8f-0a1b2c3d4e5f",
		},
		msg: "The role defined for the function cannot be assumed by Lambda.",
	},
	{
		// https://github.com/CodeGenieApp/serverless-express/issues/247 (REST API execution log, no function named)
		name: "serverless-express#247/apigateway-execution-log",
		in: "Extended Request Id: d4qiDGxbBcwFXJw=\nVerifying Usage Plan for request:.........\n" +
			"API Key authorized because method 'ANY /{proxy+}' does not require API Key. \nUsage Plan check succeeded for API Key and API Stage \n" +
			"Starting execution for request: 7...\nHTTP Method: GET, Resource Path: /\n" +
			"Execution failed due to configuration error: Invalid permissions on Lambda function\nMethod completed with status: 500",
		want: Denial{
			Kind:       KindAPIGatewayInvoke,
			Principal:  "apigateway.amazonaws.com",
			Action:     "lambda:InvokeFunction",
			StatusCode: 500,
			RequestID:  "d4qiDGxbBcwFXJw",
		},
		msg: "Invalid permissions on Lambda function",
	},
	{
		// re:Post KC api-gateway-rest-api-lambda-integrations log lines (aws-facts §2), timestamps as in noppoMan/Hexaville#1
		name: "repost/apigateway-sending-request-line",
		in: "Fri May 19 11:46:05 UTC 2017 : Sending request to https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:my-function/invocations\n" +
			"Fri May 19 11:46:05 UTC 2017 : Execution failed due to configuration error: Invalid permissions on Lambda function\n" +
			"Fri May 19 11:46:05 UTC 2017 : Method completed with status: 500",
		want: Denial{
			Kind:       KindAPIGatewayInvoke,
			Principal:  "apigateway.amazonaws.com",
			Action:     "lambda:InvokeFunction",
			Resource:   "arn:aws:lambda:us-east-1:123456789012:function:my-function",
			Function:   "arn:aws:lambda:us-east-1:123456789012:function:my-function",
			StatusCode: 500,
		},
		msg: "Invalid permissions on Lambda function",
	},
	{
		// https://github.com/noppoMan/Hexaville/issues/1 test-invoke log ("Endpoint request URI"), alias-qualified function
		name: "Hexaville#1/apigateway-test-invoke-qualified",
		in: "Fri May 19 11:46:05 UTC 2017 : Endpoint request URI: https://lambda.ap-northeast-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:ap-northeast-1:158695423430:function:hexaville-test-app-function:live/invocations\n" +
			"Fri May 19 11:46:05 UTC 2017 : Execution failed due to configuration error: Invalid permissions on Lambda function\n",
		want: Denial{
			Kind:      KindAPIGatewayInvoke,
			Principal: "apigateway.amazonaws.com",
			Action:    "lambda:InvokeFunction",
			Resource:  "arn:aws:lambda:ap-northeast-1:158695423430:function:hexaville-test-app-function:live",
			Function:  "arn:aws:lambda:ap-northeast-1:158695423430:function:hexaville-test-app-function:live",
		},
		msg: "Invalid permissions on Lambda function",
	},
	{
		// https://stackengine.dev/aws-api-gateway-lambda-invoke-permission (JSON access log, message wrapped)
		name: "stackengine/apigateway-json-log",
		in:   "{\n  \"message\": \"Wed, 05 Jun 2024 14:22:11 GMT : Execution failed due to configuration error: \n              Invalid permissions on Lambda function\",\n  \"status\": 500\n}",
		want: Denial{
			Kind:       KindAPIGatewayInvoke,
			Principal:  "apigateway.amazonaws.com",
			Action:     "lambda:InvokeFunction",
			StatusCode: 500,
		},
		msg: "Invalid permissions on Lambda function",
	},
	{
		// re:Post KC api-gateway-rest-api-lambda-integrations: the Lambda authorizer variant (aws-facts §2)
		name: "repost/apigateway-authorizer",
		in: "Sending request to https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:auth-fn/invocations\n" +
			"Execution failed due to configuration error: Invalid permissions on Lambda function\n" +
			"Execution failed due to configuration error: Authorizer error",
		want: Denial{
			Kind:      KindAPIGatewayInvoke,
			Principal: "apigateway.amazonaws.com",
			Action:    "lambda:InvokeFunction",
			Resource:  "arn:aws:lambda:eu-west-1:123456789012:function:auth-fn",
			Function:  "arn:aws:lambda:eu-west-1:123456789012:function:auth-fn",
			Reason:    "the function is the API's Lambda authorizer",
		},
		msg: "Invalid permissions on Lambda function",
	},
	{
		// re:Post KC api-gateway-lambda-template-invoke-error (aws-facts §2): integration method other than POST
		name: "repost/apigateway-integration-method-not-post",
		in:   "Lambda invocation failed with status: 403. Lambda request id: 1b2c3d4e-0000-4a5b-8c9d-0e1f2a3b4c5d\n<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\nMethod completed with status: 500",
		want: Denial{
			Kind:       KindAPIGatewayMethod,
			Principal:  "apigateway.amazonaws.com",
			Action:     "lambda:InvokeFunction",
			Code:       "AccessDeniedException",
			StatusCode: 403,
			RequestID:  "1b2c3d4e-0000-4a5b-8c9d-0e1f2a3b4c5d",
		},
		msg: "Unable to determine service/operation name to be authorized",
	},
	{
		// https://github.com/ansible/ansible/issues/52253 (RegisterTargets; account filled as published "123456789")
		name: "ansible#52253/elb-target-group",
		in:   `Couldn't register targets: An error occurred (AccessDenied) when calling the RegisterTargets operation: elasticloadbalancing principal does not have permission to invoke arn:aws:lambda:eu-central-1:123456789012:function:mb_dev from target group arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/mb-test-lambda/47027cb644f834bf"`,
		want: Denial{
			Kind:      KindELBTarget,
			Principal: "elasticloadbalancing.amazonaws.com",
			Action:    "lambda:InvokeFunction",
			Resource:  "arn:aws:lambda:eu-central-1:123456789012:function:mb_dev",
			Function:  "arn:aws:lambda:eu-central-1:123456789012:function:mb_dev",
			SourceARN: "arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/mb-test-lambda/47027cb644f834bf",
			Code:      "AccessDenied",
			Operation: "RegisterTargets",
		},
		msg: "elasticloadbalancing principal does not have permission to invoke arn:aws:lambda:eu-central-1:123456789012:function:mb_dev from target group arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/mb-test-lambda/47027cb644f834bf",
	},
	{
		// CloudFormation handler message from a README in the public code corpus (function ARN was elided there; filled)
		name: "cfn/elb-target-group-handler-envelope",
		in:   `Resource handler returned message: "elasticloadbalancing principal does not have permission to invoke arn:aws:lambda:us-east-1:123456789012:function:alb-fn from target group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/alb-tg/0123456789abcdef (Service: ElasticLoadBalancingV2, Status Code: 403, Request ID: 52723aa0-6b54-404d-84ac-029dfd1a6dde)" (RequestToken: 5ce76182-a768-897c-eda0-ba1cbdbe4e08, HandlerErrorCode: AccessDenied)`,
		want: Denial{
			Kind:       KindELBTarget,
			Principal:  "elasticloadbalancing.amazonaws.com",
			Action:     "lambda:InvokeFunction",
			Resource:   "arn:aws:lambda:us-east-1:123456789012:function:alb-fn",
			Function:   "arn:aws:lambda:us-east-1:123456789012:function:alb-fn",
			SourceARN:  "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/alb-tg/0123456789abcdef",
			Code:       "AccessDenied",
			Service:    "ElasticLoadBalancingV2",
			StatusCode: 403,
			RequestID:  "52723aa0-6b54-404d-84ac-029dfd1a6dde",
		},
		msg: "elasticloadbalancing principal does not have permission to invoke arn:aws:lambda:us-east-1:123456789012:function:alb-fn from target group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/alb-tg/0123456789abcdef",
	},
	{
		// https://github.com/awslabs/aws-lambda-redshift-loader/issues/219 (S3 XML body; account filled)
		name: "redshift-loader#219/s3-notification-xml",
		in:   `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>InvalidArgument</Code><Message>Unable to validate the following destination configurations</Message><ArgumentName1>arn:aws:lambda:us-west-2:123456789012:function:LambdaRedshiftLoader, null</ArgumentName1><ArgumentValue1>Not authorized to invoke function [arn:aws:lambda:us-west-2:123456789012:function:LambdaRedshiftLoader]</ArgumentValue1><RequestId>390B49F28C754904</RequestId><HostId>q5b9/1BExoq2koB+JdEylVBWoHfcAvbZX9nB7LOU/tKEGc8j7uZMO7CwjCXW4IHLsxfPGuvmQ6E=</HostId></Error>`,
		want: Denial{
			Kind:      KindS3Notification,
			Principal: "s3.amazonaws.com",
			Action:    "lambda:InvokeFunction",
			Resource:  "arn:aws:lambda:us-west-2:123456789012:function:LambdaRedshiftLoader",
			Function:  "arn:aws:lambda:us-west-2:123456789012:function:LambdaRedshiftLoader",
			Code:      "InvalidArgument",
			RequestID: "390B49F28C754904",
		},
		msg: "Unable to validate the following destination configurations",
	},
	{
		// https://github.com/aws/aws-sdk-js/issues/632 (JS SDK v2 error object; no destination named)
		name: "aws-sdk-js#632/s3-notification-js-object",
		in:   "{ [InvalidArgument: Unable to validate the following destination configurations]\n  message: 'Unable to validate the following destination configurations',\n  code: 'InvalidArgument',\n  time: Mon Jun 22 2015 12:48:26 GMT+0300 (EEST),\n  statusCode: 400,\n  retryable: false,\n  retryDelay: 30 }",
		want: Denial{
			Kind:       KindS3Notification,
			Principal:  "s3.amazonaws.com",
			Action:     "lambda:InvokeFunction",
			Code:       "InvalidArgument",
			StatusCode: 400,
		},
		msg: "Unable to validate the following destination configurations",
	},
	{
		// https://github.com/app-sre/qontract-reconcile/pull/1291 (Terraform)
		name: "qontract-reconcile#1291/logs-subscription-terraform",
		in:   "Error: Error creating Cloudwatch log subscription filter: InvalidParameterException: Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
		want: Denial{
			Kind:      KindLogsSubscription,
			Principal: "logs.amazonaws.com",
			Action:    "lambda:InvokeFunction",
			Code:      "InvalidParameterException",
		},
		msg: "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
	},
	{
		// https://github.com/newrelic/aws-log-ingestion/pull/1 message, pasted with the CLI command that failed
		name: "aws-log-ingestion#1/logs-subscription-cli-with-arn",
		in: "$ aws logs put-subscription-filter --log-group-name /aws/lambda/app --filter-name all --filter-pattern '' --destination-arn arn:aws:lambda:us-east-1:123456789012:function:newrelic-log-ingestion\n\n" +
			"An error occurred (InvalidParameterException) when calling the PutSubscriptionFilter operation: Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
		want: Denial{
			Kind:      KindLogsSubscription,
			Principal: "logs.amazonaws.com",
			Action:    "lambda:InvokeFunction",
			Resource:  "arn:aws:lambda:us-east-1:123456789012:function:newrelic-log-ingestion",
			Function:  "arn:aws:lambda:us-east-1:123456789012:function:newrelic-log-ingestion",
			Code:      "InvalidParameterException",
			Operation: "PutSubscriptionFilter",
		},
		msg: "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
	},
	{
		// https://github.com/dougmoscrop/serverless-plugin-log-subscription/issues/6 (CloudFormation event, logical ID prefix, no period)
		name: "log-subscription#6/cfn-logical-id-prefix",
		in:   "<lambdaName>SubscriptionFilter: Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function",
		want: Denial{
			Kind:      KindLogsSubscription,
			Principal: "logs.amazonaws.com",
			Action:    "lambda:InvokeFunction",
		},
		msg: "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function",
	},
	{
		// ESM form with "function execution role" (markdown notes in the public code corpus)
		name: "esm/sqs-receive-message",
		in:   "InvalidParameterValueException: The function execution role does not have permissions to call ReceiveMessage on SQS",
		want: Denial{
			Kind:   KindESMPermission,
			Action: "sqs:ReceiveMessage",
			Code:   "InvalidParameterValueException",
		},
		msg: "The function execution role does not have permissions to call ReceiveMessage on SQS",
	},
	{
		// CloudFormation event quoted in the public code corpus (DeleteMessage on SQS, handler envelope)
		name: "cfn/esm-sqs-delete-message",
		in:   `DemoTimerQueueBinding => Resource handler returned message: "Invalid request provided: The provided execution role does not have permissions to call DeleteMessage on SQS (Service: Lambda, Status Code: 400, Request ID: 79a59acd-3030-46a0-925c-c2bfc6668c26)" (RequestToken: 017e94c9-497c-bac4-b22b-89928233c7f5, HandlerErrorCode: InvalidRequest)`,
		want: Denial{
			Kind:       KindESMPermission,
			Action:     "sqs:DeleteMessage",
			Code:       "InvalidRequest",
			Service:    "Lambda",
			StatusCode: 400,
			RequestID:  "79a59acd-3030-46a0-925c-c2bfc6668c26",
		},
		msg: "The provided execution role does not have permissions to call DeleteMessage on SQS",
	},
	{
		// Terraform with Go SDK v1 RespMetadata (deployment notes in the public code corpus)
		name: "terraform/vpc-create-network-interface",
		in: "Error: error creating Lambda Function (1): InvalidParameterValueException: The provided execution role does not have permissions to call CreateNetworkInterface on EC2\n" +
			"{\n   RespMetadata: {\n      StatusCode: 400,\n      RequestID: \"2215b3d5-9df6-4b27-8b3b-57d76a64a4cc\"\n   },\n" +
			"   Message_: \"The provided execution role does not have permissions to call CreateNetworkInterface on EC2\",\n   Type: \"User\"\n}",
		want: Denial{
			Kind:       KindVPCNetworking,
			Action:     "ec2:CreateNetworkInterface",
			Code:       "InvalidParameterValueException",
			StatusCode: 400,
			RequestID:  "2215b3d5-9df6-4b27-8b3b-57d76a64a4cc",
		},
		msg: "The provided execution role does not have permissions to call CreateNetworkInterface on EC2",
	},
	{
		// Lambda API_Invoke: EC2AccessDeniedException "Need additional permissions to configure VPC settings." (aws-facts §7)
		name: "lambda-api/invoke-ec2-access-denied",
		in:   "An error occurred (EC2AccessDeniedException) when calling the Invoke operation: Need additional permissions to configure VPC settings.",
		want: Denial{
			Kind:      KindVPCNetworking,
			Action:    "ec2:CreateNetworkInterface",
			Code:      "EC2AccessDeniedException",
			Operation: "Invoke",
		},
		msg: "Need additional permissions to configure VPC settings.",
	},
	{
		// https://github.com/awsdocs/aws-lambda-developer-guide/issues/494 (raw HTTP response of a function URL)
		name: "lambda-dg#494/function-url-403",
		in:   "HTTP/1.1 403 Forbidden\nx-amzn-ErrorType: AccessDeniedException\n{\"Message\":\"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html\"}",
		want: Denial{
			Kind:       KindFunctionURL,
			Action:     "lambda:InvokeFunctionUrl",
			Code:       "AccessDeniedException",
			StatusCode: 403,
		},
		msg: "Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
	},
	{
		// EC2 encoded message only (CLI output quoted on a Japanese blog in the public code corpus; message shortened)
		name: "ec2/encoded-only",
		in:   "An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not authorized to perform this operation. Encoded authorization failure message: 4Ai9qvVQYCx3kKoQaOtnKpzKCvrDlzzn_8R3vhbWP-TGw5hHcV-nA1oa2OYqRJGLTVXT5ObYDbfI1VxJv6wIxIkcDra0j",
		want: Denial{
			Kind:           KindEncodedEC2,
			EncodedMessage: "4Ai9qvVQYCx3kKoQaOtnKpzKCvrDlzzn_8R3vhbWP-TGw5hHcV-nA1oa2OYqRJGLTVXT5ObYDbfI1VxJv6wIxIkcDra0j",
			Code:           "UnauthorizedOperation",
			Operation:      "RunInstances",
		},
		msg: "You are not authorized to perform this operation. Encoded authorization failure message: 4Ai9qvVQYCx3kKoQaOtnKpzKCvrDlzzn_8R3vhbWP-TGw5hHcV-nA1oa2OYqRJGLTVXT5ObYDbfI1VxJv6wIxIkcDra0j",
	},
	{
		// HTTP API integration error from $context.integrationErrorMessage; the English wording is
		// reconstructed from the translated re:Post KC api-gateway-http-lambda-integrations (aws-facts §2, UNCONFIRMED).
		name: "repost/http-api-integration-role",
		in:   `{"requestId":"JKb1Wg3poAMEVwQ=","status":"500","integrationErrorMessage":"The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration. Check the permissions and try again."}`,
		want: Denial{
			Kind:      KindAPIGatewayInvoke,
			Principal: "apigateway.amazonaws.com",
			Action:    "lambda:InvokeFunction",
			RequestID: "JKb1Wg3poAMEVwQ",
		},
		msg: "The IAM role configured on the integration or API Gateway doesn't have permissions to call the integration.",
	},
	{
		// A log holding an unrelated standard denial after a special message: the first one wins, nothing is mixed.
		name: "mixed/apigw-then-unrelated-s3-denial",
		in: "Execution failed due to configuration error: Invalid permissions on Lambda function\n" +
			"[ERROR] AccessDenied: User: arn:aws:sts::123456789012:assumed-role/r/f is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" because no identity-based policy allows the s3:GetObject action",
		want: Denial{
			Kind:      KindAPIGatewayInvoke,
			Principal: "apigateway.amazonaws.com",
			Action:    "lambda:InvokeFunction",
			Code:      "AccessDenied",
		},
		msg: "Invalid permissions on Lambda function",
	},
	{
		// Constructed ticket paste around the CloudWatch Logs message (hashicorp/terraform-provider-aws#16162 wording):
		// the log group ARN is kept as the source ARN; the principal is the service's global name.
		name: "ticket/logs-subscription-with-log-group-arn",
		in:   "Subscription on arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/app:* fails with InvalidParameterException: Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
		want: Denial{
			Kind:      KindLogsSubscription,
			Principal: "logs.amazonaws.com",
			Action:    "lambda:InvokeFunction",
			SourceARN: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/app:*",
			Code:      "InvalidParameterException",
		},
		msg: "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.",
	},
	{
		// S3 validating an SQS destination (same S3 error; the queue's policy is the closed door)
		name: "s3/notification-sqs-destination",
		in:   `<Error><Code>InvalidArgument</Code><Message>Unable to validate the following destination configurations</Message><ArgumentName1>arn:aws:sqs:us-east-1:123456789012:uploads</ArgumentName1><ArgumentValue1>Permissions on the destination queue do not allow S3 to publish notifications from this bucket</ArgumentValue1></Error>`,
		want: Denial{
			Kind:      KindS3Notification,
			Principal: "s3.amazonaws.com",
			Action:    "sqs:SendMessage",
			Resource:  "arn:aws:sqs:us-east-1:123456789012:uploads",
			Code:      "InvalidArgument",
		},
		msg: "Unable to validate the following destination configurations",
	},
	{
		// https://github.com/aws-samples/bedrock-access-gateway/issues/127 (CloudFormation; ids as published)
		name: "bedrock-access-gateway#127/ecr-image-cfn",
		in:   `Resource handler returned message: "Lambda does not have permission to access the ECR image. Check the ECR permissions. (Service: Lambda, Status Code: 403, Request ID: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) (SDK Attempt Count: 1)" (RequestToken: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, HandlerErrorCode: AccessDenied)`,
		want: Denial{
			Kind:       KindECRImage,
			Principal:  "lambda.amazonaws.com",
			Action:     "ecr:BatchGetImage",
			Cause:      causeECRRepositoryPolicy,
			Code:       "AccessDenied",
			Service:    "Lambda",
			StatusCode: 403,
			RequestID:  "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
		},
		msg: "Lambda does not have permission to access the ECR image.",
	},
	{
		// https://github.com/aws/aws-cdk/issues/27007 (function state reason after the repository policy changed)
		name: "aws-cdk#27007/ecr-image-state-reason",
		in:   "The function does not have permission to access the specified image.",
		want: Denial{
			Kind:      KindECRImage,
			Principal: "lambda.amazonaws.com",
			Action:    "ecr:BatchGetImage",
			Cause:     causeECRRepositoryPolicy,
		},
	},
}

var bareCases = []parseCase{
	{
		// S3 UG troubleshoot-403-errors: cross-org requests get a bare "Access Denied"
		name: "s3/cli-bare-access-denied",
		in:   "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied",
		want: Denial{
			Kind:      KindBareAccessDenied,
			Code:      "AccessDenied",
			Operation: "GetObject",
		},
	},
	{
		// S3 REST error body
		name: "s3/xml-bare-access-denied",
		in:   `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>w5Q8vCzVw0bnu9WmDLp1jNQdoyBQ7fCl1Aq4E/vKjB8=</HostId></Error>`,
		want: Denial{
			Kind:      KindBareAccessDenied,
			Code:      "AccessDenied",
			RequestID: "4442587FB7D0A2F9",
		},
		msg: "Access Denied",
	},
	{
		// Go SDK v1 S3 error string
		name: "s3/go-sdk-v1-bare",
		in:   "AccessDenied: Access Denied\n\tstatus code: 403, request id: 9A2B3C4D5E6F7A8B, host id: Zm9vYmFy",
		want: Denial{
			Kind:       KindBareAccessDenied,
			Code:       "AccessDenied",
			StatusCode: 403,
			RequestID:  "9A2B3C4D5E6F7A8B",
		},
		msg: "Access Denied",
	},
	{
		// CloudTrail record quoted in the public code corpus: EC2 denial without the encoded message
		name: "cloudtrail/client-unauthorized-operation",
		in:   `{"errorCode": "Client.UnauthorizedOperation", "errorMessage": "You are not authorized to perform this operation."}`,
		want: Denial{
			Kind: KindBareAccessDenied,
			Code: "UnauthorizedOperation",
		},
		msg: "You are not authorized to perform this operation.",
	},
}
