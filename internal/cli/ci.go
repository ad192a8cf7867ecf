package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/htgit/htgit/internal/cihost"
	"github.com/htgit/htgit/internal/comment"
	"github.com/htgit/htgit/internal/engine"
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/report"
)

// ci is the one entry point on every CI host: it reads the host's
// variables (cihost) and, on a change request, validates and plans; on a
// push to the tracked branch, validates and deploys; elsewhere validates.
func (c *Command) ci(ctx context.Context, args []string) error {
	fs := c.flagSet("ci", "", "Runs htgit in a CI pipeline on GitHub Actions, GitLab CI, Bitbucket Pipelines or\nAzure Pipelines, told apart by their variables. On a pull or merge request it\nvalidates and plans: findings on the changed files, the plan in one comment on\nthe request (with the host's token). On a push to the tracked branch it\nvalidates, then deploys. Elsewhere it validates. The API key is read from\nHIGHTOUCH_API_KEY.")
	e := c.engine(fs, engine.Validate|engine.Plan|engine.Deploy|engine.Pipeline)
	var formats stringList
	fs.Var(&formats, "format", formatHelp+"; the host's form stays on standard output unless a FORMAT without PATH replaces it")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	host, err := cihost.Detect(c.Getenv)
	if err != nil {
		return usagef("%v", err)
	}
	outs, err := c.parseFormats(formats)
	if err != nil {
		return err
	}
	if !toStdout(outs) {
		outs = append([]output{{format: host.Format}}, outs...)
	}
	r := &ciRun{c: c, e: e, host: host, outs: outs, tracked: cmp.Or(e.Opts.Branch, host.DefaultBranch)}
	workspaces, err := e.Workspaces()
	if err != nil {
		return err
	}
	deploys := host.Event == cihost.Push && r.tracked != "" && host.Branch == r.tracked
	if len(workspaces) > 0 && host.Event == cihost.Push {
		// Declared workspaces: a push to a branch one of them tracks is
		// deployed to it.
		_, deploys = e.Cfg().Tracking(host.Branch)
	}
	switch {
	case host.Event == cihost.ChangeRequest:
		return r.changeRequest(ctx)
	case deploys:
		return r.push(ctx)
	case host.Event == cihost.Push && r.tracked == "" && len(workspaces) == 0:
		fmt.Fprintf(c.Stdout, "htgit: %s names no default branch, so this push to %q is validated, not deployed: pass --branch BRANCH, the branch Hightouch Git Sync follows\n", host.Title, host.Branch)
	}
	l, err := e.Load(ctx, nil)
	if err != nil {
		return err
	}
	return c.renderFindings(outs, l)
}

func toStdout(outs []output) bool {
	for _, o := range outs {
		if o.path == "" {
			return true
		}
	}
	return false
}

// ciRun is one run of htgit ci.
type ciRun struct {
	c       *Command
	e       *engine.Engine
	host    *cihost.Host
	outs    []output
	tracked string
}

// plan plans the change of l from the host's base (a change request's,
// compared from the merge base; a push's previous commit). --from, when
// given, replaces the host's base.
func (r *ciRun) plan(ctx context.Context, l *engine.Loaded) (*plan.Plan, error) {
	e := r.e
	base := e.Opts.From
	if base == "" && !e.Opts.All {
		var err error
		if base, err = r.host.Base(ctx, l.WS.Root); err != nil {
			return nil, usagef("%v; or pass --all to treat every sync as changed, without Git (a deploy then triggers every sync)", err)
		}
	}
	mergeBase := ""
	if r.host.Event == cihost.ChangeRequest {
		mergeBase = base
	} else {
		e.Opts.From = base
	}
	return e.Plan(ctx, l, mergeBase)
}

// changeRequest validates and plans: findings on the changed files at
// their line, the plan in the log, the summary and the comment. A
// comment that cannot be written never fails the job.
func (r *ciRun) changeRequest(ctx context.Context) error {
	c, e := r.c, r.e
	if err := e.CheckChange(); err != nil {
		return err
	}
	// The plan is previewed against the workspace the request merges into
	// (--workspace names another), when workspaces are declared.
	if err := e.ForChangeRequest(r.host.TargetBranch); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, e.Opts.Timeout)
	defer cancel()
	l, err := e.Load(ctx, nil)
	if err != nil {
		return e.Stopped(ctx, err, nil)
	}
	p, err := r.plan(ctx, l)
	if err != nil {
		return e.Stopped(ctx, err, nil)
	}
	l.AddChange(p)
	in := c.reportInput(l)
	in.BaseDir = l.WS.Root
	opt := renderOptions{repoRoot: l.WS.Root}
	if !p.All {
		opt.github.Changed = changedIn(p.Files, p.Dir, in.BaseDir)
	}
	if err := c.render(r.outs, in, opt); err != nil {
		return err
	}
	preview := previewOrPlan(ctx, c, e, l, p, "Merging")
	r.summary(in, deletedSection(p), report.Section{Heading: "What merging does", Body: preview})
	if e.Opts.Comment {
		c.keepComment(ctx, r.host, c.Getenv(r.host.TokenVar), in, opt.github.Changed, p, preview)
	}
	if finding.Count(in.Findings).Errors > 0 {
		return &exitError{code: ExitFindings}
	}
	return nil
}

