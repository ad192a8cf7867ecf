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

// Files renders snap as Git Sync files: the same bytes for the same
// workspace, whatever order Hightouch lists it in. Models whose query type
// has no Git Sync file shape here (custom, visual), slugs that cannot be
// file names, resources in a conflict (two with one slug, one id with two
// slugs), and syncs of models not exported are skipped and named in
// Skipped.
func Files(snap *compare.Snapshot) (*Result, error) {
	r := &Result{}
	skip := func(kind, slug, why string) { r.Skipped = append(r.Skipped, fmt.Sprintf("%s %q: %s", kind, slug, why)) }
	names := map[string]string{} // a file name folded to lower case -> the slug that has it
	exported := map[string]bool{}
	for _, slug := range sorted(snap.Models) {
		m := snap.Models[slug]
		typ, ok := compare.FileQueryTypes[m.QueryType]
		if why := unusable(snap, "model", slug, names); why != "" {
			skip("model", slug, why)
			continue
		}
		if c, bad := connectionConflict(snap, "source", m.SourceID, snap.SourceSlugs); bad {
			skip("model", slug, "its source is in a conflict: "+c.String())
			continue
		}
		if !ok {
			skip("model", slug, fmt.Sprintf("query type %q has no Git Sync file shape", m.QueryType))
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
		if why := unusable(snap, "sync", slug, names); why != "" {
			skip("sync", slug, why)
			continue
		}
		if c, bad := connectionConflict(snap, "destination", s.DestinationID, snap.DestSlugs); bad {
			skip("sync", slug, "its destination is in a conflict: "+c.String())
			continue
		}
		if !exported[model] {
			skip("sync", slug, fmt.Sprintf("its model (id %s) is not exported", s.ModelID))
			continue
		}
		data, err := encode(syncNode(s, model, snap.DestSlugs[s.DestinationID]))
		if err != nil {
			return nil, fmt.Errorf("sync %s: %w", slug, err)
		}
		r.Files = append(r.Files, File{Path: workspace.Sync.Spec().File(slug), Data: data})
		r.Syncs++
	}
	for _, c := range snap.Conflicts {
		if c.Kind == "source" || c.Kind == "destination" {
			for _, slug := range c.Slugs {
				skip(c.Kind, slug, "not in the manifest: "+c.String())
			}
		}
	}
	data, err := encode(manifestNode(snap))
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	r.Files = append(r.Files, File{Path: "manifest.yaml", Data: data})
	slices.SortFunc(r.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	r.Skipped = slices.Compact(slices.Sorted(slices.Values(r.Skipped)))
	return r, nil
}

// connectionConflict reports the conflict a source or destination id is
// in, through its id or its slug: such a connection is not in the manifest.
func connectionConflict(snap *compare.Snapshot, kind string, id hightouch.ID, slugs map[hightouch.ID]string) (compare.Conflict, bool) {
	if c, bad := snap.ConflictedID(kind, id); bad {
		return c, true
	}
	return snap.Conflicted(kind, slugs[id])
}

// maxSlug is the longest slug exported: a file name has at most 255 bytes
// on the common file systems, ".yaml" included.
const maxSlug = 250

// unusable says why a model's or sync's slug cannot name its file, or "":
// a conflict, characters other than the ones Hightouch's slugs are made of,
// too long, or the same name as another's on a file system that ignores
// case (macOS, Windows). names records the names taken.
func unusable(snap *compare.Snapshot, kind, slug string, names map[string]string) string {
	if c, bad := snap.Conflicted(kind, slug); bad {
		return c.String()
	}
	switch {
	case slug == "" || strings.TrimLeft(slug, slugChars) != "" || slug[0] == '-':
		return "the slug is not a file name: Hightouch's slugs are letters, digits, - and _"
	case len(slug) > maxSlug:
		return fmt.Sprintf("the slug is %d characters long; a file name holds at most %d", len(slug), maxSlug)
	}
	folded := kind + "/" + strings.ToLower(slug)
	if other, taken := names[folded]; taken {
		return fmt.Sprintf("its file name differs from %s %s's only in case, the same file on macOS and Windows", kind, other)
	}
	names[folded] = slug
	return ""
}

const slugChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"

// ErrNotEmpty is returned by Write for an output folder that has files:
// old files beside the new ones would describe resources that are gone.
var ErrNotEmpty = errors.New("the output folder is not empty")

// ErrOutput is returned by Write for an output path that cannot be a new
// folder: a file, or a folder whose parent does not exist.
var ErrOutput = errors.New("the output path cannot be a new folder")

// Write writes the files under dir, which must be absent (its parent must
// exist) or an empty folder. The files are written into a new folder beside
// it that is then renamed, so a failure leaves no half export.
func Write(dir string, files []File) error {
	st, err := os.Stat(dir)
	switch {
	case err == nil && !st.IsDir():
		return fmt.Errorf("%s is a file: %w; name a new folder", dir, ErrOutput)
	case err == nil:
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		if len(entries) > 0 {
			return fmt.Errorf("%s: %w; export into a new folder", dir, ErrNotEmpty)
		}
	case errors.Is(err, os.ErrNotExist):
		if _, err := os.Stat(filepath.Dir(dir)); err != nil {
			return fmt.Errorf("%s: %w: its parent folder %s does not exist; create it first", dir, ErrOutput, filepath.Dir(dir))
		}
	default:
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".htgit-export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // gone once renamed
	for _, f := range files {
		path := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp made it 0700
		return err
	}
	if st != nil {
		if err := os.Remove(dir); err != nil { // empty: checked above
			return err
		}
	}
	return os.Rename(tmp, dir)
}

func sorted[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
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
		if _, bad := connectionConflict(snap, "source", s.ID, snap.SourceSlugs); !bad {
			sources.add(slug, connection(s.Name, s.Type))
		}
	}
	for _, slug := range sorted(snap.Destinations) {
		d := snap.Destinations[slug]
		if _, bad := connectionConflict(snap, "destination", d.ID, snap.DestSlugs); !bad {
			dests.add(slug, connection(d.Name, d.Type))
		}
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
