package account

import (
	"slices"
	"testing"
)

// A user pool's custom sender and another slot of the same pool are one
// invoker; whichever is added first, the trigger keeps the sender's key.
func TestAddTriggerKeepsTheSendersKey(t *testing.T) {
	const pool, key = "arn:aws:cognito-idp:us-east-1:111122223333:userpool/us-east-1_AbC", "arn:aws:kms:us-east-1:111122223333:key/k"
	plain := Trigger{Kind: TriggerCognito, Principal: "cognito-idp.amazonaws.com", SourceARN: pool, Name: "PreSignUp trigger"}
	sender := plain
	sender.Name, sender.KMSKeyARN, sender.Notes = "CustomEmailSender trigger", key, []string{"codes encrypted with " + key}
	for _, order := range [][]Trigger{{plain, sender}, {sender, plain}, {sender, sender}} {
		var ts []Trigger
		for _, tr := range order {
			ts = AddTrigger(ts, tr)
		}
		if len(ts) != 1 || ts[0].KMSKeyARN != key || !slices.Equal(ts[0].Notes, sender.Notes) || ts[0].Name != order[0].Name {
			t.Errorf("adding %s then %s: got %+v, want one trigger named %q with the key and its note", order[0].Name, order[1].Name, ts, order[0].Name)
		}
	}
	other := plain
	other.SourceARN = pool + "2"
	if ts := AddTrigger([]Trigger{plain}, other); len(ts) != 2 {
		t.Errorf("another pool: got %d triggers, want 2", len(ts))
	}
}
