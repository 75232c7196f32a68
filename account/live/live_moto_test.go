package live

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.Stop()
	os.Exit(code)
}

// setupClients are plain SDK clients, without the reader's read-only
// guard, that tests use to create scenarios in moto.
type setupClients struct {
	lambda    *lambda.Client
	iam       *iam.Client
	logs      *cloudwatchlogs.Client
	events    *eventbridge.Client
	sns       *sns.Client
	s3        *s3.Client
	apigw     *apigateway.Client
	sfn       *sfn.Client
	scheduler *scheduler.Client
	sqs       *sqs.Client
	kms       *kms.Client
}

func newSetup(t testing.TB, s *motoserver.Server) *setupClients {
	t.Helper()
	s.Setenv(t)
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithBaseEndpoint(s.Endpoint), config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	return &setupClients{lambda: lambda.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg),
		events: eventbridge.NewFromConfig(cfg), sns: sns.NewFromConfig(cfg), s3: s3.NewFromConfig(cfg),
		apigw: apigateway.NewFromConfig(cfg), sfn: sfn.NewFromConfig(cfg), scheduler: scheduler.NewFromConfig(cfg),
		sqs: sqs.NewFromConfig(cfg), kms: kms.NewFromConfig(cfg)}
}

var zipOnce []byte

// functionZip is a small deployment package; moto does not run it.
func functionZip(t testing.TB) []byte {
	t.Helper()
	if zipOnce != nil {
		return zipOnce
	}
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create("index.py")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("def handler(event, context):\n    return event\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	zipOnce = b.Bytes()
	return zipOnce
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (c *setupClients) createRole(t testing.TB, name, path, trust string) string {
	t.Helper()
	out, err := c.iam.CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trust),
	})
	check(t, err)
	return aws.ToString(out.Role.Arn)
}

func (c *setupClients) createFunction(t testing.TB, name, role string, env map[string]string) string {
	t.Helper()
	in := &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Role: aws.String(role), Runtime: ltypes.RuntimePython312,
		Handler: aws.String("index.handler"), Code: &ltypes.FunctionCode{ZipFile: functionZip(t)},
	}
	if env != nil {
		in.Environment = &ltypes.Environment{Variables: env}
	}
	out, err := c.lambda.CreateFunction(context.Background(), in)
	check(t, err)
	return aws.ToString(out.FunctionArn)
}

func (c *setupClients) putLogLines(t testing.TB, group, stream string, lines ...string) {
	t.Helper()
	ctx := context.Background()
	c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	_, err := c.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)})
	check(t, err)
	now := time.Now().Add(-time.Minute).UnixMilli()
	var events []logtypes.InputLogEvent
	for i, l := range lines {
		events = append(events, logtypes.InputLogEvent{Message: aws.String(l), Timestamp: aws.Int64(now + int64(i))})
	}
	_, err = c.logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: events})
	check(t, err)
}

// newTestLive is a reader of moto (through endpoint, which may be a proxy).
func newTestLive(t testing.TB, s *motoserver.Server, endpoint string, opts Options) *Reader {
	t.Helper()
	s.Setenv(t)
	opts.BaseEndpoint = endpoint
	l, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return l
}

func writeFile(t testing.TB, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
