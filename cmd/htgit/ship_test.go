package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The release's moving parts name each other: the image the docker hook
// runs is the one the release workflow pushes, at the CHANGELOG's version;
// goreleaser's archive names are the ones the install script asks for.
// No Docker and no GitHub here, so these are read, not run (.ci/run runs a
// goreleaser snapshot).

const releaseImage = "ghcr.io/htgit/htgit"

func readYAML(t *testing.T, rel string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

func TestPreCommitDockerHook(t *testing.T) {
	var hooks []map[string]any
	readYAML(t, ".pre-commit-hooks.yaml", &hooks)
	byID := map[string]map[string]any{}
	for _, h := range hooks {
		byID[h["id"].(string)] = h
	}
	golang, docker := byID["htgit-validate"], byID["htgit-validate-docker"]
	if golang == nil || byID["htgit-validate-system"] == nil || docker == nil {
		t.Fatalf("want the hooks htgit-validate, htgit-validate-system and htgit-validate-docker; have %v", slices.Sorted(maps.Keys(byID)))
	}
	if docker["language"] != "docker_image" {
		t.Errorf("htgit-validate-docker: language %v, want docker_image", docker["language"])
	}
	// The image's entrypoint is htgit: the golang hook's arguments follow the image.
	want := releaseImage + ":" + changelogVersion(t) + strings.TrimPrefix(golang["entry"].(string), "htgit")
	if docker["entry"] != want {
		t.Errorf("htgit-validate-docker: entry %q, want %q (the image this release pushes)", docker["entry"], want)
	}
	for _, k := range []string{"files", "pass_filenames", "always_run", "require_serial", "verbose", "minimum_pre_commit_version"} {
		if docker[k] != golang[k] {
			t.Errorf("htgit-validate-docker: %s %v differs from htgit-validate's %v", k, docker[k], golang[k])
		}
	}
	// pre-commit shows a passing hook's output only when it is verbose:
	// without it a commit's warnings are never seen.
	for id, h := range byID {
		if h["verbose"] != true {
			t.Errorf("%s: verbose %v, want true (warnings on a passing commit)", id, h["verbose"])
		}
	}
	// The README tells Go users to pin a tag; so does the hook that runs their binary.
	desc, _ := byID["htgit-validate-system"]["description"].(string)
	if strings.Contains(desc, "@latest") || !strings.Contains(desc, "@v"+changelogVersion(t)) {
		t.Errorf("htgit-validate-system: description %q, want go install ...@v%s (a pinned tag, as the README says), not @latest", desc, changelogVersion(t))
	}
}

func TestReleaseWorkflow(t *testing.T) {
	src := readFile(t, filepath.Join(repoRoot, ".github", "workflows", "release.yml"))
	var wf struct {
		On struct {
			Push struct {
				Tags []string `yaml:"tags"`
			} `yaml:"push"`
		} `yaml:"on"`
		Permissions map[string]string `yaml:"permissions"`
	}
	readYAML(t, ".github/workflows/release.yml", &wf)
	if len(wf.On.Push.Tags) == 0 || !strings.HasPrefix(wf.On.Push.Tags[0], "v") {
		t.Errorf("release.yml runs on %v, want version tags v*", wf.On.Push.Tags)
	}
	if wf.Permissions["contents"] != "write" || wf.Permissions["packages"] != "write" {
		t.Errorf("release.yml permissions %v: the release needs contents: write and packages: write", wf.Permissions)
	}
	for _, want := range []string{
		"goreleaser/goreleaser-action", "release --clean", // binaries, archives, checksums.txt
		"docker/build-push-action", releaseImage + ":${{ steps.version.outputs.version }}", "VERSION=${{ steps.version.outputs.version }}",
		`git push --force origin "refs/tags/${{ steps.version.outputs.major }}"`, // the moving v1
		"CHANGELOG.md", // the tag must be its version
	} {
		if !strings.Contains(src, want) {
			t.Errorf("release.yml lacks %q", want)
		}
	}
}

func TestGoreleaserConfig(t *testing.T) {
	var cfg struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Main    string   `yaml:"main"`
			Env     []string `yaml:"env"`
			Goos    []string `yaml:"goos"`
			Goarch  []string `yaml:"goarch"`
			Ldflags []string `yaml:"ldflags"`
		} `yaml:"builds"`
		Archives []struct {
			NameTemplate string `yaml:"name_template"`
		} `yaml:"archives"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
		} `yaml:"checksum"`
	}
	readYAML(t, ".goreleaser.yaml", &cfg)
	if cfg.Version != 2 || len(cfg.Builds) != 1 || len(cfg.Archives) != 1 {
		t.Fatalf(".goreleaser.yaml: version %d, %d builds, %d archives; want a v2 config with one of each", cfg.Version, len(cfg.Builds), len(cfg.Archives))
	}
	b := cfg.Builds[0]
	if b.Main != "./cmd/htgit" || !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("build %+v: want main ./cmd/htgit with CGO_ENABLED=0 (static)", b)
	}
	var platforms []string
	for _, p := range releasePlatforms {
		platforms = append(platforms, p[0]+"/"+p[1])
	}
	var built []string
	for _, goos := range b.Goos {
		for _, arch := range b.Goarch {
			built = append(built, goos+"/"+arch)
		}
	}
	slices.Sort(platforms)
	slices.Sort(built)
	if !slices.Equal(built, platforms) {
		t.Errorf("goreleaser builds %v, the install script expects %v", built, platforms)
	}
	if !strings.Contains(strings.Join(b.Ldflags, " "), "-X github.com/htgit/htgit/internal/cli.version={{.Version}}") {
		t.Errorf("ldflags %q do not stamp internal/cli.version with the tag's version", b.Ldflags)
	}
	// The names scripts/install-htgit.sh downloads.
	if cfg.Archives[0].NameTemplate != "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}" || cfg.Checksum.NameTemplate != "checksums.txt" {
		t.Errorf("archive name %q, checksum file %q: the install script asks for htgit_<version>_<os>_<arch> and checksums.txt",
			cfg.Archives[0].NameTemplate, cfg.Checksum.NameTemplate)
	}
}
