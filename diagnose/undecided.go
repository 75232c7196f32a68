package diagnose

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/internal/errtext"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// isOwnPrincipal reports whether a denial's principal is the function's
// execution role: the role's ARN, or a session of it
// (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION), in the role's own
// account and partition. A role of the same name in another account is
// not it. Role names are compared without case, as IAM does not tell
// "PRODROLE" from "prodrole" (IAM API Reference, CreateRole: RoleName).
// A denial that names no principal is taken as the role's.
func (d *diagnosis) isOwnPrincipal(p string) bool {
	roleARN := d.fn.Config.RoleARN
	if d.fn.Role != nil && d.fn.Role.ARN != "" {
		roleARN = d.fn.Role.ARN
	}
	if p == "" || roleARN == "" {
		return true
	}
	got := judge.PrincipalARN(p) // a session as its role's ARN
	if !strings.HasPrefix(account.ARNField(got, 5), "role/") || account.ARNField(got, 2) != "iam" {
		return false
	}
	return account.ARNField(got, 1) == account.ARNField(roleARN, 1) && account.ARNField(got, 4) == account.ARNField(roleARN, 4) &&
		strings.EqualFold(judge.RoleName(got), judge.RoleName(roleARN))
}

// otherPrincipal is the diagnosis of a pasted outbound denial whose
// principal is not the function's execution role: granting the role
// anything would change nothing the error is about, so no grant is
// judged or printed. Whose denial it is, and what would decide it, are
// said; the door is unknown (exit 3): nothing read for this function
// decides about that principal.
func (d *diagnosis) otherPrincipal(den *errtext.Denial, action, resource string) {
	fn := d.fn
	p := den.Principal
	roleARN := firstNonEmpty(fn.Config.RoleARN, judge.SessionARN(fn))
	if fn.Role != nil && fn.Role.ARN != "" {
		roleARN = fn.Role.ARN
	}
	who := judge.PrincipalARN(p)
	acct := account.ARNField(who, 4)
	kind, name := principalKind(who)
	x := Diagnosis{
		Door:     Unknown,
		Source:   "--error",
		Headline: fmt.Sprintf("AWS denied %s %s on %s", p, action, resource),
		Request:  &Request{Principal: p, Action: action, Resource: resource, Context: map[string]any{}},
		Summary: fmt.Sprintf("the pasted denial is for %s, not this function's execution role %s: it is not %s's outbound door, and nothing read for %s decides it",
			p, roleARN, fn.Name, fn.Name),
		Reason: "not judged: the request was made with another principal's credentials, whose policies decide it; granting the execution role anything would change nothing the error is about",
	}
	switch {
	case acct != "" && acct != fn.Account:
		x.Notes = append(x.Notes, fmt.Sprintf("%s is in account %s, the function in %s: that account's owner must look at what its policies allow", p, acct, fn.Account))
		if kind == "role" && strings.EqualFold(name, judge.RoleName(roleARN)) {
			x.Notes = append(x.Notes, "its role has the execution role's name, but a role of another account is another role")
		}
	case kind == "role":
		t := fix.TargetOf(fn, d.o.Profile)
		if c := t.Command("lambda", "list-functions", "--query", fix.Quote(fmt.Sprintf("Functions[?ends_with(Role, `\"/%s\"`)].FunctionName", name))); c != "" && roleName.MatchString(name) {
			x.Notes = append(x.Notes, "if a Lambda function runs as role "+name+", diagnose that function with this text (lambda-doctor diagnose --function FUNCTION --error ...); this lists them: "+c)
		}
		if c := t.Command("iam", "simulate-principal-policy", "--policy-source-arn", fix.Quote(who), "--action-names", fix.Quote(action), "--resource-arns", fix.Quote(resource)); c != "" {
			x.Notes = append(x.Notes, "IAM's policy simulator answers for role "+name+" itself (its identity policies and boundary; not SCPs or the resource's policy): "+c)
		}
	case kind == "user":
		t := fix.TargetOf(fn, d.o.Profile)
		if c := t.Command("iam", "simulate-principal-policy", "--policy-source-arn", fix.Quote(who), "--action-names", fix.Quote(action), "--resource-arns", fix.Quote(resource)); c != "" {
			x.Notes = append(x.Notes, "the denial is for IAM user "+name+", not a Lambda function: IAM's policy simulator answers for the user (its identity policies and boundary; not SCPs or the resource's policy): "+c)
		}
	default:
		x.Notes = append(x.Notes, "the principal is neither a role nor a user of this account: whoever holds those credentials must look at what their policies allow")
	}
	d.undecided = append(d.undecided, x)
}

