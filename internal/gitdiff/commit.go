package gitdiff

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// MissingCommitError says a commit is not in the clone and could not be
// fetched, and what to do about it in Git (the caller adds its own ways
// around it).
type MissingCommitError struct {
	Commit  string   // the revision asked for
	Shallow bool     // the clone is shallow, the usual cause in CI
	Remotes []string // remotes a fetch was tried from, in order
	Detail  string   // git's message from the last attempt
	// Shallow advice says how to deepen the clone on the CI host; empty
	// gives GitHub's (actions/checkout's fetch-depth).
	ShallowAdvice string
}

func (e *MissingCommitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "commit %s is not in the repository", e.Commit)
	if len(e.Remotes) > 0 {
		fmt.Fprintf(&b, " and could not be fetched from %s", strings.Join(e.Remotes, ", "))
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, " (%s)", strings.ReplaceAll(e.Detail, "\n", "; "))
	}
	if e.Shallow {
		b.WriteString(": the clone is shallow; ")
		b.WriteString(cmp.Or(e.ShallowAdvice, "set fetch-depth: 0 (or 2) in actions/checkout"))
	} else {
		b.WriteString(": check the revision")
	}
	return b.String()
}

// missing builds the error for a commit that is not there.
func missing(ctx context.Context, repoDir, rev, detail string) *MissingCommitError {
	out, err := git(ctx, repoDir, "rev-parse", "--is-shallow-repository")
	return &MissingCommitError{
		Commit:  rev,
		Shallow: err == nil && strings.TrimSpace(string(out)) == "true",
		Detail:  detail,
	}
}

// EnsureCommit makes sure commit sha is in the clone at repoDir, fetching
// just that commit when it is not: a shallow CI checkout has the pushed
// commit but not the one before it. It tries origin first, then the other
// remotes. When the commit cannot be had, the error is a *MissingCommitError.
func EnsureCommit(ctx context.Context, repoDir, sha string) error {
	if err := checkRev(sha); err != nil {
		return err
	}
	if has, err := hasCommit(ctx, repoDir, sha); has || err != nil {
		return err
	}
	e := missing(ctx, repoDir, sha, "")
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if !isFullID(sha) {
		// Remotes serve objects by full id only.
		e.Detail = "only a full commit id can be fetched"
		return e
	}
	rs, err := remotes(ctx, repoDir)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		e.Detail = "the repository has no remote to fetch it from"
		return e
	}
	args := []string{"fetch", "--no-tags", "--recurse-submodules=no"}
	if e.Shallow {
		// Just the commit, not its history; in a full clone --depth would
		// make the clone shallow, so it is left out there.
		args = append(args, "--depth=1")
	}
	for _, r := range rs {
		e.Remotes = append(e.Remotes, r)
		if _, err := git(ctx, repoDir, append(args, r, sha)...); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			e.Detail = stderrOf(err)
			continue
		}
		if has, err := hasCommit(ctx, repoDir, sha); has || err != nil {
			return err
		}
		e.Detail = "fetch succeeded but the object is not a commit"
	}
	return e
}

// hasCommit reports whether sha names a commit present in the clone. Only a
// failure of git itself (not a repository, cancelled) is an error.
func hasCommit(ctx context.Context, repoDir, sha string) (bool, error) {
	_, err := git(ctx, repoDir, "cat-file", "-e", sha+"^{commit}")
	if err == nil {
		return true, nil
	}
	if errors.Is(err, ErrNotRepo) || ctx.Err() != nil {
		return false, err
	}
	return false, nil
}

// remotes lists the clone's remotes, origin first.
func remotes(ctx context.Context, repoDir string) ([]string, error) {
	out, err := git(ctx, repoDir, "remote")
	if err != nil {
		return nil, err
	}
	rs := strings.Fields(string(out))
	if i := slices.Index(rs, "origin"); i > 0 {
		rs = append(append([]string{"origin"}, rs[:i]...), rs[i+1:]...)
	}
	return rs, nil
}

// BranchDepth is how much of a branch's history FetchBranch fetches into
// a shallow clone: enough for the merge base of a usual change request.
const BranchDepth = 50

// FetchBranch fetches branch from origin (into refs/remotes/origin/BRANCH)
// and returns the full id of its tip: the target of a change request,
// which a CI checkout of the source branch does not hold. In a shallow
// clone it fetches BranchDepth commits of history of the branch and of
// HEAD, so that their merge base can be found.
func FetchBranch(ctx context.Context, repoDir, branch string) (string, error) {
	if err := checkRev(branch); err != nil {
		return "", err
	}
	ref := "refs/remotes/origin/" + branch
	args := []string{"fetch", "--no-tags", "--recurse-submodules=no"}
	tips := []string{"origin", "+refs/heads/" + branch + ":" + ref}
	if shallow, err := git(ctx, repoDir, "rev-parse", "--is-shallow-repository"); err == nil && strings.TrimSpace(string(shallow)) == "true" {
		head, err := resolve(ctx, repoDir, "HEAD")
		if err != nil {
			return "", err
		}
		args = append(args, "--depth="+strconv.Itoa(BranchDepth))
		tips = append(tips, head)
	}
	if _, err := git(ctx, repoDir, append(args, tips...)...); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		// A clone without that remote may still hold the branch.
		if sha, rerr := resolve(ctx, repoDir, ref); rerr == nil {
			return sha, nil
		}
		return "", fmt.Errorf("fetching branch %s from origin: %s", branch, stderrOf(err))
	}
	return resolve(ctx, repoDir, ref)
}

// Parent returns the full id of rev's first parent, the commit a push of
// one commit (or a merge) came after, fetching it when a shallow clone
// lacks it. A root commit has no parent: the error wraps ErrNewBranch.
func Parent(ctx context.Context, repoDir, rev string) (string, error) {
	head, err := resolve(ctx, repoDir, rev)
	if err != nil {
		return "", err
	}
	parents := func() ([]string, error) {
		out, err := git(ctx, repoDir, "rev-list", "--parents", "-n", "1", head)
		if err != nil {
			return nil, err
		}
		return strings.Fields(string(out))[1:], nil
	}
	ps, err := parents()
	if err != nil {
		return "", err
	}
	if len(ps) == 0 {
		// A shallow clone's boundary commit lists no parents: deepen by
		// one from each remote until it has one.
		rs, err := remotes(ctx, repoDir)
		if err != nil {
			return "", err
		}
		for _, r := range rs {
			if _, err := git(ctx, repoDir, "fetch", "--no-tags", "--recurse-submodules=no", "--depth=2", r, head); err != nil {
				if ctx.Err() != nil {
					return "", ctx.Err()
				}
				continue
			}
			if ps, err = parents(); err != nil || len(ps) > 0 {
				break
			}
		}
	}
	if len(ps) == 0 {
		if err != nil {
			return "", err
		}
		e := missing(ctx, repoDir, rev+"^", "")
		if !e.Shallow {
			return "", fmt.Errorf("%s is the first commit: %w", rev, ErrNewBranch)
		}
		return "", e
	}
	return ps[0], nil
}
