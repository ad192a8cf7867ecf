// Package schema holds the JSON Schemas of Git Sync model, sync and manifest
// files, embedded in the binary, and validates parsed YAML documents against
// them with github.com/santhosh-tekuri/jsonschema/v6, each schema compiled
// once per process. It reports violations by instance path; turning paths
// into file positions and rule messages is package check's job.
//
// Two keywords of htgit's own, which editors ignore, tie the schemas to the
// rules. "x-htgit-rule" names the rule a subschema's violations belong to,
// so a rule such as "the query field must match type" lives in the schema
// editors load and still reports under its own id. "x-htgit-closed": true
// marks a mapping whose unknown keys htgit warns about (schema-unknown-key):
// htgit compiles it as additionalProperties: false, while editors, which
// can only show a schema violation as an error, accept unknown keys as
// Hightouch does.
package schema

import (
	"bytes"
	"embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed model.json sync.json manifest.json schema-model.json relationship.json contract.json aliases.json
var files embed.FS

// Names are the schemas there are, as `htgit schema NAME` takes them.
var Names = []string{"model", "sync", "manifest", "schema-model", "relationship", "contract", "aliases"}

// RuleKeyword is the schema keyword that ties a subschema to an htgit rule.
const RuleKeyword = "x-htgit-rule"

// ClosedKeyword marks a mapping whose unknown keys htgit warns about.
const ClosedKeyword = "x-htgit-closed"

// Source returns the schema document called name (model, sync, manifest).
func Source(name string) ([]byte, error) {
	if !slices.Contains(Names, name) {
		return nil, fmt.Errorf("unknown schema %q: choose one of %s", name, strings.Join(Names, ", "))
	}
	return files.ReadFile(name + ".json")
}

// compiled is one schema ready to validate, with what messages need to know
// about each of its subschemas.
type compiled struct {
	schema *jsonschema.Schema
	url    string           // the schema's $id, the prefix of every location
	at     map[string]*info // by JSON pointer within the document
}

// info is what a subschema says beyond what the validator reports.
type info struct {
	rule  string   // x-htgit-rule here or on an enclosing subschema
	types []string // its `type`, in the schema's order
	known []string // its property names, sorted
	props map[string]string
}

func url(name string) string { return "https://github.com/htgit/htgit/schema/" + name + ".json" }

// schemas compiles each schema on first use, once per process: a hook run
// on a few files compiles the few it needs. Each has a compiler of its own
// (a compiler is not safe for concurrent use; the meta-schemas they check
// against are compiled once, by the library), so several compile at once.
var schemas = func() map[string]func() (*compiled, error) {
	out := map[string]func() (*compiled, error){}
	for _, name := range Names {
		out[name] = sync.OnceValues(func() (*compiled, error) {
			return compile(jsonschema.NewCompiler(), name)
		})
	}
	return out
}()

// Prepare starts compiling the named schemas, each in the background, so
// the compiling overlaps a run's waiting on Git and the disk instead of
// following it. Validate waits for one still compiling.
func Prepare(names ...string) {
	for _, name := range names {
		if get, ok := schemas[name]; ok {
			go func() { _, _ = get() }()
		}
	}
}

func compile(c *jsonschema.Compiler, name string) (*compiled, error) {
	src, err := Source(name)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
	if err == nil {
		doc, err = inline(doc, doc, 0)
	}
	if err == nil {
		err = c.AddResource(url(name), doc)
	}
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	s, err := c.Compile(url(name))
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	cs := &compiled{schema: s, url: url(name), at: map[string]*info{}}
	cs.index(doc, "", "")
	return cs, nil
}

// inline replaces each {"$ref": "#/$defs/NAME", ...} in v by a copy of the
// definition with the keys beside $ref (descriptions) laid over it, and
// closes each mapping marked x-htgit-closed. The validator then walks one
// schema level fewer per mapping entry, which is most of a sync; the printed
// schema keeps its $defs for editors.
func inline(v, doc any, depth int) (any, error) {
	if depth > 32 {
		return nil, fmt.Errorf("$ref nests too deep")
	}
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			var err error
			if out[i], err = inline(e, doc, depth); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		out := map[string]any{}
		if ref, ok := v["$ref"].(string); ok {
			name, ok := strings.CutPrefix(ref, "#/$defs/")
			defs, _ := doc.(map[string]any)["$defs"].(map[string]any)
			def, found := defs[name].(map[string]any)
			if !ok || !found {
				return nil, fmt.Errorf("$ref %q: only #/$defs/NAME of the same schema is inlined", ref)
			}
			d, err := inline(def, doc, depth+1)
			if err != nil {
				return nil, err
			}
			maps.Copy(out, d.(map[string]any))
		}
		for k, e := range v {
			if k == "$ref" {
				continue
			}
			var err error
			if out[k], err = inline(e, doc, depth+1); err != nil {
				return nil, err
			}
		}
		if v[ClosedKeyword] == true {
			out["additionalProperties"] = false
		}
		return out, nil
	}
	return v, nil
}

// index records every subschema of doc by its JSON pointer.
func (c *compiled) index(v any, ptr, rule string) {
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			c.index(e, fmt.Sprintf("%s/%d", ptr, i), rule)
		}
	case map[string]any:
		if r, ok := v[RuleKeyword].(string); ok {
			rule = r
		}
		in := &info{rule: rule}
		switch t := v["type"].(type) {
		case string:
			in.types = []string{t}
		case []any:
			for _, e := range t {
				if s, ok := e.(string); ok {
					in.types = append(in.types, s)
				}
			}
		}
		if p, ok := v["properties"].(map[string]any); ok {
			in.props = map[string]string{}
			for k, s := range p {
				in.known = append(in.known, k)
				if m, ok := s.(map[string]any); ok {
					in.props[k], _ = m[RuleKeyword].(string)
				}
			}
			slices.Sort(in.known)
		}
		c.at[ptr] = in
		for k, e := range v {
			c.index(e, ptr+"/"+escape(k), rule)
		}
	}
}

func escape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// infoAt returns what the index knows of the subschema at location, an
// absolute schema URL as the validator reports it.
func (c *compiled) infoAt(location string) *info {
	if in := c.at[strings.TrimPrefix(location, c.url+"#")]; in != nil {
		return in
	}
	return &info{}
}
