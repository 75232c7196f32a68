package live

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// Triggers are the invokers the account shows outside the function. The
// kinds read by discover.go and the files it names; here:
//
//   - EventBridge rules whose targets are the function or one of its
//     aliases: ListRuleNamesByTarget per event bus and per target ARN (the
//     function's and each alias's), then ListTargetsByRule once per rule
//     for the target's RoleArn. Published versions are not asked about.
//     The target's RoleArn is recorded as read; EventBridge user guide,
//     "Using resource-based policies for Amazon EventBridge": for Lambda
//     targets "you can use either an IAM execution role or a resource-based
//     policy" (another revision of the page says Lambda targets use the
//     resource-based policy only). At most Limits["events"] buses.
//   - SNS subscriptions with protocol lambda: ListSubscriptions for the
//     whole region, once per Reader, at most Limits["sns"] subscriptions.
//   - S3 bucket notifications: ListBuckets limited to the function's region
//     (BucketRegion), then GetBucketNotificationConfiguration for each
//     bucket, s3Concurrency at a time, at most Limits["s3"] buckets, once
//     per Reader.
//
// Region-wide lists are read once per Reader and shared by every function
// (ReadAll reads them once). A refused or truncated list adds an Unseen
// entry to every function, naming the permission when it was a refusal.

// s3Concurrency bounds the concurrent GetBucketNotificationConfiguration
// calls.
const s3Concurrency = 8

// lazy holds one value computed once, on first use. A computation that
// ends with an error (its context ended) is not kept: the next caller
// tries again.
type lazy[T any] struct {
	mu   sync.Mutex
	done chan struct{}
	ok   bool
	val  T
}

func (z *lazy[T]) get(ctx context.Context, fill func(context.Context) (T, error)) (T, error) {
	for {
		z.mu.Lock()
		if z.ok {
			v := z.val
			z.mu.Unlock()
			return v, nil
		}
		if z.done == nil {
			done := make(chan struct{})
			z.done = done
			z.mu.Unlock()
			v, err := fill(ctx)
			z.mu.Lock()
			if err == nil {
				z.val, z.ok = v, true
			}
			z.done = nil
			z.mu.Unlock()
			close(done)
			return v, err
		}
		done := z.done
		z.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
	}
}

// triggerIndex is a region-wide list of triggers by unqualified function
// ARN, with what could not be read while listing them.
type triggerIndex struct {
	byFunction map[string][]account.Trigger
	unseen     []account.Unseen
}

func (x *triggerIndex) add(functionARN string, t account.Trigger) {
	base, q := account.SplitQualifier(functionARN)
	if q == "$LATEST" {
		q = ""
	}
	t.Qualifier = q
	if x.byFunction == nil {
		x.byFunction = map[string][]account.Trigger{}
	}
	x.byFunction[base] = account.AddTrigger(x.byFunction[base], t)
}

// ruleTargets are the targets of one EventBridge rule.
type ruleTargets struct {
	targets []ruleTarget
	unseen  *account.Unseen
}

type ruleTarget struct{ arn, roleARN string }

// triggerCache holds the region-wide reads behind Triggers.
type triggerCache struct {
	sns        lazy[triggerIndex]
	s3         lazy[triggerIndex]
	cognito    lazy[triggerIndex]
	elb        lazy[triggerIndex]
	logs       lazy[triggerIndex]
	secrets    lazy[triggerIndex]
	states     lazy[triggerIndex]
	scheduler  lazy[scheduleIndex]
	rest       lazy[gatewayIndex]
	http       lazy[gatewayIndex]
	cloudfront lazy[cloudfrontOrigins]
	buses      lazy[busList]

	mu    sync.Mutex
	rules map[string]*lazy[ruleTargets] // by bus + "\x00" + rule name
}

type busList struct {
	names  []string
	unseen []account.Unseen
}

func (c *triggerCache) rule(bus, name string) *lazy[ruleTargets] {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := bus + "\x00" + name
	z := c.rules[key]
	if z == nil {
		if c.rules == nil {
			c.rules = map[string]*lazy[ruleTargets]{}
		}
		z = &lazy[ruleTargets]{}
		c.rules[key] = z
	}
	return z
}

func (l *Reader) regionWide(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", l.origin.Partition, service, l.origin.Region, l.origin.Account, resource)
}

