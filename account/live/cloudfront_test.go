package live

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// cannedDistributions is a ListDistributions answer shaped as AWS's (API
// reference, ListDistributions: each DistributionSummary carries its
// Origins). moto 5.2 answers summaries without origins, so CloudFront
// discovery cannot be tested against moto alone: the test proxy answers
// this instead, and moto everything else (the function URL, the origin
// access controls).
func cannedDistributions(origins ...[4]string) string {
	var items strings.Builder
	for _, o := range origins { // distribution id, domain, origin host, OAC id
		oac := ""
		if o[3] != "" {
			oac = "<OriginAccessControlId>" + o[3] + "</OriginAccessControlId>"
		}
		fmt.Fprintf(&items, `<DistributionSummary><Id>%s</Id><ARN>arn:aws:cloudfront::123456789012:distribution/%s</ARN><Status>Deployed</Status>`+
			`<DomainName>%s</DomainName><Enabled>true</Enabled><Origins><Quantity>1</Quantity><Items><Origin><Id>fnurl</Id><DomainName>%s</DomainName>`+
			`<OriginPath></OriginPath>%s<CustomOriginConfig><HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort><OriginProtocolPolicy>https-only</OriginProtocolPolicy>`+
			`</CustomOriginConfig></Origin></Items></Origins></DistributionSummary>`, o[0], o[0], o[1], o[2], oac)
	}
	return `<?xml version="1.0" encoding="UTF-8"?><DistributionList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">` +
		fmt.Sprintf(`<Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>%d</Quantity><Items>%s</Items></DistributionList>`, len(origins), items.String())
}

// A CloudFront distribution with an origin access control in front of the
// function URL is a trigger (cloudfront.amazonaws.com, the distribution
// ARN); one without an OAC, or in front of another URL, is not; an OAC
// that never signs, and a URL whose auth type is NONE, get a note.
func TestLiveCloudFrontTriggers(t *testing.T) {
	s := motoserver.Start(t)
	c := newSetup(t, s)
	ctx := context.Background()
	c.createFunction(t, "cf-fn", c.createRole(t, "cf-role", "/", lambdaTrust), nil)
	out, err := c.lambda.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("cf-fn"), AuthType: ltypes.FunctionUrlAuthTypeAwsIam})
	check(t, err)
	u, err := url.Parse(aws.ToString(out.FunctionUrl))
	check(t, err)
	host := u.Hostname()
	oac := func(name, signing string) string {
		return strings.TrimSpace(s.AWS(t, "cloudfront", "create-origin-access-control", "--origin-access-control-config",
			fmt.Sprintf("Name=%s,SigningProtocol=sigv4,SigningBehavior=%s,OriginAccessControlOriginType=lambda", name, signing),
			"--query", "OriginAccessControl.Id", "--output", "text"))
	}
	always, never := oac("cf-always", "always"), oac("cf-never", "never")

	p := newFaultProxy(t, s.Endpoint)
	p.answer("cloudfront:ListDistributions", cannedDistributions(
		[4]string{"E1SIGNS", "d111.cloudfront.net", strings.ToUpper(host), always}, // hosts compare without case
		[4]string{"E2NEVER", "d222.cloudfront.net", host, never},
		[4]string{"E3PUBLIC", "d333.cloudfront.net", host, ""},                                              // no OAC: not an IAM invoker
		[4]string{"E4OTHER", "d444.cloudfront.net", "0123456789abcdef.lambda-url.us-east-1.on.aws", always}, // another URL
	))
	action := "CloudFront calls the function URL with lambda:InvokeFunctionUrl; function URLs created since October 2025 also need lambda:InvokeFunction"
	trigger := func(id, domain string, notes ...string) account.Trigger {
		return account.Trigger{Kind: "cloudfront", Principal: "cloudfront.amazonaws.com", SourceARN: "arn:aws:cloudfront::123456789012:distribution/" + id,
			SourceAccount: "123456789012", Name: fmt.Sprintf("origin fnurl of CloudFront distribution %s (%s)", id, domain), Notes: append([]string{action}, notes...)}
	}
	read := func() *account.Function {
		t.Helper()
		l := newTestLive(t, s, p.URL, Options{APIOptions: []func(*middleware.Stack) error{tagOperations}})
		f, err := l.Function(ctx, "cf-fn")
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Unseen) != 0 {
			t.Errorf("unseen: %+v", f.Unseen)
		}
		var cf []account.Trigger
		for _, tr := range f.Triggers {
			if tr.Kind == "cloudfront" {
				cf = append(cf, tr)
			}
		}
		return &account.Function{Triggers: cf}
	}
	want := []account.Trigger{
		trigger("E1SIGNS", "d111.cloudfront.net"),
		trigger("E2NEVER", "d222.cloudfront.net", "origin access control "+never+" never signs: CloudFront's unsigned requests are refused by the AWS_IAM function URL"),
	}
	if got := read().Triggers; !reflect.DeepEqual(got, want) {
		t.Errorf("AWS_IAM URL:\n got %+v\nwant %+v", got, want)
	}

	_, err = c.lambda.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("cf-fn"), AuthType: ltypes.FunctionUrlAuthTypeNone})
	check(t, err)
	none := "the function URL's auth type is NONE: it does not check CloudFront's signature, and anyone may call the URL directly; an origin access control needs AWS_IAM"
	want = []account.Trigger{trigger("E1SIGNS", "d111.cloudfront.net", none), trigger("E2NEVER", "d222.cloudfront.net", none)}
	if got := read().Triggers; !reflect.DeepEqual(got, want) {
		t.Errorf("NONE URL:\n got %+v\nwant %+v", got, want)
	}
}
