package check

import (
	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/workspace"
)

func (fc *fileCheck) sync(s *summary) {
	root := fc.doc.Root
	s.model = fc.ref(root, "model")
	s.destination = fc.ref(root, "destination")
	if schedule := fc.field(root, "schedule"); schedule.present() {
		fc.schedule(schedule)
	}
	config := fc.field(root, "config")
	for _, list := range []string{"mappings", "customMappings"} {
		if m := fc.field(config.value, list); m.present() {
			fc.mappings(m.value)
		}
	}
}

// manifest records the slugs of the sources and destinations it lists.
func (fc *fileCheck) manifest(s *summary) {
	s.sources = keysOf(fc.field(fc.doc.Root, "sources"))
	s.destinations = keysOf(fc.field(fc.doc.Root, "destinations"))
}

// keysOf returns the keys of a mapping, or nil when the manifest does not
// list that kind at all (then references to it cannot be checked).
func keysOf(f field) map[string]bool {
	v := workspace.Resolve(f.value)
	if v == nil || v.Kind != yaml.MappingNode {
		return nil // `sources:` left empty, or a value the schema reports
	}
	keys := map[string]bool{}
	names, _ := workspace.Fields(v)
	for _, k := range names {
		keys[k.Value] = true
	}
	return keys
}

// ref reads a string-valued key that names another resource and keeps its
// position for the cross-file rules.
func (fc *fileCheck) ref(m *yaml.Node, key string) ref {
	f := fc.field(m, key)
	if !f.present() {
		return ref{}
	}
	v, ok := f.str()
	return ref{value: v, set: ok, at: fc.span(f.where())}
}
