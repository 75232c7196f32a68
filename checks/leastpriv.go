package checks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/fix"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
	"github.com/lambda-doctor/lambda-doctor/simulate/iamdata"
)

// rolePolicy is one identity policy of a role, parsed.
type rolePolicy struct {
	name       string // for evidence: "role/R/inline/P" or the managed policy ARN
	awsManaged bool
	p          *simulate.Policy
}

func isAWSManaged(arn string) bool { return strings.Contains(arn, ":iam::aws:policy/") }

// roleRules runs the rules that concern the execution role itself: trust,
// administrator and wildcard grants, unknown actions. The role's documents
// that do not parse come back apart (one LD110 per document, see
// Checker.addUnparsed).
func roleRules(fn *account.Function, t fix.Target) ([]Finding, []judge.Unparsed) {
	r := fn.Role
	var out []Finding
	var pols []rolePolicy
	var unparsed []judge.Unparsed
	bad := func(name string, err error) {
		unparsed = append(unparsed, judge.Unparsed{Policy: name, Owner: r.ARN, Err: err})
	}
	for _, ip := range r.Inline {
		name := judge.InlineName(r.Name, ip.Name)
		p, err := judge.ParsePolicy(ip.Document)
		if err != nil {
			bad(name, err)
			continue
		}
		pols = append(pols, rolePolicy{name: name, p: p})
	}
	for _, mp := range r.Managed {
		if isAWSManaged(mp.ARN) {
			switch lastSegment(mp.ARN) {
			case "AdministratorAccess", "PowerUserAccess":
				f := newFinding("LD101", r.ARN, fmt.Sprintf("role %s has %s attached", r.Name, lastSegment(mp.ARN)))
				if lastSegment(mp.ARN) == "PowerUserAccess" {
					f.Severity = High
				}
				f.Evidence = []Evidence{{Policy: mp.ARN, Detail: "attached to the execution role"}}
				detach := adviceCommand(fix.DetachRolePolicy(t, r.Name, mp.ARN))
				if missing := requiredWithout(fn, mp.ARN); len(missing) == 0 {
					f.Advice = "Without it, every permission the configuration of " + fn.Name + " requires still holds (checked by simulation); " +
						"grant what its code calls, then: " + detach
				} else {
					f.Advice = "Without it, " + fn.Name + " could no longer " + strings.Join(missing, "; ") +
						": grant those and what its code calls, then: " + detach
				}
				out = append(out, f)
				continue
			}
		}
		if mp.Document == "" {
			continue // unseen; reported with the function's Unseen
		}
		p, err := judge.ParsePolicy(mp.Document)
		if err != nil {
			bad(mp.ARN, err)
			continue
		}
		pols = append(pols, rolePolicy{name: mp.ARN, awsManaged: isAWSManaged(mp.ARN), p: p})
	}
	for _, rp := range pols {
		out = append(out, wildcardFindings(fn, rp)...)
		if !rp.awsManaged {
			out = append(out, unknownActions(r.ARN, rp.name, rp.p)...)
		}
	}
	if b := r.Boundary; b != nil && b.Document != "" && !isAWSManaged(b.ARN) {
		if p, err := judge.ParsePolicy(b.Document); err != nil {
			bad(b.ARN, err)
		} else {
			out = append(out, unknownActions(r.ARN, b.ARN, p)...)
		}
	}
	tf, tu := trustFindings(fn, t)
	return append(out, tf...), append(unparsed, tu...)
}

// requiredWithout lists the configuration's requirements of fn that would
// fail if the managed policy arn were detached from its role.
func requiredWithout(fn *account.Function, arn string) []string {
	work := *fn
	role := *fn.Role
	role.Managed = nil
	for _, m := range fn.Role.Managed {
		if m.ARN != arn {
			role.Managed = append(role.Managed, m)
		}
	}
	work.Role = &role
	var out []string
	for _, r := range judge.Requirements(&work) {
		if r.Outside != "" || (r.Door != judge.Outbound && r.Door != judge.Logs) {
			continue // only the execution role's permissions depend on it
		}
		if !judge.Judge(&work, r).Open() {
			out = append(out, r.Need)
		}
	}
	return out
}

