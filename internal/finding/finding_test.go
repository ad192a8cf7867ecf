package finding

import (
	"slices"
	"testing"
)

// Output must not depend on which goroutine finished first: Sort is total
// over path, position, severity, rule and message.
func TestSortIsDeterministic(t *testing.T) {
	want := []Finding{
		{Path: "/a.yaml", Start: Pos{Line: 1, Col: 1}, Severity: Error, Rule: "b", Message: "x"},
		{Path: "/a.yaml", Start: Pos{Line: 1, Col: 1}, Severity: Warning, Rule: "a", Message: "x"},
		{Path: "/a.yaml", Start: Pos{Line: 1, Col: 9}, Severity: Error, Rule: "a", Message: "x"},
		{Path: "/a.yaml", Start: Pos{Line: 2, Col: 1}, Severity: Error, Rule: "a", Message: "a"},
		{Path: "/a.yaml", Start: Pos{Line: 2, Col: 1}, Severity: Error, Rule: "a", Message: "b"},
		{Path: "/b.yaml", Start: Pos{Line: 1, Col: 1}, Severity: Error, Rule: "a", Message: "x"},
	}
	for i := range 20 {
		got := slices.Clone(want)
		// A different order each time: rotate and reverse.
		got = append(got[i%len(got):], got[:i%len(got)]...)
		if i%2 == 1 {
			slices.Reverse(got)
		}
		Sort(got)
		if !slices.EqualFunc(got, want, func(a, b Finding) bool { return Compare(a, b) == 0 }) {
			t.Fatalf("order %d sorted to %v", i, got)
		}
	}
}

func TestCount(t *testing.T) {
	c := Count([]Finding{{Severity: Error}, {Severity: Warning}, {Severity: Warning}})
	if c != (Counts{Errors: 1, Warnings: 2}) {
		t.Errorf("Count = %+v", c)
	}
	if Error.String() != "error" || Warning.String() != "warning" {
		t.Errorf("severity names %q %q", Error, Warning)
	}
}

func TestPosBefore(t *testing.T) {
	for _, tc := range []struct {
		p, q Pos
		want bool
	}{
		{Pos{1, 5}, Pos{2, 1}, true},
		{Pos{2, 1}, Pos{2, 3}, true},
		{Pos{2, 3}, Pos{2, 3}, false},
		{Pos{3, 1}, Pos{2, 9}, false},
	} {
		if got := tc.p.Before(tc.q); got != tc.want {
			t.Errorf("%v.Before(%v) = %v", tc.p, tc.q, got)
		}
	}
}
