package errtext

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, cs := range [][]parseCase{standardCases, specialCases, bareCases, lambdaCases} {
		for _, tc := range cs {
			f.Add(tc.in)
		}
	}
	for _, s := range []string{"", "hello", "User: is not authorized to perform", `\u0055ser: x \"is not authorized\"`, "&quot;&amp;&#39;", "\x1b[31m", "on resource: \"", "with an explicit deny in a",
		"Cannot access stream arn:", "Layer version arn:aws:lambda:x:1:layer:a does not exist", "Source image  is not valid", "StateReasonCode: 'Idle'",
		"is currently in the following state: Pending", "last error: X:", "Please ensure the role can perform the , and  Actions on your stream in IAM",
		"KMS Exception: ExceptionKMS", "region=us-east-1#/authorization-details/", "123456789012.dkr.ecr."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := Parse(in)
		if err != nil {
			if d != nil {
				t.Fatalf("Parse returned both %+v and %v", d, err)
			}
			if !errors.Is(err, ErrNotDenial) {
				t.Fatalf("error %v does not wrap ErrNotDenial", err)
			}
			// The error does not quote the text: it is the same for the
			// text with its letters' case swapped (when that is no denial
			// either), so no letter of the input reaches it.
			if _, err2 := Parse(swapCase(in)); err2 != nil && err2.Error() != err.Error() {
				t.Fatalf("the error depends on the text's letters:\n%v\n%v", err, err2)
			}
			return
		}
		checkDenial(t, d)
		// The message found is itself a denial of the same kind.
		d2, err := Parse(d.Message)
		if err != nil {
			t.Fatalf("Parse(%q) (the message found in %q): %v", d.Message, in, err)
		}
		if d2.Kind != d.Kind {
			t.Fatalf("Parse(%q) kind %s, but the text it came from (%q) gave %s", d.Message, d2.Kind, in, d.Kind)
		}
		// On plain one-line ASCII, IsDenialLine keeps every line Parse accepts.
		if plain(in) && !IsDenialLine(in) {
			t.Fatalf("Parse accepted %q but IsDenialLine rejects it", in)
		}
	})
}

func checkDenial(t *testing.T, d *Denial) {
	t.Helper()
	if d.Kind == "" || d.Message == "" {
		t.Fatalf("empty kind or message: %+v", d)
	}
	for name, v := range map[string]string{
		"Principal": d.Principal, "Action": d.Action, "Resource": d.Resource, "PolicyType": d.PolicyType,
		"PolicyARN": d.PolicyARN, "Function": d.Function, "SourceARN": d.SourceARN, "AuthorizationID": d.AuthorizationID,
		"Message": d.Message, "Reason": d.Reason, "EncodedMessage": d.EncodedMessage, "Code": d.Code,
		"Service": d.Service, "Operation": d.Operation, "RequestID": d.RequestID, "ViaPolicyType": d.ViaPolicyType,
	} {
		if !utf8.ValidString(v) {
			t.Fatalf("%s is not valid UTF-8: %q", name, v)
		}
		if strings.TrimSpace(v) != v {
			t.Fatalf("%s has surrounding space: %q", name, v)
		}
	}
	for name, v := range map[string]string{"Principal": d.Principal, "Action": d.Action, "PolicyARN": d.PolicyARN, "Function": d.Function, "SourceARN": d.SourceARN, "Code": d.Code} {
		if strings.ContainsAny(v, " \t\n") {
			t.Fatalf("%s contains whitespace: %q", name, v)
		}
	}
	if d.Action != "" && !isAction(d.Action) {
		t.Fatalf("Action %q is not service:Name", d.Action)
	}
	if d.StatusCode != 0 && (d.StatusCode < 400 || d.StatusCode > 599) {
		t.Fatalf("StatusCode %d", d.StatusCode)
	}
	for name, v := range map[string]string{"KeyARN": d.KeyARN, "KMSException": d.KMSException, "LayerARN": d.LayerARN, "ImageURI": d.ImageURI,
		"QueueURL": d.QueueURL, "State": d.State, "StateReasonCode": d.StateReasonCode, "AuthorizationID": d.AuthorizationID, "AuthorizationRegion": d.AuthorizationRegion} {
		if !utf8.ValidString(v) || strings.ContainsAny(v, " \t\n") {
			t.Fatalf("%s is not one valid word: %q", name, v)
		}
	}
	if !utf8.ValidString(d.StateReason) || strings.TrimSpace(d.StateReason) != d.StateReason {
		t.Fatalf("StateReason %q", d.StateReason)
	}
	for _, a := range d.Actions {
		if !isAction(a) {
			t.Fatalf("Actions holds %q, not service:Name", a)
		}
	}
	if len(d.Actions) > 0 && d.Action != d.Actions[0] {
		t.Fatalf("Action %q is not Actions[0] %q", d.Action, d.Actions[0])
	}
	// Cause is fixed wording, never the input; NotIAM always says why.
	if d.Cause != "" && !causes[d.Cause] {
		t.Fatalf("Cause %q is not one of the package's causes", d.Cause)
	}
	if d.NotIAM && d.Cause == "" {
		t.Fatalf("NotIAM without a Cause: %+v", d)
	}
	if d.AuthorizationRegion != "" && !regionLike(d.AuthorizationRegion) {
		t.Fatalf("AuthorizationRegion %q", d.AuthorizationRegion)
	}
	if c := d.TroubleshooterCommand(); c != "" && !isShellSafe(c) {
		t.Fatalf("TroubleshooterCommand %q is not safe to paste", c)
	}
}

