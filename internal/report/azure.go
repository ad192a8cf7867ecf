package report

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/htgit/htgit/internal/finding"
)

// Azure writes Azure Pipelines logging commands: a task.logissue at its file
// and line for the findings GitHub would annotate (the same choice and
// limit, opt), one warning counting those left out, then every finding as
// a log line grouped per file, and the counts. The agent reads a command
// from any stdout line:
// https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands#logissue-log-an-error-or-warning
// logissue knows only errors and warnings; a notice stays a log line.
func Azure(w io.Writer, in Input, opt GitHubOptions) error {
	bw := bufio.NewWriter(w)
	shown, overLimit, notTouched := in.pick(opt)
	for _, f := range shown {
		if f.Severity == finding.Notice {
			continue
		}
		props := [][2]string{{"type", f.Severity.String()}, {"sourcepath", in.rel(f.Path)}}
		if s := spanOf(f); s.Line > 0 {
			props = append(props, [2]string{"linenumber", strconv.Itoa(s.Line)})
			if s.Col > 0 {
				props = append(props, [2]string{"columnnumber", strconv.Itoa(s.Col)})
			}
		}
		props = append(props, [2]string{"code", f.Rule})
		bw.WriteString(AzureCommand("task.logissue", props, f.Message))
	}
	if note := leftOut(overLimit, notTouched, opt.limit()); note != "" {
		bw.WriteString(AzureCommand("task.logissue", [][2]string{{"type", "warning"}}, "htgit: "+note+" The log below lists every finding."))
	}
	for _, g := range in.byFile() {
		bw.WriteString("##[group]" + azureLine(in.rel(g[0].Path)+" ("+problems(finding.Count(g))+")") + "\n")
		for _, f := range g {
			bw.WriteString(azureLine(in.line(f, false)) + "\n")
		}
		bw.WriteString("##[endgroup]\n")
	}
	bw.WriteString(azureLine(in.summary()) + "\n")
	return bw.Flush()
}

// AzureCommand is one logging command line, escaped as Microsoft's task
// library does (node/taskcommand.ts in microsoft/azure-pipelines-task-lib):
// in property values % CR LF ] ; become %AZP25 %0D %0A %5D %3B, in the
// message % CR LF. Without it a path or message holding "]" or ";" would
// end the properties early, and a newline would start a line of its own.
func AzureCommand(name string, props [][2]string, msg string) string {
	var b strings.Builder
	b.WriteString("##vso[" + name)
	for i, p := range props {
		if i == 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p[0] + "=" + azureProperty.Replace(p[1]) + ";")
	}
	b.WriteString("]" + azureData.Replace(msg) + "\n")
	return b.String()
}

var (
	azureData     = strings.NewReplacer("%", "%AZP25", "\r", "%0D", "\n", "%0A")
	azureProperty = strings.NewReplacer("%", "%AZP25", "\r", "%0D", "\n", "%0A", "]", "%5D", ";", "%3B")
)

// azureLine makes text safe as a plain log line: the agent executes
// "##vso[" wherever it appears in a line, and formats a line starting
// with "##[".
func azureLine(s string) string {
	return strings.ReplaceAll(clean(s), "##vso[", `##vso\[`)
}
