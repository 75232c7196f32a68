package live

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// orgStatus is what the reader learnt of the account's organization: in no
// organization (an empty Org, so no SCP or RCP applies), in organization ID
// with the SCPs and RCPs of every level read, in one whose policies this
// reader may not read (PoliciesUnread), or unknown (nil Org). unseen are
// the reads that were refused or failed.
type orgStatus struct {
	org    *account.Org
	unseen []account.Unseen
}

// maxOrgDepth bounds the walk up from the account: an account sits at
// most five OU levels below the root (Organizations UG, "Quotas for AWS
// Organizations": OU nesting in a root, five levels).
const maxOrgDepth = 8

// readOrg sets f.Org from the account's organization, read once per Reader
// and shared by every function (and region) it reads:
//
//   - organizations:DescribeOrganization says whether the account is in an
//     organization, which, and its management account (a member account may
//     read this).
//   - SCPs do not restrict the management account, and RCPs do not restrict
//     its resources (Organizations UG, "Service control policies (SCPs)":
//     "SCPs don't affect users or roles in the management account";
//     "Resource control policies (RCPs)": RCPs do not apply to resources in
//     the management account): for it, no level applies and nothing more is
//     read.
//   - For a member account, the levels are walked up with
//     organizations:ListParents (account, each OU, the root), and the SCPs
//     and RCPs attached to each level are listed
//     (organizations:ListPoliciesForTarget) and read
//     (organizations:DescribePolicy). Only the management account or a
//     delegated administrator may make these reads; when one is refused or
//     fails, the account gets PoliciesUnread (the diagnosis says the
//     organization's policies were assumed to allow) and the read is named
//     in Unseen.
func (l *Reader) readOrg(ctx context.Context, r *fnRead) error {
	st, err := l.org.get(ctx, l.walkOrg)
	if err != nil {
		return err
	}
	r.do(func(f *account.Function) {
		if st.org != nil {
			o := *st.org
			f.Org = &o
		}
		f.Unseen = append(f.Unseen, st.unseen...)
	})
	return nil
}

// Org returns the account's organization as readOrg gives it to every
// function (read once per Reader): an empty Org when the account is in
// none, nil when it could not be read (each function's Unseen then says
// why). A snapshot of the whole account writes it before its functions.
func (l *Reader) Org(ctx context.Context) (*account.Org, error) {
	st, err := l.org.get(ctx, l.walkOrg)
	if err != nil || st.org == nil {
		return nil, err
	}
	o := *st.org
	return &o, nil
}

