package gitdiff

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/gittest"
)

// TestMain isolates every git run, the package's and the helpers', from the
// machine's config and any repository the tests happen to run inside.
func TestMain(m *testing.M) {
	gittest.Isolate()
	os.Exit(m.Run())
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// commitFiles replaces the whole tree with files (path to content; content
// starting with "->" makes a symlink to the rest) and commits it.
func commitFiles(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	gittest.Run(t, dir, "rm", "-r", "-q", "--ignore-unmatch", "--", ".")
	return gittest.Commit(t, dir, "commit", files)
}

// model is a file long enough that changing one line keeps it similar
// enough for rename detection.
func model(name string) string {
	var b strings.Builder
	b.WriteString("name: " + name + "\n")
	for _, l := range []string{"source: warehouse", "type: raw_sql", "primaryKey: id", "isSchema: false", "description: users", "folder: core", "owner: data", "tags: [a, b]"} {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// tableModel is a table model as Git Sync writes it: short, and half
// lines every table model shares.
func tableModel(name, table, key string) string {
	return "name: " + name + "\nsource: postgres-app\ntype: table\nrawSql: null\ntableName: " + table + "\ndbtModel: null\nisSchema: false\nprimaryKey: " + key + "\n"
}

func TestChanges(t *testing.T) {
	tests := []struct {
		name          string
		before, after map[string]string
		prefix        string
		want          []Change
	}{
		{
			name:   "add",
			before: map[string]string{"models/a.yaml": model("a")},
			after:  map[string]string{"models/a.yaml": model("a"), "models/b.yaml": model("b")},
			want:   []Change{{Status: Added, Path: "models/b.yaml"}},
		},
		{
			name:   "modify",
			before: map[string]string{"models/a.yaml": model("a")},
			after:  map[string]string{"models/a.yaml": model("a2")},
			want:   []Change{{Status: Modified, Path: "models/a.yaml"}},
		},
		{
			name:   "delete",
			before: map[string]string{"models/a.yaml": model("a"), "syncs/s.yaml": "model: a\n"},
			after:  map[string]string{"models/a.yaml": model("a")},
			want:   []Change{{Status: Deleted, Path: "syncs/s.yaml"}},
		},
		{
			name:   "rename",
			before: map[string]string{"models/a.yaml": model("a")},
			after:  map[string]string{"models/b.yaml": model("a")},
			want:   []Change{{Status: Renamed, Path: "models/b.yaml", OldPath: "models/a.yaml"}},
		},
		{
			name:   "rename and modify",
			before: map[string]string{"models/a.yaml": model("a")},
			after:  map[string]string{"models/b.yaml": model("b")},
			want:   []Change{{Status: Renamed, Path: "models/b.yaml", OldPath: "models/a.yaml"}},
		},
		{
			// 54% alike by git's measure: not a rename, though git's
			// default threshold (50%) calls it one.
			name:   "unrelated delete and add",
			before: map[string]string{"models/accounts.yaml": tableModel("Accounts", "public.accounts", "account_id")},
			after:  map[string]string{"models/orders.yaml": tableModel("Orders", "public.orders", "order_id")},
			want:   []Change{{Status: Deleted, Path: "models/accounts.yaml"}, {Status: Added, Path: "models/orders.yaml"}},
		},
		{
			name:   "short file renamed with a new name",
			before: map[string]string{"models/accounts.yaml": tableModel("Accounts", "public.accounts", "account_id")},
			after:  map[string]string{"models/companies.yaml": tableModel("Companies", "public.accounts", "account_id")},
			want:   []Change{{Status: Renamed, Path: "models/companies.yaml", OldPath: "models/accounts.yaml"}},
		},
		{
			name:   "file becomes symlink",
			before: map[string]string{"manifest.yaml": "a: 1\n"},
			after:  map[string]string{"manifest.yaml": "->other.yaml", "other.yaml": "b: 2\n"},
			want:   []Change{{Status: Modified, Path: "manifest.yaml"}, {Status: Added, Path: "other.yaml"}},
		},
		{
			name: "sorted by path",
			before: map[string]string{
				"syncs/z.yaml": "model: z\n", "models/m.yaml": model("m"), "manifest.yaml": "a: 1\n",
			},
			after: map[string]string{
				"syncs/z.yaml": "model: zz\n", "models/a.yaml": "new\n", "manifest-prod.yaml": "b: 1\n",
			},
			want: []Change{
				{Status: Added, Path: "manifest-prod.yaml"},
				{Status: Deleted, Path: "manifest.yaml"},
				{Status: Added, Path: "models/a.yaml"},
				{Status: Deleted, Path: "models/m.yaml"},
				{Status: Modified, Path: "syncs/z.yaml"},
			},
		},
		{
			name: "outside prefix ignored",
			before: map[string]string{
				"hightouch/models/m.yaml": model("m"), "README.md": "hi\n", "hightouchx/models/m.yaml": model("x"),
			},
			after: map[string]string{
				"hightouch/models/m.yaml": model("m2"), "README.md": "hello\n", "hightouchx/models/m.yaml": model("x2"),
				"other/models/n.yaml": model("n"), "hightouch.yaml": "x\n",
			},
			prefix: "hightouch",
			want:   []Change{{Status: Modified, Path: "hightouch/models/m.yaml"}},
		},
		{
			name:   "prefix spelled with slashes",
			before: map[string]string{"ht/models/m.yaml": model("m"), "models/m.yaml": model("m")},
			after:  map[string]string{"ht/models/m.yaml": model("m2"), "models/m.yaml": model("m2")},
			prefix: "./ht/",
			want:   []Change{{Status: Modified, Path: "ht/models/m.yaml"}},
		},
		{
			name:   "dot prefix is everything",
			before: map[string]string{"ht/models/m.yaml": model("m"), "models/m.yaml": model("m")},
			after:  map[string]string{"ht/models/m.yaml": model("m2"), "models/m.yaml": model("m2")},
			prefix: ".",
			want:   []Change{{Status: Modified, Path: "ht/models/m.yaml"}, {Status: Modified, Path: "models/m.yaml"}},
		},
		{
			name:   "rename within prefix",
			before: map[string]string{"ht/models/a.yaml": model("a")},
			after:  map[string]string{"ht/models/b.yaml": model("a")},
			prefix: "ht",
			want:   []Change{{Status: Renamed, Path: "ht/models/b.yaml", OldPath: "ht/models/a.yaml"}},
		},
		{
			name:   "rename into prefix is an add",
			before: map[string]string{"drafts/a.yaml": model("a")},
			after:  map[string]string{"ht/models/a.yaml": model("a")},
			prefix: "ht",
			want:   []Change{{Status: Added, Path: "ht/models/a.yaml"}},
		},
		{
			name:   "rename out of prefix is a delete",
			before: map[string]string{"ht/models/a.yaml": model("a")},
			after:  map[string]string{"attic/a.yaml": model("a")},
			prefix: "ht",
			want:   []Change{{Status: Deleted, Path: "ht/models/a.yaml"}},
		},
		{
			name: "odd names",
			before: map[string]string{
				"models/my model.yaml": model("a"), "models/ünï cödé ✓.yaml": model("u"), "syncs/tab\tq\"uote.yaml": "x\n",
			},
			after: map[string]string{
				"models/my model.yaml": model("a2"), "models/日本 語.yaml": model("u"), "syncs/tab\tq\"uote.yaml": "y\n",
				"syncs/new\nline.yaml": "z\n",
			},
			want: []Change{
				{Status: Modified, Path: "models/my model.yaml"},
				{Status: Renamed, Path: "models/日本 語.yaml", OldPath: "models/ünï cödé ✓.yaml"},
				{Status: Added, Path: "syncs/new\nline.yaml"},
				{Status: Modified, Path: "syncs/tab\tq\"uote.yaml"},
			},
		},
		{
			name:   "no changes",
			before: map[string]string{"models/a.yaml": model("a")},
			after:  map[string]string{"models/a.yaml": model("a")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, from := gittest.Seed(t, tt.before)
			to := commitFiles(t, dir, tt.after)
			d, err := Changes(testCtx(t), dir, from, to, Options{Prefix: tt.prefix})
			if err != nil {
				t.Fatal(err)
			}
			if d.Base != from || d.Head != to || d.MergeBaseFallback {
				t.Errorf("compared %s..%s (fallback %v), want %s..%s", d.Base, d.Head, d.MergeBaseFallback, from, to)
			}
			if !slices.Equal(d.Changes, tt.want) {
				t.Errorf("changes:\n got %q\nwant %q", d.Changes, tt.want)
			}
		})
	}
}

func TestChangesRevisionsAndSubdir(t *testing.T) {
	t.Parallel()
	dir, _ := gittest.Seed(t, map[string]string{"ht/models/a.yaml": model("a")})
	commitFiles(t, dir, map[string]string{"ht/models/a.yaml": model("b")})
	// Symbolic revisions work, and paths stay repo-relative when run from a
	// subfolder.
	d, err := Changes(testCtx(t), filepath.Join(dir, "ht"), "HEAD~1", "main", Options{Prefix: "ht"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []Change{{Status: Modified, Path: "ht/models/a.yaml"}}; !slices.Equal(d.Changes, want) {
		t.Errorf("got %q, want %q", d.Changes, want)
	}
}

func TestChangesErrors(t *testing.T) {
	t.Parallel()
	dir, head := gittest.Seed(t, map[string]string{"a": "1"})
	ctx := testCtx(t)

	zero := strings.Repeat("0", 40)
	_, err := Changes(ctx, dir, zero, head, Options{})
	// The caller offers its own way around (a flag, an Action input).
	if !errors.Is(err, ErrNewBranch) || strings.Contains(err.Error(), "--all") {
		t.Errorf("zero from: got %v, want ErrNewBranch naming no flag", err)
	}
	if _, err := Changes(ctx, dir, head, zero, Options{}); err == nil {
		t.Error("zero to: no error")
	}

	_, err = Changes(ctx, dir, "no-such-branch", head, Options{})
	mc, ok := asMissing(err)
	if !ok || mc.Commit != "no-such-branch" || mc.Shallow || !strings.Contains(err.Error(), "no-such-branch") {
		t.Errorf("unknown revision: got %#v", err)
	}

	// Both revisions are resolved by one git process; the error still
	// names the one that is missing, and a revision that names no commit
	// (a file at a commit) is missing as a commit.
	for _, to := range []string{"no-such-branch", head + ":a"} {
		_, err = Changes(ctx, dir, head, to, Options{})
		if mc, ok := asMissing(err); !ok || mc.Commit != to {
			t.Errorf("unknown revision to %s: got %#v", to, err)
		}
	}

	if _, err := Changes(ctx, dir, "--output=x", head, Options{}); err == nil || errors.As(err, &mc) {
		t.Errorf("option-like revision: got %v, want a plain error", err)
	}
	if _, err := Changes(ctx, dir, head, head, Options{Prefix: "../x"}); err == nil {
		t.Error("prefix outside the repository: no error")
	}
	if _, err := Changes(ctx, t.TempDir(), head, head, Options{}); !errors.Is(err, ErrNotRepo) {
		t.Errorf("outside a repository: got %v, want ErrNotRepo", err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Changes(cancelled, dir, head, head, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

func TestIsZero(t *testing.T) {
	for sha, want := range map[string]bool{
		strings.Repeat("0", 40): true,
		strings.Repeat("0", 64): true,
		strings.Repeat("0", 39): false,
		strings.Repeat("0", 41): false,
		"":                      false,
		"0000000000000000000000000000000000000001": false,
	} {
		if got := IsZero(sha); got != want {
			t.Errorf("IsZero(%q) = %v, want %v", sha, got, want)
		}
	}
}

// branched makes main and feature diverge from a common base: feature
// changes a, main then changes b and adds c.
func branched(t *testing.T) (dir, base, mainTip, featureTip string) {
	dir = gittest.Init(t)
	base = commitFiles(t, dir, map[string]string{"a": model("a"), "b": model("b")})
	gittest.Run(t, dir, "checkout", "-q", "-b", "feature")
	featureTip = commitFiles(t, dir, map[string]string{"a": model("a2"), "b": model("b")})
	gittest.Run(t, dir, "checkout", "-q", "main")
	mainTip = commitFiles(t, dir, map[string]string{"a": model("a"), "b": model("b2"), "c": "new\n"})
	return dir, base, mainTip, featureTip
}

func TestChangesMergeBase(t *testing.T) {
	t.Parallel()
	dir, base, mainTip, featureTip := branched(t)
	ctx := testCtx(t)

	d, err := Changes(ctx, dir, "main", "feature", Options{MergeBase: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Base != base || d.Head != featureTip || d.MergeBaseFallback {
		t.Errorf("compared %s..%s (fallback %v), want merge base %s..%s", d.Base, d.Head, d.MergeBaseFallback, base, featureTip)
	}
	if want := []Change{{Status: Modified, Path: "a"}}; !slices.Equal(d.Changes, want) {
		t.Errorf("three-dot: got %q, want %q", d.Changes, want)
	}

	d, err = Changes(ctx, dir, mainTip, featureTip, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{Status: Modified, Path: "a"}, {Status: Modified, Path: "b"}, {Status: Deleted, Path: "c"}}
	if !slices.Equal(d.Changes, want) {
		t.Errorf("two-dot: got %q, want %q", d.Changes, want)
	}
}

func TestShallowClone(t *testing.T) {
	t.Parallel()
	src, from := gittest.Seed(t, map[string]string{"models/a.yaml": model("a")})
	to := commitFiles(t, src, map[string]string{"models/a.yaml": model("a2"), "syncs/s.yaml": "model: a\n"})
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Run(t, src, "clone", "-q", "--depth=1", "file://"+filepath.ToSlash(src), clone)
	ctx := testCtx(t)

	_, err := Changes(ctx, clone, from, to, Options{})
	if mc, ok := asMissing(err); !ok || !mc.Shallow || mc.Commit != from {
		t.Fatalf("before fetching: got %v, want a shallow *MissingCommitError for %s", err, from)
	}
	if !strings.Contains(err.Error(), "fetch-depth") {
		t.Errorf("error does not say what to do: %v", err)
	}

	if err := EnsureCommit(ctx, clone, from); err != nil {
		t.Fatal(err)
	}
	if err := EnsureCommit(ctx, clone, from); err != nil {
		t.Fatalf("second time, already present: %v", err)
	}
	d, err := Changes(ctx, clone, from, to, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{Status: Modified, Path: "models/a.yaml"}, {Status: Added, Path: "syncs/s.yaml"}}
	if !slices.Equal(d.Changes, want) {
		t.Errorf("got %q, want %q", d.Changes, want)
	}
	if got, err := Show(ctx, clone, from, "models/a.yaml"); err != nil || string(got) != model("a") {
		t.Errorf("Show of the fetched commit: %q, %v", got, err)
	}

	nowhere := strings.Repeat("ab", 20)
	err = EnsureCommit(ctx, clone, nowhere)
	mc, ok := asMissing(err)
	if !ok || !mc.Shallow || mc.Commit != nowhere || !slices.Equal(mc.Remotes, []string{"origin"}) || mc.Detail == "" {
		t.Fatalf("commit that exists nowhere: got %#v", err)
	}
	for _, s := range []string{nowhere, "shallow", "fetch-depth: 0", "origin"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	if strings.Contains(err.Error(), "--all") {
		t.Errorf("error %q names a flag; the caller adds its own advice", err)
	}

	if err := EnsureCommit(ctx, clone, "main~3"); !errors.As(err, &mc) {
		t.Errorf("abbreviated revision: got %v, want *MissingCommitError", err)
	}
}

func TestEnsureCommitRemotes(t *testing.T) {
	t.Parallel()
	src, from := gittest.Seed(t, map[string]string{"a": "1"})
	commitFiles(t, src, map[string]string{"a": "2"})
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Run(t, src, "clone", "-q", "--depth=1", "file://"+filepath.ToSlash(src), clone)
	gittest.Run(t, clone, "remote", "set-url", "origin", filepath.Join(t.TempDir(), "gone"))
	gittest.Run(t, clone, "remote", "add", "upstream", "file://"+filepath.ToSlash(src))
	ctx := testCtx(t)

	if err := EnsureCommit(ctx, clone, from); err != nil {
		t.Fatalf("origin broken, upstream has it: %v", err)
	}

	noRemote := filepath.Join(t.TempDir(), "noremote")
	gittest.Run(t, src, "clone", "-q", "--depth=1", "file://"+filepath.ToSlash(src), noRemote)
	gittest.Run(t, noRemote, "remote", "remove", "origin")
	err := EnsureCommit(ctx, noRemote, from)
	if mc, ok := asMissing(err); !ok || len(mc.Remotes) != 0 || !mc.Shallow {
		t.Errorf("no remotes: got %#v", err)
	}
}

func TestEnsureCommitFullClone(t *testing.T) {
	t.Parallel()
	src, _ := gittest.Seed(t, map[string]string{"a": "1"})
	// A commit only reachable from a branch the clone was not given, as a
	// force-pushed-away "before" would be.
	gittest.Run(t, src, "checkout", "-q", "-b", "side")
	side := commitFiles(t, src, map[string]string{"a": "side"})
	gittest.Run(t, src, "checkout", "-q", "main")
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Run(t, src, "clone", "-q", "--single-branch", "--branch", "main", "file://"+filepath.ToSlash(src), clone)
	ctx := testCtx(t)

	if err := EnsureCommit(ctx, clone, side); err != nil {
		t.Fatal(err)
	}
	if got := gittest.Run(t, clone, "rev-parse", "--is-shallow-repository"); got != "false" {
		t.Errorf("fetching made a full clone shallow")
	}
	if _, err := Changes(ctx, clone, "main", side, Options{MergeBase: true}); err != nil {
		t.Error(err)
	}
}

func TestMergeBaseFallbackInShallowClone(t *testing.T) {
	t.Parallel()
	src, _, mainTip, featureTip := branched(t)
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Run(t, src, "clone", "-q", "--depth=1", "--branch", "feature", "file://"+filepath.ToSlash(src), clone)
	ctx := testCtx(t)

	if err := EnsureCommit(ctx, clone, mainTip); err != nil {
		t.Fatal(err)
	}
	d, err := Changes(ctx, clone, mainTip, featureTip, Options{MergeBase: true})
	if err != nil {
		t.Fatal(err)
	}
	if !d.MergeBaseFallback || d.Base != mainTip || d.Head != featureTip {
		t.Errorf("compared %s..%s (fallback %v), want the two-dot fallback %s..%s", d.Base, d.Head, d.MergeBaseFallback, mainTip, featureTip)
	}
	want := []Change{{Status: Modified, Path: "a"}, {Status: Modified, Path: "b"}, {Status: Deleted, Path: "c"}}
	if !slices.Equal(d.Changes, want) {
		t.Errorf("got %q, want %q", d.Changes, want)
	}
}

func TestShow(t *testing.T) {
	t.Parallel()
	dir, first := gittest.Seed(t, map[string]string{"models/ä b.yaml": model("a"), "models/gone.yaml": "x\n"})
	second := commitFiles(t, dir, map[string]string{"models/ä b.yaml": model("b")})
	ctx := testCtx(t)

	for rev, want := range map[string]string{first: model("a"), second: model("b"), "HEAD~1": model("a")} {
		got, err := Show(ctx, filepath.Join(dir, "models"), rev, "models/ä b.yaml")
		if err != nil || string(got) != want {
			t.Errorf("Show at %s: %q, %v; want %q", rev, got, err, want)
		}
	}
	for _, p := range []string{"models/gone.yaml", "models", "nope/x.yaml"} {
		if _, err := Show(ctx, dir, second, p); !errors.Is(err, ErrNotExist) || !strings.Contains(err.Error(), p) {
			t.Errorf("Show %s: got %v, want ErrNotExist naming the path", p, err)
		}
	}
	if _, err := Show(ctx, dir, second, "./models/../x"); err == nil || errors.Is(err, ErrNotExist) {
		t.Errorf("unclean path: got %v", err)
	}
	if _, err := Show(ctx, dir, "no-such-rev", "models/gone.yaml"); !errors.As(err, new(*MissingCommitError)) {
		t.Errorf("unknown revision: got %v", err)
	}
}

func TestTopLevel(t *testing.T) {
	dir := gittest.Init(t)
	sub := filepath.Join(dir, "hightouch", "models")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	// A hook's GIT_DIR must not redirect git away from the directory given.
	t.Setenv("GIT_DIR", filepath.Join(gittest.Init(t), ".git"))
	ctx := testCtx(t)

	got, err := TopLevel(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.EvalSymlinks(dir)
	if got, _ := filepath.EvalSymlinks(got); got != want {
		t.Errorf("TopLevel = %s, want %s", got, want)
	}
	if _, err := TopLevel(ctx, t.TempDir()); !errors.Is(err, ErrNotRepo) {
		t.Errorf("outside a repository: got %v, want ErrNotRepo", err)
	}
}

// asMissing is errors.As for *MissingCommitError (go.mod's Go 1.25 has no
// errors.AsType).
func asMissing(err error) (*MissingCommitError, bool) {
	var mc *MissingCommitError
	ok := errors.As(err, &mc)
	return mc, ok
}

// TestStaged: the index's changes against HEAD, deletions and renames
// included (what pre-commit never passes a hook), limited to the prefix;
// before the first commit every staged file is added.
func TestStaged(t *testing.T) {
	ctx := testCtx(t)
	dir := gittest.Init(t)
	gittest.Write(t, dir, map[string]string{"ht/models/a.yaml": model("A"), "ht/models/b.yaml": model("B"), "other/x.yaml": "x: 1\n"})
	gittest.Run(t, dir, "add", "-A")
	got, err := Staged(ctx, dir, Options{Prefix: "ht"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{Status: Added, Path: "ht/models/a.yaml"}, {Status: Added, Path: "ht/models/b.yaml"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("before the first commit: got %+v, want %+v", got, want)
	}
	gittest.Run(t, dir, "commit", "-q", "-m", "first")

	gittest.Run(t, dir, "rm", "-q", "ht/models/a.yaml")
	gittest.Run(t, dir, "mv", "ht/models/b.yaml", "ht/models/c.yaml")
	gittest.Write(t, dir, map[string]string{"ht/syncs/s.yaml": "model: c\n", "other/x.yaml": "x: 2\n"})
	gittest.Run(t, dir, "add", "ht/syncs/s.yaml", "other/x.yaml")
	gittest.Write(t, dir, map[string]string{"ht/syncs/unstaged.yaml": "model: c\n"})
	got, err = Staged(ctx, dir, Options{Prefix: "ht"})
	if err != nil {
		t.Fatal(err)
	}
	want = []Change{
		{Status: Deleted, Path: "ht/models/a.yaml"},
		{Status: Renamed, Path: "ht/models/c.yaml", OldPath: "ht/models/b.yaml"},
		{Status: Added, Path: "ht/syncs/s.yaml"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("staged deletion, rename and addition: got %+v, want %+v", got, want)
	}
	if _, err := Staged(ctx, t.TempDir(), Options{}); !errors.Is(err, ErrNotRepo) {
		t.Errorf("outside a repository: %v, want ErrNotRepo", err)
	}
}
