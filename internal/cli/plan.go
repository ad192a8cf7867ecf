package cli

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/htgit/htgit/internal/deploy"
	"github.com/htgit/htgit/internal/gitdiff"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/plan"
)

// planFlags say which change plan and deploy work on and how they talk to
// Hightouch; each is also an Action input of the same name.
type planFlags struct {
	from, to      string
	all           bool
	fullResync    string
	includePaused bool
	timeout       time.Duration
	apiURL        string
	debug         bool
	onDelete      string
}

func (f *planFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&f.from, "from", "", "`REV` before the change (a push's before)")
	fs.StringVar(&f.to, "to", "HEAD", "`REV` after the change")
	fs.BoolVar(&f.all, "all", false, "treat every sync as changed, without Git (no --from; deploy then triggers every sync)")
	fs.StringVar(&f.fullResync, "full-resync", plan.ResyncAuto, "full resync `MODE`: never, always or auto (new syncs and changed primary keys)")
	fs.BoolVar(&f.includePaused, "include-paused", false, "also trigger syncs with schedulePaused: true")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Minute, "bound on the whole command, as a `DURATION`")
	fs.StringVar(&f.apiURL, "api-url", cmp.Or(getenv("HIGHTOUCH_API_URL"), hightouch.DefaultBaseURL), "Hightouch API base `URL` (env HIGHTOUCH_API_URL)")
	fs.BoolVar(&f.debug, "debug", false, "log every API request (method, path, status, timing; never the key)")
	fs.StringVar(&f.onDelete, "on-delete", deploy.OnDeleteWarn, "syncs whose files the change deleted or renamed away, a `MODE`: warn (Hightouch keeps running them) or pause them after a successful deploy")
}

func (f *planFlags) check(c *Command) error {
	if !slices.Contains([]string{plan.ResyncNever, plan.ResyncAlways, plan.ResyncAuto}, f.fullResync) {
		return usagef("%s %q: use never, always or auto", c.opt("full-resync"), f.fullResync)
	}
	if f.onDelete != deploy.OnDeleteWarn && f.onDelete != deploy.OnDeletePause {
		return usagef("%s %q: use warn or pause", c.opt("on-delete"), f.onDelete)
	}
	if !f.all && f.from == "" {
		return usagef("--from is required (the commit before the change), or --all to treat every sync as changed (deploy --all triggers every sync)")
	}
	if f.timeout <= 0 {
		return usagef("%s and %s must be positive durations such as 30m or 90s", c.opt("timeout"), c.opt("ingest-timeout"))
	}
	return nil
}

// change is what plan and deploy share: the flags, the key, the checked
// workspace and the plan.
type change struct {
	w   workspaceFlags
	f   planFlags
	key string
	l   *loaded
	p   *plan.Plan
}

// step is what plan or deploy does with a planned change: the one
// difference between the two commands.
type step interface {
	// register adds the step's own flags.
	register(fs *flag.FlagSet)
	// ready refuses before any work (deploy: wrong branch, no key).
	ready(ctx context.Context, c *Command, ch *change) error
	// invalid says what validation errors mean: plan goes on, deploy stops.
	invalid(c *Command) error
	// run previews or deploys the change.
	run(ctx context.Context, c *Command, ch *change) error
}

func (c *Command) plan(ctx context.Context, args []string) error {
	return c.runChange(ctx, args, "plan", "Shows what a deploy of the change would do. Works from Git alone; with\nHIGHTOUCH_API_KEY set it also says what Hightouch would create or update.", planStep{})
}

// runChange is the pipeline of plan and deploy: flags, refusals,
// validation, the plan, then the step.
func (c *Command) runChange(ctx context.Context, args []string, name, about string, s step) error {
	fs := c.flagSet(name, "", about)
	var ch change
	ch.w.register(fs.FlagSet)
	ch.f.register(fs.FlagSet, c.Getenv)
	s.register(fs.FlagSet)
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if err := errors.Join(ch.w.check(), ch.f.check(c)); err != nil {
		return err
	}
	ch.key = strings.TrimSpace(c.Getenv("HIGHTOUCH_API_KEY"))
	if err := s.ready(ctx, c, &ch); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, ch.f.timeout)
	defer cancel()
	var err error
	if ch.l, err = c.load(ctx, ch.w, nil); err != nil {
		return err
	}
	invalid := ch.l.result.Counts().Errors > 0
	if invalid {
		outs, _ := c.parseFormats(nil)
		if err := c.render(outs, c.reportInput(ch.l), renderOptions{repoRoot: ch.l.ws.Root}); err != nil {
			return err
		}
		if err := s.invalid(c); err != nil {
			return err
		}
	}
	if ch.p, err = c.buildPlan(ctx, ch.l, ch.f, ""); err != nil {
		return err
	}
	if !ch.f.all {
		if err := checkTo(ctx, ch.p); err != nil {
			return err
		}
	}
	if err := s.run(ctx, c, &ch); err != nil || !invalid {
		return err
	}
	return &exitError{code: ExitFindings}
}

