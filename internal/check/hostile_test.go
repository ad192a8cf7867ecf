package check

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
)

// Hostile inputs of issue 14, generated; BenchmarkHostile times them and
// the tests below prove what each must not do.

// manyOnOneLine is a sync whose mappings are a flow list of n items on one
// line: a finding per item, all on line 5.
func manyOnOneLine(item string, n int) string {
	return "model: users\ndestination: braze\nx: &a 1\nconfig:\n  mappings: [" +
		strings.TrimSuffix(strings.Repeat(item+", ", n), ", ") + "]\n"
}

// blockList is a sync whose mappings are n `  - 1` lines: 800,000 make
// 4.8 MB.
func blockList(n int) string {
	return "model: users\ndestination: braze\nconfig:\n  mappings:\n" + strings.Repeat("  - 1\n", n)
}

// hostileCase is one generated workspace: files by relative path, and a
// function that writes more (nil for none). A clean case is valid, only
// large: validate must find nothing in it.
type hostileCase struct {
	name  string
	files map[string]string
	more  func(tb testing.TB, dir string)
	clean bool
}

func hostileCases() []hostileCase {
	base := map[string]string{"models/users.yaml": baseModel, "manifest.yaml": manifest}
	with := func(rel, src string) map[string]string {
		m := map[string]string{rel: src}
		for k, v := range base {
			m[k] = v
		}
		return m
	}
	nul := baseModel + "description: |\n" + strings.Repeat("  text\n", 600_000) + "  \x00\n"
	return []hostileCase{
		{name: "flow-list-200k", files: with("syncs/s.yaml", manyOnOneLine("1", 200_000))},
		{name: "aliases-100k", files: with("syncs/s.yaml", manyOnOneLine("*a", 100_000))},
		{name: "non-ascii-flow-list-200k", files: with("syncs/s.yaml", manyOnOneLine("é", 200_000))},
		{name: "tags-100k", files: with("syncs/s.yaml", manyOnOneLine("!t 1", 100_000))},
		{name: "line-separators-100k", files: with("syncs/s.yaml", manyOnOneLine("a\u2028b", 100_000))},
		{name: "block-list-4.8MB", files: with("syncs/s.yaml", blockList(800_000))},
		{name: "nul-after-4MB", files: with("models/users.yaml", nul)},
		{name: "manifest-100k-destinations", files: map[string]string{"models/users.yaml": baseModel, "manifest.yaml": manyDestinations(100_000)}, clean: true}, // 4.9 MB, under --max-size
		{name: "misspelt-models-10k", more: func(tb testing.TB, dir string) {
			for _, p := range writeBenchWorkspace(tb, dir, 10_000) {
				if strings.Contains(p, string(filepath.Separator)+"syncs"+string(filepath.Separator)) {
					src, err := os.ReadFile(p)
					if err != nil {
						tb.Fatal(err)
					}
					if err := os.WriteFile(p, []byte(strings.Replace(string(src), "model: model-", "model: modle-", 1)), 0o644); err != nil {
						tb.Fatal(err)
					}
				}
			}
		}},
	}
}

// manyDestinations is a manifest of one source and n destinations, each a
// flow mapping on its own line.
func manyDestinations(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  d%d: {name: Destination %d, type: braze}\n", i, i)
	}
	return "sources:\n  snowflake: {name: Snowflake, type: snowflake}\ndestinations:\n" + b.String()
}

// write creates the case's workspace in dir and returns every file's path.
func (c hostileCase) write(tb testing.TB, dir string) []string {
	tb.Helper()
	var paths []string
	for rel, src := range c.files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			tb.Fatal(err)
		}
		paths = append(paths, p)
	}
	if c.more != nil {
		c.more(tb, dir)
		paths = nil
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				paths = append(paths, p)
			}
			return nil
		})
	}
	return paths
}

// TestRunFindingsBounded: a file that breaks one rule 50,000 times lists
// finding.PerRule of them and one note counting the rest, so memory and
// output stay small whatever the file holds (issue 14: 800,000 findings
// took 1-2 GB).
func TestRunFindingsBounded(t *testing.T) {
	_, res := runFiles(t, map[string]string{"syncs/users-to-braze.yaml": blockList(50_000)}, Options{})
	count := map[string]int{}
	var note finding.Finding
	for _, f := range res.Findings {
		count[f.Rule]++
		if strings.HasPrefix(f.Message, "…") {
			note = f
		}
	}
	// The schema step keeps 10,000 violations and counts the other 40,000;
	// of the kept ones the first finding.PerRule are listed and the rest
	// counted: every one of the 50,000 is accounted for.
	want := fmt.Sprintf("… and 9,900 more [%s] findings in this file from here on", rules.SchemaType.ID)
	if count[rules.SchemaType.ID] != finding.PerRule+1 || !strings.HasPrefix(note.Message, want) || note.Start.Line != 5+finding.PerRule {
		t.Errorf("findings by rule %v; note %+v\nwant %d of %s and a note at line %d: %q", count, note, finding.PerRule, rules.SchemaType.ID, 5+finding.PerRule, want)
	}
	if !slices.ContainsFunc(res.Findings, func(f finding.Finding) bool {
		return f.Rule == rules.SchemaInvalid.ID && strings.HasPrefix(f.Message, "40,000 more violations of the schema")
	}) {
		t.Errorf("no schema-invalid finding counting the 40,000 violations not kept")
	}
}

