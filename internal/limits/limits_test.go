package limits

import (
	"errors"
	"io"
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

// Binary data ends a text read at its first NUL byte: /dev/zero and
// /dev/urandom are refused without reading up to the limit.
func TestReadTextFileBinary(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.WriteFile(bin, []byte("{\"a\":\n\x00rest"), 0o644)
	_, err := ReadTextFile(bin, 1<<20, "--max-x")
	var nt *NotTextError
	if !errors.As(err, &nt) || nt.Offset != 6 || !strings.Contains(err.Error(), "byte 6 is NUL") {
		t.Fatalf("got %v, want a NotTextError at byte 6", err)
	}
	for _, dev := range []string{"/dev/zero", "/dev/urandom"} {
		if _, err := os.Stat(dev); err != nil {
			t.Skip(dev, "not here")
		}
		f, err := os.Open(dev)
		if err != nil {
			t.Fatal(err)
		}
		cr := &countingReader{r: f}
		// A limit far above what a test may read: the NUL must stop it.
		_, err = ReadText(cr, 1<<40, dev, "--max-x")
		f.Close()
		if !errors.As(err, &nt) {
			t.Errorf("%s: got %v, want a NotTextError", dev, err)
		}
		if cr.n > 4*textChunk {
			t.Errorf("%s: read %d bytes before refusing it, want at most %d", dev, cr.n, 4*textChunk)
		}
	}
}

func TestReadText(t *testing.T) {
	for _, tc := range []struct {
		in      string
		limit   int64
		want    string
		tooBig  bool
		notText bool
	}{
		{"", 4, "", false, false},
		{"abcd", 4, "abcd", false, false},
		{"abcde", 4, "", true, false},
		{"ab\x00", 4, "", false, true},
		{strings.Repeat("x", 3*textChunk+7), 4 * textChunk, strings.Repeat("x", 3*textChunk+7), false, false},
		{strings.Repeat("x", 3*textChunk+7), 3 * textChunk, "", true, false},
	} {
		b, err := ReadText(strings.NewReader(tc.in), tc.limit, "in", "")
		var nt *NotTextError
		switch {
		case tc.tooBig && !IsTooLarge(err), tc.notText && !errors.As(err, &nt):
			t.Errorf("%.20q (limit %d): got %v, want too large %v, not text %v", tc.in, tc.limit, err, tc.tooBig, tc.notText)
		case !tc.tooBig && !tc.notText && (err != nil || string(b) != tc.want):
			t.Errorf("%.20q (limit %d): got %d bytes, %v", tc.in, tc.limit, len(b), err)
		}
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
