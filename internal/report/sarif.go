package report

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/htgit/htgit/internal/finding"
)

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	// srcRoot is the base id GitHub code scanning (and most SARIF viewers)
	// resolve relative uris against: the repository checkout.
	srcRoot = "%SRCROOT%"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool struct {
		Driver sarifDriver `json:"driver"`
	} `json:"tool"`
	// Columns count runes, not the UTF-16 units SARIF assumes by default.
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	Version         string      `json:"version"`
	SemanticVersion string      `json:"semanticVersion"`
	InformationURI  string      `json:"informationUri"`
	Rules           []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string    `json:"id"`
	Name                 string    `json:"name"`
	ShortDescription     sarifText `json:"shortDescription"`
	FullDescription      sarifText `json:"fullDescription"`
	Help                 sarifText `json:"help"`
	DefaultConfiguration struct {
		Enabled *bool  `json:"enabled,omitempty"` // false for a rule the configuration switched off
		Level   string `json:"level"`
	} `json:"defaultConfiguration"`
}

type sarifResult struct {
	RuleID           string          `json:"ruleId"`
	RuleIndex        *int            `json:"ruleIndex,omitempty"` // 0 is a valid index
	Level            string          `json:"level"`
	Message          sarifText       `json:"message"`
	Locations        []sarifLocation `json:"locations"`
	RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
}

type sarifLocation struct {
	ID               *int `json:"id,omitempty"`
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId,omitempty"`
		} `json:"artifactLocation"`
		Region *sarifRegion `json:"region,omitempty"`
	} `json:"physicalLocation"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

// SARIF writes a SARIF 2.1.0 log with one run, as GitHub code scanning
// uploads expect.
func SARIF(w io.Writer, in Input) error {
	run := sarifRun{ColumnKind: "unicodeCodePoints", Results: make([]sarifResult, 0, len(in.Findings))}
	d := &run.Tool.Driver
	d.Name, d.InformationURI = "htgit", "https://github.com/htgit/htgit"
	d.Version, d.SemanticVersion = toolVersions(in.Version)
	d.Rules = make([]sarifRule, len(in.Rules))
	ruleIndex := make(map[string]int, len(in.Rules))
	for i, r := range in.Rules {
		ruleIndex[r.ID] = i
		sr := &d.Rules[i]
		sr.ID, sr.Name = r.ID, pascalCase(r.ID)
		summary := r.Summary
		if summary == "" {
			summary = r.ID // the schema does not need it, viewers show it
		}
		sr.ShortDescription.Text, sr.FullDescription.Text = summary, summary
		sr.Help.Text = r.Help
		sr.DefaultConfiguration.Level = sarifLevel(r.Severity)
		if slices.Contains(in.RulesOff, r.ID) {
			off := false
			sr.DefaultConfiguration.Enabled = &off
		}
	}
	for _, f := range in.Findings {
		res := sarifResult{
			RuleID:    f.Rule,
			Level:     sarifLevel(f.Severity),
			Message:   sarifText{Text: f.Message},
			Locations: []sarifLocation{in.sarifLocation(f.Path, spanOf(f))},
		}
		if i, ok := ruleIndex[f.Rule]; ok {
			res.RuleIndex = &i
		}
		for _, r := range f.Related {
			res.RelatedLocations = append(res.RelatedLocations, in.sarifLocation(r, span{}))
		}
		for _, a := range f.Also {
			res.RelatedLocations = append(res.RelatedLocations, in.sarifLocation(a.Path, span{Line: a.Line}))
		}
		for i := range res.RelatedLocations {
			res.RelatedLocations[i].ID = &i
		}
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

func sarifLevel(s finding.Severity) string {
	switch s {
	case finding.Error:
		return "error"
	case finding.Warning:
		return "warning"
	case finding.Notice:
		return "note"
	}
	return "none" // not a severity
}

// sarifLocation points at a file and a region in it.
// Relative paths become relative uri references against %SRCROOT%; a path
// that has no relative form becomes a file: uri.
func (in Input) sarifLocation(path string, s span) sarifLocation {
	var loc sarifLocation
	a := &loc.PhysicalLocation.ArtifactLocation
	rel := in.rel(path)
	if filepath.IsAbs(filepath.FromSlash(rel)) {
		p := rel
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // a Windows volume: file:///C:/...
		}
		a.URI = (&url.URL{Scheme: "file", Path: p}).String()
	} else {
		// url.URL escapes spaces, '#' and '%' and guards a first segment
		// with ':' so the reference is not read as a scheme.
		a.URI = (&url.URL{Path: rel}).String()
		a.URIBaseID = srcRoot
	}
	// GitHub code scanning places an alert by region.startLine, so a finding
	// about the whole file points at its first line.
	region := &sarifRegion{StartLine: 1}
	if s.Line > 0 {
		region = &sarifRegion{StartLine: s.Line, StartColumn: s.Col, EndLine: s.EndLine, EndColumn: s.EndCol}
	}
	loc.PhysicalLocation.Region = region
	return loc
}

// pascalCase turns a rule id like "sync-model-missing" into the SARIF rule
// name "SyncModelMissing".
func pascalCase(id string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(id, func(r rune) bool {
		return r == '-' || r == '_' || r == '.' || r == '/' || r == ' '
	}) {
		r, n := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(w[n:])
	}
	return b.String()
}
