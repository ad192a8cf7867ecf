// Package commenttest fakes the comment APIs of GitHub, GitLab, Bitbucket
// Cloud and Azure DevOps, as their REST references describe them, for
// tests: comments in memory, the token checked as each host expects, the
// listings paginated the host's way, every request recorded.
package commenttest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Hosts the fake speaks.
const (
	GitHub    = "github"
	GitLab    = "gitlab"
	Bitbucket = "bitbucket"
	Azure     = "azure"
)

// Request is one request the fake received.
type Request struct {
	Method, Path, Query string
	Header              http.Header
	Body                string
}

type stored struct {
	id, thread int
	body       string
}

// Server is one host's fake comment API.
type Server struct {
	*httptest.Server
	host, token string
	// PageSize is how many comments a listing page holds (default 2, so
	// that a few comments already span pages).
	PageSize int

	mu       sync.Mutex
	status   int
	comments []stored
	requests []Request
	nextID   int
}

// New starts the fake for host, accepting token; it stops with the test.
func New(t testing.TB, host, token string) *Server {
	s := &Server{host: host, token: token, PageSize: 2, nextID: 100}
	mux := http.NewServeMux()
	switch host {
	case GitHub:
		mux.HandleFunc("GET /repos/{owner}/{repo}/issues/{n}/comments", s.githubList)
		mux.HandleFunc("POST /repos/{owner}/{repo}/issues/{n}/comments", s.create("body"))
		mux.HandleFunc("PATCH /repos/{owner}/{repo}/issues/comments/{id}", s.update("body"))
	case GitLab:
		mux.HandleFunc("GET /projects/{project}/merge_requests/{iid}/notes", s.gitlabList)
		mux.HandleFunc("POST /projects/{project}/merge_requests/{iid}/notes", s.create("body"))
		mux.HandleFunc("PUT /projects/{project}/merge_requests/{iid}/notes/{id}", s.update("body"))
	case Bitbucket:
		mux.HandleFunc("GET /repositories/{ws}/{repo}/pullrequests/{id0}/comments", s.bitbucketList)
		mux.HandleFunc("POST /repositories/{ws}/{repo}/pullrequests/{id0}/comments", s.create("content.raw"))
		mux.HandleFunc("PUT /repositories/{ws}/{repo}/pullrequests/{id0}/comments/{id}", s.update("content.raw"))
	case Azure:
		mux.HandleFunc("GET /{project}/_apis/git/repositories/{repo}/pullRequests/{pr}/threads", s.azureList)
		mux.HandleFunc("POST /{project}/_apis/git/repositories/{repo}/pullRequests/{pr}/threads", s.create("comments.0.content"))
		mux.HandleFunc("PATCH /{project}/_apis/git/repositories/{repo}/pullRequests/{pr}/threads/{thread}/comments/{id}", s.update("content"))
	default:
		t.Fatalf("commenttest: unknown host %q", host)
	}
	s.Server = httptest.NewServer(s.guard(mux))
	t.Cleanup(s.Close)
	return s
}

// Add stores a comment (someone else's, in a test) and returns its id.
func (s *Server) Add(body string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.comments = append(s.comments, stored{id: s.nextID, thread: s.nextID + 1000, body: body})
	return s.nextID
}

// Fail makes the fake answer every request with status (403, 500); 0
// answers normally again.
func (s *Server) Fail(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = status
}

// Bodies are the stored comments, oldest first.
func (s *Server) Bodies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.comments {
		out = append(out, c.body)
	}
	return out
}

