package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/term"
)

// Options configure the live reader. Zero values take the defaults.
type Options struct {
	Profile string // shared config profile; "" for the default chain
	Region  string // "" for the config chain's region
	// Concurrency is how many functions ReadAll reads at once (default 8).
	Concurrency int
	// Timeout bounds each account.Function call, and New's identity check
	// (default 2 minutes).
	Timeout time.Duration
	// AttemptTimeout bounds one HTTP attempt (default 10s); a slow answer is
	// retried.
	AttemptTimeout time.Duration
	// ReadTimeout bounds one optional call, retries included (default
	// 20s): a call that runs out of it is recorded in Unseen, and its
	// service is not asked again by this Reader (see budget.go).
	ReadTimeout time.Duration
	// ListTimeout bounds one region-wide discovery listing, every call it
	// makes included (default 60s); a listing cut by it is named in Unseen.
	ListTimeout time.Duration
	// MaxAttempts per operation, retries included (default 5).
	MaxAttempts int
	// LogWindow is how far back to search the function's logs for denials
	// (default 24h). Negative: do not search logs.
	LogWindow time.Duration
	// MaxDenials is the most denial lines kept per function (default 20).
	MaxDenials int
	// Limits bound trigger discovery, kind by kind (see Limits and
	// DefaultLimits); 0 turns a kind off.
	Limits Limits
	// MaxBuckets is Limits["s3"], kept for callers that set it: when
	// non-zero and Limits has no "s3", it sets that limit (negative: off).
	//
	// Deprecated: use Limits.
	MaxBuckets int
	// MaxSubscriptionPages sets Limits["sns"] to 100 subscriptions a page,
	// when Limits has no "sns".
	//
	// Deprecated: use Limits.
	MaxSubscriptionPages int
	// Progress, when set, receives one line per function read by ReadAll.
	Progress io.Writer
	// BaseEndpoint overrides the endpoint of every service (as
	// AWS_ENDPOINT_URL does).
	BaseEndpoint string
	// APIOptions are added to every client's middleware stack (tests).
	APIOptions []func(*middleware.Stack) error
}

func (o *Options) defaults() {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 10 * time.Second
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 20 * time.Second
	}
	if o.ListTimeout <= 0 {
		o.ListTimeout = time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 5
	}
	if o.LogWindow == 0 {
		o.LogWindow = 24 * time.Hour
	}
	if o.MaxDenials <= 0 {
		o.MaxDenials = 20
	}
	limits := Limits{}
	for k, v := range o.Limits {
		limits[k] = v
	}
	if _, set := limits["s3"]; !set && o.MaxBuckets != 0 {
		limits["s3"] = max(o.MaxBuckets, 0)
	}
	if _, set := limits["sns"]; !set && o.MaxSubscriptionPages > 0 {
		limits["sns"] = 100 * o.MaxSubscriptionPages
	}
	o.Limits = limits
}

// Reader reads functions from an AWS account with aws-sdk-go-v2. It only
// ever reads: every client refuses any operation that is not one of its
// listed reads before sending it.
type Reader struct {
	opts   Options
	cfg    aws.Config
	lambda *lambda.Client
	iam    *iam.Client
	logs   *cloudwatchlogs.Client
	sts    *sts.Client
	events *eventbridge.Client
	sns    *sns.Client
	s3     *s3.Client
	orgs   *organizations.Client
	// KMS keys and what names them
	kms     *kms.Client
	sqs     *sqs.Client
	kinesis *kinesis.Client
	// trigger discovery
	apigw      *apigateway.Client
	apigwv2    *apigatewayv2.Client
	cognito    *cip.Client
	elb        *elb.Client
	secrets    *secretsmanager.Client
	cloudfront *cloudfront.Client
	sfn        *sfn.Client
	scheduler  *scheduler.Client
	// check --template: the deployed stack and the region's exports
	cfn *cloudformation.Client
	// resource tags (tags.go)
	tagging *resourcegroupstaggingapi.Client
	origin  account.Origin
	trig    triggerCache // region-wide listings of this reader's region

	// shared by the readers of every region (see inRegion)
	*shared
}

// shared is what the readers of one account share across regions: the
// caches of account-wide reads (IAM roles and policies, the organization),
// the call counter, the stall breaker, and the readers of other regions.
type shared struct {
	calls   *callCounter
	breaker *stallBreaker
	org     lazy[orgStatus]

	mu       sync.Mutex
	roles    map[string]*roleEntry
	policies map[string]*policyEntry
	keys     map[string]*keyEntry              // by key ARN
	layers   map[string]*lazy[*account.Unseen] // lambda:GetLayerVersion by layer version ARN
	keyMetas map[string]*lazy[*keyMeta]        // kms:DescribeKey by "REGION REF"
	regions  map[string]*Reader
}

