package check_test

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/check"
	"github.com/htgit/htgit/internal/dbt"
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/report"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

var update = flag.Bool("update", false, "rewrite the want.txt files of the golden cases")

// caseSetup is what a case's optional .case file (hidden, so Discover skips
// it) asks for: "max-size N", "strict", "path DIR", "report FILE" lines set
// options; "symlink LINK TARGET" makes LINK a symlink to TARGET (relative to
// the case's folder in the repository, so it lies outside the case's copy
// the checks run on); "staged" commits the case's .before/ folder, then
// stages the case's files over it and adds the findings validate --staged
// reports of the index's changes; "deleted FILE" is a file the change
// deletes, relative to the case, for the dbt check.
type caseSetup struct {
	wo       workspace.Options
	co       check.Options
	policy   rules.Policy
	symlinks [][2]string
	staged   bool
	deleted  []gitdiff.Change
}

func caseOptions(t *testing.T, dir string) caseSetup {
	t.Helper()
	c := caseSetup{wo: workspace.Options{Root: dir}}
	src, err := os.ReadFile(filepath.Join(dir, ".case"))
	if os.IsNotExist(err) {
		return c
	}
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		key, val, _ := strings.Cut(sc.Text(), " ")
		switch key {
		case "max-size":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				t.Fatalf(".case: %v", err)
			}
			c.wo.MaxSize = n
		case "strict":
			c.policy.Strict = true
		case "path":
			c.wo.Path = val
		case "report":
			c.co.ReportSet = append(c.co.ReportSet, filepath.Join(dir, filepath.FromSlash(val)))
		case "symlink":
			link, target, ok := strings.Cut(val, " ")
			if !ok {
				t.Fatalf(".case: symlink LINK TARGET, not %q", sc.Text())
			}
			c.symlinks = append(c.symlinks, [2]string{link, target})
		case "staged":
			c.staged = true
		case "deleted":
			c.deleted = append(c.deleted, gitdiff.Change{Status: gitdiff.Deleted, Path: val})
		default:
			t.Fatalf(".case: unknown line %q", sc.Text())
		}
	}
	return c
}

// prepare returns the folder the checks run on: the case itself, or a copy
// with its symlinks made, or a repository with the case staged over its
// .before/ state.
func (c *caseSetup) prepare(t *testing.T, dir string) string {
	t.Helper()
	if len(c.symlinks) == 0 && !c.staged {
		return dir
	}
	work := gittest.Init(t)
	if c.staged {
		copyCase(t, filepath.Join(dir, ".before"), work)
		gittest.Run(t, work, "add", "-A")
		gittest.Run(t, work, "commit", "-q", "-m", "before")
		gittest.Run(t, work, "rm", "-r", "-q", ".")
	}
	copyCase(t, dir, work)
	for _, l := range c.symlinks {
		target, err := filepath.Abs(filepath.Join(dir, filepath.FromSlash(l[1])))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(work, filepath.FromSlash(l[0]))); err != nil {
			t.Fatal(err)
		}
	}
	if c.staged {
		gittest.Run(t, work, "add", "-A")
	}
	c.wo.Root = work
	for i, r := range c.co.ReportSet {
		rel, _ := filepath.Rel(dir, r)
		c.co.ReportSet[i] = filepath.Join(work, rel)
	}
	return work
}

// copyCase copies the case's files, not its .case, .before/ and want.txt.
func copyCase(t *testing.T, from, to string) {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		switch {
		case d.IsDir() && d.Name() == ".before" && p != from:
			return filepath.SkipDir
		case d.IsDir() || rel == ".case" || rel == "want.txt":
			return nil
		}
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	gittest.Write(t, to, files)
}

// runCase validates the workspace in dir as `htgit validate` does (with
// --staged for a staged case) and renders the text report with paths
// relative to the folder checked.
func runCase(t *testing.T, dir string) ([]finding.Finding, string) {
	t.Helper()
	c := caseOptions(t, dir)
	work := c.prepare(t, dir)
	ws, discovered, err := workspace.Discover(c.wo)
	if err != nil {
		t.Fatal(err)
	}
	dbtCheck, err := dbt.New(dbt.Options{Root: work, GitDir: ws.Dir, Changes: func() []gitdiff.Change { return c.deleted }})
	if err != nil {
		t.Fatal(err)
	}
	c.co.Visitors = append(c.co.Visitors, dbtCheck)
	res, err := check.Run(context.Background(), ws, discovered, c.co)
	if err != nil {
		t.Fatal(err)
	}
	if c.staged {
		changes, err := gitdiff.Staged(context.Background(), work, gitdiff.Options{})
		if err != nil {
			t.Fatal(err)
		}
		res.Findings = append(res.Findings, plan.ChangeFindings(work, filepath.ToSlash(c.wo.Path), changes)...)
		finding.Sort(res.Findings)
	}
	// The engine applies the rule policy to every source's findings.
	res.Findings = c.policy.Apply(res.Findings, ws.RelPaths)
	var out bytes.Buffer
	in := report.Input{Findings: res.Findings, Rules: rules.All(), BaseDir: work,
		Stats: report.Stats{Files: res.Files, Models: res.Models, Syncs: res.Syncs}}
	if err := report.Text(&out, in, false); err != nil {
		t.Fatal(err)
	}
	return res.Findings, out.String()
}

func compareGolden(t *testing.T, dir, got string) {
	t.Helper()
	wantPath := filepath.Join(dir, "want.txt")
	if *update {
		if err := os.WriteFile(wantPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(wantPath)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/check -run TestGolden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update if the change is intended)\n--- got\n%s--- want\n%s", wantPath, got, want)
	}
}

// TestGolden runs every case under testdata/cases: the case's directory is
// named after the rule it proves, and its findings must include that rule.
func TestGolden(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "cases")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range rules.All() {
		known[r.ID] = true
	}
	covered := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		rule := e.Name()
		covered[rule] = true
		t.Run(rule, func(t *testing.T) {
			if !known[rule] {
				t.Fatalf("case %s is not named after a rule of rules.All()", rule)
			}
			dir, err := filepath.Abs(filepath.Join(root, rule))
			if err != nil {
				t.Fatal(err)
			}
			fs, got := runCase(t, dir)
			if !slices.ContainsFunc(fs, func(f finding.Finding) bool { return f.Rule == rule }) {
				t.Errorf("case %s does not produce a %s finding:\n%s", rule, rule, got)
			}
			compareGolden(t, dir, got)
		})
	}
	for _, r := range rules.All() {
		if !covered[r.ID] {
			t.Errorf("rule %s has no golden case: add testdata/cases/%s/", r.ID, r.ID)
		}
	}
}

// TestGoldenOK is the workspace that uses every feature and must stay clean:
// a rule that starts firing on valid files fails here.
func TestGoldenOK(t *testing.T) {
	for _, name := range []string{"ok", "example", "customer-studio"} {
		t.Run(name, func(t *testing.T) {
			dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			fs, got := runCase(t, dir)
			if len(fs) > 0 {
				t.Errorf("%s must validate clean:\n%s", name, got)
			}
			if !strings.HasPrefix(got, "no problems in ") {
				t.Errorf("closing line = %q", got)
			}
		})
	}
}
