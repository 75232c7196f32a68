package live

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// schedulerIndex lists the region's EventBridge Scheduler schedules (at
// most Limits["scheduler"], every group) and reads, with GetSchedule, those
// whose target is a function (a templated target: the function ARN) or
// the universal target lambda:invoke (the function named in its Input),
// for the target's role.
//
// EventBridge Scheduler invokes with the schedule's execution role, not
// through the function's resource policy: the role's identity policies
// must allow lambda:InvokeFunction on the target ARN (EventBridge Scheduler
// user guide, "Setting up the execution role" and "Using templated
// targets"). The trigger carries the role in RoleARN and Role.
func (l *Reader) schedulerIndex(ctx context.Context) (triggerIndex, error) {
	return l.trig.scheduler.get(ctx, func(ctx context.Context) (triggerIndex, error) {
		ctx, cancel := l.listing(ctx)
		defer cancel()
		var x triggerIndex
		all := l.regionWide("scheduler", "schedule/*")
		limit := l.limit("scheduler")
		if limit == 0 {
			x.unseen = append(x.unseen, turnedOff("scheduler:ListSchedules", all, "scheduler", "EventBridge Scheduler schedules"))
			return x, nil
		}
		var candidates []schedtypes.ScheduleSummary
		p := scheduler.NewListSchedulesPaginator(l.scheduler, &scheduler.ListSchedulesInput{})
		n := 0
	pages:
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				u, stop := unseenFor(ctx, "scheduler:ListSchedules", all, err)
				if stop != nil {
					return x, stop
				}
				x.unseen = append(x.unseen, u)
				break
			}
			for _, s := range page.Schedules {
				if n == limit {
					x.unseen = append(x.unseen, l.limited("scheduler:ListSchedules", all, "scheduler", "schedules", "Lambda targets"))
					break pages
				}
				n++
				if s.Target != nil && isLambdaTarget(aws.ToString(s.Target.Arn)) {
					candidates = append(candidates, s)
				}
			}
		}
		outs := make([]*scheduler.GetScheduleOutput, len(candidates))
		errs := make([]error, len(candidates))
		ran := make([]bool, len(candidates))
		err := fanOut(ctx, len(candidates), discoverConcurrency, func(ctx context.Context, i int) error {
			ran[i] = true
			outs[i], errs[i] = l.scheduler.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: candidates[i].Name, GroupName: candidates[i].GroupName})
			return stopError(ctx, errs[i])
		})
		if err != nil {
			return x, err
		}
		for i, s := range candidates {
			arn := aws.ToString(s.Arn)
			if !ran[i] {
				errs[i] = ctx.Err()
			}
			if errs[i] != nil {
				if u, _ := unseenFor(ctx, "scheduler:GetSchedule", arn, errs[i]); !u.NotFound {
					x.unseen = append(x.unseen, u)
				}
				continue
			}
			out := outs[i]
			if out.Target == nil {
				continue
			}
			ref := aws.ToString(out.Target.Arn)
			if arnPart(ref, 2) != "lambda" {
				var in struct{ FunctionName string }
				if json.Unmarshal([]byte(aws.ToString(out.Target.Input)), &in) != nil {
					continue
				}
				ref = in.FunctionName
			}
			t := account.Trigger{Kind: account.TriggerScheduler, Principal: "scheduler.amazonaws.com", SourceARN: arn, SourceAccount: l.origin.Account,
				RoleARN: aws.ToString(out.Target.RoleArn), Name: fmt.Sprintf("schedule %s (group %s)", aws.ToString(out.Name), aws.ToString(out.GroupName))}
			if out.State == schedtypes.ScheduleStateDisabled {
				t.Notes = append(t.Notes, "the schedule is disabled")
			}
			x.addRef(l, ref, t)
		}
		return x, nil
	})
}

// isLambdaTarget reports whether a schedule target ARN invokes a function:
// a function ARN (templated target) or the universal target
// arn:aws:scheduler:::aws-sdk:lambda:invoke.
func isLambdaTarget(arn string) bool {
	return arnPart(arn, 2) == "lambda" || strings.HasSuffix(arn, ":scheduler:::aws-sdk:lambda:invoke")
}
