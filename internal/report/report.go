package report

import (
	"cmp"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/htgit/htgit/internal/finding"
)

// Stats counts what a run looked at, for the closing line of each format.
type Stats struct {
	Files, Models, Syncs int
}

// Input is everything a formatter renders.
type Input struct {
	Findings []finding.Finding // already sorted with finding.Sort
	Rules    []finding.Rule    // every rule htgit has, at the severity the run gives it (SARIF driver.rules)
	RulesOff []string          // ids of the rules the configuration switched off
	// Policies are the configuration's own rules (also in Rules): JSON
	// lists them, as a reader cannot look their ids up in `htgit rules`
	// of another repository.
	Policies []finding.Rule
	Stats    Stats
	// Checked are the files the run checked (absolute paths), for formats
	// that list passing files too (JUnit's test cases).
	Checked []string
	// BaseDir is the directory paths are shown relative to (the repository
	// root or GITHUB_WORKSPACE). Empty shows paths as they are.
	BaseDir string
	Version string // htgit version, for SARIF and JSON
}

// rel renders a finding's absolute path relative to BaseDir with forward
// slashes, the form editors, GitHub and SARIF consumers resolve against the
// repository root. A path outside BaseDir keeps its "../" form rather than
// turning absolute, so output does not depend on the machine; only when no
// relative form exists (another volume) is the path shown as it is.
func (in Input) rel(path string) string {
	if in.BaseDir == "" {
		return filepath.ToSlash(path)
	}
	r, err := filepath.Rel(in.BaseDir, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(r)
}

// span is a finding's range with the parts that do not make sense zeroed, so
// every format agrees on what it prints: no column without a line, no end
// before the start, no end column without a start column.
type span struct {
	Line, Col, EndLine, EndCol int
}

func spanOf(f finding.Finding) span {
	var s span
	if f.Start.Line <= 0 {
		return s // the file as a whole
	}
	s.Line = f.Start.Line
	s.Col = max(f.Start.Col, 0)
	if f.End.Line <= 0 || f.End.Before(f.Start) {
		return s
	}
	s.EndLine = f.End.Line
	if s.Col > 0 {
		s.EndCol = max(f.End.Col, 0)
	}
	return s
}

// location is "path", "path:line" or "path:line:col", the prefix editors and
// problem matchers jump to.
func location(path string, s span) string {
	switch {
	case s.Line == 0:
		return path
	case s.Col == 0:
		return path + ":" + strconv.Itoa(s.Line)
	}
	return path + ":" + strconv.Itoa(s.Line) + ":" + strconv.Itoa(s.Col)
}

// clean makes text from a finding safe to print on one log line. Messages
// quote user YAML, so a newline or escape sequence could forge extra findings
// or recolour a terminal, and the Actions runner executes "##[command]"
// anywhere in a line (its legacy syntax), which would let a model name set
// outputs or stop command processing.
func clean(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r != '\t' && unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return strings.ReplaceAll(b.String(), "##[", `##\[`)
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// paint wraps s in an ANSI style when color is on.
func paint(color bool, style, s string) string {
	if !color {
		return s
	}
	return style + s + ansiReset
}

// line renders one finding as "path:line:col: severity: message [rule]", the
// shape compilers use, so editors and problem matchers pick it up.
func (in Input) line(f finding.Finding, color bool) string {
	loc := location(clean(in.rel(f.Path)), spanOf(f))
	// The runner also takes a line starting with "::" as a command; "./"
	// keeps such a (relative) path meaning the same file.
	if strings.HasPrefix(strings.TrimLeftFunc(loc, unicode.IsSpace), "::") {
		loc = "./" + loc
	}
	sev := f.Severity.String()
	style := map[finding.Severity]string{finding.Error: ansiRed, finding.Warning: ansiYellow}[f.Severity]
	if style == "" {
		style = ansiCyan
	}
	return paint(color, ansiBold, loc+":") + " " +
		paint(color, ansiBold+style, sev+":") + " " +
		clean(f.Message) + " " +
		paint(color, ansiDim, "["+clean(f.Rule)+"]")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// problems is "2 errors, 1 warning", leaving out a zero count, or "" when
// there is nothing.
func problems(c finding.Counts) string {
	var parts []string
	if c.Errors > 0 {
		parts = append(parts, plural(c.Errors, "error"))
	}
	if c.Warnings > 0 {
		parts = append(parts, plural(c.Warnings, "warning"))
	}
	if c.Notices > 0 {
		parts = append(parts, plural(c.Notices, "notice"))
	}
	return strings.Join(parts, ", ")
}

// summary is the closing line: "2 errors, 1 warning in 20 files (12 models,
// 8 syncs)" or "no problems in ...".
func (in Input) summary() string {
	c := finding.Count(in.Findings)
	p := problems(c)
	if c.Errors+c.Warnings == 0 {
		p = strings.TrimSuffix("no problems, "+p, ", ")
	}
	return fmt.Sprintf("%s in %s (%s, %s)", p,
		plural(in.Stats.Files, "file"), plural(in.Stats.Models, "model"), plural(in.Stats.Syncs, "sync"))
}

// toolVersions splits htgit's version (v1.2.3, v0.0.0-2026…-abc, devel)
// into SARIF's numeric dotted version ("1.2.3"; validators warn SARIF2005
// on anything else) and the semantic version without the "v", which SARIF's
// semanticVersion and JSON's tool.version both show, so the formats agree.
func toolVersions(v string) (version, semantic string) {
	semantic = strings.TrimPrefix(v, "v")
	end := 0
	for end < len(semantic) && (semantic[end] >= '0' && semantic[end] <= '9' || semantic[end] == '.' && end > 0) {
		end++
	}
	version = strings.Trim(semantic[:end], ".")
	if version == "" {
		// devel or empty: a build from a checkout, no release number.
		return "0.0.0", "0.0.0-" + cmp.Or(semantic, "devel")
	}
	return version, semantic
}
