package live

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// TestLiveLayers: a layer version the function uses that was deleted is an
// Unseen entry of lambda:GetLayerVersion with NotFound (the judge's
// layer_not_found cause); one that exists adds nothing; each is asked once
// per reader.
func TestLiveLayers(t *testing.T) {
	s := motoserver.Start(t)
	const acct = "210000000201"
	c, _ := setupAs(t, s, acct)
	ctx := context.Background()
	publish := func(name string) string {
		out, err := c.lambda.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String(name),
			Content: &ltypes.LayerVersionContentInput{ZipFile: functionZip(t)}, CompatibleRuntimes: []ltypes.Runtime{ltypes.RuntimePython312}})
		check(t, err)
		return aws.ToString(out.LayerVersionArn)
	}
	kept, gone := publish("layer-kept"), publish("layer-gone")
	role := c.createRole(t, "layer-role", "/", lambdaTrust)
	for _, fn := range []string{"layer-fn", "layer-fn2"} {
		_, err := c.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(fn), Role: aws.String(role),
			Runtime: ltypes.RuntimePython312, Handler: aws.String("index.handler"), Code: &ltypes.FunctionCode{ZipFile: functionZip(t)},
			Layers: []string{kept, gone}})
		check(t, err)
	}
	_, err := c.lambda.DeleteLayerVersion(ctx, &lambda.DeleteLayerVersionInput{LayerName: aws.String("layer-gone"), VersionNumber: aws.Int64(1)})
	check(t, err)

	l := newTestLive(t, s, s.Endpoint, Options{APIOptions: []func(*middleware.Stack) error{asAccount(acct, "")}})
	for _, fn := range []string{"layer-fn", "layer-fn2"} {
		f, err := l.Function(ctx, fn)
		check(t, err)
		if len(f.Unseen) != 1 || f.Unseen[0].Operation != "lambda:GetLayerVersion" || f.Unseen[0].Resource != gone || !f.Unseen[0].NotFound {
			t.Errorf("%s: unseen %+v, want lambda:GetLayerVersion of %s not found", fn, f.Unseen, gone)
		}
	}
	if calls, _ := l.Calls(); calls["lambda:GetLayerVersion"] != 2 {
		t.Errorf("lambda:GetLayerVersion calls: got %d, want 2 (once per layer version)", calls["lambda:GetLayerVersion"])
	}
}
