package cli

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/htgit/htgit/internal/config"
	"github.com/htgit/htgit/internal/engine"
	"github.com/htgit/htgit/internal/schema"
)

func (c *Command) schema(_ context.Context, args []string) error {
	fs := c.flagSet("schema", "NAME", "Prints the JSON Schema of a Git Sync file kind, for editors (yaml.schemas),\nor of htgit's configuration file. NAME is one of "+strings.Join(schema.Names, ", ")+", config.")
	kinds, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(kinds) != 1 {
		return usagef("usage: htgit schema NAME, one of %s, config", strings.Join(schema.Names, ", "))
	}
	if kinds[0] == "config" {
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(config.Schema())
	}
	src, err := schema.Source(kinds[0])
	if err != nil {
		return &engine.UsageError{Msg: err.Error()}
	}
	_, err = c.Stdout.Write(src)
	return err
}
