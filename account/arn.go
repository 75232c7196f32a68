package account

import "strings"

// ARNField returns field i of an ARN (0 "arn", 1 partition, 2 service,
// 3 region, 4 account, 5 resource), or "" when arn is not an ARN.
func ARNField(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || i < 0 || i > 5 {
		return ""
	}
	return parts[i]
}

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
