package cli

import (
	"context"
	"errors"

	"github.com/htgit/htgit/internal/engine"
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/report"
)

func (c *Command) validate(ctx context.Context, args []string) error {
	fs := c.flagSet("validate", "[FILE...]", "Checks the whole workspace; with FILEs, reports only on those files and on\nreferences to them (what pre-commit passes). With --staged, reports on what\nthe index would commit, deletions and renames included (the pre-commit hook).")
	e := c.engine(fs, engine.Validate)
	var formats stringList
	fs.Var(&formats, "format", "output `FORMAT[=PATH]`: text, github, json or sarif, optionally written to PATH (repeatable; default github on GitHub Actions, else text)")
	staged := fs.Bool("staged", false, "report on the files the index would commit, and the references their deletions or renames break (for pre-commit; no FILE arguments)")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *staged && len(files) > 0 {
		return usagef("--staged reads the index; give no FILE arguments (got %q)", files[0])
	}
	outputs, err := c.parseFormats(formats)
	if err != nil {
		return err
	}
	var l *engine.Loaded
	if *staged {
		l, err = e.LoadStaged(ctx)
	} else {
		l, err = e.Load(ctx, files)
	}
	if errors.Is(err, engine.ErrNoWorkspaceFiles) {
		return nil
	}
	if err != nil {
		return err
	}
	return c.renderFindings(outputs, l)
}

// renderFindings writes the findings in every output and fails on errors.
func (c *Command) renderFindings(outputs []output, l *engine.Loaded) error {
	in := c.reportInput(l)
	if err := c.render(outputs, in, renderOptions{repoRoot: l.WS.Root}); err != nil {
		return err
	}
	if finding.Count(in.Findings).Errors > 0 {
		return &exitError{code: ExitFindings}
	}
	return nil
}

func (c *Command) reportInput(l *engine.Loaded) report.Input {
	return report.Input{
		Findings: l.Findings(),
		Rules:    l.Policy.Rules(),
		RulesOff: l.Policy.Off(),
		Stats:    report.Stats{Files: l.Result.Files, Models: l.Result.Models, Syncs: l.Result.Syncs},
		BaseDir:  c.Dir,
		Version:  Version(),
	}
}
