package diagnose

import (
	"errors"
	"fmt"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/internal/validate"
)

// ValidateOptions refuses options that describe a request AWS could not
// make: an unknown action (with the closest known one), a resource that is
// not an ARN of a type the action acts on, a caller that is no principal, a
// source ARN of the wrong shape or service, an account id or qualifier of
// the wrong form. The error is an *InputError naming the flag (exit 2).
// Diagnose calls it too, and also checks partitions against the function's.
func ValidateOptions(o Options) error {
	if o.Action != "" {
		if _, err := validate.Action(o.Action); err != nil {
			return &InputError{Flag: "--action", Err: err}
		}
		if o.Resource != "" {
			if err := validate.Resource(o.Action, o.Resource, ""); err != nil {
				return &InputError{Flag: "--resource", Err: err}
			}
		}
	}
	if o.Resource != "" && o.Resource != "*" {
		if _, err := validate.ParseARN(o.Resource); err != nil {
			return &InputError{Flag: "--resource", Err: err}
		}
	}
	var p validate.ParsedPrincipal
	if o.Caller != "" {
		var err error
		if p, err = validate.Principal(o.Caller); err != nil {
			return &InputError{Flag: "--caller", Err: err}
		}
	}
	if o.SourceARN != "" {
		src, err := validate.SourceARN(o.SourceARN)
		if err != nil {
			return &InputError{Flag: "--source-arn", Err: err}
		}
		if o.Caller != "" {
			if err := validate.Invoker(p, src); err != nil {
				return &InputError{Flag: "--caller", Err: err}
			}
		}
	}
	if o.SourceAccount != "" && !account.IsAccountID(o.SourceAccount) {
		return inputErrorf("--source-account", "%s is not an account ID: an account ID is 12 digits", quoted(o.SourceAccount))
	}
	if o.Qualifier != "" {
		if err := validate.Qualifier(o.Qualifier); err != nil {
			return &InputError{Flag: "--qualifier", Err: err}
		}
	}
	if o.Error == "" {
		return flagsJudged(o)
	}
	return nil
}

// flag is one request flag of the options and whether it was given.
type flag struct {
	name  string
	given bool
}

// inboundFlags describe who invokes the function (the inbound door).
func inboundFlags(o Options) []flag {
	return []flag{{"--caller", o.Caller != ""}, {"--source-arn", o.SourceARN != ""}, {"--source-account", o.SourceAccount != ""}, {"--function-url", o.FunctionURL}}
}

// outboundFlags describe a call of the function's code (the outbound door).
func outboundFlags(o Options) []flag {
	return []flag{{"--action", o.Action != ""}, {"--resource", o.Resource != ""}}
}

// flagsJudged refuses a request flag that the symptom does not judge, or
// that needs another flag to mean anything: a flag that is given is used
// or is an error, never silently ignored. It holds for the options
// without a pasted error, and for a pasted denial that names nothing
// (the symptom then decides what is judged).
func flagsJudged(o Options) error {
	sym := o.Symptom
	if sym == "" {
		sym = SymptomAuto
	}
	if sym != SymptomAuto && sym != SymptomInvokeDenied {
		for _, f := range inboundFlags(o) {
			if f.given {
				return inputErrorf(f.name, "describes who invokes the function (the inbound door), which --symptom %s does not judge: drop it, or use --symptom invoke-denied", sym)
			}
		}
	}
	if sym != SymptomAuto && sym != SymptomAccessDenied {
		for _, f := range outboundFlags(o) {
			if f.given {
				return inputErrorf(f.name, "describes a call of the function's code (the outbound door), which --symptom %s does not judge: drop it, or use --symptom access-denied", sym)
			}
		}
	}
	switch {
	case o.Resource != "" && o.Action == "":
		return inputErrorf("--resource", "goes with --action SERVICE:ACTION, the call refused on that resource")
	case o.SourceAccount != "" && o.Caller == "" && o.SourceARN == "":
		return inputErrorf("--source-account", "goes with --caller SERVICE (or --source-arn ARN), the service that invokes from that account")
	case o.FunctionURL && o.Caller == "" && o.SourceARN == "":
		return inputErrorf("--function-url", "goes with --caller PRINCIPAL ('*' for an anonymous caller), who calls the function URL")
	}
	return nil
}

// validateForFunction checks what ValidateOptions cannot without the
// function: that the ARNs given are in the function's partition.
func validateForFunction(fn *account.Function, o Options) error {
	part := fn.PartitionName()
	for _, c := range []struct{ flag, arn string }{{"--resource", o.Resource}, {"--source-arn", o.SourceARN}, {"--caller", o.Caller}} {
		a, err := validate.ParseARN(c.arn)
		if err != nil || a.Partition == part {
			continue
		}
		return inputErrorf(c.flag, "%s is in partition %s, the function %s in partition %s: no request crosses partitions", quoted(c.arn), a.Partition, quoted(fn.Name), part)
	}
	return nil
}

// validCall checks a request the diagnosis is about to judge (from the
// flags or a pasted error): a known action, and a resource the action acts
// on in the function's partition. what names its origin for the error.
func validCall(fn *account.Function, action, resource, flag string) (string, error) {
	a, err := validate.Action(action)
	if err != nil {
		return "", &InputError{Flag: flag, Err: err}
	}
	if err := validate.Resource(a, resource, fn.PartitionName()); err != nil {
		var ve *validate.Error
		if errors.As(err, &ve) && resource == "*" {
			err = fmt.Errorf("%w; pass --resource with the ARN", err)
		}
		return "", &InputError{Flag: flag, Err: err}
	}
	return a, nil
}

// quoted shows a value in an error message: quoted, control characters
// escaped.
func quoted(s string) string { return fmt.Sprintf("%q", s) }
