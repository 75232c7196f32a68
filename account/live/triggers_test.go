package live

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	evtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go/middleware"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// triggerScenario creates (with the SDK, without the reader's guard)
// EventBridge rules, SNS subscriptions and S3 notifications that invoke
// function prefix-fn (and its alias live), and others that invoke another
// function, and returns the triggers the reader must find.
func triggerScenario(t *testing.T, s *motoserver.Server, prefix string) (fnARN string, want []account.Trigger) {
	t.Helper()
	c := newSetup(t, s)
	ctx := context.Background()
	role := c.createRole(t, prefix+"-role", "/", lambdaTrust)
	fn := prefix + "-fn"
	fnARN = c.createFunction(t, fn, role, nil)
	other := c.createFunction(t, prefix+"-other", role, nil)
	_, err := c.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(fn)})
	check(t, err)
	_, err = c.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String(fn), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	check(t, err)
	const acct = "123456789012"
	eventsRole := c.createRole(t, prefix+"-events", "/", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)

	// EventBridge: a rule on the default bus, a rule whose target is the
	// alias and invokes through a role, a rule on a custom bus, and a rule
	// that targets another function.
	rule := func(bus, name string, targets ...evtypes.Target) {
		in := &eventbridge.PutRuleInput{Name: aws.String(name), ScheduleExpression: aws.String("rate(1 day)")}
		if bus != "" {
			in = &eventbridge.PutRuleInput{Name: aws.String(name), EventBusName: aws.String(bus), EventPattern: aws.String(`{"source":["orders"]}`)}
		}
		_, err := c.events.PutRule(ctx, in)
		check(t, err)
		pt := &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: targets}
		if bus != "" {
			pt.EventBusName = aws.String(bus)
		}
		out, err := c.events.PutTargets(ctx, pt)
		check(t, err)
		if out.FailedEntryCount != 0 {
			t.Fatalf("put-targets %s: %+v", name, out.FailedEntries)
		}
	}
	target := func(id, arn, role string) evtypes.Target {
		tg := evtypes.Target{Id: aws.String(id), Arn: aws.String(arn)}
		if role != "" {
			tg.RoleArn = aws.String(role)
		}
		return tg
	}
	rule("", prefix+"-nightly", target("fn", fnARN, ""), target("other", other, ""))
	rule("", prefix+"-roled", target("live", fnARN+":live", eventsRole))
	_, err = c.events.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(prefix + "-bus")})
	check(t, err)
	rule(prefix+"-bus", prefix+"-custom", target("fn", fnARN, ""))
	rule("", prefix+"-elsewhere", target("other", other, ""))
	want = append(want,
		account.Trigger{Kind: "events", Principal: "events.amazonaws.com", SourceARN: "arn:aws:events:us-east-1:123456789012:rule/" + prefix + "-bus/" + prefix + "-custom", SourceAccount: acct,
			Name: "EventBridge rule " + prefix + "-custom on event bus " + prefix + "-bus"},
		account.Trigger{Kind: "events", Principal: "events.amazonaws.com", SourceARN: "arn:aws:events:us-east-1:123456789012:rule/" + prefix + "-nightly", SourceAccount: acct,
			Name: "EventBridge rule " + prefix + "-nightly on event bus default"},
		account.Trigger{Kind: "events", Principal: "events.amazonaws.com", SourceARN: "arn:aws:events:us-east-1:123456789012:rule/" + prefix + "-roled", SourceAccount: acct, Qualifier: "live", RoleARN: eventsRole,
			Name: "EventBridge rule " + prefix + "-roled on event bus default"},
	)

	// S3: a bucket in the region notifying the function, one in another
	// region (not read: S3, like moto, refuses a notification to a function
	// in another region, "The notification destination service region is
	// not valid for the bucket location constraint"), one notifying another
	// function.
	bucket := func(name, region, notify string) {
		in := &s3.CreateBucketInput{Bucket: aws.String(name)}
		if region != "" {
			in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
		}
		_, err := c.s3.CreateBucket(ctx, in)
		check(t, err)
		if notify == "" {
			return
		}
		_, err = c.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(name),
			NotificationConfiguration: &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
				Id: aws.String("n"), LambdaFunctionArn: aws.String(notify), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}})
		check(t, err)
	}
	bucket(prefix+"-uploads", "", fnARN)
	bucket(prefix+"-eu", "eu-west-1", "")
	bucket(prefix+"-elsewhere", "", other)
	want = append(want, account.Trigger{Kind: "s3", Principal: "s3.amazonaws.com", SourceARN: "arn:aws:s3:::" + prefix + "-uploads", SourceAccount: acct,
		Name: "notification of S3 bucket " + prefix + "-uploads"})

	// SNS: a topic subscribed with the function, one with the alias, one
	// with another function.
	topic := func(name, endpoint string) string {
		out, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
		check(t, err)
		_, err = c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: out.TopicArn, Protocol: aws.String("lambda"), Endpoint: aws.String(endpoint)})
		check(t, err)
		return aws.ToString(out.TopicArn)
	}
	t1 := topic(prefix+"-orders", fnARN)
	t2 := topic(prefix+"-alerts", fnARN+":live")
	topic(prefix+"-elsewhere", other)
	want = append(want,
		account.Trigger{Kind: "sns", Principal: "sns.amazonaws.com", SourceARN: t2, SourceAccount: acct, Qualifier: "live", Name: "subscription to SNS topic " + prefix + "-alerts"},
		account.Trigger{Kind: "sns", Principal: "sns.amazonaws.com", SourceARN: t1, SourceAccount: acct, Name: "subscription to SNS topic " + prefix + "-orders"},
	)
	return fnARN, want
}

