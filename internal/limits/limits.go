// Package limits reads files and streams the operator names (policies, specs,
// snapshots, case files, pasted errors) with a size limit, so that /dev/zero,
// /dev/urandom or a 1 GB file ends at once with a clear error instead of
// exhausting memory. The text readers (ReadTextFile, ReadText) also stop at
// the first NUL byte, which no JSON, YAML or pasted text holds: binary data
// such as /dev/zero or /dev/urandom is refused after its first bytes
// rather than read up to the limit.
package limits

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// TooLargeError is a file or stream larger than the limit that applies to it.
type TooLargeError struct {
	What  string // "policy file p.json", "--error -"
	Limit int64
	Flag  string // the flag that raises the limit, if any
}

func (e *TooLargeError) Error() string {
	msg := fmt.Sprintf("%s is larger than the limit of %s", e.What, Size(e.Limit))
	if e.Flag != "" {
		msg += "; raise it with " + e.Flag
	}
	return msg
}

// ReadFile reads the file at path, refusing one larger than max bytes. A
// regular file is refused from its size before it is read; a device or a
// pipe is read until max+1 bytes at the most. flag names the flag that
// raises the limit, for the error message ("" when none does).
func ReadFile(path string, max int64, flag string) ([]byte, error) {
	f, err := open(path, max, flag)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, max, path, flag)
}

// open opens path for reading, refusing a directory and a regular file
// larger than max.
func open(path string, max int64, flag string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	switch {
	case st.IsDir():
		f.Close()
		return nil, fmt.Errorf("%s is a directory, not a file", path)
	case st.Mode().IsRegular() && st.Size() > max:
		f.Close()
		return nil, &TooLargeError{What: path, Limit: max, Flag: flag}
	}
	return f, nil
}

// ReadAll reads r to its end, refusing more than max bytes.
func ReadAll(r io.Reader, max int64, what, flag string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &TooLargeError{What: what, Limit: max, Flag: flag}
	}
	return b, nil
}

// NotTextError is input that holds a NUL byte: binary data, not the text
// (JSON, YAML, a pasted message) the tool expects.
type NotTextError struct {
	What   string
	Offset int64 // of the first NUL byte
}

func (e *NotTextError) Error() string {
	return fmt.Sprintf("%s is not text: byte %d is NUL (binary data?)", e.What, e.Offset)
}

// ReadTextFile is ReadFile for a text file: it also stops, with a
// *NotTextError, at the first NUL byte.
func ReadTextFile(path string, limit int64, flag string) ([]byte, error) {
	f, err := open(path, limit, flag)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadText(f, limit, path, flag)
}

// textChunk is how much ReadText reads before it looks for a NUL byte.
const textChunk = 64 << 10

// ReadText is ReadAll for text: it refuses more than max bytes, and stops
// with a *NotTextError at the first NUL byte, having read at most one
// chunk past it.
func ReadText(r io.Reader, limit int64, what, flag string) ([]byte, error) {
	var b []byte
	chunk := make([]byte, textChunk)
	for {
		n, err := r.Read(chunk)
		if i := bytes.IndexByte(chunk[:n], 0); i >= 0 {
			return nil, &NotTextError{What: what, Offset: int64(len(b) + i)}
		}
		if int64(len(b)+n) > limit {
			return nil, &TooLargeError{What: what, Limit: limit, Flag: flag}
		}
		b = append(b, chunk[:n]...)
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// IsTooLarge reports whether err is (or wraps) a *TooLargeError.
func IsTooLarge(err error) bool {
	var t *TooLargeError
	return errors.As(err, &t)
}

// Size writes n bytes as people read it: 512 B, 64 KiB, 256 MiB.
func Size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