func (l *Reader) walkOrg(ctx context.Context) (orgStatus, error) {
	out, err := l.orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	var notInUse *orgtypes.AWSOrganizationsNotInUseException
	switch {
	case errors.As(err, &notInUse):
		return orgStatus{org: &account.Org{}}, nil
	case err != nil:
		u, stop := unseenFor(ctx, "organizations:DescribeOrganization", "", err)
		if stop != nil {
			return orgStatus{}, stop
		}
		return orgStatus{unseen: []account.Unseen{u}}, nil
	}
	org := &account.Org{}
	if o := out.Organization; o != nil {
		org.ID = aws.ToString(o.Id)
		org.ManagementAccount = aws.ToString(o.MasterAccountId)
	}
	if org.ManagementAccount != "" && org.ManagementAccount == l.origin.Account {
		return orgStatus{org: org}, nil
	}
	unread := func(u account.Unseen) (orgStatus, error) {
		org.Path, org.SCPs, org.RCPs = nil, nil, nil
		org.PoliciesUnread = true
		if u.Permission == "" && u.Error != "" {
			u.Error += " (only the organization's management account or a delegated administrator may read its policies)"
		}
		return orgStatus{org: org, unseen: []account.Unseen{u}}, nil
	}

	// The path, root first: ListParents from the account up to the root.
	path := []string{l.origin.Account}
	for child := l.origin.Account; ; {
		if len(path) > maxOrgDepth {
			return unread(account.Unseen{Operation: "organizations:ListParents", Resource: child,
				Error: fmt.Sprintf("more than %d levels above the account: not read further", maxOrgDepth)})
		}
		out, err := l.orgs.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(child)})
		if err != nil {
			u, stop := unseenFor(ctx, "organizations:ListParents", child, err)
			if stop != nil {
				return orgStatus{}, stop
			}
			return unread(u)
		}
		if len(out.Parents) == 0 {
			return unread(account.Unseen{Operation: "organizations:ListParents", Resource: child, Error: "no parent listed"})
		}
		p := out.Parents[0]
		path = append([]string{aws.ToString(p.Id)}, path...)
		if p.Type == orgtypes.ParentTypeRoot {
			break
		}
		child = aws.ToString(p.Id)
	}
	org.Path = path

	// The policies of each level, both types at once; then each policy's
	// document, once each.
	types := []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy}
	ids := make([][][]string, len(types)) // type, level, policy ids
	var mu sync.Mutex
	var unseen []account.Unseen
	note := func(u account.Unseen) {
		mu.Lock()
		unseen = append(unseen, u)
		mu.Unlock()
	}
	var g group
	for ti, typ := range types {
		ids[ti] = make([][]string, len(path))
		for li, target := range path {
			g.Go(func() error {
				p := organizations.NewListPoliciesForTargetPaginator(l.orgs, &organizations.ListPoliciesForTargetInput{
					TargetId: aws.String(target), Filter: typ})
				var got []string
				for p.HasMorePages() {
					page, err := p.NextPage(ctx)
					var off *orgtypes.PolicyTypeNotEnabledException
					if errors.As(err, &off) {
						return nil // the type is not enabled: none of its policies apply
					}
					if err != nil {
						u, stop := unseenFor(ctx, "organizations:ListPoliciesForTarget", target, fmt.Errorf("%s: %w", typ, err))
						if stop != nil {
							return stop
						}
						note(u)
						return nil
					}
					for _, s := range page.Policies {
						got = append(got, aws.ToString(s.Id))
					}
				}
				ids[ti][li] = got
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return orgStatus{}, err
	}
	if len(unseen) > 0 {
		return unread(unseen[0])
	}
	docs := map[string]*account.ManagedPolicy{}
	var unique []string
	for _, levels := range ids {
		for _, lv := range levels {
			for _, id := range lv {
				if _, ok := docs[id]; !ok {
					docs[id] = nil
					unique = append(unique, id)
				}
			}
		}
	}
	for _, id := range unique {
		g.Go(func() error {
			out, err := l.orgs.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
			if err != nil {
				u, stop := unseenFor(ctx, "organizations:DescribePolicy", id, err)
				if stop != nil {
					return stop
				}
				note(u)
				return nil
			}
			mp := &account.ManagedPolicy{Name: id}
			if p := out.Policy; p != nil {
				mp.Document = aws.ToString(p.Content)
				if s := p.PolicySummary; s != nil {
					mp.ARN, mp.Name = aws.ToString(s.Arn), aws.ToString(s.Name)
				}
			}
			if !isJSONObject(mp.Document) {
				note(account.Unseen{Operation: "organizations:DescribePolicy", Resource: id, Error: "the policy's content is not a JSON object"})
				return nil
			}
			mu.Lock()
			docs[id] = mp
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return orgStatus{}, err
	}
	if len(unseen) > 0 {
		return unread(unseen[0])
	}
	for ti, levels := range ids {
		lv, ok := orgLevels(levels, docs)
		if !ok {
			return unread(account.Unseen{Operation: "organizations:ListPoliciesForTarget", Resource: path[0],
				Error: fmt.Sprintf("some levels of %s have %s policies and others none; AWS keeps at least one at every level while the type is enabled", strings.Join(path, " > "), types[ti])})
		}
		if ti == 0 {
			org.SCPs = lv
		} else {
			org.RCPs = lv
		}
	}
	return orgStatus{org: org}, nil
}

// orgLevels turns the policy ids of each level into the model's levels.
// A type with no policy at any level is not enabled: no level applies
// (nil). AWS keeps at least one policy of an enabled type at every level
// (FullAWSAccess, RCPFullAWSAccess: Organizations UG, "Attaching and
// detaching organization policies": the last one cannot be detached), so a
// type that has policies at some levels and none at others was not read
// consistently (ok false).
func orgLevels(levels [][]string, docs map[string]*account.ManagedPolicy) (out [][]account.ManagedPolicy, ok bool) {
	empty := 0
	for _, l := range levels {
		if len(l) == 0 {
			empty++
		}
	}
	switch empty {
	case len(levels):
		return nil, true
	case 0:
	default:
		return nil, false
	}
	for _, l := range levels {
		lv := make([]account.ManagedPolicy, 0, len(l))
		for _, id := range l {
			lv = append(lv, *docs[id])
		}
		out = append(out, lv)
	}
	return out, true
}
