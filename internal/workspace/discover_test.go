package workspace

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
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

// denyFS is the Git Sync folder with some folders unreadable: as root,
// chmod cannot make one.
type denyFS struct {
	fs.FS
	deny []string
}

func (d denyFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if slices.Contains(d.deny, name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.EACCES}
	}
	return fs.ReadDir(d.FS, name)
}

// TestDiscoverUnreadable: every folder htgit cannot read is a
// file-unreadable finding that says why, and the files it could read are
// still found; a Git Sync folder it cannot read at all is an input error.
func TestDiscoverUnreadable(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"models/a.yaml": "x", "models/legacy/b.yaml": "x", "models/legacy/deeper/c.yaml": "x",
		"syncs/s.yaml": "x", "manifest.yaml": "x",
	})
	tests := []struct {
		name     string
		deny     []string
		files    []string
		unlisted []string
		mayHide  bool   // models may be missing
		err      string // an InputError instead
	}{
		{"subfolder of models", []string{"models/legacy"},
			[]string{"manifest:manifest.yaml:", "model:models/a.yaml:a", "sync:syncs/s.yaml:s"}, []string{"models/legacy"}, true, ""},
		{"models", []string{"models"},
			[]string{"manifest:manifest.yaml:", "sync:syncs/s.yaml:s"}, []string{"models"}, true, ""},
		{"syncs", []string{"syncs"},
			[]string{"manifest:manifest.yaml:", "model:models/a.yaml:a", "model:models/legacy/b.yaml:b", "model:models/legacy/deeper/c.yaml:c"}, []string{"syncs"}, false, ""},
		{"models and syncs", []string{"models", "syncs"}, nil, nil, false, "models: cannot read this folder (permission denied)"},
		{"the Git Sync folder", []string{"."}, nil, nil, false, "cannot read the folder " + root + ": permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, fs, err := Discover(Options{Root: root, fsys: denyFS{os.DirFS(root), tt.deny}})
			if tt.err != "" {
				var ie *InputError
				if !errors.As(err, &ie) || !strings.Contains(ie.Msg, tt.err) {
					t.Fatalf("err = %v; want an InputError containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := rels(ws.Files); !reflect.DeepEqual(got, tt.files) {
				t.Errorf("files %q\nwant %q", got, tt.files)
			}
			if !reflect.DeepEqual(ws.Unlisted, tt.unlisted) || ws.MayHide(ModelSlugs) != tt.mayHide || ws.MayHide(SyncSlugs) == tt.mayHide {
				t.Errorf("unlisted %q, models may hide %v, syncs %v", ws.Unlisted, ws.MayHide(ModelSlugs), ws.MayHide(SyncSlugs))
			}
			if len(fs) != 1 || fs[0].Rule != rules.FileUnreadable.ID || fs[0].Path != filepath.Join(root, filepath.FromSlash(tt.deny[0])) ||
				fs[0].Message != "cannot read this folder (permission denied): the files in it are not checked; make it readable" {
				t.Errorf("findings %v; want one file-unreadable on %s", fs, tt.deny[0])
			}
		})
	}
}

// TestDiscoverHiddenGitSyncFolder: when nothing is found at the root and a
// folder below it cannot be read, the Git Sync folder may be that one: an
// input error says so, instead of "no model or sync files found".
func TestDiscoverHiddenGitSyncFolder(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"README.md": "x", "hightouch/models/a.yaml": "x", "hightouch/syncs/s.yaml": "x", "docs/x.md": "x"})
	_, _, err := Discover(Options{Root: root, fsys: denyFS{os.DirFS(root), []string{"hightouch"}}})
	want := "cannot read the folder " + filepath.Join(root, "hightouch") + " (permission denied); the Git Sync files may be in it: make it readable, or pass --path"
	var ie *InputError
	if !errors.As(err, &ie) || ie.Msg != want {
		t.Errorf("err = %v; want an InputError %q", err, want)
	}
	if _, _, err := Discover(Options{Root: root}); err != nil {
		t.Errorf("readable: err = %v; want an empty workspace (the caller says nothing was found)", err)
	}
}

// TestDiscoverPathTooLong: a folder whose path is longer than the system
// allows cannot be listed; it is a finding that says so, not a silent gap.
// Unlike permissions, this holds for root too.
func TestDiscoverPathTooLong(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"models/a.yaml": "x", "syncs/s.yaml": "x"})
	// os.Root creates each level relative to the one above, so the whole
	// path never has to be named at once.
	r, err := os.OpenRoot(filepath.Join(root, "models"))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("d", 200)
	for range 5000 / (len(name) + 1) {
		if err := r.Mkdir(name, 0o755); err != nil {
			t.Fatal(err)
		}
		next, err := r.OpenRoot(name)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		r = next
	}
	if err := r.WriteFile("deep.yaml", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.Close()

	ws, fs, err := Discover(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if got := rels(ws.Files); !reflect.DeepEqual(got, []string{"model:models/a.yaml:a", "sync:syncs/s.yaml:s"}) {
		t.Errorf("files %q", got)
	}
	if len(fs) != 1 || fs[0].Rule != rules.FileUnreadable.ID ||
		!strings.HasSuffix(fs[0].Message, "(file name too long): the files in it are not checked; its path is longer than the system allows: shorten the folder names") {
		t.Fatalf("findings %v; want one file-unreadable saying the name is too long", fs)
	}
	if len(ws.Unlisted) != 1 || !ws.MayHide(ModelSlugs) {
		t.Errorf("unlisted %q", ws.Unlisted)
	}
}

// TestDiscoverPermissionDenied is TestDiscoverUnreadable on the real file
// system, where chmod can make a folder unreadable: not as root, which
// reads everything (denyFS covers that case then).
func TestDiscoverPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every folder whatever its mode; TestDiscoverUnreadable covers this with denyFS")
	}
	root := t.TempDir()
	writeTree(t, root, map[string]string{"models/a.yaml": "x", "models/legacy/b.yaml": "x", "syncs/s.yaml": "x"})
	legacy := filepath.Join(root, "models", "legacy")
	if err := os.Chmod(legacy, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(legacy, 0o755) })
	ws, fs, err := Discover(Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Path != legacy || !strings.Contains(fs[0].Message, "permission denied") || !ws.MayHide(ModelSlugs) {
		t.Errorf("findings %v; want one file-unreadable on models/legacy", fs)
	}
	if err := os.Chmod(root, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(root, 0o755) })
	if _, _, err := Discover(Options{Root: root}); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("unreadable root: err = %v; want permission denied", err)
	}
}
