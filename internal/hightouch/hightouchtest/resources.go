package hightouchtest

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Connection is a source or a destination as tests add and read it: both
// are a name, a type and a configuration.
type Connection struct {
	ID            string // set by the server
	Slug          string
	Name          string
	Type          string
	Configuration map[string]any
}

// Source is a warehouse or database.
type Source = Connection

// Destination is a service syncs write to.
type Destination = Connection

// Model is a model as tests add and read it. Set the query field that
// matches QueryType (default raw_sql).
type Model struct {
	ID          string // set by the server
	Slug        string
	Name        string
	Description string
	SourceID    string
	QueryType   string // raw_sql, table, dbt, dbt_cloud, ...
	SQL         string // raw_sql
	Table       string // table
	DBTModelID  string // dbt, dbt_cloud
	// DBTUniqueID is the dbt node's unique id; "" renders
	// model.project.<slug in snake_case>.
	DBTUniqueID string
	PrimaryKey  string
	IsSchema    bool
	Tags        map[string]string
}

// Sync is a sync as tests add and read it.
type Sync struct {
	ID            string // set by the server
	Slug          string
	ModelID       string
	DestinationID string
	Configuration map[string]any
	Schedule      map[string]any // {"type": ..., "schedule": {...}}; nil: manual
	Disabled      bool
}

// entry is one stored resource with the server's bookkeeping.
type entry struct {
	id               string
	slug             string
	created, updated time.Time
	v                any // *Connection, *Model or *Sync
}

// collection is one of the four resource kinds; its routes are generic and
// the kind-specific parts are apply (body fields into the resource) and
// render (the resource as Hightouch answers it).
type collection struct {
	srv               *Server
	kind, path, param string
	schema            string // the component schema; Create and Update bodies are <schema>Create and <schema>Update
	entries           []*entry
	apply             func(e *entry, body map[string]any, creating bool) *apiError
	render            func(e *entry) map[string]any
}

func (c *collection) bySlug(slug string) *entry {
	for _, e := range c.entries {
		if e.slug == slug {
			return e
		}
	}
	return nil
}

func (c *collection) byID(id string) *entry {
	for _, e := range c.entries {
		if e.id == id {
			return e
		}
	}
	return nil
}

func (c *collection) fromPath(r *http.Request) (*entry, *apiError) {
	raw := r.PathValue(c.param)
	if id, ok := idParam(raw); ok {
		if e := c.byID(id); e != nil {
			return e, nil
		}
	}
	return nil, notFound(c.kind + " " + raw)
}

func (c *collection) list(r *http.Request, _ []byte) (any, *apiError) {
	q := r.URL.Query()
	var out []*entry
	for _, e := range c.entries {
		if slug := q.Get("slug"); slug != "" && e.slug != slug {
			continue
		}
		if mid := q.Get("modelId"); mid != "" && c.kind == "sync" {
			if id, _ := idParam(mid); e.v.(*Sync).ModelID != id {
				continue
			}
		}
		out = append(out, e)
	}
	// Only the page is rendered: a workspace of thousands lists quickly.
	return pageOf(q, out, c.render)
}

// page cuts one page out of all by limit and offset, as {data, hasMore}.
func page(q url.Values, all []map[string]any) (any, *apiError) {
	return pageOf(q, all, func(m map[string]any) map[string]any { return m })
}

// pageOf is page for anything render turns into an answer object.
func pageOf[T any](q url.Values, all []T, render func(T) map[string]any) (any, *apiError) {
	num := func(name string, def int) (int, *apiError) {
		v := q.Get(name)
		if v == "" {
			return def, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			return 0, validationFailed(http.StatusUnprocessableEntity,
				map[string]any{name: map[string]any{"message": "invalid float number", "value": v}})
		}
		return int(f), nil
	}
	limit, e := num("limit", 100)
	if e != nil {
		return nil, e
	}
	offset, e := num("offset", 0)
	if e != nil {
		return nil, e
	}
	data := []map[string]any{}
	if offset < len(all) {
		for _, v := range all[offset:min(len(all), offset+limit)] {
			data = append(data, render(v))
		}
	}
	return map[string]any{"data": data, "hasMore": offset+len(data) < len(all)}, nil
}

