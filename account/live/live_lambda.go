package live

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// fromConfiguration turns a function configuration into the model. It
// keeps environment variable names only, never their values.
func (l *Reader) fromConfiguration(c *types.FunctionConfiguration) *account.Function {
	arn := aws.ToString(c.FunctionArn)
	if base, _ := account.SplitQualifier(arn); base != "" {
		arn = base
	}
	f := &account.Function{
		ARN:       arn,
		Name:      aws.ToString(c.FunctionName),
		Partition: account.ARNField(arn, 1),
		Region:    account.ARNField(arn, 3),
		Account:   account.ARNField(arn, 4),
	}
	cf := &f.Config
	cf.Runtime = string(c.Runtime)
	cf.Handler = aws.ToString(c.Handler)
	cf.RoleARN = aws.ToString(c.Role)
	cf.PackageType = string(c.PackageType)
	for _, a := range c.Architectures {
		cf.Architectures = append(cf.Architectures, string(a))
	}
	cf.Version = aws.ToString(c.Version)
	if c.Environment != nil {
		for k := range c.Environment.Variables {
			cf.EnvironmentKeys = append(cf.EnvironmentKeys, k)
		}
		sort.Strings(cf.EnvironmentKeys)
	}
	cf.KMSKeyARN = aws.ToString(c.KMSKeyArn)
	if v := c.VpcConfig; v != nil && (aws.ToString(v.VpcId) != "" || len(v.SubnetIds) > 0 || len(v.SecurityGroupIds) > 0) {
		cf.VPC = &account.VPCConfig{VPCID: aws.ToString(v.VpcId), SubnetIDs: v.SubnetIds, SecurityGroupIDs: v.SecurityGroupIds}
	}
	if c.DeadLetterConfig != nil {
		cf.DeadLetterTarget = aws.ToString(c.DeadLetterConfig.TargetArn)
	}
	if c.TracingConfig != nil {
		cf.TracingMode = string(c.TracingConfig.Mode)
	}
	cf.Logging.LogGroup = "/aws/lambda/" + f.Name
	if lc := c.LoggingConfig; lc != nil {
		cf.Logging.LogFormat = string(lc.LogFormat)
		if g := aws.ToString(lc.LogGroup); g != "" && g != cf.Logging.LogGroup {
			cf.Logging.LogGroup, cf.Logging.Custom = g, true
		}
	}
	for _, ly := range c.Layers {
		cf.Layers = append(cf.Layers, aws.ToString(ly.Arn))
	}
	for _, fs := range c.FileSystemConfigs {
		cf.FileSystems = append(cf.FileSystems, account.FileSystem{ARN: aws.ToString(fs.Arn), LocalMountPath: aws.ToString(fs.LocalMountPath)})
	}
	cf.State = string(c.State)
	cf.LastUpdateStatus = string(c.LastUpdateStatus)
	return f
}

// qualified returns the function ARN with qualifier q ("" for none).
func qualified(f *account.Function, q string) string {
	if q == "" {
		return f.ARN
	}
	return f.ARN + ":" + q
}

func (l *Reader) readResourcePolicy(ctx context.Context, r *fnRead, q string) error {
	in := &lambda.GetPolicyInput{FunctionName: aws.String(r.f.Name)}
	if q != "" {
		in.Qualifier = aws.String(q)
	}
	out, err := l.lambda.GetPolicy(ctx, in)
	if err != nil {
		if classify(ctx, err) == errNotFound {
			return nil // no policy
		}
		return r.unseen(ctx, "lambda:GetPolicy", qualified(r.f, q), err)
	}
	doc := aws.ToString(out.Policy)
	r.do(func(f *account.Function) {
		f.ResourcePolicies = append(f.ResourcePolicies, account.ResourcePolicy{Qualifier: q, Document: account.CompactDocument(doc), RevisionID: aws.ToString(out.RevisionId)})
		if !isJSONObject(doc) {
			f.Unseen = append(f.Unseen, account.Unseen{Operation: "lambda:GetPolicy", Resource: qualified(f, q), Error: "the resource policy is not a valid JSON object; kept as read"})
		}
	})
	return nil
}

