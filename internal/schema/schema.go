// Package schema holds the JSON Schemas of Git Sync model, sync and manifest
// files, embedded in the binary and compiled once, and validates decoded
// values against them. It reports violations by instance path; turning
// paths into file positions is package check's job.
package schema

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed model.json sync.json manifest.json
var files embed.FS

// Names are the schemas there are, as `htgit schema NAME` takes them.
var Names = []string{"model", "sync", "manifest"}

// Source returns the schema document called name (model, sync, manifest).
func Source(name string) ([]byte, error) {
	if !slices.Contains(Names, name) {
		return nil, fmt.Errorf("unknown schema %q: choose one of %s", name, strings.Join(Names, ", "))
	}
	return files.ReadFile(name + ".json")
}

// Problem says what kind of rule a value broke.
type Problem int

const (
	Required Problem = iota // a key is missing
	Type                    // a value has the wrong type
	Enum                    // a value is not one of the allowed ones
	Unknown                 // a key is not in the schema
	Other                   // any other constraint
)

// Violation is one broken constraint. Path is the instance location (mapping
// keys and list indexes); for Required and Unknown, Key names the key and
// Path the mapping that lacks or has it.
type Violation struct {
	Path    []string
	Problem Problem
	Key     string
	Known   []string // for Unknown: the keys the schema knows at Path
	Message string
}

type compiled struct {
	schemas map[string]*jsonschema.Schema
	known   map[string][]string // schema location -> its property names
}

var load = sync.OnceValues(func() (*compiled, error) {
	c := jsonschema.NewCompiler()
	out := &compiled{schemas: map[string]*jsonschema.Schema{}, known: map[string][]string{}}
	for _, name := range Names {
		src, err := Source(name)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(src))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		url := location(name)
		if err := c.AddResource(url, doc); err != nil {
			return nil, err
		}
		indexProperties(out.known, url+"#", doc)
	}
	for _, name := range Names {
		s, err := c.Compile(location(name))
		if err != nil {
			return nil, err
		}
		out.schemas[name] = s
	}
	return out, nil
})

func location(name string) string {
	return "https://github.com/htgit/htgit/schema/" + name + ".json"
}

// indexProperties records, for every subschema with properties, its location
// and property names, so an unknown key can be compared with the known ones.
func indexProperties(known map[string][]string, ptr string, v any) {
	switch v := v.(type) {
	case map[string]any:
		if props, ok := v["properties"].(map[string]any); ok {
			keys := make([]string, 0, len(props))
			for k := range props {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			known[ptr] = keys
		}
		for k, child := range v {
			indexProperties(known, ptr+"/"+escape(k), child)
		}
	case []any:
		for i, child := range v {
			indexProperties(known, fmt.Sprintf("%s/%d", ptr, i), child)
		}
	}
}

func escape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

var printer = message.NewPrinter(language.English)

// Validate checks v (as produced by workspace.Value) against the schema
// called name. Violations come in a stable order.
func Validate(name string, v any) ([]Violation, error) {
	c, err := load()
	if err != nil {
		return nil, fmt.Errorf("embedded schemas do not compile: %w", err)
	}
	s, ok := c.schemas[name]
	if !ok {
		return nil, fmt.Errorf("unknown schema %q", name)
	}
	err = s.Validate(v)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	var out []Violation
	c.collect(ve, &out)
	// The validator's error tree follows Go map order in places: sort on
	// everything so two runs agree.
	slices.SortFunc(out, func(a, b Violation) int {
		return cmp.Or(
			slices.Compare(a.Path, b.Path),
			cmp.Compare(a.Problem, b.Problem),
			strings.Compare(a.Key, b.Key),
			strings.Compare(a.Message, b.Message))
	})
	return out, nil
}

// collect flattens the error tree into its leaves, the errors that name a
// broken keyword; inner nodes only group them.
func (c *compiled) collect(ve *jsonschema.ValidationError, out *[]Violation) {
	if len(ve.Causes) > 0 {
		for _, cause := range ve.Causes {
			c.collect(cause, out)
		}
		return
	}
	path := slices.Clone(ve.InstanceLocation)
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		for _, key := range k.Missing {
			*out = append(*out, Violation{Path: path, Problem: Required, Key: key,
				Message: fmt.Sprintf("missing required key `%s`", key)})
		}
	case *kind.AdditionalProperties:
		known := c.known[ve.SchemaURL]
		for _, key := range k.Properties {
			*out = append(*out, Violation{Path: path, Problem: Unknown, Key: key, Known: known,
				Message: fmt.Sprintf("unknown key `%s`", key)})
		}
	case *kind.Type:
		*out = append(*out, Violation{Path: path, Problem: Type,
			Message: fmt.Sprintf("must be %s, not %s", orList(k.Want), article(k.Got))})
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		*out = append(*out, Violation{Path: path, Problem: Enum,
			Message: fmt.Sprintf("must be one of %s, not %q", strings.Join(want, ", "), fmt.Sprint(k.Got))})
	case *kind.MinLength:
		msg := fmt.Sprintf("must be at least %d characters long", k.Want)
		if k.Want == 1 {
			msg = "must not be empty"
		}
		*out = append(*out, Violation{Path: path, Problem: Other, Message: msg})
	default:
		*out = append(*out, Violation{Path: path, Problem: Other, Message: ve.ErrorKind.LocalizedString(printer)})
	}
}

func orList(types []string) string {
	named := make([]string, len(types))
	for i, t := range types {
		named[i] = article(t)
	}
	return strings.Join(named, " or ")
}

func article(jsonType string) string {
	switch jsonType {
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "null":
		return "null"
	case "integer":
		return "an integer"
	}
	return "a " + jsonType
}
