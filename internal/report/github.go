package report

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/htgit/htgit/internal/finding"
	"github.com/sethvargo/go-githubactions"
)

// DefaultMaxPerLevel is how many errors, and how many warnings, the Actions
// runner shows as annotations per step; it drops the rest silently.
const DefaultMaxPerLevel = 10

// GitHubOptions chooses which findings become annotations.
type GitHubOptions struct {
	// Changed reports whether the change under review touches a file (a path
	// relative to BaseDir with "/" separators). nil counts every file as
	// changed. A finding is in a changed file when its own file or one of
	// its Related files is changed: a deleted model breaks an untouched sync.
	Changed func(relPath string) bool
	// AnnotateAll annotates findings in unchanged files too, after those in
	// changed files. Otherwise they appear only in the log and the summary.
	AnnotateAll bool
	// MaxPerLevel caps annotations per severity; 0 means DefaultMaxPerLevel.
	MaxPerLevel int
}

// GitHub writes GitHub Actions workflow commands: annotations for the most
// important findings (errors before warnings, changed files before others,
// at most MaxPerLevel of each), one notice counting the findings left out,
// then every finding as a log line grouped per file, and the counts.
func GitHub(w io.Writer, in Input, opt GitHubOptions) error {
	// The library panics when a write fails; a buffer cannot fail, and the
	// one real write below returns its error.
	var buf bytes.Buffer
	a := githubactions.New(githubactions.WithWriter(&buf))

	shown, overLimit, notTouched := in.pick(opt)
	for _, f := range shown {
		in.annotate(a, f)
	}
	if note := leftOut(overLimit, notTouched, opt.limit()); note != "" {
		a.WithFieldsMap(map[string]string{"title": "htgit"}).Noticef("%s The job summary and the log below list every finding.", note)
	}

	for _, g := range in.byFile() {
		a.Group(clean(in.rel(g[0].Path)) + " (" + problems(finding.Count(g)) + ")")
		for _, f := range g {
			a.Infof("%s", in.line(f, false))
		}
		a.EndGroup()
	}
	a.Infof("%s", in.summary())
	_, err := w.Write(buf.Bytes())
	return err
}

func (opt GitHubOptions) limit() int {
	if opt.MaxPerLevel <= 0 {
		return DefaultMaxPerLevel
	}
	return opt.MaxPerLevel
}

// pick chooses the findings to annotate, errors before warnings and
// changed files before others, at most the limit of each severity, and
// returns those left out over the limit and those in untouched files.
func (in Input) pick(opt GitHubOptions) (shown, overLimit, notTouched []finding.Finding) {
	// Rank 0: errors in changed files, 1: errors elsewhere, 2 and 3 likewise
	// for warnings; each rank keeps input order.
	var ranks [4][]finding.Finding
	for _, f := range in.Findings {
		changed := in.Touched(f, opt.Changed)
		if !changed && !opt.AnnotateAll {
			notTouched = append(notTouched, f)
			continue
		}
		r := 0
		if f.Severity != finding.Error {
			r = 2
		}
		if !changed {
			r++
		}
		ranks[r] = append(ranks[r], f)
	}
	limit := opt.limit()
	for level := range 2 {
		for i, f := range slices.Concat(ranks[2*level], ranks[2*level+1]) {
			if i < limit {
				shown = append(shown, f)
			} else {
				overLimit = append(overLimit, f)
			}
		}
	}
	return shown, overLimit, notTouched
}

// Touched reports whether the change touches f: its file or one of its
// Related files is changed (changed takes a path relative to BaseDir, as
// GitHubOptions.Changed; nil counts every file as changed).
func (in Input) Touched(f finding.Finding, changed func(relPath string) bool) bool {
	return changed == nil || slices.ContainsFunc(append([]string{f.Path}, f.Related...),
		func(p string) bool { return changed(in.rel(p)) })
}

// leftOut says how many findings were not annotated and why, or "".
func leftOut(overLimit, notTouched []finding.Finding, limit int) string {
	left := len(overLimit) + len(notTouched)
	if left == 0 {
		return ""
	}
	var why []string
	if len(overLimit) > 0 {
		why = append(why, fmt.Sprintf("%d over the limit of %s per severity", len(overLimit), plural(limit, "annotation")))
	}
	if len(notTouched) > 0 {
		why = append(why, fmt.Sprintf("%d in files this change does not touch", len(notTouched)))
	}
	verb := "are"
	if left == 1 {
		verb = "is"
	}
	return fmt.Sprintf("%s (%s) %s not annotated: %s.", plural(left, "more finding"),
		problems(finding.Count(slices.Concat(overLimit, notTouched))), verb, strings.Join(why, ", "))
}

// annotate issues one ::error or ::warning. The library sorts properties, so
// their order is fixed: col, endColumn, endLine, file, line, title.
func (in Input) annotate(a *githubactions.Action, f finding.Finding) {
	props := map[string]string{"file": in.rel(f.Path), "title": "htgit: " + f.Rule}
	s := spanOf(f)
	if s.Line > 0 {
		props["line"] = strconv.Itoa(s.Line)
		if s.EndLine > 0 {
			props["endLine"] = strconv.Itoa(s.EndLine)
		}
		// GitHub rejects columns on a range over several lines.
		if s.Col > 0 && s.EndLine <= s.Line {
			props["col"] = strconv.Itoa(s.Col)
			if s.EndCol > 0 && s.EndLine == s.Line {
				props["endColumn"] = strconv.Itoa(s.EndCol)
			}
		}
	}
	a = a.WithFieldsMap(props)
	switch f.Severity {
	case finding.Error:
		a.Errorf("%s", f.Message)
	case finding.Warning:
		a.Warningf("%s", f.Message)
	case finding.Notice:
		a.Noticef("%s", f.Message)
	}
}

// byFile splits the findings per file, files in order of first appearance.
func (in Input) byFile() [][]finding.Finding {
	var groups [][]finding.Finding
	index := map[string]int{}
	for _, f := range in.Findings {
		i, ok := index[f.Path]
		if !ok {
			i = len(groups)
			index[f.Path] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], f)
	}
	return groups
}
