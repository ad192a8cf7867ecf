package finding

import (
	"fmt"
	"testing"
)

// TestLimit: past Max findings of a rule, one note says how many more there
// were and points at the first left out; other rules keep their own count.
func TestLimit(t *testing.T) {
	l := Limit{Max: 2}
	var fs []Finding
	for i := 1; i <= 1_002; i++ {
		fs = l.Add(fs, Finding{Path: "f", Start: Pos{Line: i, Col: 1}, Rule: "a", Message: fmt.Sprint(i), Related: []string{"r"}})
	}
	fs = l.Add(fs, Finding{Rule: "b"})
	fs = l.Close(fs)
	if len(fs) != 4 {
		t.Fatalf("got %d findings %v; want 2 of a, 1 of b and a note", len(fs), fs)
	}
	note := fs[3]
	want := "… and 1,000 more [a] findings in this file, the first of them here (only the first 2 of a rule are listed); fix the ones above, then run again"
	if note.Rule != "a" || note.Start.Line != 3 || note.Message != want || note.Related != nil {
		t.Errorf("note = %+v; want rule a at line 3: %q", note, want)
	}
	var zero Limit
	for range PerRule + 1 {
		fs = zero.Add(nil, Finding{Rule: "c"})
	}
	if len(fs) != 0 || len(zero.Close(nil)) != 1 {
		t.Errorf("the zero Limit keeps %d of a rule, want %d", PerRule, PerRule)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 799900: "799,900", 1234567: "1,234,567", -1000: "-1,000", -100: "-100"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