// wildcardFindings reports "*:*" (LD102) and wildcard grants where
// narrower ones are possible (LD103).
func wildcardFindings(fn *account.Function, rp rolePolicy) []Finding {
	r := fn.Role
	var out []Finding
	for _, st := range rp.p.Statements {
		if st.Effect != "Allow" {
			continue
		}
		starRes := st.NotResource != nil || contains(st.Resource, "*")
		allActions := contains(st.Action, "*") || contains(st.Action, "*:*") || st.NotAction != nil
		sid := stmtName(st)
		if allActions && starRes {
			f := newFinding("LD102", r.ARN, fmt.Sprintf("role %s: %s statement %s allows every action on every resource", r.Name, rp.name, sid))
			detail := fmt.Sprintf("Action %s, Resource %s", listText(st.Action), listText(st.Resource))
			if st.NotAction != nil {
				detail = fmt.Sprintf("NotAction %s with Resource %s allows every other action", listText(st.NotAction), listText(st.Resource))
			}
			if len(st.Conditions) > 0 {
				detail += " (with conditions)"
			}
			f.Evidence = []Evidence{{Policy: rp.name, Statement: sid, Detail: detail}}
			f.Advice = "Replace the statement with the actions the function calls, on the resources it uses."
			out = append(out, f)
			continue
		}
		if rp.awsManaged || st.NotAction != nil {
			continue // AWS managed policies cannot be edited; LD101 covers the dangerous ones
		}
		var ev []Evidence
		sev := Medium
		for _, a := range st.Action {
			if a == "*" || !strings.ContainsAny(a, "*?") {
				continue
			}
			acts := iamdata.Actions(a)
			if len(acts) == 0 {
				continue // unknown: LD108
			}
			if permissionsManagement(acts) {
				sev = High
			}
			ev = append(ev, Evidence{Policy: rp.name, Statement: sid,
				Detail: fmt.Sprintf("%s grants %d actions (%s); list the ones the function calls", a, len(acts), sample(acts, 3))})
		}
		if starRes && st.Resource != nil {
			var narrow []string
			for _, a := range st.Action {
				for _, name := range expand(a) {
					info, ok := iamdata.Action(name)
					if !ok || info.NeedsStar() {
						continue
					}
					narrow = append(narrow, info.FullName())
				}
			}
			if len(narrow) > 0 {
				if permissionsManagement(narrow) {
					sev = High
				}
				ev = append(ev, Evidence{Policy: rp.name, Statement: sid,
					Detail: fmt.Sprintf("\"Resource\": \"*\" for %d actions that accept resource-level permissions (%s)", len(narrow), sample(narrow, 3))})
				for _, s := range narrowerResources(fn, narrow) {
					ev = append(ev, Evidence{Policy: rp.name, Statement: sid, Detail: "narrower: " + s})
				}
			}
		}
		if len(ev) == 0 {
			continue
		}
		f := newFinding("LD103", r.ARN, fmt.Sprintf("role %s: %s statement %s grants wildcards where narrower grants are possible", r.Name, rp.name, sid))
		f.Severity = sev
		f.Evidence = ev
		f.Advice = "Name the actions the function calls and the resources it uses; keep \"*\" only for actions that accept no resource-level permission."
		out = append(out, f)
	}
	return out
}

// expand turns an action pattern into the actions it names.
func expand(a string) []string {
	if a == "*" {
		return nil // every action: LD102 when on "*"; nothing narrower to say here
	}
	if strings.ContainsAny(a, "*?") {
		return iamdata.Actions(a)
	}
	return []string{a}
}

func permissionsManagement(actions []string) bool {
	for _, a := range actions {
		if info, ok := iamdata.Action(a); ok && strings.Contains(info.AccessLevel, "Permissions management") {
			return true
		}
	}
	return false
}

