package hightouch

import (
	"bytes"
	"regexp"
	"testing"
)

// FuzzReplaceForms: looking for the key's forms only where one can start
// replaces exactly what the unanchored pattern's ReplaceAll replaces.
func FuzzReplaceForms(f *testing.F) {
	const key = "htk_live/SECRET-7f3a9c"
	for _, seed := range []string{
		key, "a " + key + " b " + key, `htk\u005flive\/SECRET-7f3a9c`, `htk%255flive%252FSECRET-7f3a9c`,
		`%68%74%6B%5F%6C%69%76%65%2F%53%45%43%52%45%54%2D%37%66%33%61%39%63`, `\\\%%%hhh`, "htk_live/SECRET-7f3a9", "",
	} {
		f.Add(seed)
	}
	s := newSecret(key)
	plain := regexp.MustCompile(keyPattern(key))
	f.Fuzz(func(t *testing.T, text string) {
		want := plain.ReplaceAll([]byte(text), []byte(redactedText))
		if got := s.replaceForms([]byte(text)); !bytes.Equal(got, want) {
			t.Fatalf("replaceForms(%q) = %q, ReplaceAll gives %q", text, got, want)
		}
	})
}
