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

	"github.com/htgit/htgit/internal/cli"
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gittest"
	"github.com/htgit/htgit/internal/rules"
)

var update = flag.Bool("update", false, "rewrite generated README sections")

const readmePath = "../../README.md"

// TestREADMEExample keeps the README's first example what htgit prints: the
// example workspace under hightouch/ with three mistakes, validated.
func TestREADMEExample(t *testing.T) {
	dir := t.TempDir()
	mistakes := map[string][2]string{
		"models/accounts.yaml":              {"type: table", "type: tabel"},
		"models/active-users.yaml":          {"primaryKey: user_id", "primarykey: user_id"},
		"syncs/accounts-to-salesforce.yaml": {"model: accounts", "model: account"},
	}
	files := gittest.ReadTree(t, "../../testdata/example")
	for rel, m := range mistakes {
		if !strings.Contains(files[rel], m[0]) {
			t.Fatalf("%s lacks %q", rel, m[0])
		}
		files[rel] = strings.Replace(files[rel], m[0], m[1], 1)
	}
	written := map[string]string{}
	for rel, src := range files {
		written["hightouch/"+rel] = src
	}
	gittest.Write(t, dir, written)
	var stdout, stderr bytes.Buffer
	c := &cli.Command{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" },
		Dir: dir, IsTerminal: func(io.Writer) bool { return false }}
	args := []string{"validate", "--path", "hightouch"}
	if code := c.Run(context.Background(), args); code != cli.ExitFindings || stderr.Len() > 0 {
		t.Fatalf("htgit %s: exit %d, want 1\n%s", strings.Join(args, " "), code, stderr.String())
	}
	replaceSection(t, "example", "```text\n$ htgit "+strings.Join(args, " ")+"\n"+stdout.String()+"```")
}

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

// exampleOf returns a finding line of rule r from its golden case (every
// rule has one: internal/check's TestGolden holds them to it).
func exampleOf(t *testing.T, r finding.Rule) string {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("../../testdata/cases", r.ID, "want.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(want), "\n") {
		if strings.HasSuffix(line, "["+r.ID+"]") {
			return line
		}
	}
	t.Fatalf("testdata/cases/%s/want.txt has no finding of its rule", r.ID)
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

// TestREADMEPathDefault: the README gives --path's default as the flag's
// help does: the folder is found, it is not the root.
func TestREADMEPathDefault(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `--path DIR` \\| ([^|]*) \\|").FindSubmatch(readme)
	if row == nil || !strings.Contains(string(row[1]), "found: the folder holding a manifest or `models/` and `syncs/`, up to 4 levels down") {
		t.Errorf("README's --path default is %q; the flag's help says the folder is found", row)
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