// laughs is a sync whose mappings name, through nine levels of aliases,
// 10^9 values: a billion laughs.
func laughs() string {
	var b strings.Builder
	b.WriteString("model: users\ndestination: braze\nl0: &l0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	b.WriteString("config:\n  mappings: *l9\n")
	return b.String()
}

// TestRunBombsBounded: aliases that expand to a billion values, and nesting
// as deep as the parser allows, are checked in bounded time with bounded
// findings (generous bounds for a loaded machine and -race).
func TestRunBombsBounded(t *testing.T) {
	for name, src := range map[string]string{
		"billion laughs": laughs(),
		"deep nesting":   "model: users\ndestination: braze\nconfig:\n  mappings: " + strings.Repeat("[", 9_000) + strings.Repeat("]", 9_000) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, res := runFiles(t, map[string]string{"syncs/users-to-braze.yaml": src}, Options{})
			if d := time.Since(start); d > time.Minute {
				t.Errorf("took %v", d)
			}
			if len(res.Findings) == 0 || len(res.Findings) > 10*finding.PerRule {
				t.Errorf("%d findings; want some, and few", len(res.Findings))
			}
		})
	}
}

// contractWith is a contract whose one event's schema is schema (a JSON
// text, written as a YAML string).
func contractWith(schema string) string {
	return fmt.Sprintf("name: Web\nslug: web\nevents:\n  - type: track\n    name: E\n    schema: %q\n", schema)
}

// nestedNot is an event schema nested {"not": ...} depth deep: 40 KB at
// 4,000.
func nestedNot(depth int) string {
	return strings.Repeat(`{"not":`, depth) + "{}" + strings.Repeat("}", depth)
}

// TestContractRefsReadNothing: a $ref to a local file, a FIFO or
// /dev/stdin is never opened (a FIFO would block the run for good, past
// SIGINT): each schema is reported as not fetched, and the file's content
// is nowhere in the findings (issue 22).
func TestContractRefsReadNothing(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.json")
	if err := os.WriteFile(secret, []byte(`{"type": "SECRET-CONTENT"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// (A bare /dev/stdin resolves against the schema's own urn: and names
	// no file; it must not block either.)
	refs := []string{"file://" + secret, "file:///dev/stdin", "file:///dev/zero", "/dev/stdin"}
	// A FIFO where the system has them (every Unix htgit ships for).
	if fifo := filepath.Join(dir, "fifo"); mkfifo(fifo) == nil {
		refs = append(refs, "file://"+fifo)
	} else if runtime.GOOS != "windows" {
		t.Fatal("no FIFO could be made on a Unix system")
	}
	done := make(chan *Result, 1)
	go func() {
		files := map[string]string{}
		for i, ref := range refs {
			files[fmt.Sprintf("contracts/c%d.yaml", i)] = contractWith(fmt.Sprintf(`{"$ref": %q}`, ref))
		}
		_, res := runFiles(t, files, Options{})
		done <- res
	}()
	select {
	case res := <-done:
		var warned int
		for _, f := range res.Findings {
			if strings.Contains(f.Message, "SECRET-CONTENT") {
				t.Errorf("the referenced file was read: %s", f.Message)
			}
			if f.Rule == rules.ContractEventSchema.ID && strings.Contains(f.Message, "which htgit does not fetch") {
				warned++
			}
		}
		if warned != len(refs)-1 {
			t.Errorf("%d of %d refs reported as not fetched: %v", warned, len(refs), res.Findings)
		}
	case <-time.After(time.Minute):
		t.Fatal("validate blocks on a $ref") // the goroutine is left behind: the test binary ends
	}
}

// TestContractNestingBounded: an event schema nested 4,000 deep took 35 s
// to 83 s, growing with the cube of the depth; past maxSchemaDepth it is
// reported as not checked, at once. A schema nested up to the bound is
// compiled and its errors found.
func TestContractNestingBounded(t *testing.T) {
	start := time.Now()
	_, res := runFiles(t, map[string]string{
		"contracts/deep.yaml": contractWith(nestedNot(4_000)),
		"contracts/bad.yaml":  contractWith(strings.Replace(nestedNot(maxSchemaDepth/2), "{}", `{"type":"objekt"}`, 1)),
	}, Options{})
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	var deep, bad bool
	for _, f := range res.Findings {
		deep = deep || strings.HasSuffix(f.Path, "deep.yaml") && f.Severity == finding.Warning && strings.Contains(f.Message, "nests deeper than 100 levels")
		bad = bad || strings.HasSuffix(f.Path, "bad.yaml") && f.Severity == finding.Error && strings.Contains(f.Message, "does not compile")
	}
	if !deep || !bad {
		t.Errorf("findings %v\nwant a warning on deep.yaml and an error on bad.yaml", res.Findings)
	}
}
