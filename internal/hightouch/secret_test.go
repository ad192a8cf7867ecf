package hightouch_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/htgit/htgit/internal/hightouch"
)

const secretKey = "ht-live-SECRET-7f3a9c0d1e2b4a68"

// The key must not appear in errors, debug logs, formatted values or panic
// messages, even when a server echoes it back.
func TestTheKeyIsNeverPrinted(t *testing.T) {
	// A hostile server that puts the Authorization header in every answer.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		switch strings.SplitN(r.URL.Path, "/", 3)[1] {
		case "401":
			w.WriteHeader(401)
			fmt.Fprintf(w, `{"message":"Authentication error","details":%q}`, "bad key "+auth)
		case "422":
			w.WriteHeader(422)
			fmt.Fprintf(w, `{"message":"Validation failed","details":{"header":%q}}`, auth)
		case "500":
			w.WriteHeader(500)
			fmt.Fprintf(w, `%q`, auth)
		case "text":
			w.WriteHeader(502)
			fmt.Fprint(w, auth)
		case "200":
			fmt.Fprintf(w, `{"id":1,"slug":%q}`, auth)
		}
	}))
	defer srv.Close()

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := hightouch.Config{BaseURL: srv.URL, APIKey: secretKey, Logger: logger, MaxAttempts: 2,
		BackoffMin: time.Millisecond, BackoffMax: time.Millisecond, RequestTimeout: 100 * time.Millisecond}
	c, err := hightouch.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	var out strings.Builder
	record := func(v ...any) {
		for _, x := range v {
			fmt.Fprintf(&out, "%v\n%+v\n%#v\n%s\n", x, x, x, x)
		}
	}
	for _, p := range []string{"/401", "/422", "/500", "/text", "/200"} {
		cfg := cfg
		cfg.BaseURL = srv.URL + p
		pc, err := hightouch.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s, err := pc.UpdateSync(ctx, "1", hightouch.SyncUpdate{Disabled: new(bool)})
		record(err, s)
		_, err = pc.Syncs(ctx)
		record(err)
		_, err = pc.Models(ctx)
		record(err)
		_, err = pc.TriggerSync(ctx, "1", hightouch.TriggerOptions{})
		record(err)
	}
	// No server: a transport error, and a timeout.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + l.Addr().String()
	l.Close()
	dc, _ := hightouch.New(hightouch.Config{BaseURL: dead, APIKey: secretKey, Logger: logger, MaxAttempts: 1})
	_, err = dc.TriggerSync(ctx, "1", hightouch.TriggerOptions{})
	record(err)

	record(cfg, &cfg, c)
	logger.Info("config", "cfg", cfg)
	b, _ := json.Marshal(cfg)
	out.Write(b)
	for _, v := range []any{cfg, c} {
		func() {
			defer func() {
				r := recover()
				// The runtime prints a panic value with its Error or String method.
				if s, ok := r.(fmt.Stringer); ok {
					out.WriteString(s.String())
				}
				record(r)
			}()
			panic(v)
		}()
	}

	all := out.String() + logs.String()
	if strings.Contains(all, secretKey) || strings.Contains(all, secretKey[8:]) {
		t.Errorf("the API key leaked:\n%s", all)
	}
	for _, want := range []string{"[redacted]", "method=GET", "status=401", "path=/syncs/1", "duration=", `msg="hightouch retry"`} {
		if !strings.Contains(all, want) {
			t.Errorf("output lacks %q: the test does not see what it should\n%s", want, all)
		}
	}
}

func TestDebugLogLinePerRequest(t *testing.T) {
	var logs bytes.Buffer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":[],"hasMore":false}`)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL+"/api/v1", secretKey, func(c *hightouch.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	if _, err := c.SyncsWithSlug(context.Background(), "a"); err != nil {
		t.Fatal(err)
	}
	line := logs.String()
	for _, want := range []string{"level=DEBUG", `msg="hightouch request"`, "method=GET", "path=\"/syncs?limit=100&offset=0&slug=a\"", "status=200", "duration="} {
		if !strings.Contains(line, want) {
			t.Errorf("log %q lacks %s", line, want)
		}
	}
	if strings.Count(line, "\n") != 1 {
		t.Errorf("want one line per request: %q", line)
	}
}