// New loads the AWS configuration (profiles, SSO, environment,
// AWS_ENDPOINT_URL) and checks who the caller is with
// sts:GetCallerIdentity, which needs no permission. A region that is not a
// region name gives an *account.InputError; no credentials, refused
// credentials or an unreachable endpoint an *account.AccessError that says
// which.
func New(ctx context.Context, opts Options) (*Reader, error) {
	opts.defaults()
	sh := &shared{calls: newCallCounter(), breaker: &stallBreaker{budget: opts.ReadTimeout},
		roles: map[string]*roleEntry{}, policies: map[string]*policyEntry{}, regions: map[string]*Reader{},
		keys: map[string]*keyEntry{}, keyMetas: map[string]*lazy[*keyMeta]{}, layers: map[string]*lazy[*account.Unseen]{}}
	apiOptions := append([]func(*middleware.Stack) error{readOnlyMiddleware, sh.breaker.middleware, sh.calls.middleware, tolerateStringTimestamps}, opts.APIOptions...)
	load := []func(*config.LoadOptions) error{
		config.WithAPIOptions(apiOptions),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(opts.AttemptTimeout)),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
				ao.StandardOptions = append(ao.StandardOptions, func(so *retry.StandardOptions) {
					so.MaxAttempts = opts.MaxAttempts
					so.MaxBackoff = 5 * time.Second
					so.RateLimiter = ratelimit.None // no retry quota: a long --all must not run out
				})
			})
		}),
	}
	if opts.Region != "" {
		if err := checkRegion("--region", opts.Region); err != nil {
			return nil, err
		}
		load = append(load, config.WithRegion(opts.Region))
	}
	if opts.Profile != "" {
		load = append(load, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.BaseEndpoint != "" {
		load = append(load, config.WithBaseEndpoint(opts.BaseEndpoint))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		var pe config.SharedConfigProfileNotExistError
		if errors.As(err, &pe) {
			return nil, &ProfileError{Profile: pe.Profile, Err: err}
		}
		return nil, &account.InputError{Source: "AWS configuration", Err: err}
	}
	if cfg.Region == "" {
		return nil, &account.InputError{Source: "--region", Err: errors.New("no AWS region: give --region, or set AWS_REGION or a region in the profile")}
	}
	if err := checkRegion("AWS region (from AWS_REGION, AWS_DEFAULT_REGION or the profile)", cfg.Region); err != nil {
		return nil, err
	}
	l := &Reader{opts: opts, shared: sh}
	l.setConfig(cfg)

	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	if err := l.identify(ctx); err != nil {
		return nil, err
	}
	sh.regions[cfg.Region] = l
	return l, nil
}

// ProfileError is a named profile (--profile, AWS_PROFILE) that the shared
// config and credentials files do not have: no credentials to read the
// account with, so nothing can be inspected (exit 3, docs/contract.md).
// Its message is one line, the profile's control characters escaped.
type ProfileError struct {
	Profile string
	Err     error // the SDK's config.SharedConfigProfileNotExistError
}

func (e *ProfileError) Error() string {
	return `profile "` + term.Line(e.Profile) + `" is not in the AWS config file (AWS_CONFIG_FILE or ~/.aws/config) or credentials file ` +
		"(AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials); aws configure list-profiles shows the profiles"
}

func (e *ProfileError) Unwrap() error { return e.Err }

func (l *Reader) setConfig(cfg aws.Config) {
	l.cfg = cfg
	l.lambda = lambda.NewFromConfig(cfg)
	l.iam = iam.NewFromConfig(cfg)
	l.logs = cloudwatchlogs.NewFromConfig(cfg)
	l.sts = sts.NewFromConfig(cfg)
	l.events = eventbridge.NewFromConfig(cfg)
	l.sns = sns.NewFromConfig(cfg)
	l.s3 = s3.NewFromConfig(cfg)
	l.orgs = organizations.NewFromConfig(cfg)
	l.kms = kms.NewFromConfig(cfg)
	l.sqs = sqs.NewFromConfig(cfg)
	l.kinesis = kinesis.NewFromConfig(cfg)
	l.apigw = apigateway.NewFromConfig(cfg)
	l.apigwv2 = apigatewayv2.NewFromConfig(cfg)
	l.cognito = cip.NewFromConfig(cfg)
	l.elb = elb.NewFromConfig(cfg)
	l.secrets = secretsmanager.NewFromConfig(cfg)
	l.cloudfront = cloudfront.NewFromConfig(cfg)
	l.sfn = sfn.NewFromConfig(cfg)
	l.scheduler = scheduler.NewFromConfig(cfg)
	l.cfn = cloudformation.NewFromConfig(cfg)
	l.tagging = resourcegroupstaggingapi.NewFromConfig(cfg)
}

// identify sets l.origin from sts:GetCallerIdentity. The credentials are
// resolved first, so that missing credentials, credentials AWS refuses and
// an endpoint that cannot be reached each get their own message.
func (l *Reader) identify(ctx context.Context) error {
	if l.cfg.Credentials == nil {
		return &account.AccessError{Operation: "sts:GetCallerIdentity", Err: errors.New(noCredentials)}
	}
	if _, err := l.cfg.Credentials.Retrieve(ctx); err != nil {
		if ctxErr(ctx, err) {
			return fmt.Errorf("resolve AWS credentials: %w", err)
		}
		return &account.AccessError{Operation: "sts:GetCallerIdentity", Err: fmt.Errorf("%s: %w", noCredentials, err)}
	}
	id, err := l.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if ctxErr(ctx, err) {
			return fmt.Errorf("sts:GetCallerIdentity: %w", err)
		}
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return &account.AccessError{Operation: "sts:GetCallerIdentity", Err: fmt.Errorf("AWS refused the credentials (expired, revoked, or of another partition?): %w", err)}
		}
		return &account.AccessError{Operation: "sts:GetCallerIdentity", Err: fmt.Errorf("cannot reach AWS STS in %s (network, proxy or endpoint): %w", l.cfg.Region, err)}
	}
	l.origin = account.Origin{Account: aws.ToString(id.Account), Region: l.cfg.Region, Caller: aws.ToString(id.Arn)}
	l.origin.Partition = account.ARNField(l.origin.Caller, 1)
	if l.origin.Partition == "" {
		l.origin.Partition = "aws"
	}
	return nil
}