// roleName is what IAM allows in a role name (IAM API Reference,
// CreateRole: RoleName), so that it can be put in a JMESPath literal.
var roleName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// principalKind is "role", "user" or "" and the name of an IAM principal
// ARN.
func principalKind(arn string) (kind, name string) {
	res := account.ARNField(arn, 5)
	k, _, ok := strings.Cut(res, "/")
	if !ok || account.ARNField(arn, 2) != "iam" || (k != "role" && k != "user") {
		return "", ""
	}
	return k, judge.RoleName(arn)
}

// unexplained turns a report whose doors are all open into an undecided
// one when an access-denied text was pasted: AWS denied a request that
// nothing read here denies, so the denial is not explained, and a pasted
// denial the tool cannot explain is never green (docs/contract.md, "Exit
// codes"). It names what was not read or was assumed.
func (d *diagnosis) unexplained(rep *Report, den *errtext.Denial) {
	fn := d.fn
	p := rep.Primary
	x := Diagnosis{Door: Unknown, Source: "--error", Request: p.Request, Requests: p.Requests, Evidence: p.Evidence,
		Assumed: p.Assumed, Notes: p.Notes, Rule: p.Rule}
	if p.Request != nil {
		x.Decision = p.Decision // the engine's, on what was read
	}
	switch {
	case p.Request != nil && len(rep.Open) <= 1:
		x.Summary = fmt.Sprintf("the pasted denial is not explained by what was read: AWS denied %s on %s, and the policies read allow it",
			p.Request.Action, p.Request.Resource)
	case len(rep.Open) > 0:
		x.Summary = fmt.Sprintf("the pasted denial is not explained by what was read: every door judged is open (%d requests)", len(rep.Open))
	default:
		x.Summary = "the pasted denial is not explained by what was read: nothing it names could be judged"
	}
	x.Headline = "AWS denied a request that nothing read here denies"
	if p.Request != nil && len(rep.Open) <= 1 {
		x.Headline = fmt.Sprintf("AWS denied %s on %s, which the policies read allow", p.Request.Action, p.Request.Resource)
	}
	x.Reason = "not decided: AWS denied a request that nothing read here denies"
	if p.Reason != "" && p.Decision == string(simulate.Allow) {
		x.Reason += " (" + p.Reason + ")"
	}
	if den.Action == "" && d.o.Action == "" && d.o.Caller == "" && d.o.SourceARN == "" {
		x.Notes = append(x.Notes, "which request was refused is not known: pass --action and --resource (the call refused) or --caller (who was refused an invoke) to judge it, or paste the whole error")
	}
	var notRead []string
	if fn.Org == nil {
		notRead = append(notRead, "the organization's SCPs and RCPs (not read: assumed to allow)")
	}
	notRead = append(notRead,
		"session policies (Lambda passes none to the execution role; credentials of another session may carry them)",
		"VPC endpoint policies (not read: a call through an endpoint is also judged by its policy)",
		"the resource-based policy of the resource called, such as a bucket, queue, topic or secret policy (not read; a KMS key's policy only when the key was read)")
	for _, a := range notRead {
		if !judge.ContainsFold(x.Assumed, a) {
			x.Assumed = append(x.Assumed, a)
		}
	}
	x.nonNil()
	rep.Primary = x
	rep.Diagnoses = append(rep.Diagnoses, x)
}
