package simulate

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Condition operators: IAM User Guide, "IAM JSON policy elements: Condition
// operators" (reference_policies_elements_condition_operators); set
// operators: "Set operators for multivalued context keys"
// (reference_policies_condition-single-vs-multi-valued-context-keys).

type opKind uint8

const (
	opStringEquals opKind = iota
	opStringEqualsIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opArnLike // ArnEquals and ArnLike behave alike
	opNull
)

type setMode uint8

const (
	setNone setMode = iota
	setAny          // ForAnyValue:
	setAll          // ForAllValues:
)

type compiledOp struct {
	kind     opKind
	negated  bool // StringNotEquals, NotIpAddress, ...
	ifExists bool
	set      setMode
}

var baseOps = map[string]compiledOp{
	"stringequals":              {kind: opStringEquals},
	"stringnotequals":           {kind: opStringEquals, negated: true},
	"stringequalsignorecase":    {kind: opStringEqualsIgnoreCase},
	"stringnotequalsignorecase": {kind: opStringEqualsIgnoreCase, negated: true},
	"stringlike":                {kind: opStringLike},
	"stringnotlike":             {kind: opStringLike, negated: true},
	"numericequals":             {kind: opNumericEquals},
	"numericnotequals":          {kind: opNumericEquals, negated: true},
	"numericlessthan":           {kind: opNumericLessThan},
	"numericlessthanequals":     {kind: opNumericLessThanEquals},
	"numericgreaterthan":        {kind: opNumericGreaterThan},
	"numericgreaterthanequals":  {kind: opNumericGreaterThanEquals},
	"dateequals":                {kind: opDateEquals},
	"datenotequals":             {kind: opDateEquals, negated: true},
	"datelessthan":              {kind: opDateLessThan},
	"datelessthanequals":        {kind: opDateLessThanEquals},
	"dategreaterthan":           {kind: opDateGreaterThan},
	"dategreaterthanequals":     {kind: opDateGreaterThanEquals},
	"bool":                      {kind: opBool},
	"binaryequals":              {kind: opBinaryEquals},
	"ipaddress":                 {kind: opIPAddress},
	"notipaddress":              {kind: opIPAddress, negated: true},
	"arnequals":                 {kind: opArnLike},
	"arnlike":                   {kind: opArnLike},
	"arnnotequals":              {kind: opArnLike, negated: true},
	"arnnotlike":                {kind: opArnLike, negated: true},
	"null":                      {kind: opNull},
}

func parseOperator(name string) (compiledOp, error) {
	var buf [64]byte
	if len(name) > len(buf) {
		return compiledOp{}, fmt.Errorf("unknown operator %q", name)
	}
	for i := 0; i < len(name); i++ {
		buf[i] = lower(name[i])
	}
	n := string(buf[:len(name)])
	var set setMode
	switch {
	case strings.HasPrefix(n, "foranyvalue:"):
		set, n = setAny, n[len("foranyvalue:"):]
	case strings.HasPrefix(n, "forallvalues:"):
		set, n = setAll, n[len("forallvalues:"):]
	}
	ifExists := false
	if strings.HasSuffix(n, "ifexists") {
		ifExists, n = true, strings.TrimSuffix(n, "ifexists")
	}
	op, ok := baseOps[n]
	if !ok || (op.kind == opNull && (ifExists || set != setNone)) {
		return compiledOp{}, fmt.Errorf("unknown operator %q", name)
	}
	op.ifExists, op.set = ifExists, set
	return op, nil
}

// condValue is one compiled policy value of a condition.
type condValue struct {
	str  string    // the value (StringEquals, Bool, Null), lowercased for IgnoreCase
	num  float64   // Numeric*
	t    time.Time // Date*
	pfx  netip.Prefix
	bin  string      // BinaryEquals: the decoded bytes
	arn  *resPattern // Arn*
	vars bool        // has policy variables: substitute per request
}

func (c *Condition) compile(at func() string, vars bool) error {
	op, err := parseOperator(c.Operator)
	if err != nil {
		return perr(at(), "%v", err)
	}
	return c.compileOp(op, at, vars, nil)
}

