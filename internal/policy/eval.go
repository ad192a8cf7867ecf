package policy

import (
	"fmt"
	"math/big"
	"os"
	"runtime"
	"slices"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/workspace"
)

// Changes says how each file changed (by absolute path): "added",
// "modified", "renamed"; a file it does not name is "unchanged". A nil
// Changes means no diff is known, and `change` is then "".
type Changes map[string]string

// Evaluator runs a set of policies over a workspace's files as a check run
// parses them (it is a check.Visitor). A policy is evaluated while the
// file's node tree exists, so a file's value is dropped as soon as it is
// read; only a policy that reads a sync's model waits until every model is
// seen.
type Evaluator struct {
	policies []*Policy
	changes  Changes
	// sources and dests are every manifest's entries, read when the
	// evaluator is made (manifests are few and small) so a policy reading
	// them runs at once.
	sources, dests map[string]Entry
	needModels     bool
	// byKind is what Visit does with a file of each kind, worked out once.
	byKind map[workspace.Kind]kindPlan

	mu       sync.Mutex
	found    []finding.Finding
	models   map[string]map[string]any // model files by slug, when a policy reads `model`
	deferred []*visited
}

// visited is what a policy reading `model` needs of a sync.
type visited struct {
	file     workspace.File
	value    map[string]any
	policies []*Policy
	at       []span // where each policy's finding lands
	refs     map[string]string
}

type span struct{ start, end finding.Pos }

// kindPlan is how the policies treat a file of one kind: those evaluated
// at once, those waiting for the sync's model, and the parts of the file
// they read (nil: all of it).
type kindPlan struct {
	now, later []*Policy
	reads      need
}

// NewEvaluator returns an evaluator of the given policies over ws, whose
// manifests it reads; changes may be nil.
func NewEvaluator(policies []*Policy, ws *workspace.Workspace, changes Changes) *Evaluator {
	e := &Evaluator{policies: policies, changes: changes, sources: map[string]Entry{}, dests: map[string]Entry{},
		models: map[string]map[string]any{}}
	readsManifest := false
	for _, p := range policies {
		e.needModels = e.needModels || p.uses["model"]
		readsManifest = readsManifest || p.uses["destination"] || p.uses["source"]
	}
	e.byKind = map[workspace.Kind]kindPlan{}
	for _, k := range workspace.Kinds() {
		var pl kindPlan
		for _, p := range policies {
			switch {
			case !p.Applies(k):
			case p.uses["model"]:
				pl.later = append(pl.later, p)
			default:
				pl.now = append(pl.now, p)
			}
		}
		pl.reads = need{}
		for _, p := range slices.Concat(pl.now, pl.later) {
			pl.reads = union(pl.reads, p.reads)
		}
		if k == workspace.Model && e.needModels {
			pl.reads = nil // a sync's policy may read any of it
		}
		e.byKind[k] = pl
	}
	if readsManifest && ws != nil {
		for _, f := range ws.Files {
			if f.Kind != workspace.Manifest {
				continue
			}
			// An unreadable or broken manifest is check's to report; its
			// entries are then unknown, as when there is no manifest.
			src, err := os.ReadFile(f.Path)
			if err != nil {
				continue
			}
			if doc, _ := workspace.Parse(f, src); doc.Root != nil {
				if v, ok := partial(doc.Root, need{"sources": nil, "destinations": nil}); ok {
					addEntries(e.sources, v["sources"])
					addEntries(e.dests, v["destinations"])
				}
			}
		}
	}
	return e
}

// addEntries adds a manifest's sources or destinations; the first manifest
// to list a slug names it (workspaces sharing a folder list the same
// resources).
func addEntries(into map[string]Entry, listed any) {
	m, _ := listed.(map[string]any)
	for slug, entry := range m {
		if _, seen := into[slug]; seen {
			continue
		}
		e := Entry{Slug: slug}
		if fields, ok := entry.(map[string]any); ok {
			e.Name, _ = fields["name"].(string)
			e.Type, _ = fields["type"].(string)
		}
		into[slug] = e
	}
}

