// Command gensnap writes a synthetic account snapshot for benchmarks of
// `lambda-doctor check --all` (see package gensnap).
//
//	go run ./checks/internal/gensnap/cmd -functions 5000 -roles 2000 -o big.json
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/lambda-doctor/lambda-doctor/checks/internal/gensnap"
)

func main() {
	nf := flag.Int("functions", 5000, "number of functions")
	nr := flag.Int("roles", 2000, "number of execution roles")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("o", "", "output file (default stdout)")
	flag.Parse()
	if *nf < 1 || *nr < 1 {
		fmt.Fprintln(os.Stderr, "gensnap: -functions and -roles must be at least 1")
		os.Exit(2)
	}
	w := os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gensnap:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	err := gensnap.Write(bw, *nf, *nr, *seed)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gensnap:", err)
		os.Exit(1)
	}
}