func (c *collection) get(r *http.Request, _ []byte) (any, *apiError) {
	e, err := c.fromPath(r)
	if err != nil {
		return nil, err
	}
	return c.render(e), nil
}

// object validates a body against a schema and returns it as a map.
func object(schema string, body []byte) (map[string]any, *apiError) {
	v, err := decodeBody(body)
	if err != nil {
		return nil, validationFailed(http.StatusBadRequest, map[string]any{"requestBody": map[string]any{"message": err.Error()}})
	}
	if details := validate(schema, v); details != nil {
		return nil, validationFailed(http.StatusUnprocessableEntity, details)
	}
	m, _ := v.(map[string]any)
	return m, nil
}

func (c *collection) create(_ *http.Request, body []byte) (any, *apiError) {
	m, err := object(c.schema+"Create", body)
	if err != nil {
		return nil, err
	}
	if c.bySlug(m["slug"].(string)) != nil {
		return nil, validationFailed(http.StatusConflict, map[string]any{
			"requestBody.slug": map[string]any{"message": fmt.Sprintf("a %s with slug %q already exists", c.kind, m["slug"])}})
	}
	now := time.Now()
	e := &entry{created: now, updated: now}
	if err := c.apply(e, m, true); err != nil {
		return nil, err
	}
	e.id = c.srv.newID()
	c.entries = append(c.entries, e)
	return c.render(e), nil
}

func (c *collection) update(r *http.Request, body []byte) (any, *apiError) {
	e, err := c.fromPath(r)
	if err != nil {
		return nil, err
	}
	m, err := object(c.schema+"Update", body)
	if err != nil {
		return nil, err
	}
	// Apply to a copy so that a rejected update changes nothing.
	next := *e
	next.v = clone(e.v)
	if err := c.apply(&next, m, false); err != nil {
		return nil, err
	}
	next.updated = time.Now()
	*e = next
	return c.render(e), nil
}

func clone(v any) any {
	switch v := v.(type) {
	case *Connection:
		c := *v
		return &c
	case *Model:
		c := *v
		return &c
	case *Sync:
		c := *v
		return &c
	}
	panic(fmt.Sprintf("hightouchtest: unknown resource %T", v))
}

// str, boolean and object read a validated body field, if present.
func str(m map[string]any, k string, dst *string) {
	if v, ok := m[k].(string); ok {
		*dst = v
	}
}

func boolean(m map[string]any, k string, dst *bool) {
	if v, ok := m[k].(bool); ok {
		*dst = v
	}
}

func obj(m map[string]any, k string) (map[string]any, bool) {
	v, ok := m[k].(map[string]any)
	return v, ok
}

func applyConnection(e *entry, m map[string]any, creating bool) *apiError {
	if e.v == nil {
		e.v = &Connection{}
	}
	v := e.v.(*Connection)
	if creating {
		str(m, "slug", &v.Slug)
		str(m, "type", &v.Type)
		e.slug = v.Slug
	}
	str(m, "name", &v.Name)
	if c, ok := obj(m, "configuration"); ok {
		v.Configuration = c
	}
	return nil
}

func (s *Server) applyModel(e *entry, m map[string]any, creating bool) *apiError {
	if e.v == nil {
		e.v = &Model{}
	}
	v := e.v.(*Model)
	if creating {
		str(m, "slug", &v.Slug)
		str(m, "queryType", &v.QueryType)
		e.slug = v.Slug
		id, _ := idValue(m["sourceId"])
		if s.sources.byID(id) == nil {
			return fieldError("sourceId", "source %v not found", m["sourceId"])
		}
		v.SourceID = id
	}
	str(m, "name", &v.Name)
	str(m, "primaryKey", &v.PrimaryKey)
	boolean(m, "isSchema", &v.IsSchema)
	if q, ok := obj(m, "raw"); ok {
		str(q, "sql", &v.SQL)
	}
	if q, ok := obj(m, "table"); ok {
		str(q, "name", &v.Table)
	}
	for _, k := range []string{"dbt", "dbt_cloud"} {
		if q, ok := obj(m, k); ok {
			v.DBTModelID, _ = idValue(q["modelId"])
		}
	}
	return nil
}