// disguisedKey is a key with characters JSON and URLs escape.
const disguisedKey = "htk_live/SECRET-7f3a9c"

// disguises are the forms a server could echo disguisedKey in, inside a
// JSON string of its answer.
var disguises = []string{
	`htk_live\/SECRET-7f3a9c`,
	`htk\u005flive\/SECRET-7f3a9c`,
	`htk\u005Flive\u002fSECRET\u002d7f3a9c`,
	`\u0068\u0074\u006b\u005f\u006c\u0069\u0076\u0065\u002f\u0053\u0045\u0043\u0052\u0045\u0054\u002d\u0037\u0066\u0033\u0061\u0039\u0063`,
	`htk\\u005flive\\/SECRET-7f3a9c`, // escaped twice: the decoded text shows \u005f
	`htk%5Flive%2FSECRET-7f3a9c`,
	`htk%255flive%252FSECRET-7f3a9c`,
	`%68%74%6B%5F%6C%69%76%65%2F%53%45%43%52%45%54%2D%37%66%33%61%39%63`,
	`htk\u005flive%2FSECRET-7f3a9c`,
}

// undisguise reverses every escape a reader could reverse.
func undisguise(s string) string {
	s = regexp.MustCompile(`\\+u([0-9a-fA-F]{4})`).ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.ParseUint(m[len(m)-4:], 16, 32)
		return string(rune(n))
	})
	s = regexp.MustCompile(`\\+/`).ReplaceAllString(s, "/")
	return regexp.MustCompile(`%(?:25)*([0-9a-fA-F]{2})`).ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.ParseUint(m[len(m)-2:], 16, 8)
		return string(rune(n))
	})
}

// The key in disguise is redacted from every path that shows server text:
// error messages and details, a run's error, a redirect's Location and the
// debug log.
func TestTheKeyInDisguiseIsRedacted(t *testing.T) {
	for _, form := range disguises {
		if undisguise(form) != disguisedKey {
			t.Fatalf("undisguise(%s) = %s: the test would not see a leak", form, undisguise(form))
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasSuffix(r.URL.Path, "/runs"):
				fmt.Fprintf(w, `{"data":[{"id":7,"status":"failed","error":"auth %s failed"}]}`, form)
			case r.Method == http.MethodPatch:
				w.WriteHeader(422)
				fmt.Fprintf(w, `{"message":"bad key %s","details":{"key":"%s"}}`, form, form)
			case r.Method == http.MethodPost:
				w.Header().Set("Location", "https://evil.example/?k="+form)
				w.WriteHeader(302)
			default:
				w.WriteHeader(502)
				fmt.Fprint(w, "<html>"+form+"</html>")
			}
		}))
		var logs bytes.Buffer
		c := newClient(t, srv.URL, disguisedKey, func(c *hightouch.Config) {
			c.MaxAttempts = 2
			c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		})
		ctx := context.Background()
		var out strings.Builder
		run, _, err := c.GetRun(ctx, "1", "7")
		if run == nil || err != nil {
			t.Fatalf("%s: GetRun: %v, %v", form, run, err)
		}
		fmt.Fprintln(&out, run.Error)
		_, err = c.UpdateSync(ctx, "1", hightouch.SyncUpdate{Disabled: new(bool)})
		fmt.Fprintf(&out, "%v %+v\n", err, err)
		_, err = c.TriggerSync(ctx, "1", hightouch.TriggerOptions{})
		fmt.Fprintln(&out, err)
		_, err = c.Syncs(ctx)
		fmt.Fprintln(&out, err)
		srv.Close()
		all := out.String() + logs.String()
		if strings.Contains(undisguise(all), disguisedKey) {
			t.Errorf("form %s leaked:\n%s", form, all)
		}
		if strings.Count(all, "[redacted]") < 5 {
			t.Errorf("form %s: the server text is not shown redacted:\n%s", form, all)
		}
	}
}

