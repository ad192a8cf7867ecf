package cli

import (
	"context"
	"fmt"

	"github.com/htgit/htgit/internal/engine"
	"github.com/htgit/htgit/internal/plan"
)

// change is what plan and deploy share: the engine, the checked workspace
// and the plan.
type change struct {
	e *engine.Engine
	l *engine.Loaded
	p *plan.Plan
}

// step is what plan or deploy does with a planned change: the one
// difference between the two commands.
type step interface {
	// ready refuses before any work (deploy: wrong branch, no key).
	ready(ctx context.Context, e *engine.Engine) error
	// invalid says what validation errors mean: plan goes on, deploy stops.
	invalid(c *Command) error
	// run previews or deploys the change.
	run(ctx context.Context, c *Command, ch *change) error
}

func (c *Command) plan(ctx context.Context, args []string) error {
	return c.runChange(ctx, args, "plan", engine.Plan, "Shows what a deploy of the change would do. Works from Git alone; with\nHIGHTOUCH_API_KEY set it also says what Hightouch would create or update.", planStep{})
}

// runChange is the pipeline of plan and deploy: flags, refusals,
// validation, the plan, then the step.
func (c *Command) runChange(ctx context.Context, args []string, name string, cmd engine.Command, about string, s step) error {
	fs := c.flagSet(name, "", about)
	ch := change{e: c.engine(fs, cmd)}
	if err := parseNone(fs, args); err != nil {
		return err
	}
	e := ch.e
	if err := e.CheckChange(); err != nil {
		return err
	}
	if !e.Opts.All && e.Opts.From == "" {
		return usagef("--from is required (the commit before the change), or --all to treat every sync as changed (deploy --all triggers every sync)")
	}
	if err := s.ready(ctx, e); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, e.Opts.Timeout)
	defer cancel()
	var err error
	if ch.l, err = e.Load(ctx, nil); err != nil {
		return e.Stopped(ctx, err, nil)
	}
	invalid := ch.l.Result.Counts().Errors > 0
	if invalid {
		outs, _ := c.parseFormats(nil)
		if err := c.render(outs, c.reportInput(ch.l), renderOptions{repoRoot: ch.l.WS.Root}); err != nil {
			return err
		}
		if err := s.invalid(c); err != nil {
			return err
		}
	}
	if ch.p, err = e.Plan(ctx, ch.l, ""); err != nil {
		return e.Stopped(ctx, err, nil)
	}
	if err := s.run(ctx, c, &ch); err != nil || !invalid {
		return err
	}
	return &exitError{code: ExitFindings}
}

// planStep is htgit plan: print the plan, and with a key what Hightouch
// would create or update.
type planStep struct{}

// ready: with --workspace, the plan is previewed against that workspace.
func (planStep) ready(_ context.Context, e *engine.Engine) error {
	if e.Opts.Workspace == "" {
		return nil
	}
	return e.UseNamed(e.Opts.Workspace)
}
func (planStep) run(ctx context.Context, c *Command, ch *change) error {
	_, err := ch.e.Preview(ctx, ch.l, ch.p, c.subject())
	return err
}

// invalid: what merging would do is worth seeing while fixing.
func (planStep) invalid(c *Command) error {
	fmt.Fprintln(c.Stderr, "htgit: validation found errors; a deploy would refuse to run until they are fixed")
	return nil
}

// subject is who triggers the plan's syncs, for the markdown plan: a pull
// request's merge, or the push the Action runs for.
func (c *Command) subject() string {
	if c.Getenv("GITHUB_EVENT_NAME") == "push" {
		return "This push"
	}
	return "Merging"
}
