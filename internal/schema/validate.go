package schema

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/workspace"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Problem says what kind of constraint a value broke.
type Problem int

const (
	Required Problem = iota // a key is missing
	Type                    // a value has the wrong type
	Enum                    // a value is not one of the allowed ones
	Unknown                 // a key is not in the schema
	Pattern                 // a string does not match a pattern
	Length                  // a string is too short or too long
	Other                   // any other constraint
	TooLarge                // the document expands past MaxValues: not validated
	TooMany                 // the violations past maxViolations, counted
)

// Violation is one broken constraint. Path is the instance location (mapping
// keys and list indexes); for Required and Unknown, Key names the key and
// Path the mapping that lacks or has it.
type Violation struct {
	Path    []string
	Problem Problem
	Key     string
	Known   []string // Unknown: the keys the schema knows at Path
	// Rule is the x-htgit-rule of the subschema broken (for Required, of
	// the missing key's own subschema first), or "".
	Rule    string
	Got     string     // JSON type of the value at Path; "integer" for whole numbers
	Want    []string   // Type: the types allowed, in the schema's order
	Value   any        // the value at Path when it is a scalar
	Message string     // what is wrong, without naming the path
	Node    *yaml.Node // TooLarge: the node where the count passed MaxValues; TooMany: nil
}

// Validate checks the YAML document root against the schema called name.
// Violations come in a stable order.
func Validate(name string, root *yaml.Node) ([]Violation, error) {
	get, ok := schemas[name]
	if !ok {
		return nil, fmt.Errorf("unknown schema %q", name)
	}
	s, err := get()
	if err != nil {
		return nil, fmt.Errorf("embedded schema does not compile: %w", err)
	}
	v, count, over := workspace.Convert(root, scalar)
	if over != nil {
		return []Violation{{Path: []string{}, Problem: TooLarge, Node: over,
			Message: fmt.Sprintf("the file holds more than %d values (each use of an alias counts as a copy), htgit's limit; "+
				"it was not checked against the %s schema: write the values out instead of repeating aliases", workspace.MaxValues, name)}}, nil
	}
	var out []Violation
	if count > window {
		out, err = s.validateInWindows(v)
	} else {
		out, err = s.validateOnce(v) // no list can be longer than a window
	}
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Violation) int {
		return cmp.Or(
			slices.Compare(a.Path, b.Path),
			cmp.Compare(a.Problem, b.Problem),
			strings.Compare(a.Key, b.Key),
			strings.Compare(a.Message, b.Message))
	})
	return slices.CompactFunc(out, func(a, b Violation) bool {
		return a.Problem == b.Problem && a.Key == b.Key && a.Message == b.Message && a.Rule == b.Rule && slices.Equal(a.Path, b.Path)
	}), nil
}

var printer = message.NewPrinter(language.English)

// collect turns the leaves of the validator's error tree into violations.
func (c *compiled) collect(e *jsonschema.ValidationError, root any, out *[]Violation) {
	if _, leaf := e.ErrorKind.(*kind.PropertyNames); !leaf && len(e.Causes) > 0 {
		for _, cause := range e.Causes {
			c.collect(cause, root, out)
		}
		return
	}
	in := c.infoAt(e.SchemaURL)
	path := e.InstanceLocation
	if path == nil {
		path = []string{}
	}
	val := valueAt(root, path)
	v := Violation{Path: path, Rule: in.rule, Got: jsonType(val), Problem: Other}
	switch val.(type) {
	case map[string]any, []any:
	default:
		v.Value = val
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, key := range k.Missing {
			v := v
			v.Problem, v.Key, v.Message = Required, key, fmt.Sprintf("missing required key `%s`", key)
			if r := in.props[key]; r != "" {
				v.Rule = r
			}
			*out = append(*out, v)
		}
		return
	case *kind.AdditionalProperties:
		for _, key := range k.Properties {
			v := v
			v.Problem, v.Key, v.Known, v.Message = Unknown, key, in.known, fmt.Sprintf("unknown key `%s`", key)
			*out = append(*out, v)
		}
		return
	case *kind.PropertyNames:
		v.Key, v.Message = k.Property, fmt.Sprintf("key `%s` is not allowed here", k.Property)
	case *kind.Type:
		v.Problem, v.Want = Type, in.types
		if len(v.Want) == 0 {
			v.Want = k.Want
		}
		v.Message = fmt.Sprintf("must be %s, not %s", orList(v.Want), article(v.Got))
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		v.Problem, v.Message = Enum, fmt.Sprintf("must be one of %s, not %q", strings.Join(want, ", "), display(val))
	case *kind.Const:
		v.Message = fmt.Sprintf("must be %v, not %q", k.Want, display(val))
	case *kind.Pattern:
		v.Problem, v.Message = Pattern, fmt.Sprintf("must match the pattern %s", k.Want)
	case *kind.MinLength:
		v.Problem, v.Message = Length, fmt.Sprintf("must be at least %d characters long", k.Want)
		if k.Want == 1 {
			v.Message = "must not be empty"
		}
	case *kind.MaxLength:
		v.Problem, v.Message = Length, fmt.Sprintf("must be at most %d characters long", k.Want)
	case *kind.Minimum:
		v.Message = fmt.Sprintf("must be %s or more", k.Want.RatString())
	case *kind.Maximum:
		v.Message = fmt.Sprintf("must be %s or less", k.Want.RatString())
	default:
		v.Message = k.LocalizedString(printer)
	}
	*out = append(*out, v)
}

