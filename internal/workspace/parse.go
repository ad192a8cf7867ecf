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
type Document struct {
	File  File
	Root  *yaml.Node
	src   []byte
	lines [][]byte // src's lines without their breaks; see ln
}

// ln returns the source lines, split on first use: only a file with a
// finding to place needs them.
func (d *Document) ln() [][]byte {
	if d.lines == nil {
		d.lines = splitLines(d.src)
	}
	return d.lines
}

var bom = []byte("\xef\xbb\xbf")

// Parse parses src as the content of f. It never panics: a parser failure is
// a yaml-syntax finding.
func Parse(f File, src []byte) (doc *Document, findings []finding.Finding) {
	src = bytes.TrimPrefix(src, bom)
	doc = &Document{File: f, src: src}
	at := func(rule finding.Rule, start, end finding.Pos, msg string) {
		findings = append(findings, finding.Finding{Path: f.Path, Start: start, End: end,
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

	dec := yaml.NewDecoder(bytes.NewReader(src))
	var first yaml.Node
	if err := dec.Decode(&first); err != nil {
		if errors.Is(err, io.EOF) {
			at(rules.YAMLRootNotMapping, finding.Pos{Line: 1, Col: 1}, finding.Pos{Line: 1, Col: 1},
				"file is empty; a "+f.Kind.String()+" file is a YAML mapping")
			return doc, findings
		}
		return doc, append(findings, doc.syntaxError(err))
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

	if len(first.Content) == 0 {
		at(rules.YAMLRootNotMapping, finding.Pos{Line: 1, Col: 1}, finding.Pos{Line: 1, Col: 1},
			"file is empty; a "+f.Kind.String()+" file is a YAML mapping")
		return doc, findings
	}
	root := first.Content[0]
	if root.Kind != yaml.MappingNode {
		start, end := doc.Span(root)
		at(rules.YAMLRootNotMapping, start, end,
			fmt.Sprintf("top level is a %s; a %s file is a YAML mapping of keys such as `%s`", kindName(root), f.Kind, exampleKey(f.Kind)))
		return doc, findings
	}
	doc.Root = root
	findings = append(findings, doc.duplicateKeys(root)...)
	return doc, findings
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
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := errLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		if slices.Contains(parserProblems, msg) {
			line++
		}
	}
	line = min(max(line, 1), max(len(d.ln()), 1))
	// At the end of the input yaml.v3 names the empty line after the last
	// one: the unclosed quote or bracket is above it.
	for line > 1 && len(bytes.TrimSpace(d.ln()[line-1])) == 0 {
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
	end := d.lineEnd(line)
	if msg == "found character that cannot start any token" {
		// YAML reserves @ and ` to start a value: underline the character.
		if i := bytes.IndexAny(d.ln()[line-1], "@`"); i >= 0 {
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
	for i, l := range d.ln() {
		if off := bytes.Index(l, []byte(s)); off >= 0 {
			return i + 1, off, true
		}
	}
	return 0, 0, false
}

// duplicateKeys walks every mapping: yaml.v3 keeps duplicates in a node tree
// and only rejects them when decoding into a Go map.
func (d *Document) duplicateKeys(n *yaml.Node) []finding.Finding {
	var out []finding.Finding
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
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
					out = append(out, finding.Finding{Path: d.File.Path, Start: start, End: end,
						Rule: rules.YAMLDuplicateKey.ID, Severity: rules.YAMLDuplicateKey.Severity,
						Message: fmt.Sprintf("key %q is already set on line %d; keep one of them", k.Value, prev.Line)})
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
	return out
}

// documentStart finds the `---` that opens the document n: yaml.v3 puts a
// document at its first content, which for an empty document can be past
// the end of the file.
func (d *Document) documentStart(n *yaml.Node) finding.Pos {
	line := n.Line
	if len(n.Content) > 0 {
		line = n.Content[0].Line
	}
	line = min(max(line, 1), len(d.ln()))
	for l := line; l >= 1; l-- {
		if bytes.HasPrefix(d.ln()[l-1], []byte("---")) {
			return finding.Pos{Line: l, Col: 1}
		}
	}
	return finding.Pos{Line: line, Col: d.firstNonBlank(line)}
}

func (d *Document) invalidUTF8() finding.Pos {
	for i, l := range d.ln() {
		col := 1
		for len(l) > 0 {
			r, size := utf8.DecodeRune(l)
			if r == utf8.RuneError && size <= 1 {
				return finding.Pos{Line: i + 1, Col: col}
			}
			l = l[size:]
			col++
		}
	}
	return finding.Pos{Line: 1, Col: 1}
}

// indentTab finds the tab yaml.v3 complained about: on the reported line or,
// as the scanner reports the line after, the one before.
func (d *Document) indentTab(line int) (int, int, bool) {
	for _, l := range []int{line, line - 1, line + 1} {
		if l < 1 || l > len(d.ln()) {
			continue
		}
		for i, b := range d.ln()[l-1] {
			if b == '\t' {
				return l, utf8.RuneCount(d.ln()[l-1][:i]) + 1, true
			}
			if b != ' ' {
				break
			}
		}
	}
	return 0, 0, false
}

func (d *Document) firstNonBlank(line int) int {
	if line < 1 || line > len(d.ln()) {
		return 1
	}
	l := d.ln()[line-1]
	trimmed := bytes.TrimLeft(l, " \t")
	return utf8.RuneCount(l[:len(l)-len(trimmed)]) + 1
}

func (d *Document) lineEnd(line int) finding.Pos {
	if line < 1 || line > len(d.ln()) {
		return finding.Pos{Line: line, Col: 1}
	}
	return finding.Pos{Line: line, Col: utf8.RuneCount(bytes.TrimRight(d.ln()[line-1], " \t")) + 1}
}

// splitLines splits src where yaml.v3 counts a new line: CRLF, LF, a lone
// CR, and NEL, LS and PS (U+0085, U+2028, U+2029), so line numbers from the
// parser index these lines.
func splitLines(src []byte) [][]byte {
	lines := make([][]byte, 0, bytes.Count(src, []byte("\n"))+1)
	start := 0
	for i := 0; i < len(src); {
		switch {
		case src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n':
			lines = append(lines, src[start:i])
			i += 2
		case src[i] == '\n' || src[i] == '\r':
			lines = append(lines, src[start:i])
			i++
		case src[i] == 0xc2 && i+1 < len(src) && src[i+1] == 0x85,
			src[i] == 0xe2 && i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xa8 || src[i+2] == 0xa9):
			lines = append(lines, src[start:i])
			if src[i] == 0xc2 {
				i += 2
			} else {
				i += 3
			}
		default:
			i++
			continue
		}
		start = i
	}
	return append(lines, src[start:])
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
	case Model:
		return "name:"
	case Sync:
		return "model:"
	}
	return "sources:"
}
