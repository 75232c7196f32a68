package live

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// cloudfrontOrigins are the distributions whose origin is a function URL
// behind an origin access control, by the URL's host (lower case).
type cloudfrontOrigins struct {
	byHost map[string][]cfOrigin
	unseen []account.Unseen
}

type cfOrigin struct {
	distID, distDomain, originID, oacID string
	signing                             string // the OAC's SigningBehavior: always, never, no-override; "" unknown
}

// cloudfrontIndex lists the account's distributions (CloudFront is global;
// at most Limits["cloudfront"]) and keeps the origins that are a function
// URL (HOST.lambda-url.REGION.on.aws) with an origin access control, then
// reads the origin access controls (one ListOriginAccessControls) for their
// signing behavior. ListDistributions answers each distribution's origins,
// so no GetDistribution is needed.
//
// With an origin access control, CloudFront signs its requests to the
// function URL and calls it as cloudfront.amazonaws.com with the
// distribution ARN as SourceArn: the URL's auth type must be AWS_IAM and
// the function's resource policy must allow lambda:InvokeFunctionUrl to
// that principal (CloudFront developer guide, "Restrict access to an AWS
// Lambda function URL origin"; aws-cdk#35872). Function URLs created since
// October 2025 need lambda:InvokeFunction too (Lambda developer guide,
// "Control access to Lambda function URLs").
func (l *Reader) cloudfrontIndex(ctx context.Context) (cloudfrontOrigins, error) {
	return l.trig.cloudfront.get(ctx, func(ctx context.Context) (cloudfrontOrigins, error) {
		ctx, cancel := l.listing(ctx)
		defer cancel()
		var x cloudfrontOrigins
		all := fmt.Sprintf("arn:%s:cloudfront::%s:distribution/*", l.origin.Partition, l.origin.Account)
		p := cloudfront.NewListDistributionsPaginator(l.cloudfront, &cloudfront.ListDistributionsInput{MaxItems: aws.Int32(100)})
		unseen, err := listEach(ctx, l, regionListing{list: "cloudfront:ListDistributions", op: "cloudfront:ListDistributions", all: all,
			kind: "cloudfront", items: "distributions", finds: "function URL origins", off: "CloudFront distributions"},
			sdkPages(p.HasMorePages, p.NextPage, func(o *cloudfront.ListDistributionsOutput) []cftypes.DistributionSummary {
				if o.DistributionList == nil {
					return nil
				}
				return o.DistributionList.Items
			}),
			x.addDistribution)
		x.unseen = append(x.unseen, unseen...)
		if err != nil {
			return x, err
		}
		if len(x.byHost) == 0 {
			return x, nil
		}
		// The signing behavior of the origin access controls in use.
		signing := map[string]string{}
		op := cloudfront.NewListOriginAccessControlsPaginator(l.cloudfront, &cloudfront.ListOriginAccessControlsInput{})
		for op.HasMorePages() {
			page, err := op.NextPage(ctx)
			if err != nil {
				u, stop := unseenFor(ctx, "cloudfront:ListOriginAccessControls", fmt.Sprintf("arn:%s:cloudfront::%s:origin-access-control/*", l.origin.Partition, l.origin.Account), err)
				if stop != nil {
					return x, stop
				}
				x.unseen = append(x.unseen, u)
				break
			}
			if page.OriginAccessControlList == nil {
				break
			}
			for _, o := range page.OriginAccessControlList.Items {
				signing[aws.ToString(o.Id)] = string(o.SigningBehavior)
			}
		}
		for host, origins := range x.byHost {
			for i := range origins {
				origins[i].signing = signing[origins[i].oacID]
			}
			x.byHost[host] = origins
		}
		return x, nil
	})
}

func (x *cloudfrontOrigins) addDistribution(d cftypes.DistributionSummary) {
	if d.Origins == nil {
		return
	}
	for _, o := range d.Origins.Items {
		host := strings.ToLower(aws.ToString(o.DomainName))
		oac := aws.ToString(o.OriginAccessControlId)
		if oac == "" || !strings.Contains(host, ".lambda-url.") {
			continue
		}
		if x.byHost == nil {
			x.byHost = map[string][]cfOrigin{}
		}
		x.byHost[host] = append(x.byHost[host], cfOrigin{distID: aws.ToString(d.Id), distDomain: aws.ToString(d.DomainName), originID: aws.ToString(o.Id), oacID: oac})
	}
}

// readCloudFront adds the distributions in front of r.f's function URLs
// (read before: URL configs come from the function's own reads).
func (l *Reader) readCloudFront(ctx context.Context, r *fnRead) error {
	x, err := l.cloudfrontIndex(ctx)
	if err != nil {
		return err
	}
	r.mu.Lock() // readKeys runs at the same time
	defer r.mu.Unlock()
	f := r.f
	f.Unseen = append(f.Unseen, x.unseen...)
	for _, u := range f.URLConfigs {
		parsed, err := url.Parse(u.URL)
		if err != nil {
			continue
		}
		for _, o := range x.byHost[strings.ToLower(parsed.Hostname())] {
			t := account.Trigger{Kind: account.TriggerCloudFront, Principal: "cloudfront.amazonaws.com",
				SourceARN:     fmt.Sprintf("arn:%s:cloudfront::%s:distribution/%s", l.origin.Partition, l.origin.Account, o.distID),
				SourceAccount: l.origin.Account, Qualifier: u.Qualifier,
				Name:  fmt.Sprintf("origin %s of CloudFront distribution %s (%s)", o.originID, o.distID, o.distDomain),
				Notes: []string{"CloudFront calls the function URL with lambda:InvokeFunctionUrl; function URLs created since October 2025 also need lambda:InvokeFunction"}}
			switch {
			case u.AuthType != "AWS_IAM":
				t.Notes = append(t.Notes, "the function URL's auth type is "+u.AuthType+": it does not check CloudFront's signature, and anyone may call the URL directly; an origin access control needs AWS_IAM")
			case o.signing == "never":
				t.Notes = append(t.Notes, "origin access control "+o.oacID+" never signs: CloudFront's unsigned requests are refused by the AWS_IAM function URL")
			}
			f.Triggers = account.AddTrigger(f.Triggers, t)
		}
	}
	return nil
}