// encodings are the forms of key a hostile server may echo beyond those
// keyPattern's escapes cover (issue 22): base64 of the key and of texts that
// hold it (":KEY", "Bearer KEY", "user:KEY", at every offset modulo 3), in
// both alphabets, padded or not, and hex in either case.
func encodings(key string) map[string]string {
	out := map[string]string{
		"hex":       hex.EncodeToString([]byte(key)),
		"HEX":       strings.ToUpper(hex.EncodeToString([]byte(key))),
		"hex-colon": hex.EncodeToString([]byte(":" + key)),
	}
	for _, text := range []string{key, ":" + key, "Bearer " + key, "user:" + key, key + ":", "ab" + key + "cd"} {
		out["base64 "+text[:2]] = base64.StdEncoding.EncodeToString([]byte(text))
		out["base64url "+text[:2]] = base64.RawURLEncoding.EncodeToString([]byte(text))
	}
	return out
}

// TestTheKeyInOtherEncodingsIsRedacted: base64, hex, and the key split
// across two fields or spread in pieces never reach the output.
func TestTheKeyInOtherEncodingsIsRedacted(t *testing.T) {
	forms := encodings(secretKey)
	half := len(secretKey) / 2
	forms["split across fields"] = secretKey[:half] + `","other":"` + secretKey[half:]
	forms["split in thirds"] = secretKey[:10] + `", "b": "` + secretKey[10:20] + `", "c": "` + secretKey[20:]
	for name, form := range forms {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(422)
			fmt.Fprintf(w, `{"message":"bad %s","details":{"k":"%s"}}`, form, form)
		}))
		c := newClient(t, srv.URL, secretKey)
		_, err := c.UpdateSync(context.Background(), "1", hightouch.SyncUpdate{Disabled: new(bool)})
		srv.Close()
		out := fmt.Sprint(err)
		if leaked := leaks(out, secretKey); leaked != "" {
			t.Errorf("%s: the key leaked as %s in %s", name, leaked, out)
		}
		if !strings.Contains(out, "[redacted]") {
			t.Errorf("%s: nothing redacted: %s", name, out)
		}
	}
}

// leaks says in which form key appears in s: raw, in a piece of 8 or more
// characters, or decoded from any base64 or hex run of s.
func leaks(s, key string) string {
	for i := 0; i+8 <= len(key); i++ {
		if strings.Contains(s, key[i:i+8]) {
			return "a piece " + key[i:i+8]
		}
	}
	for _, run := range regexp.MustCompile(`[A-Za-z0-9+/_=-]{16,}`).FindAllString(s, -1) {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			for cut := range 4 { // the run may start inside a group
				if cut < len(run) {
					if b, err := enc.DecodeString(strings.TrimRight(run[cut:], "=")[:len(strings.TrimRight(run[cut:], "="))/4*4]); err == nil && strings.Contains(string(b), key[4:len(key)-4]) {
						return "base64 " + run
					}
				}
			}
		}
		if b, err := hex.DecodeString(run[:len(run)/2*2]); err == nil && strings.Contains(string(b), key[4:len(key)-4]) {
			return "hex " + run
		}
	}
	return ""
}

// TestKeysHTGITRefuses: a key that cannot be an HTTP header value is
// refused at once (no request, no retries), and a key too short to be
// Hightouch's too, so that redacting it cannot garble a message
// ("conte[redacted]t"); the message never shows the key.
func TestKeysHTGITRefuses(t *testing.T) {
	for key, want := range map[string]string{
		"x":                           "the API key is 1 characters long; a Hightouch key has at least 16",
		"ht-live-SECRET\x01-7f3a9c0d": "not printable ASCII (at byte 15)",
		"ht-live-SECRET\x7f-7f3a9c0d": "not printable ASCII (at byte 15)",
		"ht-live-SECRET\n7f3a9c0d1e2": "white space",
	} {
		_, err := hightouch.New(hightouch.Config{APIKey: key})
		if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("New(%q) = %v, want an error saying %q", key, err, want)
		}
	}
}

