package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/htgit/htgit/internal/action"
	"github.com/htgit/htgit/internal/cihost"
	"github.com/htgit/htgit/internal/deploy"
	"github.com/htgit/htgit/internal/engine"
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/report"
)

// action runs htgit as the GitHub Action: inputs from INPUT_*, the event from
// GITHUB_EVENT_PATH, annotations and log on stdout, outputs and the job
// summary through the runner's files. Whatever makes it fail is also an
// error annotation and a job summary section saying what to do.
func (c *Command) action(ctx context.Context, args []string) error {
	fs := c.flagSet("action", "", "Runs htgit as the GitHub Action (action.yml): reads the inputs from INPUT_*\nand the event from GITHUB_EVENT_PATH, writes annotations, step outputs and\nthe job summary. It takes no flags or arguments.")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	a := &actionRun{c: c, r: action.New(c.Stdout, c.Getenv)}
	err := a.run(ctx)
	return cmp.Or(a.finish(err), err)
}

// actionRun is one run of the Action; run fills it step by step and
// finish writes the summary from what it got to.
type actionRun struct {
	c       *Command
	r       *action.Runner
	e       *engine.Engine
	ev      *action.Event
	command string // validate, plan or deploy
	tracked string // the branch Git Sync follows
	l       *engine.Loaded
	p       *plan.Plan
	rin     *report.Input             // the findings, once validated
	changed func(relPath string) bool // files the pull request changes; nil: all
	before  []report.Section
	after   []report.Section
	// findingsFailed: the step fails on validation errors, which are
	// annotated and summarised already.
	findingsFailed bool
	// summarized: the command wrote its own job summary (drift).
	summarized bool
}

func (a *actionRun) run(ctx context.Context) error {
	if err := a.read(); err != nil {
		return err
	}
	if a.command == "drift" {
		err := a.c.actionDrift(ctx, a.r, a.e)
		var ee *exitError
		// Drift's report is the job summary; only another failure adds to it.
		a.summarized = err == nil || errors.As(err, &ee) && ee.code == ExitFindings
		return err
	}
	planned := a.ev.IsPullRequest() || a.command != "validate"
	if planned {
		// Known before the check, so policies' `change` and the dbt check
		// see what the pull request or push changes.
		a.e.Opts.From, a.e.Opts.FromIsBase = a.from(), a.ev.IsPullRequest()
	}
	var err error
	if a.l, err = a.e.Load(ctx, nil); err != nil {
		return err
	}
	if planned {
		if a.p, err = a.plan(ctx); err != nil {
			return err
		}
	}
	counts, err := a.report(a.e.Opts.Root)
	if err != nil {
		return err
	}
	var deployErr error
	switch {
	case a.command == "deploy" && counts.Errors == 0:
		deployErr = a.deploy(ctx)
	case a.p != nil && a.command != "deploy":
		a.after = append(a.after, report.Section{Heading: "What " + strings.ToLower(a.c.subject()) + " does", Body: a.preview(ctx)})
	}
	if err := a.setOutputs(counts); err != nil {
		return err
	}
	if counts.Errors > 0 {
		// Each error is annotated already, and the summary lists them.
		a.findingsFailed = true
		msg := ""
		if a.command == "deploy" {
			msg = fmt.Sprintf("validation found %d error(s); nothing was deployed to Hightouch", counts.Errors)
		}
		return &exitError{code: ExitFindings, msg: msg}
	}
	return deployErr
}

// read reads the inputs (masking the key first) and the event, and
// decides what to run.
func (a *actionRun) read() error {
	opts, err := a.r.Options()
	if err != nil {
		return &engine.UsageError{Msg: err.Error()}
	}
	if a.ev, err = a.r.Event(); err != nil {
		return &engine.UsageError{Msg: err.Error()}
	}
	c := a.c
	a.e = &engine.Engine{Opts: *opts, Getenv: c.Getenv, Dir: c.Dir, Log: c.Stdout, Notes: c.Stderr, Version: Version()}
	o := &a.e.Opts
	o.Root = cmp.Or(a.r.Workspace(), c.Dir)
	if o.Config != "" && !filepath.IsAbs(o.Config) {
		o.Config = filepath.Join(o.Root, o.Config) // as the workflow names it: from the repository
	}
	a.tracked = cmp.Or(o.Branch, a.ev.DefaultBranch)
	workspaces, err := a.e.Workspaces()
	if err != nil {
		return err
	}
	if a.ev.Name == "push" && len(workspaces) > 0 {
		// Declared workspaces: the pushed branch decides which one is deployed.
		a.tracked = a.ev.Branch()
	}
	a.command = o.Command
	if a.command == "auto" {
		a.command = "validate"
		if a.ev.Name == "push" && a.tracked != "" && a.ev.Branch() == a.tracked {
			if _, tracked := a.e.Cfg().Tracking(a.tracked); tracked || len(workspaces) == 0 {
				a.command = "deploy"
			}
		}
	}
	switch a.command {
	case "validate", "plan", "deploy", "drift":
	default:
		return usagef("input command: %q is not auto, validate, plan, deploy or drift", o.Command)
	}
	return a.chooseWorkspace(len(workspaces) > 0)
}

