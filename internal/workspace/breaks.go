package workspace

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// YAML 1.1 counted NEL, LS and PS (U+0085, U+2028, U+2029) as line breaks;
// YAML 1.2, which Git Sync's readers follow, reads them as text. yaml.v3
// keeps the 1.1 rule, so "a\u2028b" in a plain scalar is a false syntax
// error. textBreaks hands yaml.v3 a copy in which each of them is replaced
// by a character of the same UTF-8 length the file does not use, and
// restore puts them back into the parsed values. Lengths and rune counts
// are unchanged, so every position yaml.v3 reports is one in the file.
var textBreakRunes = []rune{'\u0085', '\u2028', '\u2029'}

// textBreaks returns the source to parse and a function that restores the
// breaks in a parsed tree (nil when src holds none of them).
func textBreaks(src []byte) ([]byte, func(*yaml.Node)) {
	var present []rune
	for _, r := range textBreakRunes {
		if bytes.ContainsRune(src, r) {
			present = append(present, r)
		}
	}
	if len(present) == 0 {
		return src, nil
	}
	used := usedStandIns(src)
	var pairs []string // stand-in, break: for strings.NewReplacer
	out := bytes.Clone(src)
	for _, r := range present {
		s, ok := standIn(r, used)
		if !ok {
			continue // every stand-in is in use: yaml.v3 reads it as 1.1 does
		}
		used[s] = true
		out = bytes.ReplaceAll(out, []byte(string(r)), []byte(string(s)))
		pairs = append(pairs, string(s), string(r))
	}
	if len(pairs) == 0 {
		return src, nil
	}
	rep := strings.NewReplacer(pairs...)
	var restore func(n *yaml.Node)
	restore = func(n *yaml.Node) {
		n.Value = rep.Replace(n.Value)
		for _, c := range n.Content {
			restore(c)
		}
	}
	return out, restore
}

// Stand-ins come from ranges yaml.v3 reads as ordinary printable text:
// two-byte U+0100..U+07FF for NEL, the private use area for LS and PS.
var standInRanges = map[int][2]rune{2: {0x100, 0x7ff}, 3: {0xe000, 0xf8ff}}

// usedStandIns lists the candidate stand-ins that src already holds.
func usedStandIns(src []byte) map[rune]bool {
	used := map[rune]bool{}
	for _, r := range string(src) {
		if r >= standInRanges[2][0] && r <= standInRanges[2][1] || r >= standInRanges[3][0] && r <= standInRanges[3][1] {
			used[r] = true
		}
	}
	return used
}

// standIn returns an unused character as long in UTF-8 as r.
func standIn(r rune, used map[rune]bool) (rune, bool) {
	span := standInRanges[utf8.RuneLen(r)]
	for s := span[0]; s <= span[1]; s++ {
		if !used[s] {
			return s, true
		}
	}
	return 0, false
}
