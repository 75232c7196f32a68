package account

import (
	"regexp"
	"strings"
)

// ARNField returns field i of an ARN (0 "arn", 1 partition, 2 service,
// 3 region, 4 account, 5 resource), or "" when arn is not an ARN.
func ARNField(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || i < 0 || i > 5 {
		return ""
	}
	return parts[i]
}

// regionName is the shape of every AWS region name: a two- to four-letter
// area, one or more words, and a number (us-east-1, us-gov-west-1,
// cn-northwest-1, us-isob-east-1, eusc-de-east-1). A name of another shape
// cannot be a region; one of this shape that AWS does not know fails later,
// when its endpoint cannot be reached.
var regionName = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)

// IsRegionName reports whether s has the shape of an AWS region name.
func IsRegionName(s string) bool { return regionName.MatchString(s) }

// IsAccountID reports whether s is a 12-digit AWS account id.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// PartitionName is the function's partition: Partition, else the one in its
// ARN, else "aws".
func (fn *Function) PartitionName() string {
	if fn.Partition != "" {
		return fn.Partition
	}
	if p := ARNField(fn.ARN, 1); p != "" {
		return p
	}
	return "aws"
}
