package live

import (
	"context"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// TestLiveOrganizationStatus: organizations:DescribeOrganization tells an
// account in no organization (no SCP or RCP applies: an empty Org) from one
// in an organization whose policies a member account cannot read
// (PoliciesUnread), so the diagnosis caveats an all-clear only when it must.
func TestLiveOrganizationStatus(t *testing.T) {
	s := motoserver.Start(t)
	c := newSetup(t, s)
	c.createFunction(t, "org-fn", c.createRole(t, "org-role", "/", lambdaTrust), nil)

	l := newTestLive(t, s, s.Endpoint, Options{})
	f, err := l.Function(context.Background(), "org-fn")
	if err != nil {
		t.Fatal(err)
	}
	if f.Org == nil || f.Org.ID != "" || f.Org.PoliciesUnread || len(f.Org.SCPs) != 0 {
		t.Fatalf("no organization: got Org %+v, want an empty Org", f.Org)
	}

	out := s.AWS(t, "organizations", "create-organization", "--feature-set", "ALL", "--query", "Organization.Id", "--output", "text")
	orgID := strings.TrimSpace(out)
	t.Cleanup(func() { s.AWSErr("organizations", "delete-organization") })
	l = newTestLive(t, s, s.Endpoint, Options{}) // a new reader: the status is read once per reader
	f, err = l.Function(context.Background(), "org-fn")
	if err != nil {
		t.Fatal(err)
	}
	if f.Org == nil || f.Org.ID != orgID || !f.Org.PoliciesUnread {
		t.Fatalf("in organization %s: got Org %+v, want that ID with PoliciesUnread", orgID, f.Org)
	}
	calls, _ := l.Calls()
	if n := calls["organizations:DescribeOrganization"]; n != 1 {
		t.Errorf("organizations:DescribeOrganization calls: got %d, want 1", n)
	}
}
