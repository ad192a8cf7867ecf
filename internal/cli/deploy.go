package cli

import (
	"context"

	"github.com/htgit/htgit/internal/cihost"
	"github.com/htgit/htgit/internal/engine"
)

func (c *Command) deploy(ctx context.Context, args []string) error {
	return c.runChange(ctx, args, "deploy", engine.Deploy, "Validates, gets the change into Hightouch and triggers the syncs it touched.\nThe API key is read from HIGHTOUCH_API_KEY.", deployStep{})
}

// deployStep is htgit deploy.
type deployStep struct{}

func (deployStep) flags(*flagSet) {}

func (deployStep) ready(ctx context.Context, _ *Command, e *engine.Engine) error {
	if err := e.CheckDeploy(); err != nil {
		return err
	}
	t, err := target(ctx, e)
	if err != nil {
		return err
	}
	if err := t.Refuse(); err != nil {
		return err
	}
	return e.NeedKey("deploy")
}

func (deployStep) invalid(*Command) error {
	return &exitError{code: ExitFindings, msg: "validation found errors; nothing was sent to Hightouch"}
}

func (deployStep) run(ctx context.Context, _ *Command, ch *change) error {
	_, err := ch.e.Deploy(ctx, ch.l, ch.p)
	return err
}

// target is where htgit deploy runs: on GitLab, Bitbucket or Azure the
// branch (or change request) the host's variables name, as CI checks out a
// detached HEAD; elsewhere the engine's reading (GitHub's event, the
// branch checked out).
func target(ctx context.Context, e *engine.Engine) (engine.Target, error) {
	host, err := cihost.Detect(e.Getenv)
	if err != nil || host.Name == "github" || host.Name == "none" {
		return e.CommandLineTarget(ctx)
	}
	t := engine.Target{Event: host.Title + " " + host.Event.String(), Ref: "refs/heads/" + host.Branch, Tracked: e.Opts.Branch}
	if host.Event == cihost.ChangeRequest {
		t.Event = "pull_request" // what Refuse refuses: a change request's pipeline
	}
	if host.Branch == "" {
		t.Ref = host.Title + " names no branch (a tag or a detached run)"
	}
	return e.ForTarget(t)
}
