package workspace

import (
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
)

// largeMapping has more keys than duplicateKeys compares one by one.
var largeMapping = func() string {
	var b strings.Builder
	for i := range 20 {
		fmt.Fprintf(&b, "k%d: v\n", i)
	}
	return b.String()
}()

// TestParse proves every yaml-* rule and where it points. yaml.v3 knows only
// a line (and for parser errors names the one before), so these positions
// are the ones most easily broken by a yaml.v3 upgrade.
func TestParse(t *testing.T) {
	tests := []struct {
		name string
		src  string
		rule string // "" for a clean file
		span string
		msg  string // substring of the message
	}{
		{"clean", "name: a\nsource: b\n", "", "", ""},
		{"clean with BOM and CRLF", "\ufeffname: a\r\nsource: b\r\n", "", "", ""},
		{"unclosed flow sequence", "a: 1\nb: [x\nc: 2\n", "yaml-syntax", "2:1-2:6", "did not find expected ',' or ']'"},
		{"bad indentation", "a:\n  b: 1\n c: 2\n", "yaml-syntax", "3:2-3:6", "did not find expected key"},
		{"mapping value in a plain scalar", "a: 1\n b: 2\n", "yaml-syntax", "2:2-2:6", "mapping values are not allowed"},
		{"unterminated quote", "a: 1\nb: 2\nc: \"x\n", "yaml-syntax", "3:1-3:6", "found unexpected end of stream"},
		{"unterminated quote on the last line", "a: 'x\n", "yaml-syntax", "1:1-1:6", "found unexpected end of stream"},
		{"unclosed bracket at the end", "x:\n  y:\n    z: [\n\n", "yaml-syntax", "3:5-3:9", "did not find expected node content"},
		{"reserved character", "a: 1\nb: @x\n", "yaml-syntax", "2:4-2:5", "cannot start any token"},
		{"reserved backquote", "a: 1\nb: `x`\n", "yaml-syntax", "2:4-2:5", "cannot start any token"},
		{"unknown alias", "a: 1\nb: [*nope]\n", "yaml-syntax", "2:5-2:10", "alias *nope refers to no anchor"},
		{"syntax error after CRLF lines", "a: 1\r\nb: 2\r\nc: [x\r\nd: 4\r\n", "yaml-syntax", "3:1-3:6", "did not find expected"},
		{"syntax error after a BOM", "\ufeffa: 1\nb: [x\nc: 2\n", "yaml-syntax", "2:1-2:6", ""},
		{"tab indenting a key", "a: 1\n\tb: 2\n", "yaml-tab", "2:1-2:2", "tab used for indentation"},
		{"tab starting a nested line", "a:\n\tb: 2\n", "yaml-tab", "2:1-2:2", "spaces only"},
		{"tab after spaces", "a:\n  b: 1\n  \tc: 2\n", "yaml-tab", "3:3-3:4", "tab"},
		{"duplicate key", "a: 1\nb: 2\na: 3\n", "yaml-duplicate-key", "3:1-3:2", `key "a" is already set on line 1`},
		{"duplicate nested key", "a:\n  x: 1\n  \"x\": 2\n", "yaml-duplicate-key", "3:3-3:6", `key "x"`},
		{"same key in two mappings is fine", "a: {x: 1}\nb: {x: 1}\n", "", "", ""},
		{"duplicate in a large mapping", largeMapping + "k3: again\n", "yaml-duplicate-key", "21:1-21:3", `key "k3" is already set on line 4`},
		{"a quoted << is an ordinary key", "\"<<\": 1\n\"<<\": 2\n", "yaml-duplicate-key", "2:1-2:5", `key "<<"`},
		{"second document", "a: 1\n---\nb: 2\n", "yaml-multiple-documents", "2:1-2:4", "second YAML document"},
		{"empty second document", "a: 1\n---\n", "yaml-multiple-documents", "2:1-2:4", "second YAML document"},
		{"document end marker is one document", "a: 1\n...\n", "", "", ""},
		{"list at the top", "- a\n- b\n", "yaml-root-not-mapping", "1:1-2:4", "top level is a list"},
		{"scalar at the top", "hello\n", "yaml-root-not-mapping", "1:1-1:6", "top level is a single value"},
		{"empty file", "", "yaml-root-not-mapping", "1:1-1:1", "file is empty"},
		{"only comments", "# nothing\n", "yaml-root-not-mapping", "1:1-1:1", "file is empty"},
		{"invalid UTF-8", "a: ok\nb: caf\xe9\n", "yaml-invalid-utf8", "2:7-2:8", "invalid UTF-8"},
		{"invalid UTF-8 after unicode", "é: ü\xff\n", "yaml-invalid-utf8", "1:5-1:6", ""},
		{"binary tag", "a: !!binary aGk=\n", "yaml-tag", "1:4-1:12", "tag !!binary: Git Sync never writes tags and some YAML readers reject them; remove it"},
		{"custom tag after an anchor", "a: &x !custom v\nb: *x\n", "yaml-tag", "1:7-1:14", "tag !custom:"},
		{"verbatim tag", "a: !<tag:example.com,2000:x> v\n", "yaml-tag", "1:4-1:29", "tag !<tag:example.com,2000:x>:"},
		{"tag in a flow list", "a: [!t x, 1]\n", "yaml-tag", "1:5-1:7", "tag !t:"},
		{"tag on a key", "!!str k: 1\n", "yaml-tag", "1:1-1:6", "tag !!str:"},
		{"tag on a block mapping", "a: !m\n  b: 1\n", "yaml-tag", "1:4-1:6", "tag !m:"},
		{"a merge key is no tag", "a: &x {b: 1}\nc:\n  <<: *x\n", "", "", ""},
		{"NUL byte", "a: 1\nb: \"x\x00y\"\n", "yaml-syntax", "2:6-2:7", `control character U+0000 (NUL) is not allowed; delete it (a binary file is not a Git Sync file), or write it as the escape \x00 inside double quotes`},
		{"NUL after unicode on a CRLF line", "a: 1\r\nü: é\x00\r\n", "yaml-syntax", "2:5-2:6", "U+0000 (NUL)"},
		{"escape character", "a: \x1b[31m\n", "yaml-syntax", "1:4-1:5", `U+001B (ESC) is not allowed; delete it (a binary file is not a Git Sync file), or write it as the escape \x1B`},
		{"noncharacter", "a: x\uffff\n", "yaml-syntax", "1:5-1:6", `U+FFFF is not allowed; delete it (a binary file is not a Git Sync file), or write it as the escape \uFFFF`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, fs := Parse(File{Path: "/ws/models/m.yaml", Kind: Model}, []byte(tt.src))
			if tt.rule == "" {
				if len(fs) > 0 || doc.Root == nil {
					t.Fatalf("findings %v, root %v; want a clean mapping", fs, doc.Root)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("got %d findings %v; want one %s", len(fs), fs, tt.rule)
			}
			f := fs[0]
			if f.Rule != tt.rule || fmtSpan(f.Start, f.End) != tt.span || !strings.Contains(f.Message, tt.msg) {
				t.Errorf("got %s %s %q; want %s %s containing %q", f.Rule, fmtSpan(f.Start, f.End), f.Message, tt.rule, tt.span, tt.msg)
			}
			severity := finding.Error
			if tt.rule == rules.YAMLTag.ID {
				severity = finding.Warning
			}
			if f.Path != "/ws/models/m.yaml" || f.Severity != severity {
				t.Errorf("path %q severity %v", f.Path, f.Severity)
			}
		})
	}
}

