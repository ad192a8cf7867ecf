package config

import (
	"errors"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
)

var lineBreak = regexp.MustCompile("\r\n|\r|\n")

// FuzzParse reads arbitrary bytes as .htgit.yaml: never a crash; an error is
// an *Error at a line and column of the file; a configuration that parses
// names only known rules and valid globs.
func FuzzParse(f *testing.F) {
	f.Add([]byte(full))
	// The configurations of the command-line scripts: top-level .yaml files
	// of every txtar archive in the repository.
	err := filepath.WalkDir(filepath.Join("..", ".."), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".txtar" {
			return err
		}
		a, err := txtar.ParseFile(p)
		if err != nil {
			return err
		}
		for _, file := range a.Files {
			if !strings.Contains(file.Name, "/") && filepath.Ext(file.Name) == ".yaml" {
				f.Add(file.Data)
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"path: [\n", "rules: {yaml-tab: *a}\n", "ignore: [{rule: yaml-tab, paths: [\"{\"]}]\n", "<<: {path: x}\n", "\n\n\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, err := Parse("c.yaml", src)
		if err != nil {
			var e *Error
			// YAML's line breaks: CR LF, CR, LF.
			lines := len(lineBreak.FindAllIndex(src, -1)) + 1
			if !errors.As(err, &e) || e.Line < 1 || e.Line > lines || e.Col < 1 || e.Msg == "" || e.File != "c.yaml" {
				t.Fatalf("Parse(%q): %#v, want an *Error at a line of the %d and a column", src, err, lines)
			}
			return
		}
		known := func(id string) bool {
			_, builtin := rules.Lookup(id)
			return builtin || slices.ContainsFunc(cfg.Policy.Custom, func(r finding.Rule) bool { return r.ID == id })
		}
		for id := range cfg.Policy.Levels {
			if !known(id) {
				t.Errorf("unknown rule %q accepted", id)
			}
		}
		for _, ig := range cfg.Policy.Ignore {
			if !known(ig.Rule) || len(ig.Paths) == 0 {
				t.Errorf("ignore entry %+v accepted", ig)
			}
		}
		for _, g := range cfg.Exclude {
			if !doublestar.ValidatePattern(g) {
				t.Errorf("invalid glob %q accepted", g)
			}
		}
	})
}
