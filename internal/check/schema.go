package check

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/schema"
	"github.com/htgit/htgit/internal/suggest"
	"github.com/htgit/htgit/internal/workspace"
)

// violation is one schema violation placed in the file: the key node of the
// last path step (nil for a list entry or the root) and the value node.
type violation struct {
	schema.Violation
	key, value *yaml.Node
}

// schemaRuleMessages report the violations of subschemas that carry an
// x-htgit-rule, under that rule and in its words. A handler returns false
// for a violation it leaves to the generic schema rules (a value of the
// wrong type, which the base schema reports too, or a kind it does not
// phrase).
var schemaRuleMessages = map[string]func(fc *fileCheck, v violation) bool{
	rules.ModelQueryField.ID: (*fileCheck).queryFieldViolation,
	rules.ModelDBTModel.ID:   (*fileCheck).dbtModelViolation,
	rules.ModelPrimaryKey.ID: (*fileCheck).primaryKeyViolation,
	rules.SyncMappingTo.ID:   (*fileCheck).mappingToViolation,
	rules.SyncMappingType.ID: (*fileCheck).mappingTypeViolation,
}

// schema validates the file against its JSON Schema and places each
// violation on the node it concerns.
func (fc *fileCheck) schema() {
	violations, err := schema.Validate(fc.doc.File.Kind.Spec().Schema, fc.doc.Root)
	if err != nil {
		// The embedded schemas are tested; reaching this is a bug, shown rather than hidden.
		fc.at(rules.SchemaInvalid, fc.doc.Root, "internal error validating against the schema: "+err.Error())
		return
	}
	for _, sv := range violations {
		v := violation{Violation: sv}
		v.key, v.value = workspace.At(fc.doc.Root, v.Path)
		if v.value == nil {
			v.value = fc.doc.Root
		}
		if handle := schemaRuleMessages[v.Rule]; handle != nil && handle(fc, v) {
			continue
		}
		name := "`" + strings.Join(v.Path, ".") + "`"
		switch v.Problem {
		case schema.Required:
			where := v.value
			if v.key != nil {
				where = v.key // the nested mapping's own key reads better than its whole body
			}
			fc.at(rules.SchemaRequired, where, fmt.Sprintf("missing required key `%s`%s; add it", v.Key, inMapping(v.Path)))
		case schema.Unknown:
			k, _ := workspace.Lookup(v.value, v.Key)
			if k == nil {
				k = v.value
			}
			if k == fc.dbtModelIDInstead() {
				continue // model-query-field's warning says what to write
			}
			msg := fmt.Sprintf("unknown key `%s`%s", v.Key, inMapping(v.Path))
			if len(v.Path) == 0 && slices.Contains(fc.doc.File.Kind.Spec().APIKeys, v.Key) {
				msg += fmt.Sprintf("; Hightouch's API has `%s` on a %s, but whether Git Sync writes or reads it in a file is not public", v.Key, fc.doc.File.Kind)
			} else if s := suggest.Closest(v.Key, v.Known); s != "" {
				msg += fmt.Sprintf("; did you mean `%s`?", s)
			} else {
				msg += "; Hightouch ignores it: remove it"
			}
			fc.at(rules.SchemaUnknownKey, k, msg)
		case schema.Type:
			fc.at(rules.SchemaType, v.where(), name+" "+v.Message)
		case schema.Enum:
			fc.at(rules.SchemaEnum, v.where(), name+" "+v.Message)
		case schema.TooLarge:
			fc.at(rules.SchemaInvalid, v.Node, v.Message)
		case schema.TooMany:
			fc.atSpan(rules.SchemaInvalid, fileStart, v.Message)
		case schema.Pattern, schema.Length, schema.Other:
			fc.at(rules.SchemaInvalid, v.where(), name+" "+v.Message)
		}
	}
}

// where is the node a finding about the violation's value points at.
func (v violation) where() *yaml.Node { return field{v.key, v.value}.where() }

// valueOf is the violation's value as a string, for messages.
func (v violation) text() string {
	if s, ok := v.Value.(string); ok {
		return s
	}
	return fmt.Sprint(v.Value)
}

func inMapping(path []string) string {
	if len(path) == 0 {
		return ""
	}
	return " in `" + strings.Join(path, ".") + "`"
}
