package check

import (
	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/workspace"
)

// fileCheck collects the findings of one parsed file.
type fileCheck struct {
	doc      *workspace.Document
	findings []finding.Finding // from parsing; the checks' own go through limit
	limit    finding.Limit     // a file may break one rule a million times
	// unsure, while set, makes findings warnings that end with it: what
	// htgit checks there is its reading of an unpublished format.
	unsure string
}

// span is a compact position range kept after the node tree is dropped.
type span struct{ start, end finding.Pos }

func (fc *fileCheck) span(n *yaml.Node) span {
	s, e := fc.doc.Span(n)
	return span{s, e}
}

// at adds a finding over n.
func (fc *fileCheck) at(rule finding.Rule, n *yaml.Node, msg string) {
	fc.atSpan(rule, fc.span(n), msg)
}

func (fc *fileCheck) atSpan(rule finding.Rule, s span, msg string, also ...finding.Place) {
	f := newFinding(fc.doc.File.Path, rule, s, msg)
	f.Also = also
	if fc.unsure != "" {
		f.Severity, f.Message = finding.Warning, msg+" (a warning: "+fc.unsure+")"
	}
	fc.limit.Add(f)
}

// warnAt adds a finding of rule over n as a warning: where our knowledge of
// what Hightouch accepts is unsure, the message says what, and a user's
// configured level still applies.
func (fc *fileCheck) warnAt(rule finding.Rule, n *yaml.Node, msg string) {
	f := newFinding(fc.doc.File.Path, rule, fc.span(n), msg)
	f.Severity = finding.Warning
	fc.limit.Add(f)
}

func newFinding(path string, rule finding.Rule, s span, msg string, related ...string) finding.Finding {
	return finding.Finding{Path: path, Start: s.start, End: s.end, Rule: rule.ID,
		Severity: rule.Severity, Message: msg, Related: related}
}

// field is one key of a mapping: its key node (nil when absent) and value.
type field struct {
	key, value *yaml.Node
}

func (f field) present() bool { return f.key != nil }

func (fc *fileCheck) field(m *yaml.Node, key string) field {
	k, v := workspace.Lookup(m, key)
	return field{k, v}
}

// where is the best node to point at for a field: its value, or its key when
// the value is empty (an empty value has no width to underline).
func (f field) where() *yaml.Node {
	if f.key != nil && (f.value == nil || f.value.Kind == yaml.ScalarNode && f.value.Value == "" && f.value.Style == 0) {
		return f.key
	}
	return f.value
}

// str is the field's value when it is a string.
func (f field) str() (string, bool) { return workspace.String(f.value) }
