package live

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	evtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// TestScale loads moto with LAMBDA_DOCTOR_SCALE functions (sharing 20
// roles, one in ten with a resource policy, a log group holding a denial
// line, and an EventBridge rule, SNS topic, S3 bucket, REST API route,
// state machine and schedule that invoke it), then measures `lambda-doctor snapshot --all` (wall time,
// peak memory) and the API calls per function of the same read in
// process. It is a measurement, not a check of speed: it is skipped
// unless the variable is set, and it asserts only correctness.
//
//	LAMBDA_DOCTOR_SCALE=1000 go test ./account/live -run TestScale -v -timeout 30m
func TestScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("LAMBDA_DOCTOR_SCALE"))
	if n <= 0 {
		t.Skip("set LAMBDA_DOCTOR_SCALE=N to load moto with N functions and measure snapshot --all")
	}
	s := motoserver.Start(t)
	s.Reset(t)
	c := newSetup(t, s)
	ctx := context.Background()

	start := time.Now()
	const roles = 20
	var roleARNs []string
	for i := range roles {
		arn := c.createRole(t, fmt.Sprintf("scale-role-%02d", i), "/", lambdaTrust)
		_, err := c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(fmt.Sprintf("scale-role-%02d", i)),
			PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")})
		check(t, err)
		_, err = c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(fmt.Sprintf("scale-role-%02d", i)), PolicyName: aws.String("odd"), PolicyDocument: aws.String(oddInline)})
		check(t, err)
		roleARNs = append(roleARNs, arn)
	}
	// A customer managed key that encrypts one queue in ten, each polled
	// by its function: the key is read once for all of them.
	key, err := c.kms.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("scale queues")})
	check(t, err)
	invokerRole := c.createRole(t, "scale-invoker", "/", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["states.amazonaws.com","scheduler.amazonaws.com"]},"Action":"sts:AssumeRole"}]}`)
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				name := fmt.Sprintf("scale-fn-%05d", i)
				c.createFunction(t, name, roleARNs[i%roles], map[string]string{"SECRET": "fake-secret-hunter2"})
				if i%10 == 0 {
					_, err := c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(name), StatementId: aws.String("s3"),
						Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"), SourceAccount: aws.String("123456789012")})
					check(t, err)
					c.putLogLines(t, "/aws/lambda/"+name, "s", fmt.Sprintf(denyLine, "scale-role"))
					// and triggers: an EventBridge rule, an SNS topic, an S3 bucket
					arn := fmt.Sprintf("arn:aws:lambda:us-east-1:123456789012:function:%s", name)
					_, err = c.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), ScheduleExpression: aws.String("rate(1 day)")})
					check(t, err)
					_, err = c.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: []evtypes.Target{{Id: aws.String("fn"), Arn: aws.String(arn)}}})
					check(t, err)
					topic, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
					check(t, err)
					_, err = c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("lambda"), Endpoint: aws.String(arn)})
					check(t, err)
					_, err = c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
					check(t, err)
					_, err = c.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(name),
						NotificationConfiguration: &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
							LambdaFunctionArn: aws.String(arn), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}})
					check(t, err)
					// and a queue encrypted with the shared key, polled
					q, err := c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name),
						Attributes: map[string]string{"KmsMasterKeyId": aws.ToString(key.KeyMetadata.KeyId)}})
					check(t, err)
					qa, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
					check(t, err)
					_, err = c.lambda.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String(name), EventSourceArn: aws.String(qa.Attributes["QueueArn"])})
					check(t, err)
					// and invokers found by the new discovery: a REST API
					// route, a state machine task, a schedule
					api, err := c.apigw.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(name)})
					check(t, err)
					res, err := c.apigw.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: api.Id})
					check(t, err)
					_, err = c.apigw.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Items[0].Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
					check(t, err)
					_, err = c.apigw.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Items[0].Id, HttpMethod: aws.String("GET"),
						Type: agtypes.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
						Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + arn + "/invocations")})
					check(t, err)
					_, err = c.apigw.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")})
					check(t, err)
					_, err = c.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String(name), RoleArn: aws.String(invokerRole),
						Definition: aws.String(`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"` + arn + `","End":true}}}`)})
					check(t, err)
					_, err = c.scheduler.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String("rate(1 day)"),
						FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
						Target:             &schedtypes.Target{Arn: aws.String(arn), RoleArn: aws.String(invokerRole)}})
					check(t, err)
				}
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	t.Logf("loaded moto with %d functions in %v", n, time.Since(start).Round(time.Second))

	// The command, as a user runs it.
	bin := filepath.Join(t.TempDir(), "lambda-doctor")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/lambda-doctor").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	concurrencies := os.Getenv("LAMBDA_DOCTOR_SCALE_CONCURRENCY") // e.g. "4,8,16"
	if concurrencies == "" {
		concurrencies = "8"
	}
	for _, conc := range strings.Split(concurrencies, ",") {
		snap := filepath.Join(t.TempDir(), "all.json")
		cmd := exec.Command(bin, "snapshot", "--all", "--concurrency", conc, "--file", snap)
		cmd.Env = append(os.Environ(), s.Env()...)
		start = time.Now()
		out, err := cmd.CombinedOutput()
		wall := time.Since(start)
		if err != nil {
			t.Fatalf("snapshot --all: %v\n%s", err, out)
		}
		maxRSS := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
		st, _ := os.Stat(snap)
		src, err := account.LoadSnapshot(snap)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(src.Snapshot().Functions); got != n {
			t.Fatalf("snapshot has %d functions, want %d", got, n)
		}
		if got := len(src.Snapshot().Roles); got != roles+1 { // and the invoking role
			t.Errorf("snapshot has %d roles, want %d", got, roles)
		}
		triggers, keyed := 0, 0
		for _, f := range src.Snapshot().Functions {
			triggers += len(f.Triggers)
			if len(f.ResourceKeys) == 1 && len(f.Keys) == 1 {
				keyed++
			}
		}
		if want := (n + 9) / 10; keyed != want || len(src.Snapshot().Keys) != 1 {
			t.Errorf("snapshot has %d functions with their queue's key (want %d) and %d keys (want 1)", keyed, want, len(src.Snapshot().Keys))
		}
		if want := 6 * ((n + 9) / 10); triggers != want {
			t.Errorf("snapshot has %d triggers, want %d", triggers, want)
		}
		t.Logf("snapshot --all --concurrency %s: %d functions in %v (%.1f functions/s), peak RSS %.1f MiB, file %.1f MiB",
			conc, n, wall.Round(time.Millisecond), float64(n)/wall.Seconds(), float64(maxRSS)/1024, float64(st.Size())/(1<<20))
	}

	// One function, as diagnose reads it, counting calls.
	one := newTestLive(t, s, s.Endpoint, Options{})
	start = time.Now()
	if _, err := one.Function(ctx, "scale-fn-00000"); err != nil {
		t.Fatal(err)
	}
	oneCalls, _ := one.Calls()
	oneTotal := 0
	for _, k := range oneCalls {
		oneTotal += k
	}
	t.Logf("one function in the same account: %d calls in %v: %v", oneTotal, time.Since(start).Round(time.Millisecond), oneCalls)

	// The same read in process, counting calls.
	l := newTestLive(t, s, s.Endpoint, Options{})
	var ms runtime.MemStats
	runtime.GC()
	start = time.Now()
	count := 0
	peakHeap := uint64(0)
	err = l.ReadAll(ctx, func(f *account.Function) error {
		count++
		if count%100 == 0 {
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, ms.HeapInuse)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	calls, attempts := l.Calls()
	var ops []string
	total := 0
	for op, k := range calls {
		ops = append(ops, op)
		total += k
	}
	sort.Strings(ops)
	t.Logf("in process: %d functions in %v; %d calls (%.2f per function), %d HTTP attempts; heap in use at most %.1f MiB",
		count, time.Since(start).Round(time.Millisecond), total, float64(total)/float64(count), attempts, float64(peakHeap)/(1<<20))
	for _, op := range ops {
		t.Logf("  %-40s %6d  (%.3f per function)", op, calls[op], float64(calls[op])/float64(count))
	}
}
