package hightouch_test

import (
	"bytes"
	"context"
	"encoding/json"
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
		_, err = pc.SyncsBySlug(ctx)
		record(err)
		_, err = pc.ModelsBySlug(ctx)
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
		_, err = c.SyncsBySlug(ctx)
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