// chooseWorkspace picks, among declared workspaces, the one the run talks
// to: the input workspace; a pull request's base branch's (its plan is what
// that workspace will get: a promotion from staging into main shows
// production's); a deploy's pushed branch's. Keys never cross: the others'
// are not read.
func (a *actionRun) chooseWorkspace(declared bool) error {
	switch {
	case !declared || a.command == "drift":
		return nil // drift goes through each workspace itself
	case a.ev.IsPullRequest():
		return a.e.ForChangeRequest(a.ev.BaseRef)
	case a.e.Opts.Workspace != "":
		return a.e.UseNamed(a.e.Opts.Workspace)
	case a.command == "deploy":
		return a.e.ForBranch(a.ev.Branch())
	}
	if w, ok := a.e.Cfg().Tracking(a.ev.Branch()); ok {
		a.e.Use(w)
	}
	return nil
}

// plan works out what the pull request or push changes, from the commit
// run put in the options (o.From) before loading.
func (a *actionRun) plan(ctx context.Context) (*plan.Plan, error) {
	o := &a.e.Opts
	if !o.All && o.From == "" {
		return nil, usagef("the %s event has no previous commit to compare with; %s to treat every sync as changed (a deploy then triggers every sync)", a.ev.Name, o.Origin.Pass("all", ""))
	}
	if !o.All && gitdiff.IsZero(o.From) {
		return nil, usagef("this push created the branch, so there is no previous commit to compare with; %s to treat every sync as changed (a deploy then triggers every sync)", o.Origin.Pass("all", ""))
	}
	if err := errors.Join(a.e.CheckChange(), a.e.CheckDeploy()); err != nil {
		return nil, err
	}
	mergeBase := ""
	if a.ev.IsPullRequest() {
		// The checkout is the PR's merge commit (or its head): diff from
		// the merge base with the base branch to HEAD, the files validated.
		mergeBase = o.From
	}
	p, err := a.e.Plan(ctx, a.l, mergeBase)
	if err == nil && a.ev.IsPullRequest() {
		a.l.AddChange(p)
	}
	return p, err
}

// from is the commit before the change: a pull request's base, a push's
// before.
func (a *actionRun) from() string {
	if a.ev.IsPullRequest() {
		return a.ev.BaseSHA
	}
	return a.ev.Before
}

// report writes the findings as annotations (and SARIF) and keeps them for
// the summary.
func (a *actionRun) report(root string) (finding.Counts, error) {
	rin := a.c.reportInput(a.l)
	rin.BaseDir = root
	a.rin = &rin

	opt := renderOptions{github: report.GitHubOptions{AnnotateAll: a.e.Opts.Annotate == "all"}}
	if a.p != nil && a.ev.IsPullRequest() && !a.p.All {
		// With all: true Git was not asked, so every file counts as
		// changed (a nil Changed); an empty list would annotate nothing.
		a.changed = changedIn(slices.Concat(a.p.Files, a.l.ChangedFiles()), a.l.WS.Root, root)
		opt.github.Changed = a.changed
	}
	outs := []output{{format: "github"}}
	if sarif := a.e.Opts.SARIFFile; sarif != "" {
		// Relative to the workspace, as upload-sarif reads it.
		path := sarif
		if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		outs = append(outs, output{format: "sarif", path: path})
	}
	if a.p != nil {
		a.before = deletedSection(a.p)
	}
	return finding.Count(rin.Findings), a.c.render(outs, rin, opt)
}

// preview is the plan for the summary: from Git alone, or with what
// Hightouch would create or update when the Action has an API key. On a
// pull request it is also the plan comment.
func (a *actionRun) preview(ctx context.Context) string {
	md := previewOrPlan(ctx, a.c, a.e, a.l, a.p, a.c.subject())
	if a.ev.IsPullRequest() && a.e.Opts.Comment {
		a.comment(ctx, md)
	}
	return md
}

// comment keeps the plan comment on the pull request with the input
// github-token.
func (a *actionRun) comment(ctx context.Context, preview string) {
	a.c.keepComment(ctx, cihost.GitHub(a.c.Getenv, a.ev), a.e.Opts.GitHubToken, *a.rin, a.changed, a.p, preview)
}

