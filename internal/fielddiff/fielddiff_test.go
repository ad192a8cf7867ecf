package fielddiff

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	old := map[string]any{
		"mode": "upsert",
		"mappings": []any{
			map[string]any{"from": "id", "to": "id"},
			map[string]any{"from": "name", "to": "Name"},
			map[string]any{"from": "EMAIL", "to": "email"},
		},
		"gone":       true,
		"odd key":    1,
		"interval":   map[string]any{"quantity": int64(24), "unit": "hour"},
		"same":       json.Number("3"),
		"listLength": []any{"a"},
	}
	new := map[string]any{
		"mode": "upsert",
		"mappings": []any{
			map[string]any{"from": "id", "to": "id"},
			map[string]any{"from": "name", "to": "Name"},
			map[string]any{"from": "EMAIL_ADDRESS", "to": "email"},
		},
		"odd key":    2,
		"interval":   map[string]any{"quantity": 12.0, "unit": "hour"},
		"same":       3.0,
		"listLength": []any{"a", "<b>"},
		"added":      "x",
	}
	got := Lines(Compare("config", old, new))
	want := []string{
		`config.added: (absent) → "x"`,
		`config.gone: true → (absent)`,
		`config.interval.quantity: 24 → 12`,
		`config.listLength[1]: (absent) → "<b>"`,
		`config.mappings[2].from: "EMAIL" → "EMAIL_ADDRESS"`,
		`config."odd key": 1 → 2`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c := Compare("", map[string]any{"a": int64(1)}, map[string]any{"a": 1.0}); len(c) != 0 {
		t.Errorf("equal numbers of other types differ: %v", c)
	}
	if c := Compare("x", "a", []any{"a"}); len(c) != 1 || c[0].String() != `x: "a" → ["a"]` {
		t.Errorf("type change: %v", c)
	}
}

func TestLongText(t *testing.T) {
	old := "select id,\n  email\nfrom users\nwhere active"
	new := "select id,\n  email_address\nfrom users\nwhere active\n"
	c := Compare("query", old, new)
	if len(c) != 1 || !c[0].Long() {
		t.Fatalf("want one long change, got %v", c)
	}
	if got := c[0].String(); got != "query: text changed (+1 -1 lines)" {
		t.Errorf("String = %q", got)
	}
	text := c[0].Text(Labels{"Hightouch", "file"})
	for _, want := range []string{"--- Hightouch", "+++ file", "-  email\n", "+  email_address\n", " from users"} {
		if !strings.Contains(text, want) {
			t.Errorf("Text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "where active\n+where") {
		t.Errorf("a missing final newline shows as a change:\n%s", text)
	}
	short := Change{Path: "name", Old: "a", New: "b"}
	if short.Text(Labels{"x", "y"}) != `name: "a" → "b"` {
		t.Errorf("short Text = %q", short.Text(Labels{"x", "y"}))
	}
}
