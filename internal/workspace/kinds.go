package workspace

import (
	"fmt"
	"path"

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
	ParentModel  // Customer Studio schema models and relationships
	RelatedModel //
	EventModel   //
	Relationship //
	Contract     // event contracts
	Aliases      // slug aliases across workspaces sharing the folder
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

// ResourceSpec is what a deployed resource means beyond its kinds: what
// Hightouch does when its file goes.
type ResourceSpec struct {
	// Deleted says what a deleted file leaves behind in Hightouch and how to
	// retire it; Renamed, the same for the old name of a renamed file, from
	// its own punctuation on (it follows the old name).
	Deleted, Renamed string
}

// resources defines each deployed resource once.
var resources = map[Resource]ResourceSpec{
	ModelResource: {
		Deleted: "delete the model in Hightouch once no sync uses it",
		Renamed: "; delete the old model in Hightouch once no sync uses it, or keep the old file name"},
	SyncResource: {
		Deleted: "the sync keeps running on its schedule. To retire it: set schedulePaused: true, merge, then delete it in Hightouch",
		Renamed: ", which keeps running on its schedule; retire the old one in Hightouch or keep the old file name"},
}

// Spec is the resource's definition; NotDeployed has none.
func (r Resource) Spec() ResourceSpec {
	spec, ok := resources[r]
	if !ok {
		panic(fmt.Sprintf("workspace: Resource(%d) is not deployed", int(r)))
	}
	return spec
}

// DeployedResources are the resources plan and deploy act on, in the order
// deploy writes them: models first, since syncs name them.
func DeployedResources() []Resource { return []Resource{ModelResource, SyncResource} }

// KindSpec is everything htgit knows of a kind of Git Sync file.
type KindSpec struct {
	Name string // as output shows it: "model"
	// Folder is where Git Sync writes the kind's files, relative to the Git
	// Sync folder ("" for files at its top, like the manifest).
	Folder string
	Globs  []string // doublestar globs relative to the Git Sync folder
	// SlugSpace names the slugs the file name gives: kinds sharing one (a
	// model and a parent model) must not share a slug, and a sync's model
	// may be any of them. Empty: the file name is no slug.
	SlugSpace string
	Schema    string // the embedded JSON Schema (htgit schema NAME)
	Resource  Resource
	// Unconfirmed says why the kind's format is htgit's reading, not
	// Hightouch's documentation; its schema findings are then warnings.
	Unconfirmed string
}

// Slug spaces.
const (
	ModelSlugs = "model"
	SyncSlugs  = "sync"
)

const customerStudio = "Git Sync's format for Customer Studio schema files is not public"

// kinds is every file Git Sync writes. The Customer Studio schema files and
// event contracts are read but not deployed: their content is not public,
// so plan and deploy leave them to Git Sync (see the README's Git Sync
// format section).
var kinds = [numKinds]KindSpec{
	Model: {Name: "model", Folder: "models", Globs: []string{"models/**/*.{yaml,yml}"}, SlugSpace: ModelSlugs,
		Schema: "model", Resource: ModelResource},
	Sync: {Name: "sync", Folder: "syncs", Globs: []string{"syncs/**/*.{yaml,yml}"}, SlugSpace: SyncSlugs,
		Schema: "sync", Resource: SyncResource},
	Manifest: {Name: "manifest", Globs: []string{"manifest*.{yaml,yml}"},
		Schema: "manifest", Resource: NotDeployed},
	ParentModel: {Folder: "schema/parent-models", Name: "parent model", Globs: []string{"schema/parent-models/**/*.{yaml,yml}"}, SlugSpace: ModelSlugs,
		Schema: "schema-model", Resource: NotDeployed, Unconfirmed: customerStudio},
	RelatedModel: {Folder: "schema/related-models", Name: "related model", Globs: []string{"schema/related-models/**/*.{yaml,yml}"}, SlugSpace: ModelSlugs,
		Schema: "schema-model", Resource: NotDeployed, Unconfirmed: customerStudio},
	EventModel: {Folder: "schema/event-models", Name: "event model", Globs: []string{"schema/event-models/**/*.{yaml,yml}"}, SlugSpace: ModelSlugs,
		Schema: "schema-model", Resource: NotDeployed, Unconfirmed: customerStudio},
	Relationship: {Folder: "schema/model-relationships", Name: "model relationship", Globs: []string{"schema/model-relationships/**/*.{yaml,yml}"}, SlugSpace: "relationship",
		Schema: "relationship", Resource: NotDeployed, Unconfirmed: customerStudio},
	// Where Git Sync writes contracts is not public: contracts/ is htgit's
	// reading, and a YAML file elsewhere is reported as unclaimed, not
	// passed in silence.
	Contract: {Folder: "contracts", Name: "event contract", Globs: []string{"contracts/**/*.{yaml,yml}"}, SlugSpace: "contract",
		Schema: "contract", Resource: NotDeployed, Unconfirmed: "how Git Sync writes event contracts is not public"},
	Aliases: {Name: "aliases", Globs: []string{"aliases*.{yaml,yml}"},
		Schema: "aliases", Resource: NotDeployed, Unconfirmed: "the aliases file's format is not public"},
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

// File is where Git Sync writes the file of slug: the path relative to the
// Git Sync folder, as export writes it.
func (s KindSpec) File(slug string) string {
	return path.Join(s.Folder, slug+".yaml")
}

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
