package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// A release as scripts/install-htgit.sh downloads it, served from loopback:
// goreleaser's snapshot in dist/ when HTGIT_RELEASE_DIR names it (.ci/run
// does), else a small one built here with the same names and layout.

// release is a directory of release files: checksums.txt and the archives.
type release struct {
	version string
	dir     string
}

var (
	releaseOnce sync.Once
	releaseVal  release
	releaseErr  error
)

// testRelease returns the release the tests serve, made once per process.
func testRelease(t *testing.T) release {
	t.Helper()
	skipShort(t) // it runs go build
	rel, err := makeRelease()
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// makeRelease is testRelease for TestMain, which has no *testing.T.
func makeRelease() (release, error) {
	releaseOnce.Do(func() {
		if dir := os.Getenv("HTGIT_RELEASE_DIR"); dir != "" {
			releaseVal, releaseErr = distRelease(dir)
			return
		}
		var v string
		if v, releaseErr = readChangelogVersion(); releaseErr == nil {
			releaseVal, releaseErr = fakeRelease(v)
		}
	})
	return releaseVal, releaseErr
}

// removeFakeRelease deletes the release fakeRelease made, if any.
func removeFakeRelease() {
	if releaseErr == nil && releaseVal.dir != "" && os.Getenv("HTGIT_RELEASE_DIR") == "" {
		os.RemoveAll(releaseVal.dir)
	}
}

// changelogVersion is the newest released version in CHANGELOG.md, the one
// the install script installs by default.
func changelogVersion(t *testing.T) string {
	t.Helper()
	v, err := readChangelogVersion()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func readChangelogVersion() (string, error) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "CHANGELOG.md"))
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^## \[([0-9][^\]]*)\]`).FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("CHANGELOG.md has no released version (## [1.2.3] - DATE)")
	}
	return string(m[1]), nil
}

// distRelease reads goreleaser's output directory.
func distRelease(dir string) (release, error) {
	b, err := os.ReadFile(filepath.Join(dir, "metadata.json"))
	if err != nil {
		return release{}, fmt.Errorf("HTGIT_RELEASE_DIR: %v", err)
	}
	var meta struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &meta); err != nil || meta.Version == "" {
		return release{}, fmt.Errorf("HTGIT_RELEASE_DIR: metadata.json has no version (%v)", err)
	}
	return release{version: meta.Version, dir: dir}, nil
}

// releasePlatforms are the platforms a release has binaries for.
var releasePlatforms = [][2]string{
	{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}, {"windows", "arm64"},
}

// fakeRelease packs the binary TestMain built (stamped with version, linked
// with -s as .goreleaser.yaml links) as goreleaser does:
// htgit_<version>_<os>_<arch>.tar.gz (zip on Windows) and checksums.txt.
// Every archive holds this machine's binary, so any of them runs here.
func fakeRelease(version string) (release, error) {
	dir, err := os.MkdirTemp("", "htgit-release-")
	if err != nil {
		return release{}, err
	}
	exe, err := os.ReadFile(binary)
	if err != nil {
		return release{}, err
	}
	// The same archive bytes serve every OS of a kind: packing is the slow part.
	license := []byte("Apache-2.0\n")
	unix, err := tarGz(map[string][]byte{"htgit": exe, "LICENSE": license})
	if err != nil {
		return release{}, err
	}
	windows, err := zipOf(map[string][]byte{"htgit.exe": exe, "LICENSE": license})
	if err != nil {
		return release{}, err
	}
	var sums []string
	for _, p := range releasePlatforms {
		name, data := fmt.Sprintf("htgit_%s_%s_%s.tar.gz", version, p[0], p[1]), unix
		if p[0] == "windows" {
			name, data = strings.TrimSuffix(name, ".tar.gz")+".zip", windows
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return release{}, err
		}
		sum := sha256.Sum256(data)
		sums = append(sums, hex.EncodeToString(sum[:])+"  "+name+"\n")
	}
	slices.Sort(sums)
	if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(strings.Join(sums, "")), 0o644); err != nil {
		return release{}, err
	}
	// As goreleaser writes it, so that HTGIT_RELEASE_DIR can name this one
	// too (the composite run reads its parent's).
	meta, err := json.Marshal(map[string]string{"version": version})
	if err != nil {
		return release{}, err
	}
	return release{version: version, dir: dir}, os.WriteFile(filepath.Join(dir, "metadata.json"), meta, 0o644)
}

func tarGz(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	// Stored, not compressed: still gzip for `tar -xz`, and packing and
	// each install's unpacking no longer spend CPU on 20 MB of deflate.
	gz, err := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(gz)
	for _, name := range sortedKeys(files) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(files[name])), Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(files[name]); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func zipOf(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedKeys(files) {
		h := &zip.FileHeader{Name: name, Method: zip.Store} // as tarGz: no deflate
		h.SetMode(0o755)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[name]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sortedKeys(m map[string][]byte) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// serveMode is how a releaseServer misbehaves.
type serveMode int

const (
	serveOK       serveMode = iota
	serveTampered           // checksums.txt with every digest changed
	serveFailing            // 500 to every request
)

// releaseServer serves rel at <URL>/v<version>/<file>, as GitHub serves
// release assets, and records the paths asked for.
type releaseServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []string
}

func newReleaseServer(t *testing.T, rel release, mode serveMode) *releaseServer {
	t.Helper()
	s := &releaseServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.URL.Path)
		s.mu.Unlock()
		if mode == serveFailing {
			http.Error(w, "release storage is down", http.StatusInternalServerError)
			return
		}
		name, ok := strings.CutPrefix(r.URL.Path, "/v"+rel.version+"/")
		if !ok || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		data, err := os.ReadFile(filepath.Join(rel.dir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if mode == serveTampered && name == "checksums.txt" {
			// Flip the first hex digit of every line's digest.
			lines := strings.SplitAfter(string(data), "\n")
			for i, l := range lines {
				if l != "" {
					lines[i] = string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", l[0])+1)%16]) + l[1:]
				}
			}
			data = []byte(strings.Join(lines, ""))
		}
		w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

// paths returns the paths requested so far.
func (s *releaseServer) paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// installEnv is the environment the install script needs to install rel
// from srv into cache: HTGIT_VERSION only when rel is not the CHANGELOG's
// version (goreleaser's snapshot), so the default is what is tested.
func installEnv(t *testing.T, rel release, srv *releaseServer, cache string) map[string]string {
	t.Helper()
	env := map[string]string{
		"HTGIT_DOWNLOAD_BASE": srv.URL, "RUNNER_TOOL_CACHE": cache, "RUNNER_TEMP": t.TempDir(),
		"HTGIT_RETRY_DELAY": "1",
	}
	if rel.version != changelogVersion(t) {
		env["HTGIT_VERSION"] = rel.version
	}
	return env
}

// installScript is the script's absolute path (the Action's GITHUB_ACTION_PATH
// is absolute too).
func installScript(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(repoRoot, "scripts", "install-htgit.sh"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
