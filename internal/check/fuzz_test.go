package check

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/workspace"
)

// lineBreak is what htgit counts as a new line (YAML 1.2: NEL, LS and PS are
// text), written independently of workspace's line index so the fuzzer
// checks one against the other.
var lineBreak = regexp.MustCompile("\r\n|\r|\n")

// FuzzValidate parses and checks arbitrary bytes as a file of every kind,
// and all of them as one workspace: htgit must never crash on a file, and
// every position it reports must be in the file.
func FuzzValidate(f *testing.F) {
	files := fuzzFiles(f)
	for _, src := range testdataYAML(f) {
		f.Add(src)
	}
	for _, seed := range []string{
		"a: &x [1, *x]\n", "\ufeffa: 1\r\nb: [\r\n", "a: 1\u2028b: @\n", "a: 1\n---\n", "- |\n  x\n- >\n y\n",
		"schedule: {type: visual, schedule: {expressions: {a: b}}}\n", "config: {mappings: [1, {to: \"\"}]}\n",
		"isSchema: !!bool yes\nprimaryKey: !!int 0x10\n", "\xff\xfe", "a:\tb\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		summaries := make([]*summary, len(files))
		var all []finding.Finding
		for i, file := range files {
			var fs []finding.Finding
			summaries[i], fs = checkSource(file, src)
			all = append(all, fs...)
		}
		ws := &workspace.Workspace{Root: "/fuzz", Dir: "/fuzz", Files: files}
		all = append(all, newIndex(ws, summaries).crossFile()...)
		checkPositions(t, src, all)
	})
}

// fuzzFiles is one file of every kind, at a path its globs match.
func fuzzFiles(tb testing.TB) []workspace.File {
	var files []workspace.File
	for _, k := range workspace.Kinds() {
		rel := strings.NewReplacer("**/", "", "*", "fuzz", "{yaml,yml}", "yaml").Replace(k.Spec().Globs[0])
		if got, ok := workspace.KindOf(rel); !ok || got != k {
			tb.Fatalf("%s: made the path %s, which is a %v file", k, rel, got)
		}
		f := workspace.File{Path: "/fuzz/" + rel, Rel: rel, Kind: k}
		if k.Spec().SlugSpace != "" {
			f.Slug = workspace.Slug(rel)
		}
		files = append(files, f)
	}
	return files
}

// checkPositions fails t for a finding that is incomplete or reaches
// outside src.
func checkPositions(t *testing.T, src []byte, findings []finding.Finding) {
	t.Helper()
	lines := len(lineBreak.FindAllIndex(bytes.TrimPrefix(src, []byte("\ufeff")), -1)) + 1
	for _, f := range findings {
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
}

// testdataYAML is every YAML file under the repository's testdata.
func testdataYAML(tb testing.TB) [][]byte {
	tb.Helper()
	var all [][]byte
	err := filepath.WalkDir(filepath.Join("..", "..", "testdata"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(p); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			all = append(all, src)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return all
}

// testdataValues is every value of a key named key in testdata's YAML files.
func testdataValues(tb testing.TB, key string) []*yaml.Node {
	tb.Helper()
	var out []*yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					out = append(out, n.Content[i+1])
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, src := range testdataYAML(tb) {
		var doc yaml.Node
		if yaml.Unmarshal(src, &doc) == nil {
			walk(&doc)
		}
	}
	if len(out) == 0 {
		tb.Fatalf("no %q in testdata", key)
	}
	return out
}

// FuzzCron checks cron expressions (the 5-field form and Quartz's 6 and 7):
// never a crash, only 5, 6 or 7 fields accepted, an error that says what
// is wrong, and names read regardless of case.
func FuzzCron(f *testing.F) {
	for _, n := range testdataValues(f, "expression") {
		f.Add(n.Value)
	}
	for _, seed := range []string{"0 0 12 L-3 * ?", "0 0 12 15W * ?", "0 0 12 ? * 6L", "0 0 12 ? * MON#2 2030", "*/0 * * * *", "1-2/3,4 * * * *"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		err := parseCron(expr)
		if n := len(strings.Fields(expr)); err == nil && (n < 5 || n > 7) {
			t.Fatalf("%q has %d fields and is accepted", expr, n)
		}
		if err != nil && err.Error() == "" {
			t.Fatalf("%q: an empty error", expr)
		}
		if !isASCII(expr) {
			return
		}
		upper, lower := parseCron(strings.ToUpper(expr)), parseCron(strings.ToLower(expr))
		if (upper == nil) != (lower == nil) {
			t.Fatalf("%q: in upper case %v, in lower case %v", expr, upper, lower)
		}
	})
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// FuzzEventSchema compiles arbitrary text as an event contract's schema,
// written as a JSON string and, when it is YAML, as a mapping, inside a
// contract file: never a crash, and every finding inside the file.
func FuzzEventSchema(f *testing.F) {
	for _, n := range testdataValues(f, "schema") {
		if s, ok := workspace.String(n); ok {
			f.Add(s)
			continue
		}
		raw, err := json.Marshal(workspace.Value(n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(raw))
	}
	for _, seed := range []string{`{"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/a"}}}`,
		`{"pattern": "(?<=a)b"}`, `{"type": ["string", 1]}`, `{"$ref": "#/%zz"}`, `{"$schema": "http://json-schema.org/draft-04/schema#"}`} {
		f.Add(seed)
	}
	contract := fuzzFiles(f)[workspace.Contract]
	f.Fuzz(func(t *testing.T, text string) {
		var schemas []*yaml.Node
		schemas = append(schemas, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: text})
		var doc yaml.Node
		if yaml.Unmarshal([]byte(text), &doc) == nil && len(doc.Content) == 1 {
			schemas = append(schemas, doc.Content[0])
		}
		for _, sch := range schemas {
			file := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Value: "events"},
				{Kind: yaml.SequenceNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Content: []*yaml.Node{
					{Kind: yaml.ScalarNode, Value: "schema"}, sch}}}},
			}}
			src, err := yaml.Marshal(file)
			if err != nil {
				continue // yaml.v3 cannot write every node it reads
			}
			_, findings := checkSource(contract, src)
			checkPositions(t, src, findings)
		}
	})
}