// push validates, then deploys as the Action does, from the detached HEAD
// CI checks out.
func (r *ciRun) push(ctx context.Context) error {
	c, e := r.c, r.e
	if err := errors.Join(e.CheckChange(), e.CheckDeploy()); err != nil {
		return err
	}
	t, err := e.ForTarget(engine.Target{Event: "push", Ref: "refs/heads/" + r.host.Branch, Tracked: r.tracked})
	if err != nil {
		return err
	}
	if err := t.Refuse(); err != nil {
		return err
	}
	if err := e.NeedKey("deploy"); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, e.Opts.Timeout)
	defer cancel()
	l, err := e.Load(ctx, nil)
	if err != nil {
		return e.Stopped(ctx, err, nil)
	}
	in := c.reportInput(l)
	in.BaseDir = l.WS.Root
	if err := c.render(r.outs, in, renderOptions{repoRoot: l.WS.Root}); err != nil {
		return err
	}
	if n := finding.Count(in.Findings).Errors; n > 0 {
		return &exitError{code: ExitFindings, msg: fmt.Sprintf("validation found %d error(s); nothing was deployed to Hightouch", n)}
	}
	p, err := r.plan(ctx, l)
	if err != nil {
		return e.Stopped(ctx, err, nil)
	}
	outcome, err := e.Deploy(ctx, l, p)
	if outcome != nil {
		r.summary(in, nil, report.Section{Heading: "Deploy", Body: outcome.Markdown()})
	}
	return err
}

// summary writes the findings and sections where the host keeps a job's
// summary, if it has such a place; a failure is a warning.
func (r *ciRun) summary(in report.Input, before []report.Section, after report.Section) {
	if r.host.Summary == nil {
		return
	}
	var b strings.Builder
	err := report.Markdown(&b, in, report.MarkdownOptions{Title: "htgit", LinkBase: r.host.LinkBase, Gone: missingUnder(in.BaseDir),
		Before: before, After: []report.Section{after}})
	if err == nil {
		err = r.host.Summary(r.c.Stdout, b.String())
	}
	if err != nil {
		r.host.Warn(r.c.Stdout, "could not write the summary: "+err.Error())
	}
}

// previewOrPlan is the plan as markdown: with what Hightouch would create
// or update when there is an API key, else from Git alone (also when
// Hightouch cannot be asked, saying why).
func previewOrPlan(ctx context.Context, c *Command, e *engine.Engine, l *engine.Loaded, p *plan.Plan, subject string) string {
	pv, err := e.Preview(ctx, l, p, subject)
	if err == nil {
		return pv.Markdown
	}
	fmt.Fprintf(c.Stdout, "htgit: could not compare with Hightouch: %v\n", err)
	return p.Markdown(subject) + "\n(Could not compare with Hightouch: " + err.Error() + ")\n"
}

// commentTimeout bounds the comment's API calls: a slow Git host must not
// hold the job.
const commentTimeout = time.Minute

// keepComment keeps htgit's one comment on the change request: the plan
// and the errors in changed files, or, when the change no longer touches
// the Git Sync folder, an edit of an earlier comment saying so. Without a
// token it says how to give one; a failing API is a warning. Neither
// changes the exit code.
func (c *Command) keepComment(ctx context.Context, host *cihost.Host, token string, in report.Input, changed func(string) bool, p *plan.Plan, preview string) {
	client, notice := host.Comments(token)
	if client == nil {
		if notice != "" {
			fmt.Fprintln(c.Stdout, "htgit: "+notice)
		}
		return
	}
	ctx, cancel := context.WithTimeout(ctx, commentTimeout)
	defer cancel()
	body, create := comment.NoChangeBody(cmp.Or(p.Prefix, ".")), false
	if p.All || len(p.Files) > 0 {
		all := finding.Count(in.Findings)
		var errs []finding.Finding
		for _, f := range in.Findings {
			if f.Severity == finding.Error && in.Touched(f, changed) {
				errs = append(errs, f)
			}
		}
		in.Findings = errs
		var err error
		body, err = comment.Body(comment.Report{Input: in, All: all, Plan: p, Preview: preview, Subject: "Merging",
			LinkBase: host.LinkBase, RunURL: host.RunURL})
		if err != nil {
			host.Warn(c.Stdout, "could not write the plan comment: "+err.Error())
			return
		}
		create = true
	}
	outcome, err := comment.Sync(ctx, client, body, create)
	if err != nil {
		host.Warn(c.Stdout, "could not keep the plan comment on the change request (the job goes on): "+err.Error())
		return
	}
	if outcome != comment.None {
		fmt.Fprintf(c.Stdout, "htgit: plan comment %s\n", outcome)
	}
}
