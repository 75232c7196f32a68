package account

import "testing"

func TestARNField(t *testing.T) {
	arn := "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f:*"
	for i, want := range []string{"arn", "aws", "logs", "us-east-1", "111122223333", "log-group:/aws/lambda/f:*"} {
		if got := ARNField(arn, i); got != want {
			t.Errorf("ARNField(%d): got %q, want %q", i, got, want)
		}
	}
	for _, bad := range []string{"", "order-processor", "arn:aws:s3", "urn:aws:s3:::b:c"} {
		if got := ARNField(bad, 1); got != "" {
			t.Errorf("ARNField(%q, 1): got %q, want empty", bad, got)
		}
	}
}

func TestIsAccountID(t *testing.T) {
	for s, want := range map[string]bool{"111122223333": true, "11112222333": false, "1111222233334": false, "11112222333a": false, "": false} {
		if got := IsAccountID(s); got != want {
			t.Errorf("IsAccountID(%q): got %v, want %v", s, got, want)
		}
	}
}

func TestPartitionName(t *testing.T) {
	cases := []struct {
		fn   Function
		want string
	}{
		{Function{Partition: "aws-cn"}, "aws-cn"},
		{Function{ARN: "arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:f"}, "aws-us-gov"},
		{Function{Name: "f"}, "aws"},
	}
	for _, c := range cases {
		if got := c.fn.PartitionName(); got != c.want {
			t.Errorf("PartitionName(%+v): got %q, want %q", c.fn, got, c.want)
		}
	}
}
