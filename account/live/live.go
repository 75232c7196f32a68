package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/lambda-doctor/lambda-doctor/account"
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
	// AttemptTimeout bounds one HTTP attempt (default 30s); a slow answer is
	// retried.
	AttemptTimeout time.Duration
	// MaxAttempts per operation, retries included (default 5).
	MaxAttempts int
	// LogWindow is how far back to search the function's logs for denials
	// (default 24h). Negative: do not search logs.
	LogWindow time.Duration
	// MaxDenials is the most denial lines kept per function (default 20).
	MaxDenials int
	// MaxBuckets is the most S3 buckets of the region whose notification
	// configuration is read to find S3 triggers (default 500). Negative: do
	// not read S3.
	MaxBuckets int
	// MaxSubscriptionPages is the most pages of SNS ListSubscriptions (100
	// subscriptions each) read to find SNS triggers (default 50).
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
		o.AttemptTimeout = 30 * time.Second
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
	if o.MaxBuckets == 0 {
		o.MaxBuckets = 500
	}
	if o.MaxSubscriptionPages <= 0 {
		o.MaxSubscriptionPages = 50
	}
}

// Reader reads functions from an AWS account with aws-sdk-go-v2. It only
// ever reads: every client refuses non-read operations before sending them.
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
	org    lazy[orgStatus]
	origin account.Origin
	trig   triggerCache
	calls  *callCounter

	mu       sync.Mutex
	roles    map[string]*roleEntry
	policies map[string]*policyEntry
}

// New loads the AWS configuration (profiles, SSO, environment,
// AWS_ENDPOINT_URL) and checks who the caller is with
// sts:GetCallerIdentity, which needs no permission: no credentials gives an
// *account.AccessError.
func New(ctx context.Context, opts Options) (*Reader, error) {
	opts.defaults()
	l := &Reader{opts: opts, calls: newCallCounter(), roles: map[string]*roleEntry{}, policies: map[string]*policyEntry{}}
	apiOptions := append([]func(*middleware.Stack) error{readOnlyMiddleware, l.calls.middleware, tolerateStringTimestamps}, opts.APIOptions...)
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
	if opts.Profile != "" {
		load = append(load, config.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Region != "" {
		load = append(load, config.WithRegion(opts.Region))
	}
	if opts.BaseEndpoint != "" {
		load = append(load, config.WithBaseEndpoint(opts.BaseEndpoint))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, &account.InputError{Source: "AWS configuration", Err: err}
	}
	if cfg.Region == "" {
		return nil, &account.InputError{Source: "--region", Err: errors.New("no AWS region: give --region, or set AWS_REGION or a region in the profile")}
	}
	l.cfg = cfg
	l.lambda = lambda.NewFromConfig(cfg)
	l.iam = iam.NewFromConfig(cfg)
	l.logs = cloudwatchlogs.NewFromConfig(cfg)
	l.sts = sts.NewFromConfig(cfg)
	l.events = eventbridge.NewFromConfig(cfg)
	l.sns = sns.NewFromConfig(cfg)
	l.s3 = s3.NewFromConfig(cfg)
	l.orgs = organizations.NewFromConfig(cfg)

	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	id, err := l.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if ctxErr(ctx, err) {
			return nil, fmt.Errorf("sts:GetCallerIdentity: %w", err)
		}
		return nil, &account.AccessError{Operation: "sts:GetCallerIdentity", Err: fmt.Errorf("cannot identify the caller (are there AWS credentials?): %w", err)}
	}
	l.origin = account.Origin{Account: aws.ToString(id.Account), Region: cfg.Region, Caller: aws.ToString(id.Arn)}
	l.origin.Partition = arnPart(l.origin.Caller, 1)
	if l.origin.Partition == "" {
		l.origin.Partition = "aws"
	}
	return l, nil
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

// account.Function reads one function by name, ARN, or either with a qualifier,
// and everything about its doors. A function that does not exist gives an
// error wrapping account.ErrNotFound; a refused lambda:GetFunction an
// *account.AccessError. Any other refused read is recorded in account.Function.Unseen.
func (l *Reader) Function(ctx context.Context, name string) (*account.Function, error) {
	ctx, cancel := context.WithTimeout(ctx, l.opts.Timeout)
	defer cancel()
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

// readDoors reads, in dependency rounds, everything but the configuration.
// Round 1, concurrently: the function's resource policy, aliases,
// versions, URL config, event source mappings, async configs, log group
// (and then its denials), execution role (and then its policies), and its
// SNS and S3 triggers (from region-wide lists read once per Reader).
// Round 2, concurrently: the resource policy and URL config of each alias
// and version found in round 1, and the EventBridge rules that target the
// function or an alias.
func (l *Reader) readDoors(ctx context.Context, f *account.Function, pre *prefetch) error {
	r := &fnRead{f: f, pre: pre}
	var g group
	var aliases []account.Alias
	var versions []string
	g.Go(func() error { return l.readResourcePolicy(ctx, r, "") })
	g.Go(func() (err error) { aliases, err = l.listAliases(ctx, r); return err })
	g.Go(func() (err error) { versions, err = l.listVersions(ctx, r); return err })
	g.Go(func() error { return l.readURLConfig(ctx, r, "") })
	g.Go(func() error { return l.readEventSources(ctx, r) })
	g.Go(func() error { return l.readAsyncConfigs(ctx, r) })
	g.Go(func() error { return l.readIndexedTriggers(ctx, r) })
	g.Go(func() error { return l.readOrg(ctx, r) })
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
	if err := g.Wait(); err != nil {
		return err
	}

	f.Aliases = aliases
	f.Versions = versions
	for _, a := range aliases {
		g.Go(func() error { return l.readResourcePolicy(ctx, r, a.Name) })
		g.Go(func() error { return l.readURLConfig(ctx, r, a.Name) })
	}
	for _, v := range versions {
		g.Go(func() error { return l.readResourcePolicy(ctx, r, v) })
	}
	g.Go(func() error { return l.readEventTriggers(ctx, r, aliases) })
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
