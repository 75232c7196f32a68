package live

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// orgStatus is what organizations:DescribeOrganization says of the
// account: in no organization (an empty Org, so no SCP or RCP applies), in
// organization ID whose policies this reader does not read
// (PoliciesUnread), or unknown (nil Org, with the refused read).
type orgStatus struct {
	org    *account.Org
	unseen *account.Unseen
}

// readOrg sets f.Org from the account's organization status, read once per
// Reader. SCPs and RCPs themselves are readable only from the management
// account or a delegated administrator, so an account in an organization
// gets PoliciesUnread and the diagnosis says the organization's policies
// were assumed to allow.
func (l *Reader) readOrg(ctx context.Context, r *fnRead) error {
	st, err := l.org.get(ctx, func(ctx context.Context) (orgStatus, error) {
		out, err := l.orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		var notInUse *orgtypes.AWSOrganizationsNotInUseException
		switch {
		case err == nil:
			id := ""
			if out.Organization != nil {
				id = aws.ToString(out.Organization.Id)
			}
			return orgStatus{org: &account.Org{ID: id, PoliciesUnread: true}}, nil
		case errors.As(err, &notInUse):
			return orgStatus{org: &account.Org{}}, nil
		}
		u, stop := unseenFor(ctx, "organizations:DescribeOrganization", "", err)
		if stop != nil {
			return orgStatus{}, stop
		}
		return orgStatus{unseen: &u}, nil
	})
	if err != nil {
		return err
	}
	r.do(func(f *account.Function) {
		if st.org != nil {
			o := *st.org
			f.Org = &o
		}
		if st.unseen != nil {
			f.Unseen = append(f.Unseen, *st.unseen)
		}
	})
	return nil
}
