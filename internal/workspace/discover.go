// Package workspace finds the files of a Hightouch Git Sync workspace and
// parses them into yaml.v3 node trees, keeping every position. It knows the
// layout (models/, syncs/, manifest*.yaml) and YAML; what the files mean is
// for package check.
package workspace

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

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
	Root    string   // the repository root; symlinks may not leave it
	Path    string   // the Git Sync folder, relative to Root ("" for Root itself)
	Exclude []string // doublestar globs matched against paths relative to Root and to the Git Sync folder
	MaxSize int64    // 0 means DefaultMaxSize
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
	if !within(root, dir) {
		return nil, nil, &InputError{Msg: fmt.Sprintf("--path %q leaves the root %s", opts.Path, root)}
	}
	if err := checkDir(dir, "--path"); err != nil {
		return nil, nil, err
	}
	if real, err := filepath.EvalSymlinks(dir); err != nil || !within(realRoot, real) {
		return nil, nil, &InputError{Msg: fmt.Sprintf("--path %q leaves the root %s through a symlink", opts.Path, root)}
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
	fsys := os.DirFS(dir)
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
		findings = append(findings, r.findings...)
	}
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
	findings                 []finding.Finding
	err                      error
}

// walkPattern finds the files of one pattern.
func walkPattern(fsys fs.FS, glob string, kind Kind, o walkOptions) (r walkResult) {
	// doublestar follows a symlink in the literal part of a pattern
	// (models/, syncs/), so check that part here.
	if top, _, ok := strings.Cut(glob, "/"); ok {
		if problem := leavesRoot(filepath.Join(o.dir, top), o.realRoot); problem != nil {
			r.findings = append(r.findings, *problem)
			return r
		}
	}
	// Walk every entry under models/ and syncs/, not only *.yaml, so a
	// symlinked folder leaving the root is seen and reported.
	walk := strings.Replace(glob, "/**/*.{yaml,yml}", "/**/*", 1)
	err := doublestar.GlobWalk(fsys, walk, func(rel string, d fs.DirEntry) error {
		abs := filepath.Join(o.dir, filepath.FromSlash(rel))
		matches := doublestar.MatchUnvalidated(glob, rel)
		if excluded(o.exclude, rel, relTo(o.root, abs)) {
			if matches {
				r.excluded = append(r.excluded, newFile(abs, rel, kind))
			}
			return nil
		}
		if !matches {
			if d.Type()&fs.ModeSymlink != 0 {
				if problem := leavesRoot(abs, o.realRoot); problem != nil {
					r.findings = append(r.findings, *problem)
				}
			}
			return nil
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
		return nil
	}, doublestar.WithFilesOnly(), doublestar.WithNoFollow(), doublestar.WithNoHidden())
	if err != nil {
		r.err = fmt.Errorf("searching %s for %s: %w", o.dir, glob, err)
	}
	return r
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
