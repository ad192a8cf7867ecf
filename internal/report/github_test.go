package report

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/finding"
)

// command is a workflow command as the Actions runner reads it.
type command struct {
	name  string
	props map[string]string
	keys  []string // property names in emitted order
	data  string
}

// parseLog reads output the way the runner does (ActionCommand.TryParseV2):
// a line starting with "::" is a command "::name k=v,k=v::data", properties
// and data unescaped with %25 last. Other lines are plain log.
func parseLog(t *testing.T, out string) (cmds []command, plain []string) {
	t.Helper()
	unescape := func(s string, property bool) string {
		pairs := []string{"%0D", "\r", "%0A", "\n"}
		if property {
			pairs = append(pairs, "%3A", ":", "%2C", ",")
		}
		for i := 0; i < len(pairs); i += 2 {
			s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
		}
		return strings.ReplaceAll(s, "%25", "%")
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		trimmed := strings.TrimLeft(line, " \t")
		end := -1
		if strings.HasPrefix(trimmed, "::") {
			end = strings.Index(trimmed[2:], "::")
		}
		if end < 0 {
			plain = append(plain, line)
			continue
		}
		info := trimmed[2 : 2+end]
		c := command{name: info, props: map[string]string{}, data: unescape(trimmed[2+end+2:], false)}
		if name, props, ok := strings.Cut(info, " "); ok {
			c.name = name
			for _, p := range strings.Split(props, ",") {
				k, v, ok := strings.Cut(p, "=")
				if !ok {
					t.Fatalf("property %q without '=' in %q", p, line)
				}
				c.props[k] = unescape(v, true)
				c.keys = append(c.keys, k)
			}
		}
		cmds = append(cmds, c)
	}
	return cmds, plain
}

func TestGitHub(t *testing.T) {
	changed := func(rel string) bool { return rel == "syncs/orders.yml" }
	for _, tc := range []struct {
		name string
		in   Input
		opt  GitHubOptions
	}{
		{"github", fixture(), GitHubOptions{}},
		{"github_changed", fixture(), GitHubOptions{Changed: changed}},
		{"github_limit", fixture(), GitHubOptions{Changed: changed, AnnotateAll: true, MaxPerLevel: 1}},
		{"github_clean", clean0(), GitHubOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := GitHub(&b, tc.in, tc.opt); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
			checkGitHub(t, tc.in, b.String())
		})
	}
}

// checkGitHub asserts what holds for every GitHub output: annotations carry
// the finding's path, message and rule exactly, never line=0, no columns on
// a multi-line range, properties in a fixed order; every finding is in the
// log once; no plain line can be taken for a command.
func checkGitHub(t *testing.T, in Input, out string) {
	t.Helper()
	cmds, plain := parseLog(t, out)
	order := []string{"col", "endColumn", "endLine", "file", "line", "title"}
	for _, c := range cmds {
		if c.name != "error" && c.name != "warning" {
			continue
		}
		if !slices.IsSortedFunc(c.keys, func(a, b string) int {
			return slices.Index(order, a) - slices.Index(order, b)
		}) {
			t.Errorf("properties out of order: %v", c.keys)
		}
		i := slices.IndexFunc(in.Findings, func(f finding.Finding) bool {
			return in.rel(f.Path) == c.props["file"] && f.Message == c.data &&
				"htgit: "+f.Rule == c.props["title"] && f.Severity.String() == c.name
		})
		if i < 0 {
			t.Errorf("annotation %+v matches no finding", c)
			continue
		}
		s := spanOf(in.Findings[i])
		if c.props["line"] == "0" {
			t.Errorf("line=0 in %+v", c)
		}
		if _, ok := c.props["line"]; ok != (s.Line > 0) {
			t.Errorf("line property %v for span %v", ok, s)
		}
		if s.EndLine > s.Line {
			if _, ok := c.props["col"]; ok {
				t.Errorf("col on a multi-line range: %+v", c)
			}
			if _, ok := c.props["endColumn"]; ok {
				t.Errorf("endColumn on a multi-line range: %+v", c)
			}
		}
	}
	for _, f := range in.Findings {
		if n := slices.Index(plain, in.line(f, false)); n < 0 {
			t.Errorf("no log line for %v", f)
		}
	}
	for _, p := range plain {
		if strings.Contains(p, "##[") || strings.HasPrefix(strings.TrimSpace(p), "::") {
			t.Errorf("plain line the runner would execute: %q", p)
		}
	}
	if last := plain[len(plain)-1]; last != in.summary() {
		t.Errorf("last line %q, want the counts", last)
	}
}

