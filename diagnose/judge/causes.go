package judge

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/errtext"
)

// Causes that read like a denial but are not a missing grant, found in the
// model. diagnose reports them before any grant (door "config" when no
// policy change helps) and check reports each with its rule (LD013-LD018),
// so the two agree.
//
// A deleted execution role (role_not_found, LD020) is door config, not
// trust: the trust door judges the role's trust policy, and there is no
// policy left to change; the function's configuration names a role that
// does not exist, as it can name a layer version that does not exist.

// Cause kinds (docs/contract.md, "cause").
const (
	CauseFunctionFailed   = "function_failed"   // the function is in a Failed state
	CauseLayerRegion      = "layer_region"      // a layer version ARN of another region
	CauseLayerNotFound    = "layer_not_found"   // a layer version that does not exist
	CauseImageRegion      = "image_region"      // a container image in another region's registry
	CauseImageNotFound    = "image_not_found"   // an image URI Lambda finds no image under (pasted text only)
	CauseESMNotARN        = "esm_not_arn"       // an event source mapping given a queue URL, not an ARN
	CauseKeyState         = "kms_key_state"     // a KMS key that is not Enabled
	CauseKeyNotFound      = "kms_key_not_found" // a KMS key that does not exist (pasted text only)
	CauseStaleGrant       = "stale_grant"       // a KMS grant made for a deleted role of the same name
	CauseDeletedPrincipal = "deleted_principal" // a policy statement naming a deleted principal's unique id
	CauseSourceAuth       = "esm_source_auth"   // a broker or cluster refusing Lambda (pasted text only)
	CauseRoleNotFound     = "role_not_found"    // an execution role that does not exist (deleted)
)

// The rules of the causes `check` reports (docs/contract.md, "Requirement
// rules").
const (
	RuleFunctionFailed   = "LD013"
	RuleLayerUnusable    = "LD014"
	RuleKeyState         = "LD015"
	RuleDeletedPrincipal = "LD016"
	RuleImageRegion      = "LD017"
	RuleESMNotARN        = "LD018"
	// RuleRoleNotFound comes after LD019 (RuleKMSSender), which took the
	// id before it.
	RuleRoleNotFound = "LD020"
)

// Cause is a reason a request fails, or will, that a grant does not fix
// (NotIAM), or fixes only in a way of its own (a stale grant is made
// again, not widened).
type Cause struct {
	Kind string // one of the Cause* kinds
	Rule string // the rule `check` reports it with
	// Resource is what it is about: the function, a layer version ARN, an
	// image URI, an event source mapping's UUID, a KMS key ARN.
	Resource string
	// Summary is one sentence for people.
	Summary string
	// NotIAM is true when no policy change fixes it.
	NotIAM bool
	// Doc is the AWS page that states it.
	Doc string
	// Key is the KMS key of a kms_key_state or stale_grant cause; Grant the
	// stale grant.
	Key   *account.Key
	Grant *StaleGrant
	// Detail holds the facts behind it (the state reason, the regions...).
	Detail []string
}

// Docs of the causes.
const (
	docStates     = "https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html"
	docLayers     = "https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html"
	docImages     = "https://docs.aws.amazon.com/lambda/latest/dg/images-create.html"
	docESM        = "https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html"
	docKeyState   = "https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html"
	docGrants     = "https://docs.aws.amazon.com/kms/latest/developerguide/grants.html"
	docPrincipals = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
	docRole       = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html"
)

// Causes lists what in fn's model fails whatever the policies say, or
// needs a fix other than a grant: a Failed state with its reason; a layer
// of another region or one that no longer exists; a container image in
// another region; an event source mapping given a queue URL; a KMS key the
// function depends on that is not Enabled; a grant made for a deleted role
// of the same name; a resource policy statement naming a deleted
// principal; an execution role that does not exist.
func Causes(fn *account.Function) []Cause {
	var out []Cause
	if c, ok := FailedCause(fn); ok {
		out = append(out, c)
	}
	if c, ok := RoleNotFoundCause(fn); ok {
		out = append(out, c)
	}
	for _, l := range fn.Config.Layers {
		if r := ARNRegion(l); r != "" && knownDifferent(r, fn.Region) {
			out = append(out, Cause{Kind: CauseLayerRegion, Rule: RuleLayerUnusable, Resource: l, NotIAM: true, Doc: docLayers,
				Summary: fmt.Sprintf("layer %s is in region %s, the function in %s: a function uses layers of its own region only, so creating or updating it fails; publish the layer in %s and use that version's ARN", LayerName(l), r, fn.Region, fn.Region)})
			continue
		}
		for _, u := range fn.Unseen {
			if u.NotFound && u.Resource == l && strings.EqualFold(u.Operation, "lambda:GetLayerVersion") {
				out = append(out, Cause{Kind: CauseLayerNotFound, Rule: RuleLayerUnusable, Resource: l, NotIAM: true, Doc: docLayers,
					Summary: fmt.Sprintf("layer version %s no longer exists: the function keeps running with it, but the next update of the function fails (\"you cannot create a new function that uses a deleted layer version\"); point the function at a version that exists", LayerName(l))})
			}
		}
	}
	if strings.EqualFold(fn.Config.PackageType, "Image") && fn.Config.ImageURI != "" {
		if r := ImageRegion(fn.Config.ImageURI); r != "" && knownDifferent(r, fn.Region) {
			out = append(out, Cause{Kind: CauseImageRegion, Rule: RuleImageRegion, Resource: fn.Config.ImageURI, NotIAM: true, Doc: docImages,
				Summary: fmt.Sprintf("the container image is in an Amazon ECR registry of region %s, the function in %s: Lambda pulls images from its own region only; replicate the repository to %s and use that image URI", r, fn.Region, fn.Region)})
		}
	}
	for _, es := range fn.EventSources {
		if es.EventSourceARN != "" && !strings.HasPrefix(es.EventSourceARN, "arn:") && !mayBeARN(es.EventSourceARN) {
			out = append(out, ESMNotARNCause(es.UUID, es.EventSourceARN))
		}
	}
	for _, k := range fn.Keys {
		if c, ok := KeyStateCause(k); ok {
			out = append(out, c)
		}
	}
	for _, sg := range StaleGrants(fn) {
		out = append(out, StaleGrantCause(fn, sg))
	}
	for _, b := range BareIDs(fn) {
		out = append(out, Cause{Kind: CauseDeletedPrincipal, Rule: RuleDeletedPrincipal, Resource: fn.ARN, Doc: docPrincipals,
			Summary: fmt.Sprintf("statement %s of the function's resource policy names %s, the unique id of a deleted role or user: a principal re-created under the same name does not match it; grant the new principal again and remove the statement", Quote(b[0]), b[1])})
	}
	return out
}

