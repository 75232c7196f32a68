package live

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// A function given as an ARN is read in the ARN's region, whatever the
// configured region: two functions of the same name in two regions, and
// the reader configured for the other one.
func TestLiveFunctionARNRegion(t *testing.T) {
	s := motoserver.Start(t)
	c := newSetup(t, s)
	ctx := context.Background()
	eastRole := c.createRole(t, "twin-east-role", "/", lambdaTrust)
	westRole := c.createRole(t, "twin-west-role", "/", lambdaTrust)
	eastARN := c.createFunction(t, "twin", eastRole, map[string]string{"EAST": "1"})
	cfg, err := config.LoadDefaultConfig(ctx, config.WithBaseEndpoint(s.Endpoint), config.WithRegion("us-west-2"))
	check(t, err)
	west := lambda.NewFromConfig(cfg)
	out, err := west.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("twin"), Role: aws.String(westRole),
		Runtime: ltypes.RuntimePython312, Handler: aws.String("index.handler"), Code: &ltypes.FunctionCode{ZipFile: functionZip(t)},
		Environment: &ltypes.Environment{Variables: map[string]string{"WEST": "1"}}})
	check(t, err)
	westARN := aws.ToString(out.FunctionArn)
	_, err = west.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("twin"), StatementId: aws.String("west-only"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com")})
	check(t, err)
	if !strings.Contains(westARN, ":us-west-2:") {
		t.Fatalf("moto made %s", westARN)
	}

	l := newTestLive(t, s, s.Endpoint, Options{Region: "us-east-1"})
	for _, tc := range []struct {
		name, arg string
		wantARN   string
		wantRole  string
		wantEnv   string
	}{
		{"name in the configured region", "twin", eastARN, eastRole, "EAST"},
		{"ARN of another region", westARN, westARN, westRole, "WEST"},
		{"qualified ARN of another region", westARN + ":$LATEST", westARN, westRole, "WEST"},
		{"ARN of the configured region", eastARN, eastARN, eastRole, "EAST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := l.Function(ctx, tc.arg)
			if err != nil {
				t.Fatal(err)
			}
			if f.ARN != tc.wantARN || f.Config.RoleARN != tc.wantRole || f.Role == nil || f.Role.ARN != tc.wantRole ||
				len(f.Config.EnvironmentKeys) != 1 || f.Config.EnvironmentKeys[0] != tc.wantEnv {
				t.Errorf("got %s role %s env %v, want %s role %s env %s", f.ARN, f.Config.RoleARN, f.Config.EnvironmentKeys, tc.wantARN, tc.wantRole, tc.wantEnv)
			}
			wantPolicy := tc.wantEnv == "WEST"
			if got := len(f.ResourcePolicies) > 0 && strings.Contains(f.ResourcePolicies[0].Document, "west-only"); got != wantPolicy {
				t.Errorf("resource policy %+v: the west statement read %v, want %v", f.ResourcePolicies, got, wantPolicy)
			}
			if len(f.Unseen) != 0 {
				t.Errorf("unseen: %+v", f.Unseen)
			}
		})
	}
	if o := l.Origin(); o.Region != "us-east-1" {
		t.Errorf("the reader's origin moved to %s", o.Region)
	}

	// Another account's ARN: an access error, and no read of the namesake.
	calls, _ := l.Calls()
	_, err = l.Function(ctx, "arn:aws:lambda:us-east-1:111122223333:function:twin")
	var ae *account.AccessError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "in account 111122223333") || !strings.Contains(err.Error(), "credentials are of account 123456789012") {
		t.Fatalf("got %v, want an *account.AccessError naming both accounts", err)
	}
	after, _ := l.Calls()
	if after["lambda:GetFunction"] != calls["lambda:GetFunction"] {
		t.Errorf("lambda:GetFunction was called for another account's function")
	}
	// A broken ARN is bad input.
	_, err = l.Function(ctx, "arn:aws:lambda:us-east-l:123456789012:function:twin")
	var ie *account.InputError
	if !errors.As(err, &ie) {
		t.Errorf("got %v, want an *account.InputError", err)
	}
}
