package live

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// checkRegion returns an *account.InputError when region, given by
// source, is not a region name.
func checkRegion(source, region string) error {
	if account.IsRegionName(region) {
		return nil
	}
	return &account.InputError{Source: source, Err: fmt.Errorf("%q is not an AWS region name (like us-east-1)", region)}
}

// functionARN is a parsed Lambda function ARN.
type functionARN struct {
	partition, region, account, name, qualifier string
}

// parseFunctionARN parses arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME
// with an optional :QUALIFIER.
func parseFunctionARN(s string) (functionARN, error) {
	parts := strings.Split(s, ":")
	bad := func(why string) (functionARN, error) {
		return functionARN{}, fmt.Errorf("%q is not a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME): %s", s, why)
	}
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" {
		return bad("wrong number of fields")
	}
	a := functionARN{partition: parts[1], region: parts[3], account: parts[4], name: parts[6]}
	if len(parts) == 8 {
		a.qualifier = parts[7]
	}
	switch {
	case parts[2] != "lambda" || parts[5] != "function":
		return bad("not a function")
	case !strings.HasPrefix(a.partition, "aws"):
		return bad("unknown partition")
	case !account.IsRegionName(a.region):
		return bad(fmt.Sprintf("%q is not a region name", a.region))
	case !account.IsAccountID(a.account):
		return bad(fmt.Sprintf("%q is not a 12-digit account id", a.account))
	case a.name == "" || (len(parts) == 8 && a.qualifier == ""):
		return bad("empty name or qualifier")
	}
	return a, nil
}
