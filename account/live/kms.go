package live

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kintypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// KMS keys a function depends on (account.Key): the key of its environment
// (Config.KMSKeyARN), the key of each queue, stream and topic it reads
// from or sends to (Function.ResourceKeys: sqs:GetQueueAttributes
// KmsMasterKeyId, kinesis:DescribeStreamSummary KeyId,
// sns:GetTopicAttributes KmsMasterKeyId, resolved to the key ARN with
// kms:DescribeKey), and the key a trigger encrypts with (a Cognito custom
// sender). Each key is read once per Reader, whichever functions share it:
// kms:DescribeKey (state, manager), kms:GetKeyPolicy (the "default"
// policy, the only name a key policy has) and kms:ListGrants, concurrently.
// A read that is refused or fails is named in the key's Unseen with the
// permission; the judge then assumes the default key policy, and says so.
//
// GetKeyPolicy works only in the key's own account (AWS KMS API
// reference, GetKeyPolicy: "Cross-account use: No"); DescribeKey and
// ListGrants take a key ARN of another account.

// maxGrants bounds the grants listed per key (ten pages of 100).
const maxGrants = 1000

// keyMeta is what kms:DescribeKey said of a key reference.
type keyMeta struct {
	arn, id, state, manager string
	deletion                *time.Time
	unseen                  *account.Unseen
}

type keyEntry struct {
	done chan struct{}
	key  *account.Key
	err  error
}

// keyedResources returns the resources among arns whose key may matter:
// queues, streams and topics.
func keyedResources(arns ...string) []string {
	var out []string
	for _, a := range arns {
		switch account.ARNField(a, 2) {
		case "sqs", "sns", "kinesis":
			out = append(out, a)
		}
	}
	return out
}

// readResourceKeys adds to f.ResourceKeys the key of each of resources
// (queues, streams, topics the function reads from or sends to) and reads
// those keys, as soon as the resources are known: they do not wait for the
// rest of the function's reads.
func (l *Reader) readResourceKeys(ctx context.Context, r *fnRead, resources []string) error {
	rks := make([]*account.ResourceKey, len(resources))
	var g group
	for i, res := range resources {
		g.Go(func() error {
			rk, err := l.resourceKey(ctx, r, res)
			if err != nil || rk == nil {
				return err
			}
			rks[i] = rk
			_, err = l.key(ctx, rk.KeyARN)
			return err
		})
	}
	err := g.Wait()
	r.do(func(f *account.Function) {
		for _, rk := range rks {
			if rk != nil && f.KeyOf(rk.Resource) == "" {
				f.ResourceKeys = append(f.ResourceKeys, *rk)
			}
		}
	})
	return err
}

