package check

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/schema"
	"github.com/htgit/htgit/internal/workspace"
)

var (
	ruleRequired = finding.Rule{ID: "schema-required", Severity: finding.Error,
		Summary: "A required key is missing.",
		Help:    "Add the key to the mapping shown; `htgit schema model|sync|manifest` prints every key and its meaning."}
	ruleType = finding.Rule{ID: "schema-type", Severity: finding.Error,
		Summary: "A value has the wrong type.",
		Help:    "Write the value as the type shown: quote text, write true/false for booleans without quotes."}
	ruleEnum = finding.Rule{ID: "schema-enum", Severity: finding.Error,
		Summary: "A value is not one of the allowed values.",
		Help:    "Use one of the values the message lists."}
	ruleUnknownKey = finding.Rule{ID: "schema-unknown-key", Severity: finding.Warning,
		Summary: "A key is not part of the Git Sync format.",
		Help:    "Check the spelling (keys are case-sensitive); Hightouch ignores keys it does not know."}
	ruleSchemaOther = finding.Rule{ID: "schema-invalid", Severity: finding.Error,
		Summary: "A value breaks a constraint of the Git Sync schema.",
		Help:    "Fix the value as the message says."}
	schemaRules = []finding.Rule{ruleRequired, ruleType, ruleEnum, ruleUnknownKey, ruleSchemaOther}
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
	ruleQueryField.ID:  (*fileCheck).queryFieldViolation,
	ruleDBTModel.ID:    (*fileCheck).dbtModelViolation,
	rulePrimaryKey.ID:  (*fileCheck).primaryKeyViolation,
	ruleMappingTo.ID:   (*fileCheck).mappingToViolation,
	ruleMappingType.ID: (*fileCheck).mappingTypeViolation,
}

// schema validates the file against its JSON Schema and places each
// violation on the node it concerns.
func (fc *fileCheck) schema() {
	violations, err := schema.Validate(fc.doc.File.Kind.String(), fc.doc.Root)
	if err != nil {
		// The embedded schemas are tested; reaching this is a bug, shown rather than hidden.
		fc.at(ruleSchemaOther, fc.doc.Root, "internal error validating against the schema: "+err.Error())
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
			fc.at(ruleRequired, where, fmt.Sprintf("missing required key `%s`%s; add it", v.Key, inMapping(v.Path)))
		case schema.Unknown:
			k, _ := workspace.Lookup(v.value, v.Key)
			if k == nil {
				k = v.value
			}
			msg := fmt.Sprintf("unknown key `%s`%s", v.Key, inMapping(v.Path))
			if s := closest(v.Key, v.Known); s != "" {
				msg += fmt.Sprintf("; did you mean `%s`?", s)
			} else {
				msg += "; Hightouch ignores it: remove it"
			}
			fc.at(ruleUnknownKey, k, msg)
		case schema.Type:
			fc.at(ruleType, v.where(), name+" "+v.Message)
		case schema.Enum:
			fc.at(ruleEnum, v.where(), name+" "+v.Message)
		case schema.TooLarge:
			fc.at(ruleSchemaOther, v.Node, v.Message)
		default:
			fc.at(ruleSchemaOther, v.where(), name+" "+v.Message)
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
