package comment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/htgit/htgit/internal/report"
)

// api is the HTTP side every client shares: JSON in and out, the host's
// token set by auth, and links to further pages followed only on the API's
// own origin, so the token never goes to a host a response names.
type api struct {
	base string // no trailing slash
	auth func(*http.Request)
	http *http.Client
}

func newAPI(base string, auth func(*http.Request)) api {
	return api{base: strings.TrimSuffix(base, "/"), auth: auth, http: &http.Client{Timeout: 30 * time.Second}}
}

// StatusError is an answer other than 2xx.
type StatusError struct {
	Method, URL string
	Status      int
	Body        string // the start of the answer, for the log
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.URL, e.Status, e.Body)
}

// do sends in (when not nil) as JSON and decodes the answer into out (when
// not nil); it returns the answer's headers.
func (a api) do(ctx context.Context, method, u string, in, out any) (http.Header, error) {
	if err := a.sameOrigin(u); err != nil {
		return nil, err
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	a.auth(req)
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return nil, &StatusError{Method: method, URL: u, Status: resp.StatusCode, Body: report.OneLine(string(b))}
	}
	if out != nil {
		if err := json.NewDecoder(io.LimitReader(resp.Body, 32<<20)).Decode(out); err != nil {
			return nil, fmt.Errorf("%s %s: reading the answer: %w", method, u, err)
		}
	}
	return resp.Header, nil
}

// sameOrigin refuses a URL outside the API's origin (scheme and host).
func (a api) sameOrigin(u string) error {
	want, err := url.Parse(a.base)
	if err != nil {
		return err
	}
	got, err := url.Parse(u)
	if err != nil {
		return err
	}
	if got.Scheme != want.Scheme || got.Host != want.Host {
		return fmt.Errorf("refusing to send the token to %s://%s, outside the API at %s", got.Scheme, got.Host, a.base)
	}
	return nil
}

func bearer(token string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}
