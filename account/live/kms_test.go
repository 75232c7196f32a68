package live

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// keyScenario builds, in moto account acct, a function whose environment
// is encrypted with key env (its policy names only the function's role,
// no IAM delegation; a grant with a constraint for the role), reading a
// queue encrypted through alias alias/kms-queue (key data) and a Kinesis
// stream encrypted with data's key id, and sending failures to a topic
// encrypted with data's ARN. A second function uses the queue too.
func keyScenario(t *testing.T, s *motoserver.Server, acct string) (env, data, queue, stream, topic string) {
	t.Helper()
	ctx := context.Background()
	c, _ := setupAs(t, s, acct)
	cfg, err := config.LoadDefaultConfig(ctx, config.WithBaseEndpoint(s.Endpoint), config.WithRegion("us-east-1"),
		config.WithAPIOptions([]func(*middleware.Stack) error{asAccount(acct, "")}))
	check(t, err)
	k, q, kin, sn := kms.NewFromConfig(cfg), sqs.NewFromConfig(cfg), kinesis.NewFromConfig(cfg), sns.NewFromConfig(cfg)
	role := c.createRole(t, "kms-fn-role", "/", lambdaTrust)

	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyTheFunction","Effect":"Allow","Principal":{"AWS":"` + role + `"},"Action":"kms:Decrypt","Resource":"*"}]}`
	ko, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("env"), Policy: aws.String(policy)})
	check(t, err)
	env = aws.ToString(ko.KeyMetadata.Arn)
	_, err = k.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(env), GranteePrincipal: aws.String(role), Name: aws.String("kms-fn"),
		Operations:  []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt},
		Constraints: &kmstypes.GrantConstraints{EncryptionContextEquals: map[string]string{"aws:lambda:FunctionArn": "x"}}})
	check(t, err)
	ko, err = k.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("data")})
	check(t, err)
	data = aws.ToString(ko.KeyMetadata.Arn)
	dataID := aws.ToString(ko.KeyMetadata.KeyId)
	_, err = k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/kms-queue"), TargetKeyId: aws.String(dataID)})
	check(t, err)

	qo, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("kms-queue"), Attributes: map[string]string{"KmsMasterKeyId": "alias/kms-queue"}})
	check(t, err)
	qa, err := q.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: qo.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	check(t, err)
	queue = qa.Attributes["QueueArn"]
	_, err = kin.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("kms-stream"), ShardCount: aws.Int32(1)})
	check(t, err)
	_, err = kin.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("kms-stream"), EncryptionType: "KMS", KeyId: aws.String(dataID)})
	check(t, err)
	so, err := kin.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("kms-stream")})
	check(t, err)
	stream = aws.ToString(so.StreamDescriptionSummary.StreamARN)
	to, err := sn.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("kms-topic"), Attributes: map[string]string{"KmsMasterKeyId": data}})
	check(t, err)
	topic = aws.ToString(to.TopicArn)

	for _, fn := range []string{"kms-fn", "kms-fn2"} {
		in := &lambda.CreateFunctionInput{FunctionName: aws.String(fn), Role: aws.String(role), Runtime: ltypes.RuntimePython312,
			Handler: aws.String("index.handler"), Code: &ltypes.FunctionCode{ZipFile: functionZip(t)}, KMSKeyArn: aws.String(env)}
		_, err = c.lambda.CreateFunction(ctx, in)
		check(t, err)
		_, err = c.lambda.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String(fn), EventSourceArn: aws.String(queue)})
		check(t, err)
	}
	_, err = c.lambda.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("kms-fn"), EventSourceArn: aws.String(stream),
		StartingPosition: ltypes.EventSourcePositionLatest})
	check(t, err)
	_, err = c.lambda.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("kms-fn"),
		DestinationConfig: &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(topic)}}})
	check(t, err)
	return env, data, queue, stream, topic
}

// withEnvKey returns a rewrite of lambda:GetFunction and
// lambda:ListFunctions answers that gives function fn the environment key
// key: moto 5.2 accepts KMSKeyArn at create-function but drops it, so the
// test proxy adds it where AWS answers it (Lambda API reference,
// FunctionConfiguration.KMSKeyArn).
func withEnvKey(fn, key string) func([]byte) []byte {
	return func(body []byte) []byte {
		var m map[string]any
		if json.Unmarshal(body, &m) != nil {
			return body
		}
		set := func(c any) {
			if cfg, ok := c.(map[string]any); ok && cfg["FunctionName"] == fn {
				cfg["KMSKeyArn"] = key
			}
		}
		set(m["Configuration"])
		if list, ok := m["Functions"].([]any); ok {
			for _, c := range list {
				set(c)
			}
		}
		out, err := json.Marshal(m)
		if err != nil {
			return body
		}
		return out
	}
}

