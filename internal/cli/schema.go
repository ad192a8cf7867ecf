package cli

import (
	"encoding/json"
	"strings"

	"github.com/htgit/htgit/internal/config"
	"github.com/htgit/htgit/internal/schema"
)

func (c *Command) schema(args []string) error {
	if len(args) != 1 {
		return usagef("usage: htgit schema NAME, one of %s, config", strings.Join(schema.Names, ", "))
	}
	if args[0] == "config" {
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(config.Schema())
	}
	src, err := schema.Source(args[0])
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	_, err = c.Stdout.Write(src)
	return err
}
