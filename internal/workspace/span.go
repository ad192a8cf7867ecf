package workspace

import (
	"bytes"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/htgit/htgit/internal/finding"
)

// Span returns where n starts and ends in the source. yaml.v3 records only
// starts, so ends are found by reading the source from there: a finding
// then underlines exactly the offending value.
func (d *Document) Span(n *yaml.Node) (start, end finding.Pos) {
	start = finding.Pos{Line: n.Line, Col: n.Column}
	return start, d.end(n)
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
func (d *Document) scalarEnd(n *yaml.Node) finding.Pos {
	line, off, ok := d.offset(n.Line, n.Column)
	if !ok {
		return finding.Pos{Line: n.Line, Col: n.Column}
	}
	src := d.lines[line-1]
	rest := src[off:]
	switch {
	case len(rest) == 0:
		return finding.Pos{Line: line, Col: n.Column}
	case rest[0] == '"' || rest[0] == '\'':
		return d.quotedEnd(line, off)
	case rest[0] == '|' || rest[0] == '>':
		return d.blockEnd(line)
	case rest[0] == '{' || rest[0] == '[':
		if i := bytes.IndexByte(rest, closing(rest[0])); i >= 0 {
			return d.pos(line, off+i+1)
		}
	case n.Kind == yaml.ScalarNode && bytes.HasPrefix(rest, []byte(n.Value)):
		return d.pos(line, off+len(n.Value))
	}
	// A plain scalar folded over lines, an anchor or tag before the value:
	// underline the rest of the line, up to a comment.
	end := len(rest)
	if i := bytes.Index(rest, []byte(" #")); i >= 0 {
		end = i
	}
	return d.pos(line, off+len(bytes.TrimRight(rest[:end], " \t")))
}

func closing(open byte) byte {
	if open == '{' {
		return '}'
	}
	return ']'
}

// quotedEnd finds the closing quote, which may be lines further down.
func (d *Document) quotedEnd(line, off int) finding.Pos {
	q := d.lines[line-1][off]
	i := off + 1
	for l := line; l <= len(d.lines); l, i = l+1, 0 {
		src := d.lines[l-1]
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
// on line: its content is every following line that is blank or indented
// deeper than that line.
func (d *Document) blockEnd(line int) finding.Pos {
	indent := indentOf(d.lines[line-1])
	last := line
	for l := line + 1; l <= len(d.lines); l++ {
		src := d.lines[l-1]
		if len(bytes.TrimSpace(src)) == 0 {
			continue
		}
		if indentOf(src) <= indent {
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
	for l := line; l <= len(d.lines); l, off = l+1, 0 {
		src := d.lines[l-1]
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
	if line < 1 || line > len(d.lines) || col < 1 {
		return 0, 0, false
	}
	src := d.lines[line-1]
	off := 0
	for c := 1; c < col; c++ {
		if off >= len(src) {
			return line, len(src), true
		}
		_, size := utf8.DecodeRune(src[off:])
		off += size
	}
	return line, off, true
}

// pos converts a byte offset in a line back to a rune column.
func (d *Document) pos(line, off int) finding.Pos {
	return finding.Pos{Line: line, Col: utf8.RuneCount(d.lines[line-1][:off]) + 1}
}
