package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/htgit/htgit/internal/action"
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/report"
	"github.com/htgit/htgit/internal/workspace"
)

// action runs htgit as the GitHub Action: inputs from INPUT_*, the event from
// GITHUB_EVENT_PATH, annotations and log on stdout, outputs and the job
// summary through the runner's files.
func (c *Command) action(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return usagef("htgit action takes no arguments; it reads the action's inputs (INPUT_*)")
	}
	r := action.New(c.Stdout, c.Getenv)
	in, err := r.Inputs() // masks the key before anything else is printed
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	ev, err := r.Event()
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	root := cmp.Or(r.Workspace(), c.Dir)
	tracked := cmp.Or(in.Branch, ev.DefaultBranch)

	command := in.Command
	if command == "auto" {
		switch {
		case ev.IsPullRequest():
			command = "validate"
		case ev.Name == "push" && tracked != "" && ev.Branch() == tracked:
			command = "deploy"
		default:
			command = "validate"
		}
	}
	switch command {
	case "validate", "plan", "deploy":
	default:
		return usagef("input command: %q is not auto, validate, plan or deploy", in.Command)
	}
	w := workspaceFlags{root: root, path: in.Path, maxSize: workspace.DefaultMaxSize, strict: in.Strict, config: in.Config}
	if w.config != "" && !filepath.IsAbs(w.config) {
		w.config = filepath.Join(root, w.config) // as the workflow names it: from the repository
	}
	l, err := c.load(ctx, w, nil)
	if err != nil {
		return err
	}

	var p *plan.Plan
	if ev.IsPullRequest() || command != "validate" {
		if p, err = c.actionPlan(ctx, l, ev, in); err != nil {
			return err
		}
	}
	findings := l.result.Findings
	if p != nil && ev.IsPullRequest() {
		findings = mergeFindings(findings, l.policy.Apply(p.Findings(l.ws.Root), l.ws.RelPaths))
	}
	rin := c.reportInput(l)
	rin.Findings = findings
	rin.BaseDir = root

	opt := renderOptions{github: report.GitHubOptions{AnnotateAll: in.Annotate == "all"}}
	if p != nil && ev.IsPullRequest() && !p.All {
		// With all: true Git was not asked, so every file counts as
		// changed (a nil Changed); an empty list would annotate nothing.
		opt.github.Changed = changedIn(p.Files, l.ws.Root, root)
	}
	outs := []output{{format: "github"}}
	if in.SARIFFile != "" {
		// Relative to the workspace, as upload-sarif reads it.
		path := in.SARIFFile
		if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		outs = append(outs, output{format: "sarif", path: path})
	}
	if err := c.render(outs, rin, opt); err != nil {
		return err
	}

	counts := finding.Count(findings)
	var deployErr error
	var after []report.Section
	if p != nil && command != "deploy" {
		after = append(after, report.Section{Heading: "What merging does", Body: c.previewMarkdown(ctx, l, p, ev, in)})
	}
	if command == "deploy" && counts.Errors == 0 {
		section, err := c.actionDeploy(ctx, r, l, p, ev, in, tracked)
		if section != "" {
			after = append(after, report.Section{Heading: "Deploy", Body: section})
		}
		deployErr = err
	}
	if err := c.summarize(r, rin, ev, p, after); err != nil {
		return err
	}
	outputs := [][2]string{
		{"errors", strconv.Itoa(counts.Errors)},
		{"warnings", strconv.Itoa(counts.Warnings)},
		{"files", strconv.Itoa(l.result.Files)},
	}
	if in.SARIFFile != "" {
		outputs = append(outputs, [2]string{"sarif-file", in.SARIFFile})
	}
	for _, o := range outputs {
		if err := r.SetOutput(o[0], o[1]); err != nil {
			return err
		}
	}
	if counts.Errors > 0 {
		if command == "deploy" {
			fmt.Fprintln(c.Stderr, "htgit: validation found errors; nothing was deployed to Hightouch")
		}
		return &exitError{code: ExitFindings}
	}
	return deployErr
}

