// Package config reads .htgit.yaml, the one place a repository says where its
// Git Sync folder is, which files to leave out and how rules are reported, so
// the pre-commit hook, the Action and a command line read the same settings.
// It knows the rule registry (to refuse unknown ids) and nothing of the
// workspace.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

// FileName is the configuration's name at the repository root.
const FileName = ".htgit.yaml"

// Config is what a configuration file says. The zero Config changes nothing.
type Config struct {
	File    string       // where it was read from; "" when there was none
	Path    string       // the Git Sync folder relative to the root
	Exclude []string     // doublestar globs, as --exclude
	Policy  rules.Policy // rule levels and ignores (Strict is the command line's)
	// Workspaces are the Hightouch workspaces sharing the Git Sync folder,
	// as declared; none: one workspace, its key in HIGHTOUCH_API_KEY.
	Workspaces []Workspace
}

// Workspace is one Hightouch workspace sharing the Git Sync folder: its
// manifest-<Name>.yaml, the branch its Git Sync tracks, and where its key
// is, never the key itself.
type Workspace struct {
	Name      string
	Branch    string
	APIKeyEnv string // the environment variable holding its API key
	APIURL    string // "" for the default
	// Line and Col are where it is declared, for what is found wrong later
	// (a missing manifest).
	Line, Col int
}

// Tracking returns the workspace whose Git Sync tracks branch.
func (c *Config) Tracking(branch string) (Workspace, bool) {
	for _, w := range c.Workspaces {
		if w.Branch == branch {
			return w, true
		}
	}
	return Workspace{}, false
}

// Named returns the workspace called name.
func (c *Config) Named(name string) (Workspace, bool) {
	for _, w := range c.Workspaces {
		if w.Name == name {
			return w, true
		}
	}
	return Workspace{}, false
}

// Errorf is a problem found later with what the configuration declares at
// line:col (a workspace whose manifest is missing).
func (c *Config) Errorf(line, col int, format string, args ...any) *Error {
	return &Error{File: c.File, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// Error is a problem in a configuration file, at a position in it.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// MaxSize bounds a configuration file: a real one is a few hundred bytes,
// and a link to /dev/zero must not exhaust memory.
const MaxSize = 1 << 20

// Load reads the configuration: file when it is given (it must exist), else
// FileName in root when it exists, else the zero Config. The file found in
// root must resolve inside root and be a regular file: a link out of the
// repository would read (and echo in errors) any file htgit can read. A
// file named by --config is the user's choice and may be anywhere. Either
// is read up to MaxSize.
func Load(root, file string) (*Config, error) {
	if file == "" {
		file = filepath.Join(root, FileName)
		// A root that is not a folder is Discover's to report.
		if _, err := os.Lstat(file); errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return &Config{}, nil
		}
		if err := inside(root, file); err != nil {
			return nil, err
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, &Error{File: file, Msg: fmt.Sprintf("cannot read the configuration: %v", errors.Unwrap(err))}
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	switch {
	case err != nil:
		return nil, &Error{File: file, Msg: fmt.Sprintf("cannot read the configuration: %v", errors.Unwrap(err))}
	case len(src) > MaxSize:
		return nil, &Error{File: file, Msg: fmt.Sprintf("the configuration is larger than %d bytes; it is a few lines of settings", MaxSize)}
	}
	return Parse(file, src)
}

// inside refuses root's configuration when it is not a regular file inside
// root once links are resolved.
func inside(root, file string) error {
	real, err := filepath.EvalSymlinks(file)
	if err != nil {
		return &Error{File: file, Msg: fmt.Sprintf("cannot read the configuration: %v", errors.Unwrap(err))}
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return &Error{File: file, Msg: fmt.Sprintf("cannot read the configuration: %v", errors.Unwrap(err))}
	}
	if rel, err := filepath.Rel(realRoot, real); err != nil || !filepath.IsLocal(rel) {
		return &Error{File: file, Msg: "the configuration is a link to a file outside the repository; htgit does not read it: copy the file into the repository, or name it with --config"}
	}
	if st, err := os.Stat(real); err != nil || !st.Mode().IsRegular() {
		return &Error{File: file, Msg: "the configuration is not a regular file; htgit reads only a file here, or one named with --config"}
	}
	return nil
}

// Parse reads a configuration's source; file names it in errors.
func Parse(file string, src []byte) (*Config, error) {
	cfg := &Config{File: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		// yaml.v3 names a line but no column; at the end of the input it
		// names the blank line after the last, below the unclosed bracket.
		line, msg := workspace.SyntaxLine(err)
		lines := bytes.Split(src, []byte("\n"))
		for line > 1 && (line > len(lines) || len(bytes.TrimSpace(lines[line-1])) == 0) {
			line--
		}
		return nil, &Error{File: file, Line: line, Col: 1, Msg: "not valid YAML: " + msg}
	}
	if len(doc.Content) == 0 {
		return cfg, nil // an empty file configures nothing
	}
	p := &parser{file: file}
	root := doc.Content[0]
	p.mapping(root, "the configuration", func(key, val *yaml.Node) {
		switch key.Value {
		case "path":
			cfg.Path = p.str(val, "path")
		case "exclude":
			cfg.Exclude = p.globs(val, "exclude")
		case "rules":
			cfg.Policy.Levels = p.levels(val)
		case "ignore":
			cfg.Policy.Ignore = p.ignores(val)
		case "workspaces":
			cfg.Workspaces = p.workspaces(val)
		default:
			p.fail(key, "unknown key %q; the keys are path, exclude, rules, ignore and workspaces", key.Value)
		}
	})
	if p.err != nil {
		return nil, p.err
	}
	return cfg, nil
}

// parser keeps the first error; later problems are usually its echoes.
type parser struct {
	file string
	err  *Error
}

func (p *parser) fail(n *yaml.Node, format string, args ...any) {
	if p.err == nil {
		p.err = &Error{File: p.file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)}
	}
}

func (p *parser) mapping(n *yaml.Node, what string, each func(key, val *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, "%s must be a mapping", what)
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i]
		if seen[key.Value] {
			p.fail(key, "%q is given twice", key.Value)
		}
		seen[key.Value] = true
		each(key, n.Content[i+1])
	}
}

