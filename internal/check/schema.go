package check

import (
	"fmt"
	"strings"

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

// schema validates the file against its JSON Schema and places each
// violation on the node it concerns.
func (fc *fileCheck) schema() {
	violations, err := schema.Validate(fc.doc.File.Kind.String(), fc.doc.Root)
	if err != nil {
		// The embedded schemas are tested; reaching this is a bug, shown rather than hidden.
		fc.at(ruleSchemaOther, fc.doc.Root, "internal error validating against the schema: "+err.Error())
		return
	}
	for _, v := range violations {
		key, value := workspace.At(fc.doc.Root, v.Path)
		if value == nil {
			value = fc.doc.Root
		}
		name := "`" + strings.Join(v.Path, ".") + "`"
		switch v.Problem {
		case schema.Required:
			where := value
			if key != nil {
				where = key // the nested mapping's own key reads better than its whole body
			}
			fc.at(ruleRequired, where, fmt.Sprintf("missing required key `%s`%s; add it", v.Key, inMapping(v.Path)))
		case schema.Unknown:
			k, _ := workspace.Lookup(value, v.Key)
			if k == nil {
				k = value
			}
			msg := fmt.Sprintf("unknown key `%s`%s", v.Key, inMapping(v.Path))
			if s := closest(v.Key, v.Known); s != "" {
				msg += fmt.Sprintf("; did you mean `%s`?", s)
			} else {
				msg += "; Hightouch ignores it: remove it"
			}
			fc.at(ruleUnknownKey, k, msg)
		case schema.Type:
			fc.at(ruleType, field{key, value}.where(), name+" "+v.Message)
		case schema.Enum:
			fc.at(ruleEnum, field{key, value}.where(), name+" "+v.Message)
		default:
			fc.at(ruleSchemaOther, field{key, value}.where(), name+" "+v.Message)
		}
	}
}

func inMapping(path []string) string {
	if len(path) == 0 {
		return ""
	}
	return " in `" + strings.Join(path, ".") + "`"
}