// TestRootNotMappingExample: a file whose top level is not a mapping is
// told a key of its own kind, not another's (a contract is no manifest).
func TestRootNotMappingExample(t *testing.T) {
	for _, k := range Kinds() {
		_, fs := Parse(File{Kind: k}, []byte("- a\n"))
		if len(fs) != 1 {
			t.Fatalf("%s: findings %v", k, fs)
		}
		want := "top level is a list; a " + k.String() + " file is a YAML mapping"
		if key := k.Spec().ExampleKey; key != "" {
			want += " of keys such as `" + key + "`"
		}
		if fs[0].Message != want {
			t.Errorf("%s: %q, want %q", k, fs[0].Message, want)
		}
	}
	if _, fs := Parse(File{Kind: Contract}, []byte("- a\n")); len(fs) != 1 || strings.Contains(fs[0].Message, "sources:") {
		t.Errorf("a contract whose top level is a list: %v", fs)
	}
}

// TestParseDuplicateKeyKeepsRoot: a duplicate key is reported but the file
// is still checked, so its other problems show in the same run.
func TestParseDuplicateKeyKeepsRoot(t *testing.T) {
	doc, fs := Parse(File{Kind: Model}, []byte("a: 1\na: 2\n"))
	if doc.Root == nil || len(fs) != 1 {
		t.Fatalf("root %v findings %v", doc.Root, fs)
	}
}

