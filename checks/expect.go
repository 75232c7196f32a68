package checks

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// expectations simulates each expectation of spec on fn.
func expectations(fn *account.Function, spec FunctionSpec) []Expectation {
	var out []Expectation
	for _, inv := range spec.Invokers {
		out = append(out, expectInvoke(fn, inv))
	}
	for _, c := range spec.Calls {
		out = append(out, expectCall(fn, c, true))
	}
	for _, c := range spec.DeniedCalls {
		out = append(out, expectCall(fn, c, false))
	}
	return out
}

func expectInvoke(fn *account.Function, inv InvokerSpec) Expectation {
	target := fn.Name
	if inv.Qualifier != "" {
		target += ":" + inv.Qualifier
	}
	e := Expectation{ID: "LD201", Kind: "invoke", Line: inv.Line, Want: "allow", Name: inv.Name,
		Request: RequestJSON{Principal: inv.Principal, Action: inv.Action, Resource: fn.ARN}}
	if inv.Qualifier != "" {
		e.Request.Resource += ":" + inv.Qualifier
	}
	if e.Name == "" {
		e.Name = fmt.Sprintf("%s may invoke %s", inv.Principal, target)
		if inv.SourceARN != "" {
			e.Name += " from " + inv.SourceARN
		}
	}
	d := judge.Invoker{Principal: inv.Principal, SourceARN: inv.SourceARN, SourceAccount: inv.SourceAccount,
		Qualifier: inv.Qualifier, Why: "spec"}
	if strings.EqualFold(inv.Action, "lambda:InvokeFunctionUrl") {
		d.FunctionURL = true
	} else {
		d.Action = inv.Action
	}
	ctx := simulate.Context{}
	if inv.SourceARN != "" {
		ctx["aws:SourceArn"] = simulate.Value{Values: []string{inv.SourceARN}}
	}
	if inv.SourceAccount != "" {
		ctx["aws:SourceAccount"] = simulate.Value{Values: []string{inv.SourceAccount}}
	}
	for k, v := range inv.Context {
		ctx[k] = v
	}
	e.Request = withContext(e.Request, ctx)
	v := judge.CheckInbound(fn, d)
	if len(inv.Context) > 0 {
		// Extra context keys from the spec apply to every probe.
		for _, p := range v.Probes {
			for k, val := range inv.Context {
				p.Input.Request.Context[k] = val
			}
			p.Result = nil
		}
		v = rejudge(v)
	}
	settleExpectation(fn, &e, v)
	return e
}

func expectCall(fn *account.Function, c CallSpec, want bool) Expectation {
	e := Expectation{ID: "LD202", Kind: "call", Line: c.Line, Want: "allow", Name: c.Name,
		Request: withContext(RequestJSON{Principal: judge.SessionARN(fn), Action: c.Action, Resource: c.Resource}, c.Context)}
	if !want {
		e.ID, e.Kind, e.Want = "LD203", "denied_call", "deny"
	}
	if e.Name == "" {
		verb := "may"
		if !want {
			verb = "must not"
		}
		e.Name = fmt.Sprintf("%s %s call %s on %s", fn.Name, verb, c.Action, c.Resource)
	}
	v := judge.CheckOutbound(fn, judge.Call{Action: c.Action, Resource: c.Resource, Context: c.Context, Why: "spec"})
	settleExpectation(fn, &e, v)
	return e
}

// settleExpectation sets the outcome of e from verdict v, with evidence and
// (for a closed door that must be open) a verified fix.
func settleExpectation(fn *account.Function, e *Expectation, v *judge.Verdict) {
	e.Decision = decisionOf(v)
	for _, p := range v.Probes {
		e.Notes = append(e.Notes, p.Assumed...)
	}
	e.Notes = append(e.Notes, v.Notes...)
	switch {
	case v.Unknown:
		e.Passed = false
		e.Evidence = verdictEvidence(v)
	case e.Want == "allow":
		e.Passed = v.Decision == simulate.Allow
		if !e.Passed {
			e.Evidence = verdictEvidence(v)
			e.Fixes = fixesFor(fn, e.ID, []*judge.Verdict{v})
		}
	default:
		e.Passed = v.Decision != simulate.Allow
		if !e.Passed {
			e.Evidence = verdictEvidence(v)
		}
	}
	e.Notes = dedupe(e.Notes)
}

// rejudge re-evaluates a verdict whose probes were changed.
func rejudge(v *judge.Verdict) *judge.Verdict {
	v.Decision = simulate.Allow
	for i := range v.Probes {
		p := &v.Probes[i]
		res, err := simulate.Evaluate(p.Input)
		if err != nil {
			v.Unknown = true
			v.Notes = append(v.Notes, err.Error())
			continue
		}
		p.Result = res
		switch res.Decision {
		case simulate.ExplicitDeny:
			v.Decision = simulate.ExplicitDeny
		case simulate.ImplicitDeny:
			if v.Decision == simulate.Allow {
				v.Decision = simulate.ImplicitDeny
			}
		}
	}
	return v
}
