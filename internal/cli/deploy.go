package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/htgit/htgit/internal/action"
	"github.com/htgit/htgit/internal/deploy"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/workspace"
)

// deployFlags are the flags of plan and deploy; each is also an Action input
// of the same name.
type deployFlags struct {
	from, to      string
	all           bool
	ingest        string
	ingestTimeout time.Duration
	trigger       string
	fullResync    string
	includePaused bool
	wait          bool
	failOnWarning bool
	timeout       time.Duration
	workspaceSlug string
	apiURL        string
	branch        string
	debug         bool
	onDelete      string
}

func (d *deployFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&d.from, "from", "", "commit before the change (a push's before)")
	fs.StringVar(&d.to, "to", "HEAD", "commit after the change")
	fs.BoolVar(&d.all, "all", false, "treat every sync as changed (no --from needed)")
	fs.StringVar(&d.ingest, "ingest", deploy.IngestWait, "how the change reaches Hightouch: wait (Git Sync ingests it), apply (write it through the API) or none")
	fs.DurationVar(&d.ingestTimeout, "ingest-timeout", 5*time.Minute, "how long to wait for Git Sync to ingest the change")
	fs.StringVar(&d.trigger, "trigger", "changed", "which syncs to run: changed or none")
	fs.StringVar(&d.fullResync, "full-resync", plan.ResyncAuto, "full resync: never, always or auto (new syncs and changed primary keys)")
	fs.BoolVar(&d.includePaused, "include-paused", false, "also trigger syncs with schedulePaused: true")
	fs.BoolVar(&d.wait, "wait", false, "wait for the runs to finish (on in the Action)")
	fs.BoolVar(&d.failOnWarning, "fail-on-warning", false, "count runs that end with warning as failed")
	fs.DurationVar(&d.timeout, "timeout", 30*time.Minute, "bound on the whole deploy")
	fs.StringVar(&d.workspaceSlug, "workspace-slug", "", "Hightouch workspace slug, for links to run pages")
	fs.StringVar(&d.apiURL, "api-url", cmp.Or(getenv("HIGHTOUCH_API_URL"), hightouch.DefaultBaseURL), "Hightouch API base URL (env HIGHTOUCH_API_URL)")
	fs.StringVar(&d.branch, "branch", "", "the tracked branch; deploy refuses to run on another")
	fs.BoolVar(&d.debug, "debug", false, "log every API request (method, path, status, timing; never the key)")
	fs.StringVar(&d.onDelete, "on-delete", deploy.OnDeleteWarn, "syncs whose files the change deleted or renamed away: warn (Hightouch keeps running them) or pause them after a successful deploy")
}

func (d *deployFlags) check() error {
	if !slices.Contains([]string{deploy.IngestWait, deploy.IngestApply, deploy.IngestNone}, d.ingest) {
		return usagef("--ingest %q: use wait, apply or none", d.ingest)
	}
	if d.trigger != "changed" && d.trigger != "none" {
		return usagef("--trigger %q: use changed or none", d.trigger)
	}
	if !slices.Contains([]string{plan.ResyncNever, plan.ResyncAlways, plan.ResyncAuto}, d.fullResync) {
		return usagef("--full-resync %q: use never, always or auto", d.fullResync)
	}
	if d.onDelete != deploy.OnDeleteWarn && d.onDelete != deploy.OnDeletePause {
		return usagef("--on-delete %q: use warn or pause", d.onDelete)
	}
	if !d.all && d.from == "" {
		return usagef("--from is required (the commit before the change), or --all to treat every sync as changed")
	}
	if d.timeout <= 0 || d.ingestTimeout <= 0 {
		return usagef("--timeout and --ingest-timeout must be positive durations such as 30m or 90s")
	}
	return nil
}

