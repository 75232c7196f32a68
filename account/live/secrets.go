package live

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// secretsIndex lists the secrets of the region (at most
// Limits["secretsmanager"]) with their rotation function; ListSecrets
// answers RotationLambdaARN, so no DescribeSecret is needed, and never a
// secret value.
//
// Secrets Manager invokes a rotation function as
// secretsmanager.amazonaws.com with the secret ARN as SourceArn (Secrets
// Manager user guide, "Rotation by Lambda function" and "Permissions for
// rotation": the function's resource policy must allow
// secretsmanager.amazonaws.com, scoped with aws:SourceAccount and
// aws:SourceArn against the confused deputy). One function may rotate
// many secrets: each is a trigger.
func (l *Reader) secretsIndex(ctx context.Context) (triggerIndex, error) {
	return l.trig.secrets.get(ctx, func(ctx context.Context) (triggerIndex, error) {
		ctx, cancel := l.listing(ctx)
		defer cancel()
		var x triggerIndex
		all := l.regionWide("secretsmanager", "secret:*")
		p := secretsmanager.NewListSecretsPaginator(l.secrets, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(100)})
		unseen, err := listEach(ctx, l, regionListing{list: "secretsmanager:ListSecrets", op: "secretsmanager:ListSecrets", all: all,
			kind: "secretsmanager", items: "secrets", finds: "rotation functions", off: "Secrets Manager rotation functions"},
			sdkPages(p.HasMorePages, p.NextPage, func(o *secretsmanager.ListSecretsOutput) []smtypes.SecretListEntry { return o.SecretList }),
			func(sec smtypes.SecretListEntry) {
				fn := aws.ToString(sec.RotationLambdaARN)
				if fn == "" {
					return
				}
				t := account.Trigger{Kind: account.TriggerSecretsManager, Principal: "secretsmanager.amazonaws.com", SourceARN: aws.ToString(sec.ARN),
					SourceAccount: l.origin.Account, Name: fmt.Sprintf("rotation of secret %s", aws.ToString(sec.Name))}
				if !aws.ToBool(sec.RotationEnabled) {
					t.Notes = append(t.Notes, "rotation is turned off for this secret: Secrets Manager calls the function only when someone rotates it by hand")
				}
				x.addRef(l, fn, t)
			})
		x.unseen = append(x.unseen, unseen...)
		return x, err
	})
}
