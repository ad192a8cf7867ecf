package hightouch

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Everything Hightouch sends is untrusted text. It is made safe here, where
// it enters htgit, and nowhere else: every output (the text on a terminal,
// workflow commands and the log of a GitHub job, the job summary, JSON,
// SARIF) is built from what this package returns, so no formatter has to
// remember it, and a formatter added later is covered. A terminal control
// sequence (ESC, C1 controls), a bidirectional override, and in a one-line
// string a line break (which would start a workflow command such as
// "::error::" or "::add-mask::" in a job's log) are written as Go escapes:
// \x1b, \u202e, \n. The key was redacted from the bytes before decoding.

// maxMessage bounds a message of Hightouch's (an error, its details, a
// run's error) as printed; the rest is cut and counted.
const maxMessage = 1000

// multiLine are the struct fields whose line breaks are data (queries and
// descriptions, compared with files and exported); inside maps and lists
// (a sync's configuration) line breaks are data too. Every other string
// field is one line: slugs, names, statuses, errors.
var multiLine = map[string]bool{"SQL": true, "CompiledSQL": true, "RawSQL": true, "Description": true}

// escaped reports whether r is written as an escape.
func escaped(r rune, oneLine bool) bool {
	switch {
	case r == '\n', r == '\t', r == '\r':
		return oneLine
	case r < 0x20, r >= 0x7f && r < 0xa0, r == utf8.RuneError:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// printable writes the characters of s that are not safe to print as Go
// escapes; on one line when oneLine.
func printable(s string, oneLine bool) string {
	i := strings.IndexFunc(s, func(r rune) bool { return escaped(r, oneLine) })
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if escaped(r, oneLine) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clip cuts s to maxMessage bytes (at a character boundary) and says how
// much was cut.
func clip(s string) string {
	if len(s) <= maxMessage {
		return s
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes cut)", s[:cut], len(s)-cut)
}

// message is server text as htgit prints it: one line, clipped.
func message(s string) string { return clip(printable(s, true)) }

// scrub makes every string of a decoded answer printable in place (v is a
// pointer); a run's error is also clipped.
func scrub(v any) { scrubValue(reflect.ValueOf(v), false) }

func scrubValue(v reflect.Value, multi bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Interface {
			// An interface's content cannot be set: scrub a copy and put it back.
			c := reflect.New(v.Elem().Type()).Elem()
			c.Set(v.Elem())
			scrubValue(c, multi)
			if v.CanSet() {
				v.Set(c)
			}
			return
		}
		scrubValue(v.Elem(), multi)
	case reflect.String:
		if v.CanSet() {
			v.SetString(printable(v.String(), !multi))
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				scrubValue(v.Field(i), multiLine[f.Name])
				if f.Name == "Error" && f.Type.Kind() == reflect.String {
					v.Field(i).SetString(clip(v.Field(i).String()))
				}
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // json.RawMessage: not text htgit prints
		}
		for i := range v.Len() {
			scrubValue(v.Index(i), true)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			c := reflect.New(it.Value().Type()).Elem()
			c.Set(it.Value())
			scrubValue(c, true)
			v.SetMapIndex(it.Key(), c)
		}
	}
}
