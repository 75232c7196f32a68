package checks

import (
	"fmt"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// expectations simulates each expectation of spec on fn; the verdicts of
// those that fail and want allow are returned by index, for their fixes.
func expectations(fn *account.Function, spec FunctionSpec) ([]Expectation, map[int]*judge.Verdict) {
	var out []Expectation
	toFix := map[int]*judge.Verdict{}
	add := func(e Expectation, v *judge.Verdict) {
		if !e.Passed && e.Want == "allow" && (v.Closed() || v.IsAmbiguous()) {
			toFix[len(out)] = v
		}
		out = append(out, e)
	}
	for _, inv := range spec.Invokers {
		add(expectInvoke(fn, inv))
	}
	for _, c := range spec.Calls {
		add(expectCall(fn, c, true))
	}
	for _, c := range spec.DeniedCalls {
		add(expectCall(fn, c, false))
	}
	return out, toFix
}

func expectInvoke(fn *account.Function, inv InvokerSpec) (Expectation, *judge.Verdict) {
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
	// Extra context keys from the spec apply to every probe.
	d := judge.Invoker{Principal: inv.Principal, SourceARN: inv.SourceARN, SourceAccount: inv.SourceAccount,
		Qualifier: inv.Qualifier, Context: inv.Context, Why: "spec"}
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
	settleExpectation(&e, v)
	return e, v
}

func expectCall(fn *account.Function, c CallSpec, want bool) (Expectation, *judge.Verdict) {
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
	settleExpectation(&e, v)
	return e, v
}

// settleExpectation sets the outcome of e from verdict v, with evidence; the
// fix of a closed door that must be open is built with the report
// (Checker.fixes).
func settleExpectation(e *Expectation, v *judge.Verdict) {
	e.Decision = decisionOf(v)
	for _, p := range v.Probes {
		e.Notes = append(e.Notes, p.Assumed...)
	}
	e.Notes = append(e.Notes, v.Notes...)
	switch {
	case v.Unknown:
		e.Passed = false
		e.Evidence = verdictEvidence(v)
	case v.IsAmbiguous():
		// Shown to hold under one reading only: not shown to hold.
		e.Passed = false
		e.Ambiguous = v.Ambiguity()
		e.Evidence = append(verdictEvidence(v), Evidence{Detail: "undecided: " + e.Ambiguous.Note})
	case e.Want == "allow":
		e.Passed = v.Decision == simulate.Allow
		if !e.Passed {
			e.Evidence = verdictEvidence(v)
		}
	default:
		e.Passed = v.Decision != simulate.Allow
		if !e.Passed {
			e.Evidence = verdictEvidence(v)
		}
	}
	e.Notes = dedupe(e.Notes)
}
