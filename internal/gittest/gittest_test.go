package gittest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMain(m *testing.M) {
	Isolate()
	os.Exit(m.Run())
}

// TestSeed: a seeded repository is a real one with the files committed,
// and each copy is its own.
func TestSeed(t *testing.T) {
	files := map[string]string{"a.yaml": "a: 1\n", "sub/b.yaml": "b: 2\n", "link": "->a.yaml"}
	first, commit := Seed(t, files)
	second, again := Seed(t, files)
	if again != commit || first == second {
		t.Fatalf("two seeds of the same files: %s in %s, %s in %s", commit, first, again, second)
	}
	if st := Run(t, first, "status", "--porcelain"); st != "" {
		t.Errorf("a seeded repository has changes:\n%s", st)
	}
	if ls := Run(t, first, "ls-tree", "-r", "--name-only", "HEAD"); ls != "a.yaml\nlink\nsub/b.yaml" {
		t.Errorf("committed files:\n%s", ls)
	}
	if target, err := os.Readlink(filepath.Join(second, "link")); err != nil || target != "a.yaml" {
		t.Errorf("the link reads %q, %v", target, err)
	}
	next := Commit(t, first, "change", map[string]string{"a.yaml": "a: 3\n"})
	if head := Run(t, second, "rev-parse", "HEAD"); head != commit || next == commit {
		t.Errorf("a commit in one copy moved the other to %s", head)
	}
	if b, _ := os.ReadFile(filepath.Join(second, "a.yaml")); string(b) != "a: 1\n" {
		t.Errorf("a change in one copy reached the other: %q", b)
	}
	if _, other := Seed(t, map[string]string{"a.yaml": "a: 2\n"}); other == commit {
		t.Error("other files, the same commit")
	}
}
