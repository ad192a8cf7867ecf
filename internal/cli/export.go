package cli

import (
	"context"
	"fmt"

	"github.com/htgit/htgit/internal/engine"
)

// export runs `htgit export --out DIR`.
func (c *Command) export(ctx context.Context, args []string) error {
	fs := c.flagSet("export", "", "Writes every model and sync the API key can see as Git Sync files, with a manifest\nof the sources and destinations: the same bytes for the same workspace. The API key\nis read from HIGHTOUCH_API_KEY.")
	e := c.engine(fs, engine.Export)
	out := fs.String("out", "", "`DIR` to write models/, syncs/ and manifest.yaml to; absent or empty")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	res, err := e.Export(ctx, *out)
	if err != nil {
		return err
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(c.Stderr, "htgit: not exported: %s\n", s)
	}
	fmt.Fprintf(c.Stdout, "exported %d model(s), %d sync(s) and a manifest to %s\n", res.Models, res.Syncs, *out)
	return nil
}
