package validate

import (
	"errors"
	"strings"
)

// Region checks that r is a region name, such as us-east-1, us-gov-west-1,
// cn-north-1 or eu-isoe-west-1, and returns its partition.
//
// The rule is the syntax every region name has, a geography code of two to
// four letters, one or more words and a number (us-east-1, eusc-de-east-1),
// and the partition comes from the region-name prefixes of the AWS SDKs'
// partitions.json (cn- is aws-cn, us-gov- is aws-us-gov, ...). There is
// no list of regions to rot as regions open; a name of the right shape in no
// other partition is in aws, as the SDKs resolve it. Availability zones
// (us-east-1a), upper case, underscores and missing dashes are refused.
func Region(r string) (partition string, err error) {
	p, err := regionPartition(r)
	if err != nil {
		return "", errorf("region", r, "%s is not a region name: %s (e.g. us-east-1, eu-west-2, us-gov-west-1, cn-north-1)", show(r), err)
	}
	return p, nil
}

// PartitionOf is the partition of a valid region name ("aws" when r is not
// one; check it with Region first).
func PartitionOf(r string) string {
	p, err := regionPartition(r)
	if err != nil {
		return "aws"
	}
	return p
}

func regionPartition(r string) (string, error) {
	if r == "" {
		return "", errors.New("it is empty")
	}
	if len(r) > 32 {
		return "", errors.New("it is too long")
	}
	for i := 0; i < len(r); i++ {
		switch c := r[i]; {
		case 'A' <= c && c <= 'Z':
			return "", errors.New("region names are lower case")
		case !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-'):
			return "", errors.New("region names hold only lower-case letters, digits and dashes")
		}
	}
	words := strings.Split(r, "-")
	if len(words) < 3 {
		return "", errors.New("a region name has a geography code, a word and a number, joined by dashes")
	}
	for i, w := range words {
		if w == "" {
			return "", errors.New("it has an empty part between dashes")
		}
		last := i == len(words)-1
		for j := 0; j < len(w); j++ {
			c := w[j]
			switch {
			case 'a' <= c && c <= 'z':
				if last {
					if j > 0 && '0' <= w[0] && w[0] <= '9' {
						return "", errors.New("it ends in a letter after its number: an availability zone, not a region")
					}
					return "", errors.New("it does not end in a number")
				}
			case '0' <= c && c <= '9':
				if !last {
					return "", errors.New("only its last part is a number")
				}
			}
		}
	}
	if len(words[0]) < 2 || len(words[0]) > 4 {
		return "", errors.New("its first part, the geography code, has two to four letters")
	}
	if len(words[len(words)-1]) > 2 {
		return "", errors.New("its number has more than two digits")
	}
	for _, p := range partitions {
		if p.prefix != "" && strings.HasPrefix(r, p.prefix) {
			return p.id, nil
		}
	}
	return "aws", nil
}
