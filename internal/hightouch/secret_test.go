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
		s, err := pc.GetSync(ctx, "1")
		record(err, s)
		_, err = pc.ListModels(ctx, hightouch.ListOptions{Slug: "x"})
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
	if _, err := c.ListSyncs(context.Background(), hightouch.ListOptions{Slug: "a"}); err != nil {
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