// deploy runs `htgit plan` (apply=false) or `htgit deploy`.
func (c *Command) deploy(ctx context.Context, args []string, apply bool) error {
	name := map[bool]string{false: "plan", true: "deploy"}[apply]
	fs := flag.NewFlagSet("htgit "+name, flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	var w workspaceFlags
	w.register(fs)
	var d deployFlags
	d.register(fs, c.Getenv)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: htgit %s --from REV [--to REV] [flags]\n\n", name)
		if apply {
			fmt.Fprintln(fs.Output(), "Validates, gets the change into Hightouch and triggers the syncs it touched.\nThe API key is read from HIGHTOUCH_API_KEY.\n\nFlags:")
		} else {
			fmt.Fprintln(fs.Output(), "Shows what a deploy of the change would do. Works from Git alone; with\nHIGHTOUCH_API_KEY set it also says what Hightouch would create or update.\n\nFlags:")
		}
		fs.PrintDefaults()
	}
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("htgit %s takes no file arguments (got %q)", name, rest[0])
	}
	if err := w.check(); err != nil {
		return err
	}
	if err := d.check(); err != nil {
		return err
	}
	key := strings.TrimSpace(c.Getenv("HIGHTOUCH_API_KEY"))
	if apply {
		if err := c.guard(ctx, w, d.branch); err != nil {
			return err
		}
		if key == "" {
			return usagef("deploy needs the Hightouch API key in the environment variable HIGHTOUCH_API_KEY (never as a flag: it would land in shell history)")
		}
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	l, err := c.load(ctx, w, nil)
	if err != nil {
		return err
	}
	invalid := l.result.Counts().Errors > 0
	if invalid {
		outs, _ := c.parseFormats(nil)
		if err := c.render(outs, c.reportInput(l), renderOptions{repoRoot: l.ws.Root}); err != nil {
			return err
		}
		if apply {
			fmt.Fprintln(c.Stderr, "htgit: validation found errors; nothing was sent to Hightouch")
			return &exitError{code: ExitFindings}
		}
		// plan goes on: what merging would do is worth seeing while fixing.
		fmt.Fprintln(c.Stderr, "htgit: validation found errors; a deploy would refuse to run until they are fixed")
	}
	if !d.all && !gitdiff.IsZero(d.from) { // a zero from is a new branch: plan.Build says so
		if err := gitdiff.EnsureCommit(ctx, l.ws.Root, d.from); err != nil {
			return planError(err)
		}
	}
	p, err := plan.Build(ctx, l.ws, plan.Options{RepoDir: l.ws.Root, From: d.from, To: d.to, All: d.all,
		FullResync: d.fullResync, IncludePaused: d.includePaused})
	if err != nil {
		return planError(err)
	}
	if !d.all {
		if err := checkTo(ctx, p); err != nil {
			return err
		}
	}
	res, err := c.runDeploy(ctx, l.ws, p, d, key, apply, c.Stdout)
	if err != nil {
		return err
	}
	if invalid {
		return &exitError{code: ExitFindings}
	}
	return res.exit
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
		return planError(err)
	}
	if n := len(diff.Changes); n > 0 {
		return usagef("--to %s is not what is checked out: %d Git Sync file(s) differ from HEAD (%s, ...); htgit reads models and syncs from the working tree, so check out %s first (or leave --to at HEAD)",
			p.To, n, diff.Changes[0].Path, p.To)
	}
	return nil
}

// guard refuses a deploy where it must not run: on a pull request, or on a
// branch other than the tracked one.
func (c *Command) guard(ctx context.Context, w workspaceFlags, tracked string) error {
	if ev := c.Getenv("GITHUB_EVENT_NAME"); strings.HasPrefix(ev, "pull_request") {
		return usagef("deploy refuses to run for a %s event: it changes Hightouch, which must follow the tracked branch, not a pull request; use htgit plan to preview", ev)
	}
	if tracked == "" {
		return nil
	}
	if ref := c.Getenv("GITHUB_REF"); ref != "" {
		if ref != "refs/heads/"+tracked {
			return usagef("deploy refuses to run on %s: Hightouch Git Sync tracks %s", ref, tracked)
		}
		return nil
	}
	root, err := workspaceRoot(c, w)
	if err != nil {
		return err
	}
	branch, err := gitdiff.CurrentBranch(ctx, root)
	if err != nil {
		return planError(err)
	}
	if branch != tracked {
		return usagef("deploy refuses to run on branch %q: Hightouch Git Sync tracks %s", cmp.Or(branch, "(detached HEAD)"), tracked)
	}
	return nil
}

func workspaceRoot(c *Command, w workspaceFlags) (string, error) {
	if w.root != "" {
		return c.abs(w.root), nil
	}
	return workspace.FindRoot(c.Dir)
}

// deployResult is what runDeploy did, for the Action's outputs and summary.
type deployResult struct {
	markdown string
	outcome  *deploy.Outcome
	exit     error
}