const noCredentials = "no AWS credentials found: give --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or sign in (aws sso login)"

// inRegion returns the reader of the same account and credentials in
// region, made on first use. Region-wide trigger listings are its own;
// IAM and organization reads are shared.
func (l *Reader) inRegion(region string) *Reader {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r := l.regions[region]; r != nil {
		return r
	}
	cfg := l.cfg.Copy()
	cfg.Region = region
	r := &Reader{opts: l.opts, shared: l.shared, origin: l.origin}
	r.opts.Region = region
	r.origin.Region = region
	r.setConfig(cfg)
	l.regions[region] = r
	return r
}

// account.Origin says which account, region and caller the reader reads as.
func (l *Reader) Origin() account.Origin { return l.origin }

// Calls returns how many calls of each operation ("lambda:GetFunction")
// the reader made so far, and the number of HTTP attempts (retries
// included).
func (l *Reader) Calls() (map[string]int, int64) { return l.calls.snapshot() }

// FunctionNames lists every function of the account and region.
func (l *Reader) FunctionNames(ctx context.Context) ([]string, error) {
	cfgs, err := l.listFunctions(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(cfgs))
	for i, c := range cfgs {
		names[i] = c.Name
	}
	return names, nil
}

func (l *Reader) listFunctions(ctx context.Context) ([]*account.Function, error) {
	var fns []*account.Function
	p := lambda.NewListFunctionsPaginator(l.lambda, &lambda.ListFunctionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if ctxErr(ctx, err) {
				return nil, fmt.Errorf("lambda:ListFunctions: %w", err)
			}
			return nil, &account.AccessError{Operation: "lambda:ListFunctions", Permission: permissionIfDenied(err, "lambda:ListFunctions"), Err: err}
		}
		for i := range page.Functions {
			fns = append(fns, l.fromConfiguration(&page.Functions[i]))
		}
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Name < fns[j].Name })
	return fns, nil
}

// Function reads one function by name, ARN, or either with a qualifier,
// and everything about its doors. A function given as an ARN is read in
// the ARN's region; an ARN of another account than the credentials' gives
// an *account.AccessError (the reader would otherwise read a namesake). A
// function that does not exist gives an error wrapping
// account.ErrNotFound; a refused lambda:GetFunction an
// *account.AccessError. Any other refused read is recorded in
// account.Function.Unseen.
func (l *Reader) Function(ctx context.Context, name string) (*account.Function, error) {
	if strings.HasPrefix(name, "arn:") {
		a, err := parseFunctionARN(name)
		if err != nil {
			return nil, &account.InputError{Source: "function", Err: err}
		}
		if a.partition != l.origin.Partition || a.account != l.origin.Account {
			return nil, &account.AccessError{Operation: "lambda:GetFunction", Err: fmt.Errorf(
				"function %s is in account %s (%s), but the credentials are of account %s (%s, %s): use credentials of account %s (for instance --profile) to read it",
				name, a.account, a.partition, l.origin.Account, l.origin.Partition, l.origin.Caller, a.account)}
		}
		if a.region != l.origin.Region {
			return l.inRegion(a.region).function(ctx, name)
		}
	}
	return l.function(ctx, name)
}

