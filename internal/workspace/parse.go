package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
)

// Document is one parsed file. Root is its top-level mapping, or nil when the
// file is not a single YAML mapping (the findings say why).
//
// A Document is not safe for concurrent use: positions are indexed lazily.
type Document struct {
	File File
	Root *yaml.Node
	src  []byte
	idx  *lineIndex // see lines
}

// lines returns the line index, built on first use: only a file with a
// finding to place needs it.
func (d *Document) lines() *lineIndex {
	if d.idx == nil {
		d.idx = newLineIndex(d.src)
	}
	return d.idx
}

// line returns the 1-based line l of the source, without its break.
func (d *Document) line(l int) []byte { return d.lines().line(l) }

// nLines is the number of lines in the source.
func (d *Document) nLines() int { return d.lines().count() }

var bom = []byte("\xef\xbb\xbf")

// Parse parses src as the content of f. It never panics: a parser failure is
// a yaml-syntax finding.
func Parse(f File, src []byte) (doc *Document, findings []finding.Finding) {
	src = bytes.TrimPrefix(src, bom)
	doc = &Document{File: f, src: src}
	// A file can hold a million duplicate keys or tags: keep a few of each.
	var limit finding.Limit
	defer func() { findings = limit.Close(findings) }()
	at := func(rule finding.Rule, start, end finding.Pos, msg string) {
		limit.Add(finding.Finding{Path: f.Path, Start: start, End: end,
			Rule: rule.ID, Severity: rule.Severity, Message: msg})
	}
	if !utf8.Valid(src) {
		p := doc.invalidUTF8()
		at(rules.YAMLInvalidUTF8, p, finding.Pos{Line: p.Line, Col: p.Col + 1},
			"invalid UTF-8 byte; save the file as UTF-8")
		return doc, findings
	}
	defer func() {
		if r := recover(); r != nil {
			doc.Root = nil
			at(rules.YAMLSyntax, finding.Pos{Line: 1, Col: 1}, finding.Pos{Line: 1, Col: 1},
				fmt.Sprintf("the YAML parser failed on this file (%v); simplify the YAML near anchors and aliases", r))
		}
	}()

	parsed, restore := textBreaks(src)
	var first yaml.Node
	if !mayHoldDocuments(parsed) {
		// One document: parse the bytes in place, as yaml.Unmarshal does,
		// not through the Decoder's reader and its copies (a third of
		// parsing's allocations).
		if err := yaml.Unmarshal(parsed, &first); err != nil {
			return doc, append(findings, doc.syntaxError(err))
		}
		if restore != nil {
			restore(&first)
		}
		return doc.root(f, &first, findings, at)
	}
	dec := yaml.NewDecoder(bytes.NewReader(parsed))
	if err := dec.Decode(&first); err != nil {
		if errors.Is(err, io.EOF) {
			at(rules.YAMLRootNotMapping, finding.Pos{Line: 1, Col: 1}, finding.Pos{Line: 1, Col: 1},
				"file is empty; a "+f.Kind.String()+" file is a YAML mapping")
			return doc, findings
		}
		return doc, append(findings, doc.syntaxError(err))
	}
	if restore != nil {
		restore(&first)
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return doc, append(findings, doc.syntaxError(err))
	default:
		start := doc.documentStart(&second)
		at(rules.YAMLMultipleDocuments, start, doc.lineEnd(start.Line),
			"a second YAML document starts here; Git Sync reads one document per file: remove the `---` and what follows, or move it to its own file")
	}
	return doc.root(f, &first, findings, at)
}

// mayHoldDocuments reports whether src has a document marker (--- or ...)
// at the start of a line after its first: only then can it hold a second
// document, which the slower Decoder must look for.
func mayHoldDocuments(src []byte) bool {
	return bytes.Contains(src, []byte("\n---")) || bytes.Contains(src, []byte("\n..."))
}

