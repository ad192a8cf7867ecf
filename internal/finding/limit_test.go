package finding

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestLimit: past Max findings of a rule, one note says how many more there
// were and points at the first left out; other rules keep their own count.
// Which are kept does not depend on the order findings come in.
func TestLimit(t *testing.T) {
	const n = 1_002
	for name, line := range map[string]func(i int) int{
		"in file order": func(i int) int { return i + 1 },
		"backwards":     func(i int) int { return n - i },
		"shuffled":      func(i int) int { return (i*389)%n + 1 }, // 389 is prime to 1,002
	} {
		t.Run(name, func(t *testing.T) {
			l := Limit{Max: 2}
			for i := range n {
				l.Add(Finding{Path: "f", Start: Pos{Line: line(i), Col: 1}, Rule: "a", Message: fmt.Sprint(line(i)), Related: []string{"r"}})
			}
			l.Add(Finding{Path: "f", Rule: "b"})
			fs := l.Close([]Finding{{Path: "e"}})
			var got []string
			for _, f := range fs {
				got = append(got, fmt.Sprintf("%s %s %d %s", f.Path, f.Rule, f.Start.Line, f.Message))
			}
			want := []string{"e  0 ", "f b 0 ", "f a 1 1", "f a 2 2",
				"f a 3 … and 1,000 more [a] findings in this file from here on (only the first 2 of a rule are listed); fix the ones above, then run again"}
			if !slices.Equal(got, want) {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if fs[4].Related != nil {
				t.Errorf("the note relates to %v", fs[4].Related)
			}
		})
	}
	var zero Limit
	for range PerRule + 1 {
		zero.Add(Finding{Rule: "c"})
	}
	if fs := zero.Close(nil); len(fs) != PerRule+1 {
		t.Errorf("the zero Limit gave %d findings, want %d and a note", len(fs), PerRule)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 799900: "799,900", 1234567: "1,234,567", -1000: "-1,000", -100: "-100"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