// isShellSafe reports whether s holds only characters a shell takes
// literally in an unquoted word, and spaces.
func isShellSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isWordByte(c) || strings.IndexByte(" -./:=", c) >= 0) {
			return false
		}
	}
	return true
}

// swapCase swaps the case of ASCII letters.
func swapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

// plain reports whether s is printable ASCII words separated by single
// spaces, with nothing Parse would unescape.
func plain(s string) bool {
	if s != strings.Join(strings.Fields(s), " ") || strings.ContainsAny(s, `\&`) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func BenchmarkParse(b *testing.B) {
	in := func(name string) string {
		for _, cs := range [][]parseCase{standardCases, specialCases, bareCases, lambdaCases} {
			for _, tc := range cs {
				if tc.name == name {
					return tc.in
				}
			}
		}
		b.Fatalf("no case %q", name)
		return ""
	}
	for _, bc := range []struct{ name, in string }{
		{"standard", in("iam-ug/authorization-id/identity-based-explicit-with-arn")},
		{"json-log-line", in("power-tuning#59/cloudwatch-line-json-cross-account")},
		{"special-apigw", in("repost/apigateway-sending-request-line")},
		{"not-denial-1KiB", strings.Repeat("INFO request ok ", 64)},
		{"log-1MiB-denial-at-end", strings.Repeat("2024-05-01T10:00:00.000Z 1b2c INFO request handled\n", (MaxScan-200)/52) + in("cloud-custodian#4736/botocore-explicit-deny-no-type")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				Parse(bc.in)
			}
		})
	}
}

func BenchmarkIsDenialLine(b *testing.B) {
	line := "2024-05-01T10:00:00.000Z\t1b2c3d4e-0000-4a5b-8c9d-0e1f2a3b4c5d\tINFO\tprocessed 25 records from the queue in 42 ms"
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		IsDenialLine(line)
	}
}

// BenchmarkParseAdversarial runs texts built to defeat the scanner (every
// candidate phrase repeated, escapes everywhere), each about 1 MiB.
func BenchmarkParseAdversarial(b *testing.B) {
	for _, bc := range []struct{ name, in string }{
		{"phrases", strings.Repeat("User: x is not authorized to perform ", 30000)},
		{"because", strings.Repeat("is not authorized to perform: a:b on resource: x because no ", 18000)},
		{"amps", strings.Repeat("&", 1<<20)},
		{"escapes", strings.Repeat("\\u00", 1<<18)},
		{"arns", strings.Repeat("arn:aws:lambda:", 70000)},
		{"quotes", strings.Repeat("on resource: \"", 70000)},
		{"elb", strings.Repeat("elasticloadbalancing principal does not have permission to invoke ", 15000)},
		{"layer-versions", strings.Repeat("Layer version arn:aws:lambda:us-east-1:123456789012:layer:l:1 exists ", 15000)},
		{"state-codes", strings.Repeat("StateReasonCode: 'Idle' is currently in the following state: 'Pending' ", 14000)},
		{"streams", strings.Repeat("Cannot access stream arn:x Please ensure the role can perform the ", 15000)},
		{"image-uris", strings.Repeat("123456789012.dkr.ecr.", 50000)},
		{"closers", strings.Repeat("User: x is not authorized to perform: a:b on resource: "+strings.Repeat(")", 2000)+" ", 500)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.in)))
			for i := 0; i < b.N; i++ {
				Parse(bc.in)
			}
		})
	}
}
