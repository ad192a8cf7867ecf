package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/htgit/htgit/internal/deploy"
	"github.com/htgit/htgit/internal/gitdiff"
)

// deployFlags are deploy's own flags; each is also an Action input of the
// same name.
type deployFlags struct {
	ingest        string
	ingestTimeout time.Duration
	trigger       string
	wait          bool
	failOnWarning bool
	workspaceSlug string
	branch        string
}

func (d *deployFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.ingest, "ingest", deploy.IngestWait, "how the change reaches Hightouch, a `MODE`: wait (Git Sync ingests it), apply (write it through the API) or none")
	fs.DurationVar(&d.ingestTimeout, "ingest-timeout", 5*time.Minute, "how long to wait for Git Sync to ingest the change, as a `DURATION`")
	fs.StringVar(&d.trigger, "trigger", "changed", "which syncs to run, a `MODE`: changed or none")
	fs.BoolVar(&d.wait, "wait", false, "wait for the runs to finish (on in the Action)")
	fs.BoolVar(&d.failOnWarning, "fail-on-warning", false, "count runs that end with warning as failed")
	fs.StringVar(&d.workspaceSlug, "workspace-slug", "", "Hightouch workspace `SLUG`, for links to run pages")
	fs.StringVar(&d.branch, "branch", "", "the tracked `BRANCH`; deploy refuses to run on another")
}

func (d *deployFlags) check(c *Command) error {
	if !slices.Contains([]string{deploy.IngestWait, deploy.IngestApply, deploy.IngestNone}, d.ingest) {
		return usagef("%s %q: use wait, apply or none", c.opt("ingest"), d.ingest)
	}
	if d.trigger != "changed" && d.trigger != "none" {
		return usagef("%s %q: use changed or none", c.opt("trigger"), d.trigger)
	}
	if d.ingestTimeout <= 0 {
		return usagef("%s and %s must be positive durations such as 30m or 90s", c.opt("timeout"), c.opt("ingest-timeout"))
	}
	return nil
}

func (c *Command) deploy(ctx context.Context, args []string) error {
	return c.runChange(ctx, args, "deploy", "Validates, gets the change into Hightouch and triggers the syncs it touched.\nThe API key is read from HIGHTOUCH_API_KEY.", &deployStep{})
}

// deployStep is htgit deploy.
type deployStep struct{ d deployFlags }

func (s *deployStep) register(fs *flag.FlagSet) { s.d.register(fs) }

func (s *deployStep) ready(ctx context.Context, c *Command, ch *change) error {
	if err := s.d.check(c); err != nil {
		return err
	}
	t := deployTarget{event: c.Getenv("GITHUB_EVENT_NAME"), ref: c.Getenv("GITHUB_REF"), tracked: s.d.branch}
	if t.ref == "" && t.tracked != "" && !strings.HasPrefix(t.event, "pull_request") {
		root, err := workspaceRoot(c, ch.w)
		if err != nil {
			return err
		}
		branch, err := gitdiff.CurrentBranch(ctx, root)
		if err != nil {
			return err
		}
		t.ref = fmt.Sprintf("branch %q", cmp.Or(branch, "(detached HEAD)"))
		if branch != "" {
			t.ref = "refs/heads/" + branch
		}
	}
	if err := t.refuse(); err != nil {
		return err
	}
	if ch.key == "" {
		return usagef("deploy needs the Hightouch API key in the environment variable HIGHTOUCH_API_KEY (never as a flag: it would land in shell history)")
	}
	return nil
}

func (*deployStep) invalid(*Command) error {
	return &exitError{code: ExitFindings, msg: "validation found errors; nothing was sent to Hightouch"}
}

func (s *deployStep) run(ctx context.Context, c *Command, ch *change) error {
	_, err := c.apply(ctx, ch, s.d, c.Stdout)
	return err
}

// deployTarget is where a deploy was asked to run.
type deployTarget struct {
	event   string // GITHUB_EVENT_NAME
	ref     string // GITHUB_REF, or the branch checked out
	tracked string // the branch Git Sync follows; "" = not checked
}

// refuse is the one guard on where a deploy may run: never for a pull
// request, only on the tracked branch.
func (t deployTarget) refuse() error {
	if strings.HasPrefix(t.event, "pull_request") {
		return usagef("deploy refuses to run for a %s event: it changes Hightouch, which must follow the tracked branch, not a pull request; run plan to preview", t.event)
	}
	if t.tracked != "" && t.ref != "refs/heads/"+t.tracked {
		return usagef("deploy refuses to run on %s: Hightouch Git Sync tracks %q", cmp.Or(t.ref, "an unknown ref"), t.tracked)
	}
	return nil
}

// apply deploys the change: prints the plan, gets the change into
// Hightouch, triggers and follows the runs, prints the outcome. A deploy
// stopped by its timeout or a cancellation still reports what it had
// triggered.
func (c *Command) apply(ctx context.Context, ch *change, d deployFlags, log io.Writer) (*deploy.Outcome, error) {
	client, err := c.client(ch.f, ch.key)
	if err != nil {
		return nil, err
	}
	ch.p.WriteText(log)
	outcome, err := deploy.Run(ctx, deploy.Options{
		RepoDir: ch.l.ws.Root, Plan: ch.p, Client: client, OnDelete: ch.f.onDelete, Exists: hasFile(ch.l.ws),
		Ingest: d.ingest, IngestTimeout: d.ingestTimeout,
		Trigger: d.trigger == "changed", Wait: d.wait, FailOnWarning: d.failOnWarning,
		WorkspaceSlug: d.workspaceSlug, Log: log,
	})
	if outcome != nil {
		outcome.WriteTable(log)
	}
	if err == nil && ctx.Err() != nil {
		err = ctx.Err() // runs were left unfinished
	}
	if err != nil {
		return outcome, c.deployError(ctx, err, ch.f.timeout, outcome)
	}
	if !outcome.OK() {
		return outcome, &exitError{code: ExitFindings, msg: fmt.Sprintf("the deploy failed: %d of %d run(s) failed%s", outcome.Failed(), len(outcome.Runs), ingestNote(outcome))}
	}
	return outcome, nil
}

func ingestNote(o *deploy.Outcome) string {
	if o.IngestFailed {
		return "; ingestion did not finish, so nothing was triggered"
	}
	return ""
}
