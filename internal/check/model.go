package check

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

// queryFields maps each model type to the field that holds its query.
var queryFields = map[string]string{"raw_sql": "rawSql", "table": "tableName", "dbt_model": "dbtModel"}

var (
	// model.<package>.<model>, and a version suffix (model.pkg.users.v2).
	dbtModelID = regexp.MustCompile(`^model\.[A-Za-z0-9_]+\.[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?$`)
	selectStar = regexp.MustCompile(`(?i)\bselect\s+(distinct\s+)?([A-Za-z0-9_"` + "`" + `]+\.)?\*`)
)

func (fc *fileCheck) model(s *summary) {
	root := fc.doc.Root
	s.name = fc.ref(root, "name")
	s.source = fc.ref(root, "source")

	typ := fc.field(root, "type")
	kind, _ := typ.str()
	if want, ok := queryFields[kind]; ok {
		fc.queryFields(kind, want, typ)
	}

	if isSchema := fc.field(root, "isSchema"); workspace.Value(isSchema.value) == true {
		fc.at(rules.ModelIsSchema, isSchema.value, "isSchema must be false: it is internal to Hightouch")
	}

	pk := fc.field(root, "primaryKey")
	key, isString := pk.str()
	if pk.present() && isString && strings.TrimSpace(key) == "" {
		fc.at(rules.ModelPrimaryKey, pk.where(), "primaryKey is empty; name the column that identifies a row")
	}
	if kind == "raw_sql" && strings.TrimSpace(key) != "" {
		sql := fc.field(root, "rawSql")
		if text, ok := sql.str(); ok && !mentions(text, key) && !selectStar.MatchString(text) {
			fc.at(rules.ModelPrimaryKeyUnused, pk.value,
				fmt.Sprintf("the rawSql query never mentions the primary key column %q; select it or fix primaryKey", key))
		}
	}
}

// queryFields checks that the field of the model's type is set and the
// fields of the other types are null or absent.
func (fc *fileCheck) queryFields(kind, want string, typ field) {
	root := fc.doc.Root
	for _, name := range []string{"rawSql", "tableName", "dbtModel"} {
		f := fc.field(root, name)
		text, isString := f.str()
		switch {
		case name == want && workspace.IsNull(f.value):
			fc.at(rules.ModelQueryField, whereOr(f, typ), fmt.Sprintf("type is %s but %s is not set; add the %s", kind, want, describeField(want)))
		case name == want && isString && strings.TrimSpace(text) == "":
			fc.at(rules.ModelQueryField, f.where(), fmt.Sprintf("%s is empty; add the %s", want, describeField(want)))
		case name == want && name == "dbtModel" && isString && !dbtModelID.MatchString(text):
			fc.at(rules.ModelDBTModel, f.value, fmt.Sprintf("dbtModel %q is not of the form model.<package>.<model>", text))
		case name != want && !workspace.IsNull(f.value):
			fc.at(rules.ModelQueryField, f.key, fmt.Sprintf("%s must be null when type is %s; remove it or change type", name, kind))
		}
	}
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
