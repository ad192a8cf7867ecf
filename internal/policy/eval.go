package policy

import (
	"fmt"
	"math/big"
	"runtime"
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
// parses them: Visit takes what the policies need of each file while its
// node tree exists, Findings evaluates once every file is seen (a sync's
// policy may read its model's file and the manifest).
type Evaluator struct {
	policies []*Policy
	changes  Changes
	mu       sync.Mutex
	files    []*visited
	models   map[string]map[string]any // model files by slug
	sources  map[string]Entry          // every manifest's, by slug
	dests    map[string]Entry
}

// visited is what the policies need of one file.
type visited struct {
	file  workspace.File
	value map[string]any
	// at holds, for each policy that applies, where its finding lands.
	at map[*Policy]span
	// refs are the keys that name other files: a sync's model and
	// destination, a model's source.
	refs map[string]string
}

type span struct{ start, end finding.Pos }

// NewEvaluator returns an evaluator of the given policies; changes may be
// nil.
func NewEvaluator(policies []*Policy, changes Changes) *Evaluator {
	return &Evaluator{policies: policies, changes: changes, models: map[string]map[string]any{},
		sources: map[string]Entry{}, dests: map[string]Entry{}}
}

// Visit reads what the policies need of a parsed file. It is safe for
// concurrent use.
func (e *Evaluator) Visit(doc *workspace.Document) {
	if doc.Root == nil || len(e.policies) == 0 {
		return
	}
	k := doc.File.Kind
	var applying []*Policy
	for _, p := range e.policies {
		if p.Applies(k) {
			applying = append(applying, p)
		}
	}
	// A sync's policy may read its model's file and the manifest's entries.
	keep := len(applying) > 0 || k == workspace.Model || k == workspace.Manifest
	if !keep {
		return
	}
	value, ok := convert(doc.Root)
	if !ok {
		return // past workspace.MaxValues: the schema step reports it
	}
	v := &visited{file: doc.File, value: value}
	if len(applying) > 0 {
		v.at = make(map[*Policy]span, len(applying))
		for _, p := range applying {
			v.at[p] = where(doc, p)
		}
		v.refs = map[string]string{}
		for _, key := range []string{"model", "destination", "source"} {
			if s, ok := value[key].(string); ok {
				v.refs[key] = s
			}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	switch k {
	case workspace.Model:
		e.models[doc.File.Slug] = value
	case workspace.Manifest:
		addEntries(e.sources, value["sources"])
		addEntries(e.dests, value["destinations"])
	}
	if len(applying) > 0 {
		e.files = append(e.files, v)
	}
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

// convert makes the file's value as CEL reads it: YAML's integers too large
// for int64 become doubles (CEL has no big integers).
func convert(root *yaml.Node) (map[string]any, bool) {
	v, _, over := workspace.Convert(root, func(n *yaml.Node) any {
		if b, ok := workspace.Scalar(n).(*big.Int); ok {
			f, _ := new(big.Float).SetInt(b).Float64()
			return f
		}
		return workspace.Scalar(n)
	})
	m, ok := v.(map[string]any)
	return m, ok && over == nil
}

// Findings evaluates every policy on every visited file it applies to.
func (e *Evaluator) Findings() []finding.Finding {
	out := make([][]finding.Finding, len(e.files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(e.files), 1)) {
		wg.Go(func() {
			for i := range next {
				out[i] = e.evaluate(e.files[i])
			}
		})
	}
	for i := range e.files {
		next <- i
	}
	close(next)
	wg.Wait()
	var all []finding.Finding
	for _, fs := range out {
		all = append(all, fs...)
	}
	return all
}

// evaluate runs the policies that apply to one file.
func (e *Evaluator) evaluate(v *visited) []finding.Finding {
	change := ""
	if e.changes != nil {
		change = "unchanged"
		if c, ok := e.changes[v.file.Path]; ok {
			change = c
		}
	}
	model := e.models[v.refs["model"]]
	if model == nil {
		model = map[string]any{}
	}
	vars := map[string]any{
		"file": v.value, "kind": v.file.Kind.String(), "slug": v.file.Slug, "path": v.file.Rel, "change": change,
		"model":       model,
		"destination": entry(e.dests, v.refs["destination"]),
		"source":      entry(e.sources, v.refs["source"]),
	}
	var out []finding.Finding
	for _, p := range e.policies {
		at, applies := v.at[p]
		if !applies {
			continue
		}
		res, _, err := p.prg.Eval(vars)
		msg := ""
		switch {
		case err != nil:
			msg = fmt.Sprintf("policy %s could not be evaluated on this file: %v; guard optional fields with has(), e.g. has(file.description) && ...", p.ID, err)
		case res.Value() != true:
			msg = p.message()
		default:
			continue
		}
		out = append(out, finding.Finding{Path: v.file.Path, Start: at.start, End: at.end, Rule: p.ID, Severity: p.Level, Message: msg})
	}
	return out
}

// entry is the manifest's entry for slug; only the slug is known when no
// manifest lists it.
func entry(listed map[string]Entry, slug string) Entry {
	if e, ok := listed[slug]; ok {
		return e
	}
	return Entry{Slug: slug}
}
