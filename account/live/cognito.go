package live

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// cognitoIndex lists the user pools of the region with their Lambda
// triggers: ListUserPools answers each pool's LambdaConfig, so no
// DescribeUserPool is needed. At most Limits["cognito"] pools.
//
// A user pool trigger invokes as cognito-idp.amazonaws.com with the user
// pool ARN as SourceArn ("PreSignUp invocation failed due to error
// AccessDeniedException" when the function's policy does not allow it;
// the console adds the statement, the API, the CLI and IaC do not: re:Post
// knowledge center, cognito-lambda-trigger-errors; Amazon Cognito
// developer guide, "Customizing user pool workflows with Lambda
// triggers"). The custom SMS and email sender triggers receive codes
// encrypted with the pool's KMS key (LambdaConfig.KMSKeyID: "Amazon
// Cognito uses the key to encrypt codes and temporary passwords sent to
// CustomEmailSender and CustomSMSSender", CloudFormation
// AWS::Cognito::UserPool LambdaConfig): the trigger carries it in
// KMSKeyARN, since the function's role must be allowed kms:Decrypt on it.
func (l *Reader) cognitoIndex(ctx context.Context) (triggerIndex, error) {
	return l.trig.cognito.get(ctx, func(ctx context.Context) (triggerIndex, error) {
		ctx, cancel := l.listing(ctx)
		defer cancel()
		var x triggerIndex
		all := l.regionWide("cognito-idp", "userpool/*")
		p := cip.NewListUserPoolsPaginator(l.cognito, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
		unseen, err := listEach(ctx, l, regionListing{list: "cognito-idp:ListUserPools", op: "cognito-idp:ListUserPools", all: all,
			kind: "cognito", items: "user pools", finds: "Lambda triggers", off: "Cognito user pool triggers"},
			sdkPages(p.HasMorePages, p.NextPage, func(o *cip.ListUserPoolsOutput) []ciptypes.UserPoolDescriptionType { return o.UserPools }),
			func(pool ciptypes.UserPoolDescriptionType) { l.addPoolTriggers(&x, pool) })
		x.unseen = append(x.unseen, unseen...)
		return x, err
	})
}

func (l *Reader) addPoolTriggers(x *triggerIndex, pool ciptypes.UserPoolDescriptionType) {
	c := pool.LambdaConfig
	if c == nil {
		return
	}
	id := aws.ToString(pool.Id)
	poolARN := l.regionWide("cognito-idp", "userpool/"+id)
	key := aws.ToString(c.KMSKeyID)
	add := func(slot string, fn *string, sender bool) {
		ref := aws.ToString(fn)
		if ref == "" {
			return
		}
		t := account.Trigger{Kind: account.TriggerCognito, Principal: "cognito-idp.amazonaws.com", SourceARN: poolARN, SourceAccount: l.origin.Account,
			Name: fmt.Sprintf("%s trigger of user pool %s (%s)", slot, aws.ToString(pool.Name), id)}
		if sender {
			t.KMSKeyARN = key
			if key != "" {
				t.Notes = append(t.Notes, "Cognito encrypts the codes it sends this trigger with KMS key "+key+": the function's role needs kms:Decrypt on it")
			} else {
				t.Notes = append(t.Notes, "the user pool names no KMS key for its custom sender triggers")
			}
		}
		x.addRef(l, ref, t)
	}
	add("PreSignUp", c.PreSignUp, false)
	add("CustomMessage", c.CustomMessage, false)
	add("PostConfirmation", c.PostConfirmation, false)
	add("PreAuthentication", c.PreAuthentication, false)
	add("PostAuthentication", c.PostAuthentication, false)
	add("DefineAuthChallenge", c.DefineAuthChallenge, false)
	add("CreateAuthChallenge", c.CreateAuthChallenge, false)
	add("VerifyAuthChallengeResponse", c.VerifyAuthChallengeResponse, false)
	add("PreTokenGeneration", c.PreTokenGeneration, false)
	if v := c.PreTokenGenerationConfig; v != nil {
		add("PreTokenGeneration ("+string(v.LambdaVersion)+")", v.LambdaArn, false)
	}
	add("UserMigration", c.UserMigration, false)
	if v := c.CustomSMSSender; v != nil {
		add("CustomSMSSender", v.LambdaArn, true)
	}
	if v := c.CustomEmailSender; v != nil {
		add("CustomEmailSender", v.LambdaArn, true)
	}
	if v := c.InboundFederation; v != nil {
		add("InboundFederation", v.LambdaArn, false)
	}
}
