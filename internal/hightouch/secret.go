package hightouch

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// redactedText replaces the key wherever a server echoes it.
const redactedText = "[redacted]"

// MinKeyLength is the shortest key htgit sends. A Hightouch key is a UUID
// (36 characters); a key of a few characters is a mistake, and redacting it
// would garble every message it occurs in ("conte[redacted]t").
const MinKeyLength = 16

// minPiece is the shortest run of the key's characters redacted on its own:
// a server that splits the key across fields shows it in pieces, and a
// piece this long of a random key does not occur in ordinary text.
const minPiece = 8

// secret finds the key in what a server sends back.
type secret struct {
	forms *regexp.Regexp // the whole key, raw or escaped, anchored at the start
	// starts are the bytes a form of the key can begin with: its first
	// character, a backslash (a JSON escape) or a percent sign (URL
	// encoding). The regexp runs only where one is: over the whole text it
	// cost 35 ns a byte, 70 ms for a 2 MB error body.
	starts string
	// literals are the key in hex and base64, and every minPiece-long run
	// of the key, found with bytes.Index: as alternatives of forms they
	// made it 15 times slower.
	literals [][]byte
}

func newSecret(key string) *secret {
	s := &secret{forms: regexp.MustCompile(`^(?:` + keyPattern(key) + `)`), starts: key[:1] + `\%`}
	for _, h := range []string{hex.EncodeToString([]byte(key)), strings.ToUpper(hex.EncodeToString([]byte(key)))} {
		s.literals = append(s.literals, []byte(h))
	}
	for _, form := range base64Forms(key) {
		s.literals = append(s.literals, []byte(form))
	}
	for i := 0; i+minPiece <= len(key); i++ {
		s.literals = append(s.literals, []byte(key[i:i+minPiece]))
	}
	return s
}

// keyPattern matches the key as htgit could print it after a server
// echoed it: raw, with any of its characters JSON-escaped (\u005f, \/,
// also escaped again: \\u005f) or URL-encoded (%5F, also again: %255F), in
// any mix and either case of hex digits.
func keyPattern(key string) string {
	var b strings.Builder
	for _, r := range key {
		b.WriteString("(?:" + regexp.QuoteMeta(string(r)))
		if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			fmt.Fprintf(&b, `|\\+[uU](?i:%04x)\\+[uU](?i:%04x)`, r1, r2)
		} else {
			fmt.Fprintf(&b, `|\\+[uU](?i:%04x)`, r)
		}
		if r == '/' || r == '"' || r == '\\' {
			b.WriteString(`|\\+` + regexp.QuoteMeta(string(r)))
		}
		b.WriteString("|")
		for _, c := range []byte(string(r)) {
			fmt.Fprintf(&b, `%%(?:25)*(?i:%02x)`, c)
		}
		b.WriteString(")")
	}
	return b.String()
}

// base64Forms are the runs of base64 (standard or URL alphabet) that the
// encoding of any text holding the key contains, such as ":KEY" or
// "Bearer KEY": base64 encodes 3 bytes as 4 characters, so the key's
// encoding depends on its offset modulo 3, and each form leaves out the
// characters that also encode a neighbour's bytes.
func base64Forms(key string) []string {
	var forms []string
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for offset := range 3 {
			text := strings.Repeat("\x00", offset) + key
			s := enc.EncodeToString([]byte(text))
			start := 0
			if offset > 0 {
				start = 4 // the group that holds the preceding bytes
			}
			end := len(text) / 3 * 4 // the last group may hold following bytes
			forms = append(forms, s[start:end])
		}
	}
	return forms
}

// redact replaces every form of the key in b, and every run of minPiece or
// more of its characters.
func (s *secret) redact(b []byte) []byte {
	b = s.replaceForms(b)
	var cover []bool // a byte of b is part of a literal form
	for _, p := range s.literals {
		for i, from := 0, 0; ; from = i + 1 {
			j := bytes.Index(b[from:], p)
			if j < 0 {
				break
			}
			i = from + j
			if cover == nil {
				cover = make([]bool, len(b))
			}
			for k := i; k < i+len(p); k++ {
				cover[k] = true
			}
		}
	}
	if cover == nil {
		return b
	}
	var out []byte
	for i := 0; i < len(b); i++ {
		if !cover[i] {
			out = append(out, b[i])
			continue
		}
		out = append(out, redactedText...)
		for i+1 < len(b) && cover[i+1] {
			i++
		}
	}
	return out
}

// replaceForms replaces each form of the key in b, leftmost first, as
// Regexp.ReplaceAll would with forms unanchored.
func (s *secret) replaceForms(b []byte) []byte {
	var out []byte
	done := 0 // b[:done] is in out
	for i := 0; i < len(b); {
		j := bytes.IndexAny(b[i:], s.starts)
		if j < 0 {
			break
		}
		i += j
		m := s.forms.FindIndex(b[i:])
		if m == nil {
			i++
			continue
		}
		out = append(append(out, b[done:i]...), redactedText...)
		i += max(m[1], 1)
		done = i
	}
	if done == 0 {
		return b
	}
	return append(out, b[done:]...)
}

// redactString is redact for a string.
func (s *secret) redactString(v string) string { return string(s.redact([]byte(v))) }
