// Package compare reads a model or sync two ways, from its Git Sync file
// and from Hightouch's API, in one shape with ids turned into slugs, and
// says field by field how the two differ. Deploy, drift and export share it,
// so "the file and Hightouch agree" means the same to all three.
package compare

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/fielddiff"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/workspace"
)

// Model is what htgit compares of a model.
type Model struct {
	Name       string
	Source     string
	QueryType  string // the file's words: raw_sql, table, dbt_model
	Query      string // the SQL, the table name or the dbt unique id
	PrimaryKey string
}

// Sync is what htgit compares of a sync. Config and Schedule are
// normalised (see Normalize); nil is an empty config or a manual schedule.
type Sync struct {
	Model       string
	Destination string
	Config      map[string]any
	Schedule    map[string]any // {type, schedule}
	Paused      bool
}

// QueryTypes maps the file's model types to the API's queryType.
var QueryTypes = map[string]string{"raw_sql": "raw_sql", "table": "table", "dbt_model": "dbt"}

// FileQueryTypes maps the API's queryType to the file's words: a dbt model
// may be a dbt Cloud one in Hightouch.
var FileQueryTypes = map[string]string{"raw_sql": "raw_sql", "table": "table", "dbt": "dbt_model", "dbt_cloud": "dbt_model"}

// QueryKeys names the file key holding each model type's query.
var QueryKeys = map[string]string{"raw_sql": "rawSql", "table": "tableName", "dbt_model": "dbtModel"}

// ReadDoc parses a workspace file at a path relative to dir.
func ReadDoc(dir, rel string, kind workspace.Kind) (*yaml.Node, error) {
	path := filepath.Join(dir, filepath.FromSlash(rel))
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc, findings := workspace.Parse(workspace.File{Path: path, Kind: kind}, src)
	if doc.Root == nil {
		msg := "not a YAML mapping"
		if len(findings) > 0 {
			msg = findings[0].Message
		}
		return nil, fmt.Errorf("%s: %s", rel, msg)
	}
	return doc.Root, nil
}

// Str reads a string key of a mapping ("" when absent or not a string).
func Str(m *yaml.Node, key string) string {
	_, v := workspace.Lookup(m, key)
	s, _ := workspace.String(v)
	return s
}

// ModelFromFile reads a model file.
func ModelFromFile(root *yaml.Node) Model {
	typ := Str(root, "type")
	return Model{
		Name: Str(root, "name"), Source: Str(root, "source"), QueryType: typ,
		Query: Str(root, QueryKeys[typ]), PrimaryKey: Str(root, "primaryKey"),
	}
}

// ModelFromAPI reads a model as Hightouch has it.
func ModelFromAPI(m hightouch.Model, sourceSlugs map[hightouch.ID]string) Model {
	s := Model{Name: m.Name, Source: sourceSlugs[m.SourceID], QueryType: cmp.Or(FileQueryTypes[m.QueryType], m.QueryType), PrimaryKey: m.PrimaryKey}
	switch {
	case m.Raw != nil:
		s.Query = m.Raw.SQL
	case m.Table != nil:
		s.Query = m.Table.Name
	case m.DBT != nil:
		s.Query = m.DBT.DBTUniqueID
	case m.DBTCloud != nil:
		s.Query = m.DBTCloud.DBTUniqueID
	}
	return s
}

// SyncFromFile reads a sync file.
func SyncFromFile(root *yaml.Node) Sync {
	_, config := workspace.Lookup(root, "config")
	_, schedule := workspace.Lookup(root, "schedule")
	_, paused := workspace.Lookup(root, "schedulePaused")
	p, _ := workspace.Value(paused).(bool)
	return Sync{
		Model: Str(root, "model"), Destination: Str(root, "destination"),
		Config:   object(workspace.Value(config)),
		Schedule: scheduleMap(APISchedule(workspace.Value(schedule))),
		Paused:   p,
	}
}

