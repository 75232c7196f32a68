//go:build !integration

package motoserver

// Enabled is false without the integration tag: `go test ./...` runs the
// unit tests only, and every test that needs moto_server is skipped.
const Enabled = false