// Paths and messages with the characters the runner escapes come back intact.
func TestGitHubRoundTrip(t *testing.T) {
	msgs := []string{"a:b,c", "100% done %0A not a newline", "line1\nline2\r\nline3\rend", "::error::nested", "%25%3A%2C"}
	paths := []string{"a:b.yml", "c,d.yml", "e%f.yml", "%3A.yml", "g h=i.yml"}
	var in Input
	in.BaseDir = base
	for i, m := range msgs {
		in.Findings = append(in.Findings, finding.Finding{
			Path: abs(paths[i]), Start: finding.Pos{Line: i + 1, Col: 2}, End: finding.Pos{Line: i + 1, Col: 4},
			Rule: "r:" + strconv.Itoa(i), Severity: finding.Severity(i % 2), Message: m,
		})
	}
	var b bytes.Buffer
	if err := GitHub(&b, in, GitHubOptions{}); err != nil {
		t.Fatal(err)
	}
	cmds, _ := parseLog(t, b.String())
	seen := 0
	for _, c := range cmds {
		if c.name != "error" && c.name != "warning" {
			continue
		}
		// Errors come first, so find the finding by its unique rule.
		i, err := strconv.Atoi(strings.TrimPrefix(c.props["title"], "htgit: r:"))
		if err != nil || i >= len(msgs) {
			t.Errorf("title %q", c.props["title"])
			continue
		}
		if c.props["file"] != paths[i] || c.data != msgs[i] {
			t.Errorf("annotation %d: file %q data %q, want %q %q", i, c.props["file"], c.data, paths[i], msgs[i])
		}
		seen++
	}
	if seen != len(msgs) {
		t.Errorf("%d annotations, want %d", seen, len(msgs))
	}
	checkGitHub(t, in, b.String())
}

// thirty has 15 errors and 15 warnings over five files, f1 and f3 changed (6
// errors, 6 warnings), with file-level findings and multi-line ranges.
func thirty() (Input, func(string) bool) {
	var in Input
	in.BaseDir = base
	for i := range 30 {
		f := finding.Finding{
			Path: abs(fmt.Sprintf("syncs/f%d.yml", i%5)), Start: finding.Pos{Line: i + 1, Col: 3}, End: finding.Pos{Line: i + 1, Col: 8},
			Rule: "r", Severity: finding.Severity(i % 2), Message: fmt.Sprintf("finding %d", i),
		}
		switch {
		case i%7 == 0:
			f.Start, f.End = finding.Pos{}, finding.Pos{}
		case i%4 == 1:
			f.End = finding.Pos{Line: i + 3, Col: 2}
		}
		in.Findings = append(in.Findings, f)
	}
	finding.Sort(in.Findings)
	return in, func(rel string) bool { return rel == "syncs/f1.yml" || rel == "syncs/f3.yml" }
}

var noticeCount = regexp.MustCompile(`^(\d+) more findings? \((.*?)\)`)

func TestGitHubLimit(t *testing.T) {
	in, changed := thirty()
	for _, tc := range []struct {
		name                           string
		opt                            GitHubOptions
		errors, warnings, changedFirst int
		notice, noticeWhat             string
	}{
		{"all", GitHubOptions{Changed: changed, AnnotateAll: true}, 10, 10, 6, "10", "5 errors, 5 warnings"},
		{"changed only", GitHubOptions{Changed: changed}, 6, 6, 6, "18", "9 errors, 9 warnings"},
		{"no changed list", GitHubOptions{}, 10, 10, 10, "10", "5 errors, 5 warnings"},
		{"max 3", GitHubOptions{Changed: changed, MaxPerLevel: 3}, 3, 3, 3, "24", "12 errors, 12 warnings"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := GitHub(&b, in, tc.opt); err != nil {
				t.Fatal(err)
			}
			checkGitHub(t, in, b.String())
			cmds, _ := parseLog(t, b.String())
			got := map[string][]command{}
			for _, c := range cmds {
				got[c.name] = append(got[c.name], c)
			}
			if len(got["error"]) != tc.errors || len(got["warning"]) != tc.warnings {
				t.Errorf("%d errors, %d warnings annotated; want %d, %d", len(got["error"]), len(got["warning"]), tc.errors, tc.warnings)
			}
			// Errors come before warnings, each changed files first.
			var names []string
			for _, c := range cmds {
				if c.name == "error" || c.name == "warning" {
					names = append(names, c.name)
				}
			}
			if !slices.IsSorted(names) {
				t.Errorf("annotation order %v", names)
			}
			for _, level := range []string{"error", "warning"} {
				for i, c := range got[level] {
					isChanged := tc.opt.Changed == nil || tc.opt.Changed(c.props["file"])
					if isChanged != (i < tc.changedFirst) {
						t.Errorf("%s annotation %d in %s: changed %v", level, i, c.props["file"], isChanged)
					}
				}
			}
			if len(got["notice"]) != 1 {
				t.Fatalf("%d notices, want 1", len(got["notice"]))
			}
			m := noticeCount.FindStringSubmatch(got["notice"][0].data)
			if m == nil || m[1] != tc.notice || m[2] != tc.noticeWhat {
				t.Errorf("notice %q, want %s more (%s)", got["notice"][0].data, tc.notice, tc.noticeWhat)
			}
			if !strings.Contains(got["notice"][0].data, "job summary") {
				t.Errorf("notice %q does not point to the summary", got["notice"][0].data)
			}
			if n := len(got["group"]); n != 5 || len(got["endgroup"]) != 5 {
				t.Errorf("%d groups, want one per file (5)", n)
			}
		})
	}
}

// A finding whose related file changed counts as in a changed file.
func TestGitHubRelatedChanged(t *testing.T) {
	in := fixture()
	var b bytes.Buffer
	err := GitHub(&b, in, GitHubOptions{Changed: func(rel string) bool { return rel == "models/orders-v2.yml" }})
	if err != nil {
		t.Fatal(err)
	}
	cmds, _ := parseLog(t, b.String())
	var files []string
	for _, c := range cmds {
		if c.name == "error" || c.name == "warning" {
			files = append(files, c.props["file"])
		}
	}
	if !slices.Equal(files, []string{"syncs/orders.yml"}) {
		t.Errorf("annotated %v, want the sync whose model changed", files)
	}
}
