package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/simulate/iamdata"
)

func gen100(seed uint64) []string {
	g := newGen(seed)
	var out []string
	for i := 0; i < 300; i++ {
		b, err := json.Marshal(g.newCase("x"))
		if err != nil {
			panic(err)
		}
		out = append(out, string(b))
	}
	return out
}

func TestDeterministic(t *testing.T) {
	a, b := gen100(7), gen100(7)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("case %d differs between two runs with seed 7", i)
		}
	}
	if c := gen100(8); c[0] == a[0] && c[1] == a[1] {
		t.Error("seeds 7 and 8 give the same cases")
	}
}

func TestCasesAreWellFormed(t *testing.T) {
	kinds := map[string]int{}
	for _, line := range gen100(1) {
		var c Case
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("bad JSON %s: %v", line, err)
		}
		r := c.Request
		if _, ok := iamdata.Action(r.Action); !ok {
			t.Errorf("unknown action %s", r.Action)
		}
		if r.Resource != "*" {
			if _, ok := iamdata.ResourceTypeOf(r.Action, r.Resource); !ok {
				t.Errorf("%s does not fit %s", r.Resource, r.Action)
			}
		}
		switch {
		case r.Principal == "*":
			kinds["anonymous"]++
		case !strings.HasPrefix(r.Principal, "arn:"):
			kinds["service"]++
			if len(c.Identity) > 0 || c.Boundary != nil || c.Session != nil || c.SCPs != nil {
				t.Errorf("service principal with identity-side policies: %s", line)
			}
		default:
			kinds["iam"]++
			if r.Context["aws:PrincipalArn"] == nil || r.Context["aws:PrincipalAccount"] == nil {
				t.Errorf("IAM principal without aws:PrincipalArn/aws:PrincipalAccount: %s", line)
			}
		}
		if !strings.Contains(line, "aws:CurrentTime") {
			t.Errorf("no aws:CurrentTime: %s", line)
		}
	}
	for _, k := range []string{"anonymous", "service", "iam"} {
		if kinds[k] == 0 {
			t.Errorf("no %s principal in 300 cases", k)
		}
	}
}

func TestPeerMisreadsResource(t *testing.T) {
	tests := []struct {
		p    string
		want bool
	}{
		{"arn:aws:ec2:us-east-1:111122223333:*/*", true},
		{"arn:aws:ec2:us-east-1:111122223333:sub?et/subnet-1", true},
		{"arn:aws:logs:us-east-1:111122223333:*:*", true},
		{"arn:aws:ec2:us-east-1:111122223333:subnet/*", false},
		{"arn:aws:ec2:us-east-1:111122223333:*", false},
		{"arn:aws:s3:::bucket*", false},
		{"*", false},
	}
	for _, tt := range tests {
		if got := peerMisreadsResource(tt.p); got != tt.want {
			t.Errorf("peerMisreadsResource(%q) = %v, want %v", tt.p, got, tt.want)
		}
	}
}
