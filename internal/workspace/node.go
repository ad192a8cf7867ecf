package workspace

import (
	"math/big"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Lookup returns the key and value nodes of key in mapping m, or nils. A
// key merged in with `<<: *anchor` counts when m does not set it itself.
func Lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	k, v = lookup(m, key)
	return k, Resolve(v)
}

// lookup is Lookup without resolving the value: an alias stays the alias,
// whose position is where the value is used.
func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	m = Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && !isMerge(m.Content[i]) {
			return m.Content[i], m.Content[i+1]
		}
	}
	if !hasMerge(m) {
		return nil, nil
	}
	keys, values := Fields(m)
	for i, k := range keys {
		if k.Value == key {
			return k, values[i]
		}
	}
	return nil, nil
}

// HasMerge reports whether mapping m has a merge key (<<).
func HasMerge(m *yaml.Node) bool { return hasMerge(m) }

func hasMerge(m *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if isMerge(m.Content[i]) {
			return true
		}
	}
	return false
}

// isMerge reports whether k is the merge key `<<`.
func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge"
}

// mergeSources lists the mappings m merges in, in precedence order (YAML
// merge: in `<<: [*a, *b]`, a wins over b).
func mergeSources(m *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !isMerge(m.Content[i]) {
			continue
		}
		switch v := Resolve(m.Content[i+1]); {
		case v == nil:
		case v.Kind == yaml.MappingNode:
			out = append(out, v)
		case v.Kind == yaml.SequenceNode:
			for _, e := range v.Content {
				if e = Resolve(e); e != nil && e.Kind == yaml.MappingNode {
					out = append(out, e)
				}
			}
		}
	}
	return out
}

// Fields returns the effective key and value nodes of mapping m: its own
// keys in order, then merged keys it does not override. Each mapping is
// read once, so merges of merges cannot multiply the work.
func Fields(m *yaml.Node) (keys, values []*yaml.Node) {
	seen := map[string]bool{}
	visited := map[*yaml.Node]bool{}
	var add func(m *yaml.Node)
	add = func(m *yaml.Node) {
		m = Resolve(m)
		if m == nil || m.Kind != yaml.MappingNode || visited[m] {
			return
		}
		visited[m] = true
		for i := 0; i+1 < len(m.Content); i += 2 {
			if k := m.Content[i]; !isMerge(k) && !seen[k.Value] {
				seen[k.Value] = true
				keys, values = append(keys, k), append(values, m.Content[i+1])
			}
		}
		for _, src := range mergeSources(m) {
			add(src)
		}
	}
	add(m)
	return keys, values
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
// (nil for an index) and the value node there. The value is not resolved:
// for `name: *h` it is the alias, so a finding points where the value is
// used, not at its anchor.
func At(n *yaml.Node, path []string) (key, value *yaml.Node) {
	value = n
	for _, step := range path {
		cur := Resolve(value)
		switch {
		case cur == nil:
			return nil, nil
		case cur.Kind == yaml.MappingNode:
			key, value = lookup(cur, step)
		case cur.Kind == yaml.SequenceNode:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(cur.Content) {
				return nil, nil
			}
			key, value = nil, cur.Content[i]
		default:
			return nil, nil
		}
	}
	return key, value
}

// MaxValues bounds the values one document may hold, counting each use of
// an alias as a copy of what it names: aliases let a tiny file name a tree
// of billions of values ("billion laughs"). A file of --max-size's default
// (5 MiB) holds at most about 2.5 million values written out, so only alias
// bombs and files far over that size reach it.
const MaxValues = 4_000_000

// Value converts a node to the JSON-like value JSON Schema validates:
// map[string]any, []any, string, bool, int64, float64, *big.Int or nil.
// Timestamps and other tags stay strings, as they reach Hightouch as text.
// An alias inside its own anchor reads as null; a document past MaxValues
// converts to nil as a whole, never to a part of it.
func Value(n *yaml.Node) any {
	v, _, over := Convert(n, Scalar)
	if over != nil {
		return nil
	}
	return v
}

// Convert is Value with the scalars converted by scalar. count is how many
// values v holds (each alias use counted as a copy); over is the node where
// the count passed MaxValues, and then v must not be used. An anchored node
// is converted once and shared by its aliases.
func Convert(n *yaml.Node, scalar func(*yaml.Node) any) (v any, count int, over *yaml.Node) {
	c := converter{scalar: scalar}
	v = c.value(n)
	return v, c.count, c.over
}

type converter struct {
	scalar func(*yaml.Node) any
	count  int                      // values made, counting each alias use as a copy
	done   map[*yaml.Node]converted // anchored nodes, converted once and shared
	open   []*yaml.Node             // anchored nodes being converted, to stop cycles
	over   *yaml.Node               // where count passed MaxValues
}

type converted struct {
	v    any
	size int // values in v, counting copies
}

func (c *converter) value(n *yaml.Node) any {
	if n == nil || c.over != nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		target := Resolve(n)
		if done, ok := c.done[target]; ok {
			if c.count += done.size; c.count > MaxValues {
				c.over = n
				return nil
			}
			return done.v
		}
		if target == nil || slices.Contains(c.open, target) {
			c.count++
			return nil // an alias inside its own anchor reads as null
		}
		n = target
	}
	start := c.count
	if c.count++; c.count > MaxValues {
		c.over = n
		return nil
	}
	if n.Anchor != "" {
		c.open = append(c.open, n)
	}
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		v = c.mapping(n)
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, e := range n.Content {
			s[i] = c.value(e)
		}
		v = s
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			c.count-- // the document is not a value of its own
			v = c.value(n.Content[0])
		}
	case yaml.ScalarNode:
		v = c.scalar(n)
	}
	if n.Anchor != "" {
		c.open = c.open[:len(c.open)-1]
		if c.done == nil {
			c.done = map[*yaml.Node]converted{}
		}
		c.done[n] = converted{v, c.count - start}
	}
	return v
}

// mapping converts a mapping as YAML reads it: merged keys (<<) through
// Fields, and of a key set twice (which Parse reports) the last.
func (c *converter) mapping(n *yaml.Node) map[string]any {
	if hasMerge(n) {
		keys, values := Fields(n)
		m := make(map[string]any, len(keys))
		for i, k := range keys {
			m[k.Value] = c.value(values[i])
		}
		return m
	}
	m := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		m[n.Content[i].Value] = c.value(n.Content[i+1])
	}
	return m
}

// Scalar is the value Value gives a scalar node: bool, int64, float64,
// *big.Int, string or nil.
func Scalar(n *yaml.Node) any { return scalar(n) }

// scalar converts a scalar by its resolved tag. The common spellings are
// parsed directly; anything else goes through yaml.v3's own decoding, which
// is much slower (a decoder per call) but knows every YAML form.
func scalar(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		switch n.Value {
		case "true", "True", "TRUE":
			return true
		case "false", "False", "FALSE":
			return false
		}
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		// yaml.v3 reads 012 as octal: leave leading zeros to it.
		if digits := strings.TrimLeft(n.Value, "+-"); !strings.HasPrefix(digits, "0") || digits == "0" {
			if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
				return i
			}
		}
		var i int64
		if n.Decode(&i) == nil {
			return i
		}
		if b, ok := new(big.Int).SetString(strings.ReplaceAll(n.Value, "_", ""), 0); ok {
			return b
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	}
	return n.Value
}