// TestParseTextBreaks: YAML 1.2 reads NEL, LS and PS as text, in any
// scalar style, and the values keep them, even when the file already holds
// the characters that stand in for them while yaml.v3 parses.
func TestParseTextBreaks(t *testing.T) {
	src := "plain: x\u2028y z\nquoted: \"p\u2029q\"\nblock: |\n  r\u0085s\nk\u2028ey: Ā\ue000\ue001\n"
	doc := parseOK(t, src)
	want := map[string]string{"plain": "x\u2028y z", "quoted": "p\u2029q", "block": "r\u0085s\n", "k\u2028ey": "Ā\ue000\ue001"}
	got := map[string]string{}
	for i := 0; i+1 < len(doc.Root.Content); i += 2 {
		got[doc.Root.Content[i].Value] = doc.Root.Content[i+1].Value
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("values = %q, want %q", got, want)
	}
	if _, end := doc.Span(doc.Root.Content[1]); fmtSpan(end, end) != "1:13-1:13" {
		t.Errorf("plain value ends at %v, want 1:13 (one column per break)", end)
	}
}

// TestLineIndex: lines break where yaml.v3 counts a new line once NEL, LS
// and PS are text, and columns count runes.
func TestLineIndex(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"", []string{""}},
		{"a\nb", []string{"a", "b"}},
		{"a\r\nb\r\n", []string{"a", "b", ""}},
		{"a\rb\r\r\nc", []string{"a", "b", "", "c"}},
		{"a\u0085b\u2028c\u2029d", []string{"a\u0085b\u2028c\u2029d"}},
		{"\xc2", []string{"\xc2"}},
	}
	for _, tt := range tests {
		x := newLineIndex([]byte(tt.src))
		var got []string
		for l := 1; l <= x.count(); l++ {
			got = append(got, string(x.line(l)))
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("lines of %q = %q, want %q", tt.src, got, tt.want)
		}
	}
	x := newLineIndex([]byte("ab\né: ü x\n"))
	for _, c := range []struct{ line, col, off int }{
		{1, 1, 0}, {1, 3, 2}, {1, 9, 2}, // past the end: the line's length
		{2, 1, 0}, {2, 2, 2}, {2, 4, 4}, {2, 5, 6}, {2, 7, 8}, {2, 20, 8},
	} {
		if off := x.offset(c.line, c.col); off != c.off {
			t.Errorf("offset(%d, %d) = %d, want %d", c.line, c.col, off, c.off)
		}
		if c.col <= 7 && c.line == 2 || c.col <= 3 && c.line == 1 {
			if col := x.col(c.line, c.off); col != c.col {
				t.Errorf("col(%d, %d) = %d, want %d", c.line, c.off, col, c.col)
			}
		}
	}
}

// TestValue pins the conversion JSON Schema sees, including the YAML forms
// the fast paths must leave to yaml.v3.
func TestValue(t *testing.T) {
	big1, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	tests := []struct {
		src  string
		want any
	}{
		{"v: true", true},
		{"v: False", false},
		{"v: yes", "yes"}, // YAML 1.2: a string; the schema says so
		{"v: 12", int64(12)},
		{"v: -12", int64(-12)},
		{"v: 0x1F", int64(31)},
		{"v: 012", int64(10)}, // yaml.v3 reads a leading zero as octal
		{"v: 1_000", int64(1000)},
		{"v: 123456789012345678901234567890", 1.2345678901234568e+29}, // yaml.v3 resolves it as a float
		{"v: !!int 123456789012345678901234567890", big1},
		{"v: 1.5", 1.5},
		{"v: 1e3", 1000.0},
		{"v: ~", nil},
		{"v: \"12\"", "12"},
		{"v: 2026-01-01", "2026-01-01"},
		{"v: [a, {b: 1}]", []any{"a", map[string]any{"b": int64(1)}}},
		{"a: &x {k: 1}\nv: *x", map[string]any{"k": int64(1)}},
		// Merge keys: own keys win, then earlier merged mappings.
		{"a: &a {k: 1, l: 1}\nb: &b {k: 2, m: 2}\nv: {<<: [*a, *b], l: 3}", map[string]any{"k": int64(1), "l": int64(3), "m": int64(2)}},
		{"a: &a {k: 1}\nv:\n  <<: *a\n  j: 2", map[string]any{"k": int64(1), "j": int64(2)}},
		{"v: {\"<<\": 1}", map[string]any{"<<": int64(1)}}, // a quoted << is an ordinary key
	}
	for _, tt := range tests {
		doc := parseOK(t, tt.src+"\n")
		_, v := Lookup(doc.Root, "v")
		got := Value(v)
		if b, ok := tt.want.(*big.Int); ok {
			if g, ok := got.(*big.Int); !ok || g.Cmp(b) != 0 {
				t.Errorf("Value(%q) = %#v, want %v", tt.src, got, b)
			}
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Value(%q) = %#v, want %#v", tt.src, got, tt.want)
		}
	}
}

