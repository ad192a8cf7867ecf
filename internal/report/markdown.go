package report

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/htgit/htgit/internal/finding"
)

// DefaultMaxBytes caps the job summary. The runner drops a step summary over
// 1 MiB entirely, so stay well below it and leave room for other steps.
const DefaultMaxBytes = 512 << 10

// Section is a block of already-rendered markdown under a heading, such as
// the resources a change deletes or a deploy plan.
type Section struct {
	Heading string // one line of markdown
	Body    string // markdown
}

// MarkdownOptions shapes the job summary.
type MarkdownOptions struct {
	Title string // the top heading; "htgit" when empty
	// LinkBase prefixes repository-relative paths to link each finding to
	// its line, e.g. "https://github.com/OWNER/REPO/blob/HEADSHA/". Empty
	// leaves locations unlinked.
	LinkBase string
	// Gone reports files that do not exist at LinkBase (deleted by the
	// change), whose links would lead nowhere; nil means none.
	Gone func(relPath string) bool
	// Before and After come before and after the findings table.
	Before, After []Section
	// Failure, when set, is why the step failed for something other than
	// its findings (markdown, headed by Failure.Heading): it comes first,
	// and the findings no longer say "No problems found" alone.
	Failure *Section
	// NotValidated leaves out the counts and findings: htgit stopped before
	// it checked the files, and "No problems found" would mislead.
	NotValidated bool
	// MaxBytes caps the output; 0 means DefaultMaxBytes. Finding rows are
	// cut first, then sections from the last one back.
	MaxBytes int
}

const (
	tableHead   = "| Location | Severity | Rule | Message |\n| --- | --- | --- | --- |\n"
	cutMark     = "\n\n_(cut to fit the summary size limit)_\n\n"
	closeFence  = "```\n"
	noFindings  = "No problems found.\n\n"
	findingsTop = "### Findings\n\n"
)

// Markdown writes a job summary: the counts, the Before sections, a table of
// every finding, the After sections. It never writes more than MaxBytes.
func Markdown(w io.Writer, in Input, opt MarkdownOptions) error {
	limit := opt.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	title := opt.Title
	if title == "" {
		title = "htgit"
	}
	c := finding.Count(in.Findings)
	// The title, why the step failed (if it did), the counts (if the files
	// were checked).
	head := "## " + OneLine(title) + "\n\n"
	empty := noFindings
	if opt.Failure != nil {
		head += renderSections([]Section{*opt.Failure})[0]
		empty = "No problems found in the files; the step failed for the reason above.\n\n"
	}
	if !opt.NotValidated {
		head += fmt.Sprintf("| Errors | Warnings | Files | Models | Syncs |\n| ---: | ---: | ---: | ---: | ---: |\n| %d | %d | %d | %d | %d |\n\n",
			c.Errors, c.Warnings, in.Stats.Files, in.Stats.Models, in.Stats.Syncs)
	}
	before, after := renderSections(opt.Before), renderSections(opt.After)

	rows := make([]string, len(in.Findings))
	size := 0
	for i, f := range in.Findings {
		rows[i] = in.row(f, opt)
		size += len(rows[i])
	}
	total := len(in.Findings)
	fixed := len(head) + sectionsLen(before) + sectionsLen(after) + len(findingsTop)

	findings := findingsTop + empty
	switch {
	case opt.NotValidated:
		findings = ""
	case total == 0:
	case fixed+len(tableHead)+size+1 <= limit:
		findings = findingsTop + tableHead + strings.Join(rows, "") + "\n"
	default:
		// The note's length is taken at its widest (every row cut) so the
		// rows chosen still fit once the real count is known.
		budget := limit - fixed - len(tableHead) - 1 - len(cutNote(total, total))
		kept, used := 0, 0
		for kept < total && used+len(rows[kept]) <= budget {
			used += len(rows[kept])
			kept++
		}
		findings = findingsTop
		if kept > 0 {
			findings += tableHead + strings.Join(rows[:kept], "") + "\n"
		}
		findings += cutNote(total-kept, total)
	}
	if len(head)+sectionsLen(before)+len(findings)+sectionsLen(after) > limit {
		// Only when no row fits: the sections themselves are too long.
		all := fitSections(slices.Concat(opt.Before, opt.After), limit-len(head)-len(findings))
		before, after = all[:len(opt.Before)], all[len(opt.Before):]
	}
	out := head + strings.Join(before, "") + findings + strings.Join(after, "")
	if len(out) > limit {
		// Only headings too long for the limit get here.
		out = cutAt(out, limit)
	}
	_, err := io.WriteString(w, out)
	return err
}