// actionPlan works out what the pull request or push changes.
func (c *Command) actionPlan(ctx context.Context, l *loaded, ev *action.Event, in action.Inputs) (*plan.Plan, error) {
	from, opts := ev.Before, plan.Options{RepoDir: l.ws.Root, All: in.All, FullResync: in.FullResync, IncludePaused: in.IncludePaused}
	if ev.IsPullRequest() {
		// The checkout is the PR's merge commit (or its head): diff from the
		// merge base with the base branch to HEAD, the files being validated.
		from, opts.MergeBase = ev.BaseSHA, true
	}
	opts.From, opts.To = from, "HEAD"
	if !opts.All {
		if from == "" {
			return nil, usagef("the %s event has no previous commit to compare with; set the input all: true to treat every sync as changed", ev.Name)
		}
		if gitdiff.IsZero(from) {
			return nil, usagef("this push created the branch, so there is no previous commit to compare with; set the input all: true to treat every sync as changed")
		}
		if err := gitdiff.EnsureCommit(ctx, l.ws.Root, from); err != nil {
			return nil, planError(err)
		}
	}
	p, err := plan.Build(ctx, l.ws, opts)
	if err != nil {
		return nil, planError(err)
	}
	return p, nil
}

// previewMarkdown is the plan for the summary: from Git alone, or with what
// Hightouch would create or update when the Action has an API key.
func (c *Command) previewMarkdown(ctx context.Context, l *loaded, p *plan.Plan, ev *action.Event, in action.Inputs) string {
	if in.APIKey == "" {
		return p.Markdown()
	}
	d, err := c.inputFlags(in, cmp.Or(ev.BaseSHA, ev.Before))
	if err == nil {
		var res *deployResult
		if res, err = c.runDeploy(ctx, l.ws.Root, p, d, in.APIKey, false, c.Stdout); err == nil {
			return res.markdown
		}
	}
	fmt.Fprintf(c.Stdout, "htgit: could not compare with Hightouch: %v\n", err)
	return p.Markdown() + "\n(Could not compare with Hightouch: " + err.Error() + ")\n"
}

// planError makes Git problems the user can fix (a missing commit, a new
// branch) usage errors, so they exit 2 with the advice Git's errors carry.
func planError(err error) error {
	var missing *gitdiff.MissingCommitError
	if errors.As(err, &missing) || errors.Is(err, gitdiff.ErrNewBranch) || errors.Is(err, gitdiff.ErrNotRepo) || errors.Is(err, plan.ErrFullResyncMode) {
		return &usageError{msg: err.Error()}
	}
	return err
}

// mergeFindings adds the change findings (deletions, renames) to the
// validation findings.
func mergeFindings(base, extra []finding.Finding) []finding.Finding {
	out := slices.Concat(base, extra)
	finding.Sort(out)
	return out
}

// changedIn answers the annotation question "is this path (relative to
// base) changed?": a file in the change, or a folder holding one, as a
// sync's broken model reference relates to the whole models/ folder.
func changedIn(files []string, repoDir, base string) func(string) bool {
	set := make([]string, 0, len(files))
	for _, f := range files {
		rel, err := filepath.Rel(base, filepath.Join(repoDir, filepath.FromSlash(f)))
		if err == nil {
			set = append(set, filepath.ToSlash(rel))
		}
	}
	return func(p string) bool {
		for _, f := range set {
			if f == p || strings.HasPrefix(f, p+"/") {
				return true
			}
		}
		return false
	}
}

// summarize writes the job summary: counts, deleted resources, every
// finding, and the plan or deploy.
func (c *Command) summarize(r *action.Runner, in report.Input, ev *action.Event, p *plan.Plan, after []report.Section) error {
	var before []report.Section
	if p != nil && len(p.Deleted) > 0 {
		var b strings.Builder
		b.WriteString("Hightouch does not delete what a deleted file described, and a deleted sync keeps running on its schedule. To retire a sync: set `schedulePaused: true`, merge, then delete it in Hightouch.\n\n")
		for _, d := range p.Deleted {
			how := "deleted"
			if d.Change == gitdiff.Renamed {
				how = "renamed away"
			}
			fmt.Fprintf(&b, "- %s `%s` (%s, %s)\n", d.Kind, d.Slug, d.Path, how)
		}
		before = append(before, report.Section{Heading: "Deleted resources", Body: b.String()})
	}
	var md strings.Builder
	err := report.Markdown(&md, in, report.MarkdownOptions{Title: "htgit", LinkBase: ev.BlobURL(), Gone: missingUnder(in.BaseDir), Before: before, After: after})
	if err != nil {
		return err
	}
	return r.AddSummary(md.String())
}
