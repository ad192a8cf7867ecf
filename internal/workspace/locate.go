package workspace

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// locateDepth bounds how deep Locate looks below the root: Git Sync writes to
// the root or one configured subfolder, and the pre-commit hook must start
// fast in a large repository.
const locateDepth = 4

// notGitSync are folders never searched: tools' caches and dependencies.
var notGitSync = []string{"node_modules", "vendor", "target", "dbt_packages", "dbt_modules", "logs"}

// Locate finds the Git Sync folder below root (relative, forward slashes)
// when none was given: the folder holding manifest*.yaml, else the one
// holding both models/ and syncs/. A dbt project (a folder with
// dbt_project.yml) is never Git Sync, though it has a models/ folder. found
// is false when no folder qualifies (the root is then the Git Sync folder,
// as before); several candidates are all returned, for the caller to refuse.
func Locate(root string) (dir string, candidates []string, found bool) {
	var manifests, pairs []string
	scan(os.DirFS(root), func(rel string, entries []fs.DirEntry) []string {
		var hasManifest, hasModels, hasSyncs, isDBT bool
		var subdirs []string
		for _, e := range entries {
			name := e.Name()
			switch {
			case name == "dbt_project.yml" || name == "dbt_project.yaml":
				isDBT = true
			case !e.IsDir():
				if k, ok := KindOf(name); ok && k == Manifest {
					hasManifest = true
				}
			case name == Model.Spec().Folder:
				hasModels = true
			case name == Sync.Spec().Folder:
				hasSyncs = true
			case !strings.HasPrefix(name, ".") && !slices.Contains(notGitSync, name):
				subdirs = append(subdirs, path.Join(rel, name))
			}
		}
		switch {
		case isDBT:
			// A dbt project, though Git Sync may live below it.
		case hasManifest:
			manifests = append(manifests, rel)
		case hasModels && hasSyncs:
			pairs = append(pairs, rel)
		}
		return subdirs
	})
	candidates = manifests
	if len(candidates) == 0 {
		candidates = pairs
	}
	slices.Sort(candidates)
	if len(candidates) != 1 {
		return "", candidates, false
	}
	return candidates[0], candidates, true
}

// scan reads the folders of fsys level by level, down to locateDepth: visit
// gets each folder's entries and returns the subfolders to read next. It
// returns the folders it could not read, and why (Discover reports them
// when they may hide the Git Sync folder).
func scan(fsys fs.FS, visit func(rel string, entries []fs.DirEntry) []string) (unreadable map[string]error) {
	level := []string{"."}
	for depth := 0; depth <= locateDepth && len(level) > 0; depth++ {
		var next []string
		for _, rel := range level {
			entries, err := fs.ReadDir(fsys, rel)
			if err != nil {
				if unreadable == nil {
					unreadable = map[string]error{}
				}
				unreadable[rel] = unwrapPathError(err)
				continue
			}
			next = append(next, visit(rel, entries)...)
		}
		level = next
	}
	return unreadable
}

// hiddenBelow says which folders below dir (fsys) could not be read: when
// nothing is found, one of them may be the Git Sync folder.
func hiddenBelow(dir string, fsys fs.FS) []string {
	var out []string
	unreadable := scan(fsys, func(rel string, entries []fs.DirEntry) []string {
		var subdirs []string
		for _, e := range entries {
			if name := e.Name(); e.IsDir() && !strings.HasPrefix(name, ".") && !slices.Contains(notGitSync, name) {
				subdirs = append(subdirs, path.Join(rel, name))
			}
		}
		return subdirs
	})
	for _, rel := range slices.Sorted(maps.Keys(unreadable)) {
		out = append(out, fmt.Sprintf("cannot read the folder %s (%v); the Git Sync files may be in it: make it readable, or pass --path",
			filepath.Join(dir, filepath.FromSlash(rel)), unreadable[rel]))
	}
	return out
}
