package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/rules"
)

// writeTree creates files (relative path -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func rels(fs []File) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Kind.String()+":"+f.Rel+":"+f.Slug)
	}
	return out
}

func TestDiscover(t *testing.T) {
	tree := map[string]string{
		"models/a.yaml":            "x",
		"models/deep/er/b.yml":     "x",
		"models/notes.txt":         "x",
		"models/.hidden.yaml":      "x",
		"syncs/s.yaml":             "x",
		"syncs/old/t.yaml":         "x",
		"manifest.yaml":            "x",
		"manifest-prod.yml":        "x",
		"other/models/c.yaml":      "x", // not at the Git Sync folder's level
		"hightouch/models/h.yaml":  "x",
		"hightouch/syncs/hs.yaml":  "x",
		"hightouch/manifest.yaml":  "x",
		"hightouch/models/big.yml": strings.Repeat("#", 100),
	}
	root := t.TempDir()
	writeTree(t, root, tree)

	tests := []struct {
		name    string
		opts    Options
		want    []string
		skipped []string
		rules   []string
	}{
		{"root", Options{}, []string{
			"manifest:manifest-prod.yml:", "manifest:manifest.yaml:", "model:models/a.yaml:a",
			"model:models/deep/er/b.yml:b", "sync:syncs/old/t.yaml:t", "sync:syncs/s.yaml:s"}, nil, nil},
		{"exclude relative to the folder", Options{Exclude: []string{"syncs/old/**", "manifest-*"}}, []string{
			"manifest:manifest.yaml:", "model:models/a.yaml:a", "model:models/deep/er/b.yml:b", "sync:syncs/s.yaml:s"}, nil, nil},
		{"subfolder", Options{Path: "hightouch", MaxSize: 50}, []string{
			"manifest:manifest.yaml:", "model:models/h.yaml:h", "sync:syncs/hs.yaml:hs"},
			[]string{"model:models/big.yml:big"}, []string{"file-too-large"}},
		{"exclude relative to the root", Options{Path: "hightouch", Exclude: []string{"hightouch/syncs/*.yaml", "**/big.yml"}}, []string{
			"manifest:manifest.yaml:", "model:models/h.yaml:h"}, nil, nil},
		{"exclude a folder, and with ./", Options{Exclude: []string{"models/deep", "./syncs/old/t.yaml"}}, []string{
			"manifest:manifest-prod.yml:", "manifest:manifest.yaml:", "model:models/a.yaml:a", "sync:syncs/s.yaml:s"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Root = root
			ws, fs, err := Discover(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := rels(ws.Files); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("files %q\nwant %q", got, tt.want)
			}
			if got := rels(ws.Skipped); !reflect.DeepEqual(got, tt.skipped) {
				t.Errorf("skipped %q, want %q", got, tt.skipped)
			}
			var rules []string
			for _, f := range fs {
				rules = append(rules, f.Rule)
				if f.Start.Line != 1 || f.Start.Col != 1 {
					t.Errorf("finding %v does not point at the file's start", f)
				}
			}
			if !reflect.DeepEqual(rules, tt.rules) {
				t.Errorf("rules %q, want %q", rules, tt.rules)
			}
			for _, f := range ws.Files {
				if !filepath.IsAbs(f.Path) || !strings.HasSuffix(filepath.ToSlash(f.Path), f.Rel) {
					t.Errorf("file %+v: Path must be absolute and end in Rel", f)
				}
			}
		})
	}
}

func TestDiscoverInputErrors(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"models/a.yaml": "x", "file": "x"})
	outside := t.TempDir()
	symlink(t, outside, filepath.Join(root, "away"))
	tests := []struct {
		name string
		opts Options
		msg  string
	}{
		{"missing root", Options{Root: filepath.Join(root, "nope")}, "no such file"},
		{"root is a file", Options{Root: filepath.Join(root, "file")}, "is not a directory"},
		{"missing path", Options{Root: root, Path: "nope"}, "--path"},
		{"path leaves the root", Options{Root: root, Path: "../x"}, "leaves the root"},
		{"path leaves through a symlink", Options{Root: root, Path: "away"}, "through a symlink"},
		{"bad glob", Options{Root: root, Exclude: []string{"models/[a"}}, "not a valid glob"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Discover(tt.opts)
			var ie *InputError
			if !errors.As(err, &ie) || !strings.Contains(ie.Msg, tt.msg) {
				t.Errorf("err = %v; want an InputError containing %q", err, tt.msg)
			}
		})
	}
}