// readKeys sets f.Keys once everything that names a key (configuration,
// event sources, destinations, triggers) was read; most keys were read
// already (readResourceKeys, the environment's key) and come from the
// reader's cache.
func (l *Reader) readKeys(ctx context.Context, r *fnRead) error {
	var arns []string
	r.do(func(f *account.Function) { arns = f.KeyARNs() })
	keys := make([]*account.Key, len(arns))
	var g group
	for i, arn := range arns {
		if account.ARNField(arn, 2) != "kms" || !strings.HasPrefix(account.ARNField(arn, 5), "key/") {
			continue // an alias or a key id the source named: not resolved here
		}
		g.Go(func() error {
			k, err := l.key(ctx, arn)
			keys[i] = k
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	r.do(func(f *account.Function) {
		for _, k := range keys {
			if k != nil {
				f.Keys = append(f.Keys, k)
			}
		}
	})
	return nil
}

// resourceKey reads which key encrypts resource, a queue, stream or topic;
// nil when none does (or a key AWS owns, as SQS-managed encryption) or it
// could not be read (then named in the function's Unseen).
func (l *Reader) resourceKey(ctx context.Context, r *fnRead, resource string) (*account.ResourceKey, error) {
	region, acct := account.ARNField(resource, 3), account.ARNField(resource, 4)
	rr := l.inRegion(region)
	var ref, op string
	var err error
	switch account.ARNField(resource, 2) {
	case "sqs":
		op = "sqs:GetQueueAttributes"
		// The queue URL from its ARN (SQS DG, sqs-queue-message-identifiers:
		// https://sqs.REGION.amazonaws.com/ACCOUNT/NAME).
		queueURL := fmt.Sprintf("https://sqs.%s.%s/%s/%s", region, dnsSuffix(l.origin.Partition), acct, account.ARNField(resource, 5))
		var out *sqs.GetQueueAttributesOutput
		out, err = rr.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameKmsMasterKeyId}})
		if err == nil {
			ref = out.Attributes[string(sqstypes.QueueAttributeNameKmsMasterKeyId)]
		}
	case "kinesis":
		op = "kinesis:DescribeStreamSummary"
		var out *kinesis.DescribeStreamSummaryOutput
		out, err = rr.kinesis.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(resource)})
		if err == nil && out.StreamDescriptionSummary != nil && out.StreamDescriptionSummary.EncryptionType == kintypes.EncryptionTypeKms {
			ref = aws.ToString(out.StreamDescriptionSummary.KeyId)
		}
	case "sns":
		op = "sns:GetTopicAttributes"
		var out *sns.GetTopicAttributesOutput
		out, err = rr.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(resource)})
		if err == nil {
			ref = out.Attributes["KmsMasterKeyId"]
		}
	}
	if err != nil {
		if classify(ctx, err) == errNotFound {
			return nil, nil // no such resource, so no key to depend on
		}
		return nil, r.unseen(ctx, op, resource, err)
	}
	if ref == "" {
		return nil, nil
	}
	arn := keyARNOf(ref, l.origin.Partition, region, acct)
	if arn == "" { // an alias: DescribeKey names the key
		m, err := rr.describeKey(ctx, ref)
		if err != nil {
			return nil, err
		}
		if m.unseen != nil {
			u := *m.unseen
			u.Resource = resource + " (key " + ref + ")"
			r.do(func(f *account.Function) { f.Unseen = append(f.Unseen, u) })
			return nil, nil
		}
		arn = m.arn
	}
	return &account.ResourceKey{Resource: resource, KeyARN: arn}, nil
}

// keyARNOf is the key ARN a reference names, when it names one without a
// read: a key ARN, or a key id of the resource's region and account; ""
// for an alias.
func keyARNOf(ref, partition, region, acct string) string {
	switch {
	case strings.HasPrefix(ref, "arn:") && strings.HasPrefix(account.ARNField(ref, 5), "key/"):
		return ref
	case strings.HasPrefix(ref, "arn:") || strings.HasPrefix(ref, "alias/"):
		return ""
	}
	return fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", partition, region, acct, ref)
}

