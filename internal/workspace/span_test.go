package workspace

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
)

func fmtSpan(start, end finding.Pos) string {
	return fmt.Sprintf("%d:%d-%d:%d", start.Line, start.Col, end.Line, end.Col)
}

// parseOK parses src as a model file and fails the test on any finding but
// a tag's warning (spans of tagged values are tested too).
func parseOK(t *testing.T, src string) *Document {
	t.Helper()
	doc, fs := Parse(File{Path: "/ws/models/m.yaml", Rel: "models/m.yaml", Kind: Model, Slug: "m"}, []byte(src))
	fs = slices.DeleteFunc(fs, func(f finding.Finding) bool { return f.Rule == rules.YAMLTag.ID })
	if len(fs) > 0 || doc.Root == nil {
		t.Fatalf("Parse(%q) = %v; want a clean mapping", src, fs)
	}
	return doc
}

// TestSpan pins where every kind of value ends: a finding underlines exactly
// the offending text, and editors and GitHub annotations use the end.
func TestSpan(t *testing.T) {
	tests := []struct {
		name string
		src  string
		path string // dot-separated keys and indexes, as At takes them
		key  bool   // span of the key node instead of the value
		want string
	}{
		{"plain", "a: hello\n", "a", false, "1:4-1:9"},
		{"plain before comment", "a: hello world # note\n", "a", false, "1:4-1:15"},
		{"plain key", "primaryKey: id\n", "primaryKey", true, "1:1-1:11"},
		{"plain folded over lines", "a: one\n  two\n\n  three # c\nb: 1\n", "a", false, "1:4-4:8"},
		{"plain number", "a: 1_000 # n\n", "a", false, "1:4-1:9"},
		{"double-quoted", `a: "x \" y"` + "\n", "a", false, "1:4-1:12"},
		{"double-quoted over lines", "a: \"one\n  two\\\n  three\"\nb: 1\n", "a", false, "1:4-3:9"},
		{"single-quoted with doubled quote", "a: 'it''s'\n", "a", false, "1:4-1:11"},
		{"literal block", "a: |\n  l1\n    l2\n\nb: 1\n", "a", false, "1:4-3:7"},
		{"folded block keeping blank lines", "a: >-\n  l1\n\n  l2\n\n\n", "a", false, "1:4-4:5"},
		{"block in a sequence of mappings", "s:\n  - a: |\n      text\n    b: 1\n", "s.0.a", false, "2:8-3:11"},
		{"empty block", "a: |\nb: 1\n", "a", false, "1:4-1:5"},
		{"flow mapping", "a: {x: 1, y: [1, 2]} # c\n", "a", false, "1:4-1:21"},
		{"flow sequence over lines", "a: [1,\n  2\n  ]\n", "a", false, "1:4-3:4"},
		{"empty flow mapping", "a: {}\n", "a", false, "1:4-1:6"},
		{"block mapping", "a:\n  x: 1\n  y: two\n", "a", false, "2:3-3:9"},
		{"block sequence", "a:\n  - 1\n  - [2, 3]\n", "a", false, "2:3-3:11"},
		{"alias", "a: &x foo\nb: *x\n", "b", false, "2:4-2:6"},
		{"alias in flow", "a: &x foo\nb: [*x, 2]\n", "b.0", false, "2:5-2:7"},
		{"anchored scalar", "a: &x foo # c\n", "a", false, "1:4-1:10"},
		{"tagged scalar", "a: !!str 12\n", "a", false, "1:4-1:12"},
		{"tagged scalar on next line", "a: !t\n  bar\n", "a", false, "1:4-2:6"},
		{"empty value", "a:\nb: 1\n", "a", true, "1:1-1:2"},
		{"CRLF", "a: 1\r\nb: hello\r\nc: \"q\r\n  r\"\r\n", "c", false, "3:4-4:5"},
		{"BOM", "\ufeffa: hello\n", "a", false, "1:4-1:9"},
		{"lone CR line breaks", "a: 1\rb: hello\r", "b", false, "2:4-2:9"},
		{"unicode columns count runes", "é: \"café ☕\"\nb: ü\n", "é", false, "1:4-1:12"},
		{"unicode plain", "ü: naïve ☕ x\n", "ü", false, "1:4-1:13"},
		{"characters outside the BMP are one column", "a: \"😀x\"\nb: 😀 y\n", "b", false, "2:4-2:7"},
		// YAML 1.2 reads NEL, LS and PS as text: one line, one column each.
		{"unicode line separator is text", "a: x\u2028y z\nb: yz\n", "a", false, "1:4-1:9"},
		{"no-break space inside a plain value", "a: [x\u00a0y\u2028z, 1]\n", "a.0", false, "1:5-1:10"},
		{"after a unicode paragraph separator", "a: \"x\u2029\"\nb: \u0085 yz\n", "b", false, "2:4-2:8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parseOK(t, tt.src)
			var path []string
			if tt.path != "" {
				path = strings.Split(tt.path, ".")
			}
			k, v := rawAt(doc.Root, path)
			n := v
			if tt.key {
				n = k
			}
			if n == nil {
				t.Fatalf("no node at %s", tt.path)
			}
			if got := fmtSpan(doc.Span(n)); got != tt.want {
				t.Errorf("Span = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestSpanNeverBeforeStart checks every node of a document full of odd
// shapes: no end may come before its start or past the file.
func TestSpanNeverBeforeStart(t *testing.T) {
	src := "x2: &x2 v\na: &x {k: [1, *x2]}\nb: !!str |\n  t\nc: [\n  {d: 'e'},\n  \"f\"]\n"
	doc := parseOK(t, src)
	var walk func(n *yamlNode)
	walk = func(n *yamlNode) {
		start, end := doc.Span(n)
		if end.Before(start) || end.Line > doc.nLines() {
			t.Errorf("node %q at %d:%d: span %s", n.Value, n.Line, n.Column, fmtSpan(start, end))
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(doc.Root)
}

type yamlNode = yaml.Node

// rawAt is At without following aliases, to reach an alias node itself.
func rawAt(n *yaml.Node, path []string) (key, value *yaml.Node) {
	value = n
	for _, step := range path {
		next := (*yaml.Node)(nil)
		for i := range value.Content {
			c := value.Content[i]
			if value.Kind == yaml.MappingNode && i%2 == 0 && c.Value == step {
				key, next = c, value.Content[i+1]
				break
			}
			if value.Kind == yaml.SequenceNode && fmt.Sprint(i) == step {
				key, next = nil, c
				break
			}
		}
		if next == nil {
			return nil, nil
		}
		value = next
	}
	return key, value
}

// TestSpanLinear: placing a finding on every value of a long line costs
// time linear in the line, whatever it holds. Converting each column by
// scanning the line from its start took minutes for these (issue 14);
// the bound is generous for a loaded machine and -race.
func TestSpanLinear(t *testing.T) {
	for name, tt := range map[string]struct {
		item string
		n    int
	}{"ASCII": {"1", 200_000}, "non-ASCII": {"é", 200_000}, "aliases": {"*a", 100_000}} {
		item, n := tt.item, tt.n
		t.Run(name, func(t *testing.T) {
			src := "x: &a 1\nmappings: [" + strings.TrimSuffix(strings.Repeat(item+", ", n), ", ") + "]\n"
			doc := parseOK(t, src)
			_, list := doc.Root.Content[2], doc.Root.Content[3]
			if len(list.Content) != n {
				t.Fatalf("%d items", len(list.Content))
			}
			start := time.Now()
			for i, v := range list.Content {
				s, e := doc.Span(v)
				if want := 12 + 3*i + i*(len([]rune(item))-1); s.Line != 2 || s.Col != want || e.Col != want+len([]rune(item)) {
					t.Fatalf("item %d spans %s, want 2:%d", i, fmtSpan(s, e), want)
				}
			}
			if d := time.Since(start); d > time.Minute {
				t.Errorf("%d spans took %v", n, d)
			}
		})
	}
}

// TestParseDeepNesting: nesting is bounded by yaml.v3 (a syntax error past
// 10,000 levels) and every walk htgit makes over the tree copes with the
// deepest tree that parses.
func TestParseDeepNesting(t *testing.T) {
	for name, tt := range map[string]struct {
		src  string
		rule string
	}{
		"flow lists 9,000 deep":     {"a: " + strings.Repeat("[", 9_000) + strings.Repeat("]", 9_000) + "\n", ""},
		"flow mappings 9,000 deep":  {"a: " + strings.Repeat("{a: ", 9_000) + "1" + strings.Repeat("}", 9_000) + "\n", ""},
		"tags 9,000 deep":           {"a: " + strings.Repeat("!t [", 9_000) + strings.Repeat("]", 9_000) + "\n", rules.YAMLTag.ID},
		"flow lists 100,000 deep":   {"a: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n", rules.YAMLSyntax.ID},
		"block mappings 2,000 deep": {nested(2_000), ""},
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			doc, fs := Parse(File{Path: "/ws/m.yaml", Kind: Model}, []byte(tt.src))
			for _, f := range fs {
				if f.Rule != tt.rule {
					t.Errorf("finding %v, want only %q", f, tt.rule)
				}
			}
			if tt.rule == "" && (len(fs) > 0 || doc.Root == nil) {
				t.Errorf("findings %v, root %v", fs, doc.Root)
			}
			if tt.rule == rules.YAMLTag.ID && len(fs) != finding.PerRule+1 {
				t.Errorf("%d tag findings, want %d and a note", len(fs), finding.PerRule)
			}
			if doc.Root != nil {
				Value(doc.Root)
				doc.Span(doc.Root)
			}
			if d := time.Since(start); d > time.Minute {
				t.Errorf("took %v", d)
			}
		})
	}
}

// nested is a block mapping depth levels deep.
func nested(depth int) string {
	var b strings.Builder
	for i := range depth {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	b.WriteString(strings.Repeat(" ", depth) + "b: 1\n")
	return b.String()
}