func (l *Reader) function(ctx context.Context, name string) (*account.Function, error) {
	ctx, cancel := context.WithTimeout(ctx, l.opts.Timeout)
	defer cancel()
	// The organization does not depend on the function: its reads (a
	// chain up to the root) start with GetFunction, and readOrg joins them.
	go l.org.get(ctx, l.walkOrg)
	base, qual := account.SplitQualifier(name)
	out, err := l.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(base)})
	if err != nil {
		switch classify(ctx, err) {
		case errNotFound:
			return nil, fmt.Errorf("function %s in %s/%s: %w", base, l.origin.Account, l.origin.Region, account.ErrNotFound)
		case errContext:
			return nil, fmt.Errorf("lambda:GetFunction %s: %w", base, err)
		case errDenied:
			return nil, &account.AccessError{Operation: "lambda:GetFunction", Permission: "lambda:GetFunction", Err: err}
		}
		return nil, &account.AccessError{Operation: "lambda:GetFunction", Err: err}
	}
	f := l.fromConfiguration(out.Configuration)
	if out.Code != nil {
		f.Config.ImageURI = aws.ToString(out.Code.ImageUri)
	}
	if err := l.readDoors(ctx, f, nil); err != nil {
		return nil, err
	}
	if qual != "" && !f.HasQualifier(qual) {
		return nil, fmt.Errorf("function %s has no alias or version %q: %w", base, qual, account.ErrNotFound)
	}
	return f, nil
}

// ReadAll reads every function of the account and region, at most
// Concurrency at a time, and calls each with them one by one in name
// order. Only about Concurrency functions are held in memory at once.
// A function deleted while reading is skipped.
func (l *Reader) ReadAll(ctx context.Context, each func(*account.Function) error) error {
	fns, err := l.listFunctions(ctx)
	if err != nil {
		return err
	}
	pre := l.prefetch(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	type result struct {
		f   *account.Function
		err error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slots := make(chan struct{}, l.opts.Concurrency)
	results := make([]chan result, len(fns))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	go func() {
		for i, f := range fns {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				for _, r := range results[i:] {
					r <- result{err: ctx.Err()}
				}
				return
			}
			fns[i] = nil // the reader holds it from now on
			go func(f *account.Function, out chan<- result) {
				err := l.readOne(ctx, f, pre)
				out <- result{f, err}
			}(f, results[i])
		}
	}()
	start := time.Now()
	for i, ch := range results {
		r := <-ch
		<-slots
		if r.err != nil {
			if errors.Is(r.err, account.ErrNotFound) {
				continue
			}
			return r.err
		}
		if err := each(r.f); err != nil {
			return err
		}
		if l.opts.Progress != nil {
			fmt.Fprintf(l.opts.Progress, "\r%d/%d functions read (%s)  ", i+1, len(results), time.Since(start).Round(time.Second))
		}
	}
	if l.opts.Progress != nil && len(results) > 0 {
		fmt.Fprintln(l.opts.Progress)
	}
	return nil
}

func (l *Reader) readOne(ctx context.Context, f *account.Function, pre *prefetch) error {
	ctx, cancel := context.WithTimeout(ctx, l.opts.Timeout)
	defer cancel()
	r := &fnRead{f: f}
	if f.Config.PackageType == "Image" {
		out, err := l.lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(f.ARN)})
		switch {
		case err == nil && out.Code != nil:
			f.Config.ImageURI = aws.ToString(out.Code.ImageUri)
		case err != nil && classify(ctx, err) == errNotFound:
			return fmt.Errorf("function %s: %w", f.Name, account.ErrNotFound)
		case err != nil:
			if e := r.unseen(ctx, "lambda:GetFunction", f.ARN, err); e != nil {
				return e
			}
		}
	}
	return l.readDoors(ctx, f, pre)
}

// fnRead is one function being read by concurrent branches.
type fnRead struct {
	mu  sync.Mutex
	f   *account.Function
	pre *prefetch // region-wide reads made once by ReadAll; nil otherwise
}

