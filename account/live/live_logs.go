package live

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/lambda-doctor/lambda-doctor/internal/errtext"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// maxFilterPages bounds the pages of FilterLogEvents read per function: a
// large group with few matches answers many near-empty pages.
const maxFilterPages = 5

func (l *Reader) readLogs(ctx context.Context, r *fnRead) error {
	name := r.f.Config.Logging.LogGroup
	lg, ok := r.pre.logGroup(name)
	if !ok {
		lg = account.LogGroup{Name: name}
		known, err := l.describeLogGroup(ctx, r, &lg)
		if !known {
			return err
		}
	}
	if !lg.Exists {
		r.do(func(f *account.Function) { f.LogGroups = append(f.LogGroups, lg) })
		return nil
	}

	var g group
	g.Go(func() error {
		out, err := l.logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{
			LogGroupName: aws.String(name), OrderBy: "LastEventTime", Descending: aws.Bool(true), Limit: aws.Int32(1),
		})
		if err != nil {
			return r.unseen(ctx, "logs:DescribeLogStreams", lg.ARN, err)
		}
		if len(out.LogStreams) > 0 && out.LogStreams[0].LastEventTimestamp != nil {
			t := time.UnixMilli(*out.LogStreams[0].LastEventTimestamp).UTC()
			lg.LastEvent = &t
		}
		return nil
	})
	var denials []account.Denial
	g.Go(func() error {
		start := time.Now().Add(-l.opts.LogWindow)
		fp := cloudwatchlogs.NewFilterLogEventsPaginator(l.logs, &cloudwatchlogs.FilterLogEventsInput{
			LogGroupName:  aws.String(name),
			StartTime:     aws.Int64(start.UnixMilli()),
			FilterPattern: aws.String(errtext.FilterPattern),
		})
		for n := 0; fp.HasMorePages() && n < maxFilterPages && len(denials) < l.opts.MaxDenials; n++ {
			page, err := fp.NextPage(ctx)
			if err != nil {
				return r.unseen(ctx, "logs:FilterLogEvents", lg.ARN, err)
			}
			for _, e := range page.Events {
				msg := strings.TrimSpace(aws.ToString(e.Message))
				// errtext.FilterPattern asks CloudWatch Logs for the lines
				// errtext.Parse may accept; they are checked again here,
				// since an emulator (moto) ignores "?" patterns.
				if !errtext.IsDenialLine(msg) || len(denials) >= l.opts.MaxDenials {
					continue
				}
				d, ok := parseDenial(msg)
				if !ok {
					continue
				}
				d.Time = time.UnixMilli(aws.ToInt64(e.Timestamp)).UTC()
				d.LogGroup = name
				d.Stream = aws.ToString(e.LogStreamName)
				denials = append(denials, d)
			}
		}
		return nil
	})
	err := g.Wait()
	r.do(func(f *account.Function) {
		f.LogGroups = append(f.LogGroups, lg)
		f.Denials = append(f.Denials, denials...)
	})
	return err
}

// parseDenial parses a log line with errtext. A line errtext says is not a
// denial is dropped; when errtext fails otherwise the line is kept as is.
func parseDenial(msg string) (account.Denial, bool) {
	d := account.Denial{Message: truncate(msg, maxDenialMessage)}
	p, err := errtext.Parse(msg)
	if err != nil {
		return d, !errors.Is(err, errtext.ErrNotDenial)
	}
	d.Kind = string(p.Kind)
	d.Principal, d.Action, d.Resource = p.Principal, p.Action, p.Resource
	if d.Resource == "" {
		d.Resource = p.Function
	}
	switch {
	case p.PolicyType == "":
	case p.Explicit:
		d.Reason = "explicit deny in a " + policyTypeWords(p.PolicyType)
	default:
		d.Reason = "no " + policyTypeWords(p.PolicyType) + " allows"
	}
	return d, true
}

func policyTypeWords(t string) string {
	if strings.HasSuffix(t, "policy") || strings.HasSuffix(t, "boundary") {
		return t
	}
	return t + " policy"
}

// describeLogGroup fills lg (named) from DescribeLogGroups. known is false
// when the read failed (recorded in account.Unseen).
func (l *Reader) describeLogGroup(ctx context.Context, r *fnRead, lg *account.LogGroup) (known bool, err error) {
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(l.logs, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(lg.Name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, r.unseen(ctx, "logs:DescribeLogGroups", lg.Name, err)
		}
		for _, g := range page.LogGroups {
			if aws.ToString(g.LogGroupName) != lg.Name {
				continue
			}
			lg.Exists = true
			lg.ARN = aws.ToString(g.LogGroupArn)
			if lg.ARN == "" {
				lg.ARN = strings.TrimSuffix(aws.ToString(g.Arn), ":*")
			}
			lg.RetentionDays = int(aws.ToInt32(g.RetentionInDays))
			lg.KMSKeyID = aws.ToString(g.KmsKeyId)
			return true, nil
		}
	}
	return true, nil
}

// maxDenialMessage bounds a kept log line: a denial is one sentence, and a
// line may carry a whole request dump.
const maxDenialMessage = 4096

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
