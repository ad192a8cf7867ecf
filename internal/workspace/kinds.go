package workspace

import (
	"fmt"

	"github.com/bmatcuk/doublestar/v4"
)

// Kind says what a file describes. Every kind is defined once, in kinds;
// code that branches on a kind handles each one of Kinds (tests hold it to
// that), so a new kind cannot fall silently into another's branch.
type Kind int

const (
	Model Kind = iota
	Sync
	Manifest
	numKinds
)

// Resource says what a kind's files are in Hightouch, which decides what plan
// and deploy do with them.
type Resource int

const (
	// NotDeployed files are read for what they tell about others (the
	// manifest lists sources and destinations); plan and deploy skip them.
	NotDeployed Resource = iota
	// ModelResource files are models: a change is written or waited for, and
	// reruns the syncs that use the model.
	ModelResource
	// SyncResource files are syncs: a change is written or waited for, and
	// triggers the sync.
	SyncResource
)

// KindSpec is everything htgit knows of a kind of Git Sync file.
type KindSpec struct {
	Name     string   // as output shows it: "model"
	Globs    []string // doublestar globs relative to the Git Sync folder
	Slugged  bool     // the file name without extension is the resource's slug
	Schema   string   // the embedded JSON Schema (htgit schema NAME)
	Resource Resource
}

var kinds = [numKinds]KindSpec{
	Model: {Name: "model", Globs: []string{"models/**/*.{yaml,yml}"}, Slugged: true,
		Schema: "model", Resource: ModelResource},
	Sync: {Name: "sync", Globs: []string{"syncs/**/*.{yaml,yml}"}, Slugged: true,
		Schema: "sync", Resource: SyncResource},
	Manifest: {Name: "manifest", Globs: []string{"manifest*.{yaml,yml}"},
		Schema: "manifest", Resource: NotDeployed},
}

// Kinds lists every kind, in the order files are reported by.
func Kinds() []Kind {
	all := make([]Kind, numKinds)
	for i := range all {
		all[i] = Kind(i)
	}
	return all
}

// Spec is the kind's definition.
func (k Kind) Spec() KindSpec {
	if k < 0 || k >= numKinds {
		panic(fmt.Sprintf("workspace: Kind(%d) is not a kind", int(k)))
	}
	return kinds[k]
}

func (k Kind) String() string { return k.Spec().Name }

// Resource is what the kind's files are in Hightouch.
func (k Kind) Resource() Resource { return k.Spec().Resource }

// KindOf tells which kind of workspace file a path relative to the Git Sync
// folder (forward slashes) is, whether or not it exists.
func KindOf(rel string) (Kind, bool) {
	for _, k := range Kinds() {
		for _, g := range kinds[k].Globs {
			if doublestar.MatchUnvalidated(g, rel) {
				return k, true
			}
		}
	}
	return 0, false
}

// pattern is one glob of one kind.
type pattern struct {
	Glob string
	Kind Kind
}

// patterns lists every glob of every kind, for the walk.
func patterns() []pattern {
	var out []pattern
	for _, k := range Kinds() {
		for _, g := range kinds[k].Globs {
			out = append(out, pattern{g, k})
		}
	}
	return out
}