// narrowerResources says, per service of actions, which resources the
// grant could name: the resources the function's configuration uses, else
// the ARN format of the action's resource type for this account and region.
func narrowerResources(fn *account.Function, actions []string) []string {
	known := map[string][]string{} // service → ARNs from the configuration
	addARN := func(arn string) {
		if s := arnService(arn); s != "" && !contains(known[s], arn) {
			known[s] = append(known[s], arn)
		}
	}
	for _, es := range fn.EventSources {
		addARN(es.EventSourceARN)
	}
	addARN(fn.Config.DeadLetterTarget)
	addARN(fn.Config.KMSKeyARN)
	for _, ac := range fn.AsyncConfigs {
		addARN(ac.OnSuccess)
		addARN(ac.OnFailure)
	}
	known["logs"] = append(known["logs"], fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s:*", fn.PartitionName(), fn.Region, fn.Account, judge.LogGroupName(fn)))

	bySvc := map[string][]string{}
	for _, a := range actions {
		svc, _, _ := strings.Cut(a, ":")
		bySvc[svc] = append(bySvc[svc], a)
	}
	svcs := make([]string, 0, len(bySvc))
	for s := range bySvc {
		svcs = append(svcs, s)
	}
	sort.Strings(svcs)
	var out []string
	for _, svc := range svcs {
		if arns := known[svc]; len(arns) > 0 {
			out = append(out, fmt.Sprintf("%s actions on %s (used by the function's configuration)", svc, strings.Join(arns, ", ")))
			continue
		}
		// The resource types most of the actions accept, as ARN formats
		// for this account and region.
		count := map[string]int{}
		formats := map[string]string{}
		for _, a := range bySvc[svc] {
			info, ok := iamdata.Action(a)
			if !ok {
				continue
			}
			for _, rt := range info.ResourceTypes {
				if len(rt.ARNFormats) > 0 {
					count[rt.Name]++
					formats[rt.Name] = rt.ARNFormats[0]
				}
			}
		}
		types := make([]string, 0, len(count))
		for t := range count {
			types = append(types, t)
		}
		sort.Slice(types, func(i, j int) bool {
			if count[types[i]] != count[types[j]] {
				return count[types[i]] > count[types[j]]
			}
			return types[i] < types[j]
		})
		if len(types) > 2 {
			types = types[:2]
		}
		fill := strings.NewReplacer("${Partition}", fn.PartitionName(), "${Region}", fn.Region, "${Account}", fn.Account)
		var alts []string
		for _, t := range types {
			alts = append(alts, fmt.Sprintf("%s (%s, %d actions)", fill.Replace(formats[t]), t, count[t]))
		}
		if len(alts) > 0 {
			out = append(out, fmt.Sprintf("%s actions on %s", svc, strings.Join(alts, " or ")))
		}
	}
	return out
}

// unknownActions reports actions no service has (LD108), with simulate's
// action-name lint.
func unknownActions(subject, policy string, p *simulate.Policy) []Finding {
	var out []Finding
	for _, a := range simulate.UnknownActions(p) {
		st := stmtName(p.Statements[a.Statement.Index])
		f := newFinding("LD108", subject, fmt.Sprintf("%s statement %s names %s: %s", policy, st, a.Action, a.Message))
		f.Evidence = []Evidence{{Policy: policy, Statement: st, Detail: a.Action + ": " + a.Message}}
		if a.Suggestion != "" {
			f.Advice = fmt.Sprintf("Did you mean %s? A misspelt action matches no request, so the grant never works.", a.Suggestion)
		} else {
			f.Advice = "A misspelt action matches no request, so the grant never works."
		}
		out = append(out, f)
	}
	return out
}

// trustFindings: no one but Lambda should be able to assume the execution
// role (LD109). That Lambda can is a requirement (LD011, judge.Requirements).
func trustFindings(fn *account.Function, t fix.Target) ([]Finding, []judge.Unparsed) {
	r := fn.Role
	var out []Finding
	p, err := judge.ParsePolicy(r.Trust)
	if err != nil {
		return nil, []judge.Unparsed{{Policy: judge.TrustName(r.Name), Owner: r.ARN, Err: err}}
	}
	out = append(out, unknownActions(r.ARN, "trust policy", p)...)
	for _, st := range p.Statements {
		if st.Effect != "Allow" {
			continue
		}
		var extra []string
		critical := false
		if st.NotPrincipal != nil {
			extra = append(extra, "NotPrincipal (everyone but the listed principals)")
			critical = len(st.Conditions) == 0
		}
		if pr := st.Principal; pr != nil {
			if pr.All {
				extra = append(extra, "\"*\"")
				critical = len(st.Conditions) == 0
			}
			for _, kind := range []string{"AWS", "Federated", "CanonicalUser", "Service"} {
				for _, v := range pr.Values[kind] {
					if kind == "Service" && (v == "lambda.amazonaws.com" || v == "edgelambda.amazonaws.com") {
						continue
					}
					if kind == "AWS" && v == "*" && len(st.Conditions) == 0 {
						critical = true
					}
					extra = append(extra, kind+" "+v)
				}
			}
		}
		if len(extra) == 0 {
			continue
		}
		f := newFinding("LD109", r.ARN, fmt.Sprintf("role %s can also be assumed by %s", r.Name, strings.Join(extra, ", ")))
		if critical {
			f.Severity = Critical
		}
		detail := "allows " + listText(st.Action) + " to " + strings.Join(extra, ", ")
		if len(st.Conditions) > 0 {
			detail += " (with conditions)"
		}
		f.Evidence = []Evidence{{Policy: "trust policy", Statement: stmtName(st), Detail: detail}}
		f.Advice = "Let only lambda.amazonaws.com assume an execution role; give other principals a role of their own."
		out = append(out, f)
	}
	// One fix for every LD109 of the role: the trust policy limited to
	// Lambda, checked by simulation.
	if fx, ok := fix.NarrowTrust(fn, t.Profile); ok && fx.Verified {
		for i := range out {
			if out[i].ID == "LD109" {
				out[i].Fixes = []fix.Fix{fx}
			}
		}
	}
	return out, nil
}

// resourcePolicyFindings: confused deputy (LD105), public principal
// (LD106) and unknown actions (LD108) in the function's resource policies;
// the policies that do not parse come back apart.
func resourcePolicyFindings(fn *account.Function, t fix.Target) ([]Finding, []judge.Unparsed) {
	var out []Finding
	var unparsed []judge.Unparsed
	for _, rp := range fn.ResourcePolicies {
		name := judge.FunctionPolicyName(rp.Qualifier)
		fnName := fn.Name
		if rp.Qualifier != "" {
			fnName += ":" + rp.Qualifier
		}
		p, err := judge.ParsePolicy(rp.Document)
		if err != nil {
			unparsed = append(unparsed, judge.Unparsed{Policy: name, Owner: fn.ARN, Err: err})
			continue
		}
		out = append(out, withFunction(unknownActions(fn.ARN, name, p), fn.ARN)...)
		for _, st := range p.Statements {
			if st.Effect != "Allow" || !grantsInvoke(st) {
				continue
			}
			sid := stmtName(st)
			removeCmd := fix.RemovePermission(t, fn, rp.Qualifier, st.Sid)
			if st.Principal != nil && (st.Principal.All || contains(st.Principal.Values["AWS"], "*")) && len(st.Conditions) == 0 {
				f := newFinding("LD106", fn.ARN, fmt.Sprintf("%s statement %s lets anyone invoke %s", name, sid, fnName), fn.ARN)
				f.Evidence = []Evidence{{Policy: name, Statement: sid, Detail: "Principal \"*\" with no Condition allows " + listText(st.Action)}}
				f.Advice = "Name the principals that must invoke the function, or add conditions. To remove the statement: " + adviceCommand(removeCmd)
				out = append(out, f)
				continue
			}
			if st.Principal == nil || len(st.Principal.Values["Service"]) == 0 || hasSourceCondition(st) {
				continue
			}
			svcs := st.Principal.Values["Service"]
			f := newFinding("LD105", fn.ARN, fmt.Sprintf("%s statement %s lets %s invoke %s without SourceArn or SourceAccount", name, sid, strings.Join(svcs, ", "), fnName), fn.ARN)
			f.Evidence = []Evidence{{Policy: name, Statement: sid, Detail: fmt.Sprintf("Principal %s, Action %s, no aws:SourceArn/aws:SourceAccount condition", strings.Join(svcs, ", "), listText(st.Action))}}
			source := "SOURCE_ARN"
			if tr := triggerFor(fn, svcs, rp.Qualifier); tr != nil {
				source = tr.SourceARN
			}
			f.Advice = "Scope the permission to the resource that triggers the function: " +
				adviceCommand(removeCmd+" && "+fix.AddInvokePermission(t, fn, rp.Qualifier, st.Sid, svcs[0], source, fn.Account))
			out = append(out, f)
		}
	}
	return out, unparsed
}

// adviceCommand is cmd, or why it is not printed (fix.UnsafeCommand).
func adviceCommand(cmd string) string {
	if why := fix.UnsafeCommand(cmd); why != "" {
		return "(no command: " + why + ")"
	}
	return cmd
}

func withFunction(fs []Finding, arn string) []Finding {
	for i := range fs {
		fs[i].Functions = []string{arn}
	}
	return fs
}

func triggerFor(fn *account.Function, svcs []string, qualifier string) *account.Trigger {
	for i, t := range fn.Triggers {
		if t.SourceARN != "" && t.Qualifier == qualifier && contains(svcs, t.Principal) {
			return &fn.Triggers[i]
		}
	}
	return nil
}

// grantsInvoke reports whether a statement's actions include an invoke.
func grantsInvoke(st simulate.Statement) bool {
	if st.NotAction != nil {
		return true
	}
	for _, a := range st.Action {
		l := strings.ToLower(a)
		if l == "*" || l == "lambda:*" || strings.HasPrefix(l, "lambda:invoke") || l == "lambda:i*" || l == "lambda:in*" {
			return true
		}
	}
	return false
}

// hasSourceCondition reports whether a statement scopes a service principal
// to a source (IAM UG confused-deputy: aws:SourceArn, aws:SourceAccount,
// aws:SourceOrgID, aws:SourceOrgPaths).
func hasSourceCondition(st simulate.Statement) bool {
	for _, c := range st.Conditions {
		switch strings.ToLower(c.Key) {
		// lambda:EventSourceToken is how AddPermission scopes an Alexa
		// skill's invoke to the skill id (Lambda API reference,
		// AddPermission EventSourceToken): no confused deputy either.
		case "aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths", "lambda:eventsourcetoken":
			return true
		}
	}
	return false
}

// functionURLFindings: a function URL with auth type NONE (LD107).
func functionURLFindings(fn *account.Function, t fix.Target) []Finding {
	var out []Finding
	for _, u := range fn.URLConfigs {
		if !strings.EqualFold(u.AuthType, "NONE") {
			continue
		}
		name := fn.Name
		if u.Qualifier != "" {
			name += ":" + u.Qualifier
		}
		f := newFinding("LD107", fn.ARN, fmt.Sprintf("the function URL of %s has auth type NONE: anyone can invoke it", name), fn.ARN)
		f.Evidence = []Evidence{{Detail: u.URL + " AuthType NONE"}}
		f.Advice = "If the function is not meant to be public: " + adviceCommand(fix.RequireIAMAuth(t, fn, u.Qualifier))
		out = append(out, f)
	}
	return out
}

func stmtName(st simulate.Statement) string {
	if st.Sid != "" {
		return st.Sid
	}
	return fmt.Sprintf("#%d", st.Index)
}

func listText(l []string) string {
	if len(l) == 1 {
		return l[0]
	}
	return "[" + strings.Join(l, ", ") + "]"
}

func sample(l []string, n int) string {
	if len(l) <= n {
		return strings.Join(l, ", ")
	}
	return strings.Join(l[:n], ", ") + ", ..."
}
