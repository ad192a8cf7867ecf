package finding

import (
	"fmt"
	"strconv"
)

// PerRule is how many findings of one rule a Limit keeps by default: enough
// to show the pattern, few enough that a file with a million faults costs
// the memory and output of a hundred.
const PerRule = 100

// Limit keeps, of each rule, the findings that come first in the file and
// counts the rest. Which ones are kept does not depend on the order they
// are added in, so output stays deterministic. One Limit serves one file;
// the zero value keeps PerRule of each rule.
type Limit struct {
	Max   int // 0 means PerRule
	rules map[string]*kept
}

// kept is one rule's findings: a max-heap by Compare, so the last of them
// is the one a better finding replaces.
type kept struct {
	heap    []Finding
	dropped int
	first   Finding // the first dropped, by Compare: where the note points
}

// Add keeps f or counts it.
func (l *Limit) Add(f Finding) {
	limit := l.Max
	if limit <= 0 {
		limit = PerRule
	}
	k := l.rules[f.Rule]
	if k == nil {
		if l.rules == nil {
			l.rules = map[string]*kept{}
		}
		k = &kept{}
		l.rules[f.Rule] = k
	}
	if len(k.heap) < limit {
		k.heap = append(k.heap, f)
		k.up(len(k.heap) - 1)
		return
	}
	drop := f
	if Compare(f, k.heap[0]) < 0 {
		drop, k.heap[0] = k.heap[0], f
		k.down(0)
	}
	if k.dropped == 0 || Compare(drop, k.first) < 0 {
		k.first = drop
	}
	k.dropped++
}

func (k *kept) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if Compare(k.heap[i], k.heap[parent]) <= 0 {
			return
		}
		k.heap[i], k.heap[parent] = k.heap[parent], k.heap[i]
		i = parent
	}
}

func (k *kept) down(i int) {
	for {
		largest := i
		for _, c := range []int{2*i + 1, 2*i + 2} {
			if c < len(k.heap) && Compare(k.heap[c], k.heap[largest]) > 0 {
				largest = c
			}
		}
		if largest == i {
			return
		}
		k.heap[i], k.heap[largest] = k.heap[largest], k.heap[i]
		i = largest
	}
}

// Close appends the findings kept and, for each rule that had more, one
// finding that says how many more, placed on the first left out; fs and
// what is appended come back sorted.
func (l *Limit) Close(fs []Finding) []Finding {
	for _, k := range l.rules {
		fs = append(fs, k.heap...)
		if k.dropped > 0 {
			f := k.first
			f.Related, f.Also = nil, nil
			f.Message = fmt.Sprintf("… and %s more [%s] findings in this file from here on (only the first %d of a rule are listed); fix the ones above, then run again",
				Thousands(k.dropped), f.Rule, len(k.heap))
			fs = append(fs, f)
		}
	}
	l.rules = nil
	Sort(fs)
	return fs
}

// thousands writes n with commas between groups of three digits: 799,900.
// Thousands writes n with commas between groups of three digits.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
