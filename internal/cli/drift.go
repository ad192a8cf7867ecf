package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/htgit/htgit/internal/action"
	"github.com/htgit/htgit/internal/engine"
)

// drift runs `htgit drift`: exit 0 when Git and Hightouch agree, 1 when
// they drift (in any declared workspace).
func (c *Command) drift(ctx context.Context, args []string) error {
	fs := c.flagSet("drift", "", "Compares the workspace's model and sync files with what Hightouch has: what only\nHightouch has, what only Git has, and what differs, field by field. No Git history\nis needed. The API key is read from HIGHTOUCH_API_KEY, or with workspaces declared\nin .htgit.yaml from each one's apiKeyEnv. Exit 0 when they agree, 1 when they drift.")
	e := c.engine(fs, engine.Drift)
	format := fs.String("format", "text", "output `FORMAT`: text or json")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usagef("--format %q: use text or json", *format)
	}
	results, err := e.DriftAll(ctx, "drift", e.Opts.Workspace)
	if err != nil {
		return err
	}
	if *format == "json" {
		err = writeDriftJSON(c.Stdout, results)
	} else {
		writeDriftText(c.Stdout, results)
	}
	if err != nil {
		return err
	}
	if drifted(results) > 0 {
		return &exitError{code: ExitFindings}
	}
	return nil
}

// drifted counts the resources Git and Hightouch disagree on, in every
// workspace checked.
func drifted(results []engine.WorkspaceDrift) int {
	n := 0
	for _, r := range results {
		if r.Report != nil {
			n += len(r.Report.Items)
		}
	}
	return n
}

// writeDriftText writes each workspace's report under its name (one
// unnamed report as it is).
func writeDriftText(w io.Writer, results []engine.WorkspaceDrift) {
	for i, r := range results {
		if r.Name != "" {
			if i > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintf(w, "workspace %s:\n", r.Name)
		}
		if r.Report == nil {
			fmt.Fprintf(w, "not checked: %s\n", r.Skipped)
			continue
		}
		r.Report.WriteText(w)
	}
}

// writeDriftJSON writes the one report as it is, or with declared
// workspaces {"drift": bool, "workspaces": [{"name", "report" | "skipped"}]}.
func writeDriftJSON(w io.Writer, results []engine.WorkspaceDrift) error {
	if len(results) == 1 && results[0].Name == "" {
		return results[0].Report.WriteJSON(w)
	}
	type entry struct {
		Name    string          `json:"name"`
		Report  json.RawMessage `json:"report,omitempty"`
		Skipped string          `json:"skipped,omitempty"`
	}
	out := struct {
		Drift      bool    `json:"drift"`
		Workspaces []entry `json:"workspaces"`
	}{Drift: drifted(results) > 0}
	for _, r := range results {
		e := entry{Name: r.Name, Skipped: r.Skipped}
		if r.Report != nil {
			var b bytes.Buffer
			if err := r.Report.WriteJSON(&b); err != nil {
				return err
			}
			e.Report = b.Bytes()
		}
		out.Workspaces = append(out.Workspaces, e)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// actionDrift is the Action's `command: drift`: the text on the log, the
// report in the job summary, and the output `drift`, the number of
// resources on which Git and Hightouch disagree.
func (c *Command) actionDrift(ctx context.Context, r *action.Runner, e *engine.Engine) error {
	results, err := e.DriftAll(ctx, "command: drift", e.Opts.Workspace)
	if err != nil {
		return err
	}
	writeDriftText(c.Stdout, results)
	var md strings.Builder
	md.WriteString("# htgit drift\n\n")
	for _, res := range results {
		if res.Name != "" {
			fmt.Fprintf(&md, "## Workspace %s\n\n", res.Name)
		}
		if res.Report == nil {
			fmt.Fprintf(&md, "Not checked: %s.\n\n", res.Skipped)
			continue
		}
		md.WriteString(res.Report.Markdown())
	}
	if err := r.AddSummary(md.String()); err != nil {
		return err
	}
	n := drifted(results)
	if err := r.SetOutput("drift", strconv.Itoa(n)); err != nil {
		return err
	}
	if n > 0 {
		return &exitError{code: ExitFindings, msg: fmt.Sprintf("Git and Hightouch disagree on %d resource(s); the job summary lists them", n)}
	}
	return nil
}
