package live

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

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
		limit := l.limit("secretsmanager")
		if limit == 0 {
			x.unseen = append(x.unseen, turnedOff("secretsmanager:ListSecrets", all, "secretsmanager", "Secrets Manager rotation functions"))
			return x, nil
		}
		p := secretsmanager.NewListSecretsPaginator(l.secrets, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(100)})
		n := 0
	pages:
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				u, stop := unseenFor(ctx, "secretsmanager:ListSecrets", all, err)
				if stop != nil {
					return x, stop
				}
				x.unseen = append(x.unseen, u)
				break
			}
			for _, sec := range page.SecretList {
				if n == limit {
					x.unseen = append(x.unseen, l.limited("secretsmanager:ListSecrets", all, "secretsmanager", "secrets", "rotation functions"))
					break pages
				}
				n++
				fn := aws.ToString(sec.RotationLambdaARN)
				if fn == "" {
					continue
				}
				t := account.Trigger{Kind: account.TriggerSecretsManager, Principal: "secretsmanager.amazonaws.com", SourceARN: aws.ToString(sec.ARN),
					SourceAccount: l.origin.Account, Name: fmt.Sprintf("rotation of secret %s", aws.ToString(sec.Name))}
				if !aws.ToBool(sec.RotationEnabled) {
					t.Notes = append(t.Notes, "rotation is turned off for this secret: Secrets Manager calls the function only when someone rotates it by hand")
				}
				x.addRef(l, fn, t)
			}
		}
		return x, nil
	})
}