// root checks the parsed first document's top level and the rules of its
// nodes.
func (d *Document) root(f File, first *yaml.Node, findings []finding.Finding, at func(rule finding.Rule, start, end finding.Pos, msg string)) (*Document, []finding.Finding) {
	if len(first.Content) == 0 {
		at(rules.YAMLRootNotMapping, finding.Pos{Line: 1, Col: 1}, finding.Pos{Line: 1, Col: 1},
			"file is empty; a "+f.Kind.String()+" file is a YAML mapping")
		return d, findings
	}
	root := first.Content[0]
	if root.Kind != yaml.MappingNode {
		start, end := d.Span(root)
		at(rules.YAMLRootNotMapping, start, end,
			fmt.Sprintf("top level is a %s; a %s file is a YAML mapping of keys such as `%s`", kindName(root), f.Kind, exampleKey(f.Kind)))
		return d, findings
	}
	d.Root = root
	d.nodeRules(root, at)
	return d, findings
}

// SyntaxLine is the line a yaml.v3 syntax error means (1 when it names
// none) and its message without the "yaml: line N:" prefix.
func SyntaxLine(err error) (int, string) {
	m := errLine.FindStringSubmatch(err.Error())
	if m == nil {
		return 1, strings.TrimPrefix(err.Error(), "yaml: ")
	}
	line, _ := strconv.Atoi(m[1])
	if slices.Contains(parserProblems, m[2]) {
		line++
	}
	return line, m[2]
}

