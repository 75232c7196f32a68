package textwrap

import (
	"fmt"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Real fix commands, as lambda-doctor prints them (from the fixtures'
// golden outputs), and commands with every kind of quoting bash has.
var realCommands = []string{
	`aws lambda add-permission --function-name order-processor --statement-id apigw-a1b2c3d4e5-prod-POST-orders --action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-account 111122223333 --source-arn arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders --region us-east-1`,
	`aws iam put-role-policy --role-name vpc-role --policy-name lambda-doctor-vpc-permission --policy-document '{"Version":"2012-10-17","Statement":[{"Sid":"LambdaVpcPermission1","Effect":"Allow","Action":["ec2:CreateNetworkInterface"],"Resource":["arn:aws:ec2:us-east-1:111122223333:subnet/subnet-0a1","arn:aws:ec2:us-east-1:111122223333:subnet/subnet-0b2","arn:aws:ec2:us-east-1:111122223333:security-group/sg-0c3"]}]}' --region us-east-1 --profile prod`,
	`aws iam update-assume-role-policy --role-name ec2-only-role --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},{"Sid":"AllowLambdaAssumeRole","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'`,
	`aws lambda add-permission --function-name 'arn:aws:lambda:us-east-1:111122223333:function:it'\''s' --statement-id url --action lambda:InvokeFunctionUrl --principal '*' --function-url-auth-type NONE && aws lambda add-permission --function-name x --statement-id url2 --action lambda:InvokeFunction --principal '*' --invoked-via-function-url`,
	`aws logs put-resource-policy --policy-name "lambda doctor" --policy-document "{\"a\": \"\$HOME and \` + "`" + ` and \\\\\"}" --region=eu-west-1`,
	`aws sns add-permission --label $'it\'s a\ttab' --topic-arn arn:aws:sns:us-east-1:111122223333:t --aws-account-id 111122223333 --action-name Publish   --extra a\ b\ c   # a comment that is long enough to pass the end of the line`,
	`aws sts get-caller-identity --query "$(printf '%s' "Account) ( x")" --output text --region "${AWS_REGION:-us-east-1}" ; aws sts get-caller-identity --output json`,
}

// argv runs each command in bash with its program (aws, or prog) replaced
// by a function that prints its arguments, and returns what each call got.
func argv(t *testing.T, cmds []string) [][]string {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	var script strings.Builder
	// A word run as a command by mistake (a line break in a comment, say)
	// shows up in the record too.
	script.WriteString("set -f\nrec() { printf 'A%s\\0' \"$@\"; printf 'E\\0'; }\n")
	script.WriteString("command_not_found_handle() { printf 'X%s\\0' \"$1\"; return 127; }\n")
	script.WriteString("aws() { rec aws \"$@\"; }\nprog() { rec prog \"$@\"; }\n")
	for i, c := range cmds {
		fmt.Fprintf(&script, "builtin printf 'C%d\\0'\n%s\n", i, c)
	}
	out, err := exec.Command("bash", "-c", script.String()).Output()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, script.String())
	}
	res := make([][]string, len(cmds))
	cur := -1
	for _, f := range strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00") {
		switch {
		case strings.HasPrefix(f, "C"):
			fmt.Sscanf(f, "C%d", &cur)
		case strings.HasPrefix(f, "A"):
			res[cur] = append(res[cur], f[1:])
		case strings.HasPrefix(f, "X"):
			res[cur] = append(res[cur], "\x00command "+f[1:])
		case f == "E":
			res[cur] = append(res[cur], "\x00end")
		}
	}
	return res
}

// checkLayout checks what a person sees: every line but the last ends with
// " \", each line starts with its indent, a line wider than width holds
// one word, and the words of all lines are the command's words, in order.
func checkLayout(t *testing.T, cmd, out string, width int, first, rest string) {
	t.Helper()
	want, ok := splitCommand(cmd)
	if !ok {
		t.Fatalf("cannot read %q", cmd)
	}
	lines := strings.Split(out, "\n")
	var got []string
	var gotLines [][]string
	for i, line := range lines {
		prefix := rest
		if i == 0 {
			prefix = first
		}
		body, cont := strings.CutSuffix(line, " \\")
		words, ok := splitCommand(strings.TrimPrefix(body, prefix))
		if !ok || len(words) != 1 {
			t.Fatalf("line %d %q is not whole words: a token is cut", i, line)
		}
		// A line starts without its indent only when its first token fits
		// the width only so.
		reserve := 0
		if cont || len(words[0]) > 1 {
			reserve = 2
		}
		if tok := words[0][0]; !strings.HasPrefix(line, prefix) &&
			(i == 0 || Columns(tok)+reserve > width || Columns(prefix+tok)+reserve <= width) {
			t.Fatalf("line %d %q does not start with %q", i, line, prefix)
		}
		if Columns(line) > width && len(words[0]) > 1 {
			t.Errorf("width %d: line %q is %d columns with %d words", width, line, Columns(line), len(words[0]))
		}
		got = append(got, words[0]...)
		lastOfCommand := i == len(lines)-1
		if !cont && !lastOfCommand {
			// A line of cmd ended here: the next starts the next command line.
			gotLines = append(gotLines, got)
			got = nil
		}
	}
	gotLines = append(gotLines, got)
	if !slices.EqualFunc(gotLines, want, slices.Equal) {
		t.Errorf("words changed:\n got %q\nwant %q", gotLines, want)
	}
}

