package finding

import (
	"fmt"
	"strconv"
)

// PerRule is how many findings of one rule a Limit keeps by default: enough
// to show the pattern, few enough that a file with a million faults costs
// the memory and output of a hundred.
const PerRule = 100

// Limit keeps the first findings of each rule and counts the rest. One
// Limit serves one file; the zero value keeps PerRule of each rule.
type Limit struct {
	Max  int // 0 means PerRule
	kept map[string]int
	over map[string]*overflow
	// order lists the rules that went over, as they did, so Close is
	// deterministic.
	order []string
}

type overflow struct {
	first Finding // where the note points
	more  int
}

// Add appends f to fs, or counts it when its rule already has Max findings.
func (l *Limit) Add(fs []Finding, f Finding) []Finding {
	limit := l.Max
	if limit <= 0 {
		limit = PerRule
	}
	if l.kept[f.Rule] < limit {
		if l.kept == nil {
			l.kept = map[string]int{}
		}
		l.kept[f.Rule]++
		return append(fs, f)
	}
	o := l.over[f.Rule]
	if o == nil {
		if l.over == nil {
			l.over = map[string]*overflow{}
		}
		o = &overflow{first: f}
		l.over[f.Rule] = o
		l.order = append(l.order, f.Rule)
	}
	o.more++
	return fs
}

// Close appends, for each rule that went over, one finding that says how
// many more there were, placed on the first one left out.
func (l *Limit) Close(fs []Finding) []Finding {
	for _, rule := range l.order {
		o := l.over[rule]
		f := o.first
		f.Related = nil
		f.Message = fmt.Sprintf("… and %s more [%s] findings in this file, the first of them here (only the first %d of a rule are listed); fix the ones above, then run again",
			thousands(o.more), rule, l.kept[rule])
		fs = append(fs, f)
	}
	return fs
}

// thousands writes n with commas between groups of three digits: 799,900.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
