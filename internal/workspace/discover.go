// Package workspace finds the files of a Hightouch Git Sync workspace and
// parses them into yaml.v3 node trees, keeping every position. It knows the
// layout (models/, syncs/, manifest*.yaml) and YAML; what the files mean is
// for package check.
package workspace

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
)

// File is one discovered workspace file.
type File struct {
	Path string // absolute, OS-native
	Rel  string // relative to the Git Sync folder, forward slashes: models/users.yaml
	Kind Kind
	Slug string // file name without extension; empty for a kind that is not slugged
}

// DefaultMaxSize bounds a file htgit will read: Git Sync files are a few KiB,
// and a huge one is a mistake that must not exhaust memory.
const DefaultMaxSize = 5 << 20

// Options says where to look.
type Options struct {
	Root string // the repository root; symlinks may not leave it
	Path string // the Git Sync folder, relative to Root ("" for Root itself)
	// PathName is how messages name where Path was given: "--path" (the
	// default), "input path", ".htgit.yaml:1:7: path".
	PathName string
	Exclude  []string // doublestar globs matched against paths relative to Root and to the Git Sync folder
	MaxSize  int64    // 0 means DefaultMaxSize
	// fsys replaces the Git Sync folder in tests: a folder that cannot be
	// read is hard to make when tests run as root.
	fsys fs.FS
}

// Workspace is what Discover found.
type Workspace struct {
	Root  string // absolute
	Dir   string // absolute Git Sync folder
	Files []File // sorted by Rel
	// Skipped are files found but not read (too large, unreadable, a
	// symlink leaving the root), sorted by Rel. Their slugs still exist in
	// Hightouch, so references to them must resolve.
	Skipped []File
	// Excluded are files --exclude left out, sorted by Rel. They are not
	// checked, but what they describe still exists in Hightouch.
	Excluded []File
	// Unclaimed are YAML files (relative to Dir) no kind claims: not
	// checked, and said so.
	Unclaimed []string
	// Unlisted are the folders that could not be read (each a
	// file-unreadable finding), relative to Dir with forward slashes,
	// sorted. What they hold is unknown.
	Unlisted []string
}

// MayHide reports whether a folder that could not be read may hold files
// whose names give slugs of the given space: then a reference to a missing
// one cannot be judged.
func (ws *Workspace) MayHide(slugSpace string) bool {
	for _, p := range patterns() {
		dir, nested := literalDir(p.Glob)
		if p.Kind.Spec().SlugSpace != slugSpace || !nested {
			continue
		}
		for _, d := range ws.Unlisted {
			// The folder is the kind's, above it or below it.
			if d == dir || strings.HasPrefix(d, dir+"/") || strings.HasPrefix(dir, d+"/") {
				return true
			}
		}
	}
	return false
}

// InputError is a problem with what the user asked for (a missing folder, a
// bad glob): the CLI exits 2 for it.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

// Discover lists the workspace files under opts.Root/opts.Path. Files it
// finds but must not read (too large, leaving the root) come back as findings.
func Discover(opts Options) (*Workspace, []finding.Finding, error) {
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, nil, err
	}
	if err := checkDir(root, "root"); err != nil {
		return nil, nil, err
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, nil, &InputError{Msg: fmt.Sprintf("cannot resolve root %s: %v", root, err)}
	}
	dir := filepath.Join(root, filepath.FromSlash(opts.Path))
	pathName := cmp.Or(opts.PathName, "--path")
	if !within(root, dir) {
		return nil, nil, &InputError{Msg: fmt.Sprintf("%s %q leaves the root %s", pathName, opts.Path, root)}
	}
	if err := checkDir(dir, pathName); err != nil {
		return nil, nil, err
	}
	if real, err := filepath.EvalSymlinks(dir); err != nil || !within(realRoot, real) {
		return nil, nil, &InputError{Msg: fmt.Sprintf("%s %q leaves the root %s through a symlink", pathName, opts.Path, root)}
	}
	exclude := make([]string, len(opts.Exclude))
	for i, g := range opts.Exclude {
		exclude[i] = strings.TrimPrefix(filepath.ToSlash(g), "./") // shell completion adds ./
		if !doublestar.ValidatePattern(exclude[i]) {
			return nil, nil, &InputError{Msg: fmt.Sprintf("--exclude %q is not a valid glob", g)}
		}
	}
	maxSize := opts.MaxSize
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}

	// The patterns walk separate folders: walk them at once, each into its
	// own result, merged in pattern order so the outcome does not depend on
	// which finished first.
	fsys := opts.fsys
	if fsys == nil {
		fsys = os.DirFS(dir)
	}
	pats := patterns()
	results := make([]walkResult, len(pats))
	var wg sync.WaitGroup
	for i, p := range pats {
		wg.Go(func() {
			results[i] = walkPattern(fsys, p.Glob, p.Kind, walkOptions{root: root, realRoot: realRoot, dir: dir, exclude: exclude, maxSize: maxSize})
		})
	}
	wg.Wait()
	ws := &Workspace{Root: root, Dir: dir}
	var findings []finding.Finding
	for _, r := range results {
		if r.err != nil {
			return nil, nil, r.err
		}
		ws.Files = append(ws.Files, r.files...)
		ws.Skipped = append(ws.Skipped, r.skipped...)
		ws.Excluded = append(ws.Excluded, r.excluded...)
		ws.Unlisted = append(ws.Unlisted, r.unlisted...)
		findings = append(findings, r.findings...)
	}
	if !ws.HasResources() {
		// Nothing to check: when the reason is a folder htgit could not
		// read, say so rather than "no files".
		var why []string
		for _, f := range findings {
			if f.Rule == rules.FileUnreadable.ID {
				why = append(why, f.Path+": "+f.Message)
			}
		}
		if opts.Path == "" && len(why) == 0 {
			why = hiddenBelow(dir, fsys) // the Git Sync folder may be one of them
		}
		if len(why) > 0 {
			return nil, nil, &InputError{Msg: strings.Join(why, "\n")}
		}
	}
	slices.Sort(ws.Unlisted)
	ws.Unclaimed = unclaimed(fsys, func(rel string) bool { return excluded(exclude, rel, relTo(root, filepath.Join(dir, rel))) })
	byRel := func(a, b File) int { return strings.Compare(a.Rel, b.Rel) }
	slices.SortFunc(ws.Files, byRel)
	slices.SortFunc(ws.Skipped, byRel)
	slices.SortFunc(ws.Excluded, byRel)
	return ws, findings, nil
}

