package report

import (
	"encoding/json"
	"io"

	"github.com/htgit/htgit/internal/finding"
)

// JSONVersion is the version of the JSON document; it changes only when a
// field is removed or changes meaning.
const JSONVersion = 1

// JSONReport is the document JSON writes; see the package documentation.
type JSONReport struct {
	Version  int           `json:"version"`
	Tool     JSONTool      `json:"tool"`
	Findings []JSONFinding `json:"findings"`
	Counts   JSONCounts    `json:"counts"`
	Files    []JSONFile    `json:"files"`
	RulesOff []string      `json:"rulesOff"` // rule ids the configuration switched off
	Policies []JSONRule    `json:"policies"` // the configuration's own rules
}

// JSONRule is a rule the configuration defines (a policy).
type JSONRule struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Help     string `json:"help"`
}

// JSONTool names the program that wrote the document.
type JSONTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// JSONFinding is one finding. Line and Column are 1-based; EndColumn is one
// past the last character. A zero means "not known": Line 0 is the file as a
// whole.
type JSONFinding struct {
	Path      string   `json:"path"`
	Line      int      `json:"line"`
	Column    int      `json:"column"`
	EndLine   int      `json:"endLine"`
	EndColumn int      `json:"endColumn"`
	Rule      string   `json:"rule"`
	Severity  string   `json:"severity"`
	Message   string   `json:"message"`
	Related   []string `json:"related"`
}

// JSONCounts tallies the findings and what the run checked.
type JSONCounts struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Notices  int `json:"notices"` // what htgit did not check (no manifest, files no kind claims)
	Files    int `json:"files"`
	Models   int `json:"models"`
	Syncs    int `json:"syncs"`
}

// JSONFile is one file that has findings, with its counts.
type JSONFile struct {
	Path     string `json:"path"`
	Errors   int    `json:"errors"`
	Warnings int    `json:"warnings"`
}

// JSON writes the findings as a JSONReport: 2-space indent, fields in a fixed
// order, a trailing newline.
func JSON(w io.Writer, in Input) error {
	c := finding.Count(in.Findings)
	_, version := toolVersions(in.Version)
	doc := JSONReport{
		Version:  JSONVersion,
		Tool:     JSONTool{Name: "htgit", Version: version},
		Findings: make([]JSONFinding, 0, len(in.Findings)),
		Counts: JSONCounts{
			Errors: c.Errors, Warnings: c.Warnings, Notices: c.Notices,
			Files: in.Stats.Files, Models: in.Stats.Models, Syncs: in.Stats.Syncs,
		},
		Files:    []JSONFile{},
		RulesOff: append([]string{}, in.RulesOff...),
		Policies: make([]JSONRule, len(in.Policies)),
	}
	for i, r := range in.Policies {
		doc.Policies[i] = JSONRule{ID: r.ID, Severity: r.Severity.String(), Summary: r.Summary, Help: r.Help}
	}
	for _, f := range in.Findings {
		s := spanOf(f)
		related := make([]string, 0, len(f.Related)+len(f.Also))
		for _, r := range f.Related {
			related = append(related, in.rel(r))
		}
		for _, a := range f.Also {
			related = append(related, location(in.rel(a.Path), span{Line: a.Line}))
		}
		doc.Findings = append(doc.Findings, JSONFinding{
			Path: in.rel(f.Path), Line: s.Line, Column: s.Col, EndLine: s.EndLine, EndColumn: s.EndCol,
			Rule: f.Rule, Severity: f.Severity.String(), Message: f.Message, Related: related,
		})
	}
	for _, g := range in.byFile() {
		c := finding.Count(g)
		doc.Files = append(doc.Files, JSONFile{Path: in.rel(g[0].Path), Errors: c.Errors, Warnings: c.Warnings})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Messages quote YAML with < and >; the document is not embedded in HTML.
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
