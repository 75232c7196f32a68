package live

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// lambdaLogPrefix is the prefix of every default function log group.
const lambdaLogPrefix = "/aws/lambda/"

// prefetch holds region-wide lists that ReadAll reads once instead of once
// per function: the default log groups and the event source mappings. A
// list that could not be read is nil, and each function then reads its
// own (recording any refusal in its account.Unseen).
type prefetch struct {
	logGroups map[string]account.LogGroup      // by name, every group under /aws/lambda/
	mappings  map[string][]account.EventSource // by unqualified function ARN
}

func (l *Reader) prefetch(ctx context.Context) *prefetch {
	pre := &prefetch{}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		groups := map[string]account.LogGroup{}
		p := cloudwatchlogs.NewDescribeLogGroupsPaginator(l.logs, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(lambdaLogPrefix)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return
			}
			for _, g := range page.LogGroups {
				lg := account.LogGroup{
					Name: aws.ToString(g.LogGroupName), Exists: true, ARN: aws.ToString(g.LogGroupArn),
					RetentionDays: int(aws.ToInt32(g.RetentionInDays)), KMSKeyID: aws.ToString(g.KmsKeyId),
				}
				if lg.ARN == "" {
					lg.ARN = strings.TrimSuffix(aws.ToString(g.Arn), ":*")
				}
				groups[lg.Name] = lg
			}
		}
		pre.logGroups = groups
	}()
	go func() {
		defer wg.Done()
		mappings := map[string][]account.EventSource{}
		p := lambda.NewListEventSourceMappingsPaginator(l.lambda, &lambda.ListEventSourceMappingsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return
			}
			for _, m := range page.EventSourceMappings {
				es := eventSourceOf(m)
				base, _ := account.SplitQualifier(es.FunctionARN)
				mappings[base] = append(mappings[base], es)
			}
		}
		pre.mappings = mappings
	}()
	wg.Wait()
	return pre
}

// logGroup returns the prefetched state of a default log group.
func (p *prefetch) logGroup(name string) (account.LogGroup, bool) {
	if p == nil || p.logGroups == nil || !strings.HasPrefix(name, lambdaLogPrefix) {
		return account.LogGroup{}, false
	}
	if lg, ok := p.logGroups[name]; ok {
		return lg, true
	}
	return account.LogGroup{Name: name}, true
}

func (p *prefetch) eventSources(functionARN string) ([]account.EventSource, bool) {
	if p == nil || p.mappings == nil {
		return nil, false
	}
	return p.mappings[functionARN], true
}
