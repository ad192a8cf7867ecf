// Package rules is the registry of every rule htgit reports: its id, default
// severity, a one-line summary and what to do when it fires. Rules are
// declared once here, one family per file; the packages that detect problems
// refer to these values, and `htgit rules`, SARIF and the README's rule
// reference are all generated from All. Policy turns a user's configuration
// (rules switched off, severities changed, paths ignored, --strict) into the
// findings a run reports.
package rules

import (
	"slices"
	"strings"

	"github.com/htgit/htgit/internal/finding"
)

// families orders the rule reference: the order in which a file is read,
// then understood alone, then together with others, then as a change.
var families = []string{"file", "yaml", "schema", "model", "sync", "contract", "manifest", "slug", "dbt", "change"}

var registry []finding.Rule

// register adds r to the registry; every rule variable of this package is
// initialised through it, so no rule can be declared and left out of All.
func register(r finding.Rule) finding.Rule {
	registry = append(registry, r)
	return r
}

// Family is the part of a rule id before its first dash ("yaml" for
// "yaml-tab"): the group the rule reference lists it under.
func Family(id string) string {
	family, _, _ := strings.Cut(id, "-")
	return family
}

// All lists every rule, grouped by family in reading order and, within a
// family, in the order the family's file declares them.
func All() []finding.Rule {
	all := slices.Clone(registry)
	slices.SortStableFunc(all, func(a, b finding.Rule) int {
		return slices.Index(families, Family(a.ID)) - slices.Index(families, Family(b.ID))
	})
	return all
}

// Lookup returns the rule with the given id.
func Lookup(id string) (finding.Rule, bool) {
	i := slices.IndexFunc(registry, func(r finding.Rule) bool { return r.ID == id })
	if i < 0 {
		return finding.Rule{}, false
	}
	return registry[i], true
}

// IDs lists every rule id in the order of All.
func IDs() []string {
	all := All()
	ids := make([]string, len(all))
	for i, r := range all {
		ids[i] = r.ID
	}
	return ids
}