// TestLiveKeys: the keys a function depends on are read live: the
// environment's key from the configuration, and the keys of its queue
// (through an alias), stream (a key id) and failure topic (a key ARN)
// resolved to key ARNs; each key with its state, manager, policy and
// grants, read once per reader however many functions share it.
func TestLiveKeys(t *testing.T) {
	s := motoserver.Start(t)
	const acct = "210000000101"
	env, data, queue, stream, topic := keyScenario(t, s, acct)
	ctx := context.Background()
	p := newFaultProxy(t, s.Endpoint)
	p.rewrite("lambda:GetFunction", func(b []byte) []byte { return withEnvKey("kms-fn2", env)(withEnvKey("kms-fn", env)(b)) })
	l := newTestLive(t, s, p.URL, Options{APIOptions: []func(*middleware.Stack) error{asAccount(acct, ""), tagOperations}})
	f, err := l.Function(ctx, "kms-fn")
	check(t, err)
	if len(f.Unseen) != 0 {
		t.Errorf("unseen: %+v", f.Unseen)
	}
	want := []account.ResourceKey{{Resource: queue, KeyARN: data}, {Resource: stream, KeyARN: data}, {Resource: topic, KeyARN: data}}
	sort.Slice(want, func(i, j int) bool { return want[i].Resource < want[j].Resource })
	if !reflect.DeepEqual(f.ResourceKeys, want) {
		t.Errorf("resource keys:\n got %+v\nwant %+v", f.ResourceKeys, want)
	}
	if len(f.Keys) != 2 {
		t.Fatalf("keys: got %d %+v, want the environment's and the data key", len(f.Keys), f.Keys[0])
	}
	for _, k := range f.Keys {
		if k.State != account.KeyEnabled || k.KeyManager != account.KeyManagerCustomer || !strings.Contains(k.Policy, `"Statement"`) || len(k.Unseen) != 0 {
			t.Errorf("key %s: got state %q manager %q policy %q unseen %+v", k.ARN, k.State, k.KeyManager, k.Policy, k.Unseen)
		}
		if k.ARN == env {
			if !strings.Contains(k.Policy, "OnlyTheFunction") {
				t.Errorf("env key policy: got %s", k.Policy)
			}
			if len(k.Grants) != 1 || k.Grants[0].Name != "kms-fn" || !reflect.DeepEqual(k.Grants[0].Operations, []string{"Decrypt"}) ||
				k.Grants[0].Constraints == nil || k.Grants[0].Constraints.EncryptionContextEquals["aws:lambda:FunctionArn"] != "x" {
				t.Errorf("env key grants: got %+v", k.Grants)
			}
		}
	}
	f2, err := l.Function(ctx, "kms-fn2")
	check(t, err)
	if len(f2.Keys) != 2 || f2.KeyByARN(data) != f.KeyByARN(data) {
		t.Errorf("second function: keys %+v, want the same two keys, read once", f2.Keys)
	}
	calls, _ := l.Calls()
	for op, n := range map[string]int{"kms:GetKeyPolicy": 2, "kms:ListGrants": 2} {
		if calls[op] != n {
			t.Errorf("%s calls: got %d, want %d (once per key)", op, calls[op], n)
		}
	}
	if calls["kms:DescribeKey"] > 4 { // env, data, the alias, data's key id: each once
		t.Errorf("kms:DescribeKey calls: got %d, want at most 4", calls["kms:DescribeKey"])
	}

	// Dependent rounds, measured: every request delayed by the same time,
	// the read takes about rounds × that time (a measurement, logged).
	t.Run("rounds", func(t *testing.T) {
		const delay = 300 * time.Millisecond
		slow := newFaultProxy(t, s.Endpoint)
		slow.rewrite("lambda:GetFunction", withEnvKey("kms-fn", env))
		slow.set("*", "slow", -1, delay)
		l := newTestLive(t, s, slow.URL, Options{APIOptions: []func(*middleware.Stack) error{asAccount(acct, ""), tagOperations}})
		start := time.Now()
		f, err := l.Function(ctx, "kms-fn")
		check(t, err)
		took := time.Since(start)
		calls, _ := l.Calls()
		total := 0
		for _, n := range calls {
			total += n
		}
		t.Logf("one function with an environment key and a queue, a stream and a topic encrypted (%d keys): %d calls in %v with %v per request: about %.1f dependent rounds after New",
			len(f.Keys), total, took.Round(10*time.Millisecond), delay, took.Seconds()/delay.Seconds())
	})

	// Refused reads are named in the key's Unseen with the permission.
	p.set("kms:GetKeyPolicy", "deny", -1, 0)
	p.set("kms:ListGrants", "deny", -1, 0)
	l = newTestLive(t, s, p.URL, Options{APIOptions: []func(*middleware.Stack) error{asAccount(acct, ""), tagOperations}})
	f, err = l.Function(ctx, "kms-fn")
	check(t, err)
	k := f.KeyByARN(env)
	if k == nil || k.Policy != "" || k.State != account.KeyEnabled {
		t.Fatalf("refused policy: got key %+v", k)
	}
	perms := map[string]bool{}
	for _, u := range k.Unseen {
		perms[u.Permission] = true
	}
	if !perms["kms:GetKeyPolicy"] || !perms["kms:ListGrants"] {
		t.Errorf("key unseen: got %+v, want kms:GetKeyPolicy and kms:ListGrants refused", k.Unseen)
	}
}
