package suggest

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"function", "function", 0},
		{"functon", "function", 1},   // deletion
		{"funcction", "function", 1}, // insertion
		{"funktion", "function", 1},  // substitution
		{"fucntion", "function", 1},  // swap of neighbours
		{"diagnos", "diagnose", 1},
		{"snapshto", "snapshot", 1},
		{"ab", "ba", 1},
		{"ca", "abc", 3}, // optimal string alignment: no edit of a swapped pair
		{"kitten", "sitting", 3},
		{"héllo", "hello", 1}, // runes, not bytes
		{"check", "simulate", 8},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := Distance(tt.a, tt.b, -1); got != tt.want {
				t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := Distance(tt.b, tt.a, -1); got != tt.want {
				t.Errorf("Distance(%q, %q) = %d, want %d (not symmetric)", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

// reference is the optimal string alignment distance straight from its
// recursive definition, memoized: slow, and written apart from Distance.
func reference(a, b []rune) int {
	memo := map[[2]int]int{}
	var d func(i, j int) int
	d = func(i, j int) int {
		if i == 0 {
			return j
		}
		if j == 0 {
			return i
		}
		k := [2]int{i, j}
		if v, ok := memo[k]; ok {
			return v
		}
		cost := 1
		if a[i-1] == b[j-1] {
			cost = 0
		}
		v := min(d(i-1, j)+1, d(i, j-1)+1, d(i-1, j-1)+cost)
		if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
			v = min(v, d(i-2, j-2)+1)
		}
		memo[k] = v
		return v
	}
	return d(len(a), len(b))
}

// TestDistanceAgreesWithReference: on random strings over a small alphabet
// (so swaps and repeats are frequent), Distance equals the reference, and
// the bounded form is min(distance, max+1).
func TestDistanceAgreesWithReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		n := r.IntN(9)
		var b strings.Builder
		for range n {
			b.WriteByte("abcé"[r.IntN(3)])
		}
		if r.IntN(4) == 0 {
			b.WriteString("é")
		}
		return b.String()
	}
	for range 3000 {
		a, b := word(), word()
		want := reference([]rune(a), []rune(b))
		if got := Distance(a, b, -1); got != want {
			t.Fatalf("Distance(%q, %q) = %d, want %d", a, b, got, want)
		}
		for max := range 5 {
			if got := Distance(a, b, max); got != min(want, max+1) {
				t.Fatalf("Distance(%q, %q, %d) = %d, want %d", a, b, max, got, min(want, max+1))
			}
		}
	}
}

func TestThreshold(t *testing.T) {
	for _, tt := range []struct{ n, want int }{{0, 0}, {2, 0}, {3, 1}, {5, 1}, {6, 2}, {11, 2}, {12, 3}, {40, 3}} {
		if got := Threshold(tt.n); got != tt.want {
			t.Errorf("Threshold(%d) = %d, want %d", tt.n, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	commands := []string{"diagnose", "simulate", "check", "snapshot", "completion", "version", "help"}
	lower := strings.ToLower
	norm := func(s string) string { return strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(s)) }
	tests := []struct {
		name       string
		word       string
		candidates []string
		max        int
		key        func(string) string
		want       []string
	}{
		{"one slip", "diagnos", commands, 2, nil, []string{"diagnose"}},
		{"swap", "chekc", commands, 1, nil, []string{"check"}},
		{"exact is no suggestion", "check", commands, 2, nil, nil},
		{"too far", "deploy", commands, 2, nil, nil},
		{"max 0 suggests nothing unequal", "chek", commands, 0, nil, nil},
		{"ties all returned in order", "flag-b", []string{"flag-c", "flag-a", "flag-b2"}, 1, nil, []string{"flag-c", "flag-a", "flag-b2"}},
		{"nearest wins over a tie further off", "outptu", []string{"output", "outputs"}, 2, nil, []string{"output"}},
		{"duplicates once", "simulat", []string{"simulate", "simulate"}, 2, nil, []string{"simulate"}},
		{"case folded", "Diagnose", commands, 2, lower, []string{"diagnose"}},
		{"normalized spec key", "sourceArn", []string{"source_arn", "source_account"}, 2, norm, []string{"source_arn"}},
		{"empty candidates", "x", nil, 2, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Closest(tt.word, tt.candidates, tt.max, tt.key)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Closest(%q) = %q, want %q", tt.word, got, tt.want)
			}
		})
	}
}

func BenchmarkClosest(b *testing.B) {
	var actions []string
	for i := range 400 {
		actions = append(actions, "DescribeSomething"+strings.Repeat("x", i%7)+string(rune('A'+i%26)))
	}
	for b.Loop() {
		Closest("DescribeSomethingg", actions, 3, strings.ToLower)
	}
}
