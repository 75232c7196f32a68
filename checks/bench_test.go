package checks

import (
	"bytes"
	"context"
	"testing"

	"github.com/lambda-doctor/lambda-doctor/account"
	"github.com/lambda-doctor/lambda-doctor/checks/internal/gensnap"
)

func benchSource(b *testing.B, nf, nr int) *account.SnapshotSource {
	b.Helper()
	var buf bytes.Buffer
	if err := gensnap.Write(&buf, nf, nr, 1); err != nil {
		b.Fatal(err)
	}
	snap, err := account.ParseSnapshot(buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	return account.NewSnapshotSource(snap)
}

// BenchmarkCheckAll checks a generated account of 1,000 functions sharing
// 400 roles (scripts/bench-check measures the 5,000/2,000 account end to
// end, process and snapshot loading included).
func BenchmarkCheckAll(b *testing.B) {
	src := benchSource(b, 1000, 400)
	ctx := context.Background()
	names, err := src.FunctionNames(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := Run(ctx, src, names, Options{FailOn: High})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Summary.Functions != 1000 {
			b.Fatalf("checked %d functions", rep.Summary.Functions)
		}
	}
}
