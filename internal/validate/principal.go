package validate

import (
	"strings"
)

// PrincipalKind says what a principal names.
type PrincipalKind string

// Kinds of principals, as the Principal element of a policy and Lambda's
// AddPermission take them (IAM UG reference_policies_elements_principal).
const (
	Anonymous     PrincipalKind = "anonymous"      // "*"
	Service       PrincipalKind = "service"        // s3.amazonaws.com
	Account       PrincipalKind = "account"        // 123456789012 or arn:aws:iam::123456789012:root
	IAMUser       PrincipalKind = "iam-user"       // arn:aws:iam::123456789012:user/PATH/NAME
	IAMRole       PrincipalKind = "iam-role"       // arn:aws:iam::123456789012:role/PATH/NAME
	AssumedRole   PrincipalKind = "assumed-role"   // arn:aws:sts::123456789012:assumed-role/ROLE/SESSION
	FederatedUser PrincipalKind = "federated-user" // arn:aws:sts::123456789012:federated-user/NAME
)

// ParsedPrincipal is a principal that passed Principal.
type ParsedPrincipal struct {
	Kind    PrincipalKind
	Value   string // as given
	Account string // the account, for accounts and IAM/STS ARNs
	ARN     ARN    // set for ARN forms
}

const principalWant = "want a service principal (s3.amazonaws.com), a 12-digit account ID, an IAM role or user ARN, " +
	"an assumed-role session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) or '*'"

// Principal checks a caller (--caller) and says what it names. Service
// principals are domain-style names under amazonaws.com (amazonaws.com.cn in
// China, amazon.com for Alexa, e.g. alexa-appkit.amazon.com); IAM groups are
// refused, as no policy can name a group as a principal.
func Principal(p string) (ParsedPrincipal, error) {
	out := ParsedPrincipal{Value: p}
	switch {
	case p == "":
		return out, errorf("principal", p, "no principal given; %s", principalWant)
	case p == "*":
		out.Kind = Anonymous
		return out, nil
	case accountID(p):
		out.Kind, out.Account = Account, p
		return out, nil
	case strings.HasPrefix(p, "arn:"):
		return arnPrincipal(p)
	case strings.Contains(p, ".") && !strings.ContainsAny(p, ":/"):
		if err := servicePrincipal(p); err != nil {
			return out, err
		}
		out.Kind = Service
		return out, nil
	case allDigits(p):
		return out, errorf("principal", p, "%s is not an account ID: an account ID has 12 digits, this has %d", show(p), len(p))
	}
	return out, errorf("principal", p, "%s is not a principal; %s", show(p), principalWant)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// servicePrincipal checks a domain-style service principal.
func servicePrincipal(p string) error {
	lp := p
	suffix := ""
	for _, s := range []string{".amazonaws.com.cn", ".amazonaws.com", ".amazon.com"} {
		if strings.HasSuffix(lp, s) && len(lp) > len(s) {
			suffix = s
			break
		}
	}
	if suffix == "" {
		return errorf("principal", p, "%s is not a service principal: those end in .amazonaws.com (e.g. s3.amazonaws.com)", show(p))
	}
	for _, label := range strings.Split(strings.TrimSuffix(lp, suffix), ".") {
		if label == "" || !serviceLike(label) {
			return errorf("principal", p, "%s is not a service principal: its name holds lower-case letters, digits, dashes and dots only", show(p))
		}
	}
	return nil
}

// iamName reports whether s is an IAM user or role name (IAM UG,
// reference_iam-quotas: letters, digits and +=,.@_-), at most max bytes.
func iamName(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("+=,.@_-", c) >= 0) {
			return false
		}
	}
	return true
}

func arnPrincipal(p string) (ParsedPrincipal, error) {
	out := ParsedPrincipal{Value: p}
	a, err := ParseARN(p)
	if err != nil {
		e := err.(*Error)
		e.What = "principal"
		return out, e
	}
	out.ARN, out.Account = a, a.Account
	bad := func(why string) (ParsedPrincipal, error) {
		return ParsedPrincipal{Value: p}, errorf("principal", p, "%s is not a principal: %s", show(p), why)
	}
	if a.Region != "" {
		return bad("IAM and STS ARNs have no region")
	}
	if !accountID(a.Account) {
		return bad("it names no 12-digit account")
	}
	typ, rest, _ := strings.Cut(a.Resource, "/")
	switch {
	case a.Service == "iam" && a.Resource == "root":
		out.Kind = Account
	case a.Service == "iam" && (typ == "user" || typ == "role"):
		// PATH/NAME: the name is the last part; paths are /-separated names.
		parts := strings.Split(rest, "/")
		for i, s := range parts {
			max := 512 // a path part; names have at most 64 bytes
			if i == len(parts)-1 {
				max = 64
			}
			if !iamName(s, max) {
				if i == len(parts)-1 {
					return bad("its " + typ + " name is empty or holds a character IAM names cannot")
				}
				return bad("its path holds an empty part or a character IAM paths cannot")
			}
		}
		out.Kind = IAMUser
		if typ == "role" {
			out.Kind = IAMRole
		}
	case a.Service == "iam" && typ == "group":
		return bad("an IAM group cannot be a principal; name a user or role")
	case a.Service == "sts" && typ == "assumed-role":
		role, session, ok := strings.Cut(rest, "/")
		if !ok || !iamName(role, 64) || !iamName(session, 64) || strings.Contains(session, "/") {
			return bad("an assumed-role ARN is arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION")
		}
		out.Kind = AssumedRole
	case a.Service == "sts" && typ == "federated-user":
		if !iamName(rest, 64) {
			return bad("a federated-user ARN is arn:PARTITION:sts::ACCOUNT:federated-user/NAME")
		}
		out.Kind = FederatedUser
	default:
		return bad("want an IAM user or role ARN, an account root ARN or an assumed-role session ARN")
	}
	return out, nil
}
