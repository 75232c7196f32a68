// Command casegen writes seeded, random simulation cases (the JSON Lines
// format of lambda-doctor simulate --cases) for differential tests against
// other IAM evaluators:
//
//	go run ./simulate/casegen -seed 1 -n 20000 > cases.jsonl
//
// Each case is built around one request of the Lambda world (DynamoDB, S3,
// SQS, SNS, KMS, Logs, Lambda, EC2, X-Ray, STS, IAM, Secrets Manager) by a
// user, role, role session, service principal or anonymous caller, in the
// resource's account or another. Policy elements are variations of the
// request that land near the edge of each matching rule: wildcards at segment
// borders, one character off, case changed, keys present or missing, values
// equal or one step beside. The context holds the keys AWS always sets for
// the caller, since cases are evaluated exactly as given.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
)

func main() {
	seed := flag.Uint64("seed", 1, "random seed")
	n := flag.Int("n", 20000, "number of cases")
	all := flag.Bool("all", false, "also write forms the reference evaluator is known to get wrong (known-differences.md)")
	flag.Parse()
	if *n < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: casegen [-seed N] [-n COUNT] > cases.jsonl")
		os.Exit(2)
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	g := newGen(*seed)
	g.all = *all
	for i := 0; i < *n; i++ {
		if err := enc.Encode(g.newCase(fmt.Sprintf("s%d-%d", *seed, i))); err != nil {
			fmt.Fprintln(os.Stderr, "casegen:", err)
			os.Exit(1)
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "casegen:", err)
		os.Exit(1)
	}
}

// Case is one line of the case file (shared/simulate-cases.md).
type Case struct {
	ID             string  `json:"id"`
	Identity       []any   `json:"identity_policies,omitempty"`
	Boundary       any     `json:"permissions_boundary,omitempty"`
	Session        any     `json:"session_policy,omitempty"`
	ResourcePolicy any     `json:"resource_policy,omitempty"`
	SCPs           [][]any `json:"scps,omitempty"`
	RCPs           [][]any `json:"rcps,omitempty"`
	Request        Request `json:"request"`
}

// Request is the request of a case.
type Request struct {
	Principal       string         `json:"principal"`
	Action          string         `json:"action"`
	Resource        string         `json:"resource"`
	ResourceAccount string         `json:"resource_account,omitempty"`
	Context         map[string]any `json:"context,omitempty"`
}

type gen struct {
	r   *rand.Rand
	all bool // include forms the reference is known to get wrong
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, 0x1a3bda0c7042))}
}

// pct is true with probability p percent.
func (g *gen) pct(p int) bool { return g.r.IntN(100) < p }

func (g *gen) intn(n int) int { return g.r.IntN(n) }

func pick[T any](g *gen, xs ...T) T { return xs[g.r.IntN(len(xs))] }