// SyncFromAPI reads a sync as Hightouch has it. Hightouch's "disabled" is
// taken to be the file's schedulePaused: the API has no other field for it.
func SyncFromAPI(s hightouch.Sync, modelSlugs, destinationSlugs map[hightouch.ID]string) Sync {
	var schedule any
	if s.Schedule != nil {
		schedule = map[string]any{"type": s.Schedule.Type, "schedule": s.Schedule.Schedule}
	}
	return Sync{
		Model: modelSlugs[s.ModelID], Destination: destinationSlugs[s.DestinationID],
		Config:   object(s.Configuration),
		Schedule: scheduleMap(APISchedule(schedule)),
		Paused:   s.Disabled,
	}
}

// object normalises a config; an absent or empty one is nil.
func object(v any) map[string]any {
	m, _ := Normalize(v).(map[string]any)
	if len(m) == 0 {
		return nil
	}
	return m
}

func scheduleMap(sc *hightouch.Schedule) map[string]any {
	if sc == nil {
		return nil
	}
	return Normalize(map[string]any{"type": sc.Type, "schedule": sc.Schedule}).(map[string]any)
}

// Normalize makes YAML's int64 and JSON's float64 the same number, and a
// null entry of an object the same as an absent one.
func Normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if x != nil {
				out[k] = Normalize(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = Normalize(x)
		}
		return out
	case int64:
		return float64(v)
	case int:
		return float64(v)
	}
	return v
}

// scalar is one compared field that is a string.
func scalar(path, hightouch, file string) []fielddiff.Change {
	if hightouch == file {
		return nil
	}
	return []fielddiff.Change{{Path: path, Old: hightouch, New: file}}
}

// Diff says what changes from Hightouch's model h to the file's f: source,
// query type, the query and the primary key, and with name the display
// name (written by --ingest apply; Git Sync's ingestion may leave a model
// under another name).
func (f Model) Diff(h Model, name bool) []fielddiff.Change {
	var out []fielddiff.Change
	if name {
		out = append(out, scalar("name", h.Name, f.Name)...)
	}
	out = append(out, scalar("source", h.Source, f.Source)...)
	out = append(out, scalar("type", h.QueryType, f.QueryType)...)
	// A block scalar's final newline is not a change.
	out = append(out, scalar(cmp.Or(QueryKeys[f.QueryType], "query"), strings.TrimSpace(h.Query), strings.TrimSpace(f.Query))...)
	return append(out, scalar("primaryKey", h.PrimaryKey, f.PrimaryKey)...)
}

// Diff says what changes from Hightouch's sync h to the file's f, with
// paths into config and schedule.
func (f Sync) Diff(h Sync) []fielddiff.Change {
	out := scalar("model", h.Model, f.Model)
	out = append(out, scalar("destination", h.Destination, f.Destination)...)
	out = append(out, fielddiff.Compare("config", nilIfEmpty(h.Config), nilIfEmpty(f.Config))...)
	out = append(out, fielddiff.Compare("schedule", nilIfEmpty(h.Schedule), nilIfEmpty(f.Schedule))...)
	if h.Paused != f.Paused {
		out = append(out, fielddiff.Change{Path: "schedulePaused", Old: h.Paused, New: f.Paused})
	}
	return out
}

// nilIfEmpty keeps a nil map an untyped nil, so it reads as absent.
func nilIfEmpty(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

// APISchedule turns the file's schedule into the API's; nil is manual.
// The API's schedule is a type and a body: a startDate (which the file may
// carry beside the type or in the body) has no place in it, and null
// entries of the body are the same as absent ones.
func APISchedule(v any) *hightouch.Schedule {
	m, ok := v.(map[string]any)
	if !ok || m["type"] == "manual" || len(m) == 0 {
		return nil
	}
	typ, _ := m["type"].(string)
	body, _ := m["schedule"].(map[string]any)
	clean := make(map[string]any, len(body))
	for k, x := range body {
		if x != nil && k != "startDate" {
			clean[k] = x
		}
	}
	return &hightouch.Schedule{Type: typ, Schedule: clean}
}
