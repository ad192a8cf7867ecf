package rules

import (
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/htgit/htgit/internal/finding"
)

// Level is what a configuration makes of a rule.
type Level int

const (
	Default Level = iota // the rule's own severity
	Off                  // not reported
	AsWarning
	AsError
)

// Levels are the words a configuration uses, by level.
var Levels = map[string]Level{"off": Off, "warning": AsWarning, "error": AsError}

// Ignore drops one rule's findings in files matching Paths (doublestar globs,
// matched against the path relative to the repository root and to the Git
// Sync folder, as --exclude is).
type Ignore struct {
	Rule  string
	Paths []string
}

// Policy is how a run reports rules: the configuration's levels and ignores,
// then --strict. The zero Policy reports every rule at its own severity.
type Policy struct {
	Levels map[string]Level
	Ignore []Ignore
	Strict bool // warnings become errors, after the configuration
	// Custom are the rules a configuration defines (its policies): listed
	// beside the built-in ones, levelled and ignored as they are.
	Custom []finding.Rule
}

// Severity is the severity rule r is reported at, and false when it is off.
func (p Policy) Severity(r finding.Rule) (finding.Severity, bool) { return p.level(r.ID, r.Severity) }

// level applies the configured level of rule id, then --strict, to sev.
func (p Policy) level(id string, sev finding.Severity) (finding.Severity, bool) {
	switch p.Levels[id] {
	case Default:
	case Off:
		return 0, false
	case AsWarning:
		sev = finding.Warning
	case AsError:
		sev = finding.Error
	}
	// --strict promotes warnings; a notice says what was not checked and
	// stays one.
	if p.Strict && sev == finding.Warning {
		sev = finding.Error
	}
	return sev, true
}

// Apply returns the findings the policy reports, with their severities set.
// A finding's own severity is its default: a check may lower its rule's
// where what Hightouch accepts is unsure. paths gives the relative forms of
// a finding's file that ignore globs are matched against.
func (p Policy) Apply(fs []finding.Finding, paths func(abs string) []string) []finding.Finding {
	ignored := p.ignoreIndex()
	out := fs[:0:0]
	for _, f := range fs {
		sev, on := p.level(f.Rule, f.Severity)
		if !on || ignored.match(f.Rule, paths(f.Path)) {
			continue
		}
		f.Severity = sev
		out = append(out, f)
	}
	return out
}

// ignoreIndex finds the ignores of a finding without trying every glob:
// literal paths by rule in a set, the other globs by rule and by their
// literal start (the text before the first special character), which a
// path must begin with to match. 10,000 ignores against 10,000 findings
// took 5 s tried one by one.
type ignoreIndex struct {
	exact map[string]map[string]bool     // rule -> literal path
	globs map[string]map[string][]string // rule -> literal start -> globs
}

func (p Policy) ignoreIndex() ignoreIndex {
	ix := ignoreIndex{exact: map[string]map[string]bool{}, globs: map[string]map[string][]string{}}
	for _, ig := range p.Ignore {
		for _, g := range ig.Paths {
			start := strings.IndexAny(g, `*?[{\`)
			if start < 0 {
				if ix.exact[ig.Rule] == nil {
					ix.exact[ig.Rule] = map[string]bool{}
				}
				ix.exact[ig.Rule][g] = true
				continue
			}
			if ix.globs[ig.Rule] == nil {
				ix.globs[ig.Rule] = map[string][]string{}
			}
			ix.globs[ig.Rule][g[:start]] = append(ix.globs[ig.Rule][g[:start]], g)
		}
	}
	return ix
}

// match reports whether an ignore of rule matches one of rels.
func (ix ignoreIndex) match(rule string, rels []string) bool {
	exact, globs := ix.exact[rule], ix.globs[rule]
	if exact == nil && globs == nil {
		return false
	}
	for _, rel := range rels {
		if exact[rel] {
			return true
		}
		if len(globs) == 0 {
			continue
		}
		for i := 0; i <= len(rel); i++ {
			if slices.ContainsFunc(globs[rel[:i]], func(g string) bool { return doublestar.MatchUnvalidated(g, rel) }) {
				return true
			}
		}
	}
	return false
}

// Off lists the ids of the rules switched off, in the order of Rules.
func (p Policy) Off() []string {
	var off []string
	for _, r := range append(All(), p.Custom...) {
		if p.Levels[r.ID] == Off {
			off = append(off, r.ID)
		}
	}
	return off
}

// Rules lists every rule, the built-in ones then the configuration's, at
// the severity the policy gives it (SARIF's default configuration of each
// rule); a rule that is off keeps its own.
func (p Policy) Rules() []finding.Rule {
	all := append(All(), p.Custom...)
	for i, r := range all {
		if sev, ok := p.Severity(r); ok {
			all[i].Severity = sev
		}
	}
	return all
}
