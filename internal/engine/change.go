package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/htgit/htgit/internal/config"
	"github.com/htgit/htgit/internal/deploy"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/workspace"
)

// CheckChange refuses options plan and deploy cannot work with, naming
// them as the user gave them.
func (e *Engine) CheckChange() error {
	o, n := e.Opts, e.Opts.Origin
	if !slices.Contains([]string{plan.ResyncNever, plan.ResyncAlways, plan.ResyncAuto}, o.FullResync) {
		return Usagef("%s %q: use never, always or auto", n.Name("full-resync"), o.FullResync)
	}
	if o.OnDelete != deploy.OnDeleteWarn && o.OnDelete != deploy.OnDeletePause {
		return Usagef("%s %q: use warn or pause", n.Name("on-delete"), o.OnDelete)
	}
	if o.Timeout <= 0 {
		return Usagef("%s and %s must be positive durations such as 30m or 90s", n.Name("timeout"), n.Name("ingest-timeout"))
	}
	return nil
}

// CheckDeploy refuses deploy's own options that deploy cannot work with.
func (e *Engine) CheckDeploy() error {
	o, n := e.Opts, e.Opts.Origin
	if !slices.Contains([]string{deploy.IngestWait, deploy.IngestApply, deploy.IngestNone}, o.Ingest) {
		return Usagef("%s %q: use wait, apply or none", n.Name("ingest"), o.Ingest)
	}
	if o.Trigger != "changed" && o.Trigger != "none" {
		return Usagef("%s %q: use changed or none", n.Name("trigger"), o.Trigger)
	}
	if o.IngestTimeout <= 0 {
		return Usagef("%s and %s must be positive durations such as 30m or 90s", n.Name("timeout"), n.Name("ingest-timeout"))
	}
	return nil
}