// valueAt follows an instance location from root.
func valueAt(root any, path []string) any {
	v := root
	for _, step := range path {
		switch cur := v.(type) {
		case map[string]any:
			v = cur[step]
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(cur) {
				return nil
			}
			v = cur[i]
		default:
			return nil
		}
	}
	return v
}

// display is how a message shows the value it got.
func display(v any) string {
	switch v.(type) {
	case map[string]any, []any, nil:
		return jsonType(v)
	}
	return fmt.Sprint(v)
}

// jsonType names the JSON type of a converted value, integer for whole
// numbers.
func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case int64:
		return "integer"
	case float64:
		if v == math.Trunc(v) {
			return "integer"
		}
	case json.Number:
		if _, ok := new(big.Int).SetString(string(v), 10); ok {
			return "integer"
		}
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "number"
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

// window is how many items of one long list are validated at a time. The
// validator keeps an error for every bad item until it returns, so a list of
// 800,000 wrong items would hold 800,000 errors at once; in windows it holds
// at most this many, and the findings limit keeps the first of them.
const window = 4096

// maxViolations bounds the violations kept of one document; the findings
// limit shows far fewer, and the rest are counted in one closing violation.
const maxViolations = 10_000

// longList is a list longer than window, and where it sits.
type longList struct {
	path  []string
	items []any
	set   func([]any) // puts a slice of the list in its place
}

// validateInWindows validates v with every long list cut to one window of
// items at a time: first all of them at their first window, then each
// list's later windows in turn. The schemas put no constraint on a list's
// length (no minItems, maxItems or uniqueItems), so a window says what the
// whole list would; what lies outside the list moving is reported once.
func (c *compiled) validateInWindows(v any) ([]Violation, error) {
	long := longLists(v, nil)
	for _, l := range long {
		l.set(l.items[:window])
	}
	defer func() {
		for _, l := range long {
			l.set(l.items)
		}
	}()
	out, err := c.validateOnce(v)
	if err != nil {
		return nil, err
	}
	dropped := 0
	for _, l := range long {
		for start := window; start < len(l.items); start += window {
			l.set(l.items[start:min(start+window, len(l.items))])
			more, err := c.validateOnce(v)
			if err != nil {
				return nil, err
			}
			for _, viol := range more {
				// Only what lies in the moving window is new.
				if len(viol.Path) <= len(l.path) || !slices.Equal(viol.Path[:len(l.path)], l.path) {
					continue
				}
				i, _ := strconv.Atoi(viol.Path[len(l.path)])
				viol.Path = slices.Clone(viol.Path)
				viol.Path[len(l.path)] = strconv.Itoa(start + i)
				if len(out) >= maxViolations {
					dropped++
					continue
				}
				out = append(out, viol)
			}
		}
		l.set(l.items[:window])
	}
	if dropped > 0 {
		out = append(out, Violation{Path: []string{}, Problem: TooMany,
			Message: fmt.Sprintf("%s more violations of the schema in this file are not listed (htgit keeps %s a file); fix the ones shown, then run again",
				finding.Thousands(dropped), finding.Thousands(maxViolations))})
	}
	return out, nil
}

func (c *compiled) validateOnce(v any) ([]Violation, error) {
	err := c.schema.Validate(v)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	var out []Violation
	c.collect(ve, v, &out)
	return out, nil
}

// longLists finds the lists longer than window in v, outside one another.
// path is a stack shared by the walk, copied only for a list it keeps.
func longLists(v any, path []string) []longList {
	var out []longList
	switch cur := v.(type) {
	case map[string]any:
		for k, child := range cur {
			if l, ok := child.([]any); ok && len(l) > window {
				out = append(out, longList{path: append(slices.Clone(path), k), items: l, set: func(s []any) { cur[k] = s }})
			} else if isContainer(child) {
				out = append(out, longLists(child, append(path, k))...)
			}
		}
	case []any:
		for i, child := range cur {
			if l, ok := child.([]any); ok && len(l) > window {
				out = append(out, longList{path: append(slices.Clone(path), strconv.Itoa(i)), items: l, set: func(s []any) { cur[i] = s }})
			} else if isContainer(child) {
				out = append(out, longLists(child, append(path, strconv.Itoa(i)))...)
			}
		}
	}
	return out
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}
