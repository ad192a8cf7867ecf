package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/htgit/htgit/internal/rules"
)

// rulesCommand lists the rule registry: what `.htgit.yaml`'s rules and
// ignore entries name.
func (c *Command) rulesCommand(args []string) error {
	fs := flag.NewFlagSet("htgit rules", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	format := fs.String("format", "text", "output `FORMAT`: text or json")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: htgit rules [--format text|json]\n\nLists every rule: id, default severity, what it checks and what to do.\n\nFlags:")
		fs.PrintDefaults()
	}
	rest, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("htgit rules takes no arguments, got %q", rest[0])
	}
	all := rules.All()
	switch *format {
	case "json":
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
	case "text":
		tw := tabwriter.NewWriter(c.Stdout, 0, 0, 2, ' ', 0)
		for _, r := range all {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Severity, r.Summary)
		}
		return tw.Flush()
	default:
		return usagef("--format %q: give text or json", *format)
	}
}
