package check

import (
	"fmt"
	"maps"
	"math"
	"path"
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
	aliases               map[string]bool // every string of an aliases file
	keyless               bool            // a model whose primaryKey is absent or null
}

// index holds the summaries of a workspace, by kind.
type index struct {
	ws           *workspace.Workspace
	models       []*summary
	schemaModels []*summary // Customer Studio parent, related and event models
	syncs        []*summary
	manifests    []*summary      // parsed manifests, by Rel
	target       string          // the workspace a deploy goes to, if known
	aliases      map[string]bool // every string of every aliases file
	bySlug       map[string][]*summary
	scans        int // full suggestion scans left; see suggester
}

func newIndex(ws *workspace.Workspace, summaries []*summary) *index {
	idx := &index{ws: ws, bySlug: map[string][]*summary{}, aliases: map[string]bool{}, scans: suggestScans}
	for i, s := range summaries {
		f := ws.Files[i]
		if s == nil {
			s = &summary{file: f} // unparsable: its slug still exists, so references to it resolve
		}
		if f.Kind.Spec().SlugSpace == workspace.ModelSlugs {
			idx.bySlug[f.Slug] = append(idx.bySlug[f.Slug], s)
		}
		switch f.Kind {
		case workspace.Model:
			idx.models = append(idx.models, s)
		case workspace.ParentModel, workspace.RelatedModel, workspace.EventModel:
			idx.schemaModels = append(idx.schemaModels, s)
		case workspace.Sync:
			idx.syncs = append(idx.syncs, s)
		case workspace.Manifest:
			if summaries[i] != nil { // an unparsable manifest lists nothing
				idx.manifests = append(idx.manifests, s)
			}
		case workspace.Aliases:
			for k := range s.aliases {
				idx.aliases[k] = true
			}
		case workspace.Relationship, workspace.Contract:
			// Nothing refers to them, and what they refer to is not public.
		default:
			panic(fmt.Sprintf("check: %v files are not indexed", f.Kind))
		}
	}
	// A file too large, not followed or excluded still names a resource in
	// Hightouch: a sync naming it must not fail too.
	for _, f := range slices.Concat(ws.Skipped, ws.Excluded) {
		if f.Kind.Spec().SlugSpace == workspace.ModelSlugs {
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
	out = append(out, idx.unclaimed()...)
	return out
}

func (idx *index) modelRefs() []finding.Finding {
	if idx.ws.MayHide(workspace.ModelSlugs) {
		// A missing model may be in the folder that could not be read; its
		// file-unreadable finding says so once, instead of an error a sync.
		return nil
	}
	var out []finding.Finding
	slugs := make([]string, 0, len(idx.bySlug))
	for slug := range idx.bySlug {
		slugs = append(slugs, slug)
	}
	slices.Sort(slugs)
	var byName map[string][]*summary // built on the first broken reference only
	suggest := newSuggester(slugs, &idx.scans)
	modelsDir := filepath.Join(idx.ws.Dir, workspace.Model.Spec().Folder)
	for _, s := range idx.syncs {
		if !s.model.set {
			continue
		}
		if targets := idx.bySlug[s.model.value]; len(targets) > 0 {
			if !slices.ContainsFunc(targets, func(m *summary) bool { return !m.keyless }) {
				out = append(out, newFinding(s.file.Path, rules.SyncModelPrimaryKey, s.model.at,
					fmt.Sprintf("model %q has no primary key (%s); Hightouch tracks a synced model's rows by it: set primaryKey there", s.model.value, targets[0].file.Rel),
					targets[0].file.Path))
			}
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
		} else if near := suggest.near(s.model.value); len(near) > 0 {
			msg += "; closest slugs: " + strings.Join(near, ", ")
		} else {
			msg += "; set it to the file name of a model, without .yaml"
		}
		out = append(out, newFinding(s.file.Path, rules.SyncModelRef, s.model.at, msg, related...))
	}
	return out
}

// manifestRefs checks sources and destinations against the manifests. Each
// manifest-<workspace>.yaml is one workspace sharing the folder: a slug no
// manifest lists is an error, one that some list and others do not is a
// warning (ingestion fails in those workspaces), and a slug an aliases file
// names is left alone.
func (idx *index) manifestRefs() []finding.Finding {
	if len(idx.manifests) == 0 {
		return idx.noManifest()
	}
	var paths []string
	for _, m := range idx.manifests {
		paths = append(paths, m.file.Path)
	}
	var out []finding.Finding
	suggesters := map[string]*suggester{} // by what: every manifest's keys, built on the first broken reference
	check := func(owner *summary, r ref, listed func(*summary) map[string]bool, rule finding.Rule, what, unsure string) {
		if !r.set || idx.aliases[r.value] {
			return
		}
		var listing, missing []string
		for _, m := range idx.manifests {
			keys := listed(m)
			switch {
			case keys == nil:
				continue // this manifest does not list that kind
			case keys[r.value]:
				listing = append(listing, m.file.Rel)
			default:
				missing = append(missing, m.file.Rel)
			}
		}
		if len(missing) == 0 {
			return
		}
		var f finding.Finding
		if len(listing) > 0 {
			f = newFinding(owner.file.Path, rule, r.at, fmt.Sprintf("%s %q is listed in %s but not in %s: Git Sync cannot ingest this file into the workspace of %s unless an aliases file maps the slug",
				what, r.value, strings.Join(listing, ", "), strings.Join(missing, ", "), strings.Join(missing, ", ")), paths...)
			f.Severity = finding.Warning
			if target := idx.targetManifest(missing); target != "" {
				// The change goes to that workspace: its ingestion fails.
				f.Severity = finding.Error
				f.Message += fmt.Sprintf("; this change goes to workspace %s (%s)", idx.target, target)
			}
		} else {
			msg := fmt.Sprintf("%s %q is not listed in %s", what, r.value, strings.Join(missing, " or "))
			suggest := suggesters[what]
			if suggest == nil {
				known := map[string]bool{}
				for _, m := range idx.manifests {
					maps.Copy(known, listed(m))
				}
				suggest = newSuggester(slices.Sorted(maps.Keys(known)), &idx.scans)
				suggesters[what] = suggest
			}
			near := suggest.near(r.value)
			switch {
			case len(near) > 0:
				msg += "; closest: " + strings.Join(near, ", ")
			case len(suggest.slugs) <= indexAbove && len(suggest.slugs) > 0:
				// No likely typo, but a short list: still name the closest
				// (a sync says "braze", the manifest has "braze-prod").
				msg += fmt.Sprintf("; closest %s slugs: %s", what, strings.Join(nearest(r.value, suggest.slugs, suggestions, math.MaxInt), ", "))
			default:
				msg += fmt.Sprintf("; use one of its %ss", what)
			}
			f = newFinding(owner.file.Path, rule, r.at, msg+unsure, paths...)
			if unsure != "" {
				f.Severity = finding.Warning
			}
		}
		out = append(out, f)
	}
	sources := func(m *summary) map[string]bool { return m.sources }
	destinations := func(m *summary) map[string]bool { return m.destinations }
	for _, s := range idx.models {
		check(s, s.source, sources, rules.ModelSourceRef, "source", "")
	}
	for _, s := range idx.schemaModels {
		check(s, s.source, sources, rules.ModelSourceRef, "source", " (a warning: "+s.file.Kind.Spec().Unconfirmed+")")
	}
	for _, s := range idx.syncs {
		check(s, s.destination, destinations, rules.SyncDestinationRef, "destination", "")
	}
	return out
}

// targetManifest is the target workspace's manifest among rels ("" when
// it is not there, or no target is known).
func (idx *index) targetManifest(rels []string) string {
	if idx.target == "" {
		return ""
	}
	for _, rel := range rels {
		base := path.Base(rel)
		if strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml") == "manifest-"+idx.target {
			return rel
		}
	}
	return ""
}

// noManifest says once that references were not checked, when some file
// has one to check. It points at the first such reference, so every format
// (SARIF too) can place it in a file.
func (idx *index) noManifest() []finding.Finding {
	var sources, destinations int
	var first *summary
	var at span
	note := func(s *summary, r ref, n *int) {
		if !r.set {
			return
		}
		*n++
		if first == nil || s.file.Rel < first.file.Rel {
			first, at = s, r.at
		}
	}
	for _, s := range slices.Concat(idx.models, idx.schemaModels) {
		note(s, s.source, &sources)
	}
	for _, s := range idx.syncs {
		note(s, s.destination, &destinations)
	}
	if first == nil {
		return nil
	}
	return []finding.Finding{newFinding(first.file.Path, rules.ManifestMissing, at,
		fmt.Sprintf("no manifest*.yaml in the Git Sync folder, so %d source and %d destination reference(s), this one among them, were not checked", sources, destinations))}
}

// unclaimed names, once, the YAML files no kind claims.
func (idx *index) unclaimed() []finding.Finding {
	if len(idx.ws.Unclaimed) == 0 {
		return nil
	}
	const shown = 10
	list := idx.ws.Unclaimed[:min(len(idx.ws.Unclaimed), shown)]
	msg := fmt.Sprintf("%d YAML file(s) in the Git Sync folder are no kind of Git Sync file and were not checked: %s",
		len(idx.ws.Unclaimed), strings.Join(list, ", "))
	if more := len(idx.ws.Unclaimed) - shown; more > 0 {
		msg += fmt.Sprintf(" and %d more", more)
	}
	return []finding.Finding{newFinding(filepath.Join(idx.ws.Dir, filepath.FromSlash(idx.ws.Unclaimed[0])), rules.FileUnclaimed, span{}, msg)}
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