// buildPlan fetches the commit before the change if the clone lacks it and
// plans the change. mergeBase, when set, is the pull request's base: the
// change is what the pull request adds to it.
func (c *Command) buildPlan(ctx context.Context, l *loaded, f planFlags, mergeBase string) (*plan.Plan, error) {
	opts := plan.Options{RepoDir: l.ws.Root, From: f.from, To: f.to, All: f.all, FullResync: f.fullResync,
		IncludePaused: f.includePaused, PausedAdvice: c.pass("include-paused", "") + " to run it"}
	if mergeBase != "" {
		opts.From, opts.MergeBase = mergeBase, true
	}
	if !f.all && !gitdiff.IsZero(opts.From) { // a zero from is a new branch: plan.Build says so
		if err := gitdiff.EnsureCommit(ctx, l.ws.Root, opts.From); err != nil {
			return nil, c.noBase(err)
		}
	}
	p, err := plan.Build(ctx, l.ws, opts)
	if err != nil {
		return nil, c.noBase(err)
	}
	return p, nil
}

// noBase adds the way around a commit to compare with that Git cannot give,
// and says what it costs: with --all, deploy triggers every sync.
func (c *Command) noBase(err error) error {
	var missing *gitdiff.MissingCommitError
	if !errors.As(err, &missing) && !errors.Is(err, gitdiff.ErrNewBranch) {
		return err
	}
	return usagef("%v; or %s to treat every sync as changed, without Git: a deploy then triggers every sync", err, c.pass("all", ""))
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
		return usagef("--to %s is not what is checked out: %d Git Sync file(s) differ from HEAD (%s, ...); htgit reads models and syncs from the working tree, so check out %s first (or leave --to at HEAD)",
			p.To, n, diff.Changes[0].Path, p.To)
	}
	return nil
}

// planStep is htgit plan: print the plan, and with a key what Hightouch
// would create or update.
type planStep struct{}

func (planStep) register(*flag.FlagSet)                         {}
func (planStep) ready(context.Context, *Command, *change) error { return nil }
func (planStep) run(ctx context.Context, c *Command, ch *change) error {
	_, err := c.preview(ctx, ch, c.Stdout)
	return err
}

// invalid: what merging would do is worth seeing while fixing.
func (planStep) invalid(c *Command) error {
	fmt.Fprintln(c.Stderr, "htgit: validation found errors; a deploy would refuse to run until they are fixed")
	return nil
}

// preview prints the plan to log and returns it as markdown; with a key it
// first settles with Hightouch which syncs are new (full resyncs) and what
// it would create or update.
func (c *Command) preview(ctx context.Context, ch *change, log io.Writer) (string, error) {
	p := ch.p
	if ch.key == "" {
		p.WriteText(log)
		md := p.Markdown(c.subject())
		if ch.f.onDelete == deploy.OnDeletePause {
			retire := deploy.Retirements(p, hasFile(ch.l.ws))
			deploy.WriteRetirements(log, "On delete (pause), if Hightouch has them:", retire)
			md += "\n" + deploy.RetirementsMarkdown(retire)
		}
		fmt.Fprintln(log, "(set HIGHTOUCH_API_KEY to also see what Hightouch would create or update)")
		return md, nil
	}
	client, err := c.client(ch.f, ch.key)
	if err != nil {
		return "", err
	}
	preview, retire, err := deploy.Preview(ctx, deploy.Options{RepoDir: ch.l.ws.Root, Plan: p, Client: client, Log: log,
		OnDelete: ch.f.onDelete, Exists: hasFile(ch.l.ws)})
	p.WriteText(log)
	if err != nil {
		return "", c.deployError(ctx, err, ch.f.timeout, nil)
	}
	deploy.WriteRetirements(log, "On delete (pause):", retire)
	fmt.Fprintln(log, "In Hightouch:")
	for _, r := range preview {
		fmt.Fprintf(log, "  %-5s %s: %s\n", r.Resource.Kind, r.Resource.Slug, r.Result)
		deploy.WriteChanges(log, "      ", r.Changes)
	}
	var b strings.Builder
	deploy.WriteResourcesMarkdown(&b, preview)
	return b.String() + p.Markdown(c.subject()) + "\n" + deploy.RetirementsMarkdown(retire), nil
}

// subject is who triggers the plan's syncs, for the markdown plan: a pull
// request's merge, or the push the Action runs for.
func (c *Command) subject() string {
	if c.Getenv("GITHUB_EVENT_NAME") == "push" {
		return "This push"
	}
	return "Merging"
}

func (c *Command) client(f planFlags, key string) (*hightouch.Client, error) {
	cfg := hightouch.Config{BaseURL: f.apiURL, APIKey: key, Version: Version()}
	if f.debug {
		cfg.Logger = slog.New(slog.NewTextHandler(c.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	client, err := hightouch.New(cfg)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	return client, nil
}

// deployError explains why talking to Hightouch stopped: the command's own
// --timeout or a cancellation (exit 1, as for a run that did not finish;
// what was triggered is in the outcome), or anything else (exit codes by
// exitCode).
func (c *Command) deployError(ctx context.Context, err error, timeout time.Duration, o *deploy.Outcome) error {
	triggered := "nothing was triggered"
	if o != nil && len(o.Runs) > 0 {
		triggered = "runs already triggered go on in Hightouch"
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &exitError{code: ExitFindings, msg: fmt.Sprintf("the deploy did not finish within %s %s (stopped at: %v); %s", c.opt("timeout"), timeout, err, triggered)}
	case errors.Is(ctx.Err(), context.Canceled):
		return &exitError{code: ExitFindings, msg: fmt.Sprintf("cancelled (stopped at: %v); %s", err, triggered)}
	}
	return err
}
