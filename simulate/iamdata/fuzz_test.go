package iamdata

import "testing"

// FuzzLookups feeds arbitrary names to every lookup: none may panic, and
// Actions must only return names Action knows.
func FuzzLookups(f *testing.F) {
	for _, s := range []string{"dynamodb:Query", "s3:Get*", "*", "*:*", "logs:?ut*", "aws:PrincipalTag/", "s3:ExistingObjectTag/x", ":", "", "a:b:c", "kms:EncryptionContext:k"} {
		f.Add(s, "arn:aws:dynamodb:us-east-1:111122223333:table/T")
	}
	f.Fuzz(func(t *testing.T, name, arn string) {
		Action(name)
		Service(name)
		ConditionKeyType(name)
		ResourceARN(name, arn)
		ResourceTypeOf(name, arn)
		if len(name) < 40 {
			for _, a := range Actions(name) {
				if _, ok := Action(a); !ok {
					t.Fatalf("Actions(%q) returned %q, which Action does not know", name, a)
				}
			}
		}
	})
}