func (l *Reader) snsIndex(ctx context.Context) (triggerIndex, error) {
	return l.trig.sns.get(ctx, func(ctx context.Context) (triggerIndex, error) {
		ctx, cancel := l.listing(ctx)
		defer cancel()
		var x triggerIndex
		all := l.regionWide("sns", "*")
		p := sns.NewListSubscriptionsPaginator(l.sns, &sns.ListSubscriptionsInput{})
		unseen, err := listEach(ctx, l, regionListing{list: "sns:ListSubscriptions", op: "sns:ListSubscriptions", all: all,
			kind: "sns", items: "subscriptions", finds: "topics subscribed", off: "SNS subscriptions"},
			sdkPages(p.HasMorePages, p.NextPage, func(o *sns.ListSubscriptionsOutput) []snstypes.Subscription { return o.Subscriptions }),
			func(s snstypes.Subscription) {
				if !strings.EqualFold(aws.ToString(s.Protocol), "lambda") {
					return
				}
				topic := aws.ToString(s.TopicArn)
				x.add(aws.ToString(s.Endpoint), account.Trigger{Kind: account.TriggerSNS, Principal: "sns.amazonaws.com", SourceARN: topic, SourceAccount: account.ARNField(topic, 4),
					Name: "subscription to SNS topic " + account.ARNField(topic, 5)})
			})
		x.unseen = append(x.unseen, unseen...)
		return x, err
	})
}

// s3Index reads the notification configuration of every bucket in the
// reader's region. ListBuckets' BucketRegion parameter "limits the response
// to buckets that are located in the specified Amazon Web Services Region",
// asked at that region's endpoint (Amazon S3 API reference, ListBuckets); a
// bucket the answer places in another region is skipped too. Buckets of
// other regions cannot notify the function: S3 refuses a notification
// destination in another region.
func (l *Reader) s3Index(ctx context.Context) (triggerIndex, error) {
	return l.trig.s3.get(ctx, func(ctx context.Context) (triggerIndex, error) {
		ctx, cancel := l.listing(ctx)
		defer cancel()
		var x triggerIndex
		all := "arn:" + l.origin.Partition + ":s3:::*"
		limit := l.limit("s3")
		if limit == 0 {
			x.unseen = append(x.unseen, turnedOff("s3:GetBucketNotification", all, "s3", "S3 bucket notifications"))
			return x, nil
		}
		var buckets []string
		truncated := false
		p := s3.NewListBucketsPaginator(l.s3, &s3.ListBucketsInput{BucketRegion: aws.String(l.origin.Region)})
	list:
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				u, stop := unseenFor(ctx, "s3:ListAllMyBuckets", all, err)
				if stop != nil {
					return x, stop
				}
				x.unseen = append(x.unseen, u)
				break
			}
			for _, b := range page.Buckets {
				if reg := aws.ToString(b.BucketRegion); reg != "" && reg != l.origin.Region {
					continue
				}
				if len(buckets) == limit {
					truncated = true
					break list
				}
				buckets = append(buckets, aws.ToString(b.Name))
			}
		}
		if truncated {
			x.unseen = append(x.unseen, l.limited("s3:GetBucketNotification", all, "s3", "buckets", "S3 notifications"))
		}

		type result struct {
			out *s3.GetBucketNotificationConfigurationOutput
			err error
		}
		results := make([]result, len(buckets))
		err := fanOut(ctx, len(buckets), s3Concurrency, func(ctx context.Context, i int) error {
			out, err := l.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(buckets[i])})
			results[i] = result{out, err}
			if err := stopError(ctx, err); err != nil {
				return fmt.Errorf("s3:GetBucketNotification %s: %w", buckets[i], err)
			}
			return nil
		})
		if err != nil {
			return x, err
		}
		var failed []account.Unseen
		for i, res := range results {
			bucketARN := "arn:" + l.origin.Partition + ":s3:::" + buckets[i]
			if res.out == nil && res.err == nil {
				res.err = ctx.Err() // never asked: the listing ran out of time
			}
			if res.err != nil {
				if skipBucketError(res.err) {
					continue
				}
				u, _ := unseenFor(ctx, "s3:GetBucketNotification", bucketARN, res.err)
				if !u.NotFound {
					failed = append(failed, u)
				}
				continue
			}
			for _, c := range res.out.LambdaFunctionConfigurations {
				x.add(aws.ToString(c.LambdaFunctionArn), account.Trigger{Kind: account.TriggerS3, Principal: "s3.amazonaws.com", SourceARN: bucketARN, SourceAccount: l.origin.Account,
					Name: "notification of S3 bucket " + buckets[i]})
			}
		}
		if len(failed) > 0 {
			// One entry for all: every function carries it.
			u := failed[0]
			if len(failed) > 1 {
				u.Error = fmt.Sprintf("%d of %d buckets could not be read (first: %s)", len(failed), len(buckets), u.Error)
			}
			x.unseen = append(x.unseen, u)
		}
		return x, nil
	})
}

// skipBucketError reports an error that says the bucket is not one to read
// here: deleted meanwhile, or in another region.
func skipBucketError(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchBucket", "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
			return true
		}
	}
	return false
}

