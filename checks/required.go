package checks

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// judged is one requirement of the function's configuration
// (judge.Requirements) with its verdict.
type judged struct {
	req judge.Requirement
	v   *judge.Verdict
}

// judgeRequirements judges every requirement judge.Requirements lists for
// fn; requirements decided outside the model come back apart (outside).
func judgeRequirements(fn *account.Function) (in []judged, outside []judge.Requirement) {
	for _, r := range judge.Requirements(fn) {
		if r.Outside != "" {
			outside = append(outside, r)
			continue
		}
		in = append(in, judged{r, judge.Judge(fn, r)})
	}
	return in, outside
}

// requirement is the output form of a judged requirement.
func requirement(j judged) Requirement {
	q := Requirement{ID: j.req.Rule, Need: j.req.Need, Decision: decisionOf(j.v), Passed: j.v.Open(), Ambiguous: j.v.Ambiguity()}
	for _, p := range j.v.Probes {
		q.Requests = append(q.Requests, request(p.Input.Request))
	}
	if len(j.v.Probes) == 0 {
		for _, c := range j.req.Calls {
			q.Requests = append(q.Requests, RequestJSON{Action: c.Action, Resource: c.Resource})
		}
	}
	for _, u := range j.v.Unparsed {
		q.Unparsed = append(q.Unparsed, u.Policy)
	}
	if j.v.Cause != nil {
		q.Cause = j.v.Cause.Kind
	}
	if q.Requests == nil {
		q.Requests = []RequestJSON{} // a requirement whose requests cannot be said
	}
	return q
}

// requirementFinding reports a requirement whose door is closed, or open
// under one reading of the documentation and closed under the other (an
// undecided finding, with Ambiguous set); ok is false for one that holds
// or is undecided for want of reads. Its fixes are built when the report
// is assembled (Checker.fixes); advice stands in for them when there is
// none.
func requirementFinding(fn *account.Function, j judged) (f Finding, advice string, ok bool) {
	v := j.v
	amb := v.Ambiguity()
	if !v.Closed() && amb == nil {
		return Finding{}, "", false
	}
	if v.Cause != nil && len(v.Probes) == 0 {
		// Closed by a cause with no request to judge (an execution role
		// that does not exist): reported once by itself (causeFinding), as
		// diagnose does, not once per requirement.
		return Finding{}, "", false
	}
	if amb != nil && v.Decision == simulate.Allow {
		// Described as the reading that closes the door sees it.
		v = v.UnderOtherReading()
	}
	var missing []string
	for _, p := range v.Probes {
		if p.Result != nil && p.Result.Decision != simulate.Allow {
			missing = append(missing, p.Input.Request.Action)
		}
	}
	missing = dedupe(missing)
	decision := denyWord(string(v.Decision))
	if c := v.Cause; c != nil {
		// Something other than a grant decides first: the finding says
		// what, and its fix is the cause's.
		rule := j.req.Rule
		if c.Rule != "" {
			rule = c.Rule // reported as what it is: a key's state, a stale grant
		}
		f = newFinding(rule, fn.ARN, fmt.Sprintf("%s cannot %s: %s", roleLabel(fn), j.req.Need, c.Summary), fn.ARN)
		f.Evidence = append(verdictEvidence(v), Evidence{Detail: "cause: " + c.Kind})
		return f, c.Summary, true
	}
	switch j.req.Door {
	case judge.Trust:
		r := fn.Role
		f = newFinding(j.req.Rule, r.ARN, fmt.Sprintf("the trust policy of role %s does not let lambda.amazonaws.com assume it", r.Name))
	case judge.Inbound:
		f = newFinding(j.req.Rule, fn.ARN, fmt.Sprintf("function %s cannot %s: %s %s %s", fn.Name, j.req.Need,
			plural(len(missing), "action", "actions"), strings.Join(missing, ", "), decision), fn.ARN)
	default:
		f = newFinding(j.req.Rule, fn.ARN, fmt.Sprintf("%s cannot %s: %s %s %s", roleLabel(fn), j.req.Need,
			plural(len(missing), "action", "actions"), strings.Join(missing, ", "), decision), fn.ARN)
		f.role = fn.Config.RoleARN
	}
	f.Evidence = verdictEvidence(v)
	if amb != nil {
		f.Ambiguous = amb
		f.Title = "undecided: " + f.Title + ", " + amb.Only()
		f.Evidence = append(f.Evidence, Evidence{Detail: "undecided: " + amb.Note})
	}
	if j.req.Door == judge.Inbound {
		f.Evidence = append(f.Evidence, Evidence{Detail: "found by: " + j.req.Source})
		for _, n := range j.req.Notes {
			f.Evidence = append(f.Evidence, Evidence{Detail: "note: " + n})
		}
	}
	switch j.req.Door {
	case judge.Trust:
		advice = "Add a statement allowing sts:AssumeRole to {\"Service\": \"lambda.amazonaws.com\"}."
	case judge.Inbound:
		advice = "Let the invoker in: the function's resource policy (or the invoking role) must allow " + strings.Join(missing, ", ") + "."
	default:
		advice = "Grant " + strings.Join(missing, ", ") + " to the execution role."
	}
	return f, advice, true
}

// causeFinding reports a cause the model shows (judge.Causes) with its
// rule: a Failed state, a layer or image that cannot be used, an event
// source given a URL, a KMS key that is not Enabled, a stale grant or a
// statement naming a deleted principal. Its fixes are fix.ForCause's.
func causeFinding(fn *account.Function, c judge.Cause, profile string) Finding {
	f := newFinding(c.Rule, c.Resource, c.Summary, fn.ARN)
	f.Evidence = []Evidence{{Detail: "cause: " + c.Kind}}
	for _, d := range c.Detail {
		f.Evidence = append(f.Evidence, Evidence{Detail: d})
	}
	set := fix.NewSet()
	set.Profile = profile
	f.Fixes = set.ForCause(fn, c)
	return f
}

// outsideFinding reports a requirement decided outside the model: a layer
// (LD009) or a container image (LD010) of another account.
func outsideFinding(fn *account.Function, r judge.Requirement) (Finding, bool) {
	switch r.Rule {
	case judge.RuleLayer:
		l := strings.TrimPrefix(r.Source, "layer ")
		f := newFinding(r.Rule, fn.ARN, fmt.Sprintf("layer %s belongs to account %s", judge.LayerName(l), r.Owner), fn.ARN)
		f.Evidence = []Evidence{{Detail: l}}
		f.Advice = fmt.Sprintf("Account %s must keep granting lambda:GetLayerVersion to %s (aws lambda add-layer-version-permission); otherwise the next update of the function fails.", r.Owner, fn.Account)
		return f, true
	case judge.RuleImage:
		f := newFinding(r.Rule, fn.ARN, fmt.Sprintf("the container image is in a repository of account %s", r.Owner), fn.ARN)
		f.Evidence = []Evidence{{Detail: fn.Config.ImageURI}}
		f.Advice = fmt.Sprintf("The repository policy in account %s must allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer to lambda.amazonaws.com (with aws:sourceARN arn:%s:lambda:%s:%s:function:*) and to account %s.",
			r.Owner, fn.PartitionName(), fn.Region, fn.Account, fn.Account)
		return f, true
	}
	return Finding{}, false
}

func denyWord(decision string) string {
	if decision == string(simulate.ExplicitDeny) {
		return "(explicitly denied)"
	}
	return "(not allowed)"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func roleLabel(fn *account.Function) string {
	return "role " + lastSegment(fn.Config.RoleARN)
}

func arnService(arn string) string { return account.ARNField(arn, 2) }
