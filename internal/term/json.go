package term

import (
	"fmt"
	"io"
	"unicode/utf8"
)

// JSON returns the JSON text b with every character a terminal could act
// on, and that encoding/json leaves raw, written as a \u escape: DEL, the C1
// controls (U+0080 to U+009F: CSI, OSC...) and the bidirectional marks and
// overrides; a byte that is not UTF-8, which JSON text cannot hold, is
// written \ufffd, as encoding/json writes it. encoding/json already
// escapes the C0 controls (ESC, BEL...) and U+2028, U+2029; the result
// decodes to the same values. In valid JSON these characters can only
// stand inside strings, where the escape means the same character. b is
// returned as it is when it holds none.
func JSON(b []byte) []byte {
	i := firstJSONUnsafe(b)
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	out = append(out, b[:i]...)
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if jsonUnsafe(r, size) {
			out = fmt.Appendf(out, `\u%04x`, r) // utf8.RuneError for a bad byte
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

func jsonUnsafe(r rune, size int) bool {
	if r == utf8.RuneError && size <= 1 {
		return true
	}
	return r == 0x7f || r >= 0x80 && unsafeRune(r, true)
}

func firstJSONUnsafe(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			if b[i] == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if jsonUnsafe(r, size) {
			return i
		}
		i += size
	}
	return -1
}

// WriteJSON writes the JSON text b to w through JSON.
func WriteJSON(w io.Writer, b []byte) error {
	_, err := w.Write(JSON(b))
	return err
}

// JSONWriter writes JSON text to W through JSON, however the text is cut
// into writes: a character cut in two by a write is held until the next
// one. Flush writes what is held (only a stream that ends inside a
// character, which no valid JSON does, leaves anything to flush).
type JSONWriter struct {
	W       io.Writer
	pending []byte
}

// Write writes p through JSON; it reports len(p) written when it succeeds.
func (j *JSONWriter) Write(p []byte) (int, error) {
	b := p
	if len(j.pending) > 0 {
		b = append(j.pending, p...)
		j.pending = nil
	}
	// Hold a character the write cut in two.
	if cut := incompleteTail(b); cut > 0 {
		j.pending = append([]byte(nil), b[len(b)-cut:]...)
		b = b[:len(b)-cut]
	}
	if _, err := j.W.Write(JSON(b)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes the bytes held back, as they are.
func (j *JSONWriter) Flush() error {
	if len(j.pending) == 0 {
		return nil
	}
	_, err := j.W.Write(j.pending)
	j.pending = nil
	return err
}

// incompleteTail is the length of a UTF-8 sequence begun but not ended at
// the end of b (0 when b ends on a character boundary).
func incompleteTail(b []byte) int {
	for n := 1; n <= utf8.UTFMax-1 && n <= len(b); n++ {
		c := b[len(b)-n]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-n:]) {
				return n
			}
			return 0
		}
	}
	return 0
}