// TestValueAliasBombs: aliases must not make Value recurse forever (an
// alias inside its own anchor, which yaml.v3 accepts into a node tree) or
// build an exponential tree: past MaxValues the whole document is nil.
func TestValueAliasBombs(t *testing.T) {
	t.Run("cycle", func(t *testing.T) {
		doc := parseOK(t, "a: &x [1, *x]\n")
		got := Value(doc.Root)
		want := map[string]any{"a": []any{int64(1), nil}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Value = %#v, want %#v", got, want)
		}
	})
	t.Run("shared anchor", func(t *testing.T) {
		doc := parseOK(t, "a: &x {k: 1}\nb: *x\n")
		want := map[string]any{"a": map[string]any{"k": int64(1)}, "b": map[string]any{"k": int64(1)}}
		if got := Value(doc.Root); !reflect.DeepEqual(got, want) {
			t.Errorf("Value = %#v, want %#v", got, want)
		}
	})
	t.Run("billion laughs", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i <= 9; i++ {
			b.WriteString("l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [")
			for j := range 10 {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString("*l" + string(rune('0'+i-1)))
			}
			b.WriteString("]\n")
		}
		doc := parseOK(t, b.String())
		v, _, over := Convert(doc.Root, Scalar)
		if over == nil {
			t.Fatalf("10^10 values converted without passing MaxValues: %T", v)
		}
		if Value(doc.Root) != nil {
			t.Error("Value of a document past MaxValues is not nil")
		}
	})
}

// TestMergeBomb: merges of merges read each mapping once; ten levels of
// ten-fold merges would otherwise be 10^10 lookups.
func TestMergeBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("m0: &m0 {k: 1}\n")
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&b, "m%d: &m%d {<<: [", i, i)
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*m%d", i-1)
		}
		b.WriteString("]}\n")
	}
	doc := parseOK(t, b.String())
	_, top := Lookup(doc.Root, "m10")
	if _, v := Lookup(top, "absent"); v != nil {
		t.Error("found an absent key")
	}
	if _, v := Lookup(top, "k"); v == nil || v.Value != "1" {
		t.Errorf("merged k = %v", v)
	}
	if keys, _ := Fields(top); len(keys) != 1 {
		t.Errorf("Fields = %d keys, want 1", len(keys))
	}
}

func TestLookupAndAt(t *testing.T) {
	doc := parseOK(t, "a: &x\n  b: [1, {c: d}]\ne: *x\n")
	if _, v := At(doc.Root, []string{"e", "b", "1", "c"}); v == nil || v.Value != "d" {
		t.Errorf("At through an alias = %v", v)
	}
	for _, path := range [][]string{{"a", "b", "2"}, {"a", "b", "x"}, {"a", "b", "0", "c"}, {"zz"}} {
		if k, v := At(doc.Root, path); k != nil || v != nil {
			t.Errorf("At(%v) = %v, %v; want nils", path, k, v)
		}
	}
	merged := parseOK(t, "base: &b {source: s, name: n}\nm:\n  <<: *b\n  name: own\n")
	if _, v := At(merged.Root, []string{"m", "source"}); v == nil || v.Value != "s" || v.Line != 1 {
		t.Errorf("merged key = %v; want the node in the anchor, on line 1", v)
	}
	if _, v := At(merged.Root, []string{"m", "name"}); v == nil || v.Value != "own" {
		t.Errorf("own key = %v; it must override the merged one", v)
	}
	if k, v := Lookup(&yaml.Node{Kind: yaml.ScalarNode}, "a"); k != nil || v != nil {
		t.Error("Lookup on a scalar found something")
	}
}

// TestParseLimit: a file with a thousand duplicate keys lists the first
// finding.PerRule and one note with the rest's count, at the first left out.
func TestParseLimit(t *testing.T) {
	src := strings.Repeat("a: 1\n", 1_000)
	_, fs := Parse(File{Path: "/ws/models/m.yaml", Kind: Model}, []byte(src))
	if len(fs) != finding.PerRule+1 {
		t.Fatalf("got %d findings, want %d and a note", len(fs), finding.PerRule)
	}
	note := fs[len(fs)-1]
	if note.Rule != rules.YAMLDuplicateKey.ID || note.Start.Line != finding.PerRule+2 ||
		!strings.HasPrefix(note.Message, "… and 899 more [yaml-duplicate-key] findings in this file") {
		t.Errorf("note = %+v", note)
	}
}
