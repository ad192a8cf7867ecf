package compare

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/htgit/htgit/internal/fielddiff"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/workspace"

	"go.yaml.in/yaml/v3"
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

	// Conflicts are the slugs and ids Hightouch listed for two resources
	// of a kind, which it should never do (a listing that shifted while it
	// was paged can). The maps above hold one of them, the same one each
	// time; what acts on a single resource (export, pausing) checks here
	// first.
	Conflicts []Conflict
}

// Conflict is a slug two resources of a kind were listed with, or an id
// listed with two slugs.
type Conflict struct {
	Kind  string // source, destination, model, sync
	Slugs []string
	IDs   []hightouch.ID
}

func (c Conflict) String() string {
	ids := make([]string, len(c.IDs))
	for i, id := range c.IDs {
		ids[i] = string(id)
	}
	if len(c.Slugs) == 1 {
		return fmt.Sprintf("Hightouch lists %d %ss with the slug %q (ids %s)", len(c.IDs), c.Kind, c.Slugs[0], strings.Join(ids, ", "))
	}
	return fmt.Sprintf("Hightouch lists the %s id %s with %d slugs (%s)", c.Kind, ids[0], len(c.Slugs), strings.Join(c.Slugs, ", "))
}

// Conflicted reports whether a slug of kind is in a conflict, and which.
func (s *Snapshot) Conflicted(kind, slug string) (Conflict, bool) {
	for _, c := range s.Conflicts {
		if c.Kind == kind && slices.Contains(c.Slugs, slug) {
			return c, true
		}
	}
	return Conflict{}, false
}

// ConflictedID reports whether an id of kind is in a conflict.
func (s *Snapshot) ConflictedID(kind string, id hightouch.ID) (Conflict, bool) {
	for _, c := range s.Conflicts {
		if c.Kind == kind && slices.Contains(c.IDs, id) {
			return c, true
		}
	}
	return Conflict{}, false
}

// Fetch lists everything once: four paged listings (a page is
// hightouch.PageSize resources), run side by side, instead of one lookup
// per slug.
func Fetch(ctx context.Context, c *hightouch.Client) (*Snapshot, error) {
	s := &Snapshot{}
	var sources []hightouch.Source
	var dests []hightouch.Destination
	var errSources, errDests, errRest error
	var wg sync.WaitGroup
	wg.Go(func() { sources, errSources = c.Sources(ctx) })
	wg.Go(func() { dests, errDests = c.Destinations(ctx) })
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
	var conflicts []Conflict
	s.Sources, s.SourceSlugs = index("source", sources, func(x hightouch.Source) (string, hightouch.ID) { return x.Slug, x.ID }, &conflicts)
	s.Destinations, s.DestSlugs = index("destination", dests, func(x hightouch.Destination) (string, hightouch.ID) { return x.Slug, x.ID }, &conflicts)
	s.Conflicts = append(conflicts, s.Conflicts...)
	return s, nil
}

// Refresh lists models and syncs again, side by side (they change while
// Git Sync ingests).
func (s *Snapshot) Refresh(ctx context.Context, c *hightouch.Client) error {
	var models []hightouch.Model
	var syncs []hightouch.Sync
	var errModels, errSyncs error
	var wg sync.WaitGroup
	wg.Go(func() { models, errModels = c.Models(ctx) })
	wg.Go(func() { syncs, errSyncs = c.Syncs(ctx) })
	wg.Wait()
	if errModels != nil {
		return fmt.Errorf("listing models: %w", errModels)
	}
	if errSyncs != nil {
		return fmt.Errorf("listing syncs: %w", errSyncs)
	}
	s.Conflicts = slices.DeleteFunc(s.Conflicts, func(c Conflict) bool { return c.Kind == "model" || c.Kind == "sync" })
	s.Models, s.ModelSlugs = index("model", models, func(x hightouch.Model) (string, hightouch.ID) { return x.Slug, x.ID }, &s.Conflicts)
	s.Syncs, _ = index("sync", syncs, func(x hightouch.Sync) (string, hightouch.ID) { return x.Slug, x.ID }, &s.Conflicts)
	return nil
}

// index keys a listing by slug and by id, the same way whatever order
// Hightouch lists it in: a resource listed twice counts once; of two
// resources with one slug the lower id is kept, of two slugs with one id
// the first in sort order; both are added to conflicts.
func index[T any](kind string, all []T, key func(T) (string, hightouch.ID), conflicts *[]Conflict) (map[string]T, map[hightouch.ID]string) {
	idsOf := map[string][]hightouch.ID{}
	slugsOf := map[hightouch.ID][]string{}
	byKey := map[string]T{}
	for _, x := range all {
		slug, id := key(x)
		if !slices.Contains(idsOf[slug], id) {
			idsOf[slug] = append(idsOf[slug], id)
		}
		if !slices.Contains(slugsOf[id], slug) {
			slugsOf[id] = append(slugsOf[id], slug)
		}
		byKey[slug+"\x00"+string(id)] = x
	}
	bySlug := make(map[string]T, len(idsOf))
	for _, slug := range slices.Sorted(maps.Keys(idsOf)) {
		ids := idsOf[slug]
		slices.SortFunc(ids, compareIDs)
		bySlug[slug] = byKey[slug+"\x00"+string(ids[0])]
		if len(ids) > 1 {
			*conflicts = append(*conflicts, Conflict{Kind: kind, Slugs: []string{slug}, IDs: ids})
		}
	}
	byID := make(map[hightouch.ID]string, len(slugsOf))
	for _, id := range slices.SortedFunc(maps.Keys(slugsOf), compareIDs) {
		slugs := slugsOf[id]
		slices.Sort(slugs)
		byID[id] = slugs[0]
		if len(slugs) > 1 {
			*conflicts = append(*conflicts, Conflict{Kind: kind, Slugs: slugs, IDs: []hightouch.ID{id}})
		}
	}
	return bySlug, byID
}

// compareIDs orders ids as numbers (ids are decimal), then as text.
func compareIDs(a, b hightouch.ID) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(string(a), string(b)))
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
