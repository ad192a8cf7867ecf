package cli

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/htgit/htgit/internal/config"
	"github.com/htgit/htgit/internal/schema"
)

func (c *Command) schema(_ context.Context, args []string) error {
	names := append(slices.Clone(schema.Names), "config")
	fs := c.flagSet("schema", "NAME", "Prints the JSON Schema of a Git Sync file kind, for editors (yaml.schemas),\nor of htgit's configuration file. NAME is one of "+orList(names)+".")
	kinds, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(kinds) != 1 {
		return usagef("usage: htgit schema NAME, NAME one of %s", orList(names))
	}
	if !slices.Contains(names, kinds[0]) {
		return usagef("unknown schema %q: %v", kinds[0], choiceError(kinds[0], names))
	}
	if kinds[0] == "config" {
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(config.Schema())
	}
	src, err := schema.Source(kinds[0])
	if err != nil {
		return err
	}
	_, err = c.Stdout.Write(src)
	return err
}
