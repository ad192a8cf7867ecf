package check

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// closest returns the candidate nearest to s by edit distance (ignoring
// case first: `primarykey` is `primaryKey`), or "" when none is near enough to
// be a likely typo.
func closest(s string, candidates []string) string {
	best := nearest(s, candidates, 1, max(2, len(s)/3))
	if len(best) == 0 {
		return ""
	}
	return best[0]
}

// nearest returns up to n candidates within limit edits of s, nearest first.
func nearest(s string, candidates []string, n, limit int) []string {
	type scored struct {
		c string
		d int
	}
	var found []scored
	lower, runes := strings.ToLower(s), utf8.RuneCountInString(s)
	for _, c := range candidates {
		// The lengths alone bound the distance from below: skip the
		// quadratic comparison when they already differ by too much.
		if c == s || abs(utf8.RuneCountInString(c)-runes) > limit {
			continue
		}
		// Case-blind, so a candidate that differs only in case scores 0.
		if d := distance(lower, strings.ToLower(c)); d <= limit {
			found = append(found, scored{c, d})
		}
	}
	slices.SortStableFunc(found, func(a, b scored) int {
		if a.d != b.d {
			return a.d - b.d
		}
		return strings.Compare(a.c, b.c)
	})
	out := make([]string, 0, min(n, len(found)))
	for _, f := range found[:min(n, len(found))] {
		out = append(out, f.c)
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
