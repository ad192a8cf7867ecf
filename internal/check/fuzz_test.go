package check

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/workspace"
)

// lineBreak is what htgit counts as a new line (YAML 1.2: NEL, LS and PS are
// text), written independently of workspace's line index so the fuzzer
// checks one against the other.
var lineBreak = regexp.MustCompile("\r\n|\r|\n")

// FuzzValidate parses and checks arbitrary bytes as a model, a sync and a
// manifest, and the three as one workspace: htgit must never crash on a
// file, and every position it reports must be in the file.
func FuzzValidate(f *testing.F) {
	err := filepath.WalkDir(filepath.Join("..", "..", "testdata"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(p); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			f.Add(src)
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		"a: &x [1, *x]\n", "\ufeffa: 1\r\nb: [\r\n", "a: 1\u2028b: @\n", "a: 1\n---\n", "- |\n  x\n- >\n y\n",
		"schedule: {type: visual, schedule: {expressions: {a: b}}}\n", "config: {mappings: [1, {to: \"\"}]}\n",
		"isSchema: !!bool yes\nprimaryKey: !!int 0x10\n", "\xff\xfe", "a:\tb\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := len(lineBreak.FindAllIndex(bytes.TrimPrefix(src, []byte("\ufeff")), -1)) + 1
		files := []workspace.File{
			{Path: "/fuzz/manifest.yaml", Rel: "manifest.yaml", Kind: workspace.Manifest},
			{Path: "/fuzz/models/m.yaml", Rel: "models/m.yaml", Kind: workspace.Model, Slug: "m"},
			{Path: "/fuzz/syncs/s.yaml", Rel: "syncs/s.yaml", Kind: workspace.Sync, Slug: "s"},
		}
		summaries := make([]*summary, len(files))
		var all []finding.Finding
		for i, file := range files {
			var fs []finding.Finding
			summaries[i], fs = checkSource(file, src)
			all = append(all, fs...)
		}
		ws := &workspace.Workspace{Root: "/fuzz", Dir: "/fuzz", Files: files}
		all = append(all, newIndex(ws, summaries).crossFile()...)
		for _, f := range all {
			switch {
			case f.Start.Line < 1 || f.Start.Col < 1:
				t.Errorf("%s starts at %d:%d: %s", f.Rule, f.Start.Line, f.Start.Col, f.Message)
			case f.End.Before(f.Start):
				t.Errorf("%s ends at %d:%d before its start %d:%d: %s", f.Rule, f.End.Line, f.End.Col, f.Start.Line, f.Start.Col, f.Message)
			case f.End.Line > lines:
				t.Errorf("%s ends on line %d of a %d-line file: %s", f.Rule, f.End.Line, lines, f.Message)
			case f.Rule == "" || f.Message == "" || !strings.HasPrefix(f.Path, "/fuzz/"):
				t.Errorf("incomplete finding %+v", f)
			}
		}
	})
}
