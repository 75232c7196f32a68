package errtext

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// parseCase is one pasted text and everything Parse must find in it. An
// empty msg means the message is the whole input with its whitespace
// collapsed.
type parseCase struct {
	name string
	in   string
	want Denial
	msg  string
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := tc.want
			want.Message = tc.msg
			if want.Message == "" {
				want.Message = strings.Join(strings.Fields(tc.in), " ")
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("got  %+v\nwant %+v", *got, want)
			}
			if !IsDenialLine(tc.in) {
				t.Errorf("IsDenialLine(%q) = false, want true", tc.in)
			}
		})
	}
}

func TestParseNotDenial(t *testing.T) {
	big := strings.Repeat("INFO request handled in 3 ms\n", MaxScan/16)
	cases := []struct {
		name, in string
		wantIn   []string // substrings the error must contain
	}{
		{"empty", "", []string{"empty", "expected"}},
		{"blank", "  \n\t ", []string{"empty"}},
		{"prose", "hello world", []string{"11-byte text (one line)", "is not authorized to perform"}},
		{"timeout", "2024-05-01T10:00:00.000Z 1b2c Task timed out after 3.00 seconds", []string{"timeout"}},
		{"apigw-500-body", `{"message": "Internal server error"}`, []string{"Invalid permissions on Lambda function"}},
		{"bad-token", "An error occurred (UnrecognizedClientException) when calling the Invoke operation: The security token included in the request is invalid.", []string{"credentials"}},
		{"not-found", "An error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope", []string{"does not exist"}},
		{"mysql", "ERROR 1045 (28000): Access denied for user 'admin'@'10.0.0.5' (using password: YES)", []string{"expected"}},
		{"eacces", "Error: EACCES: permission denied, open '/var/task/data.json'", []string{"file-system"}},
		{"throttle", "ThrottlingException: Rate exceeded", []string{"throttling"}},
		{"not-authorized-no-action", "is not authorized to perform", []string{"expected"}},
		{"binary-nul", "\x00\x01\x02AccessDenied\x00", []string{"binary"}},
		{"binary-controls", strings.Repeat("\x01\x02\x03abc", 50), []string{"binary"}},
		{"invalid-utf8", "\xff\xfe\xfd garbage \xc3\x28", []string{"invalid UTF-8"}},
		{"huge", big, []string{"first and last 512 KiB"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Parse(tc.in)
			if !errors.Is(err, ErrNotDenial) {
				t.Fatalf("Parse = %+v, %v; want an error wrapping ErrNotDenial", d, err)
			}
			for _, w := range tc.wantIn {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if len(err.Error()) > 1000 {
				t.Errorf("error is %d bytes long, want a short one", len(err.Error()))
			}
		})
	}
}

func TestParseHugeInputFindsDenialAtEitherEnd(t *testing.T) {
	const msg = "User: arn:aws:iam::123456789012:user/x is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:f"
	filler := strings.Repeat("INFO ok\n", MaxScan/4)
	for name, in := range map[string]string{"head": msg + "\n" + filler, "tail": filler + msg + "\n"} {
		t.Run(name, func(t *testing.T) {
			d, err := Parse(in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d.Message != msg {
				t.Errorf("got message %q, want %q", d.Message, msg)
			}
		})
	}
	// In the middle of a text longer than MaxScan it is not seen, and the
	// error says why.
	_, err := Parse(filler + msg + "\n" + filler)
	if err == nil || !strings.Contains(err.Error(), "first and last") {
		t.Errorf("got %v, want an error saying only the ends were scanned", err)
	}
}

func TestParseInvalidUTF8AroundDenial(t *testing.T) {
	d, err := Parse("\xff\xfe User: arn:aws:iam::123456789012:user/x\xc3 is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k \xff")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if d.Action != "s3:GetObject" || d.Resource != "arn:aws:s3:::b/k" || d.Principal != "arn:aws:iam::123456789012:user/x\uFFFD" {
		t.Errorf("got %+v", d)
	}
}

func TestCrossAccount(t *testing.T) {
	cases := []struct {
		principal, resource, function string
		want                          bool
	}{
		{"arn:aws:sts::831967359561:assumed-role/r/s", "arn:aws:lambda:us-west-2:725462913924:function:f", "", true},
		{"arn:aws:iam::123456789012:user/u", "arn:aws:lambda:us-east-1:123456789012:function:f", "", false},
		{"arn:aws:iam::123456789012:user/u", "arn:aws:s3:::bucket", "", false},
		{"sns.amazonaws.com", "arn:aws:lambda:us-east-1:123456789012:function:f", "", false},
		{"arn:aws:iam::111111111111:root", "", "arn:aws:lambda:us-east-1:222222222222:function:f", true},
		{"arn:aws:iam::1111:user/short-account", "arn:aws:lambda:us-east-1:123456789012:function:f", "", false},
	}
	for _, tc := range cases {
		d := &Denial{Principal: tc.principal, Resource: tc.resource, Function: tc.function}
		if got := d.CrossAccount(); got != tc.want {
			t.Errorf("CrossAccount(%q, %q, %q) = %v, want %v", tc.principal, tc.resource, tc.function, got, tc.want)
		}
	}
}

func TestIsDenialLine(t *testing.T) {
	for _, line := range []string{
		"2024-01-01T00:00:00Z abc ERROR AccessDeniedException: User: x is not authorized to perform: s3:GetObject",
		"ACCESS DENIED",
		"Execution failed due to configuration error: Invalid permissions on Lambda function",
	} {
		if !IsDenialLine(line) {
			t.Errorf("IsDenialLine(%q) = false, want true", line)
		}
	}
	for _, line := range []string{
		"", "START RequestId: 1b2c Version: $LATEST", "REPORT RequestId: 1b2c Duration: 2.3 ms",
		"Task timed out after 3.00 seconds", "INFO user authorized", "Access",
	} {
		if IsDenialLine(line) {
			t.Errorf("IsDenialLine(%q) = true, want false", line)
		}
	}
}

// TestFilterPatternCoversNeedles checks that every phrase IsDenialLine
// looks for has a FilterPattern term that selects it in AWS's spelling, so
// that lines fetched with FilterPattern are not a strict subset of what the
// account reader would keep.
func TestFilterPatternCoversNeedles(t *testing.T) {
	if len(FilterPattern) > 1024 {
		t.Errorf("FilterPattern is %d characters, FilterLogEvents takes at most 1024", len(FilterPattern))
	}
	terms := filterTerms(t, FilterPattern)
	samples := []string{
		"User: x is not authorized to perform: a:B", "AccessDeniedException", "Access Denied",
		"Invalid permissions on Lambda function", "The role defined for the function cannot be assumed by Lambda.",
		"UnauthorizedOperation", "Encoded authorization failure message: x", "elasticloadbalancing principal does not have permission to invoke",
		"The provided execution role does not have permissions to call ReceiveMessage on SQS",
		"Forbidden. For troubleshooting Function URL authorization issues", "Unable to validate the following destination configurations",
		"Make sure you have given CloudWatch Logs permission to execute your function", "KMSAccessDeniedException",
		"Lambda was unable to decrypt the environment variables because KMS access was denied",
		"Need additional permissions to configure VPC settings", "Unable to determine service/operation name to be authorized",
	}
	for _, s := range samples {
		if !IsDenialLine(s) {
			t.Errorf("IsDenialLine(%q) = false", s)
		}
		hit := false
		for _, term := range terms {
			if strings.Contains(s, term) { // CloudWatch Logs terms are case-sensitive
				hit = true
			}
		}
		if !hit {
			t.Errorf("no FilterPattern term selects %q", s)
		}
	}
}

// filterTerms splits an OR filter pattern (?term ?"a phrase") into its terms.
func filterTerms(t *testing.T, p string) []string {
	t.Helper()
	var terms []string
	for p = strings.TrimSpace(p); p != ""; p = strings.TrimSpace(p) {
		if p[0] != '?' {
			t.Fatalf("term does not start with ?: %q", p)
		}
		p = p[1:]
		if strings.HasPrefix(p, `"`) {
			end := strings.IndexByte(p[1:], '"')
			if end < 0 {
				t.Fatalf("unclosed quote in %q", p)
			}
			terms = append(terms, p[1:1+end])
			p = p[2+end:]
			continue
		}
		end := strings.IndexByte(p, ' ')
		if end < 0 {
			end = len(p)
		}
		terms = append(terms, p[:end])
		p = p[end:]
	}
	return terms
}

// TestNotDenialDoesNotEchoInput: a file given as --error @FILE that holds
// no denial may hold secrets; the error says what was expected and how
// large the text was, and quotes none of it (issue 8, section 3).
func TestNotDenialDoesNotEchoInput(t *testing.T) {
	secret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	for name, in := range map[string]string{
		"credentials-file": "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = " + secret + "\n",
		"env-line":         "DB_PASSWORD=" + secret,
		"with-hint":        "Task timed out after 3.00 seconds " + secret,
		"invalid-utf8":     "\xff\xfe" + secret,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(in)
			if !errors.Is(err, ErrNotDenial) {
				t.Fatalf("Parse: got %v, want ErrNotDenial", err)
			}
			for _, w := range []string{secret, "AKIA", "DB_PASSWORD", "aws_secret"} {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q quotes the input (%q)", err, w)
				}
			}
			if !strings.Contains(err.Error(), "-byte text") || !strings.Contains(err.Error(), "expected") {
				t.Errorf("error %q does not say what it read and what was expected", err)
			}
		})
	}
}

