package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/htgit/htgit/internal/engine"
	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/report"
)

// output is one --format: a formatter and where it writes ("" = stdout).
type output struct {
	format string
	path   string
}

var formats = []string{"text", "github", "json", "sarif"}

func (c *Command) parseFormats(flags []string) ([]output, error) {
	if len(flags) == 0 {
		def := "text"
		if c.Getenv("GITHUB_ACTIONS") == "true" {
			def = "github"
		}
		return []output{{format: def}}, nil
	}
	var outs []output
	toStdout := 0
	for _, f := range flags {
		name, path, _ := strings.Cut(f, "=")
		if !slices.Contains(formats, name) {
			return nil, usagef("--format %q: choose one of %s, optionally =PATH", f, strings.Join(formats, ", "))
		}
		if path == "" {
			toStdout++
		}
		outs = append(outs, output{format: name, path: path})
	}
	if toStdout > 1 {
		return nil, usagef("only one --format can write to standard output; give the others =PATH")
	}
	return outs, nil
}

// renderOptions carry what the formatters need beyond the findings.
type renderOptions struct {
	github report.GitHubOptions
	// repoRoot is what SARIF uris are relative to outside GitHub Actions:
	// code scanning wants repository-relative paths.
	repoRoot string
}

// render writes every requested output.
func (c *Command) render(outs []output, in report.Input, opt renderOptions) error {
	for _, o := range outs {
		if err := c.renderOne(o, in, opt); err != nil {
			return err
		}
	}
	return nil
}

func (c *Command) renderOne(o output, in report.Input, opt renderOptions) (err error) {
	var w io.Writer = c.Stdout
	if o.path != "" {
		path := c.abs(o.path)
		// reports/htgit.sarif in a fresh checkout: make the folder.
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return &engine.UsageError{Msg: fmt.Sprintf("--format %s=%s: %v", o.format, o.path, err)}
		}
		f, err := os.Create(path)
		if err != nil {
			return &engine.UsageError{Msg: fmt.Sprintf("--format %s=%s: %v", o.format, o.path, err)}
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
		w = f
	}
	if ws := c.Getenv("GITHUB_WORKSPACE"); ws != "" && (o.format == "github" || o.format == "sarif") {
		// GitHub resolves annotation files and SARIF uris against the
		// checkout, not the directory a step runs in (working-directory).
		in.BaseDir = c.abs(ws)
	} else if o.format == "sarif" && opt.repoRoot != "" {
		in.BaseDir = opt.repoRoot
	}
	switch o.format {
	case "json":
		return report.JSON(w, in)
	case "sarif":
		return report.SARIF(w, withoutMissingFiles(in))
	case "github":
		return report.GitHub(w, in, opt.github)
	}
	color := o.path == "" && c.Getenv("NO_COLOR") == "" && c.IsTerminal(w)
	return report.Text(w, in, color)
}

// withoutMissingFiles drops findings about files that are not on disk (a
// file the change deletes): code scanning can place results only in files of
// the analysed commit, and rejects the others.
func withoutMissingFiles(in report.Input) report.Input {
	kept := make([]finding.Finding, 0, len(in.Findings))
	for _, f := range in.Findings {
		if _, err := os.Stat(f.Path); err == nil {
			kept = append(kept, f)
		}
	}
	in.Findings = kept
	return in
}

// missingUnder reports whether a path relative to base is not on disk.
func missingUnder(base string) func(rel string) bool {
	return func(rel string) bool {
		_, err := os.Stat(filepath.Join(base, filepath.FromSlash(rel)))
		return err != nil
	}
}

// abs resolves p against the working directory.
func (c *Command) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(c.Dir, p)
}
