package rules

import (
	"slices"

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
	out := fs[:0:0]
	for _, f := range fs {
		sev, on := p.level(f.Rule, f.Severity)
		if !on || p.ignored(f, paths) {
			continue
		}
		f.Severity = sev
		out = append(out, f)
	}
	return out
}

func (p Policy) ignored(f finding.Finding, paths func(string) []string) bool {
	for _, ig := range p.Ignore {
		if ig.Rule != f.Rule {
			continue
		}
		for _, rel := range paths(f.Path) {
			if slices.ContainsFunc(ig.Paths, func(g string) bool { return doublestar.MatchUnvalidated(g, rel) }) {
				return true
			}
		}
	}
	return false
}

// Off lists the ids of the rules switched off, in the order of All.
func (p Policy) Off() []string {
	var off []string
	for _, r := range All() {
		if p.Levels[r.ID] == Off {
			off = append(off, r.ID)
		}
	}
	return off
}

// Rules lists every rule at the severity the policy gives it (SARIF's
// default configuration of each rule); a rule that is off keeps its own.
func (p Policy) Rules() []finding.Rule {
	all := All()
	for i, r := range all {
		if sev, ok := p.Severity(r); ok {
			all[i].Severity = sev
		}
	}
	return all
}