// FailedCause is fn's Failed (or Inactive with a reason) state with its
// reason (Lambda DG functions-states: invocations of a Failed function
// fail; StateReasonCode says why).
func FailedCause(fn *account.Function) (Cause, bool) {
	c := fn.Config
	state, code, reason := c.State, c.StateReasonCode, c.StateReason
	if !strings.EqualFold(state, "Failed") {
		if !strings.EqualFold(c.LastUpdateStatus, "Failed") {
			return Cause{}, false
		}
		state, code, reason = "last update Failed", c.LastUpdateStatusReasonCode, c.LastUpdateStatusReason
	}
	why, notIAM, known := errtext.StateReason(code)
	var s string
	switch {
	case known && strings.HasPrefix(why, "the function is Failed") && strings.EqualFold(state, "Failed"):
		s = why // errtext's words already say the state
	case known:
		s = "the function's " + state + ": " + why
	default:
		s = "the function is " + state + ": the reason code says why; read its StateReason"
		notIAM = true
	}
	if code != "" {
		s += " (reason code " + code + ")"
	}
	if strings.HasPrefix(state, "last") && !known {
		s = "the function's " + state + ": the reason code says why; read its LastUpdateStatusReason"
		if code != "" {
			s += " (reason code " + code + ")"
		}
	}
	cause := Cause{Kind: CauseFunctionFailed, Rule: RuleFunctionFailed, Resource: fn.ARN, NotIAM: notIAM, Doc: docStates,
		Summary: s}
	if reason != "" {
		cause.Detail = append(cause.Detail, "AWS says: "+reason)
	}
	cause.Detail = append(cause.Detail, "Lambda leaves the Failed state only when the function is updated: after the cause is fixed, update its code or configuration")
	return cause, true
}

// RoleNotFoundCause is an execution role that the account says does not
// exist: iam:GetRole answered NoSuchEntity (account.Unseen.NotFound), not
// that the operator may not read it (that stays undecided). Lambda assumes
// the execution role for every invocation (Lambda DG
// lambda-intro-execution-role: "Lambda automatically assumes your
// execution role when you invoke your function"), and refuses a role it
// cannot assume with "The role defined for the function cannot be assumed
// by Lambda" (Lambda API, CreateFunction and UpdateFunctionConfiguration,
// InvalidParameterValueException): a function whose role was deleted runs
// no invocation, whatever any policy says. No grant fixes it: the role is
// created again under its name (its permission policies went with it) or
// the function is pointed at another role.
func RoleNotFoundCause(fn *account.Function) (Cause, bool) {
	arn := fn.Config.RoleARN
	if fn.Role != nil || arn == "" {
		return Cause{}, false
	}
	for _, u := range fn.Unseen {
		if !u.NotFound || u.Resource != arn || !strings.EqualFold(u.Operation, "iam:GetRole") {
			continue
		}
		c := Cause{Kind: CauseRoleNotFound, Rule: RuleRoleNotFound, Resource: arn, NotIAM: true, Doc: docRole,
			Summary: fmt.Sprintf("execution role %s does not exist (it was deleted): Lambda assumes it for every invocation and cannot assume a role that does not exist, so every invocation fails (\"The role defined for the function cannot be assumed by Lambda\"); no grant fixes it", arn)}
		if u.Error != "" {
			c.Detail = append(c.Detail, "AWS says: iam:GetRole "+u.Error)
		}
		return c, true
	}
	return Cause{}, false
}

