// Package suggest finds the names nearest to a mistyped one, for "did you
// mean" hints: commands and flags of the command line, spec keys, IAM
// actions. Distances are optimal-string-alignment Damerau-Levenshtein
// distances over runes: an insertion, a deletion, a substitution or a swap
// of two neighbouring characters each cost 1, so "fucntion" is 1 away from
// "function", as a person counts typing slips.
package suggest

import "slices"

// Distance returns the edit distance of a and b, or max+1 as soon as it is
// known to be larger than max (a bound keeps a search over many candidates
// cheap). max < 0 means no bound.
func Distance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if max < 0 {
		max = len(ra) + len(rb)
	}
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	// Three rows: the swap of two neighbours looks two rows back.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
			rowMin = min(rowMin, d)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[len(rb)] > max {
		return max + 1
	}
	return prev[len(rb)]
}

// Threshold is the largest distance at which a candidate still reads as a
// slip for a word of n runes: none below 3 runes (every short name is close
// to every other), 1 up to 5, 2 up to 11, 3 from 12 on.
func Threshold(n int) int {
	switch {
	case n < 3:
		return 0
	case n <= 5:
		return 1
	case n <= 11:
		return 2
	default:
		return 3
	}
}

// Closest returns the candidates nearest to word, all at the smallest
// distance found if it is at most max; nil when none is that close or word
// is itself a candidate. key, when not nil, maps word and each candidate to
// the form compared (lower case, say), so a candidate that differs from
// word only in what key drops is at distance 0 and is the one suggested.
// The candidates are returned as given, in their order, without duplicates.
func Closest(word string, candidates []string, max int, key func(string) string) []string {
	if key == nil {
		key = func(s string) string { return s }
	}
	w := key(word)
	best := max + 1
	var out []string
	for _, c := range candidates {
		if c == word {
			return nil
		}
	}
	for _, c := range candidates {
		d := Distance(w, key(c), min(best, max))
		switch {
		case d < best:
			best, out = d, append(out[:0], c)
		case d == best && d <= max && !slices.Contains(out, c):
			out = append(out, c)
		}
	}
	if best > max {
		return nil
	}
	return out
}