func cutNote(cut, total int) string {
	return fmt.Sprintf("_%d of %d findings not shown: the summary has a size limit. The job log and the `json` and `sarif` formats list them all._\n\n", cut, total)
}

func renderSections(ss []Section) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "### " + OneLine(s.Heading) + "\n\n" + strings.TrimRight(s.Body, "\n") + "\n\n"
	}
	return out
}

func sectionsLen(ss []string) int {
	n := 0
	for _, s := range ss {
		n += len(s)
	}
	return n
}

// fitSections renders sections in at most budget bytes. It cuts bodies from
// the last section back, keeping headings and saying so, and drops whole
// sections (again the last first) only when headings alone do not fit.
func fitSections(ss []Section, budget int) []string {
	out := renderSections(ss)
	for i := len(ss) - 1; i >= 0 && sectionsLen(out) > budget; i-- {
		out[i] = cutSection(ss[i], len(out[i])-(sectionsLen(out)-budget))
	}
	for i := len(out) - 1; i >= 0 && sectionsLen(out) > budget; i-- {
		out[i] = ""
	}
	return out
}

// cutSection renders s in about room bytes (more only when its heading does
// not fit). The body is cut at a line end, and a code fence the cut leaves
// open is closed so the rest of the summary still renders.
func cutSection(s Section, room int) string {
	head := "### " + OneLine(s.Heading) + "\n\n"
	n := max(room-len(head)-len(cutMark)-len(closeFence), 0)
	body := s.Body[:min(n, len(s.Body))]
	body = body[:strings.LastIndexByte(body, '\n')+1]
	if strings.Count("\n"+body, "\n```")%2 == 1 {
		body += closeFence
	}
	return head + strings.TrimLeft(strings.TrimRight(body, "\n")+cutMark, "\n")
}

// cutAt shortens s to at most n bytes, at a line end when there is one,
// never inside a UTF-8 sequence.
func cutAt(s string, n int) string {
	if i := strings.LastIndexByte(s[:n], '\n'); i >= 0 {
		return s[:i+1]
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// row renders one finding as a table row, the location linked to its line
// when LinkBase is set and the file lies inside the repository and exists.
func (in Input) row(f finding.Finding, opt MarkdownOptions) string {
	path := in.rel(f.Path)
	s := spanOf(f)
	text := mdEscape(location(path, s))
	linkBase := opt.LinkBase
	gone := opt.Gone != nil && opt.Gone(path)
	// A link only resolves inside the repository, to a file that exists.
	if linkBase != "" && !gone && path != ".." && !strings.HasPrefix(path, "../") && !filepath.IsAbs(filepath.FromSlash(path)) {
		segs := strings.Split(path, "/")
		for i, seg := range segs {
			segs[i] = url.PathEscape(seg)
		}
		link := linkBase + strings.Join(segs, "/")
		if s.Line > 0 {
			link += "#L" + strconv.Itoa(s.Line)
			if s.EndLine > s.Line {
				link += "-L" + strconv.Itoa(s.EndLine)
			}
		}
		text = "[" + text + "](" + link + ")"
	}
	return "| " + text + " | " + f.Severity.String() + " | " + mdEscape(f.Rule) + " | " + mdEscape(f.Message) + " |\n"
}

// mdEscape makes text safe inside a GFM table cell: a pipe would end the
// cell, a newline the row, HTML and emphasis would be interpreted (the text
// quotes user YAML), and GitHub reads $...$ as math.
func mdEscape(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			b.WriteString("<br>")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case strings.ContainsRune("\\`*_~[]|$", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case unicode.IsControl(r):
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// OneLine puts s on one line, its runs of white space (line breaks too)
// made one space: a heading or a quoted message stays on its line.
func OneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
