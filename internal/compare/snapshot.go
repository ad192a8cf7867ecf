package compare

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/htgit/htgit/internal/fielddiff"
	"github.com/htgit/htgit/internal/workspace"
	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/hightouch"
)

// Snapshot is what Hightouch has, keyed by slug, with id-to-slug maps to
// compare references.
type Snapshot struct {
	Sources      map[string]hightouch.Source
	Destinations map[string]hightouch.Destination
	Models       map[string]hightouch.Model
	Syncs        map[string]hightouch.Sync
	SourceSlugs  map[hightouch.ID]string
	DestSlugs    map[hightouch.ID]string
	ModelSlugs   map[hightouch.ID]string
}

// Fetch lists everything once: four paged listings (a page is
// hightouch.PageSize resources), run side by side, instead of one lookup
// per slug.
func Fetch(ctx context.Context, c *hightouch.Client) (*Snapshot, error) {
	s := &Snapshot{}
	var errSources, errDests, errRest error
	var wg sync.WaitGroup
	wg.Go(func() { s.Sources, errSources = c.SourcesBySlug(ctx) })
	wg.Go(func() { s.Destinations, errDests = c.DestinationsBySlug(ctx) })
	wg.Go(func() { errRest = s.Refresh(ctx, c) })
	wg.Wait()
	switch {
	case errSources != nil:
		return nil, fmt.Errorf("listing sources: %w", errSources)
	case errDests != nil:
		return nil, fmt.Errorf("listing destinations: %w", errDests)
	case errRest != nil:
		return nil, errRest
	}
	s.SourceSlugs = slugsByID(s.Sources, func(x hightouch.Source) hightouch.ID { return x.ID })
	s.DestSlugs = slugsByID(s.Destinations, func(x hightouch.Destination) hightouch.ID { return x.ID })
	return s, nil
}

// Refresh lists models and syncs again, side by side (they change while
// Git Sync ingests).
func (s *Snapshot) Refresh(ctx context.Context, c *hightouch.Client) error {
	var models map[string]hightouch.Model
	var syncs map[string]hightouch.Sync
	var errModels, errSyncs error
	var wg sync.WaitGroup
	wg.Go(func() { models, errModels = c.ModelsBySlug(ctx) })
	wg.Go(func() { syncs, errSyncs = c.SyncsBySlug(ctx) })
	wg.Wait()
	if errModels != nil {
		return fmt.Errorf("listing models: %w", errModels)
	}
	if errSyncs != nil {
		return fmt.Errorf("listing syncs: %w", errSyncs)
	}
	s.Models, s.Syncs = models, syncs
	s.ModelSlugs = slugsByID(s.Models, func(x hightouch.Model) hightouch.ID { return x.ID })
	return nil
}

func slugsByID[T any](bySlug map[string]T, id func(T) hightouch.ID) map[hightouch.ID]string {
	out := make(map[hightouch.ID]string, len(bySlug))
	for slug, x := range bySlug {
		out[id(x)] = slug
	}
	return out
}

// ModelDiff compares a model file with Hightouch's model of the same slug;
// exists is false when Hightouch has none.
func (s *Snapshot) ModelDiff(f Model, slug string, name bool) (exists bool, diff []fielddiff.Change) {
	m, ok := s.Models[slug]
	if !ok {
		return false, nil
	}
	return true, f.Diff(ModelFromAPI(m, s.SourceSlugs), name)
}

// SyncDiff compares a sync file with Hightouch's sync of the same slug.
func (s *Snapshot) SyncDiff(f Sync, slug string) (exists bool, diff []fielddiff.Change) {
	y, ok := s.Syncs[slug]
	if !ok {
		return false, nil
	}
	return true, f.Diff(SyncFromAPI(y, s.ModelSlugs, s.DestSlugs))
}

// SyncsOfModel lists the slugs of Hightouch's syncs that read the model.
func (s *Snapshot) SyncsOfModel(modelSlug string) []string {
	m, ok := s.Models[modelSlug]
	if !ok {
		return nil
	}
	var out []string
	for slug, y := range s.Syncs {
		if y.ModelID == m.ID {
			out = append(out, slug)
		}
	}
	slices.Sort(out)
	return out
}

// FileDiff compares the file of a deployed resource (its parsed root) with
// what Hightouch has of the same slug: the one place a resource's file and
// API shapes meet. name says whether a model's display name counts. exists
// is false when Hightouch has none; id is Hightouch's id when it has one.
func (s *Snapshot) FileDiff(r workspace.Resource, root *yaml.Node, slug string, name bool) (exists bool, diff []fielddiff.Change, id hightouch.ID) {
	switch r {
	case workspace.ModelResource:
		exists, diff = s.ModelDiff(ModelFromFile(root), slug, name)
		return exists, diff, s.Models[slug].ID
	case workspace.SyncResource:
		exists, diff = s.SyncDiff(SyncFromFile(root), slug)
		return exists, diff, s.Syncs[slug].ID
	case workspace.NotDeployed:
	}
	panic(fmt.Sprintf("compare: resource %d is not deployed", r))
}
