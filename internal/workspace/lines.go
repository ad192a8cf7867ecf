package workspace

import (
	"bytes"
	"sort"
	"unicode/utf8"
)

// lineIndex finds lines and converts rune columns to byte offsets in time
// that does not grow with the line: a finding on each of 200,000 values of
// one flow list must not rescan that line every time.
type lineIndex struct {
	src    []byte
	starts []int // byte offset where each line starts
	ascii  bool  // the whole source is ASCII: a column is an offset
	// runes holds, for a line with non-ASCII text, the byte offset of each
	// rune and then the line's length; built on first use, nil for an
	// ASCII line.
	runes map[int][]int32
}

// newLineIndex splits src where yaml.v3 counts a new line once its NEL, LS
// and PS have been made text (see textBreaks): CRLF, LF and a lone CR.
func newLineIndex(src []byte) *lineIndex {
	x := &lineIndex{src: src, starts: make([]int, 1, bytes.Count(src, []byte("\n"))+1), ascii: true}
	for i := 0; i < len(src); i++ {
		switch b := src[i]; {
		case b == '\r' && i+1 < len(src) && src[i+1] == '\n':
			i++
			x.starts = append(x.starts, i+1)
		case b == '\n' || b == '\r':
			x.starts = append(x.starts, i+1)
		case b >= utf8.RuneSelf:
			x.ascii = false
		}
	}
	return x
}

// count is the number of lines; an empty source has one, empty.
func (x *lineIndex) count() int { return len(x.starts) }

// line returns the 1-based line l without its break.
func (x *lineIndex) line(l int) []byte {
	start, end := x.starts[l-1], len(x.src)
	if l < len(x.starts) {
		end = x.starts[l] - 1
		if end > start && x.src[end] == '\n' && x.src[end-1] == '\r' {
			end--
		}
	}
	return x.src[start:end]
}

// runeOffsets returns the rune offsets of line l, or nil when it is ASCII.
func (x *lineIndex) runeOffsets(l int) []int32 {
	if x.ascii {
		return nil
	}
	if offs, ok := x.runes[l]; ok {
		return offs
	}
	src := x.line(l)
	var offs []int32
	for i := range src {
		if src[i] >= utf8.RuneSelf {
			offs = make([]int32, 0, utf8.RuneCount(src)+1)
			for off := range string(src) {
				offs = append(offs, int32(off))
			}
			offs = append(offs, int32(len(src)))
			break
		}
	}
	if x.runes == nil {
		x.runes = map[int][]int32{}
	}
	x.runes[l] = offs
	return offs
}

// offset converts a 1-based rune column of line l to a byte offset in the
// line; a column past the end gives the line's length.
func (x *lineIndex) offset(l, col int) int {
	if offs := x.runeOffsets(l); offs != nil {
		return int(offs[min(col-1, len(offs)-1)])
	}
	return min(col-1, len(x.line(l)))
}

// col converts a byte offset in line l to a 1-based rune column.
func (x *lineIndex) col(l, off int) int {
	offs := x.runeOffsets(l)
	if offs == nil {
		return off + 1
	}
	// An offset inside a rune counts as that rune, as utf8.RuneCount does.
	return sort.Search(len(offs), func(i int) bool { return int(offs[i]) >= off }) + 1
}

// at converts a byte offset in the source to a 1-based line and column.
func (x *lineIndex) at(off int) (line, col int) {
	line = sort.Search(len(x.starts), func(i int) bool { return x.starts[i] > off })
	return line, x.col(line, off-x.starts[line-1])
}
