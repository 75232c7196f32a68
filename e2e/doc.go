// Package e2e holds the end-to-end tests of lambda-doctor diagnose: each
// broken scenario is built in moto_server with the real aws CLI, diagnosed
// live by the built binary, the printed fix commands are run with bash and
// the aws CLI against moto, and a second diagnosis must find every door open.
//
// The package has no non-test code besides this comment.
package e2e
