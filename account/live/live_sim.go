package live

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func iamContextEntry(key string, values []string) types.ContextEntry {
	t := types.ContextKeyTypeEnumString
	if len(values) > 1 {
		t = types.ContextKeyTypeEnumStringList
	}
	return types.ContextEntry{ContextKeyName: aws.String(key), ContextKeyValues: values, ContextKeyType: t}
}
