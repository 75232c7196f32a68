// Command corpusrun reads many templates with the template reader and
// prints, per file, how many functions, triggers and unknowns it found, or
// the error (a development aid for studying public template corpora).
//
//	go run ./account/template/internal/corpusrun FILE...
package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/lambda-doctor/lambda-doctor/account/template"
)

func main() {
	kinds := map[string]int{}
	errs := map[string]int{}
	ok, bad := 0, 0
	for _, f := range os.Args[1:] {
		func() {
			defer func() {
				if r := recover(); r != nil {
					fmt.Printf("PANIC %s: %v\n", f, r)
					bad++
				}
			}()
			res, err := template.Read(f, template.Options{Region: "us-east-1", Account: "111122223333"})
			if err != nil {
				var te *template.Error
				if !errors.As(err, &te) {
					fmt.Printf("UNTYPED %s: %v\n", f, err)
				}
				msg := err.Error()
				if i := strings.Index(msg, ": "); i > 0 {
					msg = msg[i+2:]
				}
				if len(msg) > 90 {
					msg = msg[:90]
				}
				errs[msg]++
				fmt.Printf("ERR %s: %v\n", f, err)
				bad++
				return
			}
			ok++
			trig := 0
			for _, fn := range res.Functions {
				trig += len(fn.Triggers)
				for _, t := range fn.Triggers {
					kinds[t.Kind]++
				}
			}
			for _, u := range res.Unknowns {
				kinds["unknown:"+u.Kind]++
			}
			fmt.Printf("OK %s: %d functions, %d triggers, %d unknowns\n", f, len(res.Functions), trig, len(res.Unknowns))
		}()
	}
	fmt.Printf("\n%d read, %d refused\n", ok, bad)
	var ks []string
	for k := range kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		fmt.Printf("  %-28s %d\n", k, kinds[k])
	}
	fmt.Println("errors:")
	for k, n := range errs {
		fmt.Printf("  %3d %s\n", n, k)
	}
}
