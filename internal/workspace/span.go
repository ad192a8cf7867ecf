package workspace

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/finding"
)

// Span returns where n starts and ends in the source. yaml.v3 records only
// starts, so ends are found by reading the source from there: a finding
// then underlines exactly the offending value.
//
// yaml.v3 places an empty node at the end of the input, which can be a line
// past the last one ("?" alone): positions are kept inside the file.
func (d *Document) Span(n *yaml.Node) (start, end finding.Pos) {
	start = d.clamp(finding.Pos{Line: n.Line, Col: n.Column})
	end = d.clamp(d.end(n))
	if end.Before(start) {
		end = start
	}
	return start, end
}

// clamp moves a position past the last line to the end of the file.
func (d *Document) clamp(p finding.Pos) finding.Pos {
	p.Line, p.Col = max(p.Line, 1), max(p.Col, 1)
	if last := d.nLines(); p.Line > last {
		return d.pos(last, len(d.line(last)))
	}
	return p
}

func (d *Document) end(n *yaml.Node) finding.Pos {
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		if len(n.Content) == 0 {
			return d.scalarEnd(n) // {} or []
		}
		last := d.end(n.Content[len(n.Content)-1])
		if n.Style&yaml.FlowStyle != 0 {
			return d.closingBracket(last)
		}
		return last
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return d.end(n.Content[0])
		}
	}
	return d.scalarEnd(n)
}

// scalarEnd scans one scalar (or alias, or empty flow collection) token.
// yaml.v3 starts a node at its anchor or tag, so those are skipped first.
func (d *Document) scalarEnd(n *yaml.Node) finding.Pos {
	start := finding.Pos{Line: n.Line, Col: n.Column}
	line, off, ok := d.offset(n.Line, n.Column)
	if !ok {
		return start
	}
	if n.Kind == yaml.AliasNode {
		if src := d.line(line); off < len(src) && src[off] == '*' {
			return d.pos(line, min(off+1+len(n.Value), len(src)))
		}
		return d.restOfLine(line, off)
	}
	line, off = d.skipProperties(line, off, n.Value != "")
	rest := d.line(line)[off:]
	switch {
	case len(rest) == 0:
		return d.pos(line, off)
	case rest[0] == '"' || rest[0] == '\'':
		return d.quotedEnd(line, off)
	case rest[0] == '|' || rest[0] == '>':
		return d.blockEnd(line, n.Value == "")
	case rest[0] == '{' || rest[0] == '[':
		if i := bytes.IndexByte(rest, closing(rest[0])); i >= 0 {
			return d.pos(line, off+i+1)
		}
	case n.Kind == yaml.ScalarNode:
		if end, ok := d.plainEnd(line, off, n.Value); ok {
			return end
		}
	}
	return d.restOfLine(line, off)
}

// restOfLine underlines from off to the end of the line, up to a comment:
// the fallback when the token cannot be read exactly.
func (d *Document) restOfLine(line, off int) finding.Pos {
	rest := d.line(line)[off:]
	end := len(rest)
	if i := bytes.Index(rest, []byte(" #")); i >= 0 {
		end = i
	}
	return d.pos(line, off+len(bytes.TrimRight(rest[:end], " \t")))
}

// skipProperties moves past an anchor (&a) and a tag (!t) and the space
// after them; with more, the value may continue on a following line.
func (d *Document) skipProperties(line, off int, more bool) (int, int) {
	src := d.line(line)
	for off < len(src) && (src[off] == '&' || src[off] == '!') {
		for off < len(src) && src[off] != ' ' && src[off] != '\t' {
			off++
		}
		for off < len(src) && (src[off] == ' ' || src[off] == '\t') {
			off++
		}
	}
	if off < len(src) || !more {
		return line, off
	}
	for l := line + 1; l <= d.nLines(); l++ {
		if t := bytes.TrimLeft(d.line(l), " \t"); len(t) > 0 {
			return l, len(d.line(l)) - len(t)
		}
	}
	return line, off
}

// plainEnd finds the end of a plain scalar, which may fold over lines: the
// source holds the value's words in order, separated by spaces and breaks.
func (d *Document) plainEnd(line, off int, value string) (finding.Pos, bool) {
	// Words are split where YAML folds (spaces, tabs, breaks), not at every
	// Unicode space: a no-break space or LS is part of a word.
	yamlSpace := func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }
	if strings.TrimFunc(value, yamlSpace) == "" {
		return finding.Pos{}, false
	}
	for w := range strings.FieldsFuncSeq(value, yamlSpace) {
		for {
			src := d.line(line)
			for off < len(src) && (src[off] == ' ' || src[off] == '\t') {
				off++
			}
			if off < len(src) {
				break
			}
			if line++; line > d.nLines() {
				return finding.Pos{}, false
			}
			off = 0
		}
		if !bytes.HasPrefix(d.line(line)[off:], []byte(w)) {
			return finding.Pos{}, false
		}
		off += len(w)
	}
	return d.pos(line, off), true
}

func closing(open byte) byte {
	if open == '{' {
		return '}'
	}
	return ']'
}

// quotedEnd finds the closing quote, which may be lines further down.
func (d *Document) quotedEnd(line, off int) finding.Pos {
	q := d.line(line)[off]
	i := off + 1
	for l := line; l <= d.nLines(); l, i = l+1, 0 {
		src := d.line(l)
		for ; i < len(src); i++ {
			switch {
			case q == '"' && src[i] == '\\':
				i++
			case src[i] == q && q == '\'' && i+1 < len(src) && src[i+1] == '\'':
				i++
			case src[i] == q:
				return d.pos(l, i+1)
			}
		}
	}
	return d.lineEnd(line)
}

// blockEnd returns the end of a literal or folded scalar whose indicator is
// on line. Its content indentation is that of its first non-blank line,
// which must be deeper than the indicator's line; the content is every
// following line that is blank or indented at least as much.
func (d *Document) blockEnd(line int, empty bool) finding.Pos {
	last := line
	content := -1
	for l := line + 1; l <= d.nLines() && !empty; l++ {
		src := d.line(l)
		if len(bytes.TrimSpace(src)) == 0 {
			continue
		}
		ind := indentOf(src)
		if content < 0 {
			if ind <= indentOf(d.line(line)) {
				break
			}
			content = ind
		}
		if ind < content {
			break
		}
		last = l
	}
	return d.lineEnd(last)
}

func (d *Document) closingBracket(after finding.Pos) finding.Pos {
	line, off, ok := d.offset(after.Line, after.Col)
	if !ok {
		return after
	}
	for l := line; l <= d.nLines(); l, off = l+1, 0 {
		src := d.line(l)
		for i := off; i < len(src); i++ {
			if src[i] == '}' || src[i] == ']' {
				return d.pos(l, i+1)
			}
		}
	}
	return after
}

func indentOf(l []byte) int {
	return len(l) - len(bytes.TrimLeft(l, " "))
}

// offset converts a 1-based line and rune column to a byte offset in that line.
func (d *Document) offset(line, col int) (int, int, bool) {
	if line < 1 || line > d.nLines() || col < 1 {
		return 0, 0, false
	}
	return line, d.lines().offset(line, col), true
}

// pos converts a byte offset in a line back to a rune column.
func (d *Document) pos(line, off int) finding.Pos {
	return finding.Pos{Line: line, Col: d.lines().col(line, off)}
}
