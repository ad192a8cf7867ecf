package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/finding"
)

const linkBase = "https://github.com/o/r/blob/abc123/"

func TestMarkdown(t *testing.T) {
	sections := MarkdownOptions{
		Title:    "htgit: Hightouch\nconfig",
		LinkBase: linkBase,
		Before:   []Section{{Heading: "Deleted resources", Body: "- model `old`\n"}},
		After:    []Section{{Heading: "Deploy plan", Body: "```\n+ sync a\n```"}},
	}
	for _, tc := range []struct {
		name string
		in   Input
		opt  MarkdownOptions
	}{
		{"markdown", fixture(), sections},
		{"markdown_nolinks", fixture(), MarkdownOptions{}},
		{"markdown_clean", clean0(), MarkdownOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Markdown(&b, tc.in, tc.opt); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
			if got := len(tableRows(b.String())); got != len(tc.in.Findings) {
				t.Errorf("%d rows, want %d", got, len(tc.in.Findings))
			}
		})
	}
}

// tableRows returns the finding rows: table lines after the header rule.
func tableRows(md string) []string {
	_, table, ok := strings.Cut(md, "| --- | --- | --- | --- |\n")
	if !ok {
		return nil
	}
	var rows []string
	for line := range strings.Lines(table) {
		if !strings.HasPrefix(line, "| ") {
			break
		}
		rows = append(rows, line)
	}
	return rows
}

// unescapedPipe finds a pipe that would split a cell.
var unescapedPipe = regexp.MustCompile(`(^|[^\\])\|`)

func TestMarkdownEscape(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":              `a\|b`,
		"x\ny\r\nz":        "x<br>y<br>z",
		"<img src=x>&amp;": "&lt;img src=x&gt;&amp;amp;",
		"*a* _b_ `c` [d]":  `\*a\* \_b\_ \` + "`" + `c\` + "`" + ` \[d\]`,
		`$x$ \|`:           `\$x\$ \\\|`,
		"bell\a":           "bell ",
	} {
		if got := mdEscape(in); got != want {
			t.Errorf("mdEscape(%q) = %q, want %q", in, got, want)
		}
	}
	// Every row of the fixture has exactly its four cell borders plus one.
	var b bytes.Buffer
	if err := Markdown(&b, fixture(), MarkdownOptions{LinkBase: linkBase}); err != nil {
		t.Fatal(err)
	}
	for _, row := range tableRows(b.String()) {
		if n := len(unescapedPipe.FindAllString(row, -1)); n != 5 {
			t.Errorf("%d cell borders in %q", n, row)
		}
	}
}

// many is n findings with long messages full of characters to escape.
func many(n int) Input {
	in := Input{BaseDir: base, Stats: Stats{Files: n}}
	for i := range n {
		in.Findings = append(in.Findings, finding.Finding{
			Path: abs(fmt.Sprintf("syncs/s%05d.yml", i)), Start: finding.Pos{Line: i%50 + 1, Col: 1},
			Rule: "unknown-key", Severity: finding.Severity(i % 2),
			Message: fmt.Sprintf("%d: ", i) + strings.Repeat("a|b <c>\n", 60),
		})
	}
	return in
}

var cutNoteRE = regexp.MustCompile(`_(\d+) of (\d+) findings not shown`)

func TestMarkdownMaxBytes(t *testing.T) {
	in := many(5000)
	big := strings.Repeat("- resource line\n", 3000) // 48 000 bytes
	fenced := "```\n" + big + "```\n"
	for _, tc := range []struct {
		name     string
		opt      MarkdownOptions
		someRows bool
	}{
		{"default", MarkdownOptions{LinkBase: linkBase}, true},
		{"64KiB with sections", MarkdownOptions{MaxBytes: 64 << 10, LinkBase: linkBase,
			Before: []Section{{"Before", "small"}}, After: []Section{{"After", "small"}}}, true},
		{"sections fill it", MarkdownOptions{MaxBytes: 100 << 10,
			Before: []Section{{"Before", big}}, After: []Section{{"After", fenced}}}, true},
		{"sections overflow", MarkdownOptions{MaxBytes: 40 << 10,
			Before: []Section{{"Before", big}}, After: []Section{{"After", fenced}}}, false},
		{"fenced section cut", MarkdownOptions{MaxBytes: 40 << 10,
			Before: []Section{{"Before", fenced}}, After: []Section{{"After", big}}}, false},
		{"no findings, long sections", MarkdownOptions{MaxBytes: 40 << 10,
			Before: []Section{{"Before", fenced}}, After: []Section{{"After", big}}}, false},
		{"tiny", MarkdownOptions{MaxBytes: 50}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := in
			if strings.HasPrefix(tc.name, "no findings") {
				in = clean0()
			}
			var b bytes.Buffer
			if err := Markdown(&b, in, tc.opt); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			limit := tc.opt.MaxBytes
			if limit == 0 {
				limit = DefaultMaxBytes
			}
			if len(out) > limit {
				t.Fatalf("%d bytes, limit %d", len(out), limit)
			}
			if tc.name == "tiny" {
				return
			}
			if !tc.someRows && !strings.Contains(out, strings.TrimSpace(cutMark)) {
				t.Error("sections were cut without saying so")
			}
			if strings.Count("\n"+out, "\n```")%2 != 0 {
				t.Error("a code fence is left open")
			}
			if len(in.Findings) == 0 {
				return
			}
			rows := len(tableRows(out))
			if (rows > 0) != tc.someRows {
				t.Errorf("%d rows", rows)
			}
			m := cutNoteRE.FindStringSubmatch(out)
			if m == nil {
				t.Fatal("no note about the cut rows")
			}
			cut, _ := strconv.Atoi(m[1])
			if cut+rows != len(in.Findings) || m[2] != strconv.Itoa(len(in.Findings)) {
				t.Errorf("note says %s of %s cut, %d rows shown", m[1], m[2], rows)
			}
			// A reasonable share of the budget goes to rows.
			if tc.someRows && len(out) < limit*9/10 {
				t.Errorf("only %d of %d bytes used", len(out), limit)
			}
		})
	}
}

