package motoserver

import (
	"os"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

func TestStartAnswersSTS(t *testing.T) {
	s := Start(t)
	out := s.AWS(t, "sts", "get-caller-identity", "--query", "Account", "--output", "text")
	if got := strings.TrimSpace(out); got != s.Account {
		t.Fatalf("account: got %q, want %q", got, s.Account)
	}
}
