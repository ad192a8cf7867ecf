package schema

import (
	"encoding/json"
	"math"
	"math/big"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/workspace"
)

// MaxValues bounds the values one document may hold, counting each use of
// an alias as a copy of what it names: aliases let a tiny file name a tree
// of billions of values ("billion laughs"). A file of --max-size's default
// (5 MiB) holds at most about 2.5 million values written out, so only alias
// bombs and files far over that size reach it, and then the schema step
// says so in one finding instead of checking part of the file.
const MaxValues = 4_000_000

// converter turns YAML nodes into the values JSON Schema validates:
// map[string]any, []any, string, bool, int64, float64, json.Number (integers
// beyond int64, .inf, .nan) or nil. Scalars are typed as workspace.Scalar
// types them; timestamps and other tags stay strings, as they reach
// Hightouch as text.
type converter struct {
	count int                      // values made, counting each alias use as a copy
	done  map[*yaml.Node]converted // anchored nodes, converted once and shared
	open  []*yaml.Node             // anchored nodes being converted, to stop cycles
	over  *yaml.Node               // where count passed MaxValues
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
		target := workspace.Resolve(n)
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
		v = scalar(n)
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
// workspace.Fields, and of a key set twice (which Parse reports) the last.
func (c *converter) mapping(n *yaml.Node) map[string]any {
	if workspace.HasMerge(n) {
		keys, values := workspace.Fields(n)
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

// scalar is workspace.Scalar with the values JSON has no form for (integers
// beyond int64, infinities, NaN) written as json.Number, which the validator
// takes for a number.
func scalar(n *yaml.Node) any {
	switch v := workspace.Scalar(n).(type) {
	case *big.Int:
		return json.Number(v.String())
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return json.Number(n.Value)
		}
		return v
	default:
		return v
	}
}