func dnsSuffix(partition string) string {
	switch partition {
	case "aws-cn":
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// describeKey reads kms:DescribeKey of ref (a key ARN, a key id, an alias
// name or alias ARN) in this reader's region, once per reader whatever the
// number of functions asking. A refused or failed read is in unseen.
func (l *Reader) describeKey(ctx context.Context, ref string) (*keyMeta, error) {
	l.mu.Lock()
	z := l.keyMetas[l.origin.Region+" "+ref]
	if z == nil {
		z = &lazy[*keyMeta]{}
		l.keyMetas[l.origin.Region+" "+ref] = z
	}
	l.mu.Unlock()
	return z.get(ctx, func(ctx context.Context) (*keyMeta, error) {
		out, err := l.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		if err != nil {
			u, stop := unseenFor(ctx, "kms:DescribeKey", ref, err)
			if stop != nil {
				return nil, stop
			}
			return &keyMeta{unseen: &u}, nil
		}
		m := &keyMeta{}
		if km := out.KeyMetadata; km != nil {
			m.arn, m.id = aws.ToString(km.Arn), aws.ToString(km.KeyId)
			m.state, m.manager = string(km.KeyState), string(km.KeyManager)
			if km.DeletionDate != nil {
				d := km.DeletionDate.UTC()
				m.deletion = &d
			}
		}
		return m, nil
	})
}

// key reads the key with ARN arn once for every function that depends on
// it: its metadata, policy and grants, concurrently.
func (l *Reader) key(ctx context.Context, arn string) (*account.Key, error) {
	for {
		l.mu.Lock()
		e := l.keys[arn]
		if e == nil {
			e = &keyEntry{done: make(chan struct{})}
			l.keys[arn] = e
			l.mu.Unlock()
			e.key, e.err = l.inRegion(account.ARNField(arn, 3)).readKey(ctx, arn)
			if e.err != nil {
				l.mu.Lock()
				delete(l.keys, arn) // not cached: the next reader tries again
				l.mu.Unlock()
			}
			close(e.done)
			return e.key, e.err
		}
		l.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("kms:DescribeKey %s: %w", arn, ctx.Err())
		}
		if e.err == nil {
			return e.key, nil
		}
		if ctx.Err() != nil {
			return nil, e.err
		}
	}
}

func (l *Reader) readKey(ctx context.Context, arn string) (*account.Key, error) {
	k := &account.Key{ARN: arn, KeyID: strings.TrimPrefix(account.ARNField(arn, 5), "key/")}
	var mu sync.Mutex
	note := func(op string, err error) error {
		u, stop := unseenFor(ctx, op, arn, err)
		if stop != nil {
			return stop
		}
		mu.Lock()
		k.Unseen = append(k.Unseen, u)
		mu.Unlock()
		return nil
	}
	var g group
	g.Go(func() error {
		m, err := l.describeKey(ctx, arn)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if m.unseen != nil {
			k.Unseen = append(k.Unseen, *m.unseen)
			return nil
		}
		k.State, k.KeyManager = m.state, m.manager
		k.DeletionDate = m.deletion
		return nil
	})
	if acct := account.ARNField(arn, 4); acct != l.origin.Account {
		k.Unseen = append(k.Unseen, account.Unseen{Operation: "kms:GetKeyPolicy", Resource: arn,
			Error: "not read: a key policy can be read only from the key's account, " + acct})
	} else {
		g.Go(func() error {
			out, err := l.kms.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(arn), PolicyName: aws.String("default")})
			if err != nil {
				return note("kms:GetKeyPolicy", err)
			}
			doc := aws.ToString(out.Policy)
			if !isJSONObject(doc) {
				return note("kms:GetKeyPolicy", errors.New("the key policy is not a JSON object"))
			}
			mu.Lock()
			k.Policy = account.CompactDocument(doc)
			mu.Unlock()
			return nil
		})
	}
	g.Go(func() error {
		var grants []account.Grant
		p := kms.NewListGrantsPaginator(l.kms, &kms.ListGrantsInput{KeyId: aws.String(arn), Limit: aws.Int32(100)})
		for p.HasMorePages() {
			if len(grants) >= maxGrants {
				mu.Lock()
				k.Unseen = append(k.Unseen, account.Unseen{Operation: "kms:ListGrants", Resource: arn,
					Error: fmt.Sprintf("read the first %d grants only: the others were not looked at", maxGrants)})
				mu.Unlock()
				break
			}
			page, err := p.NextPage(ctx)
			if err != nil {
				return note("kms:ListGrants", err)
			}
			for _, gr := range page.Grants {
				grants = append(grants, grantOf(gr))
			}
		}
		mu.Lock()
		k.Grants = grants
		mu.Unlock()
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return k, nil
}

func grantOf(gr kmstypes.GrantListEntry) account.Grant {
	out := account.Grant{GrantID: aws.ToString(gr.GrantId), Name: aws.ToString(gr.Name),
		GranteePrincipal: aws.ToString(gr.GranteePrincipal), RetiringPrincipal: aws.ToString(gr.RetiringPrincipal),
		IssuingAccount: aws.ToString(gr.IssuingAccount)}
	if out.GranteePrincipal == "" {
		out.GranteePrincipal = aws.ToString(gr.GranteeServicePrincipal)
	}
	for _, op := range gr.Operations {
		out.Operations = append(out.Operations, string(op))
	}
	if c := gr.Constraints; c != nil && (len(c.EncryptionContextEquals) > 0 || len(c.EncryptionContextSubset) > 0) {
		out.Constraints = &account.GrantConstraints{EncryptionContextEquals: c.EncryptionContextEquals, EncryptionContextSubset: c.EncryptionContextSubset}
	}
	if gr.CreationDate != nil {
		d := gr.CreationDate.UTC()
		out.CreationDate = &d
	}
	return out
}
