package workspace

import (
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
	level := []string{"."}
	for depth := 0; depth <= locateDepth && len(level) > 0; depth++ {
		var next []string
		for _, rel := range level {
			entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(rel)))
			if err != nil {
				continue // Discover reports what cannot be read
			}
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
				case name == "models":
					hasModels = true
				case name == "syncs":
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
			next = append(next, subdirs...)
		}
		level = next
	}
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
