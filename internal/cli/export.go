package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/htgit/htgit/internal/export"
)

// export runs `htgit export --out DIR`.
func (c *Command) export(ctx context.Context, args []string) error {
	fs, a := c.apiFlagSet("export", "", "Writes every model and sync the API key can see as Git Sync files, with a manifest\nof the sources and destinations: the same bytes for the same workspace. The API key\nis read from HIGHTOUCH_API_KEY.")
	out := fs.String("out", "", "`DIR` to write models/, syncs/ and manifest.yaml to; absent or empty")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("htgit export needs --out DIR, the folder to write the files to")
	}
	snap, err := c.snapshot(ctx, "export", *a, strings.TrimSpace(c.Getenv("HIGHTOUCH_API_KEY")))
	if err != nil {
		return err
	}
	res, err := export.Files(snap)
	if err != nil {
		return err
	}
	if err := export.Write(c.abs(*out), res.Files); err != nil {
		if errors.Is(err, export.ErrNotEmpty) {
			return &usageError{msg: err.Error()}
		}
		return err
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(c.Stderr, "htgit: not exported: %s\n", s)
	}
	fmt.Fprintf(c.Stdout, "exported %d model(s), %d sync(s) and a manifest to %s\n", res.Models, res.Syncs, *out)
	return nil
}
