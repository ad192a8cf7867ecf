package policy

import (
	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/workspace"
)

// need is the part of a mapping the policies read: each key read, with the
// part of its value read. A nil need is all of it. Converting only that is
// what keeps policies cheap: a sync's mappings are most of the file, and a
// policy on its mode never reads them.
type need map[string]need

// add marks path, and everything below its end, as read.
func (n need) add(path []string) {
	for i, k := range path {
		sub, seen := n[k]
		switch {
		case seen && sub == nil:
			return // all of it is read already
		case i == len(path)-1:
			n[k] = nil
			return
		case !seen:
			sub = need{}
			n[k] = sub
		}
		n = sub
	}
}

// union is what a and b read together.
func union(a, b need) need {
	if a == nil || b == nil {
		return nil
	}
	out := need{}
	for _, m := range []need{a, b} {
		for k, sub := range m {
			if have, seen := out[k]; seen {
				out[k] = union(have, sub)
			} else {
				out[k] = sub
			}
		}
	}
	return out
}

// partial converts what n reads of mapping m. A key m does not have stays
// absent, so has() and optional fields see the file as it is.
func partial(m *yaml.Node, n need) (map[string]any, bool) {
	if n == nil {
		return convert(m)
	}
	out := make(map[string]any, len(n))
	for key, sub := range n {
		_, v := workspace.Lookup(m, key)
		if v == nil {
			continue
		}
		if sub != nil && v.Kind == yaml.MappingNode {
			part, ok := partial(v, sub)
			if !ok {
				return nil, false
			}
			out[key] = part
			continue
		}
		value, ok := convertValue(v)
		if !ok {
			return nil, false
		}
		out[key] = value
	}
	return out, true
}
