// Package fielddiff says how two JSON-like values (maps, lists, strings,
// numbers, booleans, nil) differ, field by field, in words a person can read:
// the path of each difference with its old and new value, and long text
// such as SQL as a unified line diff.
package fielddiff

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/aymanbagabas/go-udiff"
)

// Change is one difference: at Path, Old became New. A nil Old means the
// field is added, a nil New that it is removed.
type Change struct {
	Path     string
	Old, New any
}

// Labels name the two sides of a unified diff, e.g. "Hightouch" and "file".
type Labels struct{ Old, New string }

// longText is the length from which a string is shown as a line diff.
const longText = 80

// Compare lists the differences from old to new, in path order: maps are
// compared key by key (sorted), lists element by element, anything else by
// value. prefix names the values' own path ("" for none). Numbers of any Go
// type compare by value, so a YAML int equals a JSON float.
func Compare(prefix string, old, new any) []Change {
	var out []Change
	walk(prefix, old, new, &out)
	return out
}

func walk(path string, old, new any, out *[]Change) {
	om, oIsMap := old.(map[string]any)
	nm, nIsMap := new.(map[string]any)
	if oIsMap && nIsMap {
		keys := make([]string, 0, len(om)+len(nm))
		for k := range om {
			keys = append(keys, k)
		}
		for k := range nm {
			if _, ok := om[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			walk(join(path, k), om[k], nm[k], out)
		}
		return
	}
	ol, oIsList := old.([]any)
	nl, nIsList := new.([]any)
	if oIsList && nIsList {
		for i := range max(len(ol), len(nl)) {
			var o, n any
			if i < len(ol) {
				o = ol[i]
			}
			if i < len(nl) {
				n = nl[i]
			}
			walk(fmt.Sprintf("%s[%d]", path, i), o, n, out)
		}
		return
	}
	if !Equal(old, new) {
		*out = append(*out, Change{Path: path, Old: old, New: new})
	}
}

// join appends a key to a path, quoting keys that are not plain words.
func join(path, key string) string {
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			plain = false
			break
		}
	}
	if !plain {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// Equal compares two JSON-like values; numbers by value whatever their Go type.
func Equal(a, b any) bool {
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && fa == fb
	}
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		return ok && slices.EqualFunc(a, b, Equal)
	case nil:
		return b == nil
	}
	return a == b
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint64:
		return float64(v), true
	case float64:
		return v, true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

// Long reports whether the change is between texts too long for one line.
func (c Change) Long() bool {
	o, _ := c.Old.(string)
	n, _ := c.New.(string)
	if _, ok := c.Old.(string); !ok && c.Old != nil {
		return false
	}
	if _, ok := c.New.(string); !ok && c.New != nil {
		return false
	}
	return strings.Contains(o, "\n") || strings.Contains(n, "\n") || len(o) > longText || len(n) > longText
}

// String renders the change on one line, `path: old → new`, or for long
// text its first line, `path: text changed (+a -r lines)`.
func (c Change) String() string {
	if c.Long() {
		add, del := counts(c.unified(Labels{"old", "new"}))
		return fmt.Sprintf("%s: text changed (+%d -%d lines)", c.name(), add, del)
	}
	return fmt.Sprintf("%s: %s → %s", c.name(), Value(c.Old), Value(c.New))
}

// Text renders the change in full: String, then for long text a unified
// line diff between the sides named by l.
func (c Change) Text(l Labels) string {
	if !c.Long() {
		return c.String()
	}
	return c.String() + "\n" + c.Unified(l)
}

func (c Change) name() string {
	if c.Path == "" {
		return "(value)"
	}
	return c.Path
}

func (c Change) unified(l Labels) string {
	o, _ := c.Old.(string)
	n, _ := c.New.(string)
	return udiff.Unified(l.Old, l.New, withNewline(o), withNewline(n))
}

// withNewline ends text with a newline, so that a missing final newline is
// not reported as a change of the last line.
func withNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

func counts(unified string) (add, del int) {
	for _, line := range strings.Split(unified, "\n") {
		switch {
		case strings.HasPrefix(line, "+++"), strings.HasPrefix(line, "---"):
		case strings.HasPrefix(line, "+"):
			add++
		case strings.HasPrefix(line, "-"):
			del++
		}
	}
	return add, del
}

// Value renders a value compactly: JSON, with (absent) for nil.
func Value(v any) string {
	if v == nil {
		return "(absent)"
	}
	var b strings.Builder
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false) // SQL and templates hold < > &
	if err := e.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Lines renders changes one per line (String), for logs and tables.
func Lines(changes []Change) []string {
	out := make([]string, len(changes))
	for i, c := range changes {
		out[i] = c.String()
	}
	return out
}

// Unified is the unified line diff of a long text change ("" for others).
func (c Change) Unified(l Labels) string {
	if !c.Long() {
		return ""
	}
	return strings.TrimRight(c.unified(l), "\n")
}

// Write writes each change on its own lines after indent, long text as a
// unified line diff.
func Write(w io.Writer, indent string, changes []Change, l Labels) {
	for _, c := range changes {
		for _, line := range strings.Split(c.Text(l), "\n") {
			fmt.Fprintf(w, "%s%s\n", indent, line)
		}
	}
}

// Markdown renders the long text changes as collapsed diff blocks for a
// job summary, each titled what, a colon and the change's path.
func Markdown(what string, changes []Change, l Labels) string {
	var b strings.Builder
	for _, c := range changes {
		if c.Long() {
			fmt.Fprintf(&b, "<details><summary>%s: %s</summary>\n\n```diff\n%s\n```\n\n</details>\n\n", what, c.Path, c.Unified(l))
		}
	}
	return b.String()
}