// A deleted file no longer exists at the PR head: its row must not link there.
func TestMarkdownGoneFilesUnlinked(t *testing.T) {
	var b bytes.Buffer
	opt := MarkdownOptions{LinkBase: linkBase, Gone: func(p string) bool { return p == "syncs/orders.yml" }}
	if err := Markdown(&b, fixture(), opt); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, linkBase+"syncs/orders.yml") {
		t.Errorf("the deleted file is linked:\n%s", out)
	}
	if !strings.Contains(out, "| syncs/orders.yml:7:10") || !strings.Contains(out, linkBase+"models/orders.yml#L3") {
		t.Errorf("want the deleted file's row unlinked and the others linked:\n%s", out)
	}
}

// TestMarkdownFailure: a step that failed for something other than its
// findings says so first; before any file was checked there are no counts
// and no "No problems found".
func TestMarkdownFailure(t *testing.T) {
	failure := &Section{Heading: "htgit failed (exit 2)", Body: "> no key\n"}
	var b strings.Builder
	if err := Markdown(&b, Input{Stats: Stats{Files: 3}}, MarkdownOptions{Failure: failure, After: []Section{{Heading: "Deploy", Body: "x\n"}}}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	if !strings.HasPrefix(got, "## htgit\n\n### htgit failed (exit 2)\n\n> no key\n\n| Errors |") || strings.Contains(got, "No problems found.\n") ||
		!strings.Contains(got, "No problems found in the files; the step failed for the reason above.") {
		t.Errorf("failed after validation:\n%s", got)
	}
	b.Reset()
	if err := Markdown(&b, Input{}, MarkdownOptions{Failure: failure, NotValidated: true}); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "## htgit\n\n### htgit failed (exit 2)\n\n> no key\n\n"; got != want {
		t.Errorf("failed before validation:\n%q\nwant\n%q", got, want)
	}
}
