package gitdiff

import (
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseNameStatus reads arbitrary bytes as `git diff-tree -z
// --name-status -M` output: never a crash, and what it reads, written back
// in git's format, reads the same.
func FuzzParseNameStatus(f *testing.F) {
	// Output naming the example workspace's files, in every status git
	// writes (a rename with its similarity score, a type change as T).
	var paths []string
	err := filepath.WalkDir(filepath.Join("..", "..", "testdata", "example"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, filepath.ToSlash(p[len("../../testdata/example/"):]))
		}
		return err
	})
	if err != nil || len(paths) < 4 {
		f.Fatalf("example workspace: %v, %d files", err, len(paths))
	}
	f.Add([]byte("A\x00" + paths[0] + "\x00M\x00" + paths[1] + "\x00D\x00" + paths[2] + "\x00R087\x00" + paths[3] + "\x00hightouch/" + paths[3] + "\x00T\x00" + paths[0] + "\x00"))
	for _, seed := range []string{"", "M\x00a", "R100\x00a\x00", "X\x00a\x00", "\x00\x00", "M\x00caf\xc3\xa9 \"q\".yaml\x00"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, out []byte) {
		changes, err := parseNameStatus(out)
		if err != nil {
			return
		}
		var again strings.Builder
		for _, c := range changes {
			switch c.Status {
			case Added:
				again.WriteString("A\x00" + c.Path + "\x00")
			case Modified:
				again.WriteString("M\x00" + c.Path + "\x00")
			case Deleted:
				again.WriteString("D\x00" + c.Path + "\x00")
			case Renamed:
				again.WriteString("R100\x00" + c.OldPath + "\x00" + c.Path + "\x00")
			case Current:
				t.Fatalf("%q: git diff-tree output read as the status current", out)
			default:
				t.Fatalf("%q: a change of status %v", out, c.Status)
			}
		}
		reread, err := parseNameStatus([]byte(again.String()))
		if err != nil || !reflect.DeepEqual(reread, changes) {
			t.Fatalf("%q reads as %+v; written back as %q it reads as %+v, %v", out, changes, again.String(), reread, err)
		}
	})
}