func (s *Server) applySync(e *entry, m map[string]any, creating bool) *apiError {
	if e.v == nil {
		e.v = &Sync{}
	}
	v := e.v.(*Sync)
	if creating {
		str(m, "slug", &v.Slug)
		e.slug = v.Slug
		mid, _ := idValue(m["modelId"])
		if s.models.byID(mid) == nil {
			return fieldError("modelId", "model %v not found", m["modelId"])
		}
		did, _ := idValue(m["destinationId"])
		if s.destinations.byID(did) == nil {
			return fieldError("destinationId", "destination %v not found", m["destinationId"])
		}
		v.ModelID, v.DestinationID = mid, did
	}
	if c, ok := obj(m, "configuration"); ok {
		v.Configuration = c
	}
	if sc, ok := m["schedule"]; ok {
		v.Schedule, _ = sc.(map[string]any) // null: manual
	}
	boolean(m, "disabled", &v.Disabled)
	return nil
}

func orEmpty[M ~map[K]V, K comparable, V any](m M) M {
	if m == nil {
		return M{}
	}
	return m
}

// common renders the fields every resource has.
func (s *Server) common(e *entry) map[string]any {
	return map[string]any{
		"id":          s.id(e.id),
		"slug":        e.slug,
		"workspaceId": s.id("1"),
		"createdAt":   timestamp(e.created),
		"updatedAt":   timestamp(e.updated),
	}
}

func (s *Server) renderSource(e *entry) map[string]any {
	v := e.v.(*Connection)
	out := s.common(e)
	out["name"], out["type"], out["configuration"] = v.Name, v.Type, orEmpty(v.Configuration)
	return out
}

// renderDestination is a source plus the syncs writing to it.
func (s *Server) renderDestination(e *entry) map[string]any {
	out := s.renderSource(e)
	out["syncs"] = s.ids(s.syncIDs(func(y *Sync) bool { return y.DestinationID == e.id }))
	return out
}

func (s *Server) syncIDs(match func(*Sync) bool) []string {
	var ids []string
	for _, e := range s.syncs.entries {
		if match(e.v.(*Sync)) {
			ids = append(ids, e.id)
		}
	}
	return ids
}

func (s *Server) renderModel(e *entry) map[string]any {
	v := e.v.(*Model)
	out := s.common(e)
	out["name"], out["description"], out["primaryKey"] = v.Name, v.Description, v.PrimaryKey
	out["sourceId"], out["queryType"], out["isSchema"] = s.id(v.SourceID), v.QueryType, v.IsSchema
	out["tags"], out["lastRunSize"] = orEmpty(v.Tags), nil
	out["syncs"] = s.ids(s.syncIDs(func(y *Sync) bool { return y.ModelID == e.id }))
	switch v.QueryType {
	case "raw_sql":
		out["raw"] = map[string]any{"sql": v.SQL}
	case "table":
		out["table"] = map[string]any{"name": v.Table}
	case "dbt", "dbt_cloud":
		// dbt names models in snake_case.
		q := map[string]any{"dbtUniqueId": cmp.Or(v.DBTUniqueID, "model.project."+strings.ReplaceAll(v.Slug, "-", "_")), "compiledSql": v.SQL, "rawSql": v.SQL,
			"name": v.Slug, "modelId": s.id(v.DBTModelID)}
		if v.QueryType == "dbt" {
			q["database"], q["schema"] = "analytics", "public"
		}
		out[v.QueryType] = q
	}
	return out
}

