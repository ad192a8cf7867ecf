package hightouchtest

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// schemaDoc holds the component schemas of Hightouch's OpenAPI document that
// the fake speaks, extracted by testdata/extract_schemas.py. The fake checks
// request bodies against them, and its tests check its answers against them.
//
//go:embed testdata/hightouch-schemas.json
var schemaDoc []byte

const schemaURL = "hightouch-schemas.json"

var schemas = struct {
	sync.Mutex
	compiler *jsonschema.Compiler
	byName   map[string]*jsonschema.Schema
}{byName: map[string]*jsonschema.Schema{}}

// Schema returns the compiled component schema name (e.g. "Sync",
// "SyncCreate", "ListSyncRuns", "ValidateErrorJSON").
func Schema(name string) (*jsonschema.Schema, error) {
	schemas.Lock()
	defer schemas.Unlock()
	if sch, ok := schemas.byName[name]; ok {
		return sch, nil
	}
	if schemas.compiler == nil {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaDoc))
		if err != nil {
			return nil, err
		}
		c := jsonschema.NewCompiler()
		if err := c.AddResource(schemaURL, doc); err != nil {
			return nil, err
		}
		schemas.compiler = c
	}
	sch, err := schemas.compiler.Compile(schemaURL + "#/components/schemas/" + name)
	if err != nil {
		return nil, err
	}
	schemas.byName[name] = sch
	return sch, nil
}

// validate checks v against a schema and returns Hightouch-style details,
// {"requestBody.<field>": {"message": ...}}, or nil when v is valid.
func validate(name string, v any) map[string]any {
	sch, err := Schema(name)
	if err != nil {
		panic(fmt.Sprintf("hightouchtest: schema %s: %v", name, err)) // the embedded document is broken
	}
	err = sch.Validate(v)
	if err == nil {
		return nil
	}
	details := map[string]any{}
	for _, u := range err.(*jsonschema.ValidationError).BasicOutput().Errors {
		if u.Error == nil {
			continue
		}
		key := "requestBody" + strings.ReplaceAll(u.InstanceLocation, "/", ".")
		switch u.Error.Kind.(type) {
		case *kind.Schema, *kind.Reference, *kind.Group, *kind.AllOf, *kind.AnyOf, *kind.OneOf:
			if _, ok := details[key]; ok {
				continue // keep the specific message, not "validation failed"
			}
		}
		details[key] = map[string]any{"message": u.Error.String()}
	}
	return details
}
