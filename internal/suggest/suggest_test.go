package suggest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestSuggest(t *testing.T) {
	tests := []struct {
		s          string
		candidates []string
		want       string
	}{
		{"primarykey", []string{"name", "primaryKey", "source"}, "primaryKey"},
		{"sourc", []string{"name", "source"}, "source"},
		{"tablename", []string{"tableName", "type"}, "tableName"},
		{"descripton", []string{"description", "destination"}, "description"},
		{"xyz", []string{"name", "source"}, ""},
		{"name", []string{"name"}, ""}, // the same key is not a suggestion
		{"ab", []string{"ba", "ab2"}, "ab2"},
		{"", []string{"a"}, "a"},
	}
	for _, tt := range tests {
		if got := Closest(tt.s, tt.candidates); got != tt.want {
			t.Errorf("Closest(%q, %q) = %q, want %q", tt.s, tt.candidates, got, tt.want)
		}
	}
	if got := Nearest("user", []string{"users", "usr", "user-2", "customers"}, 2, 3); !reflect.DeepEqual(got, []string{"users", "usr"}) {
		t.Errorf("Nearest = %q; want the two nearest, ties by name", got)
	}
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"café", "cafe", 1}, {"☕", "☕", 0}} {
		q := newQuery(tt.a, 10)
		q.b = []rune(tt.b)
		if got := q.distance(); got != tt.d {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
	}
}

// TestNearestLongValue: a 1 MB model value against 10,000 slugs must not
// run the quadratic distance 10,000 times (about 2*10^11 steps): the length
// bound rules every slug out first. Broken, this test runs for minutes.
func TestNearestLongValue(t *testing.T) {
	slugs := make([]string, 10_000)
	for i := range slugs {
		slugs[i] = fmt.Sprintf("model-%d", i)
	}
	long := strings.Repeat("m", 1<<20)
	if got := Nearest(long, slugs, 3, len(long)/2); len(got) != 0 {
		t.Errorf("Nearest = %q", got)
	}
}

// TestSuggester: with budget to spare, the index and a full comparison
// give what nearest gives; without, a slug one edit away is still found,
// and 10,000 misspelt values against 10,000 slugs cost a bounded number of
// distances (a full comparison each would be 10^8).
func TestSuggester(t *testing.T) {
	slugs := make([]string, 10_000)
	for i := range slugs {
		slugs[i] = fmt.Sprintf("model-%d", i)
	}
	slices.Sort(slugs)
	for _, v := range []string{"model-12", "modle-12", "Model-77", "model-777x", "mdel-5", "model_5", "orders", "model-1234567", strings.Repeat("m", 1<<16)} {
		budget := Scans
		got := New(slugs, &budget).Near(v)
		if want := Nearest(v, slugs, Count, max(3, len(v)/2)); !slices.Equal(got, want) {
			t.Errorf("near(%q) = %q, nearest gives %q", v, got, want)
		}
	}
	budget := 0
	s := New(slugs, &budget)
	for v, want := range map[string]string{"model-12": "model-1", "modle-12": "model-12", "Model-77": "model-77", "model-777x": "model-777", "mdel-5": "model-5"} {
		if got := s.Near(v); len(got) == 0 || got[0] != want {
			t.Errorf("without budget, near(%q) = %q; want %q first", v, got, want)
		}
	}
	budget = Scans
	s = New(slugs, &budget)
	for i := range 10_000 {
		if got := s.Near(fmt.Sprintf("modle-%d", i)); len(got) == 0 || got[0] != fmt.Sprintf("model-%d", i) {
			t.Fatalf("near(modle-%d) = %q", i, got)
		}
	}
	if limit := Scans + 10_000*100; s.compared > limit {
		t.Errorf("10,000 values computed %d distances; want at most %d", s.compared, limit)
	}
}
