// Package check holds the rules: what a Git Sync model, sync or manifest must
// look like, alone and together. Run loads a discovered workspace, checks every
// file concurrently and the references between them, and returns findings in a
// deterministic order. It never renders anything.
package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

// Options tune a run.
type Options struct {
	// ReportSet, when not empty, limits the findings to these files (absolute
	// paths) and to findings related to them; the whole workspace is still
	// checked so references resolve.
	ReportSet []string
	// Jobs bounds how many files are parsed at once (default GOMAXPROCS).
	Jobs int
	// Workspace, when set, is the workspace (of manifest-<Workspace>.yaml)
	// the change goes to: a source or destination its manifest lacks is an
	// error, not a warning, since its Git Sync cannot ingest the file.
	Workspace string
	// Visitors read every parsed file while its node tree exists (policies,
	// the dbt check), so no file is parsed twice; their findings join the
	// run's before the report set (the caller applies the rule policy).
	Visitors []Visitor
}

// A Visitor sees each file that parses to a mapping, concurrently, then
// gives its findings once every file is seen.
type Visitor interface {
	Visit(doc *workspace.Document)
	Findings() []finding.Finding
}

// Result is the outcome of a run.
type Result struct {
	// Findings are every rule's findings at the rule's own severity, sorted:
	// the caller applies the configuration's rule policy.
	Findings []finding.Finding
	Files    int
	Models   int
	Syncs    int
}

// Run checks every file of ws. findings from discovery (passed in as
// extra) are merged in, so one list holds every problem.
func Run(ctx context.Context, ws *workspace.Workspace, extra []finding.Finding, opts Options) (*Result, error) {
	summaries := make([]*summary, len(ws.Files))
	perFile := make([][]finding.Finding, len(ws.Files))
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	// Workers take the next file from a counter: no goroutine hands them
	// out, so on two cores two files are always being checked.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(jobs, max(len(ws.Files), 1)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(ws.Files) {
					return
				}
				summaries[i], perFile[i] = checkFile(ws.Files[i], opts.Visitors)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Files counts every file found, the ones too large or not followed too.
	res := &Result{Files: len(ws.Files) + len(ws.Skipped)}
	all := slices.Clone(extra)
	for _, fs := range perFile {
		all = append(all, fs...)
	}
	idx := newIndex(ws, summaries)
	idx.target = opts.Workspace
	for _, f := range ws.Files {
		switch f.Kind.Resource() {
		case workspace.ModelResource:
			res.Models++
		case workspace.SyncResource:
			res.Syncs++
		case workspace.NotDeployed:
		}
	}
	all = append(all, idx.crossFile()...)
	for _, v := range opts.Visitors {
		all = append(all, v.Findings()...)
	}

	if len(opts.ReportSet) > 0 {
		all = inReportSet(all, opts.ReportSet)
	}
	finding.Sort(all)
	res.Findings = all
	return res, nil
}

// checkFile reads, parses and checks one file; the node tree is dropped when
// it returns and only the summary the cross-file rules need is kept.
func checkFile(f workspace.File, visitors []Visitor) (*summary, []finding.Finding) {
	src, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, []finding.Finding{{Path: f.Path, Start: finding.Pos{Line: 1, Col: 1}, End: finding.Pos{Line: 1, Col: 1},
			Rule: rules.FileUnreadable.ID, Severity: rules.FileUnreadable.Severity,
			Message: "cannot read file: " + err.Error()}}
	}
	return checkSource(f, src, visitors...)
}

// checkSource parses and checks the content of f.
func checkSource(f workspace.File, src []byte, visitors ...Visitor) (*summary, []finding.Finding) {
	doc, findings := workspace.Parse(f, src)
	if doc.Root == nil {
		return nil, findings
	}
	for _, v := range visitors {
		v.Visit(doc)
	}
	fc := &fileCheck{doc: doc, findings: findings, unsure: f.Kind.Spec().Unconfirmed}
	fc.schema()
	fc.unsure = ""
	s := &summary{file: f}
	switch f.Kind {
	case workspace.Model:
		fc.model(s)
	case workspace.Sync:
		fc.sync(s)
	case workspace.Manifest:
		fc.manifest(s)
	case workspace.ParentModel, workspace.RelatedModel, workspace.EventModel:
		fc.schemaModel(s)
	case workspace.Contract:
		fc.contract()
	case workspace.Aliases:
		fc.aliases(s)
	case workspace.Relationship:
		// Not public beyond being YAML: the YAML and schema steps did it.
	default:
		panic(fmt.Sprintf("check: no checks for %v files", f.Kind))
	}
	return s, fc.limit.Close(fc.findings)
}

// inReportSet keeps findings in the given files or related to one of them.
// A related entry that is a folder stands for every file under it.
func inReportSet(fs []finding.Finding, set []string) []finding.Finding {
	given := make(map[string]bool, len(set))
	for _, p := range set {
		given[filepath.Clean(p)] = true
	}
	covers := func(p string) bool {
		if given[p] {
			return true
		}
		prefix := p + string(filepath.Separator)
		for g := range given {
			if strings.HasPrefix(g, prefix) {
				return true
			}
		}
		return false
	}
	var out []finding.Finding
	for _, f := range fs {
		if given[f.Path] || slices.ContainsFunc(f.Related, covers) {
			out = append(out, f)
		}
	}
	return out
}

// Counts tallies the result's findings by severity.
func (r *Result) Counts() finding.Counts { return finding.Count(r.Findings) }
