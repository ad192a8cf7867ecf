package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/engine"
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/report"
)

func TestParseFormats(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		flags   []string
		want    []output
		wantErr string
	}{
		{name: "text by default", want: []output{{format: "text"}}},
		{name: "github on Actions", env: map[string]string{"GITHUB_ACTIONS": "true"}, want: []output{{format: "github"}}},
		{name: "GITHUB_ACTIONS must be true", env: map[string]string{"GITHUB_ACTIONS": "1"}, want: []output{{format: "text"}}},
		{name: "one to stdout, others to files", flags: []string{"github", "sarif=htgit.sarif", "json=out/r.json"},
			want: []output{{format: "github"}, {format: "sarif", path: "htgit.sarif"}, {format: "json", path: "out/r.json"}}},
		{name: "all to files", flags: []string{"sarif=a.sarif", "text=a.txt"},
			want: []output{{format: "sarif", path: "a.sarif"}, {format: "text", path: "a.txt"}}},
		{name: "an explicit format wins over the default", env: map[string]string{"GITHUB_ACTIONS": "true"}, flags: []string{"json"},
			want: []output{{format: "json"}}},
		{name: "two to stdout", flags: []string{"github", "json"}, wantErr: "only one --format can write to standard output"},
		{name: "an empty path is stdout", flags: []string{"github", "sarif="}, wantErr: "only one --format"},
		{name: "unknown", flags: []string{"xml"}, wantErr: `--format "xml": choose one of text, github, json, sarif`},
		{name: "case matters", flags: []string{"JSON"}, wantErr: `--format "JSON"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Command{Getenv: func(k string) string { return tc.env[k] }}
			got, err := c.parseFormats(tc.flags)
			if tc.wantErr != "" {
				if _, ok := err.(*engine.UsageError); !ok || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want a usage error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// TestRenderPaths: files are written where asked (folders made), and the
// github and sarif formats name files relative to GITHUB_WORKSPACE, which is
// what GitHub resolves them against, whatever the working directory.
func TestRenderPaths(t *testing.T) {
	ws := t.TempDir()
	sub := filepath.Join(ws, "hightouch")
	in := report.Input{
		Findings: []finding.Finding{{Path: filepath.Join(sub, "syncs", "a.yaml"), Start: finding.Pos{Line: 2, Col: 3},
			Rule: "r", Severity: finding.Error, Message: "m"}},
		BaseDir: sub, // the working directory
	}
	if err := os.MkdirAll(filepath.Join(sub, "syncs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in.Findings[0].Path, []byte("model: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		format, workspace string
		want              string // in the output
	}{
		{"github", ws, "file=hightouch/syncs/a.yaml,"},
		{"github", "", "file=syncs/a.yaml,"},
		{"sarif", ws, `"uri": "hightouch/syncs/a.yaml"`},
		{"sarif", "", `"uri": "hightouch/syncs/a.yaml"`}, // repository-relative outside Actions too
		{"json", ws, `"path": "syncs/a.yaml"`},           // for people and scripts: the working directory
		{"text", ws, "syncs/a.yaml:2:3: error: m [r]"},
	} {
		name := tc.format
		if tc.workspace == "" {
			name += " without GITHUB_WORKSPACE"
		}
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"GITHUB_WORKSPACE": tc.workspace}
			c := &Command{Getenv: func(k string) string { return env[k] }, Dir: sub, Stdout: io.Discard,
				IsTerminal: func(io.Writer) bool { return false }}
			path := filepath.Join("reports", tc.format, "out")
			if err := c.render([]output{{format: tc.format, path: path}}, in, renderOptions{repoRoot: ws}); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(sub, path))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(b, []byte(tc.want)) {
				t.Errorf("output lacks %q:\n%s", tc.want, b)
			}
		})
	}
}

func TestChangedIn(t *testing.T) {
	repo := filepath.FromSlash("/repo")
	files := []string{"hightouch/models/a.yaml", "hightouch/syncs/b.yaml", "README.md"}
	for _, tc := range []struct {
		base string
		path string
		want bool
	}{
		{repo, "hightouch/models/a.yaml", true},
		{repo, "hightouch/models", true}, // a sync's broken model reference relates to the folder
		{repo, "hightouch", true},
		{repo, "hightouch/mod", false},
		{repo, "hightouch/models/c.yaml", false},
		{repo, "hightouch/syncs/b.yaml", true},
		{repo, "models/a.yaml", false},
		{filepath.Join(repo, "hightouch"), "models/a.yaml", true}, // relative to another base
		{filepath.Join(repo, "hightouch"), "syncs", true},
		{filepath.Join(repo, "hightouch"), "README.md", false},
	} {
		if got := changedIn(files, repo, tc.base)(tc.path); got != tc.want {
			t.Errorf("base %s: changed(%q) = %v, want %v", tc.base, tc.path, got, tc.want)
		}
	}
	if changedIn(nil, repo, repo)("anything") {
		t.Error("no files changed, yet something is")
	}
}

// A finding about a file the change deletes cannot be placed by code
// scanning: SARIF leaves it out, the other formats keep it.
func TestSARIFLeavesOutMissingFiles(t *testing.T) {
	dir := t.TempDir()
	kept := filepath.Join(dir, "kept.yaml")
	if err := os.WriteFile(kept, []byte("model: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := report.Input{BaseDir: dir, Findings: []finding.Finding{
		{Path: filepath.Join(dir, "deleted.yaml"), Rule: "change-deleted", Severity: finding.Warning, Message: "deleted"},
		{Path: kept, Start: finding.Pos{Line: 1, Col: 1}, Rule: "r", Severity: finding.Error, Message: "m"},
	}}
	for format, wantDeleted := range map[string]bool{"sarif": false, "json": true} {
		var out bytes.Buffer
		c := &Command{Getenv: func(string) string { return "" }, Dir: dir, Stdout: &out, IsTerminal: func(io.Writer) bool { return false }}
		if err := c.render([]output{{format: format}}, in, renderOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(out.Bytes(), []byte("deleted.yaml")); got != wantDeleted {
			t.Errorf("%s mentions deleted.yaml: %v, want %v\n%s", format, got, wantDeleted, out.String())
		}
		if !bytes.Contains(out.Bytes(), []byte("kept.yaml")) {
			t.Errorf("%s lost the finding in kept.yaml:\n%s", format, out.String())
		}
	}
}

// Colour only on a terminal, never with NO_COLOR, never into a file.
func TestTextColour(t *testing.T) {
	dir := t.TempDir()
	in := report.Input{BaseDir: dir, Findings: []finding.Finding{{Path: filepath.Join(dir, "a.yaml"),
		Start: finding.Pos{Line: 1, Col: 1}, Rule: "r", Severity: finding.Error, Message: "m"}}}
	for _, tc := range []struct {
		name     string
		terminal bool
		noColor  string
		path     string
		want     bool
	}{
		{"terminal", true, "", "", true},
		{"not a terminal", false, "", "", false},
		{"NO_COLOR", true, "1", "", false},
		{"a file", true, "", "out.txt", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			c := &Command{Getenv: func(k string) string { return map[string]string{"NO_COLOR": tc.noColor}[k] },
				Dir: dir, Stdout: &out, IsTerminal: func(io.Writer) bool { return tc.terminal }}
			if err := c.render([]output{{format: "text", path: tc.path}}, in, renderOptions{}); err != nil {
				t.Fatal(err)
			}
			text := out.String()
			if tc.path != "" {
				b, err := os.ReadFile(filepath.Join(dir, tc.path))
				if err != nil {
					t.Fatal(err)
				}
				text = string(b)
			}
			if got := strings.Contains(text, "\x1b["); got != tc.want {
				t.Errorf("colour %v, want %v:\n%q", got, tc.want, text)
			}
			if !strings.Contains(text, "a.yaml:1:1") {
				t.Errorf("finding missing:\n%q", text)
			}
		})
	}
}