// Requests are the requests received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// guard records the request, checks the token as the host expects it and
// the Azure api-version, and answers the status Fail set.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
		status := s.status
		s.mu.Unlock()
		var ok bool
		switch s.host {
		case GitLab:
			ok = r.Header.Get("PRIVATE-TOKEN") == s.token
		default:
			ok = r.Header.Get("Authorization") == "Bearer "+s.token
		}
		switch {
		case !ok:
			http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		case status != 0:
			http.Error(w, `{"message":"fake failure"}`, status)
		case s.host == Azure && r.URL.Query().Get("api-version") == "":
			http.Error(w, `{"message":"no api-version"}`, http.StatusBadRequest)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// page returns the comments of page n (1-based) and whether more follow.
func (s *Server) page(n int) ([]stored, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	from := min((n-1)*s.PageSize, len(s.comments))
	to := min(from+s.PageSize, len(s.comments))
	return slices.Clone(s.comments[from:to]), to < len(s.comments)
}

func pageNumber(r *http.Request, key string) int {
	n, err := strconv.Atoi(r.URL.Query().Get(key))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// GitHub: a JSON array, the next page in a Link header.
func (s *Server) githubList(w http.ResponseWriter, r *http.Request) {
	n := pageNumber(r, "page")
	cs, more := s.page(n)
	if more {
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?per_page=%d&page=%d>; rel="next"`, s.URL, r.URL.Path, s.PageSize, n+1))
	}
	out := []map[string]any{}
	for _, c := range cs {
		out = append(out, map[string]any{"id": c.id, "body": c.body})
	}
	writeJSON(w, http.StatusOK, out)
}

// GitLab: a JSON array, the next page number in X-Next-Page; a system
// note on every page, which a client must skip.
func (s *Server) gitlabList(w http.ResponseWriter, r *http.Request) {
	n := pageNumber(r, "page")
	cs, more := s.page(n)
	next := ""
	if more {
		next = strconv.Itoa(n + 1)
	}
	w.Header().Set("X-Next-Page", next)
	out := []map[string]any{{"id": 1, "body": "added 1 commit", "system": true}}
	for _, c := range cs {
		out = append(out, map[string]any{"id": c.id, "body": c.body, "system": false})
	}
	writeJSON(w, http.StatusOK, out)
}

// Bitbucket: {"values": [...], "next": URL} with content.raw.
func (s *Server) bitbucketList(w http.ResponseWriter, r *http.Request) {
	n := pageNumber(r, "page")
	cs, more := s.page(n)
	out := map[string]any{"pagelen": s.PageSize, "page": n}
	vals := []map[string]any{}
	for _, c := range cs {
		vals = append(vals, map[string]any{"id": c.id, "content": map[string]string{"raw": c.body, "markup": "markdown"}, "deleted": false})
	}
	out["values"] = vals
	if more {
		out["next"] = fmt.Sprintf("%s%s?pagelen=%d&page=%d", s.URL, r.URL.Path, s.PageSize, n+1)
	}
	writeJSON(w, http.StatusOK, out)
}

// Azure: {"value": [threads], "count": n}, one comment a thread; the
// fake pages with x-ms-continuationtoken.
func (s *Server) azureList(w http.ResponseWriter, r *http.Request) {
	n := pageNumber(r, "continuationToken")
	cs, more := s.page(n)
	if more {
		w.Header().Set("x-ms-continuationtoken", strconv.Itoa(n+1))
	}
	vals := []map[string]any{}
	for _, c := range cs {
		vals = append(vals, map[string]any{"id": c.thread, "status": "closed",
			"comments": []map[string]any{{"id": c.id, "parentCommentId": 0, "content": c.body, "commentType": "text"}}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": vals, "count": len(vals)})
}

// field reads a dotted path ("content.raw", "comments.0.content") from a
// JSON body.
func field(body []byte, path string) (string, bool) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return "", false
	}
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i >= len(x) {
				return "", false
			}
			v = x[i]
		default:
			return "", false
		}
	}
	s, ok := v.(string)
	return s, ok
}

func (s *Server) create(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body, ok := field(b, path)
		if !ok || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, `{"message":"no `+path+`"}`, http.StatusBadRequest)
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": s.Add(body)})
	}
}

func (s *Server) update(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body, ok := field(b, path)
		id, err := strconv.Atoi(r.PathValue("id"))
		if !ok || err != nil {
			http.Error(w, `{"message":"bad request"}`, http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, c := range s.comments {
			thread := r.PathValue("thread")
			if c.id == id && (thread == "" || thread == strconv.Itoa(c.thread)) {
				s.comments[i].body = body
				writeJSON(w, http.StatusOK, map[string]any{"id": id})
				return
			}
		}
		http.Error(w, `{"message":"404 Not found"}`, http.StatusNotFound)
	}
}
