// Package reporttest checks what htgit writes against the published schemas
// of the report formats: SARIF 2.1.0 (OASIS) and GitLab's Code Quality
// report. The schemas are embedded, so the tests of any package (report's
// own, the end-to-end runs of the binary) check against the same ones.
package reporttest

import (
	"bytes"
	"embed"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed sarif-schema-2.1.0.json codeclimate-schema.json
var files embed.FS

// SARIF compiles OASIS's SARIF 2.1.0 schema.
func SARIF(t testing.TB) *jsonschema.Schema {
	t.Helper()
	return compile(t, "sarif-schema-2.1.0.json", "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json")
}

// CodeClimate compiles the schema of a Code Quality report, written from
// GitLab's description of the fields it reads
// (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).
func CodeClimate(t testing.TB) *jsonschema.Schema {
	t.Helper()
	return compile(t, "codeclimate-schema.json", "codeclimate.json")
}

// compile compiles the embedded schema file, whose $id (or the name it is
// known by) is id, asserting formats (a uri must be one).
func compile(t testing.TB, file, id string) *jsonschema.Schema {
	t.Helper()
	src, err := files.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// Validate returns why the JSON document b is not an instance of sch, nil
// when it is.
func Validate(t testing.TB, sch *jsonschema.Schema, b []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return sch.Validate(inst)
}
