package fix

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/diagnose/judge"
)

// Template maps a model read from an infrastructure template (package
// account/template) back to the template, so that --fix-format
// cloudformation|sam writes a fix as an edit of it: the property to add to
// a resource it defines (a statement for a role's Policies, a SAM
// function's Policies) or the resource to add (an AWS::Lambda::Permission),
// naming its resources by logical id and the values it does not fix by
// intrinsic functions (!Ref, !GetAtt, !Sub).
type Template struct {
	File string
	SAM  bool
	// Roles are the locations, with logical id, of the template's roles by
	// ARN.
	Roles map[string]account.Location
	// Sub is the !Sub expression of a marker (${AWS::AccountId},
	// ${Queue.QueueName}, ${Stage}); "" when the template has none.
	Sub func(marker string) string
	// ARNs are the logical ids of the template's functions and roles by
	// ARN: an ARN (or a qualified one) is written ${ID.Arn}.
	ARNs map[string]string
	// Account and Region are the values given for AWS::AccountId and
	// AWS::Region (--account, --region): in an ARN they are written as the
	// pseudo parameters, so that the fix holds wherever the stack goes.
	Account, Region string
}

// render is how one fix is written: the format, and the template it edits
// (nil for an account).
type render struct {
	f  Format
	t  *Template
	fn *account.Function
}

// where says where in the template a resource is: "Fn (template.yaml:12)".
func (t *Template) where(l account.Location) string {
	s := l.LogicalID + " (" + l.File
	if l.Line > 0 {
		s += ":" + strconv.Itoa(l.Line)
	}
	return s + ")"
}

// role is the template's role of arn, if it defines one.
func (r render) role(arn string) (account.Location, bool) {
	if r.t == nil {
		return account.Location{}, false
	}
	l, ok := r.t.Roles[arn]
	return l, ok
}

// samRole reports whether arn is the role SAM generates for the function
// being fixed (an AWS::Serverless::Function without Role): its grants go in
// the function's Policies.
func (r render) samRole(arn string) bool {
	l, ok := r.role(arn)
	return ok && r.t.SAM && r.fn != nil && r.fn.Source != nil &&
		l.LogicalID == r.fn.Source.LogicalID+"Role" && l.Line == r.fn.Source.Line && l.File == r.fn.Source.File
}

// value writes a string of the model as a YAML value of the template: as
// it is, or, when it names the template's functions or roles, holds
// markers, or the account and region given, with the intrinsic function
// that gives it (!Ref X or !GetAtt X.Attr for a whole value, else !Sub).
// ok is false when a marker has no expression in the template: the value
// is then written with the marker, to be filled in by hand.
func (r render) value(s string) (string, bool) {
	if r.t == nil {
		return yamlStr(s), len(judge.Markers(s)) == 0
	}
	// Placeholders keep the expressions out of the later replacements.
	var exprs []string
	hold := func(e string) string {
		exprs = append(exprs, e)
		return "\x00" + strconv.Itoa(len(exprs)-1) + "\x00"
	}
	out := strings.ReplaceAll(s, "${", "${!")
	best := ""
	for arn := range r.t.ARNs {
		if len(arn) > len(best) && (out == arn || strings.HasPrefix(out, arn+":")) {
			best = arn
		}
	}
	if best != "" {
		out = hold("${"+r.t.ARNs[best]+".Arn}") + out[len(best):]
	}
	if f := strings.SplitN(out, ":", 6); len(f) == 6 && f[0] == "arn" {
		if r.t.Region != "" && f[3] == r.t.Region {
			f[3] = hold("${AWS::Region}")
		}
		if r.t.Account != "" && f[4] == r.t.Account {
			f[4] = hold("${AWS::AccountId}")
		}
		out = strings.Join(f, ":")
	} else if r.t.Account != "" && out == r.t.Account {
		out = hold("${AWS::AccountId}")
	}
	ok := true
	for _, m := range judge.Markers(out) {
		e := ""
		if r.t.Sub != nil {
			e = r.t.Sub(m)
		}
		if e == "" {
			ok = false
			continue
		}
		out = strings.ReplaceAll(out, m, hold(e))
	}
	if len(exprs) == 0 {
		return yamlStr(s), ok
	}
	if len(exprs) == 1 && out == "\x000\x00" {
		name := exprs[0][2 : len(exprs[0])-1]
		if i := strings.IndexByte(name, '.'); i > 0 && !strings.HasPrefix(name, "AWS::") {
			return "!GetAtt " + name, ok
		}
		return "!Ref " + name, ok
	}
	for i, e := range exprs {
		out = strings.ReplaceAll(out, "\x00"+strconv.Itoa(i)+"\x00", e)
	}
	return "!Sub " + yamlQuote(out), ok
}

func yamlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

var jsonString = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// doc writes a policy document as YAML (JSON is a YAML flow mapping), its
// strings with markers as intrinsic functions.
func (r render) doc(doc, prefix string) (string, bool) {
	out := indentJSON(doc, prefix)
	if r.t == nil {
		return out, !account.HasMarker(out)
	}
	ok := true
	out = jsonString.ReplaceAllStringFunc(out, func(lit string) string {
		if !strings.HasPrefix(lit, `"arn:`) && !account.HasMarker(lit) {
			return lit
		}
		s, err := strconv.Unquote(lit)
		if err != nil {
			ok = false
			return lit
		}
		v, vok := r.value(s)
		ok = ok && vok
		if strings.HasPrefix(v, "'") || !strings.HasPrefix(v, "!") {
			return lit // no expression: the JSON string as it was
		}
		return v
	})
	return out, ok
}

// unfilled says which values of a fix the template has no expression for.
func unfilled(s string) string {
	ms := judge.Markers(s)
	if len(ms) == 0 {
		return ""
	}
	return fmt.Sprintf("# fill in %s: the template does not give %s", strings.Join(ms, ", "), plural(len(ms), "it", "them"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
