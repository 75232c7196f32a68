package live

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// EventBridge Scheduler: ListSchedules lists the region's schedules (at
// most Limits["scheduler"], every group) with their target ARN, once per
// Reader. A schedule whose target is the function read (a templated
// target: the function ARN, maybe qualified), or the universal target
// lambda:invoke (the function is named in its Input), is then read with
// GetSchedule for its role, once per schedule: reading one function asks
// only for its own schedules.
//
// EventBridge Scheduler invokes with the schedule's execution role, not
// through the function's resource policy: the role's identity policies
// must allow lambda:InvokeFunction on the target ARN (EventBridge Scheduler
// user guide, "Setting up the execution role" and "Using templated
// targets"). The trigger carries the role in RoleARN and Role.

// scheduleIndex is the region's schedules that invoke a function.
type scheduleIndex struct {
	byFunction map[string][]*scheduleEntry // by unqualified function ARN of a templated target
	universal  []*scheduleEntry            // lambda:invoke universal targets: the function is in the input
	unseen     []account.Unseen
}

type scheduleEntry struct {
	summary schedtypes.ScheduleSummary
	read    lazy[scheduleRead]
}

type scheduleRead struct {
	trigger *account.Trigger
	ref     string
	unseen  *account.Unseen
}

func (l *Reader) scheduleList(ctx context.Context) (scheduleIndex, error) {
	return l.trig.scheduler.get(ctx, func(ctx context.Context) (scheduleIndex, error) {
		ctx, cancel := l.listing(ctx)
		defer cancel()
		var x scheduleIndex
		all := l.regionWide("scheduler", "schedule/*")
		p := scheduler.NewListSchedulesPaginator(l.scheduler, &scheduler.ListSchedulesInput{})
		unseen, err := listEach(ctx, l, regionListing{list: "scheduler:ListSchedules", op: "scheduler:ListSchedules", all: all,
			kind: "scheduler", items: "schedules", finds: "Lambda targets", off: "EventBridge Scheduler schedules"},
			sdkPages(p.HasMorePages, p.NextPage, func(o *scheduler.ListSchedulesOutput) []schedtypes.ScheduleSummary { return o.Schedules }),
			func(s schedtypes.ScheduleSummary) {
				if s.Target == nil {
					return
				}
				target := aws.ToString(s.Target.Arn)
				e := &scheduleEntry{summary: s}
				switch {
				case account.ARNField(target, 2) == "lambda":
					base, _, ok := l.functionRef(target)
					if !ok {
						return
					}
					if x.byFunction == nil {
						x.byFunction = map[string][]*scheduleEntry{}
					}
					x.byFunction[base] = append(x.byFunction[base], e)
				case strings.HasSuffix(target, ":scheduler:::aws-sdk:lambda:invoke"):
					x.universal = append(x.universal, e)
				}
			})
		x.unseen = append(x.unseen, unseen...)
		return x, err
	})
}

// schedulerTriggers are the schedules that invoke f.
func (l *Reader) schedulerTriggers(ctx context.Context, f *account.Function) ([]account.Trigger, []account.Unseen, error) {
	x, err := l.scheduleList(ctx)
	if err != nil {
		return nil, nil, err
	}
	unseen := append([]account.Unseen(nil), x.unseen...)
	entries := append(append([]*scheduleEntry(nil), x.byFunction[f.ARN]...), x.universal...)
	reads := make([]scheduleRead, len(entries))
	var mu sync.Mutex
	err = fanOut(ctx, len(entries), discoverConcurrency, func(ctx context.Context, i int) error {
		r, err := entries[i].read.get(ctx, func(ctx context.Context) (scheduleRead, error) { return l.readSchedule(ctx, entries[i].summary) })
		mu.Lock()
		reads[i] = r
		mu.Unlock()
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var out []account.Trigger
	for _, r := range reads {
		if r.unseen != nil {
			unseen = append(unseen, *r.unseen)
		}
		if r.trigger == nil {
			continue
		}
		if base, q, ok := l.functionRef(r.ref); ok && base == f.ARN {
			t := *r.trigger
			t.Qualifier = q
			out = append(out, t)
		}
	}
	return out, unseen, nil
}

// readSchedule reads one schedule for its target's role (and, for the
// universal target, the function its input names).
func (l *Reader) readSchedule(ctx context.Context, s schedtypes.ScheduleSummary) (scheduleRead, error) {
	arn := aws.ToString(s.Arn)
	out, err := l.scheduler.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: s.Name, GroupName: s.GroupName})
	if err != nil {
		u, stop := unseenFor(ctx, "scheduler:GetSchedule", arn, err)
		if u.NotFound { // deleted meanwhile
			return scheduleRead{}, stop
		}
		return scheduleRead{unseen: &u}, stop
	}
	if out.Target == nil {
		return scheduleRead{}, nil
	}
	ref := aws.ToString(out.Target.Arn)
	if account.ARNField(ref, 2) != "lambda" {
		var in struct{ FunctionName string }
		if json.Unmarshal([]byte(aws.ToString(out.Target.Input)), &in) != nil {
			return scheduleRead{}, nil
		}
		ref = in.FunctionName
	}
	t := &account.Trigger{Kind: account.TriggerScheduler, Principal: "scheduler.amazonaws.com", SourceARN: arn, SourceAccount: l.origin.Account,
		RoleARN: aws.ToString(out.Target.RoleArn), Name: fmt.Sprintf("schedule %s (group %s)", aws.ToString(out.Name), aws.ToString(out.GroupName))}
	if out.State == schedtypes.ScheduleStateDisabled {
		t.Notes = append(t.Notes, "the schedule is disabled")
	}
	return scheduleRead{trigger: t, ref: ref}, nil
}
