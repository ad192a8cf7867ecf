package engine

import (
	"context"
	"errors"

	"github.com/htgit/htgit/internal/compare"
	"github.com/htgit/htgit/internal/drift"
	"github.com/htgit/htgit/internal/export"
)

// Snapshot lists what Hightouch has, for command name (as the user called
// it), within --timeout.
func (e *Engine) Snapshot(ctx context.Context, name string) (*compare.Snapshot, error) {
	if err := e.NeedKey(name); err != nil {
		return nil, err
	}
	if e.Opts.Timeout <= 0 {
		return nil, Usagef("%s must be a positive duration such as 5m", e.Opts.Origin.Name("timeout"))
	}
	client, err := e.Client(e.APIKey())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, e.Opts.Timeout)
	defer cancel()
	snap, err := compare.Fetch(ctx, client)
	if err != nil {
		return nil, e.stopped(ctx, name, err, "")
	}
	return snap, nil
}

// Drift compares the workspace's files with what Hightouch has; the
// report's paths are relative to the working directory, as findings are.
func (e *Engine) Drift(ctx context.Context, name string) (*drift.Report, error) {
	d, err := e.Discover()
	if err != nil {
		return nil, err
	}
	return e.driftOf(ctx, d, name)
}

// driftOf compares the discovered files with what Hightouch has.
func (e *Engine) driftOf(ctx context.Context, d *Discovered, name string) (*drift.Report, error) {
	snap, err := e.Snapshot(ctx, name)
	if err != nil {
		return nil, err
	}
	r := drift.Compare(d.WS, snap)
	r.RelativeTo(e.Dir)
	return r, nil
}

// Export writes what Hightouch has as Git Sync files into out, which must
// be absent or empty.
func (e *Engine) Export(ctx context.Context, out string) (*export.Result, error) {
	if out == "" {
		return nil, Usagef("htgit export needs --out DIR, the folder to write the files to")
	}
	snap, err := e.Snapshot(ctx, "export")
	if err != nil {
		return nil, err
	}
	res, err := export.Files(snap)
	if err != nil {
		return nil, err
	}
	if err := export.Write(e.abs(out), res.Files); err != nil {
		if errors.Is(err, export.ErrNotEmpty) || errors.Is(err, export.ErrOutput) {
			return nil, &UsageError{Msg: err.Error()}
		}
		return nil, err
	}
	return res, nil
}
