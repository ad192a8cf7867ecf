// Package suggest finds the names nearest to a misspelt one (edit distance,
// ignoring case), so a finding can say what was probably meant: a slug, a
// key, a dbt model id.
package suggest

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Closest returns the candidate nearest to s by edit distance (ignoring
// case first: `primarykey` is `primaryKey`), or "" when none is near enough to
// be a likely typo.
func Closest(s string, candidates []string) string {
	best := Nearest(s, candidates, 1, max(2, len(s)/3))
	if len(best) == 0 {
		return ""
	}
	return best[0]
}

// scored is a candidate and its distance to the value looked up.
type scored struct {
	c string
	d int
}

// Nearest returns up to n candidates within limit edits of s, nearest first.
// It compares s with every candidate: for many values against many
// candidates, a suggester is cheaper.
func Nearest(s string, candidates []string, n, limit int) []string {
	q := newQuery(s, limit)
	var found []scored
	for _, c := range candidates {
		if d, ok := q.score(c, strings.ToLower(c)); ok {
			found = append(found, scored{c, d})
		}
	}
	return best(found, n)
}

// query is one value compared with many candidates, with the buffers the
// comparisons reuse.
type query struct {
	value     string
	runes     []rune // lowercased
	limit     int
	b         []rune
	prev, cur []int
}

func newQuery(value string, limit int) *query {
	return &query{value: value, runes: []rune(strings.ToLower(value)), limit: limit}
}

// score returns the distance to candidate c (lowercased: lower) when it is
// within the limit and c is not the value itself.
func (q *query) score(c, lower string) (int, bool) {
	// The lengths alone bound the distance from below: skip the quadratic
	// comparison when they already differ by too much.
	if c == q.value || abs(utf8.RuneCountInString(lower)-len(q.runes)) > q.limit {
		return 0, false
	}
	q.b = append(q.b[:0], []rune(lower)...)
	if d := q.distance(); d <= q.limit {
		return d, true
	}
	return 0, false
}

// best returns the n nearest of found, ties by name.
func best(found []scored, n int) []string {
	slices.SortFunc(found, func(a, b scored) int {
		if a.d != b.d {
			return a.d - b.d
		}
		return strings.Compare(a.c, b.c)
	})
	found = slices.CompactFunc(found, func(a, b scored) bool { return a.c == b.c })
	out := make([]string, 0, min(n, len(found)))
	for _, f := range found[:min(n, len(found))] {
		out = append(out, f.c)
	}
	return out
}

// Suggester finds the slugs nearest to each of many misspelt values. A
// comparison with every slug costs len(slugs) distances a value, minutes
// for 10,000 broken references against 10,000 slugs; so it first looks the
// value up in an index of the slugs with one character deleted, which finds
// every slug one edit away (and many two away) at the cost of a few map
// lookups, and compares with every slug only while a budget shared by the
// run lasts.
type Suggester struct {
	slugs   []string         // sorted
	lower   []string         // slugs lowercased: suggestions ignore case
	deletes map[string][]int // a lowercased slug with at most one rune deleted -> slugs; built on first use
	budget  *int             // full comparisons left to the run
	cache   map[string][]string
	maxLen  int // the longest slug, in runes
	// compared counts distances computed, which tests bound.
	compared int
}

// Scans is how many value-slug distances a run may compute beyond
// the index, about a third of a second: every value gets full suggestions
// in a workspace of ordinary size, and a hostile one is not slowed down.
const Scans = 1_000_000

// Count is how many names a finding suggests.
const Count = 3

// IndexAbove is the number of slugs under which comparing with each is
// cheaper than building the index.
const IndexAbove = 64

// New returns a Suggester over slugs (sorted); budget is the full comparisons
// left to the run, shared by every Suggester of it.
func New(slugs []string, budget *int) *Suggester {
	s := &Suggester{slugs: slugs, lower: make([]string, len(slugs)), budget: budget, cache: map[string][]string{}}
	for i, slug := range slugs {
		s.lower[i] = strings.ToLower(slug)
		s.maxLen = max(s.maxLen, utf8.RuneCountInString(slug))
	}
	return s
}

// Near returns the slugs nearest to value, computed once per value.
func (s *Suggester) Near(value string) []string {
	if got, ok := s.cache[value]; ok {
		return got
	}
	limit := max(3, len(value)/2)
	var got []string
	switch {
	case len(s.slugs) <= IndexAbove:
		got = Nearest(value, s.slugs, Count, limit)
	default:
		found := s.indexed(value, limit)
		exact := 0 // found within one edit, which the index finds all of
		for _, f := range found {
			if f.d <= 1 {
				exact++
			}
		}
		if exact < Count && *s.budget >= len(s.slugs) {
			*s.budget -= len(s.slugs)
			q := newQuery(value, limit)
			s.compared += len(s.slugs)
			for i, slug := range s.slugs {
				if d, ok := q.score(slug, s.lower[i]); ok {
					found = append(found, scored{slug, d})
				}
			}
			got = best(found, Count)
		} else {
			got = best(found, Count)
		}
	}
	s.cache[value] = got
	return got
}

// indexed returns the slugs that share a one-deletion variant with value,
// with their distances.
func (s *Suggester) indexed(value string, limit int) []scored {
	lower := strings.ToLower(value)
	// A slug sharing a variant differs in length by one at most: a longer
	// value cannot match, and its variants would cost its length squared.
	if utf8.RuneCountInString(lower) > s.maxLen+1 {
		return nil
	}
	if s.deletes == nil {
		s.deletes = map[string][]int{}
		for i, l := range s.lower {
			for _, v := range variants(l) {
				if list := s.deletes[v]; len(list) == 0 || list[len(list)-1] != i {
					s.deletes[v] = append(list, i)
				}
			}
		}
	}
	q := newQuery(value, limit)
	var found []scored
	for _, v := range variants(lower) {
		s.compared += len(s.deletes[v])
		for _, i := range s.deletes[v] {
			if d, ok := q.score(s.slugs[i], s.lower[i]); ok {
				found = append(found, scored{s.slugs[i], d})
			}
		}
	}
	return found
}

// variants returns s and s with each one rune deleted.
func variants(s string) []string {
	out := make([]string, 0, len(s)+1)
	out = append(out, s)
	for i, r := range s {
		out = append(out, s[:i]+s[i+utf8.RuneLen(r):])
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// distance is the Levenshtein distance between the value and q.b, or a
// number over the limit as soon as every path exceeds it, so a value far
// from every candidate costs little.
func (q *query) distance() int {
	a, b := q.runes, q.b
	q.prev = slices.Grow(q.prev[:0], len(b)+1)[:len(b)+1]
	q.cur = slices.Grow(q.cur[:0], len(b)+1)[:len(b)+1]
	prev, cur := q.prev, q.cur
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > q.limit {
			return q.limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Slugs are the names s suggests from, sorted.
func (s *Suggester) Slugs() []string { return s.slugs }
