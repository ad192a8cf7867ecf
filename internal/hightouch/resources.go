package hightouch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// PageSize is how many resources one list request asks for (Hightouch's default).
const PageSize = 100

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

// maxListed bounds a listing: far more resources of one kind than a
// workspace holds, so that a server whose paging never ends is stopped.
var maxListed = 100_000

// list fetches every page: Hightouch answers {data, hasMore}, and a missing
// hasMore (only syncs and runs declare it) means there is no next page. An
// empty page ends the listing too; a page that repeats the previous one, or
// more pages than maxListed resources fill, is an error (ErrUnavailable).
// Filters such as slug go in q (nil: none).
func list[T any](ctx context.Context, c *Client, k kind[T], q url.Values) ([]T, error) {
	q = maps.Clone(q)
	if q == nil {
		q = url.Values{}
	}
	const size = PageSize
	q.Set("limit", strconv.Itoa(size))
	var all []T
	var prev json.RawMessage
	for pages, offset := 0, 0; ; pages++ {
		q.Set("offset", strconv.Itoa(offset))
		r := request{method: http.MethodGet, path: k.path, query: q}
		if pages > maxListed/size || len(all) > maxListed {
			return nil, c.fail(r, &Error{Message: fmt.Sprintf("more than %d %ss listed and Hightouch still says hasMore", maxListed, k.name),
				Hint: "no workspace holds that many: Hightouch's paging does not end", unavailable: true})
		}
		var page struct {
			Data    json.RawMessage `json:"data"`
			HasMore bool            `json:"hasMore"`
		}
		if err := c.send(ctx, r, &page); err != nil {
			return nil, listingError(err)
		}
		var data []T
		if len(page.Data) == 0 {
			page.Data = json.RawMessage("[]")
		}
		if err := json.Unmarshal(page.Data, &data); err != nil {
			return nil, c.fail(r, &Error{Status: http.StatusOK, Message: "malformed answer", Err: err,
				Hint: "Hightouch's answer is not the JSON its API documents", unavailable: true})
		}
		scrub(&data)
		if len(data) > 0 && bytes.Equal(page.Data, prev) {
			return nil, c.fail(r, &Error{Status: http.StatusOK, Message: "the page repeats the previous one",
				Hint: "Hightouch's paging does not advance", unavailable: true})
		}
		all = append(all, data...)
		if !page.HasMore || len(data) == 0 {
			return all, nil
		}
		prev = page.Data
		offset += len(data)
	}
}

// listingError marks a 4xx answer to a listing as Hightouch answering
// wrongly (ErrUnavailable): a listing has no input the user could fix, so
// such an answer means a wrong --api-url or a change on Hightouch's side. A
// refused key (401, 403) stays the user's to fix.
func listingError(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Status >= 400 && e.Status < 500 &&
		e.Status != http.StatusUnauthorized && e.Status != http.StatusForbidden {
		e.unavailable = true
	}
	return err
}

func idPath[T any](k kind[T], id ID) (string, error) {
	if id == "" {
		return "", &Error{Path: k.path + "/", Message: "empty " + k.name + " id"}
	}
	return k.path + "/" + url.PathEscape(string(id)), nil
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

// Sources lists every source, in Hightouch's order.
func (c *Client) Sources(ctx context.Context) ([]Source, error) { return list(ctx, c, sources, nil) }

// Destinations lists every destination, in Hightouch's order.
func (c *Client) Destinations(ctx context.Context) ([]Destination, error) {
	return list(ctx, c, destinations, nil)
}

// Models lists every model, in Hightouch's order.
func (c *Client) Models(ctx context.Context) ([]Model, error) { return list(ctx, c, models, nil) }

// Syncs lists every sync, in Hightouch's order.
func (c *Client) Syncs(ctx context.Context) ([]Sync, error) { return list(ctx, c, syncs, nil) }

// CreateModel creates a model.
func (c *Client) CreateModel(ctx context.Context, in ModelCreate) (*Model, error) {
	return create(ctx, c, models, in)
}

// UpdateModel patches a model.
func (c *Client) UpdateModel(ctx context.Context, id ID, in ModelUpdate) (*Model, error) {
	return update(ctx, c, models, id, in)
}

// CreateSync creates a sync.
func (c *Client) CreateSync(ctx context.Context, in SyncCreate) (*Sync, error) {
	return create(ctx, c, syncs, in)
}

// UpdateSync patches a sync.
func (c *Client) UpdateSync(ctx context.Context, id ID, in SyncUpdate) (*Sync, error) {
	return update(ctx, c, syncs, id, in)
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

// GetRun returns one run. visible is false (with a nil run and error) while
// Hightouch does not list the run yet, as happens just after a trigger.
func (c *Client) GetRun(ctx context.Context, syncID, runID ID) (run *SyncRun, visible bool, err error) {
	path, err := idPath(syncs, syncID)
	if err != nil {
		return nil, false, err
	}
	if runID == "" {
		return nil, false, &Error{Path: path + "/runs", Message: "empty run id"}
	}
	var page struct {
		Data []SyncRun `json:"data"`
	}
	q := url.Values{"runId": {string(runID)}}
	if err := c.send(ctx, request{method: http.MethodGet, path: path + "/runs", query: q}, &page); err != nil {
		return nil, false, err
	}
	for i := range page.Data {
		if page.Data[i].ID == runID {
			return &page.Data[i], true, nil
		}
	}
	return nil, false, nil
}
