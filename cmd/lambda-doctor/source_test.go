package main

import (
	"os"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/internal/motoserver"
)

// TestMain stops the shared moto_server the package's tests may start.
func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.Stop()
	os.Exit(code)
}
