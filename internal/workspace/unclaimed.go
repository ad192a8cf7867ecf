package workspace

import (
	"io/fs"
	"path"
	"slices"
	"strings"
)

// unclaimed lists the YAML files a user may believe htgit checked but no kind
// claims: those at the top of the Git Sync folder and those under a folder a
// kind lives in (schema/audiences/ beside schema/parent-models/). The folders
// a kind's walk covers whole (models/) hold none and are not walked again.
// Hidden files and folders are not Git Sync's, and neither is anything
// excluded.
func unclaimed(fsys fs.FS, exclude func(rel string) bool) []string {
	var out []string
	consider := func(rel string) {
		if isYAML(rel) && !exclude(rel) {
			if _, ok := KindOf(rel); !ok {
				out = append(out, rel)
			}
		}
	}
	top, _ := fs.ReadDir(fsys, ".") // an unreadable folder is Discover's to report
	for _, e := range top {
		if !e.IsDir() && !hidden(e.Name()) {
			consider(e.Name())
		}
	}
	walked := map[string]bool{}
	for _, p := range patterns() {
		if dir, nested := literalDir(p.Glob); nested {
			walked[dir] = true
		}
	}
	for _, dir := range kindFolders() {
		if walked[dir] {
			continue
		}
		_ = fs.WalkDir(fsys, dir, func(rel string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return nil // Discover reports what cannot be read
			case d.IsDir() && (walked[rel] || hidden(d.Name())):
				return fs.SkipDir
			case !d.IsDir() && !hidden(d.Name()):
				consider(rel)
			}
			return nil
		})
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// kindFolders are the top folders the kinds' globs live under.
func kindFolders() []string {
	var dirs []string
	for _, p := range patterns() {
		if top, _, ok := strings.Cut(p.Glob, "/"); ok && !slices.Contains(dirs, top) {
			dirs = append(dirs, top)
		}
	}
	return dirs
}

func isYAML(rel string) bool {
	ext := path.Ext(rel)
	return ext == ".yaml" || ext == ".yml"
}

func hidden(name string) bool { return strings.HasPrefix(name, ".") }
