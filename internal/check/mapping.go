package check

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/schema"
	"github.com/htgit/htgit/internal/suggest"
	"github.com/htgit/htgit/internal/workspace"
)

// mappingTypeNames are the mapping types Hightouch documents
// (https://hightouch.com/docs/syncs/mapping-data): column (standard),
// template, variable and reference mappings, and static values and inline
// mappings of nested objects and arrays.
var mappingTypeNames = []string{"standard", "template", "variable", "reference", "static", "inline"}

// mappingTypeList is mappingTypeNames for a message.
var mappingTypeList = strings.Join(mappingTypeNames[:len(mappingTypeNames)-1], ", ") + " or " + mappingTypeNames[len(mappingTypeNames)-1]

// mappingNeeds maps each mapping type to the field it needs. Static and
// inline mappings need none htgit knows: how Git Sync spells their value is
// not public, so nothing beyond `to` is checked. The sync
// schema could say this with if/then, but the validator then did nearly
// twice the work per sync (an if per type per entry), which the 20,000-file
// benchmark could not afford; the `type` enum and `to` are in the schema.
var mappingNeeds = map[string]string{"standard": "from", "template": "template", "variable": "variable", "reference": "lookup"}

// mappings checks what the sync schema does not: two entries of a list
// writing the same field, and the field each mapping type needs. `to` and
// `type` are rules of sync.json, phrased by the handlers below.
func (fc *fileCheck) mappings(seq *yaml.Node) {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return // the schema reports a mappings value that is not a list
	}
	seen := map[string]int{}
	for _, entry := range seq.Content {
		entry = workspace.Resolve(entry)
		to := fc.field(entry, "to")
		if target, ok := to.str(); ok && target != "" {
			if line, dup := seen[target]; dup {
				fc.atSpan(rules.SyncMappingDuplicateTo, fc.span(to.value), fmt.Sprintf("`%s` is already mapped on line %d; keep one mapping per destination field", target, line),
					finding.Place{Path: fc.doc.File.Path, Line: line})
			} else {
				seen[target] = to.value.Line
			}
		}
		typ := fc.field(entry, "type")
		kind, _ := typ.str()
		if need, ok := mappingNeeds[kind]; ok && workspace.IsNull(fc.field(entry, need).value) {
			fc.at(rules.SyncMappingType, typ.value, fmt.Sprintf("mapping of type %s needs `%s`; add it", kind, need))
		}
	}
}

// listName is the mappings list a violation's path runs through.
func listName(path []string) string {
	if len(path) > 1 {
		return path[1]
	}
	return "mappings"
}

// entryOf returns the mapping entry a violation is about: the value itself
// for a missing key, else the mapping that holds the value.
func (fc *fileCheck) entryOf(v violation) *yaml.Node {
	if v.Problem == schema.Required || len(v.Path) == 0 {
		return v.value
	}
	_, entry := workspace.At(fc.doc.Root, v.Path[:len(v.Path)-1])
	if entry == nil {
		return v.value
	}
	return entry
}

// mappingToViolation phrases sync.json's rule that a mapping names its `to`.
func (fc *fileCheck) mappingToViolation(v violation) bool {
	list := listName(v.Path)
	switch {
	case v.Problem == schema.Required:
		fc.at(rules.SyncMappingTo, v.value, fmt.Sprintf("%s entry has no `to`; name the destination field it writes", list))
	case v.Problem == schema.Type && v.Got == "null":
		fc.at(rules.SyncMappingTo, v.where(), fmt.Sprintf("%s entry has no `to`; name the destination field it writes", list))
	case v.Problem == schema.Length:
		fc.at(rules.SyncMappingTo, v.where(), fmt.Sprintf("%s entry has an empty `to`; name the destination field it writes", list))
	default:
		return false
	}
	return true
}

// mappingTypeViolation phrases sync.json's rule that a mapping has a known
// `type`.
func (fc *fileCheck) mappingTypeViolation(v violation) bool {
	list := listName(v.Path)
	entry := fc.entryOf(v)
	noType := fmt.Sprintf("%s entry has no `type`; add type: standard (with from), or %s", list, strings.TrimPrefix(mappingTypeList, "standard, "))
	switch {
	case v.Problem == schema.Required && v.Key == "type",
		v.Problem == schema.Enum && v.Got == "null":
		fc.at(rules.SyncMappingType, entry, noType)
	case v.Problem == schema.Enum:
		msg := fmt.Sprintf("mapping type %q is not %s", v.text(), mappingTypeList)
		if s := suggest.Closest(v.text(), mappingTypeNames); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		fc.at(rules.SyncMappingType, v.where(), msg)
	default:
		return false
	}
	return true
}
