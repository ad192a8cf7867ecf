package workspace

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// yamlBreak is what yaml.v3 counts as a line break.
var yamlBreak = regexp.MustCompile("\r\n|\r|\n|\u0085|\u2028|\u2029")

// FuzzSyntaxLine reads the syntax errors yaml.v3 gives for arbitrary bytes:
// the line SyntaxLine says is a line of the input (or the one just after
// it, where yaml.v3 reports an unexpected end), and the message is left
// without yaml.v3's prefix.
func FuzzSyntaxLine(f *testing.F) {
	err := filepath.WalkDir(filepath.Join("..", "..", "testdata"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Ext(p) != ".yaml" && filepath.Ext(p) != ".yml") {
			return err
		}
		src, err := os.ReadFile(p)
		f.Add(src)
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"a: 1\nb: [x\nc: 2\n", "a:\n  b: 1\n c: 2\n", "c: \"x\n", "x:\n  y:\n    z: [\n\n", "b: @x\n",
		"a: 1\r\nb: [x\r\n", "%YAML 1.1\n%YAML 1.1\n---\n", "a: !x!y 1\n", "{a: 1\n", "- a\nb: 1\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var n yaml.Node
		err := yaml.Unmarshal(src, &n)
		if err == nil {
			return
		}
		line, msg := SyntaxLine(err)
		lines := len(yamlBreak.FindAllIndex(src, -1)) + 1
		if line < 1 || line > lines+1 {
			t.Errorf("%q: %v: SyntaxLine says line %d of %d", src, err, line, lines)
		}
		if msg == "" || strings.HasPrefix(msg, "yaml:") || strings.HasPrefix(msg, "line ") {
			t.Errorf("%q: %v: message %q", src, err, msg)
		}
	})
}
