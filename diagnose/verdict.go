package diagnose

import (
	"fmt"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/simulate"
)

// CheckOutbound judges a call the function's code makes with its execution
// role. A malformed policy document is an error; a role that could not be
// read gives an Unknown verdict.
func CheckOutbound(fn *account.Function, c Call) (*Verdict, error) {
	in, assumed, unseen, err := OutboundInput(fn, c)
	if err != nil {
		return nil, err
	}
	v := &Verdict{Door: Outbound, Call: &c, Unseen: unseen}
	if in == nil {
		v.Unknown = true
		return v, nil
	}
	v.Probes = []Probe{{Input: in, Assumed: assumed}}
	v.settle()
	return v, nil
}

// CheckOutboundAll judges several calls the code (or the Lambda poller for
// an event source mapping) must all be able to make; one probe each.
func CheckOutboundAll(fn *account.Function, calls []Call) (*Verdict, error) {
	if len(calls) == 1 {
		return CheckOutbound(fn, calls[0])
	}
	v := &Verdict{Door: Outbound, Calls: calls}
	for _, c := range calls {
		in, assumed, unseen, err := OutboundInput(fn, c)
		if err != nil {
			return nil, err
		}
		v.Unseen = appendUnseen(v.Unseen, unseen...)
		if in == nil {
			v.Unknown = true
			return v, nil
		}
		v.Probes = append(v.Probes, Probe{Input: in, Assumed: assumed})
	}
	v.settle()
	return v, nil
}

// CheckInbound judges one invoke of the function by inv.
func CheckInbound(fn *account.Function, inv Invoker) (*Verdict, error) {
	ins, assumed, unseen, err := InboundInputs(fn, inv)
	if err != nil {
		return nil, err
	}
	v := &Verdict{Door: Inbound, Invoker: &inv, Unseen: unseen}
	for _, in := range ins {
		v.Probes = append(v.Probes, Probe{Input: in, Assumed: assumed})
	}
	v.settle()
	return v, nil
}

// CheckTrust judges whether Lambda may assume the execution role.
func CheckTrust(fn *account.Function) (*Verdict, error) {
	in, unseen, err := TrustInput(fn)
	if err != nil {
		return nil, err
	}
	v := &Verdict{Door: Trust, Unseen: unseen}
	if in == nil {
		v.Unknown = true
		return v, nil
	}
	v.Probes = []Probe{{Input: in}}
	v.settle()
	return v, nil
}

// CheckLogs judges the execution role's CloudWatch Logs permissions for the
// function's log group (one probe per call of LogCalls).
func CheckLogs(fn *account.Function) (*Verdict, error) {
	v := &Verdict{Door: Logs}
	for _, c := range LogCalls(fn) {
		in, assumed, unseen, err := OutboundInput(fn, c)
		if err != nil {
			return nil, err
		}
		if in == nil {
			v.Unseen = unseen
			v.Unknown = true
			return v, nil
		}
		v.Unseen = appendUnseen(v.Unseen, unseen...)
		v.Probes = append(v.Probes, Probe{Input: in, Assumed: assumed})
	}
	v.settle()
	return v, nil
}

// settle evaluates every probe that has no result and sets the decision:
// allow when every probe allows, else the first explicit deny, else the
// first implicit deny. Unseen reads make the verdict Unknown unless an
// explicit deny already decides.
func (v *Verdict) settle() {
	v.Decision = simulate.Allow
	for i := range v.Probes {
		p := &v.Probes[i]
		if p.Result == nil {
			p.Result = evaluate(p.Input)
		}
		switch p.Result.Decision {
		case simulate.ExplicitDeny:
			v.Decision = simulate.ExplicitDeny
		case simulate.ImplicitDeny:
			if v.Decision == simulate.Allow {
				v.Decision = simulate.ImplicitDeny
			}
		}
	}
	v.Unknown = len(v.Unseen) > 0 && v.Decision == simulate.ImplicitDeny
}

// Failing is the first probe that is not allowed (nil when all are).
func (v *Verdict) Failing() *Probe {
	for i := range v.Probes {
		if v.Probes[i].Result != nil && v.Probes[i].Result.Decision == v.Decision && v.Decision != simulate.Allow {
			return &v.Probes[i]
		}
	}
	return nil
}

// Request is the request of the first failing probe, else the first probe.
func (v *Verdict) Request() simulate.Request {
	if p := v.Failing(); p != nil {
		return p.Input.Request
	}
	if len(v.Probes) > 0 {
		return v.Probes[0].Input.Request
	}
	if v.Call != nil {
		return simulate.Request{Action: v.Call.Action, Resource: v.Call.Resource}
	}
	return simulate.Request{}
}

func appendUnseen(list []account.Unseen, more ...account.Unseen) []account.Unseen {
next:
	for _, u := range more {
		for _, have := range list {
			if have.Operation == u.Operation && have.Resource == u.Resource {
				continue next
			}
		}
		list = append(list, u)
	}
	return list
}

func (v *Verdict) String() string {
	r := v.Request()
	return fmt.Sprintf("%s %s → %s on %s: %s", v.Door, r.Principal, r.Action, r.Resource, v.Decision)
}