func (c *Condition) compileOp(op compiledOp, at func() string, vars bool, sl *slab) error {
	c.op = op
	c.val = sl.values(len(c.Values))
	for i, v := range c.Values {
		cv := &c.val[i]
		cv.str = v
		switch op.kind {
		case opStringEquals, opStringEqualsIgnoreCase, opStringLike:
			cv.vars = vars && strings.Contains(v, "${")
			if op.kind == opStringEqualsIgnoreCase {
				cv.str = strings.ToLower(v)
			}
		case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
			n, ok := parseNumber(v)
			if !ok {
				return perr(at(), "%q is not a number", v)
			}
			cv.num = n
		case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
			t, ok := parseDate(v)
			if !ok {
				return perr(at(), "%q is not a date (ISO 8601 or epoch seconds)", v)
			}
			cv.t = t
		case opBool:
			lv := strings.ToLower(v)
			if lv != "true" && lv != "false" {
				return perr(at(), "%q is not a boolean", v)
			}
			cv.str = lv
		case opNull:
			lv := strings.ToLower(v)
			if lv != "true" && lv != "false" {
				return perr(at(), "Null takes \"true\" or \"false\", got %q", v)
			}
			cv.str = lv
		case opBinaryEquals:
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return perr(at(), "%q is not base64", v)
			}
			cv.bin = string(b)
		case opIPAddress:
			p, ok := parseCIDR(v)
			if !ok {
				return perr(at(), "%q is not an IP address or CIDR block", v)
			}
			cv.pfx = p
		case opArnLike:
			a := compileArnValue(v, vars)
			cv.arn = &a
		}
	}
	return nil
}

func parseNumber(s string) (float64, bool) {
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false
	}
	return n, true
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z0700",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z",
}

// parseDate reads an ISO 8601 date or a count of seconds since the epoch.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if isDigits(s) || (s[0] == '-' && isDigits(s[1:])) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseCIDR(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// condResult is the outcome of one condition, with what the trace needs.
type condResult struct {
	ok      bool
	absent  bool // the key was not in the request
	multi   bool // single-valued operator on a multivalued key
	unknown bool // a policy variable could not be resolved
}

// eval evaluates the condition against the request context. rd (nil: the
// engine's reading, untracked) notes an Arn* match that depends on the reading.
func (c *Condition) eval(ctx Context, rd *reading) condResult {
	v, present := ctx.lookup(c.Key)
	if c.op.kind == opNull {
		// Null: "true" asks that the key be absent, "false" that it be present.
		empty := !present || (v.Multi && len(v.Values) == 0)
		for i := range c.val {
			if (c.val[i].str == "true") == empty {
				return condResult{ok: true, absent: !present}
			}
		}
		return condResult{ok: false, absent: !present}
	}
	switch c.op.set {
	case setNone:
		if !present {
			// A missing key fails a condition, except with ...IfExists and
			// the negated operators, which match it.
			return condResult{ok: c.op.ifExists || c.op.negated, absent: true}
		}
		if v.Multi {
			return condResult{ok: false, multi: true}
		}
		if len(v.Values) != 1 {
			return condResult{ok: c.op.negated}
		}
		m, unk := c.matchOne(v.Values[0], ctx, rd)
		return condResult{ok: m != c.op.negated, unknown: unk}
	case setAny:
		// ForAnyValue is false for an absent key or an empty set, IfExists
		// or not: AWS denies ListQueues under ForAnyValue:StringEqualsIfExists
		// on aws:TagKeys (re:Post QU9HFmDzP0QGuU-fd7rS6B7w).
		if !present || len(v.Values) == 0 {
			return condResult{ok: false, absent: !present}
		}
		unk := false
		for _, r := range v.Values {
			m, u := c.matchOne(r, ctx, rd)
			unk = unk || u
			if m != c.op.negated {
				return condResult{ok: true}
			}
		}
		return condResult{ok: false, unknown: unk}
	default: // setAll
		if !present || len(v.Values) == 0 {
			return condResult{ok: true, absent: !present}
		}
		unk := false
		for _, r := range v.Values {
			m, u := c.matchOne(r, ctx, rd)
			unk = unk || u
			if m == c.op.negated {
				return condResult{ok: false, unknown: unk}
			}
		}
		return condResult{ok: true}
	}
}

