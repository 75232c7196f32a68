package simulate

import (
	"fmt"
	"strings"
)

// Explain renders the result for people: the decision, what decided it, each
// layer, and every statement with the element that failed.
func (r *Result) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "decision: %s\n", r.Decision)
	if r.CrossAccount {
		b.WriteString("cross-account: both the identity side and the resource policy must allow\n")
	}
	switch r.Decision {
	case ExplicitDeny:
		b.WriteString("denied explicitly by:\n")
	case Allow:
		if len(r.Deciding) == 0 {
			b.WriteString("allowed without any statement:\n")
			for _, l := range r.Layers {
				if l.Layer == "service" {
					fmt.Fprintf(&b, "  %s\n", l.Note)
				}
			}
		} else {
			b.WriteString("allowed by:\n")
		}
	}
	for _, d := range r.Deciding {
		fmt.Fprintf(&b, "  %s statement %s (%s)\n", d.Policy, d.Statement, d.Effect)
	}
	if len(r.Ambiguous) > 0 {
		fmt.Fprintf(&b, "note: the IAM User Guide does not settle this decision (%s under another reading):\n", r.Ambiguous[0].Otherwise)
		for _, a := range r.Ambiguous {
			fmt.Fprintf(&b, "  %s\n", a.Reason)
		}
	}
	if r.Decision == ImplicitDeny {
		b.WriteString("no statement allows the request where it must; missing allow in:\n")
		for _, l := range r.missingAllows() {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	if len(r.Layers) > 0 {
		b.WriteString("layers:\n")
		for _, l := range r.Layers {
			fmt.Fprintf(&b, "  %-9s %s", l.Layer, l.Decision)
			if l.Note != "" {
				fmt.Fprintf(&b, " (%s)", l.Note)
			}
			b.WriteByte('\n')
		}
	}
	if len(r.Trace) > 0 {
		b.WriteString("statements:\n")
		for _, t := range r.Trace {
			mark := "no "
			if t.Applies {
				mark = "yes"
			}
			fmt.Fprintf(&b, "  [%s] %s %s statement %s (%s)", mark, t.Layer, t.Policy, t.Statement, t.Effect)
			if !t.Applies {
				fmt.Fprintf(&b, ": %s", t.Why)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// missingAllows names the layers that had no applicable allow.
func (r *Result) missingAllows() []string {
	var out []string
	for _, l := range r.Layers {
		if l.Decision == ImplicitDeny {
			s := l.Layer
			if l.Note != "" {
				s += " (" + l.Note + ")"
			}
			out = append(out, s)
		}
	}
	hasResource, hasIdentity := false, false
	for _, l := range r.Layers {
		hasResource = hasResource || l.Layer == LayerResource
		hasIdentity = hasIdentity || (l.Layer == LayerIdentity && !strings.HasPrefix(l.Note, "not evaluated"))
	}
	switch {
	case hasResource:
	case r.CrossAccount:
		out = append(out, "resource (no resource policy: a cross-account request needs the resource's account to grant it)")
	case !hasIdentity:
		out = append(out, "resource (no resource policy: only a resource policy can grant this principal)")
	case len(out) == 0:
		out = append(out, "resource (no resource policy grants this principal)")
	}
	return out
}
