package gitdiff

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// ErrNewBranch is returned (wrapped) by Changes when from is the zero id: the
// push created the branch, so there is no previous commit to compare with.
var ErrNewBranch = errors.New("no previous commit to compare (the push created the branch)")

// Status is how a file changed.
type Status int

const (
	Added    Status = iota
	Modified        // content or file type
	Deleted
	Renamed // possibly with modifications
	// Current is no change at all: what a plan of every file (--all) says
	// of each, as Hightouch must have it as it is.
	Current
)

func (s Status) String() string {
	switch s {
	case Added:
		return "added"
	case Modified:
		return "modified"
	case Deleted:
		return "deleted"
	case Renamed:
		return "renamed"
	case Current:
		return "current"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Change is one changed file. Paths are repo-relative with forward slashes.
// OldPath is set only for Renamed.
type Change struct {
	Status  Status
	Path    string
	OldPath string
}

// Options narrow what Changes compares.
type Options struct {
	// Prefix limits the result to files under this repo-relative folder
	// (the Git Sync subfolder); empty means the whole repository. A rename
	// into the folder counts as Added, out of it as Deleted.
	Prefix string
	// MergeBase compares the merge base of from and to with to, as a pull
	// request's diff does, instead of from with to.
	MergeBase bool
}

// Diff is the result of Changes.
type Diff struct {
	// Base and Head are the full commit ids compared. With MergeBase, Base
	// is the merge base, unless MergeBaseFallback.
	Base, Head string
	// MergeBaseFallback is set when MergeBase was asked for but no merge
	// base could be found (usually a shallow clone): Base is from, and the
	// changes include those made on from's side since the branches split.
	MergeBaseFallback bool
	// Changes are sorted by Path, then OldPath.
	Changes []Change
}

// Changes lists the files that differ between revisions from and to, with
// rename detection. It does not fetch: call EnsureCommit first in a clone
// that may lack from. A zero from gives ErrNewBranch; a revision that is not
// in the clone gives a *MissingCommitError.
func Changes(ctx context.Context, repoDir, from, to string, opts Options) (Diff, error) {
	if IsZero(from) {
		return Diff{}, fmt.Errorf("compare %s..%s: %w", from, to, ErrNewBranch)
	}
	if IsZero(to) {
		return Diff{}, fmt.Errorf("compare %s..%s: the push deleted the branch, there is nothing to compare", from, to)
	}
	prefix, err := cleanPrefix(opts.Prefix)
	if err != nil {
		return Diff{}, err
	}
	ids, err := resolveCommits(ctx, repoDir, from, to)
	if err != nil {
		return Diff{}, err
	}
	d := Diff{Base: ids[0], Head: ids[1]}
	if opts.MergeBase {
		out, err := git(ctx, repoDir, "merge-base", d.Base, d.Head)
		switch {
		case err == nil:
			d.Base = strings.TrimSpace(string(out))
		case exitCode(err) == 1:
			// merge-base exits 1, silently, when no common ancestor is
			// reachable: a shallow clone cut it off, or the histories are
			// unrelated.
			d.MergeBaseFallback = true
		default:
			return Diff{}, fmt.Errorf("merge base of %s and %s: %w", from, to, err)
		}
	}
	// diff-tree is plumbing: user config such as diff.relative or
	// diff.renames does not change its output.
	out, err := git(ctx, repoDir, "diff-tree", "-r", "-z", "--no-commit-id", "--name-status", findRenames, d.Base, d.Head)
	if err != nil {
		return Diff{}, fmt.Errorf("compare %s..%s: %w", from, to, err)
	}
	all, err := parseNameStatus(out)
	if err != nil {
		return Diff{}, fmt.Errorf("compare %s..%s: %w", from, to, err)
	}
	for _, c := range all {
		if c, ok := within(c, prefix); ok {
			d.Changes = append(d.Changes, c)
		}
	}
	slices.SortFunc(d.Changes, func(a, b Change) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.OldPath, b.OldPath), cmp.Compare(a.Status, b.Status))
	})
	return d, nil
}

