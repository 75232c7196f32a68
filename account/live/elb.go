package live

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// elbIndex lists the target groups of the region (at most Limits["elb"])
// and reads the registered target of each one of type lambda with
// DescribeTargetHealth.
//
// An Application Load Balancer invokes a target function as
// elasticloadbalancing.amazonaws.com with the target group ARN as
// SourceArn (Elastic Load Balancing user guide, "Lambda functions as
// targets": add-permission --principal elasticloadbalancing.amazonaws.com
// --source-arn TARGET_GROUP_ARN; without it RegisterTargets fails with
// "elasticloadbalancing principal does not have permission to invoke ...
// from target group ...", aws-cdk#4663). A target registered with a
// qualified ARN is invoked with that qualifier.
func (l *Reader) elbIndex(ctx context.Context) (triggerIndex, error) {
	return l.trig.elb.get(ctx, func(ctx context.Context) (triggerIndex, error) {
		ctx, cancel := l.listing(ctx)
		defer cancel()
		var x triggerIndex
		all := l.regionWide("elasticloadbalancing", "targetgroup/*")
		var groups []elbtypes.TargetGroup
		p := elb.NewDescribeTargetGroupsPaginator(l.elb, &elb.DescribeTargetGroupsInput{})
		listUnseen, err := listEach(ctx, l, regionListing{list: "elasticloadbalancing:DescribeTargetGroups", op: "elasticloadbalancing:DescribeTargetGroups", all: all,
			kind: "elb", items: "target groups", finds: "Lambda targets", off: "load balancer target groups"},
			sdkPages(p.HasMorePages, p.NextPage, func(o *elb.DescribeTargetGroupsOutput) []elbtypes.TargetGroup { return o.TargetGroups }),
			func(tg elbtypes.TargetGroup) {
				if tg.TargetType == elbtypes.TargetTypeEnumLambda {
					groups = append(groups, tg)
				}
			})
		x.unseen = append(x.unseen, listUnseen...)
		if err != nil {
			return x, err
		}
		targets := make([][]elbtypes.TargetHealthDescription, len(groups))
		unseen := make([]*account.Unseen, len(groups))
		ran := make([]bool, len(groups))
		err = fanOut(ctx, len(groups), discoverConcurrency, func(ctx context.Context, i int) error {
			ran[i] = true
			out, err := l.elb.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: groups[i].TargetGroupArn})
			if err != nil {
				u, stop := unseenFor(ctx, "elasticloadbalancing:DescribeTargetHealth", aws.ToString(groups[i].TargetGroupArn), err)
				unseen[i] = &u
				return stop
			}
			targets[i] = out.TargetHealthDescriptions
			return nil
		})
		if err != nil {
			return x, err
		}
		for i, tg := range groups {
			if unseen[i] != nil {
				if !unseen[i].NotFound {
					x.unseen = append(x.unseen, *unseen[i])
				}
				continue
			}
			if !ran[i] {
				u, _ := unseenFor(ctx, "elasticloadbalancing:DescribeTargetHealth", aws.ToString(tg.TargetGroupArn), ctx.Err())
				x.unseen = append(x.unseen, u)
				continue
			}
			arn := aws.ToString(tg.TargetGroupArn)
			for _, d := range targets[i] {
				if d.Target == nil {
					continue
				}
				t := account.Trigger{Kind: account.TriggerELB, Principal: "elasticloadbalancing.amazonaws.com", SourceARN: arn, SourceAccount: l.origin.Account,
					Name: fmt.Sprintf("target group %s", aws.ToString(tg.TargetGroupName))}
				if len(tg.LoadBalancerArns) == 0 {
					t.Notes = append(t.Notes, "no load balancer forwards to this target group yet")
				}
				x.addRef(l, aws.ToString(d.Target.Id), t)
			}
		}
		return x, nil
	})
}
