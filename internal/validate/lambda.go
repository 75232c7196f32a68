package validate

import "strings"

// Function is a checked --function: a name or an ARN, with the qualifier
// it names, if any.
type Function struct {
	Name      string // the function's name
	ARN       ARN    // set when given as an ARN
	Qualifier string // "" when none is named
}

// FunctionName checks a function named as NAME, NAME:QUALIFIER or
// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]: a name of
// 1 to 64 letters, digits, '-' and '_', and a qualifier that Qualifier
// accepts (Lambda API reference, CreateFunction and GetFunction:
// FunctionName).
func FunctionName(s string) (Function, error) {
	const want = "want a function name (letters, digits, '-' and '_'), NAME:QUALIFIER, or arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME"
	if s == "" {
		return Function{}, errorf("function", s, "no function given; %s", want)
	}
	var f Function
	rest := s
	if strings.HasPrefix(s, "arn:") {
		a, err := ParseARN(s)
		if err != nil {
			e := err.(*Error)
			e.What = "function"
			return Function{}, e
		}
		typ, r, _ := strings.Cut(a.Resource, ":")
		switch {
		case a.Service != "lambda" || typ != "function":
			return Function{}, errorf("function", s, "%s is not a Lambda function ARN; %s", show(s), want)
		case a.Region == "" || a.Account == "" || a.Account == "aws":
			return Function{}, errorf("function", s, "%s names no region or no account; a function ARN is arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME", show(s))
		}
		f.ARN, rest = a, r
	} else if strings.Count(s, ":") > 1 {
		return Function{}, errorf("function", s, "%s is not a function name; %s", show(s), want)
	}
	name, q, hasQ := strings.Cut(rest, ":")
	if !functionName(name) {
		return Function{}, errorf("function", s, "%s: %s is not a function name: 1 to 64 letters, digits, '-' and '_'", show(s), show(name))
	}
	f.Name = name
	if hasQ {
		if err := Qualifier(q); err != nil {
			e := err.(*Error)
			e.What, e.Value = "function", s
			return Function{}, e
		}
		f.Qualifier = q
	}
	return f, nil
}

func functionName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Qualifier checks a version or alias name (--qualifier, a spec's
// qualifier): $LATEST, a version number, or an alias of 1 to 128 letters,
// digits, '-' and '_' that is not all digits (Lambda API reference,
// CreateAlias: Name; AddPermission: Qualifier).
func Qualifier(q string) error {
	switch {
	case q == "":
		return errorf("qualifier", q, "empty qualifier; want a version number, $LATEST or an alias name")
	case q == "$LATEST":
		return nil
	case len(q) > 128:
		return errorf("qualifier", q, "qualifier %s is longer than 128 characters", show(q))
	}
	for i := 0; i < len(q); i++ {
		c := q[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return errorf("qualifier", q, "qualifier %s is not a version or alias name: letters, digits, '-' and '_' (or $LATEST)", show(q))
		}
	}
	return nil
}