var (
	errLine   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	errAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// parserProblems are the messages of yaml.v3's parser, as opposed to its
// scanner. yaml.v3 adds 1 to the 0-based line of a scanner error but not to
// that of a parser error, so a parser error names the line before the one it
// means (yaml.v3 v3.0.1, decode.go parser.fail).
var parserProblems = []string{
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"did not find expected '-' indicator",
	"did not find expected <document start>",
	"did not find expected <stream-start>",
	"did not find expected key",
	"did not find expected node content",
	"found duplicate %TAG directive",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found undefined tag handle",
}

// syntaxError turns a yaml.v3 error, which knows only a line, into a finding
// at the first non-blank column of that line (or at the offending tab).
func (d *Document) syntaxError(err error) finding.Finding {
	line, msg := SyntaxLine(err)
	line = min(max(line, 1), max(d.nLines(), 1))
	// At the end of the input yaml.v3 names the empty line after the last
	// one: the unclosed quote or bracket is above it.
	for line > 1 && len(bytes.TrimSpace(d.line(line))) == 0 {
		line--
	}
	start := finding.Pos{Line: line, Col: d.firstNonBlank(line)}
	// A tab in the indentation shows up as a tab message or, when the tab
	// starts the line, as a character that cannot start a token.
	if strings.Contains(msg, "tab character") || msg == "found character that cannot start any token" {
		if l, c, ok := d.indentTab(line); ok {
			start = finding.Pos{Line: l, Col: c}
			return finding.Finding{Path: d.File.Path, Start: start, End: finding.Pos{Line: start.Line, Col: start.Col + 1},
				Rule: rules.YAMLTab.ID, Severity: rules.YAMLTab.Severity, Message: "tab used for indentation; YAML indents with spaces only"}
		}
	}
	if msg == "control characters are not allowed" {
		// yaml.v3 gives no position for this one: find the character.
		if off, r, ok := controlChar(d.src); ok {
			l, c := d.lines().at(off)
			start = finding.Pos{Line: l, Col: c}
			return finding.Finding{Path: d.File.Path, Start: start, End: finding.Pos{Line: l, Col: c + 1},
				Rule: rules.YAMLSyntax.ID, Severity: rules.YAMLSyntax.Severity,
				Message: fmt.Sprintf("invalid YAML: control character %s is not allowed; delete it (a binary file is not a Git Sync file), or write it as the escape %s inside double quotes", controlName(r), escape(r))}
		}
	}
	end := d.lineEnd(line)
	if msg == "found character that cannot start any token" {
		// YAML reserves @ and ` to start a value: underline the character.
		if i := bytes.IndexAny(d.line(line), "@`"); i >= 0 {
			start = d.pos(line, i)
			end = finding.Pos{Line: line, Col: start.Col + 1}
		}
	}
	if m := errAnchor.FindStringSubmatch(err.Error()); m != nil {
		// yaml.v3 gives no line for an unknown alias: find it.
		if l, off, ok := d.find("*" + m[1]); ok {
			start, end = d.pos(l, off), d.pos(l, off+1+len(m[1]))
		}
		msg = fmt.Sprintf("alias *%s refers to no anchor &%s before it", m[1], m[1])
	}
	if end.Before(start) {
		end = start // a line of only blanks
	}
	return finding.Finding{Path: d.File.Path, Start: start, End: end,
		Rule: rules.YAMLSyntax.ID, Severity: rules.YAMLSyntax.Severity, Message: "invalid YAML: " + msg}
}

// find returns the first line and byte offset where s occurs.
func (d *Document) find(s string) (int, int, bool) {
	for l := 1; l <= d.nLines(); l++ {
		if off := bytes.Index(d.line(l), []byte(s)); off >= 0 {
			return l, off, true
		}
	}
	return 0, 0, false
}

// nodeRules walks every node for the rules yaml.v3 lets pass: duplicate
// keys (kept in a node tree, only rejected when decoding into a Go map) and
// explicit tags.
func (d *Document) nodeRules(n *yaml.Node, at func(rule finding.Rule, start, end finding.Pos, msg string)) {
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Style&yaml.TaggedStyle != 0 {
			start, end, tag := d.tag(n)
			at(rules.YAMLTag, start, end, fmt.Sprintf("tag %s: Git Sync never writes tags and some YAML readers reject them; remove it (quote the value to keep it text)", tag))
		}
		if n.Kind == yaml.MappingNode {
			// Git Sync mappings are small: comparing with the keys before
			// is cheaper than a map, which only large mappings get.
			var seen map[string]*yaml.Node
			if len(n.Content) > 32 {
				seen = make(map[string]*yaml.Node, len(n.Content)/2)
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if k.Kind != yaml.ScalarNode || isMerge(k) {
					continue
				}
				prev, ok := seen[k.Value]
				for j := 0; seen == nil && j < i; j += 2 {
					if p := n.Content[j]; p.Kind == yaml.ScalarNode && p.Value == k.Value && !isMerge(p) {
						prev, ok = p, true
						break
					}
				}
				if ok {
					start, end := d.Span(k)
					at(rules.YAMLDuplicateKey, start, end, fmt.Sprintf("key %q is already set on line %d; keep one of them", k.Value, prev.Line))
					continue
				}
				if seen != nil {
					seen[k.Value] = k
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
}

// tag returns where n's tag is written and its text: yaml.v3 starts a node
// at its anchor or tag, in either order.
func (d *Document) tag(n *yaml.Node) (start, end finding.Pos, text string) {
	fallback := d.clamp(finding.Pos{Line: n.Line, Col: n.Column})
	line, off, ok := d.offset(n.Line, n.Column)
	if !ok {
		return fallback, fallback, n.ShortTag()
	}
	src := d.line(line)
	for off < len(src) && src[off] != '!' {
		if src[off] != '&' {
			return fallback, fallback, n.ShortTag()
		}
		for off < len(src) && src[off] != ' ' && src[off] != '\t' {
			off++
		}
		for off < len(src) && (src[off] == ' ' || src[off] == '\t') {
			off++
		}
	}
	if off >= len(src) {
		return fallback, fallback, n.ShortTag()
	}
	// A tag ends at a blank or, in flow context, at a flow indicator; a
	// verbatim tag !<...> at its '>'.
	stop := " \t,[]{}"
	if bytes.HasPrefix(src[off:], []byte("!<")) {
		stop = ">"
	}
	width := bytes.IndexAny(src[off:], stop)
	if width < 0 {
		width = len(src) - off
	} else if stop == ">" {
		width++
	}
	return d.pos(line, off), d.pos(line, off+width), string(src[off : off+width])
}

// documentStart finds the `---` that opens the document n: yaml.v3 puts a
// document at its first content, which for an empty document can be past
// the end of the file.
func (d *Document) documentStart(n *yaml.Node) finding.Pos {
	line := n.Line
	if len(n.Content) > 0 {
		line = n.Content[0].Line
	}
	line = min(max(line, 1), d.nLines())
	for l := line; l >= 1; l-- {
		if bytes.HasPrefix(d.line(l), []byte("---")) {
			return finding.Pos{Line: l, Col: 1}
		}
	}
	return finding.Pos{Line: line, Col: d.firstNonBlank(line)}
}

// controlChar returns the byte offset of the first character yaml.v3's
// reader refuses: YAML text is tab, line breaks and printable characters.
func controlChar(src []byte) (int, rune, bool) {
	for off, r := range string(src) {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == 0x85,
			r >= 0x20 && r <= 0x7e, r >= 0xa0 && r <= 0xd7ff,
			r >= 0xe000 && r <= 0xfffd, r >= 0x10000 && r <= 0x10ffff:
		default:
			return off, r, true
		}
	}
	return 0, 0, false
}

// controlName names a control character: U+0000 (NUL).
func controlName(r rune) string {
	names := map[rune]string{0: "NUL", 0x7f: "DEL", 0x1b: "ESC", 0x0c: "form feed", 0x08: "backspace"}
	if n, ok := names[r]; ok {
		return fmt.Sprintf("U+%04X (%s)", r, n)
	}
	return fmt.Sprintf("U+%04X", r)
}

// escape is how a double-quoted YAML string writes r.
func escape(r rune) string {
	if r <= 0xff {
		return fmt.Sprintf(`\x%02X`, r)
	}
	return fmt.Sprintf(`\u%04X`, r)
}

func (d *Document) invalidUTF8() finding.Pos {
	for l := 1; l <= d.nLines(); l++ {
		src := d.line(l)
		col := 1
		for len(src) > 0 {
			r, size := utf8.DecodeRune(src)
			if r == utf8.RuneError && size <= 1 {
				return finding.Pos{Line: l, Col: col}
			}
			src = src[size:]
			col++
		}
	}
	return finding.Pos{Line: 1, Col: 1}
}

// indentTab finds the tab yaml.v3 complained about: on the reported line or,
// as the scanner reports the line after, the one before.
func (d *Document) indentTab(line int) (int, int, bool) {
	for _, l := range []int{line, line - 1, line + 1} {
		if l < 1 || l > d.nLines() {
			continue
		}
		for i, b := range d.line(l) {
			if b == '\t' {
				return l, d.lines().col(l, i), true
			}
			if b != ' ' {
				break
			}
		}
	}
	return 0, 0, false
}

func (d *Document) firstNonBlank(line int) int {
	if line < 1 || line > d.nLines() {
		return 1
	}
	l := d.line(line)
	return d.lines().col(line, len(l)-len(bytes.TrimLeft(l, " \t")))
}

func (d *Document) lineEnd(line int) finding.Pos {
	if line < 1 || line > d.nLines() {
		return finding.Pos{Line: line, Col: 1}
	}
	return d.pos(line, len(bytes.TrimRight(d.line(line), " \t")))
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}

func exampleKey(k Kind) string {
	switch k {
	case Model, ParentModel, RelatedModel, EventModel, Contract:
		return "name:"
	case Sync:
		return "model:"
	case Manifest, Aliases:
		return "sources:"
	case Relationship:
		return "from:"
	}
	panic(fmt.Sprintf("workspace: %v has no example key", k))
}
