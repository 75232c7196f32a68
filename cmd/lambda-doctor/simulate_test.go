package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runSim(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"lambda-doctor", "simulate"}, args...), strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The batch form of shared/simulate-cases.md: one result line per case, in
// order; a bad case gives an error line and the run goes on.
func TestSimulateCasesFixture(t *testing.T) {
	out, errOut, code := runSim(t, "", "--cases", "../../fixtures/simulate/cases.jsonl")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{
		`{"id":"role-reads-orders","decision":"allow","matched":[{"policy":"identity[0]","statement":"ReadOrdersTable"}]}`,
		`{"id":"typo-querry","decision":"implicit_deny","matched":[]}`,
		`{"id":"apigw-wrong-source-arn","decision":"implicit_deny","matched":[]}`,
		`{"id":"scp-denies-region","decision":"explicit_deny","matched":[{"policy":"scp[0][1]","statement":"DenyOutsideEU"}]}`,
		`{"id":"bad-operator","error":"../../fixtures/simulate/cases.jsonl:5: identity_policies[0]: Statement[0].Condition: unknown operator \"StringEqualz\""}`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", out, strings.Join(want, "\n"))
	}
}

func TestSimulateCasesExitCodes(t *testing.T) {
	dir := t.TempDir()
	allow := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	req := `"request":{"principal":"arn:aws:iam::111122223333:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}`
	good := fmt.Sprintf(`{"id":"a","identity_policies":[%s],%s,"expect":"allow"}`, allow, req) + "\n" +
		fmt.Sprintf(`{"id":"b",%s,"expect":"implicit_deny"}`, req) + "\n"
	t.Run("all as expected", func(t *testing.T) {
		_, errOut, code := runSim(t, "", "--cases", writeFile(t, dir, "good.jsonl", good))
		if code != 0 {
			t.Errorf("exit %d, stderr %s", code, errOut)
		}
	})
	t.Run("a mismatch exits 1 and says which", func(t *testing.T) {
		bad := strings.Replace(good, `"expect":"implicit_deny"`, `"expect":"allow"`, 1)
		out, errOut, code := runSim(t, "", "--cases", writeFile(t, dir, "bad.jsonl", bad))
		if code != 1 || strings.Count(out, "\n") != 2 || !strings.Contains(errOut, "case b (line 2): got implicit_deny, want allow") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	})
	t.Run("unreadable file exits 2", func(t *testing.T) {
		_, errOut, code := runSim(t, "", "--cases", filepath.Join(dir, "missing.jsonl"))
		if code != 2 || !strings.Contains(errOut, "missing.jsonl") {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
	})
	t.Run("stdin, blank lines, bad lines", func(t *testing.T) {
		in := "\n" + good + "not json\n" + `{"id":"c"}` + "\n" + `{"id":"d",` + req + `,"expect":"maybe"}` + "\n" +
			`{"id":"e","identity_policies":["%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A*%22%2C%22Resource%22%3A%22*%22%7D%7D"],` + req + `}` + "\n"
		out, errOut, code := runSim(t, in, "--cases", "-")
		// The line that is no JSON and case d's expect are expectations
		// not checked: the run does not pass (case c has none, and e holds).
		if code != 1 || !strings.Contains(errOut, "2 of 6 lines could not be evaluated and carry an expect (or are no case at all)") {
			t.Fatalf("exit %d, stderr %s; want 1 naming the 2 lines not checked", code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 6 {
			t.Fatalf("got %d lines:\n%s", len(lines), out)
		}
		for i, want := range []string{`"id":"a","decision":"allow"`, `"id":"b","decision":"implicit_deny"`,
			`{"id":null,"error":"-:4: invalid case: invalid JSON at byte 0`, `{"id":"c","error":"-:5: request: missing"}`,
			`{"id":"d","error":"-:6: expect: \"maybe\" is not allow`, `"id":"e","decision":"allow"`} {
			if !strings.Contains(lines[i], want) {
				t.Errorf("line %d: got %s, want it to contain %s", i+1, lines[i], want)
			}
			if !json.Valid([]byte(lines[i])) {
				t.Errorf("line %d is not JSON: %s", i+1, lines[i])
			}
		}
	})
}

// Many cases: the parallel path keeps the input order.
func TestSimulateCasesOrder(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 2000; i++ {
		action := "s3:GetObject"
		if i%3 == 0 {
			action = "s3:PutObject"
		}
		fmt.Fprintf(&b, `{"id":"c%d","identity_policies":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b%d/*"}}],"request":{"principal":"arn:aws:iam::111122223333:user/u","action":"%s","resource":"arn:aws:s3:::b%d/k"}}`+"\n", i, i, action, i)
	}
	out, errOut, code := runSim(t, "", "--cases", writeFile(t, t.TempDir(), "many.jsonl", b.String()))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2000 {
		t.Fatalf("got %d lines", len(lines))
	}
	for i, l := range lines {
		want := "allow"
		if i%3 == 0 {
			want = "implicit_deny"
		}
		if !strings.HasPrefix(l, fmt.Sprintf(`{"id":"c%d","decision":"%s"`, i, want)) {
			t.Fatalf("line %d: %s", i+1, l)
		}
	}
}

func TestSimulateOne(t *testing.T) {
	const fn = "arn:aws:lambda:us-east-1:111122223333:function:order-processor"
	base := []string{"--resource-policy", "../../fixtures/simulate/function-resource-policy.json",
		"--principal", "apigateway.amazonaws.com", "--action", "lambda:InvokeFunction", "--resource", fn}
	t.Run("denied, text", func(t *testing.T) {
		out, _, code := runSim(t, "", append(base, "--context", "aws:SourceArn=arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders")...)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		for _, s := range []string{"decision: implicit_deny", `condition ArnLike AWS:SourceArn: request value "arn:aws:execute-api:us-east-1:111122223333:a1b2c3d4e5/prod/POST/orders" matches none of ["arn:aws:execute-api:us-east-1:111122223333:zz9y8x7w6v/*/POST/orders"]`} {
			if !strings.Contains(out, s) {
				t.Errorf("output lacks %q:\n%s", s, out)
			}
		}
	})
	t.Run("allowed, json", func(t *testing.T) {
		out, errOut, code := runSim(t, "", append(base, "--output", "json", "--context", "aws:SourceArn=arn:aws:execute-api:us-east-1:111122223333:zz9y8x7w6v/prod/POST/orders")...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got struct {
			Decision string
			Deciding []struct{ Policy, Statement string }
			Trace    []struct {
				Layer   string
				Applies bool
			}
			Request struct{ Context map[string]any }
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		if got.Decision != "allow" || len(got.Deciding) != 1 || got.Deciding[0].Statement != "apigw-invoke" ||
			len(got.Trace) != 1 || !got.Trace[0].Applies || got.Request.Context["aws:PrincipalIsAWSService"] != "true" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("identity policies and multivalued context", func(t *testing.T) {
		dir := t.TempDir()
		p := writeFile(t, dir, "tags.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:TagResource","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}}}`)
		args := []string{"--policy", p, "--principal", "arn:aws:iam::111122223333:user/alice", "--action", "dynamodb:TagResource", "--resource", "arn:aws:dynamodb:us-east-1:111122223333:table/T"}
		if _, _, code := runSim(t, "", append(args, "--context", "aws:TagKeys=team", "--context", "aws:TagKeys=env")...); code != 0 {
			t.Errorf("repeated key: exit %d, want 0", code)
		}
		if _, _, code := runSim(t, "", append(args, "--context", `aws:TagKeys=["team","cost"]`)...); code != 1 {
			t.Errorf("JSON array: exit %d, want 1", code)
		}
	})
	t.Run("unknown actions warned", func(t *testing.T) {
		dir := t.TempDir()
		p := writeFile(t, dir, "typo.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:Querry","Resource":"*"}}`)
		_, errOut, code := runSim(t, "", "--policy", p, "--principal", "arn:aws:iam::111122223333:user/alice", "--action", "dynamodb:Query", "--resource", "arn:aws:dynamodb:us-east-1:111122223333:table/T")
		if code != 1 || !strings.Contains(errOut, `unknown action "dynamodb:Querry"; did you mean dynamodb:Query?`) {
			t.Errorf("exit %d, stderr %q", code, errOut)
		}
	})
}

func TestSimulateBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"x"}}}]}`)
	good := writeFile(t, dir, "good.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`)
	req := []string{"--principal", "arn:aws:iam::111122223333:user/alice", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad policy names file and element", append([]string{"--policy", bad}, req...), `bad.json: Statement[1].Condition: unknown operator "StringEqualz"`},
		{"missing file", append([]string{"--policy", filepath.Join(dir, "nope.json")}, req...), "nope.json"},
		{"missing principal", []string{"--policy", good, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"}, "--principal is required"},
		{"bad principal", []string{"--policy", good, "--principal", "bob", "--action", "s3:GetObject", "--resource", "*"}, `request.principal: "bob"`},
		{"bad context", append([]string{"--policy", good, "--context", "novalue"}, req...), `--context "novalue": want key=value`},
		{"bad output", append([]string{"--policy", good, "--output", "yaml"}, req...), `--output "yaml": want text or json`},
		{"stray argument", []string{"extra"}, "simulate takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runSim(t, "", tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tt.want)
			}
			if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
				t.Errorf("stack trace in stderr: %s", errOut)
			}
		})
	}
}

// --function builds the input from the function's execution role in an
// offline snapshot (the same input diagnose uses).
func TestSimulateFunctionSnapshot(t *testing.T) {
	snap := "../../fixtures/dynamodb-index-query/snapshot.json"
	if _, err := os.Stat(snap); err != nil {
		t.Skip("fixture not present")
	}
	args := []string{"--snapshot", snap, "--function", "order-search", "--action", "dynamodb:Query"}
	out, errOut, code := runSim(t, "", append(args, "--resource", "arn:aws:dynamodb:us-east-1:111122223333:table/Orders/index/by-customer")...)
	if code != 1 || !strings.Contains(out, "decision: implicit_deny") || !strings.Contains(out, "assumed-role/order-search-role/order-search") {
		t.Errorf("index: exit %d\n%s\n%s", code, out, errOut)
	}
	out, errOut, code = runSim(t, "", append(args, "--resource", "arn:aws:dynamodb:us-east-1:111122223333:table/Orders")...)
	if code != 0 || !strings.Contains(out, "decision: allow") {
		t.Errorf("table: exit %d\n%s\n%s", code, out, errOut)
	}
}

// --function with a role policy that does not parse is bad input (exit 2)
// naming the document: the call cannot be decided.
func TestSimulateFunctionUnparsedPolicy(t *testing.T) {
	raw, err := os.ReadFile("../../fixtures/dynamodb-index-query/snapshot.json")
	if err != nil {
		t.Skip("fixture not present")
	}
	var snap map[string]any
	if err := json.Unmarshal(raw, &snap); err != nil {
		t.Fatal(err)
	}
	role := snap["roles"].([]any)[0].(map[string]any)
	role["inline_policies"].([]any)[0].(map[string]any)["document"] = map[string]any{
		"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Maybe", "Action": "dynamodb:Query", "Resource": "*"}}}
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, t.TempDir(), "snap.json", string(b))
	_, errOut, code := runSim(t, "", "--snapshot", path, "--function", "order-search", "--action", "dynamodb:Query",
		"--resource", "arn:aws:dynamodb:us-east-1:111122223333:table/Orders")
	if code != 2 || !strings.Contains(errOut, "orders-table") || !strings.Contains(errOut, "Maybe") {
		t.Errorf("exit %d, stderr %q; want exit 2 naming the inline policy orders-table and its bad Effect", code, errOut)
	}
}

// A decision that hangs on a wildcard the IAM User Guide leaves open is
// flagged in every form: a note in text, "ambiguous" in JSON and in --cases.
func TestSimulateAmbiguous(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "fn.json", `{"Version":"2012-10-17","Statement":{"Sid":"Prod","Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:*prod"}}`)
	args := []string{"--policy", p, "--principal", "arn:aws:iam::111122223333:user/bob", "--action", "lambda:InvokeFunction",
		"--resource", "arn:aws:lambda:us-east-1:111122223333:function:payments-worker:prod"}
	out, _, code := runSim(t, "", args...)
	if code != 1 || !strings.Contains(out, "note: the IAM User Guide does not settle this decision (allow under another reading)") ||
		!strings.Contains(out, `statement Prod: Resource "arn:aws:lambda:us-east-1:111122223333:function:*prod"`) {
		t.Errorf("text: exit %d\n%s", code, out)
	}
	out, _, _ = runSim(t, "", append(args, "--output", "json")...)
	var got struct {
		Ambiguous []struct{ Layer, Statement, Element, Pattern, Otherwise string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Ambiguous) != 1 || got.Ambiguous[0].Statement != "Prod" ||
		got.Ambiguous[0].Element != "Resource" || got.Ambiguous[0].Otherwise != "allow" || got.Ambiguous[0].Layer != "identity" {
		t.Errorf("json: %v %+v\n%s", err, got, out)
	}
	line := `{"id":"a","identity_policies":[` + `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:111122223333:function:*prod"}}` +
		`],"request":{"principal":"arn:aws:iam::111122223333:user/bob","action":"lambda:InvokeFunction","resource":"arn:aws:lambda:us-east-1:111122223333:function:payments-worker:prod"}}`
	out, _, code = runSim(t, line+"\n", "--cases", "-")
	if code != 0 || !strings.HasPrefix(out, `{"id":"a","decision":"implicit_deny","matched":[],"ambiguous":["identity[0] statement #0: Resource`) {
		t.Errorf("--cases: exit %d\n%s", code, out)
	}
}

// Policy files are read with a limit, and a document that is not UTF-8 is
// refused: exit 2 with a clear message, never a repaired policy.
func TestSimulatePolicyLimits(t *testing.T) {
	dir := t.TempDir()
	req := []string{"--principal", "arn:aws:iam::111122223333:user/alice", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::b/k"}
	big := writeFile(t, dir, "big.json", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Sid":"`+strings.Repeat("x", 2000)+`"}}`)
	notUTF8 := writeFile(t, dir, "latin1.json", "{\"Version\":\"2012-10-17\",\"Statement\":{\"Sid\":\"caf\xe9\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"over --max-policy-size", append([]string{"--policy", big, "--max-policy-size", "1024"}, req...), "big.json is larger than the limit of 1 KiB; raise it with --max-policy-size"},
		{"endless device", append([]string{"--boundary", "/dev/zero"}, req...), "/dev/zero is not text: byte 0 is NUL"},
		{"not UTF-8", append([]string{"--policy", notUTF8}, req...), "latin1.json: document is not valid UTF-8 (at byte 47)"},
		{"bad --max-case-size", []string{"--cases", "-", "--max-case-size", "0"}, "--max-case-size: want a size in bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.HasPrefix(tt.args[1], "/dev/") {
				if _, err := os.Stat(tt.args[1]); err != nil {
					t.Skip(err)
				}
			}
			_, errOut, code := runSim(t, "", tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tt.want)
			}
		})
	}
	// A case line over --max-case-size is an error on that line only (and,
	// as its expect cannot be checked, the run does not pass).
	in := `{"id":"long","x":"` + strings.Repeat("y", 300) + `"}` + "\n" + `{"id":"ok","request":{"principal":"*","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}}` + "\n"
	out, errOut, code := runSim(t, in, "--cases", "-", "--max-case-size", "200")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 1 || len(lines) != 2 || lines[0] != `{"id":null,"error":"-:1: the line is larger than the limit of 200 B; raise it with --max-case-size"}` ||
		!strings.HasPrefix(lines[1], `{"id":"ok","decision":"implicit_deny"`) {
		t.Errorf("exit %d, stderr %q\n%s", code, errOut, out)
	}
}
