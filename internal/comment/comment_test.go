package comment

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/comment/commenttest"
)

const token = "tok-123"

// clients builds each host's client against its fake.
var clients = map[string]func(base, token string) Client{
	commenttest.GitHub: func(base, token string) Client { return NewGitHub(base, "acme/repo", 7, token) },
	commenttest.GitLab: func(base, token string) Client { return NewGitLab(base, "42", "7", token) },
	commenttest.Bitbucket: func(base, token string) Client {
		return NewBitbucket(base, "acme", "repo", "7", token)
	},
	commenttest.Azure: func(base, token string) Client { return NewAzure(base+"/", "proj", "repo", "7", token) },
}

// TestSync: on every host the first run creates the comment, later runs
// edit that one in place (found past the first listing page), and a run
// that would say the same changes nothing.
func TestSync(t *testing.T) {
	for host, newClient := range clients {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			srv := commenttest.New(t, host, token)
			for _, b := range []string{"LGTM", "please check the sync", "nit"} {
				srv.Add(b)
			}
			c := newClient(srv.URL, token)
			ctx := context.Background()
			steps := []struct {
				body   string
				create bool
				want   Outcome
			}{
				{Marker + "\nfirst plan", true, Created},
				{Marker + "\nsecond plan", true, Updated},
				{Marker + "\nsecond plan", true, Unchanged},
				{NoChangeBody("hightouch"), false, Updated},
			}
			for i, s := range steps {
				got, err := Sync(ctx, c, s.body, s.create)
				if err != nil || got != s.want {
					t.Fatalf("run %d: %v, %v; want %v", i+1, got, err, s.want)
				}
				bodies := srv.Bodies()
				if len(bodies) != 4 || bodies[3] != s.body {
					t.Fatalf("run %d: comments %q; want the three others and %q", i+1, bodies, s.body)
				}
			}
			pages := 0
			for _, r := range srv.Requests() {
				if r.Method == http.MethodGet {
					pages++
				}
			}
			// htgit's comment is the fourth, on the second page of two:
			// each run must have read both.
			if pages != 4*2 {
				t.Errorf("%d listing requests, want 2 pages for each of 4 runs", pages)
			}
		})
	}
}

// TestSyncNoCommentYet: a change request whose Git Sync files did not
// change gets no new comment.
func TestSyncNoCommentYet(t *testing.T) {
	srv := commenttest.New(t, commenttest.GitLab, token)
	srv.Add("hello")
	got, err := Sync(context.Background(), clients[commenttest.GitLab](srv.URL, token), NoChangeBody("hightouch"), false)
	if err != nil || got != None || len(srv.Bodies()) != 1 {
		t.Errorf("got %v, %v, comments %q; want nothing posted", got, err, srv.Bodies())
	}
}

// TestTokens: each host gets its token where it expects it, and a wrong
// token or a failing API is an error naming the status (the caller makes
// it a warning), never a panic.
func TestTokens(t *testing.T) {
	for host, newClient := range clients {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			srv := commenttest.New(t, host, token)
			if _, err := Sync(context.Background(), newClient(srv.URL, "wrong"), Marker+"\nx", true); !isStatus(err, 401) {
				t.Errorf("wrong token: %v, want HTTP 401", err)
			}
			for _, status := range []int{403, 500, 503} {
				srv.Fail(status)
				_, err := Sync(context.Background(), newClient(srv.URL, token), Marker+"\nx", true)
				if !isStatus(err, status) {
					t.Errorf("API answering %d: %v", status, err)
				}
			}
			for _, r := range srv.Requests() {
				auth := r.Header.Get("Authorization") + r.Header.Get("PRIVATE-TOKEN")
				if !strings.Contains(auth, "wrong") && !strings.HasSuffix(auth, token) {
					t.Errorf("%s %s sent %q", r.Method, r.Path, auth)
				}
			}
			if len(srv.Bodies()) != 0 {
				t.Errorf("a comment was posted: %q", srv.Bodies())
			}
		})
	}
}

func isStatus(err error, status int) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == status
}

// TestNextPageElsewhere: a next-page link to another origin is not
// followed, so the token stays with the API.
func TestNextPageElsewhere(t *testing.T) {
	other := commenttest.New(t, commenttest.Bitbucket, token)
	srv := commenttest.New(t, commenttest.GitHub, token)
	c := NewGitHub(srv.URL, "acme/repo", 7, token)
	_, err := c.do(context.Background(), http.MethodGet, other.URL+"/repositories/a/b/pullrequests/1/comments", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("got %v, want a refusal", err)
	}
	if len(other.Requests()) != 0 {
		t.Error("the other origin was asked")
	}
}
