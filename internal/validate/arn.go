package validate

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/internal/term"
	"github.com/lambda-doctor/lambda-doctor/simulate/iamdata"
)

// ARN is a parsed Amazon Resource Name:
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (IAM UG, reference-arns).
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// Partitions are the partitions the AWS SDKs know (partitions.json), each
// with the region-name prefix of its regions; aws, the default, is last.
var partitions = []struct{ id, prefix string }{
	{"aws-cn", "cn-"},
	{"aws-us-gov", "us-gov-"},
	{"aws-iso", "us-iso-"},
	{"aws-iso-b", "us-isob-"},
	{"aws-iso-e", "eu-isoe-"},
	{"aws-iso-f", "us-isof-"},
	{"aws-eusc", "eusc-de-"},
	{"aws", ""},
}

func knownPartition(p string) bool {
	for _, k := range partitions {
		if k.id == p {
			return true
		}
	}
	return false
}

func partitionList() string {
	ids := []string{"aws"}
	for _, p := range partitions {
		if p.id != "aws" {
			ids = append(ids, p.id)
		}
	}
	return strings.Join(ids, ", ")
}

// ParseARN parses s as an ARN and checks each field's shape: a known
// partition, a service, a region name or nothing, a 12-digit account (or
// nothing, or "aws" for AWS managed policies), a resource, and a region
// that belongs to the partition.
func ParseARN(s string) (ARN, error) {
	const form = "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"
	if !strings.HasPrefix(s, "arn:") {
		if s == "" {
			return ARN{}, errorf("ARN", s, "empty ARN; want %s", form)
		}
		return ARN{}, errorf("ARN", s, "%s is not an ARN: an ARN starts with arn: (%s)", show(s), form)
	}
	if term.Unsafe(s) {
		return ARN{}, errorf("ARN", s, "%s holds control characters (a tab, a line break...); an ARN does not", show(s))
	}
	f := strings.SplitN(s, ":", 6)
	// The resource part may hold spaces (an S3 object key such as
	// "out/report 2026-11-25.csv"; S3 User Guide, object-keys); the
	// fields before it may not.
	if i := strings.LastIndex(s, f[len(f)-1]); strings.Contains(s[:i], " ") || len(f) < 6 && strings.Contains(s, " ") {
		return ARN{}, errorf("ARN", s, "%s holds white space before its resource part; an ARN does not", show(s))
	}
	if len(f) < 6 {
		return ARN{}, errorf("ARN", s, "%s is not an ARN: it has %d of the 6 colon-separated fields of %s", show(s), len(f), form)
	}
	a := ARN{Partition: f[1], Service: f[2], Region: f[3], Account: f[4], Resource: f[5]}
	for _, c := range []struct{ name, v string }{{"partition", a.Partition}, {"service", a.Service}, {"resource", a.Resource}} {
		if c.v == "" {
			return ARN{}, errorf("ARN", s, "%s is not an ARN: its %s field is empty (%s)", show(s), c.name, form)
		}
	}
	if !knownPartition(a.Partition) {
		return ARN{}, errorf("ARN", s, "%s names partition %s; the partitions are %s", show(s), show(a.Partition), partitionList())
	}
	if !serviceLike(a.Service) {
		return ARN{}, errorf("ARN", s, "%s has service %s, which is not a service prefix (lower-case letters, digits and dashes)", show(s), show(a.Service))
	}
	if a.Region != "" {
		p, err := regionPartition(a.Region)
		if err != nil {
			return ARN{}, errorf("ARN", s, "%s has region field %s, which is not a region name (such as us-east-1)", show(s), show(a.Region))
		}
		if p != a.Partition {
			return ARN{}, errorf("ARN", s, "%s puts region %s, which is in partition %s, in partition %s", show(s), a.Region, p, a.Partition)
		}
	}
	if a.Account != "" && a.Account != "aws" && !accountID(a.Account) {
		return ARN{}, errorf("ARN", s, "%s has account field %s; an account ID is 12 digits", show(s), show(a.Account))
	}
	return a, nil
}

func serviceLike(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return s != "" && s[0] != '-'
}

func accountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Resource checks that resource is what action acts on in a request:
//   - "*" only for an action that takes no resource (its grants need
//     "Resource": "*", e.g. sts:GetCallerIdentity); any other action is asked
//     for the ARN of one of its resource types;
//   - otherwise a well-formed ARN (ParseARN) of one of the action's resource
//     types, matched against the ARN formats of the service authorization
//     reference; the error names the formats the action accepts;
//   - in partition, when partition (the function's) is not empty.
//
// action must be valid (see Action).
func Resource(action, resource, partition string) error {
	info, ok := iamdata.Action(action)
	if !ok {
		_, err := Action(action)
		if err == nil {
			err = errorf("action", action, "unknown action %s", show(action))
		}
		return err
	}
	name := info.FullName()
	if resource == "*" {
		if info.NeedsStar() {
			return nil
		}
		return errorf("resource", resource, "%s acts on a resource: give its ARN (%s), not \"*\"", name, formats(info))
	}
	a, err := ParseARN(resource)
	if err != nil {
		e := err.(*Error)
		e.What = "resource"
		return e
	}
	if partition != "" && a.Partition != partition {
		return errorf("resource", resource, "%s is in partition %s, the function in %s", show(resource), a.Partition, partition)
	}
	if info.NeedsStar() {
		return errorf("resource", resource, "%s takes no resource-level permission: its resource is \"*\", not %s", name, show(resource))
	}
	if _, ok := iamdata.ResourceTypeOf(name, resource); !ok {
		return errorf("resource", resource, "%s does not act on %s: it takes %s", name, show(resource), formats(info))
	}
	return nil
}

// formats lists the ARN formats of an action's resource types, e.g.
// "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName} (table)".
func formats(info iamdata.ActionInfo) string {
	const max = 4
	var out []string
	for _, rt := range info.ResourceTypes {
		for _, f := range rt.ARNFormats {
			out = append(out, f+" ("+rt.Name+")")
		}
	}
	if len(out) == 0 {
		return "no resource type"
	}
	if len(out) > max {
		return strings.Join(out[:max], " or ") + fmt.Sprintf(" or %d more", len(out)-max)
	}
	return strings.Join(out, " or ")
}
