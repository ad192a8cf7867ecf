package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/htgit/htgit/internal/config"
	"github.com/htgit/htgit/internal/rules"
)

// rulesCommand lists the rule registry and the configuration's policies:
// what `.htgit.yaml`'s rules and ignore entries name.
func (c *Command) rulesCommand(_ context.Context, args []string) error {
	fs := c.flagSet("rules", "", "Lists every rule: id, default severity, what it checks and what to do; then\nthe configuration's policies, at their configured level.")
	format := formatFlag(fs, "text", "json")
	e := c.engine(fs, 0)
	fs.StringVar(&e.Opts.Config, "config", "", "read the policies from `FILE` (default: "+config.FileName+" at the root, when it exists)")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	cfg, err := e.Config()
	if err != nil {
		return err
	}
	all := append(rules.All(), cfg.Policy.Custom...)
	isPolicy := func(i int) bool { return i >= len(all)-len(cfg.Policy.Custom) }
	if *format == "json" {
		type jsonRule struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Help     string `json:"help"`
			Policy   bool   `json:"policy,omitempty"` // defined by the configuration
		}
		out := make([]jsonRule, len(all))
		for i, r := range all {
			out[i] = jsonRule{r.ID, r.Severity.String(), r.Summary, r.Help, isPolicy(i)}
		}
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	for i, r := range all {
		kind := ""
		if isPolicy(i) {
			kind = " (policy in " + filepath.Base(cfg.File) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s%s\n", r.ID, r.Severity, r.Summary, kind)
	}
	return tw.Flush()
}
