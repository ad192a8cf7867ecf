package gitdiff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
)

// Staged lists what the index would commit: its changes against HEAD, with
// renames, restricted to opts.Prefix (opts.MergeBase is ignored). pre-commit
// passes a hook the files a commit adds or modifies but never the ones it
// deletes; this is how a hook sees those. In a repository without commits
// every staged file is Added.
func Staged(ctx context.Context, repoDir string, opts Options) ([]Change, error) {
	prefix, err := cleanPrefix(opts.Prefix)
	if err != nil {
		return nil, err
	}
	// diff-index is plumbing: user config (diff.renames, diff.relative)
	// does not change its output. --no-ext-diff for the same reason.
	out, err := git(ctx, repoDir, "diff-index", "--cached", "-z", "--name-status", findRenames, "--no-ext-diff", "HEAD", "--")
	var all []Change
	switch {
	case err == nil:
		if all, err = parseNameStatus(out); err != nil {
			return nil, fmt.Errorf("staged changes: %w", err)
		}
	case noHead(err):
		// No commit yet: everything in the index is new.
		if out, err = git(ctx, repoDir, "ls-files", "-z", "--cached"); err != nil {
			return nil, fmt.Errorf("staged changes: %w", err)
		}
		for p := range bytes.SplitSeq(bytes.TrimSuffix(out, []byte{0}), []byte{0}) {
			if len(p) > 0 {
				all = append(all, Change{Status: Added, Path: string(p)})
			}
		}
	default:
		return nil, fmt.Errorf("staged changes: %w", err)
	}
	var kept []Change
	for _, c := range all {
		if c, ok := within(c, prefix); ok {
			kept = append(kept, c)
		}
	}
	return kept, nil
}

// noHead reports whether git failed because HEAD names no commit yet.
func noHead(err error) bool {
	var ge *gitError
	return errors.As(err, &ge) && strings.Contains(ge.stderr, "'HEAD'")
}