// Visit evaluates the policies that apply to a parsed file. It is safe for
// concurrent use.
func (e *Evaluator) Visit(doc *workspace.Document) {
	if doc.Root == nil || len(e.policies) == 0 {
		return
	}
	pl := e.byKind[doc.File.Kind]
	now, later := pl.now, pl.later
	isModel := doc.File.Kind == workspace.Model && e.needModels
	if len(now) == 0 && len(later) == 0 && !isModel {
		return
	}
	value, ok := partial(doc.Root, pl.reads)
	if !ok {
		return // past workspace.MaxValues: the schema step reports it
	}
	refs := map[string]string{}
	for _, key := range []string{"model", "destination", "source"} {
		_, v := workspace.Lookup(doc.Root, key)
		if s, ok := workspace.String(v); ok {
			refs[key] = s
		}
	}
	var found []finding.Finding
	if len(now) > 0 {
		vars := e.vars(doc.File, value, refs, nil)
		for _, p := range now {
			if msg, failed := p.eval(vars); failed {
				at := where(doc, p)
				found = append(found, finding.Finding{Path: doc.File.Path, Start: at.start, End: at.end, Rule: p.ID, Severity: p.Level, Message: msg})
			}
		}
	}
	var v *visited
	if len(later) > 0 {
		v = &visited{file: doc.File, value: value, policies: later, refs: refs}
		for _, p := range later {
			v.at = append(v.at, where(doc, p))
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.found = append(e.found, found...)
	if isModel {
		e.models[doc.File.Slug] = value
	}
	if v != nil {
		e.deferred = append(e.deferred, v)
	}
}

// vars are the variables of the policies on one file; model is the sync's
// model's value, read only once every model is seen.
func (e *Evaluator) vars(f workspace.File, value map[string]any, refs map[string]string, model map[string]any) map[string]any {
	change := ""
	if e.changes != nil {
		change = "unchanged"
		if c, ok := e.changes[f.Path]; ok {
			change = c
		}
	}
	if model == nil {
		model = map[string]any{}
	}
	return map[string]any{
		"file": value, "kind": f.Kind.String(), "slug": f.Slug, "path": f.Rel, "change": change,
		"model":       model,
		"destination": entry(e.dests, refs["destination"]),
		"source":      entry(e.sources, refs["source"]),
	}
}

// eval runs the policy; failed is set, with the finding's message, when
// the expression is false or cannot be evaluated.
func (p *Policy) eval(vars map[string]any) (msg string, failed bool) {
	res, _, err := p.prg.Eval(vars)
	switch {
	case err != nil:
		return fmt.Sprintf("policy %s could not be evaluated on this file: %v; guard optional fields, e.g. has(file.description) && ... or file.?config.?mode.orValue(\"\")", p.ID, err), true
	case res.Value() != true:
		return p.message(), true
	}
	return "", false
}

// where is where p's finding lands on the file: the first key the
// expression selects that the file has (the deepest part of it the file
// has), else the key naming another file the expression reads, else the
// file's first line.
func where(doc *workspace.Document, p *Policy) span {
	for _, path := range p.paths {
		for n := len(path); n > 0; n-- {
			if key, _ := workspace.At(doc.Root, path[:n]); key != nil {
				s, e := doc.Span(key)
				return span{s, e}
			}
		}
	}
	for _, key := range p.refKeys {
		if k, _ := workspace.Lookup(doc.Root, key); k != nil {
			s, e := doc.Span(k)
			return span{s, e}
		}
	}
	first := finding.Pos{Line: 1, Col: 1}
	return span{first, first}
}

// convert makes a mapping's value as CEL reads it.
func convert(root *yaml.Node) (map[string]any, bool) {
	v, ok := convertValue(root)
	m, isMap := v.(map[string]any)
	return m, ok && isMap
}

// convertValue makes a node's value as CEL reads it: YAML's integers too
// large for int64 become doubles (CEL has no big integers). false: the
// value is past workspace.MaxValues, which the schema step reports.
func convertValue(n *yaml.Node) (any, bool) {
	v, _, over := workspace.Convert(n, func(n *yaml.Node) any {
		s := workspace.Scalar(n)
		if b, ok := s.(*big.Int); ok {
			f, _ := new(big.Float).SetInt(b).Float64()
			return f
		}
		return s
	})
	return v, over == nil
}

// Findings returns the findings of every visited file, evaluating first the
// policies that read a sync's model.
func (e *Evaluator) Findings() []finding.Finding {
	out := make([][]finding.Finding, len(e.deferred))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(e.deferred), 1)) {
		wg.Go(func() {
			for i := range next {
				v := e.deferred[i]
				vars := e.vars(v.file, v.value, v.refs, e.models[v.refs["model"]])
				for j, p := range v.policies {
					if msg, failed := p.eval(vars); failed {
						out[i] = append(out[i], finding.Finding{Path: v.file.Path, Start: v.at[j].start, End: v.at[j].end, Rule: p.ID, Severity: p.Level, Message: msg})
					}
				}
			}
		})
	}
	for i := range e.deferred {
		next <- i
	}
	close(next)
	wg.Wait()
	all := e.found
	for _, fs := range out {
		all = append(all, fs...)
	}
	return all
}

// entry is the manifest's entry for slug; only the slug is known when no
// manifest lists it.
func entry(listed map[string]Entry, slug string) Entry {
	if e, ok := listed[slug]; ok {
		return e
	}
	return Entry{Slug: slug}
}