type walkOptions struct {
	root, realRoot, dir string
	exclude             []string
	maxSize             int64
}

type walkResult struct {
	files, skipped, excluded []File
	unlisted                 []string
	findings                 []finding.Finding
	err                      error
}

// walkPattern finds the files of one pattern. It walks every entry under
// models/ and syncs/, not only *.yaml, so that a symlinked folder leaving
// the root is seen and reported, and a folder it cannot read is a finding.
func walkPattern(fsys fs.FS, glob string, kind Kind, o walkOptions) (r walkResult) {
	visit := func(rel string, d fs.DirEntry) {
		abs := filepath.Join(o.dir, filepath.FromSlash(rel))
		matches := doublestar.MatchUnvalidated(glob, rel)
		if len(o.exclude) > 0 && excluded(o.exclude, rel, relTo(o.root, abs)) {
			if matches {
				r.excluded = append(r.excluded, newFile(abs, rel, kind))
			}
			return
		}
		if !matches {
			if d.Type()&fs.ModeSymlink != 0 {
				if problem := leavesRoot(abs, o.realRoot); problem != nil {
					r.findings = append(r.findings, *problem)
				}
			}
			return
		}
		f := newFile(abs, rel, kind)
		keep, problem := admit(abs, d, o.realRoot, o.maxSize)
		if problem != nil {
			r.findings = append(r.findings, *problem)
		}
		if keep {
			r.files = append(r.files, f)
		} else if problem != nil {
			r.skipped = append(r.skipped, f)
		}
	}
	top, nested := literalDir(glob)
	if !nested {
		// manifest*.yaml: the Git Sync folder's own entries.
		entries, err := fs.ReadDir(fsys, ".")
		if err != nil {
			r.err = &InputError{Msg: fmt.Sprintf("cannot read the folder %s: %v", o.dir, unwrapPathError(err))}
			return r
		}
		for _, e := range entries {
			if !e.IsDir() && !hidden(e.Name()) && doublestar.MatchUnvalidated(glob, e.Name()) {
				visit(e.Name(), e)
			}
		}
		return r
	}
	// The walk follows a symlink in the folder it starts from (models/,
	// schema/parent-models/): check each level of it here.
	for i := range top {
		if i == len(top)-1 || top[i+1] == '/' {
			if problem := leavesRoot(filepath.Join(o.dir, filepath.FromSlash(top[:i+1])), o.realRoot); problem != nil {
				r.findings = append(r.findings, *problem)
				return r
			}
		}
	}
	err := fs.WalkDir(fsys, top, func(rel string, d fs.DirEntry, err error) error {
		switch {
		case err != nil && rel == top && errors.Is(err, fs.ErrNotExist):
			return nil // no models/ folder: nothing to find
		case err != nil:
			r.unlisted = append(r.unlisted, rel)
			r.findings = append(r.findings, *unlistable(filepath.Join(o.dir, filepath.FromSlash(rel)), err))
			return fs.SkipDir
		case rel != top && hidden(d.Name()):
			if d.IsDir() {
				return fs.SkipDir
			}
		case !d.IsDir():
			visit(rel, d)
		}
		return nil
	})
	if err != nil {
		r.err = fmt.Errorf("searching %s for %s: %w", o.dir, glob, err)
	}
	return r
}

