package workspace

import (
	"math/big"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Lookup returns the key and value nodes of key in mapping m, or nils.
func Lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	m = Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], Resolve(m.Content[i+1])
		}
	}
	return nil, nil
}

// Resolve follows an alias to the node it names.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// IsNull reports whether n is absent or an explicit null.
func IsNull(n *yaml.Node) bool {
	n = Resolve(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// String returns n's value when it is a string scalar.
func String(n *yaml.Node) (string, bool) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", false
	}
	return n.Value, true
}

// At walks a JSON-pointer-like path of mapping keys and sequence indexes
// (what a JSON Schema error names) and returns the key node of the last step
// (nil for an index) and the value node there.
func At(n *yaml.Node, path []string) (key, value *yaml.Node) {
	value = Resolve(n)
	for _, step := range path {
		switch {
		case value == nil:
			return nil, nil
		case value.Kind == yaml.MappingNode:
			key, value = Lookup(value, step)
		case value.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(value.Content) {
				return nil, nil
			}
			key, value = nil, Resolve(value.Content[i])
		default:
			return nil, nil
		}
	}
	return key, value
}

// Value converts a node to the JSON-like value JSON Schema validates:
// map[string]any, []any, string, bool, int64, float64, *big.Int or nil.
// Timestamps and other tags stay strings, as they reach Hightouch as text.
func Value(n *yaml.Node) any {
	n = Resolve(n)
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = Value(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = Value(c)
		}
		return s
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return Value(n.Content[0])
		}
		return nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return i
		}
		if b, ok := new(big.Int).SetString(strings.ReplaceAll(n.Value, "_", ""), 0); ok {
			return b
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	}
	return n.Value
}