// matchOne reports whether one request value matches any of the policy
// values under the positive form of the operator. unk is set when a policy
// variable in a value could not be resolved (that value matches nothing).
func (c *Condition) matchOne(r string, ctx Context, rd *reading) (m, unk bool) {
	k := c.op.kind
	switch k {
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		n, ok := parseNumber(r)
		if !ok {
			return false, false
		}
		for i := range c.val {
			p := c.val[i].num
			var hit bool
			switch k {
			case opNumericEquals:
				hit = n == p
			case opNumericLessThan:
				hit = n < p
			case opNumericLessThanEquals:
				hit = n <= p
			case opNumericGreaterThan:
				hit = n > p
			default:
				hit = n >= p
			}
			if hit {
				return true, false
			}
		}
		return false, false
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(r)
		if !ok {
			return false, false
		}
		for i := range c.val {
			p := c.val[i].t
			var hit bool
			switch k {
			case opDateEquals:
				hit = t.Equal(p)
			case opDateLessThan:
				hit = t.Before(p)
			case opDateLessThanEquals:
				hit = !t.After(p)
			case opDateGreaterThan:
				hit = t.After(p)
			default:
				hit = !t.Before(p)
			}
			if hit {
				return true, false
			}
		}
		return false, false
	case opIPAddress:
		a, ok := parseIP(r)
		if !ok {
			return false, false
		}
		for i := range c.val {
			if c.val[i].pfx.Contains(a) {
				return true, false
			}
		}
		return false, false
	case opBinaryEquals:
		b, err := base64.StdEncoding.DecodeString(r)
		for i := range c.val {
			if err == nil && string(b) == c.val[i].bin || r == c.val[i].str {
				return true, false
			}
		}
		return false, false
	case opBool:
		for i := range c.val {
			if strings.EqualFold(r, c.val[i].str) {
				return true, false
			}
		}
		return false, false
	case opArnLike:
		// A request value that is not an ARN matches no value, and fails
		// the negated operators too.
		ra := splitARN(r)
		if !ra.ok {
			return c.op.negated, false
		}
		for i := range c.val {
			pat := c.val[i].arn
			if pat.vars {
				sub, ok := substitute(pat.raw, ctx)
				if !ok {
					// An unresolvable variable: the value matches nothing,
					// and fails a negated operator too.
					if c.op.negated {
						return true, true
					}
					unk = true
					continue
				}
				tmp := resPattern{raw: pat.raw, exact: true}
				tmp.compileSubstituted(sub)
				pat = &tmp
			}
			if !pat.arn {
				// A policy value that is not an ARN behaves the same way.
				if c.op.negated {
					return true, unk
				}
				continue
			}
			if pat.matchCompiled(r, &ra, rd) {
				return true, unk
			}
		}
		return false, unk
	}
	// String operators.
	for i := range c.val {
		cv := &c.val[i]
		p := cv.str
		if cv.vars {
			var ok bool
			if k == opStringLike {
				p, ok = substitute(cv.str, ctx)
			} else {
				p, ok = substituteLiteral(cv.str, ctx)
			}
			if !ok {
				if c.op.negated {
					return true, true
				}
				unk = true
				continue
			}
			if k == opStringEqualsIgnoreCase {
				p = strings.ToLower(p)
			}
		}
		var hit bool
		switch k {
		case opStringEquals:
			hit = r == p
		case opStringEqualsIgnoreCase:
			hit = strings.EqualFold(r, p)
		default:
			hit = glob(p, r, false)
		}
		if hit {
			return true, unk
		}
	}
	return false, unk
}

// substituteLiteral replaces policy variables in a value compared literally.
func substituteLiteral(s string, ctx Context) (string, bool) {
	sub, ok := substitute(s, ctx)
	if !ok {
		return "", false
	}
	if strings.IndexByte(sub, litStar) < 0 && strings.IndexByte(sub, litOne) < 0 {
		return sub, true
	}
	b := []byte(sub)
	for i, c := range b {
		switch c {
		case litStar:
			b[i] = '*'
		case litOne:
			b[i] = '?'
		}
	}
	return string(b), true
}

func parseIP(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}