// TestDiscoverSymlinks: a symlink may not make htgit read outside the
// repository, but one inside it is an ordinary file.
func TestDiscoverSymlinks(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	writeTree(t, outside, map[string]string{"secret.yaml": "x", "models/o.yaml": "x"})
	writeTree(t, root, map[string]string{"shared/in.yaml": "x", "models/plain.yaml": "x", "syncs/s.yaml": "x"})
	symlink(t, filepath.Join(outside, "secret.yaml"), filepath.Join(root, "models", "leak.yaml"))
	symlink(t, filepath.Join(root, "shared", "in.yaml"), filepath.Join(root, "models", "inside.yaml"))
	symlink(t, filepath.Join(root, "gone.yaml"), filepath.Join(root, "models", "broken.yaml"))
	symlink(t, filepath.Join(outside, "models"), filepath.Join(root, "models", "linked-dir"))
	symlink(t, filepath.Join(outside, "secret.yaml"), filepath.Join(root, "models", "notes.txt")) // not a workspace file

	ws, fs, err := Discover(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"model:models/inside.yaml:inside", "model:models/plain.yaml:plain", "sync:syncs/s.yaml:s"}
	if got := rels(ws.Files); !reflect.DeepEqual(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	wantSkipped := []string{"model:models/broken.yaml:broken", "model:models/leak.yaml:leak"}
	if got := rels(ws.Skipped); !reflect.DeepEqual(got, wantSkipped) {
		t.Errorf("skipped %q, want %q", got, wantSkipped)
	}
	got := map[string]string{}
	for _, f := range fs {
		got[filepath.Base(f.Path)] = f.Rule + ": " + f.Message
	}
	wantFindings := map[string]string{
		"leak.yaml":   "file-symlink-outside-root: symlink points outside the repository root",
		"broken.yaml": "file-unreadable: cannot read file: the symlink is broken",
		"linked-dir":  "file-symlink-outside-root: symlink points outside the repository root",
	}
	if len(got) != len(wantFindings) {
		t.Errorf("findings %q, want %q", got, wantFindings)
	}
	for name, prefix := range wantFindings {
		if !strings.HasPrefix(got[name], prefix) {
			t.Errorf("%s: %q, want prefix %q", name, got[name], prefix)
		}
	}

	t.Run("models folder leaving the root", func(t *testing.T) {
		root := t.TempDir()
		writeTree(t, root, map[string]string{"syncs/s.yaml": "x"})
		symlink(t, filepath.Join(outside, "models"), filepath.Join(root, "models"))
		ws, fs, err := Discover(Options{Root: root})
		if err != nil {
			t.Fatal(err)
		}
		if got := rels(ws.Files); !reflect.DeepEqual(got, []string{"sync:syncs/s.yaml:s"}) {
			t.Errorf("files %q: the models folder outside the root was read", got)
		}
		if len(fs) != 1 || fs[0].Rule != rules.FileSymlink.ID || filepath.Base(fs[0].Path) != "models" {
			t.Errorf("findings %v; want one %s on models", fs, rules.FileSymlink.ID)
		}
	})
}

func TestFindRoot(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{".git/HEAD": "ref", "a/b/c.txt": "x"})
	got, err := FindRoot(filepath.Join(root, "a", "b"))
	if err != nil || got != root {
		t.Errorf("FindRoot = %q, %v; want %q", got, err, root)
	}
	plain := t.TempDir()
	if got, _ := FindRoot(plain); got != plain {
		t.Errorf("FindRoot outside Git = %q, want %q", got, plain)
	}
}
