package cli_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/check"
	"github.com/htgit/htgit/internal/cli"
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/report"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

var update = flag.Bool("update", false, "rewrite generated README sections")

const readmePath = "../../README.md"

// TestREADMERules keeps the README's rules reference equal to the rules the
// code has, each with an example produced by the code itself.
func TestREADMERules(t *testing.T) {
	var b strings.Builder
	all := rules.All()
	for _, r := range all {
		fmt.Fprintf(&b, "### `%s` (%s)\n\n%s %s\n\n", r.ID, r.Severity, r.Summary, r.Help)
		example := exampleOf(t, r)
		fmt.Fprintf(&b, "```text\n%s\n```\n\n", example)
	}
	replaceSection(t, "rules", strings.TrimSpace(b.String()))
}

// exampleOf returns a finding line of rule r: from its golden case when it
// has one, else from running the code that reports it.
func exampleOf(t *testing.T, r finding.Rule) string {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("../../testdata/cases", r.ID, "want.txt"))
	if err == nil {
		for line := range strings.SplitSeq(string(want), "\n") {
			if strings.HasSuffix(line, "["+r.ID+"]") {
				return line
			}
		}
		t.Fatalf("testdata/cases/%s/want.txt has no finding of its rule", r.ID)
	}
	var fs []finding.Finding
	base := t.TempDir()
	switch r.ID {
	case rules.ChangeDeleted.ID, rules.ChangeRenamed.ID:
		p := &plan.Plan{
			Deleted: []plan.Resource{{Kind: workspace.Sync, Slug: "old-sync", Path: "syncs/old-sync.yaml", Change: gitdiff.Deleted}},
			Changed: []plan.Resource{{Kind: workspace.Model, Slug: "customers", Path: "models/customers.yaml", Change: gitdiff.Renamed, OldSlug: "users", OldPath: "models/users.yaml"}},
		}
		fs = p.Findings(base)
	case rules.FileSymlink.ID:
		outside := t.TempDir()
		os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("name: x\n"), 0o644)
		os.MkdirAll(filepath.Join(base, "models"), 0o755)
		if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(base, "models", "linked.yaml")); err != nil {
			t.Fatal(err)
		}
		_, fs, err = workspace.Discover(workspace.Options{Root: base})
		if err != nil {
			t.Fatal(err)
		}
	case rules.FileUnreadable.ID:
		// As root every file is readable; a file that vanishes between
		// discovery and reading takes the same path.
		ws := &workspace.Workspace{Root: base, Dir: base, Files: []workspace.File{{Path: filepath.Join(base, "models", "gone.yaml"), Rel: "models/gone.yaml", Kind: workspace.Model, Slug: "gone"}}}
		res, err := check.Run(context.Background(), ws, nil, check.Options{})
		if err != nil {
			t.Fatal(err)
		}
		fs = res.Findings
	default:
		t.Fatalf("rule %s has no golden case under testdata/cases and no generated example", r.ID)
	}
	var out bytes.Buffer
	report.Text(&out, report.Input{Findings: fs, BaseDir: base}, false)
	for line := range strings.SplitSeq(out.String(), "\n") {
		if strings.HasSuffix(line, "["+r.ID+"]") {
			return strings.ReplaceAll(line, base, ".")
		}
	}
	t.Fatalf("the example run for %s reported no finding of it:\n%s", r.ID, out.String())
	return ""
}

// TestREADMEFlags checks that the CLI reference names every flag of every
// command, as the commands' own help lists them.
func TestREADMEFlags(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	flagLine := regexp.MustCompile(`(?m)^  --(\S+)`)
	for _, command := range []string{"validate", "plan", "deploy", "drift", "export"} {
		var stdout bytes.Buffer
		c := &cli.Command{Stdout: &stdout, Stderr: &bytes.Buffer{}, Getenv: func(string) string { return "" },
			Dir: t.TempDir(), IsTerminal: func(io.Writer) bool { return false }}
		if code := c.Run(context.Background(), []string{command, "-h"}); code != 0 {
			t.Fatalf("htgit %s -h: exit %d", command, code)
		}
		flags := flagLine.FindAllStringSubmatch(stdout.String(), -1)
		if len(flags) == 0 {
			t.Fatalf("htgit %s -h listed no flags:\n%s", command, stdout.String())
		}
		for _, f := range flags {
			if !bytes.Contains(readme, []byte("`--"+f[1])) {
				t.Errorf("README does not document `--%s` of htgit %s", f[1], command)
			}
		}
	}
}

// replaceSection checks (or with -update rewrites) the README text between
// <!-- NAME:begin --> and <!-- NAME:end -->.
func replaceSection(t *testing.T, name, body string) {
	t.Helper()
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	i, j := bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("README lacks the %s markers", name)
	}
	want := body + "\n"
	if got := string(readme[i+len(begin) : j]); got != want {
		if !*update {
			t.Fatalf("README section %q is out of date; run go test ./internal/cli -run TestREADME -update", name)
		}
		out := append(append(append([]byte{}, readme[:i+len(begin)]...), want...), readme[j:]...)
		if err := os.WriteFile(readmePath, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