func (l *Reader) listAliases(ctx context.Context, r *fnRead) ([]account.Alias, error) {
	var out []account.Alias
	p := lambda.NewListAliasesPaginator(l.lambda, &lambda.ListAliasesInput{FunctionName: aws.String(r.f.Name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, r.unseen(ctx, "lambda:ListAliases", r.f.ARN, err)
		}
		for _, a := range page.Aliases {
			out = append(out, account.Alias{Name: aws.ToString(a.Name), ARN: aws.ToString(a.AliasArn), FunctionVersion: aws.ToString(a.FunctionVersion)})
		}
	}
	return out, nil
}

func (l *Reader) listVersions(ctx context.Context, r *fnRead) ([]string, error) {
	var out []string
	p := lambda.NewListVersionsByFunctionPaginator(l.lambda, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String(r.f.Name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, r.unseen(ctx, "lambda:ListVersionsByFunction", r.f.ARN, err)
		}
		for _, v := range page.Versions {
			if ver := aws.ToString(v.Version); ver != "" && ver != "$LATEST" {
				out = append(out, ver)
			}
		}
	}
	return out, nil
}

func (l *Reader) readURLConfig(ctx context.Context, r *fnRead, q string) error {
	in := &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String(r.f.Name)}
	if q != "" {
		in.Qualifier = aws.String(q)
	}
	out, err := l.lambda.GetFunctionUrlConfig(ctx, in)
	if err != nil {
		if classify(ctx, err) == errNotFound {
			return nil
		}
		return r.unseen(ctx, "lambda:GetFunctionUrlConfig", qualified(r.f, q), err)
	}
	// The qualifier the URL belongs to is the one in its function ARN (an
	// emulator may answer for another qualifier than the one asked).
	_, got := account.SplitQualifier(aws.ToString(out.FunctionArn))
	if got == "$LATEST" {
		got = ""
	}
	r.do(func(f *account.Function) {
		for _, u := range f.URLConfigs {
			if u.Qualifier == got {
				return
			}
		}
		f.URLConfigs = append(f.URLConfigs, account.URLConfig{Qualifier: got, URL: aws.ToString(out.FunctionUrl), AuthType: string(out.AuthType)})
	})
	return nil
}

func (l *Reader) readEventSources(ctx context.Context, r *fnRead) error {
	if es, ok := r.pre.eventSources(r.f.ARN); ok {
		r.do(func(f *account.Function) { f.EventSources = append([]account.EventSource(nil), es...) })
		return nil
	}
	var out []account.EventSource
	p := lambda.NewListEventSourceMappingsPaginator(l.lambda, &lambda.ListEventSourceMappingsInput{FunctionName: aws.String(r.f.Name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return r.unseen(ctx, "lambda:ListEventSourceMappings", r.f.ARN, err)
		}
		for _, m := range page.EventSourceMappings {
			out = append(out, eventSourceOf(m))
		}
	}
	r.do(func(f *account.Function) { f.EventSources = out })
	return nil
}

func (l *Reader) readAsyncConfigs(ctx context.Context, r *fnRead) error {
	var out []account.AsyncConfig
	p := lambda.NewListFunctionEventInvokeConfigsPaginator(l.lambda, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String(r.f.Name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			if classify(ctx, err) == errNotFound {
				break
			}
			return r.unseen(ctx, "lambda:ListFunctionEventInvokeConfigs", r.f.ARN, err)
		}
		for _, c := range page.FunctionEventInvokeConfigs {
			_, q := account.SplitQualifier(aws.ToString(c.FunctionArn))
			if q == "$LATEST" {
				q = ""
			}
			a := account.AsyncConfig{Qualifier: q}
			if d := c.DestinationConfig; d != nil {
				if d.OnSuccess != nil {
					a.OnSuccess = aws.ToString(d.OnSuccess.Destination)
				}
				if d.OnFailure != nil {
					a.OnFailure = aws.ToString(d.OnFailure.Destination)
				}
			}
			out = append(out, a)
		}
	}
	r.do(func(f *account.Function) { f.AsyncConfigs = out })
	return nil
}

func eventSourceOf(m types.EventSourceMappingConfiguration) account.EventSource {
	return account.EventSource{
		UUID:           aws.ToString(m.UUID),
		EventSourceARN: aws.ToString(m.EventSourceArn),
		State:          aws.ToString(m.State),
		FunctionARN:    aws.ToString(m.FunctionArn),
		LastResult:     aws.ToString(m.LastProcessingResult),
	}
}

// readLayers checks that each layer version the function uses exists, once
// per layer version and reader (lambda:GetLayerVersion, by the layer's ARN
// and version number). One that does not exist is an Unseen entry with
// NotFound: the function still runs with it, but its next update fails
// (Lambda DG, adding-layers). A layer of another region is not asked: the
// configuration alone says it cannot be used.
func (l *Reader) readLayers(ctx context.Context, r *fnRead) error {
	var g group
	for _, lv := range r.f.Config.Layers {
		i := strings.LastIndexByte(lv, ':')
		n, err := strconv.Atoi(lv[i+1:])
		if account.ARNField(lv, 2) != "lambda" || i < 0 || err != nil || account.ARNField(lv, 3) != r.f.Region {
			continue
		}
		g.Go(func() error {
			l.mu.Lock()
			z := l.layers[lv]
			if z == nil {
				z = &lazy[*account.Unseen]{}
				l.layers[lv] = z
			}
			l.mu.Unlock()
			u, err := z.get(ctx, func(ctx context.Context) (*account.Unseen, error) {
				_, err := l.inRegion(account.ARNField(lv, 3)).lambda.GetLayerVersion(ctx, &lambda.GetLayerVersionInput{
					LayerName: aws.String(lv[:i]), VersionNumber: aws.Int64(int64(n))})
				if err == nil {
					return nil, nil
				}
				u, stop := unseenFor(ctx, "lambda:GetLayerVersion", lv, err)
				if stop != nil {
					return nil, stop
				}
				return &u, nil
			})
			if err != nil || u == nil {
				return err
			}
			r.do(func(f *account.Function) { f.Unseen = append(f.Unseen, *u) })
			return nil
		})
	}
	return g.Wait()
}