// hostileText is server text that would forge workflow commands in a
// GitHub job's log, colour or rewrite a terminal, or reverse what follows.
const hostileText = "bad\n::error file=x::forged\r\n::add-mask::x \x1b[31mred\x1b[0m \u009b2J \u202egnp.exe\x07"

// TestServerTextIsPrintable: an error message and its details, a run's
// error and a listed slug, as htgit prints them, hold no line break, no
// control character and no bidirectional override; a SQL query keeps its
// lines (it is data, compared with files and exported).
func TestServerTextIsPrintable(t *testing.T) {
	js, _ := json.Marshal(hostileText)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/runs"):
			fmt.Fprintf(w, `{"data":[{"id":7,"status":%s,"error":%s}]}`, js, js)
		case strings.HasSuffix(r.URL.Path, "/models"):
			fmt.Fprintf(w, `{"data":[{"id":1,"slug":%s,"name":%s,"queryType":"raw_sql","raw":{"sql":"select 1\nfrom t"}}]}`, js, js)
		case r.Method == http.MethodPatch:
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"message":%s,"details":{%s:%s}}`, js, js, js)
		default:
			w.Header().Set("Location", "https://x.example/"+hostileText)
			w.WriteHeader(302)
		}
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, secretKey)
	ctx := context.Background()
	var printed []string
	run, _, err := c.GetRun(ctx, "1", "7")
	if err != nil {
		t.Fatal(err)
	}
	printed = append(printed, run.Error, string(run.Status))
	models, err := c.Models(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		printed = append(printed, m.Slug, m.Name)
		if m.Raw.SQL != "select 1\nfrom t" {
			t.Errorf("the SQL changed: %q", m.Raw.SQL)
		}
	}
	_, err = c.UpdateSync(ctx, "1", hightouch.SyncUpdate{Disabled: new(bool)})
	printed = append(printed, err.Error())
	var he *hightouch.Error
	if errors.As(err, &he) {
		printed = append(printed, he.Message)
	}
	_, err = c.TriggerSync(ctx, "1", hightouch.TriggerOptions{})
	for _, p := range append(printed, err.Error()) {
		if i := strings.IndexFunc(p, func(r rune) bool {
			return r < 0x20 || r >= 0x7f && r < 0xa0 || r >= 0x202a && r <= 0x202e
		}); i >= 0 {
			t.Errorf("unsafe character %U printed in %q", []rune(p[i:])[0], p)
		}
	}
	for _, p := range printed {
		if !strings.Contains(p, `bad\n::error file=x::forged\r\n::add-mask::x \x1b[31mred\x1b[0m \u009b2J \u202egnp.exe\a`) {
			t.Errorf("the text is not shown escaped: %q", p)
		}
	}
}

// TestLongMessagesAreClipped: a long message (1 MiB here, 10 MB in issue
// 22) is printed clipped, saying how much was cut.
func TestLongMessagesAreClipped(t *testing.T) {
	long := strings.Repeat("é", 1<<19)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"message":%q,"details":%q}`, long, long)
	}))
	defer srv.Close()
	c := newClient(t, srv.URL, secretKey, func(c *hightouch.Config) { c.RequestTimeout, c.Deadline = time.Minute, time.Minute })
	_, err := c.UpdateSync(context.Background(), "1", hightouch.SyncUpdate{Disabled: new(bool)})
	msg := fmt.Sprint(err)
	if len(msg) > 3000 || strings.Count(msg, "… (1047576 more bytes cut)") != 2 || !utf8.ValidString(msg) {
		t.Errorf("%d bytes: %.300q ... %q", len(msg), msg, msg[max(0, len(msg)-200):])
	}
}
