// Package schema holds the JSON Schemas of Git Sync model, sync and manifest
// files, embedded in the binary and compiled once, and validates parsed YAML
// documents against them. It reports violations by instance path; turning
// paths into file positions is package check's job.
//
// The schemas use a small subset of JSON Schema (type, enum, required,
// properties, additionalProperties, items, minLength, local $ref), which
// this package interprets itself: a general validator cost more than
// parsing the YAML did, and its start-up compiled every JSON Schema
// meta-schema in each htgit process. Compiling rejects any other keyword,
// and a test checks the results against a full JSON Schema implementation.
package schema

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/workspace"
)

//go:embed model.json sync.json manifest.json schema-model.json relationship.json contract.json aliases.json
var files embed.FS

// Names are the schemas there are, as `htgit schema NAME` takes them.
var Names = []string{"model", "sync", "manifest", "schema-model", "relationship", "contract", "aliases"}

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

// node is one compiled (sub)schema.
type node struct {
	types     []string // JSON types allowed; empty allows any
	enum      []any
	required  []string
	props     map[string]*node
	known     []string // sorted property names, for Unknown
	closed    bool     // additionalProperties: false
	addl      *node    // additionalProperties: {schema}
	items     *node
	minLength int
	ref       string // "#/$defs/name" until compiled
}

// keywords the compiler understands; annotations are read and ignored.
var keywords = map[string]bool{
	"type": true, "enum": true, "required": true, "properties": true, "additionalProperties": true,
	"items": true, "minLength": true, "$ref": true,
	"$schema": true, "$id": true, "$defs": true, "title": true, "description": true,
}

var load = sync.OnceValues(func() (map[string]*node, error) {
	out := map[string]*node{}
	for _, name := range Names {
		src, err := Source(name)
		if err != nil {
			return nil, err
		}
		var doc map[string]any
		dec := json.NewDecoder(bytes.NewReader(src))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		c := compiler{defs: map[string]*node{}}
		root, err := c.compile(doc, "#")
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		if defs, ok := doc["$defs"].(map[string]any); ok {
			for k, v := range defs {
				m, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("schema %s: $defs/%s is not an object", name, k)
				}
				if c.defs[k], err = c.compile(m, "#/$defs/"+k); err != nil {
					return nil, fmt.Errorf("schema %s: %w", name, err)
				}
			}
		}
		if err := c.link(); err != nil {
			return nil, fmt.Errorf("schema %s: %w", name, err)
		}
		out[name] = root
	}
	return out, nil
})

type compiler struct {
	defs map[string]*node
	refs []*node // nodes whose $ref is linked after all $defs compile
}

func (c *compiler) compile(s map[string]any, at string) (*node, error) {
	n := &node{minLength: -1}
	for k := range s {
		if !keywords[k] {
			return nil, fmt.Errorf("%s: keyword %q is not supported by htgit's validator", at, k)
		}
	}
	switch t := s["type"].(type) {
	case nil:
	case string:
		n.types = []string{t}
	case []any:
		for _, e := range t {
			name, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s: type entries must be strings", at)
			}
			n.types = append(n.types, name)
		}
	default:
		return nil, fmt.Errorf("%s: type must be a string or a list", at)
	}
	if e, ok := s["enum"].([]any); ok {
		n.enum = e
	}
	if r, ok := s["required"].([]any); ok {
		for _, e := range r {
			name, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s: required entries must be strings", at)
			}
			n.required = append(n.required, name)
		}
	}
	if p, ok := s["properties"].(map[string]any); ok {
		n.props = map[string]*node{}
		for k, v := range p {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s/properties/%s is not an object", at, k)
			}
			child, err := c.compile(m, at+"/properties/"+k)
			if err != nil {
				return nil, err
			}
			n.props[k] = child
			n.known = append(n.known, k)
		}
		slices.Sort(n.known)
	}
	switch a := s["additionalProperties"].(type) {
	case nil:
	case bool:
		n.closed = !a
	case map[string]any:
		child, err := c.compile(a, at+"/additionalProperties")
		if err != nil {
			return nil, err
		}
		n.addl = child
	default:
		return nil, fmt.Errorf("%s: additionalProperties must be a boolean or an object", at)
	}
	if i, ok := s["items"].(map[string]any); ok {
		child, err := c.compile(i, at+"/items")
		if err != nil {
			return nil, err
		}
		n.items = child
	}
	if m, ok := s["minLength"].(json.Number); ok {
		v, err := m.Int64()
		if err != nil {
			return nil, fmt.Errorf("%s: minLength: %w", at, err)
		}
		n.minLength = int(v)
	}
	if r, ok := s["$ref"].(string); ok {
		n.ref = r
		c.refs = append(c.refs, n)
	}
	return n, nil
}

