package limits

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.json")
	os.WriteFile(small, []byte(`{"a":1}`), 0o644)
	big := filepath.Join(dir, "big.json")
	// A sparse 1 GiB file: refused from its size, never read.
	f, _ := os.Create(big)
	f.Truncate(1 << 30)
	f.Close()

	if b, err := ReadFile(small, 1<<10, "--max-file-size"); err != nil || string(b) != `{"a":1}` {
		t.Fatalf("small: got %q, %v", b, err)
	}
	_, err := ReadFile(big, 1<<20, "--max-file-size")
	if !IsTooLarge(err) || !strings.Contains(err.Error(), "1 MiB") || !strings.Contains(err.Error(), "--max-file-size") {
		t.Fatalf("big: got %v, want a TooLargeError naming 1 MiB and the flag", err)
	}
	if _, err := ReadFile(dir, 1<<20, ""); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Fatalf("dir: got %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 1<<20, ""); !os.IsNotExist(err) {
		t.Fatalf("missing: got %v", err)
	}
}

// /dev/zero and /dev/urandom never end: the read stops at the limit.
func TestReadFileEndlessDevice(t *testing.T) {
	for _, dev := range []string{"/dev/zero", "/dev/urandom"} {
		if _, err := os.Stat(dev); err != nil {
			t.Skip(dev, "not here")
		}
		_, err := ReadFile(dev, 4<<20, "--max-file-size")
		if !IsTooLarge(err) {
			t.Errorf("%s: got %v, want TooLargeError", dev, err)
		}
	}
}

func TestReadAllExactLimit(t *testing.T) {
	if b, err := ReadAll(strings.NewReader("abcd"), 4, "x", ""); err != nil || string(b) != "abcd" {
		t.Fatalf("got %q, %v", b, err)
	}
	if _, err := ReadAll(strings.NewReader("abcde"), 4, "x", ""); !IsTooLarge(err) {
		t.Fatalf("got %v", err)
	}
}
