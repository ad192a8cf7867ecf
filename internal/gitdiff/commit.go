package gitdiff

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
		b.WriteString(": the clone is shallow; set fetch-depth: 0 (or 2) in actions/checkout")
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
	out, err := git(ctx, repoDir, "remote")
	if err != nil {
		return err
	}
	remotes := strings.Fields(string(out))
	if i := slices.Index(remotes, "origin"); i > 0 {
		remotes = append(append([]string{"origin"}, remotes[:i]...), remotes[i+1:]...)
	}
	if len(remotes) == 0 {
		e.Detail = "the repository has no remote to fetch it from"
		return e
	}
	args := []string{"fetch", "--no-tags", "--recurse-submodules=no"}
	if e.Shallow {
		// Just the commit, not its history; in a full clone --depth would
		// make the clone shallow, so it is left out there.
		args = append(args, "--depth=1")
	}
	for _, r := range remotes {
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
