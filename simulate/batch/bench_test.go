package batch

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// generated returns n cases from simulate/casegen (seed 1), cached in the
// test's temporary directory; the benchmark is skipped without the go tool.
func generated(b *testing.B, n int) []byte {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("lambda-doctor-batch-bench-%d.jsonl", n))
	if data, err := os.ReadFile(path); err == nil && len(data) > 0 {
		return data
	}
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goTool, "run", "../casegen", "-seed", "1", "-n", fmt.Sprint(n)).Output()
	if err != nil {
		b.Skipf("casegen: %v", err)
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkRun streams 20,000 generated cases (about 40 MB, the size
// scripts/bench-vs-peer uses) through Run on GOMAXPROCS workers.
func BenchmarkRun(b *testing.B) {
	data := generated(b, 20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(bytes.NewReader(data), io.Discard, io.Discard, Options{Name: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunOneWorker is BenchmarkRun on one worker: the cost per case.
func BenchmarkRunOneWorker(b *testing.B) {
	data := generated(b, 20000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(bytes.NewReader(data), io.Discard, io.Discard, Options{Name: "bench", Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
