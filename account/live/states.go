package live

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// statesIndex reads the definition of the region's state machines (at
// most Limits["states"]) and keeps the Task states that invoke a function:
// the optimized integration (Resource arn:aws:states:::lambda:invoke, with
// .waitForTaskToken, FunctionName in Parameters or, in JSONata, in
// Arguments), the SDK integration (arn:aws:states:::aws-sdk:lambda:invoke)
// and a function ARN as Resource. A FunctionName computed at run time
// (FunctionName.$, or a JSONata expression) names no function here.
//
// Step Functions invokes with the state machine's role, not through the
// function's resource policy: the role's identity policies must allow
// lambda:InvokeFunction on the function, qualified ARN included when the
// state names an alias or version (Step Functions developer guide, "Invoke
// an AWS Lambda function with Step Functions" and the IAM policies it
// generates for Lambda tasks). The trigger carries the role in RoleARN and
// Role.
func (l *Reader) statesIndex(ctx context.Context) (triggerIndex, error) {
	return l.trig.states.get(ctx, func(ctx context.Context) (triggerIndex, error) {
		ctx, cancel := l.listing(ctx)
		defer cancel()
		var x triggerIndex
		all := l.regionWide("states", "stateMachine:*")
		var machines []sfntypes.StateMachineListItem
		p := sfn.NewListStateMachinesPaginator(l.sfn, &sfn.ListStateMachinesInput{})
		listUnseen, err := listEach(ctx, l, regionListing{list: "states:ListStateMachines", op: "states:DescribeStateMachine", all: all,
			kind: "states", items: "state machines", finds: "Lambda tasks", off: "Step Functions state machines"},
			sdkPages(p.HasMorePages, p.NextPage, func(o *sfn.ListStateMachinesOutput) []sfntypes.StateMachineListItem { return o.StateMachines }),
			func(m sfntypes.StateMachineListItem) { machines = append(machines, m) })
		x.unseen = append(x.unseen, listUnseen...)
		if err != nil {
			return x, err
		}
		outs := make([]*sfn.DescribeStateMachineOutput, len(machines))
		errs := make([]error, len(machines))
		ran := make([]bool, len(machines))
		err = fanOut(ctx, len(machines), discoverConcurrency, func(ctx context.Context, i int) error {
			ran[i] = true
			outs[i], errs[i] = l.sfn.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: machines[i].StateMachineArn})
			return stopError(ctx, errs[i])
		})
		if err != nil {
			return x, err
		}
		var failed []account.Unseen
		for i, m := range machines {
			arn := aws.ToString(m.StateMachineArn)
			if !ran[i] {
				errs[i] = ctx.Err()
			}
			if errs[i] != nil {
				if u, _ := unseenFor(ctx, "states:DescribeStateMachine", arn, errs[i]); !u.NotFound {
					failed = append(failed, u)
				}
				continue
			}
			out := outs[i]
			tasks := lambdaTasks(aws.ToString(out.Definition))
			refs := make([]string, 0, len(tasks))
			for ref := range tasks {
				refs = append(refs, ref)
			}
			sort.Strings(refs)
			for _, ref := range refs {
				states := tasks[ref]
				sort.Strings(states)
				word := "state"
				if len(states) > 1 {
					word = "states"
				}
				t := account.Trigger{Kind: account.TriggerStates, Principal: "states.amazonaws.com", SourceARN: arn, SourceAccount: l.origin.Account,
					RoleARN: aws.ToString(out.RoleArn), Name: fmt.Sprintf("%s %s of state machine %s", word, strings.Join(states, ", "), aws.ToString(out.Name))}
				x.addRef(l, ref, t)
			}
		}
		if len(failed) > 0 {
			u := failed[0]
			if len(failed) > 1 {
				u.Error = fmt.Sprintf("%d of %d state machines could not be read (first: %s)", len(failed), len(machines), u.Error)
			}
			x.unseen = append(x.unseen, u)
		}
		return x, nil
	})
}

// lambdaTasks returns, by function reference as written, the names of the
// Task states of an Amazon States Language definition that invoke a Lambda
// function, at any depth (Parallel branches, Map item processors).
func lambdaTasks(definition string) map[string][]string {
	var doc any
	if json.Unmarshal([]byte(definition), &doc) != nil {
		return nil
	}
	out := map[string][]string{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if states, ok := v["States"].(map[string]any); ok {
				for name, st := range states {
					if ref := lambdaTaskRef(st); ref != "" {
						out[ref] = append(out[ref], name)
					}
				}
			}
			for _, child := range v {
				walk(child)
			}
		case []any:
			for _, child := range v {
				walk(child)
			}
		}
	}
	walk(doc)
	return out
}

// lambdaTaskRef is the function a Task state invokes, as written, or "".
func lambdaTaskRef(state any) string {
	st, ok := state.(map[string]any)
	if !ok || st["Type"] != "Task" {
		return ""
	}
	res, _ := st["Resource"].(string)
	switch {
	case account.ARNField(res, 2) == "lambda":
		return res
	case strings.HasSuffix(res, ":states:::lambda:invoke"), strings.HasSuffix(res, ":states:::lambda:invoke.waitForTaskToken"),
		strings.HasSuffix(res, ":states:::aws-sdk:lambda:invoke"):
		for _, key := range []string{"Parameters", "Arguments"} {
			if args, ok := st[key].(map[string]any); ok {
				if fn, ok := args["FunctionName"].(string); ok {
					return fn
				}
			}
		}
	}
	return ""
}
