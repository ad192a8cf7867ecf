package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/workspace"
)

// Files every table test starts from: a valid model and sync, so a case
// only states what it breaks.
const (
	baseModel = `name: Users
source: snowflake
type: table
rawSql: null
tableName: public.users
dbtModel: null
isSchema: false
primaryKey: user_id
`
	baseSync = `model: users
destination: braze
config:
  mode: upsert
  mappings:
    - from: email
      to: email
      type: standard
schedule:
  type: interval
  schedule:
    interval:
      unit: hour
      quantity: 1
schedulePaused: false
`
)

// want is one expected finding: rule, span as "line:col-endline:endcol"
// and a substring of the message.
type want struct{ rule, span, msg string }

func (w want) String() string { return w.rule + " " + w.span + " " + w.msg }

func spanString(f finding.Finding) string {
	return fmt.Sprintf("%d:%d-%d:%d", f.Start.Line, f.Start.Col, f.End.Line, f.End.Col)
}

// writeFiles writes files (relative path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runFiles writes files (relative path -> content) to a fresh workspace,
// adding the base model and sync unless a case names those paths, and
// checks it.
func runFiles(t *testing.T, files map[string]string, opts Options) (string, *Result) {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{"manifest.yaml": manifest, "models/users.yaml": baseModel, "syncs/users-to-braze.yaml": baseSync}
	for rel, src := range files {
		if src == "" {
			delete(all, rel) // a case deletes a base file by mapping it to ""
		} else {
			all[rel] = src
		}
	}
	writeFiles(t, dir, all)
	ws, discovered, err := workspace.Discover(workspace.Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range opts.ReportSet {
		opts.ReportSet[i] = filepath.Join(dir, filepath.FromSlash(p))
	}
	res, err := Run(context.Background(), ws, discovered, opts)
	if err != nil {
		t.Fatal(err)
	}
	return dir, res
}

// expect checks that the findings in rel are exactly ws, in order.
func expect(t *testing.T, dir string, res *Result, rel string, ws []want) {
	t.Helper()
	var got []finding.Finding
	for _, f := range res.Findings {
		if f.Path == filepath.Join(dir, filepath.FromSlash(rel)) {
			got = append(got, f)
		}
	}
	ok := len(got) == len(ws)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i].Rule == ws[i].rule && spanString(got[i]) == ws[i].span && strings.Contains(got[i].Message, ws[i].msg)
	}
	if !ok {
		var b strings.Builder
		for _, f := range got {
			fmt.Fprintf(&b, "\n  %s %s %q", f.Rule, spanString(f), f.Message)
		}
		t.Errorf("findings in %s:%s\nwant %v", rel, b.String(), ws)
	}
}

type fileCase struct {
	name string
	src  string
	want []want
}

// runFileCases checks each case's src as the file rel of the base workspace.
func runFileCases(t *testing.T, rel string, extra map[string]string, cases []fileCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{rel: tt.src}
			for k, v := range extra {
				files[k] = v
			}
			dir, res := runFiles(t, files, Options{})
			expect(t, dir, res, rel, tt.want)
		})
	}
}
