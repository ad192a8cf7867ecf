package cli

import (
	"context"

	"github.com/htgit/htgit/internal/engine"
)

func (c *Command) deploy(ctx context.Context, args []string) error {
	return c.runChange(ctx, args, "deploy", engine.Deploy, "Validates, gets the change into Hightouch and triggers the syncs it touched.\nThe API key is read from HIGHTOUCH_API_KEY.", deployStep{})
}

// deployStep is htgit deploy.
type deployStep struct{}

func (deployStep) ready(ctx context.Context, e *engine.Engine) error {
	if err := e.CheckDeploy(); err != nil {
		return err
	}
	t, err := e.CommandLineTarget(ctx)
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