// Plan fetches the commit before the change if the clone lacks it and
// plans the change from Opts.From to Opts.To. mergeBase, when set, is a
// change request's base: the change is what the request adds to it. The
// plan's findings (deletions, renames) join l's.
func (e *Engine) Plan(ctx context.Context, l *Loaded, mergeBase string) (*plan.Plan, error) {
	o := e.Opts
	opts := plan.Options{RepoDir: l.WS.Root, From: o.From, To: cmp.Or(o.To, "HEAD"), All: o.All, FullResync: o.FullResync,
		IncludePaused: o.IncludePaused, PausedAdvice: o.Origin.Pass("include-paused", "") + " to run it"}
	if o.All {
		opts.From = ""
	}
	if mergeBase != "" {
		opts.From, opts.MergeBase = mergeBase, true
	}
	if !o.All && !gitdiff.IsZero(opts.From) { // a zero from is a new branch: plan.Build says so
		if err := gitdiff.EnsureCommit(ctx, l.WS.Root, opts.From); err != nil {
			return nil, e.noBase(err)
		}
	}
	p, err := plan.Build(ctx, l.WS, opts)
	if err != nil {
		return nil, e.noBase(err)
	}
	if !o.All && mergeBase == "" {
		if err := checkTo(ctx, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// noBase adds the way around a commit to compare with that Git cannot give,
// and says what it costs: with --all, deploy triggers every sync.
func (e *Engine) noBase(err error) error {
	var missing *gitdiff.MissingCommitError
	if !errors.As(err, &missing) && !errors.Is(err, gitdiff.ErrNewBranch) {
		return err
	}
	return Usagef("%v; or %s to treat every sync as changed, without Git: a deploy then triggers every sync", err, e.Opts.Origin.Pass("all", ""))
}

// checkTo refuses a --to whose Git Sync files differ from the checked-out
// commit's: the plan's syncs and the deploy's contents are read from the
// working tree, so they would not be --to's.
func checkTo(ctx context.Context, p *plan.Plan) error {
	if p.To == "HEAD" {
		return nil
	}
	diff, err := gitdiff.Changes(ctx, p.Dir, p.To, "HEAD", gitdiff.Options{Prefix: p.Prefix})
	if err != nil {
		return err
	}
	if n := len(diff.Changes); n > 0 {
		return Usagef("--to %s is not what is checked out: %d Git Sync file(s) differ from HEAD (%s, ...); htgit reads models and syncs from the working tree, so check out %s first (or leave --to at HEAD)",
			p.To, n, diff.Changes[0].Path, p.To)
	}
	return nil
}

// Preview is what plan shows: the markdown for a summary and, with a key,
// what Hightouch would create or update.
type Preview struct {
	Markdown  string
	Hightouch []deploy.ResourceResult // nil without a key
}

// Preview prints the plan to the log and returns it; with a key it first
// settles with Hightouch which syncs are new (full resyncs) and what it
// would create or update. subject is who triggers the plan's syncs
// ("Merging", "This push").
func (e *Engine) Preview(ctx context.Context, l *Loaded, p *plan.Plan, subject string) (*Preview, error) {
	log, key := e.Log, e.APIKey()
	if key == "" {
		p.WriteText(log)
		md := p.Markdown(subject)
		if e.Opts.OnDelete == deploy.OnDeletePause {
			retire := deploy.Retirements(p, HasFile(l.WS))
			deploy.WriteRetirements(log, "On delete (pause), if Hightouch has them:", retire)
			md += "\n" + deploy.RetirementsMarkdown(retire)
		}
		fmt.Fprintf(log, "(%s to also see what Hightouch would create or update)\n", e.keyAdvice())
		return &Preview{Markdown: md}, nil
	}
	client, err := e.Client(key)
	if err != nil {
		return nil, err
	}
	preview, retire, err := deploy.Preview(ctx, deploy.Options{RepoDir: l.WS.Root, Plan: p, Client: client, Log: log,
		OnDelete: e.Opts.OnDelete, Exists: HasFile(l.WS)})
	p.WriteText(log)
	if err != nil {
		return nil, e.Stopped(ctx, err, nil)
	}
	deploy.WriteRetirements(log, "On delete (pause):", retire)
	fmt.Fprintln(log, "In Hightouch:")
	for _, r := range preview {
		fmt.Fprintf(log, "  %-5s %s: %s\n", r.Resource.Kind, r.Resource.Slug, r.Result)
		deploy.WriteChanges(log, "      ", r.Changes)
	}
	var b strings.Builder
	deploy.WriteResourcesMarkdown(&b, preview)
	return &Preview{Markdown: b.String() + p.Markdown(subject) + "\n" + deploy.RetirementsMarkdown(retire), Hightouch: preview}, nil
}

// Client is a Hightouch client with key, as the options say to reach it.
func (e *Engine) Client(key string) (*hightouch.Client, error) {
	cfg := hightouch.Config{BaseURL: e.apiURL(), APIKey: key, Version: e.Version}
	if e.Notes != nil {
		var mu sync.Mutex // listings retry side by side
		cfg.Notify = func(line string) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(e.Notes, "htgit: "+line)
		}
	}
	if e.Opts.Debug {
		cfg.Logger = slog.New(slog.NewTextHandler(e.Notes, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	client, err := hightouch.New(cfg)
	if err != nil {
		return nil, &UsageError{Msg: err.Error()}
	}
	return client, nil
}

// apiURL is --api-url, else HIGHTOUCH_API_URL, else Hightouch's.
func (e *Engine) apiURL() string {
	return cmp.Or(e.Opts.APIURL, e.Getenv("HIGHTOUCH_API_URL"), hightouch.DefaultBaseURL)
}

// Stopped explains why a run stopped: the command's own timeout or a
// cancellation (a Failure, as for a run that did not finish; what was
// triggered is in the outcome), or anything else as it is.
func (e *Engine) Stopped(ctx context.Context, err error, o *deploy.Outcome) error {
	triggered := "nothing was triggered"
	if o != nil && len(o.Runs) > 0 {
		triggered = "runs already triggered go on in Hightouch"
	}
	return e.stopped(ctx, "the deploy", err, "; "+triggered)
}

// stopped is a Failure when ctx ended by the command's timeout or a
// cancellation, saying what stopped and after what; otherwise err.
func (e *Engine) stopped(ctx context.Context, what string, err error, after string) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &Failure{Msg: fmt.Sprintf("%s did not finish within %s %s (stopped at: %v)%s", what, e.Opts.Origin.Name("timeout"), e.Opts.Timeout, err, after)}
	case errors.Is(ctx.Err(), context.Canceled):
		return &Failure{Msg: fmt.Sprintf("cancelled (stopped at: %v)%s", err, after)}
	}
	return err
}

// Target is where a deploy was asked to run.
type Target struct {
	Event   string // GITHUB_EVENT_NAME, or the host's kind of pipeline
	Ref     string // refs/heads/BRANCH, or a description of what is checked out
	Tracked string // the branch Git Sync follows; "" = not checked
}

// Refuse is the one guard on where a deploy may run: never for a change
// request, only on the tracked branch.
func (t Target) Refuse() error {
	if strings.HasPrefix(t.Event, "pull_request") {
		return Usagef("deploy refuses to run for a %s event: it changes Hightouch, which must follow the tracked branch, not a pull request; run plan to preview", t.Event)
	}
	if t.Tracked != "" && t.Ref != "refs/heads/"+t.Tracked {
		return Usagef("deploy refuses to run on %s: Hightouch Git Sync tracks %q", cmp.Or(t.Ref, "an unknown ref"), t.Tracked)
	}
	return nil
}

// CommandLineTarget is where `htgit deploy` runs: GitHub's event when it
// runs in a workflow step, else the branch checked out. With declared
// workspaces the run then talks to the one tracking that branch.
func (e *Engine) CommandLineTarget(ctx context.Context) (Target, error) {
	t, err := e.commandLineTarget(ctx)
	if err != nil {
		return t, err
	}
	return e.ForTarget(t)
}

// ForTarget makes a deploy to t talk, among declared workspaces, to the one
// tracking t's branch, which becomes t's tracked branch. A change
// request's target is left for Refuse.
func (e *Engine) ForTarget(t Target) (Target, error) {
	if strings.HasPrefix(t.Event, "pull_request") {
		return t, nil
	}
	if ws, err := e.Workspaces(); err != nil || len(ws) == 0 {
		return t, err
	}
	branch, ok := strings.CutPrefix(t.Ref, "refs/heads/")
	if !ok {
		return t, Usagef("deploy refuses to run on %s: %s declares workspaces, and a deploy goes to the one tracking the branch pushed", t.Ref, config.FileName)
	}
	if err := e.ForBranch(branch); err != nil {
		return t, err
	}
	t.Tracked = e.Opts.Branch
	return t, nil
}

func (e *Engine) commandLineTarget(ctx context.Context) (Target, error) {
	t := Target{Event: e.Getenv("GITHUB_EVENT_NAME"), Ref: e.Getenv("GITHUB_REF"), Tracked: e.Opts.Branch}
	if t.Ref != "" || strings.HasPrefix(t.Event, "pull_request") {
		return t, nil
	}
	if ws, err := e.Workspaces(); err != nil || t.Tracked == "" && len(ws) == 0 {
		return t, err
	}
	root, err := e.root()
	if err != nil {
		return t, err
	}
	branch, err := gitdiff.CurrentBranch(ctx, root)
	if err != nil {
		return t, err
	}
	t.Ref = fmt.Sprintf("branch %q", cmp.Or(branch, "(detached HEAD)"))
	if branch != "" {
		t.Ref = "refs/heads/" + branch
	}
	return t, nil
}

// Deploy deploys the change: prints the plan, gets the change into
// Hightouch, triggers and follows the runs, prints the outcome. A deploy
// stopped by its timeout or a cancellation still reports what it had
// triggered.
func (e *Engine) Deploy(ctx context.Context, l *Loaded, p *plan.Plan) (*deploy.Outcome, error) {
	if err := e.NeedKey("deploy"); err != nil {
		return nil, err
	}
	client, err := e.Client(e.APIKey())
	if err != nil {
		return nil, err
	}
	o := e.Opts
	p.WriteText(e.Log)
	outcome, err := deploy.Run(ctx, deploy.Options{
		RepoDir: l.WS.Root, Plan: p, Client: client, OnDelete: o.OnDelete, Exists: HasFile(l.WS),
		Ingest: o.Ingest, IngestTimeout: o.IngestTimeout,
		Trigger: o.Trigger == "changed", Wait: o.Wait, FailOnWarning: o.FailOnWarning,
		WorkspaceSlug: o.WorkspaceSlug, Log: e.Log,
	})
	if outcome != nil {
		outcome.WriteTable(e.Log)
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // runs were left unfinished
	}
	if err != nil {
		return outcome, e.Stopped(ctx, err, outcome)
	}
	if !outcome.OK() {
		return outcome, &Failure{Msg: "the deploy failed: " + outcome.Why()}
	}
	return outcome, nil
}

// HasFile reports whether ws has a model or sync file of a slug, read or
// not: --on-delete pause never pauses such a slug.
func HasFile(ws *workspace.Workspace) func(workspace.Kind, string) bool {
	have := map[workspace.Kind]map[string]bool{}
	for _, list := range [][]workspace.File{ws.Files, ws.Skipped, ws.Excluded} {
		for _, f := range list {
			if f.Kind.Resource() != workspace.NotDeployed {
				if have[f.Kind] == nil {
					have[f.Kind] = map[string]bool{}
				}
				have[f.Kind][f.Slug] = true
			}
		}
	}
	return func(k workspace.Kind, slug string) bool { return have[k][slug] }
}