func (p *parser) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		p.fail(n, "%s must be a string", what)
		return ""
	}
	return n.Value
}

func (p *parser) globs(n *yaml.Node, what string) []string {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, "%s must be a list of globs, e.g. [\"syncs/legacy/**\"]", what)
		return nil
	}
	var out []string
	for _, item := range n.Content {
		g := p.str(item, what+" entries")
		if g != "" && !doublestar.ValidatePattern(g) {
			p.fail(item, "%q is not a valid glob", g)
		}
		out = append(out, g)
	}
	return out
}

func (p *parser) rule(n *yaml.Node) string {
	id := p.str(n, "a rule id")
	if _, ok := rules.Lookup(id); !ok && p.err == nil {
		p.fail(n, "unknown rule %q; `htgit rules` lists every rule id", id)
	}
	return id
}

func (p *parser) levels(n *yaml.Node) map[string]rules.Level {
	levels := map[string]rules.Level{}
	p.mapping(n, "rules", func(key, val *yaml.Node) {
		id := p.rule(key)
		level, ok := rules.Levels[val.Value]
		if val.Kind != yaml.ScalarNode || !ok {
			p.fail(val, "rule %s: %q is not a level; write off, warning or error", id, val.Value)
		}
		levels[id] = level
	})
	return levels
}

func (p *parser) ignores(n *yaml.Node) []rules.Ignore {
	if n.Kind != yaml.SequenceNode {
		p.fail(n, "ignore must be a list of {rule: ID, paths: [GLOB, ...]}")
		return nil
	}
	var out []rules.Ignore
	for _, item := range n.Content {
		var ig rules.Ignore
		p.mapping(item, "an ignore entry", func(key, val *yaml.Node) {
			switch key.Value {
			case "rule":
				ig.Rule = p.rule(val)
			case "paths":
				ig.Paths = p.globs(val, "paths")
			default:
				p.fail(key, "unknown key %q in an ignore entry; the keys are rule and paths", key.Value)
			}
		})
		if p.err == nil && (ig.Rule == "" || len(ig.Paths) == 0) {
			p.fail(item, "an ignore entry needs rule and paths")
		}
		out = append(out, ig)
	}
	return out
}

// envName is what an environment variable's name may be: a key written
// in its place is refused, not looked up.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// workspaceName is what may follow manifest- in a manifest's file name.
var workspaceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

