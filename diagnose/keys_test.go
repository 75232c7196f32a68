package diagnose

import (
	"strings"
	"testing"
)

// TestKeysNamed: the KMS keys a person names (--resource, a pasted KMS
// error) are read before the diagnosis; aliases and other resources are not
// keys.
func TestKeysNamed(t *testing.T) {
	key := "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"resource", Options{Resource: key}, key},
		{"alias", Options{Resource: "arn:aws:kms:us-east-1:111122223333:alias/app"}, ""},
		{"table", Options{Resource: "arn:aws:dynamodb:us-east-1:111122223333:table/T"}, ""},
		{"pasted denial", Options{Error: "User: arn:aws:sts::111122223333:assumed-role/r/f is not authorized to perform: kms:Decrypt on resource: " + key + " because no identity-based policy allows the kms:Decrypt action"}, key},
		{"both, once", Options{Resource: key, Error: "User: arn:aws:sts::111122223333:assumed-role/r/f is not authorized to perform: kms:Decrypt on resource: " + key}, key},
		{"not an error text", Options{Error: "hello"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(KeysNamed(tc.o), ","); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