func TestTroubleshooter(t *testing.T) {
	// The IAM UG example (troubleshoot_access-denied-authorization-id).
	d, err := Parse(standardCases[0].in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.TroubleshooterCommand(), "aws iam-toolbox get-request-authorization-details --authorization-id EXAMPLE1a2b3c4d5e6f7g8h9i0j --region us-east-1"; got != want {
		t.Errorf("TroubleshooterCommand: got %q, want %q", got, want)
	}
	if got, want := d.TroubleshooterURL(), "https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/EXAMPLE1a2b3c4d5e6f7g8h9i0j"; got != want {
		t.Errorf("TroubleshooterURL: got %q, want %q", got, want)
	}
	// The id alone (no console link): the preview's region is assumed.
	d, err = Parse("User: arn:aws:iam::123456789012:user/u is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/* because no identity-based policy allows the iam:ListRoles action. Call the GetRequestAuthorizationDetails API with the following authorization id: abc123")
	if err != nil {
		t.Fatal(err)
	}
	if d.AuthorizationID != "abc123" || d.AuthorizationRegion != "" || !strings.HasSuffix(d.TroubleshooterCommand(), "--region us-east-1") {
		t.Errorf("got id %q region %q command %q", d.AuthorizationID, d.AuthorizationRegion, d.TroubleshooterCommand())
	}
	// A link whose region is not a region name is not trusted.
	d, err = Parse("User: arn:aws:iam::123456789012:user/u is not authorized to perform: iam:ListRoles on resource: * because no identity-based policy allows the iam:ListRoles action. Go to https://evil.example/iam/home?region=$(rm)#/authorization-details/abc123 for complete details")
	if err != nil {
		t.Fatal(err)
	}
	if d.AuthorizationID != "abc123" || d.AuthorizationRegion != "" {
		t.Errorf("got id %q region %q, want abc123 and no region", d.AuthorizationID, d.AuthorizationRegion)
	}
	if (&Denial{}).TroubleshooterCommand() != "" || (&Denial{}).TroubleshooterURL() != "" {
		t.Error("no id, yet a command or URL")
	}
}

func TestRegionOf(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:lambda:us-west-2:205979422636:layer:napi-rs-canvas:886": "us-west-2",
		"arn:aws-cn:lambda:cn-north-1:123456789012:function:f":           "cn-north-1",
		"arn:aws:s3:::bucket":     "",
		"not an arn":              "",
		"arn:aws:iam::1:role/r":   "",
		"https://sqs.us-east-1.x": "",
	} {
		if got := RegionOf(arn); got != want {
			t.Errorf("RegionOf(%q) = %q, want %q", arn, got, want)
		}
	}
}

