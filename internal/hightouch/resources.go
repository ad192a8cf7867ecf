package hightouch

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// PageSize is how many resources one list request asks for (Hightouch's default).
const PageSize = 100

// ListOptions filter a list. Empty fields filter nothing.
type ListOptions struct {
	Slug     string
	ModelID  ID     // syncs only
	OrderBy  string // id (default), name, slug, createdAt, updatedAt
	PageSize int    // default PageSize
}

// kind describes one of the four resource collections, so that list, get,
// create, update and slug lookups are written once.
type kind[T any] struct {
	path string
	name string
	slug func(*T) string
}

var (
	sources      = kind[Source]{"/sources", "source", func(s *Source) string { return s.Slug }}
	destinations = kind[Destination]{"/destinations", "destination", func(d *Destination) string { return d.Slug }}
	models       = kind[Model]{"/models", "model", func(m *Model) string { return m.Slug }}
	syncs        = kind[Sync]{"/syncs", "sync", func(s *Sync) string { return s.Slug }}
)

// list fetches every page: Hightouch answers {data, hasMore}, and a missing
// hasMore (only syncs and runs declare it) means there is no next page.
func list[T any](ctx context.Context, c *Client, k kind[T], o ListOptions) ([]T, error) {
	q := url.Values{}
	if o.Slug != "" {
		q.Set("slug", o.Slug)
	}
	if o.ModelID != "" {
		q.Set("modelId", string(o.ModelID))
	}
	if o.OrderBy != "" {
		q.Set("orderBy", o.OrderBy)
	}
	size := cmpOr(o.PageSize, PageSize)
	q.Set("limit", strconv.Itoa(size))
	var all []T
	for offset := 0; ; {
		q.Set("offset", strconv.Itoa(offset))
		var page struct {
			Data    []T  `json:"data"`
			HasMore bool `json:"hasMore"`
		}
		if err := c.send(ctx, request{method: http.MethodGet, path: k.path, query: q}, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Data...)
		if !page.HasMore || len(page.Data) == 0 {
			return all, nil
		}
		offset += len(page.Data)
	}
}

func idPath[T any](k kind[T], id ID) (string, error) {
	if id == "" {
		return "", &Error{Path: k.path + "/", Message: "empty " + k.name + " id"}
	}
	return k.path + "/" + url.PathEscape(string(id)), nil
}

// notFound is a slug that no listed resource has.
func notFound[T any](k kind[T], slugs ...string) error {
	return &Error{Method: http.MethodGet, Path: k.path,
		Message: fmt.Sprintf("no %s with slug %s", k.name, strings.Join(slugs, ", ")),
		Hint:    "Git Sync takes about a minute to ingest a merged file; or the slug is misspelt",
		Err:     ErrNotFound}
}

