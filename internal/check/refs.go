package check

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

// ref is a string value that names something in another file.
type ref struct {
	value string
	set   bool // present and a string
	at    span
}

// summary is what the cross-file rules need of one file: names and
// references with their positions, not the node tree.
type summary struct {
	file                  workspace.File
	name, source          ref // models
	model, destination    ref // syncs
	sources, destinations map[string]bool
}

// index holds the summaries of a workspace, by kind.
type index struct {
	ws        *workspace.Workspace
	models    []*summary
	syncs     []*summary
	manifests []*summary // parsed manifests, by Rel
	bySlug    map[string][]*summary
}

func newIndex(ws *workspace.Workspace, summaries []*summary) *index {
	idx := &index{ws: ws, bySlug: map[string][]*summary{}}
	for i, s := range summaries {
		f := ws.Files[i]
		switch f.Kind {
		case workspace.Model:
			if s == nil {
				s = &summary{file: f} // unparsable: still a model slug, so syncs naming it resolve
			}
			idx.models = append(idx.models, s)
			idx.bySlug[f.Slug] = append(idx.bySlug[f.Slug], s)
		case workspace.Sync:
			if s == nil {
				s = &summary{file: f}
			}
			idx.syncs = append(idx.syncs, s)
		case workspace.Manifest:
			if s != nil {
				idx.manifests = append(idx.manifests, s)
			}
		default:
			panic(fmt.Sprintf("check: %v files are not indexed", f.Kind))
		}
	}
	// A file too large, not followed or excluded still names a resource in
	// Hightouch: a sync naming it must not fail too.
	for _, f := range slices.Concat(ws.Skipped, ws.Excluded) {
		if f.Kind.Resource() == workspace.ModelResource {
			idx.bySlug[f.Slug] = append(idx.bySlug[f.Slug], &summary{file: f})
		}
	}
	return idx
}

func (idx *index) crossFile() []finding.Finding {
	var out []finding.Finding
	out = append(out, idx.slugs()...)
	out = append(out, idx.modelRefs()...)
	out = append(out, idx.manifestRefs()...)
	out = append(out, idx.duplicateNames()...)
	return out
}

func (idx *index) modelRefs() []finding.Finding {
	var out []finding.Finding
	slugs := make([]string, 0, len(idx.bySlug))
	for slug := range idx.bySlug {
		slugs = append(slugs, slug)
	}
	slices.Sort(slugs)
	var byName map[string][]*summary // built on the first broken reference only
	near := map[string][]string{}    // suggestions by missing slug: many syncs often name one
	modelsDir := filepath.Join(idx.ws.Dir, "models")
	for _, s := range idx.syncs {
		if !s.model.set {
			continue
		}
		if targets := idx.bySlug[s.model.value]; len(targets) > 0 {
			continue
		}
		if byName == nil {
			byName = map[string][]*summary{}
			for _, m := range idx.models {
				if m.name.set {
					byName[m.name.value] = append(byName[m.name.value], m)
				}
			}
		}
		msg := fmt.Sprintf("model %q is not a model slug in this workspace (no models/%s.yaml)", s.model.value, s.model.value)
		// The model's file may be the cause (renamed or deleted), so the
		// finding relates to every model file; a named match relates too.
		related := []string{modelsDir}
		if named := byName[s.model.value]; len(named) > 0 {
			msg += fmt.Sprintf("; it is the name of model %s: use its slug `%s`", named[0].file.Rel, named[0].file.Slug)
		} else if near := suggest(near, s.model.value, slugs); len(near) > 0 {
			msg += "; closest slugs: " + strings.Join(near, ", ")
		} else {
			msg += "; set it to the file name of a model, without .yaml"
		}
		out = append(out, newFinding(s.file.Path, rules.SyncModelRef, s.model.at, msg, related...))
	}
	return out
}

// suggest returns the slugs closest to value, computed once per value.
func suggest(cache map[string][]string, value string, slugs []string) []string {
	near, ok := cache[value]
	if !ok {
		near = nearest(value, slugs, 3, max(3, len(value)/2))
		cache[value] = near
	}
	return near
}

// manifestRefs checks sources and destinations against the manifest, when
// there is one and it lists that kind.
//
// Several manifest*.yaml files are read as one list: a slug listed in any of
// them exists.
func (idx *index) manifestRefs() []finding.Finding {
	if len(idx.manifests) == 0 {
		return nil
	}
	var sources, destinations map[string]bool
	var names, paths []string
	for _, m := range idx.manifests {
		sources = union(sources, m.sources)
		destinations = union(destinations, m.destinations)
		names = append(names, m.file.Rel)
		paths = append(paths, m.file.Path)
	}
	var out []finding.Finding
	// anyNear: when no slug is a likely typo, still list the closest ones
	// (a sync says "braze", the manifest has "braze-prod").
	check := func(owner *summary, r ref, known map[string]bool, rule finding.Rule, what string, anyNear bool) {
		if known == nil || !r.set || known[r.value] {
			return
		}
		msg := fmt.Sprintf("%s %q is not listed in %s", what, r.value, strings.Join(names, " or "))
		keys := make([]string, 0, len(known))
		for k := range known {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if near := nearest(r.value, keys, 3, max(3, len(r.value)/2)); len(near) > 0 {
			msg += "; closest: " + strings.Join(near, ", ")
		} else if near := nearest(r.value, keys, 3, math.MaxInt); anyNear && len(near) > 0 {
			msg += fmt.Sprintf("; closest %s slugs: %s", what, strings.Join(near, ", "))
		} else {
			msg += fmt.Sprintf("; use one of its %ss", what)
		}
		out = append(out, newFinding(owner.file.Path, rule, r.at, msg, paths...))
	}
	for _, s := range idx.models {
		check(s, s.source, sources, rules.ModelSourceRef, "source", false)
	}
	for _, s := range idx.syncs {
		check(s, s.destination, destinations, rules.SyncDestinationRef, "destination", true)
	}
	return out
}

// union adds b's keys to a; nil (that kind not listed) stays nil only when
// both are.
func union(a, b map[string]bool) map[string]bool {
	if b == nil {
		return a
	}
	if a == nil {
		a = map[string]bool{}
	}
	for k := range b {
		a[k] = true
	}
	return a
}

func (idx *index) duplicateNames() []finding.Finding {
	first := map[string]*summary{}
	var out []finding.Finding
	for _, s := range idx.models {
		if !s.name.set || s.name.value == "" {
			continue
		}
		prev, dup := first[s.name.value]
		if !dup {
			first[s.name.value] = s
			continue
		}
		out = append(out, newFinding(s.file.Path, rules.ModelDuplicateName, s.name.at,
			fmt.Sprintf("model name %q is also used by %s; give each model its own name", s.name.value, prev.file.Rel), prev.file.Path))
	}
	return out
}
