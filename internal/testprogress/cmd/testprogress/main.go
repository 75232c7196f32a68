// Command testprogress shows the progress of `go test -json` read from its
// standard input: which packages are being tested and for how long, each
// result as it comes, the output of failed tests, and a summary. It exits 1
// when a package failed or did not finish.
//
//	go test -json ./... 2>&1 | go run ./internal/testprogress/cmd/testprogress [-total N]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	xterm "golang.org/x/term"

	"github.com/lambda-doctor/lambda-doctor/internal/testprogress"
)

// module is the module path go.mod declares, or "".
func module(gomod string) string {
	b, err := os.ReadFile(gomod)
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if m, ok := strings.CutPrefix(strings.TrimSpace(l), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	return ""
}

func main() {
	total := flag.Int("total", 0, "the number of packages being tested, when known (go list ./... | wc -l)")
	flag.Parse()
	tty := xterm.IsTerminal(int(os.Stdout.Fd())) && os.Getenv("TERM") != "dumb"
	r := testprogress.New(os.Stdout, tty, *total, nil)
	r.Module = module("go.mod")

	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		sc.Buffer(make([]byte, 1<<20), 64<<20) // a test may print long lines
		for sc.Scan() {
			lines <- sc.Text()
		}
		errc <- sc.Err()
		close(lines)
	}()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				if err := <-errc; err != nil {
					fmt.Fprintln(os.Stderr, "testprogress: read:", err)
				}
				if !r.Finish() {
					os.Exit(1)
				}
				return
			}
			r.Line(l)
		case <-tick.C:
			r.Tick()
		}
	}
}