// ESMNotARNCause is an event source mapping given something that is not an
// ARN, typically a queue URL; with the queue's ARN when it can be told.
func ESMNotARNCause(uuid, source string) Cause {
	s := "event source mapping"
	if uuid != "" {
		s += " " + uuid
	}
	s += " names " + source + ", which is not an ARN: CreateEventSourceMapping needs the source's ARN (CloudFormation's Ref of an SQS queue is its URL; use its Arn attribute)"
	if arn := QueueARNFromURL(source); arn != "" {
		s += "; the queue's ARN is " + arn
	}
	return Cause{Kind: CauseESMNotARN, Rule: RuleESMNotARN, Resource: source, NotIAM: true, Doc: docESM, Summary: s}
}

// KeyStateCause reports a key that is not Enabled: it refuses every
// cryptographic operation whatever its policies and grants say (AWS KMS
// Developer Guide, key-state).
func KeyStateCause(k *account.Key) (Cause, bool) {
	if k == nil || k.State == "" || k.State == account.KeyEnabled {
		return Cause{}, false
	}
	s := fmt.Sprintf("KMS key %s is %s: a key that is not Enabled refuses every cryptographic operation, whatever its policy and grants say", k.ARN, k.State)
	switch k.State {
	case account.KeyPendingDeletion:
		s += "; cancel the deletion (the key is then Disabled) and enable it"
		if k.DeletionDate != nil {
			s += ", before " + k.DeletionDate.UTC().Format("2006-01-02 15:04 UTC") + " when it is deleted"
		}
	case account.KeyDisabled:
		s += "; enable it, or configure another key"
	case account.KeyPendingImport:
		s += "; import its key material"
	}
	return Cause{Kind: CauseKeyState, Rule: RuleKeyState, Resource: k.ARN, NotIAM: true, Doc: docKeyState, Summary: s, Key: k}, true
}

// StaleGrantCause explains a stale grant.
func StaleGrantCause(fn *account.Function, sg StaleGrant) Cause {
	s := fmt.Sprintf("grant %s on KMS key %s was made for %s, the unique id of a deleted role; role %s is now %s: it was re-created under the same name, and the grant no longer applies to it",
		sg.Grant.GrantID, sg.Key.ARN, sg.OldID, RoleName(fn.Config.RoleARN), sg.NewID)
	if sg.Lambda {
		s += "; Lambda made that grant for the function's environment and makes it again when the function's configuration is updated; re-create the grant, do not widen a policy"
	} else {
		s += "; re-create the grant for the role, do not widen a policy"
	}
	g := sg
	return Cause{Kind: CauseStaleGrant, Rule: RuleDeletedPrincipal, Resource: sg.Key.ARN, Doc: docGrants, Summary: s, Key: sg.Key, Grant: &g}
}

// QueueARNFromURL turns https://sqs.REGION.amazonaws.com/ACCOUNT/NAME into
// the queue's ARN; "" when s is not such a URL.
func QueueARNFromURL(s string) string {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		return ""
	}
	host, path, _ := strings.Cut(rest, "/")
	acct, name, _ := strings.Cut(path, "/")
	region := ""
	switch {
	case strings.HasPrefix(host, "sqs.") && strings.HasSuffix(host, ".amazonaws.com"):
		region = strings.TrimSuffix(strings.TrimPrefix(host, "sqs."), ".amazonaws.com")
	case strings.HasSuffix(host, ".queue.amazonaws.com"):
		region = strings.TrimSuffix(host, ".queue.amazonaws.com")
	}
	if region == "" || strings.Contains(region, ".") || !account.IsAccountID(acct) || name == "" || strings.ContainsAny(name, "/?#") {
		return ""
	}
	return "arn:aws:sqs:" + region + ":" + acct + ":" + name
}

// ImageRegion is the region of an Amazon ECR image URI
// (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG), or "".
func ImageRegion(uri string) string {
	host, _, _ := strings.Cut(uri, "/")
	parts := strings.Split(host, ".")
	if len(parts) >= 6 && parts[1] == "dkr" && parts[2] == "ecr" {
		return parts[3]
	}
	return ""
}

// CauseFor is the cause that decides v before any grant: a KMS key the
// request uses that is not Enabled, or a stale grant for the function's
// role on it that would have allowed the request.
func CauseFor(fn *account.Function, v *Verdict) *Cause {
	for _, p := range v.Probes {
		r := p.Input.Request
		if !isKMSKey(r.Resource) {
			continue
		}
		k := fn.KeyByARN(r.Resource)
		if c, ok := KeyStateCause(k); ok && cryptoOps[strings.ToLower(r.Action)] {
			return &c
		}
		if p.Result == nil || p.Result.Decision == "allow" {
			continue
		}
		for _, sg := range StaleGrants(fn) {
			if sg.Key.ARN == r.Resource && grantCovers(sg.Grant, r.Action) {
				c := StaleGrantCause(fn, sg)
				return &c
			}
		}
	}
	return nil
}

func grantCovers(g account.Grant, action string) bool {
	for _, op := range g.Operations {
		if strings.EqualFold("kms:"+op, action) {
			return true
		}
	}
	return false
}
