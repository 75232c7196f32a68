package errtext

import "testing"

// Texts Lambda itself prints for event source mappings, environment-variable
// decryption, layers, container images and function states. Each case names
// its source; a name starting with "paraphrase/" or "assembled/" marks a
// text this package could not find verbatim in a public transcript (built
// from AWS's documented wording, as the comment says), never an invented one.

func TestParseLambda(t *testing.T) { runParseCases(t, lambdaCases) }

var lambdaCases = []parseCase{
	// --- Event source mappings -------------------------------------------------
	{
		// https://github.com/aws-samples/lambda-refarch-webapp/issues/7 (Java SDK envelope; account and request id masked as published)
		name: "lambda-refarch-webapp#7/dynamodb-stream-java-envelope",
		in:   "Cannot access stream arn:aws:dynamodb:us-east-1:6641*************_:table/VoteApp/stream/2016-08-03T08:24:05.612. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM. (Service: AWSLambda; Status Code: 400; Error Code: InvalidParameterValueException; Request ID: bc964133-5**_******************)",
		want: Denial{
			Kind:       KindESMPermission,
			Action:     "dynamodb:GetRecords",
			Actions:    []string{"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"},
			Resource:   "arn:aws:dynamodb:us-east-1:6641*************_:table/VoteApp/stream/2016-08-03T08:24:05.612",
			Code:       "InvalidParameterValueException",
			Service:    "AWSLambda",
			StatusCode: 400,
			RequestID:  "bc964133-5",
		},
		msg: "Cannot access stream arn:aws:dynamodb:us-east-1:6641*************_:table/VoteApp/stream/2016-08-03T08:24:05.612. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.",
	},
	{
		// The text of issue 12 (lambda-refarch-webapp#7 with an example account): it exited 2 as "not an access-denied message".
		name: "issue-12/dynamodb-stream",
		in:   "Cannot access stream arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2016-08-03T08:24:05.612. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.",
		want: Denial{
			Kind:     KindESMPermission,
			Action:   "dynamodb:GetRecords",
			Actions:  []string{"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"},
			Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2016-08-03T08:24:05.612",
		},
	},
	{
		// https://github.com/kookmin-sw/2019-cap1-2019_12/issues/33 (unmasked, ap-northeast-2)
		name: "kookmin-sw#33/dynamodb-stream-ap-northeast-2",
		in:   "Cannot access stream arn:aws:dynamodb:ap-northeast-2:601857470855:table/test/stream/2019-05-10T15:36:59.484. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM. (Service: AWSLambda; Status Code: 400; Error Code: InvalidParameterValueException; Request ID: de457ec9-7343-11e9-8770-63afc63730e9)",
		want: Denial{
			Kind:       KindESMPermission,
			Action:     "dynamodb:GetRecords",
			Actions:    []string{"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"},
			Resource:   "arn:aws:dynamodb:ap-northeast-2:601857470855:table/test/stream/2019-05-10T15:36:59.484",
			Code:       "InvalidParameterValueException",
			Service:    "AWSLambda",
			StatusCode: 400,
			RequestID:  "de457ec9-7343-11e9-8770-63afc63730e9",
		},
		msg: "Cannot access stream arn:aws:dynamodb:ap-northeast-2:601857470855:table/test/stream/2019-05-10T15:36:59.484. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.",
	},
	{
		// https://github.com/alertlogic/cwe-collector/issues/2 (CloudFormation event line, Kinesis stream)
		name: "cwe-collector#2/kinesis-stream-cfn-event",
		in:   "14:52:57 UTC+0000 | CREATE_FAILED | AWS::Lambda::EventSourceMapping | CollectLambdaEventSourceMapping | Cannot access stream arn:aws:kinesis:eu-west-1:352283894008:stream/aturkin-3-KinesisStream-7AI56KZMQ3AL. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.",
		want: Denial{
			Kind:     KindESMPermission,
			Action:   "kinesis:GetRecords",
			Actions:  []string{"kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListStreams"},
			Resource: "arn:aws:kinesis:eu-west-1:352283894008:stream/aturkin-3-KinesisStream-7AI56KZMQ3AL",
		},
		msg: "Cannot access stream arn:aws:kinesis:eu-west-1:352283894008:stream/aturkin-3-KinesisStream-7AI56KZMQ3AL. Please ensure the role can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM.",
	},
	{
		// LastProcessingResult of an SQS mapping, quoted in a cost report committed to a public repository (code corpus).
		name: "esm/last-processing-result-cannot-assume-role",
		in:   "Why: PROBLEM: Lambda failed to assume your function execution role. Please check if the role trust Lambda service principal, and make sure it does not require setting source identity to be assumed.",
		want: Denial{
			Kind:      KindRoleAssume,
			Principal: "lambda.amazonaws.com",
			Action:    "sts:AssumeRole",
			Cause:     causeESMAssume,
		},
		msg: "Lambda failed to assume your function execution role.",
	},
	{
		// LastProcessingResult text listed by AWS's serverless MCP server (awslabs/mcp,
		// src/aws-serverless-mcp-server/.../tools/esm/esm_diagnosis.py) and the Lambda DG
		// (with-msk-permissions, "Cluster failed to authorize Lambda"); the JSON around it is
		// assembled in the shape of get-event-source-mapping output.
		name: "assembled/msk-cluster-failed-to-authorize-get-event-source-mapping",
		in:   `{"UUID": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "EventSourceArn": "arn:aws:kafka:us-east-1:123456789012:cluster/my-cluster/fc2f5bdf-fd1b-45ad-85dd-15b4a5a6247e-2", "State": "Enabled", "LastProcessingResult": "PROBLEM: Cluster failed to authorize Lambda."}`,
		want: Denial{
			Kind:  KindESMSourceAuth,
			Cause: causeKafkaAuthorize,
		},
		msg: "Cluster failed to authorize Lambda.",
	},
	{
		// awslabs/mcp esm_diagnosis.py (as above); Lambda DG with-msk-permissions "SASL authentication failed"
		name: "awslabs-mcp/msk-sasl-authentication-failed",
		in:   "PROBLEM: SASL authentication failed.",
		want: Denial{
			Kind:  KindESMSourceAuth,
			Cause: causeKafkaSASL,
		},
	},
	{
		// Lambda DG services-mq-errors: StateTransitionReason codes; the JSON pair is assembled.
		name: "assembled/mq-state-transition-reason-authz",
		in:   `"StateTransitionReason": "EVENT_SOURCE_AUTHZ_ERROR"`,
		want: Denial{
			Kind:  KindESMSourceAuth,
			Cause: causeSourceAuthz,
		},
		msg: "EVENT_SOURCE_AUTHZ_ERROR",
	},
	{
		// Lambda DG services-mq-errors: "Lambda failed to authenticate the event source" (not IAM)
		name: "lambda-dg/mq-state-transition-reason-authn",
		in:   "EVENT_SOURCE_AUTHN_ERROR",
		want: Denial{
			Kind:   KindESMSourceAuth,
			Cause:  causeSourceAuthn,
			NotIAM: true,
		},
	},
	{
		// https://github.com/aws/serverless-application-model/issues/2210 (CloudFormation; EventSourceArn not an ARN)
		name: "sam#2210/eventsourcearn-model-validation",
		in:   `CREATE_FAILED. AWS::Lambda::EventSourceMapping  SQSPayloadLoggerSQSQueueEvent   Resource handler returned message: "Model validation failed (#/EventSourceArn: failed validation constraint for keyword [pattern])" HandlerErrorCode. InvalidRequest)`,
		want: Denial{
			Kind:   KindESMNotARN,
			Cause:  causeESMNotARN,
			NotIAM: true,
		},
		msg: "Model validation failed (#/EventSourceArn: failed validation constraint for keyword [pattern])",
	},
	{
		// The service's validation message in the shape of pulumi/pulumi-aws#750 ("Value '...' at 'layers'
		// failed to satisfy constraint"), with the EventSourceArn pattern of API_CreateEventSourceMapping and
		// a queue URL: no verbatim transcript was found.
		name: "paraphrase/esm-queue-url-validation-exception",
		in:   `An error occurred (ValidationException) when calling the CreateEventSourceMapping operation: 1 validation error detected: Value 'https://sqs.us-east-1.amazonaws.com/123456789012/orders' at 'eventSourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:([a-z]{2}(-gov)?-[a-z]+-\d{1})?:(\d{12})?:(.*)`,
		want: Denial{
			Kind:      KindESMNotARN,
			QueueURL:  "https://sqs.us-east-1.amazonaws.com/123456789012/orders",
			Cause:     causeESMNotARN,
			NotIAM:    true,
			Code:      "ValidationException",
			Operation: "CreateEventSourceMapping",
		},
		msg: "Value 'https://sqs.us-east-1.amazonaws.com/123456789012/orders' at 'eventSourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:",
	},

	// --- Environment-variable decryption ----------------------------------------
	{
		// re:Post KC lambda-kmsaccessdeniedexception-errors (English message quoted in the pt version):
		// the execution role was deleted and re-created under the same name.
		name: "repost/kms-env-unrecognized-client-stale-grant",
		in:   "Calling the invoke API action failed with this message: Lambda was unable to decrypt the environment variables because KMS access was denied. Please check the function's AWS KMS key settings. KMS Exception: UnrecognizedClientExceptionKMS Message: The security token included in the request is invalid.",
		want: Denial{
			Kind:         KindKMSEnv,
			Action:       "kms:Decrypt",
			KMSException: "UnrecognizedClientException",
			NotIAM:       true,
			Cause:        causeKMSStaleGrant,
		},
		msg: "Lambda was unable to decrypt the environment variables because KMS access was denied.",
	},
	{
		// Message as in aws/aws-durable-execution-sdk-java (DurableApiErrorClassifierTest, Lambda's KMS
		// errors with "Please check the function's KMS key settings."); the CLI envelope is added.
		name: "durable-sdk-java/kms-disabled-cli",
		in:   "An error occurred (KMSDisabledException) when calling the Invoke operation: Lambda was unable to decrypt the environment variables because the KMS key used is disabled. Please check the function's KMS key settings.",
		want: Denial{
			Kind:      KindKMSKey,
			NotIAM:    true,
			Cause:     causeKMSDisabled,
			Code:      "KMSDisabledException",
			Operation: "Invoke",
		},
		msg: "Lambda was unable to decrypt the environment variables because the KMS key used is disabled.",
	},
	{
		// aws/aws-durable-execution-sdk-java (as above): KMSInvalidStateException, e.g. a key pending deletion
		name: "durable-sdk-java/kms-invalid-state",
		in:   "KMSInvalidStateException: Lambda was unable to decrypt the environment variables because the KMS key is in an invalid state for Decrypt. Please check the function's KMS key settings.",
		want: Denial{
			Kind:   KindKMSKey,
			NotIAM: true,
			Cause:  causeKMSState,
			Code:   "KMSInvalidStateException",
		},
		msg: "Lambda was unable to decrypt the environment variables because the KMS key is in an invalid state for Decrypt.",
	},
	{
		// aws/aws-durable-execution-sdk-java (as above): KMSNotFoundException, in an aws-sdk-go-v2 envelope
		name: "durable-sdk-java/kms-not-found-go-sdk-v2",
		in:   "operation error Lambda: Invoke, https response error StatusCode: 502, RequestID: 5b1f7b6e-3c2a-4d8e-9f00-1a2b3c4d5e6f, KMSNotFoundException: Lambda was unable to decrypt the environment variables because the KMS key was not found. Please check the function's KMS key settings.",
		want: Denial{
			Kind:       KindKMSKey,
			NotIAM:     true,
			Cause:      causeKMSNotFound,
			Code:       "KMSNotFoundException",
			Service:    "Lambda",
			Operation:  "Invoke",
			StatusCode: 502,
			RequestID:  "5b1f7b6e-3c2a-4d8e-9f00-1a2b3c4d5e6f",
		},
		msg: "Lambda was unable to decrypt the environment variables because the KMS key was not found.",
	},
	{
		// The API reference's description of KMSInvalidStateException (botocore docs, newer wording); the
		// runtime message may still read "was unable to", as above.
		name: "api-ref/kms-invalid-state-couldnt-wording",
		in:   "Lambda couldn't decrypt the environment variables because the state of the KMS key used is not valid for Decrypt. Check the function's KMS key settings.",
		want: Denial{
			Kind:   KindKMSKey,
			NotIAM: true,
			Cause:  causeKMSState,
		},
		msg: "Lambda couldn't decrypt the environment variables because the state of the KMS key used is not valid for Decrypt.",
	},

	// --- Layers ------------------------------------------------------------------
	{
		// https://github.com/ShivamJoker/Canvas-Lambda-Layer/issues/2 (CloudFormation; the layer was in us-west-2, the stack in eu-west-2)
		name: "canvas-layer#2/get-layer-version-other-region-cfn",
		in:   `Resource handler returned message: "User: arn:aws:sts::0000000000:assumed-role/00000000-eu-west-2/AWSCloudFormation is not authorized to perform: lambda:GetLayerVersion on resource: arn:aws:lambda:us-west-2:205979422636:layer:napi-rs-canvas:886 because no resource-based policy allows the lambda:GetLayerVersion action (Service: Lambda, Status Code: 403, Request ID: 1c9d0ec9-c8aa-4cc8-9ada-7caba888186d)" (RequestToken: de00c22f-b7bc-cceb-7581-e8c7ca8a7288, HandlerErrorCode: AccessDenied)`,
		want: Denial{
			Kind:       KindLayer,
			Principal:  "arn:aws:sts::0000000000:assumed-role/00000000-eu-west-2/AWSCloudFormation",
			Action:     "lambda:GetLayerVersion",
			Resource:   "arn:aws:lambda:us-west-2:205979422636:layer:napi-rs-canvas:886",
			LayerARN:   "arn:aws:lambda:us-west-2:205979422636:layer:napi-rs-canvas:886",
			PolicyType: PolicyResourceBased,
			Reason:     "because no resource-based policy allows the lambda:GetLayerVersion action",
			Cause:      causeLayerAccess,
			Code:       "AccessDenied",
			Service:    "Lambda",
			StatusCode: 403,
			RequestID:  "1c9d0ec9-c8aa-4cc8-9ada-7caba888186d",
		},
		msg: "User: arn:aws:sts::0000000000:assumed-role/00000000-eu-west-2/AWSCloudFormation is not authorized to perform: lambda:GetLayerVersion on resource: arn:aws:lambda:us-west-2:205979422636:layer:napi-rs-canvas:886 because no resource-based policy allows the lambda:GetLayerVersion action",
	},
	{
		// https://github.com/jetbridge/psycopg2-lambda-layer/issues/8 (CLI; version 2 did not exist, 6 did)
		name: "psycopg2-layer#8/get-layer-version-missing-version-cli",
		in:   "An error occurred (AccessDeniedException) when calling the GetLayerVersion operation: User: XXX is not authorized to perform: lambda:GetLayerVersion on resource: arn:aws:lambda:eu-central-1:898466741470:layer:psycopg2-py37:2",
		want: Denial{
			Kind:      KindLayer,
			Principal: "XXX",
			Action:    "lambda:GetLayerVersion",
			Resource:  "arn:aws:lambda:eu-central-1:898466741470:layer:psycopg2-py37:2",
			LayerARN:  "arn:aws:lambda:eu-central-1:898466741470:layer:psycopg2-py37:2",
			Cause:     causeLayerAccess,
			Code:      "AccessDeniedException",
			Operation: "GetLayerVersion",
		},
		msg: "User: XXX is not authorized to perform: lambda:GetLayerVersion on resource: arn:aws:lambda:eu-central-1:898466741470:layer:psycopg2-py37:2",
	},
	{
		// https://github.com/stackery/php-lambda-layer/issues/50 (console; the layer was not published in eu-north-1)
		name: "php-lambda-layer#50/console-get-layer-version",
		in:   "You are not authorized to perform: lambda:GetLayerVersion.",
		want: Denial{
			Kind:   KindLayer,
			Action: "lambda:GetLayerVersion",
			Cause:  causeLayerAccess,
		},
		msg: "You are not authorized to perform: lambda:GetLayerVersion",
	},
	{
		// https://github.com/intuit/costBuddy/issues/19 (Terraform, Go SDK v1 RespMetadata)
		name: "costBuddy#19/layer-version-does-not-exist-terraform",
		in: "Error: Error creating Lambda function: InvalidParameterValueException: Layer version arn:aws:lambda:eu-west-1:086837057914:layer:AWSLambda-Python37-SciPy1x:2 does not exist.\n" +
			"{\n  RespMetadata: {\n    StatusCode: 400,\n    RequestID: \"f16e3409-2218-4534-93c3-bbdee197abbd\"\n  },\n" +
			"  Message_: \"Layer version arn:aws:lambda:eu-west-1:1234567890:layer:AWSLambda-Python37-SciPy1x:2 does not exist.\",\n  Type: \"User\"\n}",
		want: Denial{
			Kind:       KindLayerNotFound,
			LayerARN:   "arn:aws:lambda:eu-west-1:086837057914:layer:AWSLambda-Python37-SciPy1x:2",
			NotIAM:     true,
			Cause:      causeLayerNotFound,
			Code:       "InvalidParameterValueException",
			StatusCode: 400,
			RequestID:  "f16e3409-2218-4534-93c3-bbdee197abbd",
		},
		msg: "Layer version arn:aws:lambda:eu-west-1:086837057914:layer:AWSLambda-Python37-SciPy1x:2 does not exist.",
	},
	{
		// https://github.com/keithrozario/Klayers/issues/76 (console; the version had been deleted)
		name: "Klayers#76/layer-version-does-not-exist-console",
		in:   "Layer version arn:aws:lambda:us-east-1:113088814899:layer:Klayers-python37-opencv-python-headless:5 does not exist.",
		want: Denial{
			Kind:     KindLayerNotFound,
			LayerARN: "arn:aws:lambda:us-east-1:113088814899:layer:Klayers-python37-opencv-python-headless:5",
			NotIAM:   true,
			Cause:    causeLayerNotFound,
		},
	},
	{
		// https://github.com/open-telemetry/opentelemetry-lambda/issues/12 (console validation of a layer in another region)
		name: "opentelemetry-lambda#12/console-layer-same-region",
		in:   "I get error message \"This value must be a valid layer version ARN and in the same region as your function.\"",
		want: Denial{
			Kind:   KindLayerNotFound,
			NotIAM: true,
			Cause:  causeLayerRegion,
		},
		msg: "This value must be a valid layer version ARN and in the same region as your function.",
	},

	// --- Container images ----------------------------------------------------------
	{
		// https://github.com/binxio/cfn-ses-provider/issues/27 (CloudFormation; image in eu-central-1, stack in eu-west-1)
		name: "cfn-ses-provider#27/source-image-other-region",
		in:   `Resource handler returned message: "Source image 463637877380.dkr.ecr.eu-central-1.amazonaws.com/xebia/cfn-ses-provider:1.0.0 is not valid. Provide a valid source image.`,
		want: Denial{
			Kind:     KindECRImageInvalid,
			ImageURI: "463637877380.dkr.ecr.eu-central-1.amazonaws.com/xebia/cfn-ses-provider:1.0.0",
			NotIAM:   true,
			Cause:    causeECRInvalid,
		},
		msg: "Source image 463637877380.dkr.ecr.eu-central-1.amazonaws.com/xebia/cfn-ses-provider:1.0.0 is not valid.",
	},
	{
		// https://github.com/ministryofjustice/modernisation-platform/pull/2419 (Terraform, Go SDK v1; a repository name, not a URI)
		name: "modernisation-platform#2419/source-image-not-valid-terraform",
		in: "Error: error creating Lambda Function (1): InvalidParameterValueException: Source image instance-scheduler-ecr-repo:latest is not valid. Provide a valid source image. {\n" +
			"  RespMetadata: {\n    StatusCode: 400,\n    RequestID: \"a1f03d5c-f72b-4e7e-a923-7858e8970475\"\n  },\n" +
			"  Message_: \"Source image instance-scheduler-ecr-repo:latest is not valid. Provide a valid source image.\",\n  Type: \"User\"\n}",
		want: Denial{
			Kind:       KindECRImageInvalid,
			ImageURI:   "instance-scheduler-ecr-repo:latest",
			NotIAM:     true,
			Cause:      causeECRInvalid,
			Code:       "InvalidParameterValueException",
			StatusCode: 400,
			RequestID:  "a1f03d5c-f72b-4e7e-a923-7858e8970475",
		},
		msg: "Source image instance-scheduler-ecr-repo:latest is not valid.",
	},
	{
		// https://github.com/awsdocs/aws-lambda-developer-guide/pull/230 (CLI, before cross-account images were supported)
		name: "lambda-dg#230/image-repository-same-account",
		in:   "An error occurred (InvalidParameterValueException) when calling the CreateFunction operation: Image repository must be in the same account as the caller",
		want: Denial{
			Kind:      KindECRImage,
			Principal: "lambda.amazonaws.com",
			Action:    "ecr:BatchGetImage",
			Cause:     causeECRSameAccount,
			Code:      "InvalidParameterValueException",
			Operation: "CreateFunction",
		},
		msg: "Image repository must be in the same account as the caller",
	},

	// --- Function states -------------------------------------------------------------
	{
		// https://github.com/alantech/iasql/issues/1672 (DeleteFunction on a Failed function)
		name: "iasql#1672/failed-state-insufficient-role-permissions",
		in:   "error LambdaFunction cloud delete error: The operation cannot be performed at this time. The resource arn:aws:lambda:ap-southeast-2:629922448199:function:p3az4wmlambdatest is currently in the following state: 'Failed'. StateReasonCode: 'InsufficientRolePermissions'",
		want: Denial{
			Kind:            KindFunctionState,
			Function:        "arn:aws:lambda:ap-southeast-2:629922448199:function:p3az4wmlambdatest",
			Resource:        "arn:aws:lambda:ap-southeast-2:629922448199:function:p3az4wmlambdatest",
			State:           "Failed",
			StateReasonCode: "InsufficientRolePermissions",
			Cause:           causeStateRole,
		},
		msg: "The resource arn:aws:lambda:ap-southeast-2:629922448199:function:p3az4wmlambdatest is currently in the following state: 'Failed'",
	},
	{
		// https://github.com/terraform-aws-modules/terraform-aws-lambda/issues/489 (Terraform waiter)
		name: "terraform-aws-lambda#489/unexpected-state-failed",
		in: "│ Error: creating Lambda Function (mea-536-infra-es-create-snapshot): waiting for completion: unexpected state 'Failed', wanted target 'Active'. last error: InsufficientRolePermissions: The function's execution role doesn't have permission to perform this operation.\n" +
			"│ \n│   with module.snapshot_lambda[0].aws_lambda_function.this[0],\n│   on .terraform/modules/snapshot_lambda/main.tf line 24, in resource \"aws_lambda_function\" \"this\":",
		want: Denial{
			Kind:            KindFunctionState,
			State:           "Failed",
			StateReasonCode: "InsufficientRolePermissions",
			StateReason:     "The function's execution role doesn't have permission to perform this operation",
			Cause:           causeStateRole,
		},
		msg: "unexpected state 'Failed', wanted target 'Active'.",
	},
	{
		// https://github.com/AviatrixSystems/terraform-modules/issues/99 (older provider: code and reason only)
		name: "aviatrix#99/insufficient-role-permissions-reason",
		in:   "│ Error: error waiting for Lambda Function (AvxLambda_x.y.z.a) creation: InsufficientRolePermissions: The function's execution role doesn't have permission to perform this operation.",
		want: Denial{
			Kind:            KindFunctionState,
			StateReasonCode: "InsufficientRolePermissions",
			StateReason:     "The function's execution role doesn't have permission to perform this operation",
			Cause:           causeStateRole,
		},
		msg: "The function's execution role doesn't have permission to perform this operation.",
	},
	{
		// Assembled GetFunctionConfiguration output (field names and the StateReasonCode value from the
		// Lambda API reference; the reason sentence is not a verbatim AWS text).
		name: "assembled/get-function-configuration-subnet-out-of-ips",
		in:   `{"FunctionName": "orders", "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:orders", "State": "Failed", "StateReason": "Subnet subnet-0a1b2c3d has no available IP addresses", "StateReasonCode": "SubnetOutOfIPAddresses"}`,
		want: Denial{
			Kind:            KindFunctionState,
			Function:        "arn:aws:lambda:us-east-1:123456789012:function:orders",
			Resource:        "arn:aws:lambda:us-east-1:123456789012:function:orders",
			State:           "Failed",
			StateReason:     "Subnet subnet-0a1b2c3d has no available IP addresses",
			StateReasonCode: "SubnetOutOfIPAddresses",
			NotIAM:          true,
			Cause:           causeStateNetwork,
		},
		msg: `StateReasonCode": "SubnetOutOfIPAddresses`,
	},
}
