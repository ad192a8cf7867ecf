// Package export writes what a Hightouch workspace has as Git Sync files:
// models/<slug>.yaml, syncs/<slug>.yaml and a manifest.yaml listing the
// sources and destinations, in the shape Git Sync writes them (see
// testdata/example), byte for byte the same for the same workspace.
package export

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/compare"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/workspace"
)

// File is one exported file.
type File struct {
	Path string // relative, forward slashes: models/users.yaml
	Data []byte
}

// Result is what Files made, and what it left out and why.
type Result struct {
	Files   []File   // sorted by path
	Skipped []string // "model x: why", sorted
	Models  int
	Syncs   int
}

// Files renders snap as Git Sync files. Models whose query type has no
// Git Sync file shape here (custom, visual), syncs of such models, and
// slugs that cannot be file names are skipped and named in Skipped.
func Files(snap *compare.Snapshot) (*Result, error) {
	r := &Result{}
	exported := map[string]bool{}
	for _, slug := range sorted(snap.Models) {
		m := snap.Models[slug]
		typ, ok := compare.FileQueryTypes[m.QueryType]
		switch {
		case !safeSlug(slug):
			r.Skipped = append(r.Skipped, fmt.Sprintf("model %q: the slug is not a file name", slug))
			continue
		case !ok:
			r.Skipped = append(r.Skipped, fmt.Sprintf("model %s: query type %q has no Git Sync file shape", slug, m.QueryType))
			continue
		}
		data, err := encode(modelNode(m, typ, snap.SourceSlugs[m.SourceID]))
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", slug, err)
		}
		r.Files = append(r.Files, File{Path: workspace.Model.Spec().File(slug), Data: data})
		exported[slug] = true
		r.Models++
	}
	for _, slug := range sorted(snap.Syncs) {
		s := snap.Syncs[slug]
		model := snap.ModelSlugs[s.ModelID]
		switch {
		case !safeSlug(slug):
			r.Skipped = append(r.Skipped, fmt.Sprintf("sync %q: the slug is not a file name", slug))
			continue
		case !exported[model]:
			r.Skipped = append(r.Skipped, fmt.Sprintf("sync %s: its model (id %s) is not exported", slug, s.ModelID))
			continue
		}
		data, err := encode(syncNode(s, model, snap.DestSlugs[s.DestinationID]))
		if err != nil {
			return nil, fmt.Errorf("sync %s: %w", slug, err)
		}
		r.Files = append(r.Files, File{Path: workspace.Sync.Spec().File(slug), Data: data})
		r.Syncs++
	}
	data, err := encode(manifestNode(snap))
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	r.Files = append(r.Files, File{Path: "manifest.yaml", Data: data})
	slices.SortFunc(r.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	slices.Sort(r.Skipped)
	return r, nil
}

// ErrNotEmpty is returned by Write for an output folder that has files:
// old files beside the new ones would describe resources that are gone.
var ErrNotEmpty = errors.New("the output folder is not empty")

// Write writes the files under dir, which must be absent or empty.
func Write(dir string, files []File) error {
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		return fmt.Errorf("%s: %w; export into a new folder", dir, ErrNotEmpty)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return err
	}
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func sorted[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// safeSlug keeps a slug from naming a path outside its folder.
func safeSlug(s string) bool {
	return s != "" && !strings.ContainsAny(s, `/\`) && !strings.HasPrefix(s, ".") && filepath.IsLocal(s)
}

// mapping builds a YAML mapping with keys in the given order.
type mapping struct{ n *yaml.Node }

func newMapping() mapping { return mapping{&yaml.Node{Kind: yaml.MappingNode}} }

func (m mapping) add(key string, v any) {
	var val yaml.Node
	switch v := v.(type) {
	case *yaml.Node:
		val = *v
	case nil:
		val = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	default:
		if err := val.Encode(v); err != nil {
			panic(fmt.Sprintf("export: %v", err)) // only JSON values reach here
		}
	}
	m.n.Content = append(m.n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, &val)
}

func modelNode(m hightouch.Model, typ, source string) *yaml.Node {
	query := compare.ModelFromAPI(m, nil).Query
	n := newMapping()
	n.add("name", m.Name)
	n.add("source", source)
	n.add("type", typ)
	for _, t := range []string{"raw_sql", "table", "dbt_model"} {
		if t == typ {
			n.add(compare.QueryKeys[t], query)
		} else {
			n.add(compare.QueryKeys[t], nil)
		}
	}
	n.add("isSchema", m.IsSchema)
	n.add("primaryKey", m.PrimaryKey)
	if m.Description != "" {
		n.add("description", m.Description)
	}
	return n.n
}

func syncNode(s hightouch.Sync, model, destination string) *yaml.Node {
	n := newMapping()
	n.add("model", model)
	n.add("destination", destination)
	n.add("config", compare.Normalize(orEmpty(s.Configuration)))
	if s.Schedule == nil {
		n.add("schedule", map[string]any{"type": "manual"})
	} else {
		sc := newMapping()
		sc.add("type", s.Schedule.Type)
		sc.add("schedule", compare.Normalize(orEmpty(s.Schedule.Schedule)))
		n.add("schedule", sc.n)
	}
	n.add("schedulePaused", s.Disabled)
	return n.n
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func manifestNode(snap *compare.Snapshot) *yaml.Node {
	n := newMapping()
	sources, dests := newMapping(), newMapping()
	for _, slug := range sorted(snap.Sources) {
		s := snap.Sources[slug]
		sources.add(slug, connection(s.Name, s.Type))
	}
	for _, slug := range sorted(snap.Destinations) {
		d := snap.Destinations[slug]
		dests.add(slug, connection(d.Name, d.Type))
	}
	n.add("sources", sources.n)
	n.add("destinations", dests.n)
	return n.n
}

func connection(name, typ string) *yaml.Node {
	c := newMapping()
	c.add("name", name)
	c.add("type", typ)
	return c.n
}

func encode(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	e := yaml.NewEncoder(&b)
	e.SetIndent(2)
	if err := e.Encode(n); err != nil {
		return nil, err
	}
	if err := e.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
