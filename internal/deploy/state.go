package deploy

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/workspace"
)

// modelState is what htgit compares of a model: the file's view and
// Hightouch's, with ids turned into slugs so the two can be equal.
type modelState struct {
	Name       string
	Source     string
	QueryType  string // the file's words: raw_sql, table, dbt_model
	Query      string // the SQL, the table name or the dbt unique id
	PrimaryKey string
}

// syncState is what htgit compares of a sync.
type syncState struct {
	Model       string
	Destination string
	Config      string // canonical JSON
	Schedule    string // canonical JSON; "" for manual
	Paused      bool
}

// queryTypes maps the file's model types to the API's queryType.
var queryTypes = map[string]string{"raw_sql": "raw_sql", "table": "table", "dbt_model": "dbt"}

// fileQueryTypes maps the API's queryType to the file's words: a dbt model
// may be a dbt Cloud one in Hightouch.
var fileQueryTypes = map[string]string{"raw_sql": "raw_sql", "table": "table", "dbt": "dbt_model", "dbt_cloud": "dbt_model"}

// readDoc parses a workspace file at a repo-relative path.
func readDoc(repoDir, rel string, kind workspace.Kind) (*yaml.Node, error) {
	path := filepath.Join(repoDir, filepath.FromSlash(rel))
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

func str(m *yaml.Node, key string) string {
	_, v := workspace.Lookup(m, key)
	s, _ := workspace.String(v)
	return s
}

func modelFromFile(root *yaml.Node) modelState {
	typ := str(root, "type")
	field := map[string]string{"raw_sql": "rawSql", "table": "tableName", "dbt_model": "dbtModel"}[typ]
	return modelState{
		Name: str(root, "name"), Source: str(root, "source"), QueryType: typ,
		Query: str(root, field), PrimaryKey: str(root, "primaryKey"),
	}
}

func modelFromAPI(m hightouch.Model, sourceSlugs map[hightouch.ID]string) modelState {
	s := modelState{Name: m.Name, Source: sourceSlugs[m.SourceID], QueryType: cmp.Or(fileQueryTypes[m.QueryType], m.QueryType), PrimaryKey: m.PrimaryKey}
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

func syncFromFile(root *yaml.Node) syncState {
	_, config := workspace.Lookup(root, "config")
	_, schedule := workspace.Lookup(root, "schedule")
	_, paused := workspace.Lookup(root, "schedulePaused")
	return syncState{
		Model: str(root, "model"), Destination: str(root, "destination"),
		Config:   canonical(workspace.Value(config), true),
		Schedule: scheduleJSON(workspace.Value(schedule)),
		Paused:   plan.IsTrue(paused),
	}
}

// syncFromAPI reads a sync as Hightouch has it. Hightouch's "disabled" is
// taken to be the file's schedulePaused: the API has no other field for it.
func syncFromAPI(s hightouch.Sync, modelSlugs, destinationSlugs map[hightouch.ID]string) syncState {
	var schedule any
	if s.Schedule != nil {
		schedule = map[string]any{"type": s.Schedule.Type, "schedule": s.Schedule.Schedule}
	}
	return syncState{
		Model: modelSlugs[s.ModelID], Destination: destinationSlugs[s.DestinationID],
		Config:   canonical(s.Configuration, true),
		Schedule: scheduleJSON(schedule),
		Paused:   s.Disabled,
	}
}

// scheduleJSON is the canonical text of a schedule as the API can hold it
// (see apiSchedule); absent, null and manual schedules are all "".
func scheduleJSON(v any) string {
	sc := apiSchedule(v)
	if sc == nil {
		return ""
	}
	return canonical(map[string]any{"type": sc.Type, "schedule": sc.Schedule}, false)
}

// canonical renders a JSON-like value so that equal values give equal text:
// map keys sorted (encoding/json does that), numbers normalised. With
// emptyIsNull an empty object counts as absent.
func canonical(v any, emptyIsNull bool) string {
	if m, ok := v.(map[string]any); emptyIsNull && (v == nil || ok && len(m) == 0) {
		return ""
	}
	b, err := json.Marshal(normalize(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(bytes.TrimSpace(b))
}

// normalize makes YAML's int64 and JSON's float64 the same number, and a
// null entry of an object the same as an absent one.
func normalize(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if x != nil {
				out[k] = normalize(x)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalize(x)
		}
		return out
	case int64:
		return float64(v)
	case int:
		return float64(v)
	}
	return v
}

// diffs lists the fields that differ, as "field: file X, Hightouch Y".
func diffs(pairs ...[3]string) []string {
	var out []string
	for _, p := range pairs {
		if p[1] != p[2] {
			out = append(out, fmt.Sprintf("%s: file %s, Hightouch %s", p[0], clip(p[1]), clip(p[2])))
		}
	}
	return out
}

// diff compares what the issue lists for a model: source, query type, the
// query and the primary key. The display name is written by --ingest apply
// but not compared: Hightouch may show a model under another name.
func (f modelState) diff(h modelState) []string {
	return diffs(
		[3]string{"source", f.Source, h.Source},
		[3]string{"type", f.QueryType, h.QueryType},
		// A block scalar's final newline is not a change.
		[3]string{"query", strings.TrimSpace(f.Query), strings.TrimSpace(h.Query)},
		[3]string{"primaryKey", f.PrimaryKey, h.PrimaryKey},
	)
}

func (f syncState) diff(h syncState) []string {
	return diffs(
		[3]string{"model", f.Model, h.Model},
		[3]string{"destination", f.Destination, h.Destination},
		[3]string{"config", f.Config, h.Config},
		[3]string{"schedule", f.Schedule, h.Schedule},
		[3]string{"schedulePaused", fmt.Sprint(f.Paused), fmt.Sprint(h.Paused)},
	)
}

// clip keeps a differing value short enough for a log line.
func clip(s string) string {
	const limit = 80
	r := []rune(s)
	if len(r) > limit {
		return fmt.Sprintf("%q…", string(r[:limit]))
	}
	return fmt.Sprintf("%q", s)
}