func (s *Server) renderSync(e *entry) map[string]any {
	v := e.v.(*Sync)
	out := s.common(e)
	out["modelId"], out["destinationId"] = s.id(v.ModelID), s.id(v.DestinationID)
	out["configuration"], out["disabled"] = orEmpty(v.Configuration), v.Disabled
	out["schedule"] = nil
	if v.Schedule != nil {
		out["schedule"] = v.Schedule
	}
	out["referencedColumns"], out["externalSegment"], out["tags"] = []string{}, map[string]any{}, map[string]string{}
	out["primaryKey"] = ""
	if m := s.models.byID(v.ModelID); m != nil {
		out["primaryKey"] = m.v.(*Model).PrimaryKey
	}
	out["status"], out["lastRunAt"] = "pending", nil
	if runs := s.runs[e.id]; len(runs) > 0 {
		last := runs[len(runs)-1]
		out["status"], out["lastRunAt"] = last.status(), timestamp(last.created)
	}
	if v.Disabled {
		out["status"] = "disabled"
	}
	return out
}

// put stores v under its slug: a new entry, or (replace) the existing one
// with its id kept, as Git Sync does when it ingests a changed file.
func (s *Server) put(c *collection, slug string, v any, replace bool) string {
	if slug == "" {
		panic("hightouchtest: a " + c.kind + " needs a slug")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if e := c.bySlug(slug); e != nil {
		if !replace {
			panic(fmt.Sprintf("hightouchtest: a %s with slug %q exists", c.kind, slug))
		}
		e.v, e.updated = v, now
		return e.id
	}
	e := &entry{id: s.newID(), slug: slug, created: now, updated: now, v: v}
	c.entries = append(c.entries, e)
	return e.id
}

// AddSource stores a source and returns its id. It panics on a taken slug.
func (s *Server) AddSource(v Source) string { return s.put(s.sources, v.Slug, &v, false) }

// AddDestination stores a destination and returns its id.
func (s *Server) AddDestination(v Destination) string {
	return s.put(s.destinations, v.Slug, &v, false)
}

// AddModel stores a model and returns its id. QueryType defaults to raw_sql.
func (s *Server) AddModel(v Model) string { return s.put(s.models, v.Slug, withQueryType(v), false) }

// AddSync stores a sync and returns its id.
func (s *Server) AddSync(v Sync) string { return s.put(s.syncs, v.Slug, &v, false) }

// UpsertModel creates or replaces the model with v's slug, keeping its id:
// what Git Sync does when a merged file reaches Hightouch. Tests simulate
// ingestion delay with time.AfterFunc.
func (s *Server) UpsertModel(v Model) string { return s.put(s.models, v.Slug, withQueryType(v), true) }

// UpsertSync creates or replaces the sync with v's slug, keeping its id.
func (s *Server) UpsertSync(v Sync) string { return s.put(s.syncs, v.Slug, &v, true) }

func withQueryType(v Model) *Model {
	if v.QueryType == "" {
		v.QueryType = "raw_sql"
	}
	return &v
}

// read copies a stored resource out by slug.
func read[T any](s *Server, c *collection, slug string) (T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var zero T
	e := c.bySlug(slug)
	if e == nil {
		return zero, false
	}
	v := *(e.v.(*T))
	setID(&v, e.id)
	return v, true
}

func setID(v any, id string) {
	switch v := v.(type) {
	case *Connection:
		v.ID = id
	case *Model:
		v.ID = id
	case *Sync:
		v.ID = id
	}
}

// Source returns the source with this slug.
func (s *Server) Source(slug string) (Source, bool) { return read[Source](s, s.sources, slug) }

// Destination returns the destination with this slug.
func (s *Server) Destination(slug string) (Destination, bool) {
	return read[Destination](s, s.destinations, slug)
}

// Model returns the model with this slug.
func (s *Server) Model(slug string) (Model, bool) { return read[Model](s, s.models, slug) }

// Sync returns the sync with this slug.
func (s *Server) Sync(slug string) (Sync, bool) { return read[Sync](s, s.syncs, slug) }