// link replaces each $ref by the $defs entry it names: the referring node
// takes the definition's constraints (the schemas put nothing beside $ref).
func (c *compiler) link() error {
	for _, n := range c.refs {
		name, ok := strings.CutPrefix(n.ref, "#/$defs/")
		def := c.defs[name]
		if !ok || def == nil {
			return fmt.Errorf("$ref %q: only #/$defs/NAME of the same schema is supported", n.ref)
		}
		*n = *def
	}
	return nil
}

// maxNodes bounds the nodes one validation visits, as workspace.Value
// bounds its conversion: aliases can name a tree of billions of nodes.
const maxNodes = 100_000

// Validate checks the YAML document root against the schema called name.
// It reads the nodes directly, typing scalars as workspace.Value does (and
// giving the same results as validating workspace.Value(root)), without
// building the converted value first. Violations come in a stable order.
func Validate(name string, root *yaml.Node) ([]Violation, error) {
	schemas, err := load()
	if err != nil {
		return nil, fmt.Errorf("embedded schemas do not compile: %w", err)
	}
	s, ok := schemas[name]
	if !ok {
		return nil, fmt.Errorf("unknown schema %q", name)
	}
	v := validator{budget: maxNodes, path: make([]string, 0, 8)}
	s.validate(root, &v)
	slices.SortFunc(v.out, func(a, b Violation) int {
		return cmp.Or(
			slices.Compare(a.Path, b.Path),
			cmp.Compare(a.Problem, b.Problem),
			strings.Compare(a.Key, b.Key),
			strings.Compare(a.Message, b.Message))
	})
	return v.out, nil
}

type validator struct {
	budget int
	open   []*yaml.Node // aliases being followed, to stop cycles
	path   []string
	out    []Violation
}

func (v *validator) add(p Problem, key string, known []string, msg string) {
	v.out = append(v.out, Violation{Path: slices.Clone(v.path), Problem: p, Key: key, Known: known, Message: msg})
	if v.out[len(v.out)-1].Path == nil {
		v.out[len(v.out)-1].Path = []string{}
	}
}

// at validates child under one more path step.
func (s *node) at(child *yaml.Node, step string, v *validator) {
	v.path = append(v.path, step)
	s.validate(child, v)
	v.path = v.path[:len(v.path)-1]
}

