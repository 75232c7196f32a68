// Package limits reads files and streams the operator names (policies, specs,
// snapshots, case files, pasted errors) with a size limit, so that /dev/zero,
// /dev/urandom or a 1 GB file ends at once with a clear error instead of
// exhausting memory.
package limits

import (
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
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	what := path
	switch {
	case st.IsDir():
		return nil, fmt.Errorf("%s is a directory, not a file", path)
	case st.Mode().IsRegular() && st.Size() > max:
		return nil, &TooLargeError{What: what, Limit: max, Flag: flag}
	}
	return ReadAll(f, max, what, flag)
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