// deploy runs the deploy step and sets its outputs.
func (a *actionRun) deploy(ctx context.Context) error {
	if a.tracked == "" {
		return usagef("deploy needs the tracked branch: set the input `branch` (the event does not name the repository's default branch)")
	}
	t := engine.Target{Event: a.ev.Name, Ref: a.ev.Ref, Tracked: a.tracked}
	if err := t.Refuse(); err != nil {
		return err
	}
	if err := a.e.NeedKey("deploy"); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, a.e.Opts.Timeout)
	defer cancel()
	outcome, err := a.e.Deploy(ctx, a.l, a.p)
	if outcome != nil {
		a.after = append(a.after, report.Section{Heading: "Deploy", Body: outcome.Markdown()})
		if oerr := setDeployOutputs(a.r, outcome); oerr != nil {
			return cmp.Or(err, oerr)
		}
	}
	return err
}

func (a *actionRun) setOutputs(counts finding.Counts) error {
	outputs := [][2]string{
		{"errors", strconv.Itoa(counts.Errors)},
		{"warnings", strconv.Itoa(counts.Warnings)},
		{"files", strconv.Itoa(a.l.Result.Files)},
	}
	if sarif := a.e.Opts.SARIFFile; sarif != "" {
		outputs = append(outputs, [2]string{"sarif-file", sarif})
	}
	for _, o := range outputs {
		if err := a.r.SetOutput(o[0], o[1]); err != nil {
			return err
		}
	}
	return nil
}

// finish writes the job summary; when err fails the step, also an error
// annotation and a summary section saying what failed and what to do.
func (a *actionRun) finish(err error) error {
	if a.summarized {
		return nil
	}
	code := exitCode(err)
	opt := report.MarkdownOptions{Title: "htgit", Before: a.before, After: a.after}
	if a.ev != nil {
		opt.LinkBase = a.ev.BlobURL()
	}
	if code != ExitClean && !a.findingsFailed {
		a.r.Fail(err.Error())
		opt.Failure = &report.Section{Heading: fmt.Sprintf("htgit failed (exit %d)", code), Body: "> " + report.OneLine(err.Error()) + "\n\n**What to do:** " + todo[code] + "\n"}
	}
	in := report.Input{Version: Version()}
	if a.rin != nil {
		in = *a.rin
		opt.Gone = missingUnder(in.BaseDir)
	} else {
		opt.NotValidated = true
	}
	var md strings.Builder
	if err := report.Markdown(&md, in, opt); err != nil {
		return err
	}
	return a.r.AddSummary(md.String())
}

// todo is the advice in the summary of a failed Action, by exit code.
var todo = map[int]string{
	ExitFindings: "fix the findings listed here (each names the file, line and rule) or, for a failed deploy, open the failed runs in Hightouch to see why; then push again or re-run the job.",
	ExitUsage:    "correct the workflow's inputs, the event or the repository as the message says, then re-run the job.",
	ExitInternal: "this is a bug or a failure of the runner's environment: re-run the job, and if it fails again report it at https://github.com/htgit/htgit/issues with this log.",
	ExitUnavailable: "Hightouch could not be reached or answered wrongly: check https://status.hightouch.com and the `api-url` input, then re-run the job. " +
		"Runs already triggered go on in Hightouch.",
}

// deletedSection tells, before the findings, what a deleted file leaves
// behind in Hightouch.
func deletedSection(p *plan.Plan) []report.Section {
	if len(p.Deleted) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("Hightouch does not delete what a deleted file described, and a deleted sync keeps running on its schedule. To retire a sync: set `schedulePaused: true`, merge, then delete it in Hightouch.\n\n")
	for _, d := range p.Deleted {
		how := "deleted"
		if d.Change == gitdiff.Renamed {
			how = "renamed away"
		}
		fmt.Fprintf(&b, "- %s `%s` (%s, %s)\n", d.Kind, d.Slug, d.Path, how)
	}
	return []report.Section{{Heading: "Deleted resources", Body: b.String()}}
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

// triggeredRun is one entry of the Action's `triggered` output.
type triggeredRun struct {
	SyncSlug string `json:"syncSlug"`
	SyncID   string `json:"syncId"`
	RunID    string `json:"runId"`
	Status   string `json:"status"`
}

func setDeployOutputs(r *action.Runner, o *deploy.Outcome) error {
	list := make([]triggeredRun, 0, len(o.Runs))
	for _, run := range o.Runs {
		list = append(list, triggeredRun{SyncSlug: run.Sync, SyncID: string(run.SyncID), RunID: string(run.RunID), Status: run.State()})
	}
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	if err := r.SetOutput("triggered", string(b)); err != nil {
		return err
	}
	if err := r.SetOutput("failed", strconv.Itoa(o.Failed())); err != nil {
		return err
	}
	return setPausedOutput(r, o)
}