// busCount is the number of event buses in the shared moto (other tests
// create some), as the aws CLI sees them.
func busCount(t *testing.T, s *motoserver.Server) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s.AWS(t, "events", "list-event-buses", "--query", "length(EventBuses)"), &n); err != nil || n < 1 {
		t.Fatalf("list-event-buses: %d buses, %v", n, err)
	}
	return n
}

func TestLiveTriggers(t *testing.T) {
	s := motoserver.Start(t)
	fnARN, want := triggerScenario(t, s, "trig")
	l := newTestLive(t, s, s.Endpoint, Options{})
	f, err := l.Function(context.Background(), "trig-fn")
	if err != nil {
		t.Fatal(err)
	}
	if f.ARN != fnARN {
		t.Fatalf("ARN: got %s, want %s", f.ARN, fnARN)
	}
	got, roles := withoutRoles(f.Triggers)
	if !reflect.DeepEqual(roles, []string{"arn:aws:iam::123456789012:role/trig-events"}) {
		t.Errorf("invoking roles read: got %v, want the EventBridge target's", roles)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("triggers:\ngot  %+v\nwant %+v", f.Triggers, want)
	}
	if len(f.Unseen) != 0 {
		t.Errorf("unseen: got %+v, want none", f.Unseen)
	}
	calls, _ := l.Calls()
	t.Logf("calls for one function: %v", calls)
	buses := busCount(t, s)
	for op, n := range map[string]int{"sns:ListSubscriptions": 1, "s3:ListBuckets": 1, "events:ListEventBuses": 1,
		"events:ListRuleNamesByTarget": 2 * buses, // each bus x (function, alias live)
	} {
		if calls[op] != n {
			t.Errorf("%s: %d calls, want %d", op, calls[op], n)
		}
	}

	// A second function reuses the region-wide lists.
	other, err := l.Function(context.Background(), "trig-other")
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Triggers) != 4 { // nightly, elsewhere rule, elsewhere bucket, elsewhere topic
		t.Errorf("trig-other triggers: got %+v, want 4", other.Triggers)
	}
	calls2, _ := l.Calls()
	for _, op := range []string{"sns:ListSubscriptions", "s3:ListBuckets", "s3:GetBucketNotificationConfiguration", "events:ListEventBuses"} {
		if calls2[op] != calls[op] {
			t.Errorf("%s: %d calls after a second function, want %d (read once per reader)", op, calls2[op], calls[op])
		}
	}

	// Snapshots keep them.
	var buf strings.Builder
	if err := account.WriteSnapshot(&buf, account.NewSnapshot(l.Origin(), []*account.Function{f})); err != nil {
		t.Fatal(err)
	}
	snap, err := account.ParseSnapshot([]byte(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := withoutRoles(snap.Functions[0].Triggers); !reflect.DeepEqual(got, want) {
		t.Errorf("triggers after a snapshot round trip: got %+v", got)
	}
}

// Refused trigger reads land in Unseen with the permission, the rest of
// the triggers is still read, and a bucket limit is reported.
func TestLiveTriggersRefused(t *testing.T) {
	s := motoserver.Start(t)
	fnARN, want := triggerScenario(t, s, "trigdeny")
	p := newFaultProxy(t, s.Endpoint)
	l := newTestLive(t, s, p.URL, Options{APIOptions: []func(*middleware.Stack) error{tagOperations}})
	for _, op := range []string{"events:ListRuleNamesByTarget", "sns:ListSubscriptions", "s3:GetBucketNotificationConfiguration"} {
		p.set(op, "deny", -1, 0)
	}
	f, err := l.Function(context.Background(), "trigdeny-fn")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Triggers) != 0 {
		t.Errorf("triggers: got %+v, want none (every read refused)", f.Triggers)
	}
	got := map[string]account.Unseen{}
	for _, u := range f.Unseen {
		got[u.Operation+" "+u.Resource] = u
	}
	for _, w := range []struct{ op, resource string }{
		{"events:ListRuleNamesByTarget", fnARN},
		{"events:ListRuleNamesByTarget", fnARN + ":live"},
		{"sns:ListSubscriptions", "arn:aws:sns:us-east-1:123456789012:*"},
		{"s3:GetBucketNotification", ""},
	} {
		var u account.Unseen
		ok := false
		for k, v := range got {
			if strings.HasPrefix(k, w.op+" "+w.resource) {
				u, ok = v, true
			}
		}
		if !ok {
			t.Errorf("no unseen %s %s; got %+v", w.op, w.resource, f.Unseen)
			continue
		}
		if u.Permission != w.op {
			t.Errorf("unseen %s: got permission %q, want %s", w.op, u.Permission, w.op)
		}
	}
	if n, want := len(f.Unseen), 2*busCount(t, s)+2; n != want { // each bus x 2 targets, SNS, S3
		t.Errorf("got %d unseen, want %d: %+v", n, want, f.Unseen)
	}

	// Only EventBridge refused: the SNS and S3 triggers are read.
	p2 := newFaultProxy(t, s.Endpoint)
	p2.set("events:ListTargetsByRule", "deny", -1, 0)
	l2 := newTestLive(t, s, p2.URL, Options{APIOptions: []func(*middleware.Stack) error{tagOperations}, MaxBuckets: 1})
	f2, err := l2.Function(context.Background(), "trigdeny-fn")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, tr := range f2.Triggers {
		kinds[tr.Kind]++
		if tr.RoleARN != "" {
			t.Errorf("trigger %+v: the role was not readable", tr)
		}
	}
	// The rules are known from ListRuleNamesByTarget, but not their
	// targets' roles: the "roled" rule shows up without its role.
	if kinds["events"] != 3 || kinds["sns"] != 2 {
		t.Errorf("triggers by kind: got %v from %+v (want 3 events, 2 sns, want list %+v)", kinds, f2.Triggers, want)
	}
	var sawLimit, sawTargets bool
	for _, u := range f2.Unseen {
		switch {
		case u.Operation == "s3:GetBucketNotification" && strings.Contains(u.Error, "first 1 buckets"):
			sawLimit = u.Permission == ""
		case u.Operation == "events:ListTargetsByRule":
			sawTargets = u.Permission == "events:ListTargetsByRule"
		}
	}
	if !sawLimit || !sawTargets {
		t.Errorf("unseen: got %+v, want the bucket limit (no permission) and events:ListTargetsByRule refused", f2.Unseen)
	}
}

