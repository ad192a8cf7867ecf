package report

import (
	"io"
	"strings"
)

// Text writes one "path:line:col: severity: message [rule]" line per finding,
// in input order, then a line with the counts. color adds ANSI styles; the
// caller decides (a terminal, and NO_COLOR unset).
func Text(w io.Writer, in Input, color bool) error {
	var b strings.Builder
	for _, f := range in.Findings {
		b.WriteString(in.line(f, color))
		b.WriteByte('\n')
	}
	b.WriteString(in.summary())
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}
