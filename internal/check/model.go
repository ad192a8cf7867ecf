package check

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/schema"
	"github.com/htgit/htgit/internal/suggest"
	"github.com/htgit/htgit/internal/workspace"
)

var selectStar = regexp.MustCompile(`(?i)\bselect\s+(distinct\s+)?([A-Za-z0-9_"` + "`" + `]+\.)?\*`)

// modelTypes are the model types whose YAML htgit knows; model.json's
// if/then checks each one's query field.
var modelTypes = []string{"raw_sql", "table", "dbt_model"}

// model checks what the model schema cannot say; the query field, the dbt
// model id and an empty primary key are rules of model.json, phrased by the
// handlers below.
func (fc *fileCheck) model(s *summary) {
	root := fc.modelRefs(s)

	typ := fc.field(root, "type")
	kind, isString := typ.str()
	if isString && !slices.Contains(modelTypes, kind) {
		msg := fmt.Sprintf("model type %q is not one htgit knows (raw_sql, table, dbt_model); Hightouch's API also has custom, visual and dbt_cloud models, but how Git Sync writes them is not public, so this model's query is not checked", kind)
		if s := suggest.Closest(kind, modelTypes); s != "" {
			msg = fmt.Sprintf("model type %q is not one htgit knows; did you mean %q? (Hightouch's API also has custom, visual and dbt_cloud models, whose Git Sync spelling is not public)", kind, s)
		}
		fc.at(rules.ModelType, typ.where(), msg)
	}
	s.keyless = isKeyless(fc.field(root, "primaryKey"))
	key, _ := fc.field(root, "primaryKey").str()
	if kind == "raw_sql" && strings.TrimSpace(key) != "" {
		sql := fc.field(root, "rawSql")
		if text, ok := sql.str(); ok && strings.TrimSpace(text) != "" && !mentions(text, key) && !selectStar.MatchString(text) {
			fc.at(rules.ModelPrimaryKeyUnused, fc.field(root, "primaryKey").value,
				fmt.Sprintf("the rawSql query never mentions the primary key column %q; select it or fix primaryKey", key))
		}
	}
}

// modelRefs records what other files' checks need of a model (its name and
// source) and returns the file's root mapping.
func (fc *fileCheck) modelRefs(s *summary) *yaml.Node {
	root := fc.doc.Root
	s.name = fc.ref(root, "name")
	s.source = fc.ref(root, "source")
	return root
}

// queryFieldViolation phrases model.json's rule that the field of the
// model's type is set and the other query fields are null.
func (fc *fileCheck) queryFieldViolation(v violation) bool {
	typ := fc.field(fc.doc.Root, "type")
	kind, _ := typ.str()
	name := v.Key
	if v.Problem != schema.Required && len(v.Path) > 0 {
		name = v.Path[len(v.Path)-1]
	}
	if modelID := fc.dbtModelIDInstead(); modelID != nil && name == "dbtModel" &&
		(v.Problem == schema.Required || v.Problem == schema.Type && v.Got == "null") {
		fc.warnAt(rules.ModelQueryField, modelID, "a dbt model names its dbt model with dbtModel: model.<package>.<model> in Git Sync's files; "+
			"`modelId` is the API's spelling, and whether Git Sync reads it is not public: write dbtModel")
		return true
	}
	switch {
	case v.Problem == schema.Required:
		fc.at(rules.ModelQueryField, typ.key, fmt.Sprintf("type is %s but %s is not set; add the %s", kind, name, describeField(name)))
	case v.Problem == schema.Type && slices.Equal(v.Want, []string{"null"}):
		fc.at(rules.ModelQueryField, v.key, fmt.Sprintf("%s must be null when type is %s; remove it or change type", name, kind))
	case v.Problem == schema.Type && v.Got == "null":
		fc.at(rules.ModelQueryField, v.where(), fmt.Sprintf("type is %s but %s is not set; add the %s", kind, name, describeField(name)))
	case v.Problem == schema.Pattern:
		fc.at(rules.ModelQueryField, v.where(), fmt.Sprintf("%s is empty; add the %s", name, describeField(name)))
	case v.Problem == schema.Type:
		// Neither string nor null: the base schema's type already reports it.
	default:
		return false
	}
	return true
}

// dbtModelIDInstead returns the key of a dbt model's top-level `modelId`
// when it stands where dbtModel is missing: a public guide writes a dbt
// model's query that way (the API's spelling). queryFieldViolation then
// reports the one warning, and the key is not also an unknown key.
func (fc *fileCheck) dbtModelIDInstead() *yaml.Node {
	root := fc.doc.Root
	if fc.doc.File.Kind != workspace.Model {
		return nil
	}
	if kind, _ := fc.field(root, "type").str(); kind != "dbt_model" || !workspace.IsNull(fc.field(root, "dbtModel").value) {
		return nil
	}
	return fc.field(root, "modelId").key
}

// dbtModelViolation phrases model.json's pattern for a dbt model id.
func (fc *fileCheck) dbtModelViolation(v violation) bool {
	if v.Problem != schema.Pattern {
		return false
	}
	if text := v.text(); strings.TrimSpace(text) != "" { // an empty one is model-query-field's
		fc.at(rules.ModelDBTModel, v.value, fmt.Sprintf("dbtModel %q is not of the form model.<package>.<model>", text))
	}
	return true
}

// primaryKeyViolation phrases model.json's rule that primaryKey is not blank.
func (fc *fileCheck) primaryKeyViolation(v violation) bool {
	if v.Problem != schema.Pattern {
		return false
	}
	fc.at(rules.ModelPrimaryKey, v.where(), "primaryKey is empty; name the column that identifies a row")
	return true
}

func describeField(name string) string {
	switch name {
	case "rawSql":
		return "SQL query"
	case "tableName":
		return "table name"
	}
	return "dbt model id (model.<package>.<model>)"
}

// whereOr points at f when present, else at fallback's key.
func whereOr(f, fallback field) *yaml.Node {
	if f.present() {
		return f.where()
	}
	return fallback.key
}

// mentions reports whether sql names column as a whole word (any case,
// quoted or not).
func mentions(sql, column string) bool {
	sql, column = strings.ToLower(sql), strings.ToLower(column)
	for i := 0; ; {
		j := strings.Index(sql[i:], column)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(column)
		if (start == 0 || !isWordByte(sql[start-1])) && (end == len(sql) || !isWordByte(sql[end])) {
			return true
		}
		i = start + 1
	}
}

func isWordByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

// isKeyless reports a primaryKey that is absent or null: the API's way of
// saying the model is not synced directly (a Customer Studio model).
func isKeyless(pk field) bool {
	return !pk.present() || workspace.IsNull(pk.value)
}
