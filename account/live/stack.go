package live

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// The reads of `check --template` with credentials: the values a template
// does not give, from the account it is deployed to. Each is an optional
// read with its own budget (budget.go); one that fails gives an
// account.Unseen (the operation, and the permission when refused) and
// leaves its values unknown.

// Stack is what a deployed stack says of its template's values.
type Stack struct {
	Name, Status string
	// Parameters are the stack's parameter values by key, as
	// DescribeStacks shows them (a NoEcho value masked as asterisks).
	Parameters map[string]string
	// Resolved are the values the stack resolved for its Systems Manager
	// parameter types, by key (Parameter.ResolvedValue, "returned only for
	// Systems Manager parameter types in the template", AWS CloudFormation
	// API Reference, Parameter); Parameters has the SSM parameter's name.
	Resolved map[string]string
	// PhysicalIDs are the physical ids of its resources by logical id.
	PhysicalIDs map[string]string
}

// notDeployed are the stack states in which the stack's resources are not
// there (AWS CloudFormation User Guide, "Stack status codes"):
// REVIEW_IN_PROGRESS (a change set never executed), ROLLBACK_* (a create
// that failed and deleted what it made), DELETE_*.
func notDeployed(status string) bool {
	return status == "REVIEW_IN_PROGRESS" || strings.HasPrefix(status, "ROLLBACK_") || strings.HasPrefix(status, "DELETE_")
}

// ReadStack reads the stack name: its parameters
// (cloudformation:DescribeStacks) and the physical ids of its resources
// (cloudformation:ListStackResources). A stack that does not exist, or
// whose resources are not deployed, gives nil and an Unseen with NotFound
// set. An error is returned only when ctx ends.
func (l *Reader) ReadStack(ctx context.Context, name string) (*Stack, []account.Unseen, error) {
	out, err := l.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		u, stop := unseenFor(ctx, "cloudformation:DescribeStacks", name, err)
		if stackMissing(err) {
			u.NotFound, u.Error = true, "no stack "+name+" in "+l.origin.Region+": "+u.Error
		}
		return nil, []account.Unseen{u}, stop
	}
	if len(out.Stacks) == 0 {
		return nil, []account.Unseen{{Operation: "cloudformation:DescribeStacks", Resource: name, NotFound: true, Error: "no stack " + name + " in " + l.origin.Region}}, nil
	}
	st := out.Stacks[0]
	s := &Stack{Name: aws.ToString(st.StackName), Status: string(st.StackStatus), Parameters: map[string]string{}, PhysicalIDs: map[string]string{}}
	if notDeployed(s.Status) {
		return nil, []account.Unseen{{Operation: "cloudformation:DescribeStacks", Resource: name, NotFound: true,
			Error: "stack " + name + " is " + s.Status + ": its resources are not deployed"}}, nil
	}
	for _, p := range st.Parameters {
		s.Parameters[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
		if p.ResolvedValue != nil {
			if s.Resolved == nil {
				s.Resolved = map[string]string{}
			}
			s.Resolved[aws.ToString(p.ParameterKey)] = aws.ToString(p.ResolvedValue)
		}
	}
	p := cloudformation.NewListStackResourcesPaginator(l.cfn, &cloudformation.ListStackResourcesInput{StackName: st.StackId})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			// The parameters stand; the physical ids are not read at all
			// (a part of them would look like the whole).
			u, stop := unseenFor(ctx, "cloudformation:ListStackResources", name, err)
			s.PhysicalIDs = map[string]string{}
			return s, []account.Unseen{u}, stop
		}
		for _, r := range page.StackResourceSummaries {
			id, phys := aws.ToString(r.LogicalResourceId), aws.ToString(r.PhysicalResourceId)
			if id == "" || phys == "" || resourceGone(r.ResourceStatus) {
				continue
			}
			s.PhysicalIDs[id] = phys
		}
	}
	return s, nil, nil
}

// resourceGone reports whether a stack resource in status st no longer
// exists, or never did.
func resourceGone(st cfntypes.ResourceStatus) bool {
	s := string(st)
	return strings.HasPrefix(s, "DELETE_COMPLETE") || s == "CREATE_FAILED"
}

// stackMissing reports whether err is DescribeStacks' answer for a stack
// that does not exist: a ValidationError "Stack with id NAME does not
// exist" (AWS CloudFormation API Reference, DescribeStacks, Errors).
func stackMissing(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist")
}

// ReadExports reads the exports of the reader's region by name
// (cloudformation:ListExports). A failed read gives no exports and an
// Unseen; an error is returned only when ctx ends.
func (l *Reader) ReadExports(ctx context.Context) (map[string]string, []account.Unseen, error) {
	out := map[string]string{}
	p := cloudformation.NewListExportsPaginator(l.cfn, &cloudformation.ListExportsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			u, stop := unseenFor(ctx, "cloudformation:ListExports", l.origin.Region, err)
			return nil, []account.Unseen{u}, stop
		}
		for _, e := range page.Exports {
			out[aws.ToString(e.Name)] = aws.ToString(e.Value)
		}
	}
	return out, nil, nil
}

// ReadRole reads a role by ARN with everything the execution role read
// reads (trust, inline, attached managed policies and their default
// versions, permissions boundary). A role of another account or partition
// than the credentials' is not read: it gives nil and an Unseen. A read
// that fails gives nil (GetRole) or the role without what it could not
// read, with an Unseen for each failure; an error is returned only when
// ctx ends.
func (l *Reader) ReadRole(ctx context.Context, arn string) (*account.Role, []account.Unseen, error) {
	if u, ok := l.otherAccount("iam:GetRole", arn); !ok {
		return nil, []account.Unseen{u}, nil
	}
	return l.role(ctx, arn)
}

// ReadManagedPolicy reads a managed policy by ARN and its default version
// (iam:GetPolicy, iam:GetPolicyVersion). A customer managed policy of
// another account than the credentials' is not read.
func (l *Reader) ReadManagedPolicy(ctx context.Context, arn string) (account.ManagedPolicy, []account.Unseen, error) {
	if account.ARNField(arn, 4) != "aws" {
		if u, ok := l.otherAccount("iam:GetPolicy", arn); !ok {
			return account.ManagedPolicy{ARN: arn}, []account.Unseen{u}, nil
		}
	}
	return l.managedPolicy(ctx, arn)
}

// otherAccount gives the Unseen of a read of arn that the credentials
// cannot make: arn is of another account or partition. ok is true when
// the read can be made.
func (l *Reader) otherAccount(op, arn string) (account.Unseen, bool) {
	part, acct := account.ARNField(arn, 1), account.ARNField(arn, 4)
	if part == l.origin.Partition && acct == l.origin.Account {
		return account.Unseen{}, true
	}
	return account.Unseen{Operation: op, Resource: arn, Error: fmt.Sprintf("not read: %s is in account %s (%s), the credentials are of account %s (%s)",
		arn, acct, part, l.origin.Account, l.origin.Partition)}, false
}