// TestECRURI checks the image URI reader on constructed texts (the real
// transcripts above name the image only in "Source image ... is not valid").
func TestECRURI(t *testing.T) {
	for in, want := range map[string]string{
		"image 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1 failed":           "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
		`"ImageUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/a/b@sha256:0a1b"`: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/a/b@sha256:0a1b",
		"x1234567890123.dkr.ecr.us-east-1.amazonaws.com/app":                         "",
		"12345.dkr.ecr.us-east-1.amazonaws.com/app":                                  "",
		"123456789012.dkr.ecr.": "",
	} {
		if got := ecrURI(normalize(in)); got != want {
			t.Errorf("ecrURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNotIAMKinds checks that every case whose text names a cause other
// than a missing grant is marked NotIAM, and that no IAM case is.
func TestNotIAMKinds(t *testing.T) {
	notIAM := map[Kind]bool{KindLayerNotFound: true, KindECRImageInvalid: true, KindESMNotARN: true, KindKMSKey: true}
	for _, tc := range lambdaCases {
		d, err := Parse(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if notIAM[d.Kind] && !d.NotIAM {
			t.Errorf("%s: kind %s is not IAM, but NotIAM is false", tc.name, d.Kind)
		}
		if d.NotIAM && d.Cause == "" {
			t.Errorf("%s: NotIAM without a Cause", tc.name)
		}
		if d.Kind == KindESMPermission || d.Kind == KindLayer {
			if d.NotIAM {
				t.Errorf("%s: kind %s may be a missing grant, but NotIAM is set", tc.name, d.Kind)
			}
		}
	}
}
