package samdata

import (
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	if err := Err(); err != nil {
		t.Fatal(err)
	}
	if Version() == "" {
		t.Error("no samtranslator version recorded")
	}
	tp, ok := Lookup("SQSPollerPolicy")
	if !ok {
		t.Fatal("SQSPollerPolicy not found")
	}
	if _, ok := tp.Parameters["QueueName"]; !ok {
		t.Errorf("SQSPollerPolicy parameters: got %v, want QueueName", tp.Parameters)
	}
	if !strings.Contains(string(tp.Definition), "sqs:ReceiveMessage") {
		t.Errorf("SQSPollerPolicy definition: got %s", tp.Definition)
	}
	if _, ok := Lookup("NoSuchPolicy"); ok {
		t.Error("found NoSuchPolicy")
	}
}
