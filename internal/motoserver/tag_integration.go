//go:build integration

package motoserver

// Enabled is true in a build with the integration tag: tests that need
// moto_server run (scripts/test builds with it).
const Enabled = true