func TestCommandRealRoundTrip(t *testing.T) {
	var all []string
	type layoutCase struct {
		cmd, out    string
		width       int
		first, rest string
	}
	var cases []layoutCase
	for _, c := range realCommands {
		all = append(all, c)
		for _, width := range []int{40, 60, 80, 100, 200} {
			out := Command(c, width, "    ", "      ")
			cases = append(cases, layoutCase{c, out, width, "    ", "      "})
			all = append(all, out)
		}
	}
	got := argv(t, all)
	per := len(all) / len(realCommands)
	for i, c := range realCommands {
		want := got[i*per]
		if len(want) == 0 {
			t.Fatalf("bash ran nothing for %q", c)
		}
		for j := 1; j < per; j++ {
			if !slices.Equal(got[i*per+j], want) {
				t.Errorf("wrapped command runs with other arguments:\n%s\n got %q\nwant %q", all[i*per+j], got[i*per+j], want)
			}
		}
	}
	for _, lc := range cases {
		checkLayout(t, lc.cmd, lc.out, lc.width, lc.first, lc.rest)
	}
}

func TestCommandLayout(t *testing.T) {
	tests := []struct {
		name  string
		cmd   string
		width int
		want  string
	}{
		{
			name:  "the add-permission fix at 80 columns",
			cmd:   realCommands[0],
			width: 80,
			want: `    aws lambda add-permission --function-name order-processor \
      --statement-id apigw-a1b2c3d4e5-prod-POST-orders \
      --action lambda:InvokeFunction --principal apigateway.amazonaws.com \
      --source-account 111122223333 \
      --source-arn \
      arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders \
      --region us-east-1`,
		},
		{
			name:  "a JSON document wider than the line stays whole",
			cmd:   `aws iam put-role-policy --role-name r --policy-name p --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'`,
			width: 60,
			want: `    aws iam put-role-policy --role-name r --policy-name p \
      --policy-document \
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'`,
		},
		{
			name:  "fits: unchanged",
			cmd:   "aws lambda get-policy --function-name f",
			width: 80,
			want:  "    aws lambda get-policy --function-name f",
		},
		{
			name:  "the last group may use the room of the backslash",
			cmd:   "prog aaaa --bb cc",
			width: 21,
			want:  "    prog aaaa --bb cc",
		},
		{
			name:  "no width: no wrapping, runs of blanks kept",
			cmd:   "prog  a   b",
			width: 0,
			want:  "    prog  a   b",
		},
		{
			name:  "parentheses inside a substitution",
			cmd:   "prog $( (echo a) && echo bbbbbbbbbbbbbbbbbbbb ) --b",
			width: 30,
			want:  "    prog \\\n      $( (echo a) && echo bbbbbbbbbbbbbbbbbbbb ) \\\n      --b",
		},
		{
			name:  "a newline inside a quoted token: not wrapped, nothing added inside the token",
			cmd:   "prog --a 'one\ntwo' --b c --d e",
			width: 12,
			want:  "    prog --a 'one\ntwo' --b c --d e",
		},
		{
			name:  "an open quote is left as it is",
			cmd:   "prog --a 'open --b c --d e --f g --h i",
			width: 12,
			want:  "    prog --a 'open --b c --d e --f g --h i",
		},
		{
			name:  "two lines, each wrapped",
			cmd:   "prog --aaaa 1 --bbbb 2\nprog --cccc 3 --dddd 4",
			width: 24,
			want:  "    prog --aaaa 1 \\\n      --bbbb 2\n      prog --cccc 3 \\\n      --dddd 4",
		},
		{
			name:  "a here-document is left as it is",
			cmd:   "cat <<EOF --x\nhello --y\nEOF",
			width: 10,
			want:  "    cat <<EOF --x\nhello --y\nEOF",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Command(tt.cmd, tt.width, "    ", "      ")
			if got != tt.want {
				t.Errorf("Command at %d:\n got:\n%s\nwant:\n%s", tt.width, got, tt.want)
			}
		})
	}
}

