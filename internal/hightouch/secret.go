package hightouch

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// redactedText replaces the key wherever a server echoes it.
const redactedText = "[redacted]"

// keyPattern matches the key as htgit could print it after a server
// echoed it: raw, with any of its characters JSON-escaped (\u005f, \/,
// also escaped again: \\u005f) or URL-encoded (%5F, also again: %255F), in
// any mix and either case of hex digits.
func keyPattern(key string) *regexp.Regexp {
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
	return regexp.MustCompile(b.String())
}

// redact replaces every form of the key in b.
func (c *Client) redact(b []byte) []byte {
	return c.secret.ReplaceAll(b, []byte(redactedText))
}