func (r *fnRead) do(fn func(f *account.Function)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn(r.f)
}

// unseen records a failed optional read, or returns err when the whole
// read must stop (its context ended).
func (r *fnRead) unseen(ctx context.Context, op, resource string, err error) error {
	u, stop := unseenFor(ctx, op, resource, err)
	if stop != nil {
		return stop
	}
	r.do(func(f *account.Function) { f.Unseen = append(f.Unseen, u) })
	return nil
}

// readDoors reads everything but the configuration, concurrently, in
// chains of dependent reads: the function's resource policy and URL
// config; its aliases, then each alias's resource policy and URL config
// and the EventBridge rules that target the function or an alias; its
// versions, then each version's resource policy; its event source
// mappings, async configs, log group (and then its denials), execution
// role (and then its policies), organization status, and the triggers
// region-wide listings name. Each read has its own budget (budget.go).
func (l *Reader) readDoors(ctx context.Context, f *account.Function, pre *prefetch) error {
	r := &fnRead{f: f, pre: pre}
	var g group
	g.Go(func() error { return l.readResourcePolicy(ctx, r, "") })
	g.Go(func() error { return l.readURLConfig(ctx, r, "") })
	g.Go(func() error {
		aliases, err := l.listAliases(ctx, r)
		if err != nil {
			return err
		}
		r.do(func(f *account.Function) { f.Aliases = aliases })
		var g2 group
		for _, a := range aliases {
			g2.Go(func() error { return l.readResourcePolicy(ctx, r, a.Name) })
			g2.Go(func() error { return l.readURLConfig(ctx, r, a.Name) })
		}
		g2.Go(func() error { return l.readEventTriggers(ctx, r, aliases) })
		return g2.Wait()
	})
	g.Go(func() error {
		versions, err := l.listVersions(ctx, r)
		if err != nil {
			return err
		}
		r.do(func(f *account.Function) { f.Versions = versions })
		var g2 group
		for _, v := range versions {
			g2.Go(func() error { return l.readResourcePolicy(ctx, r, v) })
		}
		return g2.Wait()
	})
	g.Go(func() error {
		if err := l.readEventSources(ctx, r); err != nil {
			return err
		}
		var arns []string
		r.do(func(f *account.Function) {
			for _, es := range f.EventSources {
				arns = append(arns, es.EventSourceARN)
			}
		})
		return l.readResourceKeys(ctx, r, keyedResources(arns...))
	})
	g.Go(func() error {
		if err := l.readAsyncConfigs(ctx, r); err != nil {
			return err
		}
		var arns []string
		r.do(func(f *account.Function) {
			for _, a := range f.AsyncConfigs {
				arns = append(arns, a.OnSuccess, a.OnFailure)
			}
		})
		return l.readResourceKeys(ctx, r, keyedResources(arns...))
	})
	if res := keyedResources(f.Config.DeadLetterTarget); len(res) > 0 {
		g.Go(func() error { return l.readResourceKeys(ctx, r, res) })
	}
	g.Go(func() error { return l.readIndexedTriggers(ctx, r) })
	g.Go(func() error { return l.readOrg(ctx, r) })
	g.Go(func() error { return l.readLayers(ctx, r) })
	if l.opts.LogWindow >= 0 {
		g.Go(func() error { return l.readLogs(ctx, r) })
	}
	if f.Config.RoleARN != "" {
		g.Go(func() error {
			role, unseen, err := l.role(ctx, f.Config.RoleARN)
			r.do(func(f *account.Function) {
				f.Role = role
				f.Unseen = append(f.Unseen, unseen...)
			})
			return err
		})
	}
	if a := f.Config.KMSKeyARN; a != "" {
		// The environment's key is known from the configuration: read it
		// now (readKeys finds it read).
		g.Go(func() error { _, err := l.key(ctx, a); return err })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	g.Go(func() error { return l.readCloudFront(ctx, r) })
	g.Go(func() error { return l.readKeys(ctx, r) })
	g.Go(func() error { return l.readResourceTags(ctx, r) })
	if err := g.Wait(); err != nil {
		return err
	}
	f.SortLists()
	return nil
}

// group runs functions concurrently and returns the first error.
type group struct {
	wg   sync.WaitGroup
	once sync.Once
	err  error
}

func (g *group) Go(fn func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := fn(); err != nil {
			g.once.Do(func() { g.err = err })
		}
	}()
}

func (g *group) Wait() error {
	g.wg.Wait()
	err := g.err
	g.err, g.once = nil, sync.Once{}
	return err
}
