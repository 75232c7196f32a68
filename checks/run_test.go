package checks

import (
	"context"
	"sort"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
)

// Run checks a whole snapshot concurrently (go test -race covers the shared
// state), reports progress for every function, and gives the same report
// whatever the number of workers.
func TestRunConcurrent(t *testing.T) {
	src, err := account.LoadSnapshot("../fixtures/check/account.json")
	if err != nil {
		t.Fatal(err)
	}
	names, err := src.FunctionNames(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var reports []*Report
	for _, workers := range []int{1, 8} {
		var calls []int
		rep, err := Run(context.Background(), src, names, Options{FailOn: High, Workers: workers,
			Progress: func(done, total int) {
				if total != len(names) {
					t.Errorf("progress total %d, want %d", total, len(names))
				}
				calls = append(calls, done)
			}})
		if err != nil {
			t.Fatal(err)
		}
		sort.Ints(calls)
		if len(calls) != len(names) || calls[len(calls)-1] != len(names) {
			t.Errorf("workers %d: progress calls %v, want 1..%d", workers, calls, len(names))
		}
		reports = append(reports, rep)
	}
	a, b := ids(reports[0]), ids(reports[1])
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("1 worker: %v\n8 workers: %v", a, b)
	}
	for i := range a {
		if a[i] != b[i] || reports[0].Findings[i].Subject != reports[1].Findings[i].Subject {
			t.Fatalf("finding %d differs: %v vs %v", i, reports[0].Findings[i], reports[1].Findings[i])
		}
	}
}

func TestRunCancelled(t *testing.T) {
	src, err := account.LoadSnapshot("../fixtures/check/account.json")
	if err != nil {
		t.Fatal(err)
	}
	names, _ := src.FunctionNames(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, src, names, Options{Workers: 2}); err == nil {
		t.Error("got no error from a cancelled run")
	}
}

// A function that cannot be read is a line of the report, not the end of
// the run.
func TestRunUnreadableFunction(t *testing.T) {
	src, err := account.LoadSnapshot("../fixtures/check/account.json")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), src, []string{"healthy", "no-such-function"}, Options{FailOn: High})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Functions != 2 || rep.Summary.Errors != 1 || rep.Summary.Failed {
		t.Fatalf("got summary %+v, want 2 functions, 1 error, not failed", rep.Summary)
	}
	for _, fr := range rep.Functions {
		if fr.Name == "no-such-function" && (fr.Error == "" || fr.ErrorCode != 3) {
			t.Errorf("got %+v, want an error with exit code 3", fr)
		}
	}
}
