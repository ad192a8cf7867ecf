package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/htgit/htgit/internal/rules"
)

// rulesCommand lists the rule registry: what `.htgit.yaml`'s rules and
// ignore entries name.
func (c *Command) rulesCommand(_ context.Context, args []string) error {
	fs := c.flagSet("rules", "", "Lists every rule: id, default severity, what it checks and what to do.")
	format := formatFlag(fs, "text", "json")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	all := rules.All()
	if *format == "json" {
		type jsonRule struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
			Help     string `json:"help"`
		}
		out := make([]jsonRule, len(all))
		for i, r := range all {
			out[i] = jsonRule{r.ID, r.Severity.String(), r.Summary, r.Help}
		}
		enc := json.NewEncoder(c.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
	for _, r := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Summary)
	}
	return tw.Flush()
}
