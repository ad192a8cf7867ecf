// Package finding defines the one type every check produces and every
// formatter renders: a problem at a position in a file, with a rule id and a
// severity. It imports nothing of the project.
package finding

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity orders findings: errors fail a run, warnings only inform (unless
// --strict promotes them), notices say what htgit did not check.
type Severity int

const (
	Error Severity = iota
	Warning
	Notice
)

func (s Severity) String() string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Notice:
		return "notice"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// Pos is a 1-based line and column (columns count runes, as yaml.v3 does).
// The zero Pos means "the file as a whole".
type Pos struct {
	Line, Col int
}

// Before reports whether p comes before q in the file.
func (p Pos) Before(q Pos) bool {
	return p.Line < q.Line || p.Line == q.Line && p.Col < q.Col
}

// Finding is one problem. Path is the file's absolute, OS-native path;
// formatters make it relative to whatever base their reader expects.
type Finding struct {
	Path     string
	Start    Pos
	End      Pos // inclusive-exclusive: End.Col is one past the last rune
	Rule     string
	Severity Severity
	Message  string
	// Related lists other files (absolute paths) whose change can cause this
	// finding: a sync's broken model reference names the model file it meant.
	// A run limited to some files still reports a finding related to one.
	Related []string
	// Also lists places the message names, such as the first of two
	// mappings writing one field; formatters show them with Related.
	Also []Place
}

// Place is a line of a file (absolute, OS-native path).
type Place struct {
	Path string
	Line int
}

// Rule describes a rule id for formatters (SARIF) and documentation.
type Rule struct {
	ID       string
	Severity Severity // the default; --strict turns warnings into errors
	Summary  string   // one line: what the rule checks
	Help     string   // what to do when it fires
}

// Sort orders findings by path, line, column, then rule and message so output
// is the same on every run whatever order the checks finished in.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, Compare)
}

// Compare is the order Sort uses.
func Compare(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Start.Line, b.Start.Line),
		cmp.Compare(a.Start.Col, b.Start.Col),
		cmp.Compare(a.Severity, b.Severity),
		cmp.Compare(a.Rule, b.Rule),
		cmp.Compare(a.Message, b.Message),
	)
}

// Counts tallies findings by severity.
type Counts struct {
	Errors, Warnings, Notices int
}

// Count returns how many errors and warnings fs holds.
func Count(fs []Finding) Counts {
	var c Counts
	for _, f := range fs {
		switch f.Severity {
		case Error:
			c.Errors++
		case Warning:
			c.Warnings++
		case Notice:
			c.Notices++
		}
	}
	return c
}