// resolve returns the full id of the commit rev names. When there is none,
// the error is a *MissingCommitError, so a shallow clone is explained.
func resolve(ctx context.Context, repoDir, rev string) (string, error) {
	if err := checkRev(rev); err != nil {
		return "", err
	}
	out, err := git(ctx, repoDir, "rev-parse", "--verify", "--end-of-options", rev+"^{commit}")
	if err == nil {
		return strings.TrimSpace(string(out)), nil
	}
	if errors.Is(err, ErrNotRepo) || ctx.Err() != nil {
		return "", err
	}
	return "", missing(ctx, repoDir, rev, stderrOf(err))
}

// resolveCommits is resolve for several revisions with one git process,
// the usual case of revisions that all name commits. When one does not,
// resolve asks again for that one, so the error is resolve's.
func resolveCommits(ctx context.Context, repoDir string, revs ...string) ([]string, error) {
	var in strings.Builder
	for _, rev := range revs {
		if err := checkRev(rev); err != nil {
			return nil, err
		}
		in.WriteString(rev + "^{commit}\n")
	}
	// Each line answers one revision: its commit's id, or the revision
	// followed by "missing" or "ambiguous".
	out, err := gitWithInput(ctx, repoDir, strings.NewReader(in.String()), "cat-file", "--batch-check=%(objectname)")
	if err != nil {
		return nil, err
	}
	ids := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(ids) != len(revs) {
		return nil, fmt.Errorf("git cat-file answered %d lines for %d revisions", len(ids), len(revs))
	}
	for i, id := range ids {
		if !isFullID(id) {
			if ids[i], err = resolve(ctx, repoDir, revs[i]); err != nil {
				return nil, err
			}
		}
	}
	return ids, nil
}

// cleanPrefix turns a folder into the form paths are matched against.
func cleanPrefix(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	c := path.Clean(filepath.ToSlash(p))
	if path.IsAbs(c) || filepath.IsAbs(p) || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("prefix %q must be relative to the repository top level", p)
	}
	if c == "." {
		return "", nil
	}
	return c, nil
}

func under(p, prefix string) bool {
	return prefix == "" || strings.HasPrefix(p, prefix+"/")
}

// within keeps c if it touches prefix, turning a rename across the
// boundary into the half that is inside.
func within(c Change, prefix string) (Change, bool) {
	if c.Status != Renamed {
		return c, under(c.Path, prefix)
	}
	switch newIn, oldIn := under(c.Path, prefix), under(c.OldPath, prefix); {
	case newIn && oldIn:
		return c, true
	case newIn:
		return Change{Status: Added, Path: c.Path}, true
	case oldIn:
		return Change{Status: Deleted, Path: c.OldPath}, true
	}
	return Change{}, false
}

// findRenames is git's rename detection at 75% similarity, not its default
// 50%. Git Sync files are short and half boilerplate (source, type,
// rawSql: null, isSchema: false): two unrelated table models of one source
// are about 55% alike, so git's default shows a delete plus an add as a
// rename. A file moved with its name: line changed stays above 85%.
const findRenames = "-M75%"

// parseNameStatus reads `git diff-tree -z --name-status -M` output: a status
// field then one path, or two for a rename, all NUL-terminated.
func parseNameStatus(out []byte) ([]Change, error) {
	fields := bytes.Split(out, []byte{0})
	if n := len(fields); n > 0 && len(fields[n-1]) == 0 {
		fields = fields[:n-1]
	}
	var changes []Change
	for i := 0; i < len(fields); {
		st := string(fields[i])
		if st == "" {
			return nil, errors.New("empty status in git diff-tree output")
		}
		paths := 1
		if st[0] == 'R' {
			paths = 2
		}
		if i+paths >= len(fields) {
			return nil, fmt.Errorf("truncated git diff-tree output after %q", st)
		}
		c := Change{Path: string(fields[i+paths])}
		switch {
		case st == "A":
			c.Status = Added
		case st == "M" || st == "T":
			c.Status = Modified
		case st == "D":
			c.Status = Deleted
		case st[0] == 'R':
			c.Status, c.OldPath = Renamed, string(fields[i+1])
		default:
			return nil, fmt.Errorf("unexpected git diff-tree status %q for %s", st, c.Path)
		}
		changes = append(changes, c)
		i += 1 + paths
	}
	return changes, nil
}
