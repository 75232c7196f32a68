package live

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// DecodeIAMDocument decodes a policy document as IAM returns it: URL-encoded
// (RFC 3986) JSON, decoded exactly once. A document that already starts
// with '{' is returned as it is (some emulators and APIs answer raw JSON).
// Percent-decoding leaves '+' alone, as botocore's unquote does: IAM
// encodes '+' as %2B and a literal '+' in the text is a '+'. The result is
// compacted when it is a JSON object.
// IAM API reference, GetRolePolicy: "The policy document returned in this
// structure is URL-encoded compliant with RFC 3986."
func DecodeIAMDocument(doc string) (string, error) {
	if t := strings.TrimLeft(doc, " \t\r\n"); strings.HasPrefix(t, "{") {
		return account.CompactDocument(doc), checkDocument(doc)
	}
	dec, err := url.PathUnescape(doc)
	if err != nil {
		return doc, fmt.Errorf("not URL-encoded JSON: %w", err)
	}
	return account.CompactDocument(dec), checkDocument(dec)
}

func checkDocument(doc string) error {
	if !isJSONObject(doc) {
		return fmt.Errorf("not a JSON object")
	}
	return nil
}

func isJSONObject(doc string) bool {
	t := strings.TrimLeft(doc, " \t\r\n")
	return strings.HasPrefix(t, "{") && json.Valid([]byte(t))
}

type roleEntry struct {
	done   chan struct{}
	role   *account.Role
	unseen []account.Unseen
	err    error
}

type policyEntry struct {
	done   chan struct{}
	policy account.ManagedPolicy
	unseen []account.Unseen
	err    error
}

// role reads an execution role and its policies once for every function
// that uses it; concurrent readers of the same role wait for one read.
func (l *Reader) role(ctx context.Context, arn string) (*account.Role, []account.Unseen, error) {
	for {
		l.mu.Lock()
		e := l.roles[arn]
		if e == nil {
			e = &roleEntry{done: make(chan struct{})}
			l.roles[arn] = e
			l.mu.Unlock()
			e.role, e.unseen, e.err = l.readRole(ctx, arn)
			if e.err != nil {
				l.mu.Lock()
				delete(l.roles, arn) // not cached: the next reader tries again
				l.mu.Unlock()
			}
			close(e.done)
			return e.role, append([]account.Unseen(nil), e.unseen...), e.err
		}
		l.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("iam:GetRole %s: %w", arn, ctx.Err())
		}
		if e.err == nil {
			return e.role, append([]account.Unseen(nil), e.unseen...), nil
		}
		if ctx.Err() != nil {
			return nil, nil, e.err
		}
	}
}

func roleNameOf(arn string) string {
	res := account.ARNField(arn, 5)
	return res[strings.LastIndexByte(res, '/')+1:]
}