func get[T any](ctx context.Context, c *Client, k kind[T], id ID) (*T, error) {
	path, err := idPath(k, id)
	if err != nil {
		return nil, err
	}
	var v T
	err = c.send(ctx, request{method: http.MethodGet, path: path, requireID: true}, &v)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// create is a POST: retried only when Hightouch cannot have created anything.
func create[T any](ctx context.Context, c *Client, k kind[T], in any) (*T, error) {
	var v T
	err := c.send(ctx, request{method: http.MethodPost, path: k.path, body: in, policy: unsent, requireID: true}, &v)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// update is a PATCH with the same body each time, so it retries like a GET.
func update[T any](ctx context.Context, c *Client, k kind[T], id ID, in any) (*T, error) {
	path, err := idPath(k, id)
	if err != nil {
		return nil, err
	}
	var v T
	err = c.send(ctx, request{method: http.MethodPatch, path: path, body: in, requireID: true}, &v)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// find looks one slug up with ?slug=. The match is checked here too, in case
// a server ignores the filter.
func find[T any](ctx context.Context, c *Client, k kind[T], slug string) (*T, error) {
	all, err := list(ctx, c, k, ListOptions{Slug: slug})
	if err != nil {
		return nil, err
	}
	for i := range all {
		if k.slug(&all[i]) == slug {
			return &all[i], nil
		}
	}
	return nil, notFound(k, slug)
}

// bySlug lists the whole collection once (one request per page of
// PageSize) and indexes it: cheaper than one lookup per slug.
func bySlug[T any](ctx context.Context, c *Client, k kind[T]) (map[string]T, error) {
	all, err := list(ctx, c, k, ListOptions{})
	if err != nil {
		return nil, err
	}
	m := make(map[string]T, len(all))
	for i := range all {
		m[k.slug(&all[i])] = all[i]
	}
	return m, nil
}

// ListSources lists every source matching o.
func (c *Client) ListSources(ctx context.Context, o ListOptions) ([]Source, error) {
	return list(ctx, c, sources, o)
}

// GetSource gets one source.
func (c *Client) GetSource(ctx context.Context, id ID) (*Source, error) {
	return get(ctx, c, sources, id)
}

// CreateSource creates a source.
func (c *Client) CreateSource(ctx context.Context, in SourceCreate) (*Source, error) {
	return create(ctx, c, sources, in)
}

// UpdateSource patches a source.
func (c *Client) UpdateSource(ctx context.Context, id ID, in SourceUpdate) (*Source, error) {
	return update(ctx, c, sources, id, in)
}

// FindSource gets the source with this slug; errors.Is(err, ErrNotFound) if none.
func (c *Client) FindSource(ctx context.Context, slug string) (*Source, error) {
	return find(ctx, c, sources, slug)
}

// SourcesBySlug lists all sources once, keyed by slug.
func (c *Client) SourcesBySlug(ctx context.Context) (map[string]Source, error) {
	return bySlug(ctx, c, sources)
}

// ListDestinations lists every destination matching o.
func (c *Client) ListDestinations(ctx context.Context, o ListOptions) ([]Destination, error) {
	return list(ctx, c, destinations, o)
}

// GetDestination gets one destination.
func (c *Client) GetDestination(ctx context.Context, id ID) (*Destination, error) {
	return get(ctx, c, destinations, id)
}

// CreateDestination creates a destination.
func (c *Client) CreateDestination(ctx context.Context, in DestinationCreate) (*Destination, error) {
	return create(ctx, c, destinations, in)
}

// UpdateDestination patches a destination.
func (c *Client) UpdateDestination(ctx context.Context, id ID, in DestinationUpdate) (*Destination, error) {
	return update(ctx, c, destinations, id, in)
}

// FindDestination gets the destination with this slug; errors.Is(err, ErrNotFound) if none.
func (c *Client) FindDestination(ctx context.Context, slug string) (*Destination, error) {
	return find(ctx, c, destinations, slug)
}

// DestinationsBySlug lists all destinations once, keyed by slug.
func (c *Client) DestinationsBySlug(ctx context.Context) (map[string]Destination, error) {
	return bySlug(ctx, c, destinations)
}

// ListModels lists every model matching o.
func (c *Client) ListModels(ctx context.Context, o ListOptions) ([]Model, error) {
	return list(ctx, c, models, o)
}

// GetModel gets one model.
func (c *Client) GetModel(ctx context.Context, id ID) (*Model, error) {
	return get(ctx, c, models, id)
}

// CreateModel creates a model.
func (c *Client) CreateModel(ctx context.Context, in ModelCreate) (*Model, error) {
	return create(ctx, c, models, in)
}

// UpdateModel patches a model.
func (c *Client) UpdateModel(ctx context.Context, id ID, in ModelUpdate) (*Model, error) {
	return update(ctx, c, models, id, in)
}

// FindModel gets the model with this slug; errors.Is(err, ErrNotFound) if none.
func (c *Client) FindModel(ctx context.Context, slug string) (*Model, error) {
	return find(ctx, c, models, slug)
}

// ModelsBySlug lists all models once, keyed by slug.
func (c *Client) ModelsBySlug(ctx context.Context) (map[string]Model, error) {
	return bySlug(ctx, c, models)
}

// ListSyncs lists every sync matching o.
func (c *Client) ListSyncs(ctx context.Context, o ListOptions) ([]Sync, error) {
	return list(ctx, c, syncs, o)
}

// GetSync gets one sync.
func (c *Client) GetSync(ctx context.Context, id ID) (*Sync, error) {
	return get(ctx, c, syncs, id)
}

// CreateSync creates a sync.
func (c *Client) CreateSync(ctx context.Context, in SyncCreate) (*Sync, error) {
	return create(ctx, c, syncs, in)
}

// UpdateSync patches a sync.
func (c *Client) UpdateSync(ctx context.Context, id ID, in SyncUpdate) (*Sync, error) {
	return update(ctx, c, syncs, id, in)
}

// FindSync gets the sync with this slug; errors.Is(err, ErrNotFound) if none.
func (c *Client) FindSync(ctx context.Context, slug string) (*Sync, error) {
	return find(ctx, c, syncs, slug)
}

// SyncsBySlug lists all syncs once, keyed by slug.
func (c *Client) SyncsBySlug(ctx context.Context) (map[string]Sync, error) {
	return bySlug(ctx, c, syncs)
}

// ResolveSyncs maps slugs to syncs with one listing of all syncs. Slugs
// that no sync has are named in an error matching ErrNotFound; the map still
// holds the ones found.
func (c *Client) ResolveSyncs(ctx context.Context, slugs []string) (map[string]Sync, error) {
	all, err := c.SyncsBySlug(ctx)
	if err != nil {
		return nil, err
	}
	found := make(map[string]Sync, len(slugs))
	var missing []string
	for _, s := range slugs {
		if v, ok := all[s]; ok {
			found[s] = v
		} else {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return found, notFound(syncs, slices.Compact(missing)...)
	}
	return found, nil
}

// TriggerSync starts a run of the sync and returns the run's id. If a run
// is in progress, Hightouch queues this one behind it. A failure that leaves
// it unknown whether a run started matches ErrTriggerUncertain.
func (c *Client) TriggerSync(ctx context.Context, id ID, o TriggerOptions) (ID, error) {
	path, err := idPath(syncs, id)
	if err != nil {
		return "", err
	}
	var out struct {
		ID ID `json:"id"`
	}
	err = c.send(ctx, request{method: http.MethodPost, path: path + "/trigger", body: o,
		policy: unsent, requireID: true, trigger: true}, &out)
	return out.ID, err
}

// Trigger asks for one run of a sync.
type Trigger struct {
	SyncID  ID
	Options TriggerOptions
}

// TriggerResult is the outcome of one trigger of TriggerSyncs.
type TriggerResult struct {
	SyncID ID
	RunID  ID
	Err    error
}

// TriggerSyncs sends the triggers with at most parallel requests in flight
// (all of them under the client's shared rate limit) and returns the results
// in the order of triggers. Each trigger is sent once, with TriggerSync's
// retry rules.
func (c *Client) TriggerSyncs(ctx context.Context, triggers []Trigger, parallel int) []TriggerResult {
	out := make([]TriggerResult, len(triggers))
	sem := make(chan struct{}, max(parallel, 1))
	var wg sync.WaitGroup
	for i, t := range triggers {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			run, err := c.TriggerSync(ctx, t.SyncID, t.Options)
			out[i] = TriggerResult{SyncID: t.SyncID, RunID: run, Err: err}
		})
	}
	wg.Wait()
	return out
}

// RunListOptions filter a sync's runs. Zero fields filter nothing.
type RunListOptions struct {
	RunID   ID
	Limit   int    // default 100
	Offset  int    //
	OrderBy string // id (default), createdAt, startedAt, finishedAt
	After   time.Time
	Before  time.Time
}

// ListRuns returns one page of a sync's runs. Right after a trigger the
// new run may be missing for a while.
func (c *Client) ListRuns(ctx context.Context, syncID ID, o RunListOptions) ([]SyncRun, error) {
	path, err := idPath(syncs, syncID)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if o.RunID != "" {
		q.Set("runId", string(o.RunID))
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Offset > 0 {
		q.Set("offset", strconv.Itoa(o.Offset))
	}
	if o.OrderBy != "" {
		q.Set("orderBy", o.OrderBy)
	}
	if !o.After.IsZero() {
		q.Set("after", o.After.UTC().Format(time.RFC3339Nano))
	}
	if !o.Before.IsZero() {
		q.Set("before", o.Before.UTC().Format(time.RFC3339Nano))
	}
	var page struct {
		Data []SyncRun `json:"data"`
	}
	if err := c.send(ctx, request{method: http.MethodGet, path: path + "/runs", query: q}, &page); err != nil {
		return nil, err
	}
	return page.Data, nil
}

// GetRun returns one run. visible is false (with a nil run and error) while
// Hightouch does not list the run yet, as happens just after a trigger.
func (c *Client) GetRun(ctx context.Context, syncID, runID ID) (run *SyncRun, visible bool, err error) {
	if runID == "" {
		return nil, false, &Error{Path: "/syncs/" + string(syncID) + "/runs", Message: "empty run id"}
	}
	runs, err := c.ListRuns(ctx, syncID, RunListOptions{RunID: runID})
	if err != nil {
		return nil, false, err
	}
	for i := range runs {
		if runs[i].ID == runID {
			return &runs[i], true, nil
		}
	}
	return nil, false, nil
}
