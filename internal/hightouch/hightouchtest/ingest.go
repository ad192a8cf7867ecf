package hightouchtest

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Folder is what Ingest reads of a Git Sync folder: its manifests'
// sources and destinations, and its model and sync files by slug.
type Folder struct {
	Dir                   string
	Sources, Destinations map[string]Connection // by slug
	Models, Syncs         []Doc                 // sorted by path
}

// Doc is one model or sync file, parsed.
type Doc struct {
	Rel, Slug string // Rel relative to the folder, with "/"
	Fields    map[string]any
}

// ReadFolder reads a Git Sync folder as Git Sync would ingest it: the
// manifest*.yaml files at its top, models/ and syncs/ below it; dot-files
// and dot-folders are not read, as htgit does not read them.
func ReadFolder(dir string) (*Folder, error) {
	if info, err := os.Stat(dir); err != nil {
		return nil, err
	} else if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	f := &Folder{Dir: dir, Sources: map[string]Connection{}, Destinations: map[string]Connection{}}
	manifests, err := filepath.Glob(filepath.Join(dir, "manifest*.y*ml"))
	if err != nil {
		return nil, err
	}
	for _, p := range manifests {
		var m struct {
			Sources, Destinations map[string]struct{ Name, Type string }
		}
		if err := readYAML(p, &m); err != nil {
			return nil, err
		}
		for slug, c := range m.Sources {
			f.Sources[slug] = Connection{Slug: slug, Name: c.Name, Type: c.Type}
		}
		for slug, c := range m.Destinations {
			f.Destinations[slug] = Connection{Slug: slug, Name: c.Name, Type: c.Type}
		}
	}
	for _, sub := range []struct {
		name string
		docs *[]Doc
	}{{"models", &f.Models}, {"syncs", &f.Syncs}} {
		err := filepath.WalkDir(filepath.Join(dir, sub.name), func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil && os.IsNotExist(err) && d == nil:
				return fs.SkipDir // no syncs/ folder: nothing to ingest
			case err != nil:
				return err
			case strings.HasPrefix(d.Name(), ".") && p != filepath.Join(dir, sub.name):
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			case d.IsDir():
				return nil
			}
			ext := path.Ext(d.Name())
			if ext != ".yaml" && ext != ".yml" {
				return nil
			}
			doc := Doc{Slug: strings.TrimSuffix(d.Name(), ext)}
			rel, _ := filepath.Rel(dir, p)
			doc.Rel = filepath.ToSlash(rel)
			if err := readYAML(p, &doc.Fields); err != nil {
				return err
			}
			*sub.docs = append(*sub.docs, doc)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

func readYAML(p string, v any) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

// Ingest does to the fake what Git Sync does to a workspace on a merge:
// the folder's sources and destinations are added when missing, then each
// model and each sync is created or replaced by slug, models first. A file
// naming a source, model or destination the fake lacks is an error, as
// Git Sync rejects it; what came before it stays ingested.
func (s *Server) Ingest(f *Folder) error {
	for slug, c := range f.Sources {
		if _, ok := s.Source(slug); !ok {
			s.AddSource(c)
		}
	}
	for slug, c := range f.Destinations {
		if _, ok := s.Destination(slug); !ok {
			s.AddDestination(c)
		}
	}
	for i, d := range f.Models {
		str := d.str
		source, ok := s.Source(str("source"))
		if !ok {
			return fmt.Errorf("%s: no source %q in the manifest", d.Rel, str("source"))
		}
		queryType := str("type")
		if t, ok := map[string]string{"dbt_model": "dbt"}[queryType]; ok {
			queryType = t // the API's name
		}
		isSchema, _ := d.Fields["isSchema"].(bool)
		m := Model{Slug: d.Slug, Name: str("name"), Description: str("description"), SourceID: source.ID,
			QueryType: queryType, SQL: str("rawSql"), Table: str("tableName"), PrimaryKey: str("primaryKey"), IsSchema: isSchema}
		if queryType == "dbt" {
			// Git Sync resolves the file's dbt unique id to an id of its own.
			m.DBTUniqueID, m.DBTModelID = str("dbtModel"), strconv.Itoa(i+1)
		}
		s.UpsertModel(m)
	}
	for _, d := range f.Syncs {
		str := d.str
		model, ok := s.Model(str("model"))
		if !ok {
			return fmt.Errorf("%s: no model %q", d.Rel, str("model"))
		}
		dest, ok := s.Destination(str("destination"))
		if !ok {
			return fmt.Errorf("%s: no destination %q in the manifest", d.Rel, str("destination"))
		}
		y := Sync{Slug: d.Slug, ModelID: model.ID, DestinationID: dest.ID, Disabled: d.Fields["schedulePaused"] == true}
		y.Configuration, _ = d.Fields["config"].(map[string]any)
		if sc, _ := d.Fields["schedule"].(map[string]any); sc != nil && sc["type"] != "manual" {
			// Hightouch's shape: a type and a body, without startDate.
			body := map[string]any{}
			if b, ok := sc["schedule"].(map[string]any); ok {
				for k, v := range b {
					if k != "startDate" {
						body[k] = v
					}
				}
			}
			y.Schedule = map[string]any{"type": sc["type"], "schedule": body}
		}
		s.UpsertSync(y)
	}
	return nil
}

// str is a string field of the file, "" when absent or not a string.
func (d Doc) str(key string) string {
	v, _ := d.Fields[key].(string)
	return v
}
