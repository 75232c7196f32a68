// Command dump prints the model the template reader builds from a template,
// as snapshot JSON, and the unknowns it found (a development aid).
//
//	go run ./account/template/internal/dump [-region R] [-account ID] TEMPLATE [K=V ...]
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/account/template"
)

func main() {
	region := flag.String("region", "", "AWS::Region")
	acct := flag.String("account", "", "AWS::AccountId")
	flag.Parse()
	if flag.NArg() < 1 {
		fmt.Fprintln(os.Stderr, "usage: dump [-region R] [-account ID] TEMPLATE [K=V ...]")
		os.Exit(2)
	}
	params := map[string]string{}
	for _, kv := range flag.Args()[1:] {
		k, v, _ := strings.Cut(kv, "=")
		params[k] = v
	}
	res, err := template.Read(flag.Arg(0), template.Options{Region: *region, Account: *acct, Parameters: params})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := account.WriteSnapshot(os.Stdout, account.NewSnapshot(res.Origin, res.Functions)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, u := range res.Unknowns {
		fmt.Fprintln(os.Stderr, "unknown:", u)
	}
}
