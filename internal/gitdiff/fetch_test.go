package gitdiff

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/gittest"
)

// TestFetchBranch: a CI checkout of the source branch alone gets the
// change request's target branch, and a merge base with it.
func TestFetchBranch(t *testing.T) {
	t.Parallel()
	src, base, mainTip, featureTip := branched(t)
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Run(t, src, "clone", "-q", "--depth=1", "--branch", "feature", "file://"+filepath.ToSlash(src), clone)
	ctx := testCtx(t)

	got, err := FetchBranch(ctx, clone, "main")
	if err != nil || got != mainTip {
		t.Fatalf("FetchBranch = %s, %v; want %s", got, err, mainTip)
	}
	d, err := Changes(ctx, clone, got, featureTip, Options{MergeBase: true})
	if err != nil || d.Base != base || d.MergeBaseFallback {
		t.Errorf("merge base after the fetch: %s (fallback %v), %v; want %s", d.Base, d.MergeBaseFallback, err, base)
	}
	if _, err := FetchBranch(ctx, clone, "no-such-branch"); err == nil || !strings.Contains(err.Error(), "no-such-branch") {
		t.Errorf("missing branch: %v", err)
	}
	if _, err := FetchBranch(ctx, clone, "--upload-pack=x"); err == nil {
		t.Error("a branch read as an option was accepted")
	}
}

// TestParent: the commit before a push's head, fetched in a depth-1 clone;
// a first commit has none.
func TestParent(t *testing.T) {
	t.Parallel()
	src, first := gittest.Seed(t, map[string]string{"a": "1"})
	second := commitFiles(t, src, map[string]string{"a": "2"})
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Run(t, src, "clone", "-q", "--depth=1", "file://"+filepath.ToSlash(src), clone)
	gittest.Run(t, clone, "checkout", "-q", "--detach")
	ctx := testCtx(t)

	if got, err := Parent(ctx, clone, "HEAD"); err != nil || got != first {
		t.Fatalf("Parent(HEAD) = %s, %v; want %s (HEAD is %s)", got, err, first, second)
	}
	if _, err := Parent(ctx, src, first); !errors.Is(err, ErrNewBranch) {
		t.Errorf("root commit: %v, want ErrNewBranch", err)
	}
}