// The reader's new clients refuse writes too, before anything is sent.
func TestLiveTriggerClientsRefuseWrites(t *testing.T) {
	s := motoserver.Start(t)
	p := newFaultProxy(t, s.Endpoint)
	l := newTestLive(t, s, p.URL, Options{})
	before := p.requests()
	ctx := context.Background()
	var we *WriteRefusedError
	_, err := l.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("w"), ScheduleExpression: aws.String("rate(1 day)")})
	if !errors.As(err, &we) || we.Operation != "PutRule" {
		t.Errorf("events PutRule: got %v, want a *WriteRefusedError", err)
	}
	_, err = l.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:t"), Protocol: aws.String("lambda")})
	if !errors.As(err, &we) || we.Operation != "Subscribe" {
		t.Errorf("sns Subscribe: got %v, want a *WriteRefusedError", err)
	}
	_, err = l.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("b")})
	if !errors.As(err, &we) || we.Operation != "PutBucketNotificationConfiguration" {
		t.Errorf("s3 PutBucketNotificationConfiguration: got %v, want a *WriteRefusedError", err)
	}
	// The trigger discovery clients, and reads the tool does not make.
	for name, call := range map[string]func() error{
		"apigateway CreateRestApi": func() error {
			_, err := l.apigw.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("w")})
			return err
		},
		"apigatewayv2 CreateApi": func() error {
			_, err := l.apigwv2.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("w"), ProtocolType: "HTTP"})
			return err
		},
		"cognito UpdateUserPool": func() error {
			_, err := l.cognito.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: aws.String("us-east-1_x")})
			return err
		},
		"elbv2 RegisterTargets": func() error {
			_, err := l.elb.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1")})
			return err
		},
		"logs PutSubscriptionFilter": func() error {
			_, err := l.logs.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("f"),
				FilterPattern: aws.String(""), DestinationArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")})
			return err
		},
		"secretsmanager GetSecretValue (a read of a secret: never)": func() error {
			_, err := l.secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
			return err
		},
		"secretsmanager RotateSecret": func() error {
			_, err := l.secrets.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("s")})
			return err
		},
		"cloudfront UpdateDistribution": func() error {
			_, err := l.cloudfront.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: aws.String("E1")})
			return err
		},
		"sfn StartExecution": func() error {
			_, err := l.sfn.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:123456789012:stateMachine:m")})
			return err
		},
		"scheduler DeleteSchedule": func() error {
			_, err := l.scheduler.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("s")})
			return err
		},
		"lambda Invoke": func() error {
			_, err := l.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("f")})
			return err
		},
	} {
		if err := call(); !errors.As(err, &we) {
			t.Errorf("%s: got %v, want a *WriteRefusedError", name, err)
		}
	}
	if n := p.requests() - before; n != 0 {
		t.Fatalf("%d requests reached the server, want 0", n)
	}
}

// lazy computes once for concurrent callers, and again after a fill that
// failed (its caller's context ended).
func TestLazy(t *testing.T) {
	var z lazy[int]
	fills := 0
	_, err := z.get(context.Background(), func(context.Context) (int, error) { fills++; return 0, context.Canceled })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want the fill's error", err)
	}
	release := make(chan struct{})
	results := make(chan int, 4)
	for range 4 {
		go func() {
			v, err := z.get(context.Background(), func(context.Context) (int, error) { <-release; fills++; return 7, nil })
			if err != nil {
				t.Error(err)
			}
			results <- v
		}()
	}
	close(release)
	for range 4 {
		if v := <-results; v != 7 {
			t.Errorf("got %d, want 7", v)
		}
	}
	if fills != 2 {
		t.Errorf("fill ran %d times, want 2 (one failed, one shared)", fills)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if v, err := z.get(ctx, nil); err != nil || v != 7 {
		t.Errorf("a kept value: got %d, %v", v, err)
	}
}