func (p *parser) workspaces(n *yaml.Node) []Workspace {
	var out []Workspace
	byBranch := map[string]string{}
	p.mapping(n, "workspaces", func(key, val *yaml.Node) {
		w := Workspace{Name: key.Value, Line: key.Line, Col: key.Column}
		if !workspaceName.MatchString(w.Name) {
			p.fail(key, "workspace %q: a workspace is named as in its manifest-<workspace>.yaml (letters, digits, - _ .)", w.Name)
		}
		var branchAt, keyAt *yaml.Node
		p.mapping(val, "workspace "+w.Name, func(k, v *yaml.Node) {
			switch k.Value {
			case "branch":
				w.Branch, branchAt = p.str(v, "branch"), v
			case "apiKeyEnv":
				w.APIKeyEnv, keyAt = p.str(v, "apiKeyEnv"), v
			case "apiUrl":
				w.APIURL = p.str(v, "apiUrl")
			case "apiKey", "key", "token":
				p.fail(k, "workspace %s: never write an API key in %s (it is in the repository for anyone to read); name the environment variable that holds it with apiKeyEnv, and set that from a secret", w.Name, FileName)
			default:
				p.fail(k, "unknown key %q in workspace %s; the keys are branch, apiKeyEnv and apiUrl", k.Value, w.Name)
			}
		})
		switch {
		case p.err != nil:
		case branchAt == nil || w.Branch == "":
			p.fail(key, "workspace %s needs branch: the branch its Git Sync tracks", w.Name)
		case keyAt == nil || w.APIKeyEnv == "":
			p.fail(key, "workspace %s needs apiKeyEnv: the environment variable holding its API key", w.Name)
		case !envName.MatchString(w.APIKeyEnv):
			p.fail(keyAt, "workspace %s: apiKeyEnv names the environment variable holding the key (such as HT_KEY_%s), not the key; never write a key in %s", w.Name, strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(w.Name)), FileName)
		case byBranch[w.Branch] != "":
			p.fail(branchAt, "workspaces %s and %s both track branch %q; each branch deploys to one workspace", byBranch[w.Branch], w.Name, w.Branch)
		}
		byBranch[w.Branch] = w.Name
		out = append(out, w)
	})
	return out
}

// Schema is the configuration's JSON Schema, for editors (htgit schema
// config). Rule ids are enumerated from the registry, so it cannot drift.
func Schema() map[string]any {
	ids := rules.IDs()
	levels := make([]string, 0, len(rules.Levels))
	for word := range rules.Levels {
		levels = append(levels, word)
	}
	slices.Sort(levels)
	globs := map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
	return map[string]any{
		"$schema":              "http://json-schema.org/draft-07/schema#",
		"$id":                  "https://github.com/htgit/htgit/schema/config.json",
		"title":                "htgit configuration (.htgit.yaml)",
		"type":                 "object",
		"additionalProperties": false,
		"properties": map[string]any{
			"path": map[string]any{"type": "string",
				"description": "The Git Sync folder relative to the repository root, as configured in Hightouch; --path wins."},
			"exclude": with(globs, "description", "Files to leave out: doublestar globs relative to the root or the Git Sync folder; --exclude adds to them."),
			"rules": map[string]any{"type": "object",
				"description":          "A level for each rule id to change: off, warning or error. `htgit rules` lists the ids.",
				"propertyNames":        map[string]any{"enum": ids},
				"additionalProperties": map[string]any{"enum": levels}},
			"ignore": map[string]any{"type": "array",
				"description": "Rule findings to drop in some files.",
				"items": map[string]any{"type": "object", "additionalProperties": false, "required": []string{"rule", "paths"},
					"properties": map[string]any{
						"rule":  map[string]any{"enum": ids, "description": "The rule id."},
						"paths": with(globs, "description", "Doublestar globs relative to the root or the Git Sync folder."),
					}}},
			"workspaces": map[string]any{"type": "object",
				"description":   "The Hightouch workspaces sharing the Git Sync folder, by the <workspace> of their manifest-<workspace>.yaml. deploy goes to the workspace whose branch was pushed, with its key; drift checks each whose key is set.",
				"propertyNames": map[string]any{"pattern": workspaceName.String()},
				"additionalProperties": map[string]any{"type": "object", "additionalProperties": false, "required": []string{"branch", "apiKeyEnv"},
					"properties": map[string]any{
						"branch":    map[string]any{"type": "string", "minLength": 1, "description": "The branch this workspace's Git Sync tracks."},
						"apiKeyEnv": map[string]any{"type": "string", "pattern": envName.String(), "description": "The environment variable holding this workspace's API key (never the key)."},
						"apiUrl":    map[string]any{"type": "string", "description": "Its Hightouch API base URL, when not the default."},
					}}},
		},
	}
}

func with(m map[string]any, key string, value any) map[string]any {
	out := maps.Clone(m)
	out[key] = value
	return out
}
