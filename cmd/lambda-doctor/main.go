// Command lambda-doctor tells why an AWS Lambda function hits "access
// denied", which of its two doors is closed, and the smallest command that
// opens it.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
