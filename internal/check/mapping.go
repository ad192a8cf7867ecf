package check

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

// mappingTypes maps each mapping type to the field it needs.
var mappingTypes = map[string]string{"standard": "from", "template": "template", "variable": "variable", "reference": "lookup"}

func (fc *fileCheck) mappings(list string, seq *yaml.Node) {
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return // the schema reports a mappings value that is not a list
	}
	seen := map[string]int{}
	for _, entry := range seq.Content {
		entry = workspace.Resolve(entry)
		if entry.Kind != yaml.MappingNode {
			continue
		}
		to := fc.field(entry, "to")
		if target, ok := to.str(); ok && target != "" {
			if line, dup := seen[target]; dup {
				fc.at(rules.SyncMappingDuplicateTo, to.value, fmt.Sprintf("`%s` is already mapped on line %d; keep one mapping per destination field", target, line))
			} else {
				seen[target] = to.value.Line
			}
		} else if !to.present() || workspace.IsNull(to.value) {
			fc.at(rules.SyncMappingTo, whereOr(to, field{key: entry}), fmt.Sprintf("%s entry has no `to`; name the destination field it writes", list))
		} else if ok {
			fc.at(rules.SyncMappingTo, to.where(), fmt.Sprintf("%s entry has an empty `to`; name the destination field it writes", list))
		}

		typ := fc.field(entry, "type")
		kind, _ := typ.str()
		need, known := mappingTypes[kind]
		switch {
		case !typ.present() || workspace.IsNull(typ.value):
			fc.at(rules.SyncMappingType, entry, fmt.Sprintf("%s entry has no `type`; add type: standard (with from), template, variable or reference", list))
		case !known:
			msg := fmt.Sprintf("mapping type %q is not standard, template, variable or reference", kind)
			if s := closest(kind, []string{"standard", "template", "variable", "reference"}); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			fc.at(rules.SyncMappingType, typ.where(), msg)
		case workspace.IsNull(fc.field(entry, need).value):
			fc.at(rules.SyncMappingType, typ.value, fmt.Sprintf("mapping of type %s needs `%s`; add it", kind, need))
		}
	}
}
