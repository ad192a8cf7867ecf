package check

import (
	"fmt"
	"strings"

	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/schema"
	"github.com/htgit/htgit/internal/workspace"
)

// schema validates the file against its JSON Schema and places each
// violation on the node it concerns.
func (fc *fileCheck) schema() {
	violations, err := schema.Validate(fc.doc.File.Kind.Spec().Schema, fc.doc.Root)
	if err != nil {
		// The embedded schemas are tested; reaching this is a bug, shown rather than hidden.
		fc.at(rules.SchemaInvalid, fc.doc.Root, "internal error validating against the schema: "+err.Error())
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
			fc.at(rules.SchemaRequired, where, fmt.Sprintf("missing required key `%s`%s; add it", v.Key, inMapping(v.Path)))
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
			fc.at(rules.SchemaUnknownKey, k, msg)
		case schema.Type:
			fc.at(rules.SchemaType, field{key, value}.where(), name+" "+v.Message)
		case schema.Enum:
			fc.at(rules.SchemaEnum, field{key, value}.where(), name+" "+v.Message)
		default:
			fc.at(rules.SchemaInvalid, field{key, value}.where(), name+" "+v.Message)
		}
	}
}

func inMapping(path []string) string {
	if len(path) == 0 {
		return ""
	}
	return " in `" + strings.Join(path, ".") + "`"
}
