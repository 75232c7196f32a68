package live

import (
	"context"
	"sort"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// The tags of the resources a function's requests name
// (account.Function.ResourceTags): the sources of its event source
// mappings, its dead-letter target, its destinations and the KMS keys it
// depends on, read with the Resource Groups Tagging API's GetResources
// (tag:GetResources), ResourceARNList up to 100 ARNs a call, once per
// region.
//
// An ARN asked and absent from the answer has no tags: the Resource Groups
// Tagging API reference, GetResources, says "GetResources does not return
// untagged resources" and, of ResourceARNList, "If a resource specified by
// this parameter doesn't exist, it doesn't generate an error; it simply
// isn't included in the response". GetResources returns the resources
// "located in the specified Amazon Web Services Region for the account":
// only ARNs of the reader's account with a region are asked (an S3
// bucket's ARN has none; another account's resource is not the caller's
// to list); the others stay unread, and a condition on their tags
// undecided. A refused or failed call is in Unseen with tag:GetResources,
// its ARNs unread.
//
// The client is pinned below v1.42.0, which speaks Smithy RPC v2 CBOR
// first: moto 5.2 answers the AWS JSON 1.1 protocol only (seen:
// TestLiveResourceTags, e2e TestResourceTagsReadLive), and AWS serves both.

// maxTagARNs is the most ARNs one GetResources call takes in
// ResourceARNList (Resource Groups Tagging API reference, GetResources:
// 1 to 100 items).
const maxTagARNs = 100

// ResourceTags reads the tags of arns (account.TagSource): the tags of
// each resource whose tags were read, an empty map for one that has none,
// and the calls that were refused or failed. An ARN in neither was not
// asked (another account's, or one without a region).
func (l *Reader) ResourceTags(ctx context.Context, arns []string) (map[string]map[string]string, []account.Unseen, error) {
	byRegion := map[string][]string{}
	seen := map[string]bool{}
	for _, a := range arns {
		region := account.ARNField(a, 3)
		if seen[a] || region == "" || account.ARNField(a, 4) != l.origin.Account {
			continue
		}
		seen[a] = true
		byRegion[region] = append(byRegion[region], a)
	}
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	type batch struct {
		region string
		arns   []string
		tags   map[string]map[string]string
		unseen *account.Unseen
	}
	var batches []*batch
	for _, r := range regions {
		as := byRegion[r]
		for len(as) > 0 {
			n := min(len(as), maxTagARNs)
			batches = append(batches, &batch{region: r, arns: as[:n]})
			as = as[n:]
		}
	}
	var g group
	for _, b := range batches {
		g.Go(func() error {
			tags, u, err := l.inRegion(b.region).getResources(ctx, b.arns)
			b.tags, b.unseen = tags, u
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	out := map[string]map[string]string{}
	var unseen []account.Unseen
	for _, b := range batches {
		if b.unseen != nil {
			unseen = append(unseen, *b.unseen)
			continue
		}
		for a, t := range b.tags {
			out[a] = t
		}
	}
	return out, unseen, nil
}

// getResources asks GetResources for arns (at most maxTagARNs, all of this
// reader's region and account) in one call.
func (l *Reader) getResources(ctx context.Context, arns []string) (map[string]map[string]string, *account.Unseen, error) {
	out, err := l.tagging.GetResources(ctx, &resourcegroupstaggingapi.GetResourcesInput{ResourceARNList: arns})
	if err != nil {
		resource := arns[0]
		if len(arns) > 1 {
			resource += " and " + strconv.Itoa(len(arns)-1) + " more"
		}
		u, stop := unseenFor(ctx, "tag:GetResources", resource, err)
		if stop != nil {
			return nil, nil, stop
		}
		return nil, &u, nil
	}
	tags := make(map[string]map[string]string, len(arns))
	for _, a := range arns {
		tags[a] = map[string]string{} // absent from the answer: untagged
	}
	for _, m := range out.ResourceTagMappingList {
		a := aws.ToString(m.ResourceARN)
		t, asked := tags[a]
		if !asked {
			continue
		}
		for _, tag := range m.Tags {
			t[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
	}
	return tags, nil, nil
}

// readResourceTags sets f.ResourceTags to the tags of the resources the
// function's requests name (account.Function.TaggedResources).
func (l *Reader) readResourceTags(ctx context.Context, r *fnRead) error {
	var arns []string
	r.do(func(f *account.Function) { arns = f.TaggedResources() })
	if len(arns) == 0 {
		return nil
	}
	tags, unseen, err := l.ResourceTags(ctx, arns)
	if err != nil {
		return err
	}
	r.do(func(f *account.Function) {
		if len(tags) > 0 {
			f.ResourceTags = tags
		}
		f.Unseen = append(f.Unseen, unseen...)
	})
	return nil
}
