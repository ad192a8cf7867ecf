package dbt

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ProjectFile is the file that makes a folder a dbt project.
const ProjectFile = "dbt_project.yml"

// Project is what htgit reads of a dbt project without compiling it.
type Project struct {
	Dir        string   // absolute
	Name       string   // the package name model ids start with
	ModelPaths []string // relative to Dir, forward slashes
	// Unsure says why the model files may not give every model id (a
	// model path set by Jinja); empty when they do.
	Unsure string
}

// ReadProject reads dir's dbt_project.yml.
func ReadProject(dir string) (*Project, error) {
	src, err := os.ReadFile(filepath.Join(dir, ProjectFile))
	if err != nil {
		return nil, err
	}
	var raw struct {
		Name       string   `yaml:"name"`
		ModelPaths []string `yaml:"model-paths"`
		SourcePath []string `yaml:"source-paths"` // before dbt 1.0
	}
	if err := yaml.Unmarshal(src, &raw); err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %v", filepath.Join(dir, ProjectFile), err)
	}
	if raw.Name == "" {
		return nil, fmt.Errorf("%s has no name: dbt requires one", filepath.Join(dir, ProjectFile))
	}
	p := &Project{Dir: dir, Name: raw.Name, ModelPaths: raw.ModelPaths}
	if len(p.ModelPaths) == 0 {
		p.ModelPaths = raw.SourcePath
	}
	if len(p.ModelPaths) == 0 {
		p.ModelPaths = []string{"models"}
	}
	for i, mp := range p.ModelPaths {
		if strings.Contains(mp, "{{") {
			p.Unsure = fmt.Sprintf("model-paths entry %q is set by Jinja", mp)
		}
		p.ModelPaths[i] = path.Clean(filepath.ToSlash(mp))
	}
	return p, nil
}

// versioned is a versioned model's file name: dim_users_v2.
var versioned = regexp.MustCompile(`^(.+)_v(\d+)$`)

// IDs are the model ids a model file's name gives: model.<project>.<stem>,
// and for a versioned file (dim_users_v2) version 2 of dim_users too, which
// dbt names model.<project>.dim_users.v2.
func (p *Project) IDs(file string) []string {
	stem := strings.TrimSuffix(path.Base(file), path.Ext(file))
	ids := []string{"model." + p.Name + "." + stem}
	if m := versioned.FindStringSubmatch(stem); m != nil {
		ids = append(ids, "model."+p.Name+"."+m[1]+".v"+m[2])
	}
	return ids
}

// IsModelFile reports whether rel (relative to the project, forward
// slashes) is a model file: .sql or .py under a model path.
func (p *Project) IsModelFile(rel string) bool {
	if ext := path.Ext(rel); ext != ".sql" && ext != ".py" {
		return false
	}
	return slices.ContainsFunc(p.ModelPaths, func(mp string) bool { return mp == "." || strings.HasPrefix(rel, mp+"/") })
}

// ModelFiles maps every model id the project's model files give to its
// file (relative to the project). unreadable lists the folders it could not
// list: what they hold is unknown.
func (p *Project) ModelFiles() (ids map[string]string, unreadable []string) {
	ids = map[string]string{}
	fsys := os.DirFS(p.Dir)
	for _, mp := range p.ModelPaths {
		err := fs.WalkDir(fsys, mp, func(rel string, d fs.DirEntry, err error) error {
			switch {
			case err != nil && rel == mp && errors.Is(err, fs.ErrNotExist):
				return nil // dbt allows a model path that does not exist
			case err != nil:
				unreadable = append(unreadable, rel)
				return fs.SkipDir
			case d.IsDir() && rel != mp && strings.HasPrefix(d.Name(), "."):
				return fs.SkipDir
			case !d.IsDir() && p.IsModelFile(rel):
				for _, id := range p.IDs(rel) {
					if _, seen := ids[id]; !seen {
						ids[id] = rel
					}
				}
			}
			return nil
		})
		if err != nil {
			unreadable = append(unreadable, mp)
		}
	}
	return ids, unreadable
}

// skipDirs are folders a dbt project is never in: installed packages, build
// output, dependencies of other tools.
var skipDirs = []string{"node_modules", "vendor", "target", "dbt_packages", "dbt_modules", "logs", "venv", "site-packages"}

// maxDepth bounds the search: a dbt project sits at the root or a few
// folders below it, and the pre-commit hook must not walk a monorepo.
const maxDepth = 4

// FindProjects lists the folders below root (at most maxDepth deep) that
// hold a dbt_project.yml, leaving out the folder skip (the Git Sync folder)
// and hidden and dependency folders. Sorted, relative to root.
func FindProjects(root, skip string) []string {
	var found []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil // an unreadable folder holds no project htgit can read
		}
		rel, _ := filepath.Rel(root, p)
		if p != root && (strings.HasPrefix(d.Name(), ".") || slices.Contains(skipDirs, d.Name()) || p == skip) {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(p, ProjectFile)); err == nil {
			found = append(found, filepath.ToSlash(rel))
		}
		if rel != "." && strings.Count(filepath.ToSlash(rel), "/")+1 >= maxDepth {
			return filepath.SkipDir
		}
		return nil
	})
	slices.Sort(found)
	return found
}

// InProject reports whether rel (a file relative to root, forward slashes)
// belongs to a dbt project: under the configured project folder, or below a
// folder holding a dbt_project.yml. It looks only up the file's own path,
// so the pre-commit hook pays a few stats, not a walk of the repository.
func InProject(root, configured, rel string) bool {
	if configured != "" {
		return strings.HasPrefix(rel, path.Clean(configured)+"/")
	}
	for dir := path.Dir(rel); dir != "." && dir != "/"; dir = path.Dir(dir) {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(dir), ProjectFile)); err == nil {
			return true
		}
	}
	return false
}
