package live

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// logsIndex reads the subscription filters of the region's log groups (at
// most Limits["logs"] groups, in DescribeLogGroups order) and keeps those
// whose destination is a function. CloudWatch Logs has no reverse look-up
// (which filters deliver to this function?), so this is one
// DescribeSubscriptionFilters call per log group, read once per Reader.
// Account-level subscription filter policies are not read.
//
// CloudWatch Logs invokes the function as its service principal, with the
// log group ARN ending in ":*" as SourceArn and the account as
// SourceAccount (CloudWatch Logs user guide, "Subscription filters with AWS
// Lambda": add-permission --source-arn
// "arn:aws:logs:region:123456789123:log-group:TestLambda:*"
// --source-account; without it PutSubscriptionFilter fails with "Could not
// execute the lambda function. Make sure you have given CloudWatch Logs
// permission to execute your function.", terraform-provider-aws#16162).
// The service has a global name, logs.amazonaws.com (SAM's CloudWatchLogs
// event, CDK), and a regional one, logs.REGION.amazonaws.com (older pages),
// and a statement naming either admits it (judge.ServiceAliases); a trigger
// carries the global name.
func (l *Reader) logsIndex(ctx context.Context) (triggerIndex, error) {
	return l.trig.logs.get(ctx, func(ctx context.Context) (triggerIndex, error) {
		ctx, cancel := l.listing(ctx)
		defer cancel()
		var x triggerIndex
		all := l.regionWide("logs", "log-group:*")
		var groups []string
		p := cloudwatchlogs.NewDescribeLogGroupsPaginator(l.logs, &cloudwatchlogs.DescribeLogGroupsInput{})
		listUnseen, err := listEach(ctx, l, regionListing{list: "logs:DescribeLogGroups", op: "logs:DescribeSubscriptionFilters", all: all,
			kind: "logs", items: "log groups", finds: "subscription filters", off: "CloudWatch Logs subscription filters"},
			sdkPages(p.HasMorePages, p.NextPage, func(o *cloudwatchlogs.DescribeLogGroupsOutput) []logtypes.LogGroup { return o.LogGroups }),
			func(g logtypes.LogGroup) { groups = append(groups, aws.ToString(g.LogGroupName)) })
		x.unseen = append(x.unseen, listUnseen...)
		if err != nil {
			return x, err
		}
		filters := make([][]logtypes.SubscriptionFilter, len(groups))
		errs := make([]error, len(groups))
		ran := make([]bool, len(groups))
		err = fanOut(ctx, len(groups), discoverConcurrency, func(ctx context.Context, i int) error {
			ran[i] = true
			fp := cloudwatchlogs.NewDescribeSubscriptionFiltersPaginator(l.logs, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(groups[i])})
			for fp.HasMorePages() {
				page, err := fp.NextPage(ctx)
				if err != nil {
					errs[i] = err
					return stopError(ctx, err)
				}
				filters[i] = append(filters[i], page.SubscriptionFilters...)
			}
			return nil
		})
		if err != nil {
			return x, err
		}
		var failed []account.Unseen
		for i, group := range groups {
			groupARN := l.regionWide("logs", "log-group:"+group+":*")
			if !ran[i] {
				errs[i] = ctx.Err()
			}
			if errs[i] != nil {
				if u, _ := unseenFor(ctx, "logs:DescribeSubscriptionFilters", groupARN, errs[i]); !u.NotFound {
					failed = append(failed, u)
				}
				continue
			}
			for _, sf := range filters[i] {
				dest := aws.ToString(sf.DestinationArn)
				if account.ARNField(dest, 2) != "lambda" {
					continue
				}
				t := account.Trigger{Kind: account.TriggerLogs, Principal: "logs.amazonaws.com", SourceARN: groupARN, SourceAccount: l.origin.Account,
					Name: fmt.Sprintf("subscription filter %s of log group %s", aws.ToString(sf.FilterName), group)}
				own, _, _ := l.functionRef(strings.TrimPrefix(group, lambdaLogPrefix))
				if base, _, ok := l.functionRef(dest); ok && strings.HasPrefix(group, lambdaLogPrefix) && own == base {
					t.Notes = append(t.Notes, "the function receives its own logs: each invocation it logs triggers another")
				}
				x.addRef(l, dest, t)
			}
		}
		if len(failed) > 0 {
			u := failed[0]
			if len(failed) > 1 {
				u.Error = fmt.Sprintf("%d of %d log groups could not be read (first: %s)", len(failed), len(groups), u.Error)
			}
			x.unseen = append(x.unseen, u)
		}
		return x, nil
	})
}