// runDeploy prints the plan, then previews (plan with a key) or deploys.
func (c *Command) runDeploy(ctx context.Context, ws *workspace.Workspace, p *plan.Plan, d deployFlags, key string, apply bool, log io.Writer) (*deployResult, error) {
	res := &deployResult{markdown: p.Markdown()}
	exists := hasFile(ws)
	if key == "" {
		p.WriteText(log)
		if d.onDelete == deploy.OnDeletePause {
			retire := deploy.Retirements(p, exists)
			deploy.WriteRetirements(log, "On delete (pause), if Hightouch has them:", retire)
			res.markdown += "\n" + deploy.RetirementsMarkdown(retire)
		}
		fmt.Fprintln(log, "(set HIGHTOUCH_API_KEY to also see what Hightouch would create or update)")
		return res, nil
	}
	client, err := c.client(d, key)
	if err != nil {
		return nil, err
	}
	opts := deploy.Options{
		RepoDir: ws.Root, Plan: p, Client: client, OnDelete: d.onDelete, Exists: exists, Ingest: d.ingest, IngestTimeout: d.ingestTimeout,
		Trigger: d.trigger == "changed", Wait: d.wait, FailOnWarning: d.failOnWarning,
		WorkspaceSlug: d.workspaceSlug, Log: log,
	}
	if !apply {
		// Preview settles with Hightouch which syncs are new (full
		// resyncs): print the plan after it.
		preview, retire, err := deploy.Preview(ctx, opts)
		p.WriteText(log)
		if err != nil {
			return nil, c.deployError(ctx, err, d)
		}
		deploy.WriteRetirements(log, "On delete (pause):", retire)
		fmt.Fprintln(log, "In Hightouch:")
		for _, r := range preview {
			fmt.Fprintf(log, "  %-5s %s: %s\n", r.Resource.Kind, r.Resource.Slug, r.Result)
			deploy.WriteChanges(log, "      ", r.Changes)
		}
		var b strings.Builder
		deploy.WriteResourcesMarkdown(&b, preview)
		res.markdown = b.String() + p.Markdown() + "\n" + deploy.RetirementsMarkdown(retire)
		return res, nil
	}
	p.WriteText(log)
	outcome, err := deploy.Run(ctx, opts)
	if err != nil {
		return nil, c.deployError(ctx, err, d)
	}
	outcome.WriteTable(log)
	res.outcome = outcome
	res.markdown = outcome.Markdown()
	if !outcome.OK() {
		res.exit = &exitError{code: ExitFindings}
	}
	return res, nil
}

func (c *Command) client(d deployFlags, key string) (*hightouch.Client, error) {
	cfg := hightouch.Config{BaseURL: d.apiURL, APIKey: key, Version: Version()}
	if d.debug {
		cfg.Logger = slog.New(slog.NewTextHandler(c.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	client, err := hightouch.New(cfg)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	return client, nil
}

// deployError explains why talking to Hightouch stopped: the deploy's own
// --timeout (exit 1, as for a run that did not finish), a rejected key
// (exit 2), or anything else (exit 3).
func (c *Command) deployError(ctx context.Context, err error, d deployFlags) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		fmt.Fprintf(c.Stderr, "htgit: the deploy did not finish within --timeout %s (stopped at: %v); runs already triggered go on in Hightouch\n", d.timeout, err)
		return &exitError{code: ExitFindings}
	}
	return apiError(err)
}

// apiError makes a wrong key or URL a usage error (exit 2): the user fixes
// it, not htgit.
func apiError(err error) error {
	var he *hightouch.Error
	if errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden) {
		return &usageError{msg: err.Error()}
	}
	return err
}

// actionDeploy runs the deploy step of the Action and sets its outputs.
func (c *Command) actionDeploy(ctx context.Context, r *action.Runner, l *loaded, p *plan.Plan, ev *action.Event, in action.Inputs, tracked string) (string, error) {
	if ev.IsPullRequest() {
		return "", usagef("deploy refuses to run for a %s event; use command: plan (or auto) on pull requests", ev.Name)
	}
	if tracked == "" || ev.Branch() != tracked {
		return "", usagef("deploy refuses to run on %s: Hightouch Git Sync tracks %q (input branch)", cmp.Or(ev.Ref, "an unknown ref"), tracked)
	}
	if in.APIKey == "" {
		return "", usagef("deploy needs the Hightouch API key: set the input api-key from a secret, or HIGHTOUCH_API_KEY")
	}
	d, err := c.inputFlags(in, ev.Before)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	res, err := c.runDeploy(ctx, l.ws, p, d, in.APIKey, true, c.Stdout)
	if err != nil {
		return "", err
	}
	if res.outcome != nil {
		if err := setDeployOutputs(r, res.outcome); err != nil {
			return res.markdown, err
		}
	}
	return res.markdown, res.exit
}

// inputFlags reads the deploy inputs of the Action as deployFlags.
func (c *Command) inputFlags(in action.Inputs, from string) (deployFlags, error) {
	d := deployFlags{ingest: in.Ingest, trigger: in.Trigger, fullResync: in.FullResync, includePaused: in.IncludePaused,
		wait: in.Wait, failOnWarning: in.FailOnWarning, workspaceSlug: in.WorkspaceSlug, debug: in.Debug,
		apiURL: cmp.Or(in.APIURL, c.Getenv("HIGHTOUCH_API_URL"), hightouch.DefaultBaseURL), all: in.All, from: from,
		onDelete: cmp.Or(in.OnDelete, deploy.OnDeleteWarn)}
	var err error
	if d.ingestTimeout, err = time.ParseDuration(in.IngestTimeout); err != nil {
		return d, usagef("input ingest-timeout: %v (write a Go duration such as 5m)", err)
	}
	if d.timeout, err = time.ParseDuration(in.Timeout); err != nil {
		return d, usagef("input timeout: %v (write a Go duration such as 30m)", err)
	}
	return d, d.check()
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
		list = append(list, triggeredRun{SyncSlug: run.Sync, SyncID: string(run.SyncID), RunID: string(run.RunID), Status: run.Status})
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