// literalDir is the folder a glob's files are under, up to its first
// wildcard ("models" for models/**/*.yaml), and whether that is below the
// Git Sync folder.
func literalDir(glob string) (string, bool) {
	literal := glob
	if i := strings.IndexAny(glob, "*?[{"); i >= 0 {
		literal = glob[:i]
	}
	dir := path.Dir(literal)
	return dir, dir != "."
}

// unlistable is the finding for a folder whose entries cannot be read.
func unlistable(abs string, err error) *finding.Finding {
	reason := unwrapPathError(err)
	advice := "make it readable"
	if errors.Is(reason, syscall.ENAMETOOLONG) {
		advice = "its path is longer than the system allows: shorten the folder names"
	}
	return fileFinding(abs, rules.FileUnreadable, fmt.Sprintf("cannot read this folder (%v): the files in it are not checked; %s", reason, advice))
}

func newFile(abs, rel string, kind Kind) File {
	f := File{Path: abs, Rel: rel, Kind: kind}
	if kind.Spec().SlugSpace != "" {
		f.Slug = Slug(rel)
	}
	return f
}

// Slug is the resource slug Git Sync derives from a file name.
func Slug(rel string) string {
	base := path.Base(rel)
	return strings.TrimSuffix(base, path.Ext(base))
}

// fileStart is where a finding about a whole file points.
var fileStart = finding.Pos{Line: 1, Col: 1}

func fileFinding(abs string, rule finding.Rule, msg string) *finding.Finding {
	return &finding.Finding{Path: abs, Start: fileStart, End: fileStart, Rule: rule.ID, Severity: rule.Severity, Message: msg}
}

// leavesRoot reports a symlinked folder that resolves outside the root.
func leavesRoot(abs, realRoot string) *finding.Finding {
	info, err := os.Lstat(abs)
	if err != nil || info.Mode()&fs.ModeSymlink == 0 {
		return nil
	}
	if target, err := os.Stat(abs); err != nil || !target.IsDir() {
		return nil // not a folder: no workspace file can be behind it
	}
	target, err := filepath.EvalSymlinks(abs)
	if err == nil && within(realRoot, target) {
		return nil
	}
	return fileFinding(abs, rules.FileSymlink, "symlink points outside the repository root; it is not followed. Replace it with the folder itself")
}

// admit decides whether a matched entry is read: symlinks must stay inside
// the root and resolve to a regular file, and size is bounded.
func admit(abs string, d fs.DirEntry, realRoot string, maxSize int64) (bool, *finding.Finding) {
	if d.Type()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return false, fileFinding(abs, rules.FileUnreadable, fmt.Sprintf("cannot read file: the symlink is broken (%v)", unwrapPathError(err)))
		}
		if !within(realRoot, target) {
			return false, fileFinding(abs, rules.FileSymlink, "symlink points outside the repository root; it is not followed. Replace it with the file itself")
		}
	}
	info, err := os.Stat(abs)
	if err != nil {
		return false, fileFinding(abs, rules.FileUnreadable, fmt.Sprintf("cannot read file: %v", unwrapPathError(err)))
	}
	if !info.Mode().IsRegular() {
		return false, nil // a symlink to a directory: not a workspace file
	}
	if info.Size() > maxSize {
		return false, fileFinding(abs, rules.FileTooLarge,
			fmt.Sprintf("file is %d bytes, over the %d-byte limit; Git Sync files are small, check the file or raise --max-size", info.Size(), maxSize))
	}
	return true, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func checkDir(dir, what string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return &InputError{Msg: fmt.Sprintf("%s %s: %v", what, dir, unwrapPathError(err))}
	}
	if !info.IsDir() {
		return &InputError{Msg: fmt.Sprintf("%s %s is not a directory", what, dir)}
	}
	return nil
}

// excluded reports whether a glob matches one of the paths or a folder
// above it: --exclude models/legacy skips the files in that folder.
func excluded(globs []string, rels ...string) bool {
	for _, g := range globs {
		for _, rel := range rels {
			for p := rel; p != "." && p != "/" && p != ""; p = path.Dir(p) {
				if doublestar.MatchUnvalidated(g, p) {
					return true
				}
			}
		}
	}
	return false
}

func relTo(base, abs string) string {
	rel, err := filepath.Rel(base, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}

// within reports whether p is base or below it.
func within(base, p string) bool {
	rel, err := filepath.Rel(base, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// FindRoot returns the Git top level above dir (the nearest folder holding a
// .git entry), or dir itself outside Git. It does not run git: the
// pre-commit hook must start fast.
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return abs, nil
		}
		d = parent
	}
}

// HasResources reports whether the workspace has a file of a kind that
// becomes a Hightouch resource (read or not: too large counts).
func (ws *Workspace) HasResources() bool {
	return slices.ContainsFunc(slices.Concat(ws.Files, ws.Skipped), func(f File) bool { return f.Kind.Resource() != NotDeployed })
}
