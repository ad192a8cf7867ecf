package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    Input
		color bool
	}{
		{"text", fixture(), false},
		{"text_color", fixture(), true},
		{"text_clean", clean0(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Text(&b, tc.in, tc.color); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if !tc.color && strings.Contains(out, "\x1b") {
				t.Error("escape sequence without color")
			}
			if got, want := strings.Count(out, "\n"), len(tc.in.Findings)+1; got != want {
				t.Errorf("%d lines, want one per finding and the counts (%d)", got, want)
			}
			golden(t, tc.name, b.Bytes())
		})
	}
}