func (s *node) validate(n *yaml.Node, v *validator) {
	// Follow an alias as workspace.Value does: a cycle or an exhausted
	// budget reads as null.
	if n != nil && n.Kind == yaml.AliasNode {
		target := workspace.Resolve(n)
		if slices.Contains(v.open, target) {
			n = nil
		} else {
			v.open = append(v.open, target)
			defer func() { v.open = v.open[:len(v.open)-1] }()
			n = target
		}
	}
	if n != nil && v.budget <= 0 {
		n = nil
	}
	if n != nil {
		v.budget--
		if n.Kind == yaml.DocumentNode {
			if len(n.Content) == 0 {
				n = nil
			} else {
				s.validate(n.Content[0], v)
				return
			}
		}
	}
	var scalar any
	if n != nil && n.Kind == yaml.ScalarNode {
		scalar = workspace.Scalar(n)
	}
	got := jsonType(n, scalar)
	if len(s.types) > 0 && !slices.ContainsFunc(s.types, func(t string) bool { return hasType(got, t) }) {
		v.add(Type, "", nil, fmt.Sprintf("must be %s, not %s", orList(s.types), article(got)))
	}
	if s.enum != nil && !slices.ContainsFunc(s.enum, func(e any) bool { return equal(e, scalar, got) }) {
		want := make([]string, len(s.enum))
		for i, w := range s.enum {
			want[i] = fmt.Sprint(w)
		}
		v.add(Enum, "", nil, fmt.Sprintf("must be one of %s, not %q", strings.Join(want, ", "), display(n, scalar)))
	}
	switch got {
	case "object":
		keys, values := fields(n)
		for _, key := range s.required {
			if !slices.ContainsFunc(keys, func(k *yaml.Node) bool { return k.Value == key }) {
				v.add(Required, key, nil, fmt.Sprintf("missing required key `%s`", key))
			}
		}
		for i, k := range keys {
			if p, ok := s.props[k.Value]; ok {
				p.at(values[i], k.Value, v)
			} else if s.closed {
				v.add(Unknown, k.Value, s.known, fmt.Sprintf("unknown key `%s`", k.Value))
			} else if s.addl != nil {
				s.addl.at(values[i], k.Value, v)
			}
		}
	case "array":
		if s.items != nil {
			for i, e := range n.Content {
				s.items.at(e, strconv.Itoa(i), v)
			}
		}
	case "string":
		if s.minLength >= 0 {
			if l := utf8.RuneCountInString(scalar.(string)); l < s.minLength {
				msg := fmt.Sprintf("must be at least %d characters long", s.minLength)
				if s.minLength == 1 {
					msg = "must not be empty"
				}
				v.add(Other, "", nil, msg)
			}
		}
	}
}

// fields returns a mapping's keys and values as workspace.Value reads them:
// merged keys through workspace.Fields, and of a key set twice (which Parse
// reports) the last.
func fields(m *yaml.Node) (keys, values []*yaml.Node) {
	if workspace.HasMerge(m) {
		return workspace.Fields(m)
	}
	keys = make([]*yaml.Node, 0, len(m.Content)/2)
	values = make([]*yaml.Node, 0, len(m.Content)/2)
	// Small mappings compare with the keys after; large ones count keys.
	var count map[string]int
	if len(m.Content) > 32 {
		count = make(map[string]int, len(m.Content)/2)
		for i := 0; i+1 < len(m.Content); i += 2 {
			count[m.Content[i].Value]++
		}
	}
next:
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i].Value
		if count != nil {
			if count[k]--; count[k] > 0 {
				continue // a later one wins
			}
		} else {
			for j := i + 2; j+1 < len(m.Content); j += 2 {
				if m.Content[j].Value == k {
					continue next
				}
			}
		}
		keys, values = append(keys, m.Content[i]), append(values, m.Content[i+1])
	}
	return keys, values
}

// display is how an enum message shows the value it got.
func display(n *yaml.Node, scalar any) string {
	if n == nil || n.Kind == yaml.ScalarNode {
		return fmt.Sprint(scalar)
	}
	return jsonType(n, nil)
}

// jsonType names the JSON type of node n (whose scalar value is scalar),
// integer for whole numbers.
func jsonType(n *yaml.Node, scalar any) string {
	if n == nil {
		return "null"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "object"
	case yaml.SequenceNode:
		return "array"
	}
	return valueType(scalar)
}

func valueType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case int64, *big.Int:
		return "integer"
	case json.Number: // a number in a schema's enum
		if _, err := v.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case float64:
		if v == math.Trunc(v) && !math.IsInf(v, 0) {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// hasType reports whether a value of JSON type got satisfies want: every
// integer is a number too.
func hasType(got, want string) bool {
	return got == want || want == "number" && got == "integer"
}

// equal compares an enum entry with a scalar value.
func equal(e, scalar any, got string) bool {
	if es, ok := e.(string); ok {
		s, ok := scalar.(string)
		return ok && es == s
	}
	return valueType(e) == got && fmt.Sprint(e) == fmt.Sprint(scalar)
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
