package report

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/htgit/htgit/internal/finding"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// base is the repository root of the fixtures; abs makes a finding path in it.
var base = filepath.FromSlash("/repo")

func abs(rel string) string { return filepath.Join(base, filepath.FromSlash(rel)) }

var rules = []finding.Rule{
	{ID: "yaml-syntax", Severity: finding.Error, Summary: "The file parses as YAML", Help: "Fix the syntax at the position shown."},
	{ID: "sync-model-missing", Severity: finding.Error, Summary: "A sync's model exists", Help: "Point the sync at an existing model or add it."},
	{ID: "unknown-key", Severity: finding.Warning, Summary: "Every key is one Hightouch knows", Help: "Remove the key or fix its spelling."},
	{ID: "manifest-missing", Severity: finding.Notice, Summary: "No manifest lists sources and destinations", Help: "Keep the manifest Git Sync writes."},
}

// weird is a file name with every character the formats must escape.
const weird = "syncs/a b,c:d%e#f.yml"

// fixture has a file-level finding, a one-line and a multi-line range, a path
// and message needing escapes, a related file, a place the message names, a
// file outside BaseDir and a rule missing from Rules.
func fixture() Input {
	fs := []finding.Finding{
		{Path: abs("models/orders.yml"), Start: finding.Pos{Line: 3, Col: 5}, End: finding.Pos{Line: 3, Col: 12},
			Rule: "yaml-syntax", Severity: finding.Error, Message: "mapping values are not allowed here"},
		{Path: abs("models/orders.yml"), Rule: "unknown-key", Severity: finding.Warning,
			Message: "file defines no model"},
		{Path: abs(weird), Start: finding.Pos{Line: 4, Col: 1}, End: finding.Pos{Line: 6, Col: 3},
			Rule: "unknown-key", Severity: finding.Warning,
			Message: "key \"x|y\" is <b>unknown</b>: 50%, a,b\nsecond line ##[add-mask]s3cret $x$ *em* `c`",
			Also:    []finding.Place{{Path: abs(weird), Line: 2}}},
		{Path: abs("syncs/orders.yml"), Start: finding.Pos{Line: 7, Col: 10}, End: finding.Pos{Line: 7, Col: 20},
			Rule: "sync-model-missing", Severity: finding.Error, Message: `model "orders-v2" does not exist`,
			Related: []string{abs("models/orders-v2.yml")}},
		{Path: filepath.FromSlash("/outside.yml"), Start: finding.Pos{Line: 1, Col: 1},
			Rule: "no-such-rule", Severity: finding.Warning, Message: "outside the repository"},
		{Path: abs("manifest-prod.yml"), Rule: "manifest-missing", Severity: finding.Notice,
			Message: "source and destination references were not checked"},
	}
	finding.Sort(fs)
	return Input{Findings: fs, Rules: rules, Stats: Stats{Files: 20, Models: 12, Syncs: 8}, BaseDir: base, Version: "1.2.3"}
}

func clean0() Input {
	// A clean run with a rule switched off and a policy: JSON and SARIF say so.
	policy := finding.Rule{ID: "models-described", Severity: finding.Error, Summary: "every model needs a description",
		Help: "A policy of .htgit.yaml: every model file must satisfy has(file.description)"}
	return Input{Findings: nil, Rules: append(slices.Clone(rules), policy), RulesOff: []string{"unknown-key"}, Policies: []finding.Rule{policy},
		Stats: Stats{Files: 1, Models: 1, Syncs: 0}, BaseDir: base, Version: "1.2.3"}
}

// golden compares got with testdata/name.golden, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestRel(t *testing.T) {
	for _, tc := range []struct{ base, path, want string }{
		{base, abs("models/a.yml"), "models/a.yml"},
		{base, filepath.FromSlash("/other/a.yml"), "../other/a.yml"},
		{"", abs("models/a.yml"), "/repo/models/a.yml"},
		{"relative", abs("a.yml"), "/repo/a.yml"}, // Rel fails: unchanged
	} {
		if got := (Input{BaseDir: tc.base}).rel(tc.path); got != tc.want {
			t.Errorf("rel(%q, %q) = %q, want %q", tc.base, tc.path, got, tc.want)
		}
	}
}

func TestSpanOf(t *testing.T) {
	p := func(l, c int) finding.Pos { return finding.Pos{Line: l, Col: c} }
	for _, tc := range []struct {
		start, end finding.Pos
		want       span
	}{
		{p(0, 0), p(0, 0), span{}},
		{p(0, 4), p(2, 1), span{}}, // no column or end without a line
		{p(3, 5), p(3, 9), span{3, 5, 3, 9}},
		{p(3, 5), p(0, 0), span{3, 5, 0, 0}},
		{p(3, 5), p(3, 2), span{3, 5, 0, 0}}, // end before start
		{p(3, 0), p(5, 2), span{3, 0, 5, 0}}, // no end column without a start column
		{p(3, 5), p(5, 0), span{3, 5, 5, 0}},
	} {
		if got := spanOf(finding.Finding{Start: tc.start, End: tc.end}); got != tc.want {
			t.Errorf("spanOf(%v, %v) = %v, want %v", tc.start, tc.end, got, tc.want)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain\ttab":        "plain\ttab",
		"a\nb\r\nc":         `a\nb\r\nc`,
		"\x1b[31mred":       `\x1b[31mred`,
		"x ##[set-output]y": `x ##\[set-output]y`,
		"next\u0085line":    `next\u0085line`,
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSummary(t *testing.T) {
	e := finding.Finding{Severity: finding.Error}
	w := finding.Finding{Severity: finding.Warning}
	for _, tc := range []struct {
		fs    []finding.Finding
		stats Stats
		want  string
	}{
		{nil, Stats{20, 12, 8}, "no problems in 20 files (12 models, 8 syncs)"},
		{[]finding.Finding{e, e, w}, Stats{20, 12, 8}, "2 errors, 1 warning in 20 files (12 models, 8 syncs)"},
		{[]finding.Finding{e}, Stats{1, 1, 0}, "1 error in 1 file (1 model, 0 syncs)"},
		{[]finding.Finding{w, w}, Stats{2, 0, 1}, "2 warnings in 2 files (0 models, 1 sync)"},
	} {
		if got := (Input{Findings: tc.fs, Stats: tc.stats}).summary(); got != tc.want {
			t.Errorf("summary = %q, want %q", got, tc.want)
		}
	}
}

func TestPascalCase(t *testing.T) {
	for in, want := range map[string]string{
		"sync-model-missing": "SyncModelMissing",
		"yaml":               "Yaml",
		"a_b.c":              "ABC",
		"émoji-key":          "ÉmojiKey",
	} {
		if got := pascalCase(in); got != want {
			t.Errorf("pascalCase(%q) = %q, want %q", in, got, want)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// Every formatter reports a failed write instead of losing it (or panicking,
// as the Actions library would).
func TestWriteError(t *testing.T) {
	for name, format := range map[string]func(io.Writer, Input) error{
		"text":     func(w io.Writer, in Input) error { return Text(w, in, false) },
		"json":     JSON,
		"sarif":    SARIF,
		"github":   func(w io.Writer, in Input) error { return GitHub(w, in, GitHubOptions{}) },
		"markdown": func(w io.Writer, in Input) error { return Markdown(w, in, MarkdownOptions{}) },
	} {
		if err := format(failWriter{}, fixture()); err == nil {
			t.Errorf("%s: no error from a failing writer", name)
		}
	}
}