// quote writes arg for bash in one of several ways, chosen by r.
func quote(r *rand.Rand, arg string) string {
	plain := arg != "" && strings.IndexFunc(arg, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_./:=@%+,-", c))
	}) < 0
	switch k := r.IntN(5); {
	case plain && k < 2:
		return arg
	case k == 0 || k == 1:
		return "'" + strings.ReplaceAll(arg, "'", `'\''`) + "'"
	case k == 2:
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(arg) + `"`
	case k == 3:
		var b strings.Builder
		b.WriteString("$'")
		for _, c := range []byte(arg) {
			if c < 0x20 || c == '\'' || c == '\\' || c >= 0x7f {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else {
				b.WriteByte(c)
			}
		}
		return b.String() + "'"
	default:
		if arg == "" || strings.ContainsAny(arg, "\n") {
			return "''" + "'" + strings.ReplaceAll(arg, "'", `'\''`) + "'"
		}
		var b strings.Builder
		for _, c := range arg {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		}
		return b.String()
	}
}

// TestCommandRandomRoundTrip: random arguments, quoted every way bash
// knows, wrapped at random widths with random indents: bash runs the
// wrapped command with the arguments of the unwrapped one, and the
// layout keeps every token whole.
func TestCommandRandomRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pieces := []string{"a", "Z", "9", " ", "  ", "\t", "'", `"`, `\`, "$", "`", "{", "}", "*", "?", "[", "]", "#", "~", "!", ";", "&", "|", "<", ">", "(", ")", "=", ":", ",", "é", "日", "--", "-", "arn:aws:s3:::bucket/key", `{"Effect":"Allow"}`, "$HOME", "$(x)"}
	var cmds, wrapped []string
	type params struct {
		width       int
		first, rest string
	}
	var ps []params
	for range 400 {
		args := []string{"prog"}
		for range r.IntN(14) {
			var a strings.Builder
			if r.IntN(3) == 0 {
				a.WriteString("--opt" + fmt.Sprint(r.IntN(9)))
			} else {
				for range r.IntN(12) {
					a.WriteString(pieces[r.IntN(len(pieces))])
				}
			}
			args = append(args, a.String())
		}
		if r.IntN(20) == 0 {
			// A newline inside an argument: such a command is not wrapped.
			args = append(args, "two\nlines")
		}
		var cmd strings.Builder
		cmd.WriteString("prog")
		for _, a := range args[1:] {
			cmd.WriteString([]string{" ", "  ", "\t", " \\\n "}[r.IntN(4)])
			// Sometimes one argument in two quoted halves.
			if cut := r.IntN(len(a) + 1); r.IntN(4) == 0 && cut > 0 && cut < len(a) && strings.IndexByte(a, '\n') < 0 {
				cmd.WriteString(quote(r, a[:cut]) + quote(r, a[cut:]))
			} else {
				cmd.WriteString(quote(r, a))
			}
		}
		p := params{width: 15 + r.IntN(100), first: strings.Repeat(" ", r.IntN(5)), rest: strings.Repeat(" ", r.IntN(8))}
		cmds = append(cmds, cmd.String())
		wrapped = append(wrapped, Command(cmd.String(), p.width, p.first, p.rest))
		ps = append(ps, p)
	}
	got := argv(t, append(slices.Clone(cmds), wrapped...))
	mustBreak := 0
	for i, c := range cmds {
		if lines, ok := splitCommand(c); ok && len(lines) == 1 && len(lines[0]) > 1 &&
			Columns(ps[i].first+strings.Join(lines[0], " ")) > ps[i].width {
			mustBreak++
			if !strings.Contains(wrapped[i], " \\\n") {
				t.Errorf("width %d: %q is wider and was not wrapped", ps[i].width, c)
			}
		}
		orig, wr := got[i], got[len(cmds)+i]
		if len(orig) == 0 {
			t.Fatalf("bash ran nothing for %q", c)
		}
		if !slices.Equal(orig, wr) {
			t.Fatalf("wrapped command runs with other arguments:\n%s\n---\n%s\n got %q\nwant %q", c, wrapped[i], wr, orig)
		}
		if _, ok := splitCommand(c); ok {
			checkLayout(t, c, wrapped[i], ps[i].width, ps[i].first, ps[i].rest)
		}
	}
	if mustBreak < len(cmds)/4 {
		t.Errorf("only %d of %d random commands needed wrapping: the test proves little", mustBreak, len(cmds))
	}
}

func BenchmarkCommand(b *testing.B) {
	for b.Loop() {
		for _, c := range realCommands {
			Command(c, 80, "    ", "      ")
		}
	}
}
