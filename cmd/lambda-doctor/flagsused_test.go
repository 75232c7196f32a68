package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// flagSnap is a healthy function with an S3 trigger: a flag that is read
// shows in its diagnosis.
var flagSnap = filepath.Join("..", "..", "fixtures", "healthy-auto", "snapshot.json")

// TestDiagnoseFlagsJudged: a request flag that the diagnosis would not
// read (for the symptom, or for the pasted error) is bad usage, one line
// saying what to add or to drop, exit 2; never silently ignored.
func TestDiagnoseFlagsJudged(t *testing.T) {
	const (
		outbound = "User: arn:aws:sts::111122223333:assumed-role/thumbnail-maker-role/thumbnail-maker is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::acme-thumbs/x.png because no identity-based policy allows the s3:PutObject action"
		kmsKey   = "KMSDisabledException: Lambda was unable to decrypt the environment variables because the KMS key used is disabled. Please check the function's KMS key settings. KMS Exception: DisabledException KMS Message: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab is disabled."
	)
	for _, tc := range []struct {
		args []string
		want string // the error line, after "lambda-doctor: "
	}{
		{[]string{"--source-account", "444455556666"}, "--source-account: goes with --caller SERVICE (or --source-arn ARN), the service that invokes from that account"},
		{[]string{"--function-url"}, "--function-url: goes with --caller PRINCIPAL ('*' for an anonymous caller), who calls the function URL"},
		{[]string{"--symptom", "invoke-denied", "--source-account", "444455556666"}, "--source-account: goes with --caller SERVICE"},
		{[]string{"--resource", "arn:aws:s3:::b/k"}, "--resource: goes with --action SERVICE:ACTION"},
		{[]string{"--symptom", "access-denied", "--resource", "arn:aws:s3:::b/k"}, "--resource: goes with --action SERVICE:ACTION"},
		{[]string{"--symptom", "no-logs", "--caller", "s3.amazonaws.com"}, "--caller: describes who invokes the function (the inbound door), which --symptom no-logs does not judge: drop it, or use --symptom invoke-denied"},
		{[]string{"--symptom", "access-denied", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k", "--function-url", "--caller", "*"}, "--caller: describes who invokes the function"},
		{[]string{"--symptom", "invoke-denied", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"}, "--action: describes a call of the function's code (the outbound door), which --symptom invoke-denied does not judge: drop it, or use --symptom access-denied"},
		{[]string{"--symptom", "role-assume", "--cross-check"}, "--cross-check asks IAM about the execution role's calls, which --symptom role-assume does not judge: drop --cross-check"},
		{[]string{"--error", outbound, "--caller", "s3.amazonaws.com"}, "--caller: not used: the pasted error (not_authorized) names its own request, and --caller does not describe it; drop --caller"},
		{[]string{"--error", outbound, "--symptom", "no-logs"}, "--symptom: the pasted error (not_authorized) is about the outbound door (--symptom access-denied), not --symptom no-logs"},
		{[]string{"--error", kmsKey, "--action", "kms:Decrypt"}, "--action: not used: the pasted error (kms_key_state)"},
		{[]string{"--error", "AccessDeniedException", "--source-account", "444455556666"}, "--source-account: goes with --caller SERVICE"},
		{[]string{"--error", "AccessDeniedException", "--symptom", "no-logs", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"}, "--action: describes a call of the function's code"},
		{[]string{"--error", "AccessDeniedException", "--max-error-size", "100"}, "--max-error-size bounds what --error @FILE or --error - reads; --error TEXT (or none) reads nothing: drop --max-error-size"},
		{[]string{"--max-error-size", "100"}, "--max-error-size bounds what --error @FILE or --error - reads"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append([]string{"diagnose", "--snapshot", flagSnap, "-f", "thumbnail-maker"}, tc.args...)
			stdout, stderr, code := runCmd(t, args...)
			if code != exitBadInput {
				t.Errorf("exit code: got %d, want %d\n%s%s", code, exitBadInput, stdout, stderr)
			}
			first, _, _ := strings.Cut(stderr, "\n")
			if !strings.HasPrefix(first, "lambda-doctor: "+tc.want) {
				t.Errorf("stderr:\ngot  %q\nwant a first line starting %q", stderr, "lambda-doctor: "+tc.want)
			}
		})
	}
}

// TestDiagnoseEveryFlagGivenIsUsed extends TestEveryFlagShownIsRead from
// the options to the diagnosis: under every symptom, with and without a
// pasted error, each request flag (with what it goes with) either changes
// the diagnosis or is refused (exit 2).
func TestDiagnoseEveryFlagGivenIsUsed(t *testing.T) {
	errs := map[string]string{
		"none":     "",
		"outbound": "User: arn:aws:sts::111122223333:assumed-role/thumbnail-maker-role/thumbnail-maker is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::acme-thumbs/x.png",
		"inbound":  "User: arn:aws:sts::444455556666:assumed-role/partner/s is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:111122223333:function:thumbnail-maker",
		"bare":     "AccessDeniedException",
	}
	flags := []struct {
		flag, companion []string
	}{
		{[]string{"--caller", "arn:aws:iam::444455556666:role/other"}, nil},
		{[]string{"--source-arn", "arn:aws:s3:::other-bucket"}, nil},
		{[]string{"--source-account", "444455556666"}, []string{"--caller", "s3.amazonaws.com"}},
		{[]string{"--function-url"}, []string{"--caller", "*"}},
		{[]string{"--action", "s3:GetObject", "--resource", "arn:aws:s3:::acme-photos-111122223333/k"}, nil},
		{[]string{"--resource", "arn:aws:s3:::acme-photos-111122223333/k"}, []string{"--action", "s3:GetObject"}},
		{[]string{"--qualifier", "live"}, nil},
	}
	for _, sym := range []string{"auto", "invoke-denied", "access-denied", "no-logs", "role-assume"} {
		for errName, text := range errs {
			for _, f := range flags {
				base := []string{"diagnose", "--snapshot", flagSnap, "-f", "thumbnail-maker", "-o", "json", "--symptom", sym}
				if text != "" {
					base = append(base, "--error", text)
				}
				base = append(base, f.companion...)
				name := sym + " " + errName + " " + strings.Join(f.flag, " ")
				t.Run(name, func(t *testing.T) {
					withOut, withErr, withCode := runCmd(t, append(slices.Clone(base), f.flag...)...)
					if withCode == exitBadInput {
						if strings.Count(withErr, "\n") > 2 || !strings.HasPrefix(withErr, "lambda-doctor: ") {
							t.Errorf("refused, but not with one clear line: %q", withErr)
						}
						return
					}
					out, _, code := runCmd(t, base...)
					if code == withCode && out == withOut {
						t.Errorf("%v changes nothing (exit %d either way) and is not refused", f.flag, code)
					}
				})
			}
		}
	}
}

// TestDiagnoseSinceJudged: --since (live only) searches the logs for the
// denials that symptom auto and access-denied without --action judge;
// with any other request it is refused, not searched for nothing.
func TestDiagnoseSinceJudged(t *testing.T) {
	cmd := func() *cli.Command {
		return diagnoseCommand(func(context.Context, *streams, *diagnoseOptions) error { return nil })
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"--since", "7d"}, exitOK},
		{[]string{"--since", "7d", "--symptom", "access-denied"}, exitOK},
		{[]string{"--since", "7d", "--error", "AccessDeniedException"}, exitOK},
		{[]string{"--since", "0", "--symptom", "no-logs"}, exitOK},
		{[]string{"--since", "7d", "--symptom", "no-logs"}, exitBadInput},
		{[]string{"--since", "7d", "--symptom", "invoke-denied"}, exitBadInput},
		{[]string{"--since", "7d", "--symptom", "access-denied", "--action", "sqs:SendMessage", "--resource", "arn:aws:sqs:us-east-1:111122223333:q"}, exitBadInput},
		{[]string{"--since", "7d", "--error", "User: arn:aws:sts::111122223333:assumed-role/r/s is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:111122223333:q"}, exitBadInput},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, errOut := parse(t, cmd(), append([]string{"-f", "f"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit code: got %d, want %d (%s)", code, tc.code, errOut)
			}
		})
	}
}

// TestMaxSnapshotSizeNeedsSnapshot: --max-snapshot-size bounds the
// --snapshot file; with a live account it bounds nothing and is refused
// (every command that reads an account), not ignored.
func TestMaxSnapshotSizeNeedsSnapshot(t *testing.T) {
	for _, args := range [][]string{
		{"diagnose", "-f", "f", "--max-snapshot-size", "1000"},
		{"check", "-f", "f", "--max-snapshot-size", "1000"},
		{"simulate", "--function", "f", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k", "--max-snapshot-size", "1000"},
	} {
		t.Run(args[0], func(t *testing.T) {
			stdout, stderr, code := runCmd(t, args...)
			if code != exitBadInput || !strings.HasPrefix(stderr, "lambda-doctor: --max-snapshot-size bounds the --snapshot FILE read; a live account reads no file") {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit 2 saying --max-snapshot-size goes with --snapshot", code, stderr, stdout)
			}
		})
	}
}