func (l *Reader) readRole(ctx context.Context, arn string) (*account.Role, []account.Unseen, error) {
	var mu sync.Mutex
	var unseen []account.Unseen
	note := func(op, resource string, err error) error {
		u, stop := unseenFor(ctx, op, resource, err)
		if stop != nil {
			return stop
		}
		mu.Lock()
		unseen = append(unseen, u)
		mu.Unlock()
		return nil
	}
	name := roleNameOf(arn)
	out, err := l.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return nil, unseen, note("iam:GetRole", arn, err)
	}
	ro := out.Role
	role := &account.Role{ARN: aws.ToString(ro.Arn), Name: aws.ToString(ro.RoleName), Path: aws.ToString(ro.Path), ID: aws.ToString(ro.RoleId)}
	if role.ARN != arn {
		// The function names the role by the ARN it was given; keep that,
		// so snapshots resolve config.role_arn.
		role.ARN = arn
	}
	trust, err := DecodeIAMDocument(aws.ToString(ro.AssumeRolePolicyDocument))
	role.Trust = trust
	if err != nil {
		unseen = append(unseen, account.Unseen{Operation: "iam:GetRole", Resource: arn, Error: "trust policy: " + err.Error()})
	}
	for _, t := range ro.Tags {
		if role.Tags == nil {
			role.Tags = map[string]string{}
		}
		role.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}

	var g group
	g.Go(func() error {
		inline, err := l.inlinePolicies(ctx, role, note)
		mu.Lock()
		role.Inline = inline
		mu.Unlock()
		return err
	})
	g.Go(func() error {
		var arns []string
		p := iam.NewListAttachedRolePoliciesPaginator(l.iam, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return note("iam:ListAttachedRolePolicies", arn, err)
			}
			for _, ap := range page.AttachedPolicies {
				arns = append(arns, aws.ToString(ap.PolicyArn))
			}
		}
		managed := make([]account.ManagedPolicy, len(arns))
		var g2 group
		for i, pa := range arns {
			g2.Go(func() error {
				mp, us, err := l.managedPolicy(ctx, pa)
				managed[i] = mp
				mu.Lock()
				unseen = append(unseen, us...)
				mu.Unlock()
				return err
			})
		}
		err := g2.Wait()
		sort.Slice(managed, func(i, j int) bool { return managed[i].ARN < managed[j].ARN })
		if len(managed) == 0 {
			managed = nil // as a snapshot reads it back
		}
		mu.Lock()
		role.Managed = managed
		mu.Unlock()
		return err
	})
	if pb := ro.PermissionsBoundary; pb != nil && aws.ToString(pb.PermissionsBoundaryArn) != "" {
		g.Go(func() error {
			mp, us, err := l.managedPolicy(ctx, aws.ToString(pb.PermissionsBoundaryArn))
			mu.Lock()
			role.Boundary = &mp
			unseen = append(unseen, us...)
			mu.Unlock()
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	return role, unseen, nil
}

func (l *Reader) inlinePolicies(ctx context.Context, role *account.Role, note func(op, resource string, err error) error) ([]account.InlinePolicy, error) {
	var names []string
	p := iam.NewListRolePoliciesPaginator(l.iam, &iam.ListRolePoliciesInput{RoleName: aws.String(role.Name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, note("iam:ListRolePolicies", role.ARN, err)
		}
		names = append(names, page.PolicyNames...)
	}
	sort.Strings(names)
	got := make([]*account.InlinePolicy, len(names))
	var g group
	for i, n := range names {
		g.Go(func() error {
			out, err := l.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role.Name), PolicyName: aws.String(n)})
			if err != nil {
				return note("iam:GetRolePolicy", role.ARN, fmt.Errorf("inline policy %s: %w", n, err))
			}
			doc, derr := DecodeIAMDocument(aws.ToString(out.PolicyDocument))
			if derr != nil {
				if err := note("iam:GetRolePolicy", role.ARN, fmt.Errorf("inline policy %s: %w", n, derr)); err != nil {
					return err
				}
			}
			got[i] = &account.InlinePolicy{Name: n, Document: doc}
			return nil
		})
	}
	err := g.Wait()
	var out []account.InlinePolicy
	for _, p := range got {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out, err
}

// managedPolicy reads a managed policy and its default version once for
// every role that attaches it.
func (l *Reader) managedPolicy(ctx context.Context, arn string) (account.ManagedPolicy, []account.Unseen, error) {
	for {
		l.mu.Lock()
		e := l.policies[arn]
		if e == nil {
			e = &policyEntry{done: make(chan struct{})}
			l.policies[arn] = e
			l.mu.Unlock()
			e.policy, e.unseen, e.err = l.readManagedPolicy(ctx, arn)
			if e.err != nil {
				l.mu.Lock()
				delete(l.policies, arn)
				l.mu.Unlock()
			}
			close(e.done)
			return e.policy, append([]account.Unseen(nil), e.unseen...), e.err
		}
		l.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return account.ManagedPolicy{ARN: arn}, nil, fmt.Errorf("iam:GetPolicy %s: %w", arn, ctx.Err())
		}
		if e.err == nil {
			return e.policy, append([]account.Unseen(nil), e.unseen...), nil
		}
		if ctx.Err() != nil {
			return account.ManagedPolicy{ARN: arn}, nil, e.err
		}
	}
}

func (l *Reader) readManagedPolicy(ctx context.Context, arn string) (account.ManagedPolicy, []account.Unseen, error) {
	mp := account.ManagedPolicy{ARN: arn, Name: roleNameOf(arn)}
	out, err := l.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		u, stop := unseenFor(ctx, "iam:GetPolicy", arn, err)
		return mp, []account.Unseen{u}, stop
	}
	mp.Name = aws.ToString(out.Policy.PolicyName)
	mp.VersionID = aws.ToString(out.Policy.DefaultVersionId)
	v, err := l.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(mp.VersionID)})
	if err != nil {
		u, stop := unseenFor(ctx, "iam:GetPolicyVersion", arn, err)
		return mp, []account.Unseen{u}, stop
	}
	doc, derr := DecodeIAMDocument(aws.ToString(v.PolicyVersion.Document))
	mp.Document = doc
	if derr != nil {
		return mp, []account.Unseen{{Operation: "iam:GetPolicyVersion", Resource: arn, Error: fmt.Sprintf("version %s: %v; kept as read", mp.VersionID, derr)}}, nil
	}
	return mp, nil, nil
}

// SimulatePrincipalPolicy asks IAM's policy simulator whether roleARN may
// perform action on resource, as a cross-check of the local engine. It
// returns IAM's decision ("allowed", "explicitDeny", "implicitDeny"). An
// endpoint without the simulator gives an error wrapping account.ErrUnavailable;
// a refusal an *account.AccessError.
func (l *Reader) SimulatePrincipalPolicy(ctx context.Context, roleARN, action, resource string, context map[string][]string) (string, error) {
	in := &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(roleARN),
		ActionNames:     []string{action},
	}
	if resource != "" {
		in.ResourceArns = []string{resource}
	}
	keys := make([]string, 0, len(context))
	for k := range context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		in.ContextEntries = append(in.ContextEntries, iamContextEntry(k, context[k]))
	}
	out, err := l.iam.SimulatePrincipalPolicy(ctx, in)
	if err != nil {
		switch classify(ctx, err) {
		case errDenied:
			return "", &account.AccessError{Operation: "iam:SimulatePrincipalPolicy", Permission: "iam:SimulatePrincipalPolicy", Err: err}
		case errContext, errOther:
			return "", fmt.Errorf("iam:SimulatePrincipalPolicy: %w", err)
		}
		return "", fmt.Errorf("iam:SimulatePrincipalPolicy: %w: %v", account.ErrUnavailable, err)
	}
	if len(out.EvaluationResults) == 0 {
		return "", fmt.Errorf("iam:SimulatePrincipalPolicy: no evaluation result")
	}
	return string(out.EvaluationResults[0].EvalDecision), nil
}
