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
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/report"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

var update = flag.Bool("update", false, "rewrite the want.txt files of the golden cases")

// noGoldenCase lists the rules whose trigger git cannot carry; each is
// covered by a table test instead, named here so the reason stays visible.
var noGoldenCase = map[string]string{
	"file-symlink-outside-root": "needs a symlink leaving the repository: TestDiscoverSymlinks creates one",
	"file-unreadable":           "needs a file or folder that cannot be read (tests run as root): TestRunUnreadable, TestDiscoverUnreadable, TestDiscoverPathTooLong and TestDiscoverSymlinks",
	"change-deleted":            "a change between two commits, not a workspace state: plan's TestFindings and the README example",
	"change-renamed":            "a change between two commits, not a workspace state: plan's TestFindings and the README example",
}

// caseOptions reads a case's optional .case file (hidden, so Discover skips
// it): "max-size N", "strict", "path DIR", "report FILE" lines.
func caseOptions(t *testing.T, dir string) (workspace.Options, check.Options, rules.Policy) {
	t.Helper()
	wo := workspace.Options{Root: dir}
	var co check.Options
	var policy rules.Policy
	src, err := os.ReadFile(filepath.Join(dir, ".case"))
	if os.IsNotExist(err) {
		return wo, co, policy
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
			wo.MaxSize = n
		case "strict":
			policy.Strict = true
		case "path":
			wo.Path = val
		case "report":
			co.ReportSet = append(co.ReportSet, filepath.Join(dir, filepath.FromSlash(val)))
		default:
			t.Fatalf(".case: unknown line %q", sc.Text())
		}
	}
	return wo, co, policy
}

// runCase validates the workspace in dir as `htgit validate` does and
// renders the text report with paths relative to dir.
func runCase(t *testing.T, dir string) ([]finding.Finding, string) {
	t.Helper()
	wo, co, policy := caseOptions(t, dir)
	ws, discovered, err := workspace.Discover(wo)
	if err != nil {
		t.Fatal(err)
	}
	res, err := check.Run(context.Background(), ws, discovered, co)
	if err != nil {
		t.Fatal(err)
	}
	// The engine applies the rule policy to every source's findings.
	res.Findings = policy.Apply(res.Findings, ws.RelPaths)
	var out bytes.Buffer
	in := report.Input{Findings: res.Findings, Rules: rules.All(), BaseDir: dir,
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
		reason, excused := noGoldenCase[r.ID]
		switch {
		case excused && covered[r.ID]:
			t.Errorf("rule %s has a golden case and an excuse (%s): drop the excuse", r.ID, reason)
		case !excused && !covered[r.ID]:
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