func (l *Reader) eventBuses(ctx context.Context) (busList, error) {
	return l.trig.buses.get(ctx, func(ctx context.Context) (busList, error) {
		list := busList{names: []string{"default"}}
		limit := l.limit("events")
		if limit == 0 {
			list.names = nil
			list.unseen = append(list.unseen, turnedOff("events:ListRuleNamesByTarget", l.regionWide("events", "event-bus/*"), "events", "EventBridge rules"))
			return list, nil
		}
		in := &eventbridge.ListEventBusesInput{}
		for {
			out, err := l.events.ListEventBuses(ctx, in)
			if err != nil {
				u, stop := unseenFor(ctx, "events:ListEventBuses", l.regionWide("events", "event-bus/*"), err)
				if stop != nil {
					return list, stop
				}
				u.Error += " (only the default event bus was asked for rules)"
				list.unseen = append(list.unseen, u)
				return list, nil
			}
			for _, b := range out.EventBuses {
				name := aws.ToString(b.Name)
				if name == "" || name == "default" {
					continue
				}
				if len(list.names) == limit {
					list.unseen = append(list.unseen, l.limited("events:ListRuleNamesByTarget", l.regionWide("events", "event-bus/*"), "events", "event buses", "rules"))
					return list, nil
				}
				list.names = append(list.names, name)
			}
			if aws.ToString(out.NextToken) == "" {
				return list, nil
			}
			in.NextToken = out.NextToken
		}
	})
}

// readEventTriggers adds the EventBridge rules that target the function or
// one of aliases.
func (l *Reader) readEventTriggers(ctx context.Context, r *fnRead, aliases []account.Alias) error {
	buses, err := l.eventBuses(ctx)
	if err != nil {
		return err
	}
	r.do(func(f *account.Function) { f.Unseen = append(f.Unseen, buses.unseen...) })
	targets := []string{r.f.ARN}
	for _, a := range aliases {
		targets = append(targets, a.ARN)
	}
	var g group
	for _, bus := range buses.names {
		for _, target := range targets {
			g.Go(func() error { return l.rulesTargeting(ctx, r, bus, target) })
		}
	}
	return g.Wait()
}

func (l *Reader) rulesTargeting(ctx context.Context, r *fnRead, bus, target string) error {
	in := &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String(target), EventBusName: aws.String(bus)}
	var names []string
	for {
		out, err := l.events.ListRuleNamesByTarget(ctx, in)
		if err != nil {
			return r.unseen(ctx, "events:ListRuleNamesByTarget", target, err)
		}
		names = append(names, out.RuleNames...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	for _, name := range names {
		ruleARN := l.regionWide("events", "rule/"+name)
		if bus != "default" {
			ruleARN = l.regionWide("events", "rule/"+bus+"/"+name)
		}
		rt, err := l.trig.rule(bus, name).get(ctx, func(ctx context.Context) (ruleTargets, error) {
			return l.listTargets(ctx, bus, name, ruleARN)
		})
		if err != nil {
			return err
		}
		var x triggerIndex
		t := account.Trigger{Kind: account.TriggerEvents, Principal: "events.amazonaws.com", SourceARN: ruleARN, SourceAccount: l.origin.Account,
			Name: fmt.Sprintf("EventBridge rule %s on event bus %s", name, bus)}
		matched := false
		for _, tg := range rt.targets {
			if tg.arn == target {
				t.RoleARN = tg.roleARN
				x.add(tg.arn, t)
				matched = true
			}
		}
		if !matched {
			// The rule targets the function (ListRuleNamesByTarget says
			// so), but its targets could not be read or do not spell the
			// ARN the same way: whether it invokes through a role is unknown.
			t.RoleARN = ""
			x.add(target, t)
		}
		ts, roleUnseen, err := l.withRoles(ctx, x.byFunction[r.f.ARN])
		if err != nil {
			return err
		}
		r.do(func(f *account.Function) {
			for _, t := range ts {
				f.Triggers = account.AddTrigger(f.Triggers, t)
			}
			if rt.unseen != nil {
				f.Unseen = append(f.Unseen, *rt.unseen)
			}
			f.Unseen = append(f.Unseen, roleUnseen...)
		})
	}
	return nil
}

func (l *Reader) listTargets(ctx context.Context, bus, name, ruleARN string) (ruleTargets, error) {
	var rt ruleTargets
	in := &eventbridge.ListTargetsByRuleInput{Rule: aws.String(name), EventBusName: aws.String(bus)}
	for {
		out, err := l.events.ListTargetsByRule(ctx, in)
		if err != nil {
			u, stop := unseenFor(ctx, "events:ListTargetsByRule", ruleARN, err)
			if stop != nil {
				return rt, stop
			}
			rt.unseen = &u
			return rt, nil
		}
		for _, t := range out.Targets {
			rt.targets = append(rt.targets, ruleTarget{arn: aws.ToString(t.Arn), roleARN: aws.ToString(t.RoleArn)})
		}
		if aws.ToString(out.NextToken) == "" {
			return rt, nil
		}
		in.NextToken = out.NextToken
	}
}
