// Package hightouchtest is an in-memory fake of Hightouch's REST API for
// tests: an httptest server that answers as the OpenAPI document says,
// moves sync runs through their statuses as a test scripts them, injects
// faults per route and records every request it receives.
//
// Start one with New and hand URL and APIKey to the code under test (also a
// subprocess: URL is a loopback http address); with InProcess, also hand
// it HTTPClient, for tests on testing/synctest's fake clock. Fill the workspace with
// AddSource, AddDestination, AddModel and AddSync, which return the ids.
// UpsertModel and UpsertSync replace a resource by slug and keep its id, as
// Git Sync does when it ingests a merge: call them from time.AfterFunc to
// simulate the delay. ScriptRuns decides how the next runs of a sync move
// (statuses, final status, rows, error, polls during which the new run is
// not listed yet); runs advance one status per GET of the sync's runs, so
// tests never depend on the clock. Fault queues misbehaviour for a route:
// a status (429 with or without Retry-After, 500 with its bare-string body,
// 502, 503), latency, a dropped connection before or after the request is
// handled, or a truncated answer. Requests and Count tell what arrived.
//
// Request bodies are checked against the request schemas of the OpenAPI
// document (testdata/hightouch-schemas.json, extracted from it by
// testdata/extract_schemas.py), so a client sending "true" for a boolean gets
// the 422 Hightouch would give; the package's tests check the answers
// against the response schemas.
//
// Readers (Sync, Model, ...) return copies whose maps are shared with the
// server: replace a map rather than modify it.
package hightouchtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BasePath is where the API lives on the server, as on api.hightouch.com.
const BasePath = "/api/v1"

// DefaultAPIKey is the key the server accepts unless WithAPIKey says otherwise.
const DefaultAPIKey = "ht-test-key-0123456789abcdef"

// Routes name what Fault and Count apply to: the method and the path
// pattern of the OpenAPI document. Other routes follow the same form, e.g.
// "GET /models/{modelId}" or "PATCH /syncs/{syncId}".
const (
	AnyRoute           = "*"
	RouteListSyncs     = "GET /syncs"
	RouteGetSync       = "GET /syncs/{syncId}"
	RouteTrigger       = "POST /syncs/{syncId}/trigger"
	RouteTriggerCustom = "POST /syncs/trigger"
	RouteRuns          = "GET /syncs/{syncId}/runs"
)

// Server is the fake. It is safe for concurrent use.
type Server struct {
	URL    string // base URL for the client: http://127.0.0.1:port/api/v1
	APIKey string

	srv       *httptest.Server // nil InProcess
	inProcess bool
	mux       *http.ServeMux

	listener     net.Listener
	mu           sync.Mutex
	stringIDs    bool
	latency      time.Duration
	limitN       int
	limitPer     time.Duration
	nextID       int64
	sources      *collection
	destinations *collection
	models       *collection
	syncs        *collection
	runs         map[string][]*run // by sync id, oldest first
	scripts      map[string]RunScript
	faults       map[string][]Fault
	requests     []Request
}

// Option configures New.
type Option func(*Server)

// WithStringIDs renders every id as a JSON string, as older answers did.
func WithStringIDs() Option { return func(s *Server) { s.stringIDs = true } }

// WithAPIKey sets the key the server accepts.
func WithAPIKey(key string) Option { return func(s *Server) { s.APIKey = key } }

// WithRateLimit answers 429 (without Retry-After, as Hightouch was seen to)
// to a request that finds n requests already received within the last per.
func WithRateLimit(n int, per time.Duration) Option {
	return func(s *Server) { s.limitN, s.limitPer = n, per }
}

// overLimit applies WithRateLimit; requests it refuses count too.
func (s *Server) overLimit(now time.Time) bool {
	if s.limitN == 0 {
		return false
	}
	n := 0
	for _, r := range s.requests[:len(s.requests)-1] {
		if now.Sub(r.Time) < s.limitPer {
			n++
		}
	}
	return n >= s.limitN
}

// WithListener serves on l instead of a new loopback port: cmd/fakehightouch
// listens where its user asks.
func WithListener(l net.Listener) Option { return func(s *Server) { s.listener = l } }

// InProcess listens on no port: requests reach the fake only through
// HTTPClient, whose transport answers in the caller's goroutine. A test in a
// testing/synctest bubble uses it, so that every wait (backoff, rate limit,
// deadline, latency) passes on the bubble's fake clock: a listener's
// goroutines block on the network, which keeps the bubble's clock still.
func InProcess() Option { return func(s *Server) { s.inProcess = true } }

// WithLatency delays every request by d before it is handled.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// New starts a fake on a loopback port. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{
		APIKey:  DefaultAPIKey,
		mux:     http.NewServeMux(),
		nextID:  1,
		runs:    map[string][]*run{},
		scripts: map[string]RunScript{},
		faults:  map[string][]Fault{},
	}
	for _, o := range opts {
		o(s)
	}
	s.sources = &collection{srv: s, kind: "source", path: "/sources", param: "sourceId", schema: "Source", apply: applyConnection, render: s.renderSource}
	s.destinations = &collection{srv: s, kind: "destination", path: "/destinations", param: "destinationId", schema: "Destination", apply: applyConnection, render: s.renderDestination}
	s.models = &collection{srv: s, kind: "model", path: "/models", param: "modelId", schema: "Model", apply: s.applyModel, render: s.renderModel}
	s.syncs = &collection{srv: s, kind: "sync", path: "/syncs", param: "syncId", schema: "Sync", apply: s.applySync, render: s.renderSync}
	for _, c := range []*collection{s.sources, s.destinations, s.models, s.syncs} {
		s.handle("GET "+c.path, c.list)
		s.handle("POST "+c.path, c.create)
		s.handle("GET "+c.path+"/{"+c.param+"}", c.get)
		s.handle("PATCH "+c.path+"/{"+c.param+"}", c.update)
	}
	s.handle(RouteTrigger, s.trigger)
	s.handle(RouteTriggerCustom, s.triggerCustom)
	s.handle(RouteRuns, s.listRuns)
	if s.inProcess {
		s.URL = "http://127.0.0.1" + BasePath // never dialled: see Transport
		return s
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	if s.listener != nil {
		s.srv.Listener.Close()
		s.srv.Listener = s.listener
	}
	s.srv.Start()
	s.URL = s.srv.URL + BasePath
	return s
}

// Close shuts the server down.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// HTTPClient is the client to reach the fake with: nil (any client will
// do) for a listening server; for an InProcess one, a client whose
// transport answers in the caller's goroutine, without a network (a
// dropped connection is a failed round trip).
func (s *Server) HTTPClient() *http.Client {
	if !s.inProcess {
		return nil
	}
	return &http.Client{Transport: inProcessTransport{s}}
}

type inProcessTransport struct{ s *Server }

func (t inProcessTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	in := r.Clone(r.Context())
	if in.Body == nil {
		in.Body = http.NoBody
	}
	w := &dropRecorder{ResponseRecorder: httptest.NewRecorder()}
	t.s.serve(w, in)
	if w.dropped {
		return nil, fmt.Errorf("hightouchtest: %s %s: the connection was dropped", r.Method, r.URL.Path)
	}
	res := w.Result()
	res.Request = r
	return res, nil
}

// dropRecorder records an answer, and a dropped connection as a hijack.
type dropRecorder struct {
	*httptest.ResponseRecorder
	dropped bool
}

func (w *dropRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.dropped = true
	client, server := net.Pipe()
	client.Close()
	return server, nil, nil
}

// Request is one request as the server received it.
type Request struct {
	Method string
	Path   string // relative to URL, e.g. /syncs/3/trigger
	Route  string // e.g. "POST /syncs/{syncId}/trigger"; "" if none matched
	Query  url.Values
	Header http.Header // without Authorization: the fake checks the key itself
	Body   string      // empty when the connection was dropped before reading it
	Time   time.Time
}

// Requests returns every request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Count returns how many requests reached route (AnyRoute counts all).
func (s *Server) Count(route string) int {
	n := 0
	for _, r := range s.Requests() {
		if route == AnyRoute || r.Route == route {
			n++
		}
	}
	return n
}

// apiError is an answer other than 200.
type apiError struct {
	status int
	body   any
}

func validationFailed(status int, details map[string]any) *apiError {
	return &apiError{status, map[string]any{"message": "Validation failed", "details": details}}
}

func fieldError(field, format string, args ...any) *apiError {
	return validationFailed(http.StatusUnprocessableEntity,
		map[string]any{"requestBody." + field: map[string]any{"message": fmt.Sprintf(format, args...)}})
}

func notFound(what string) *apiError {
	return &apiError{http.StatusNotFound, map[string]any{"message": "Not found", "details": what + " not found"}}
}

// handle registers a route whose handler runs under s.mu with the request
// body already read.
func (s *Server) handle(pattern string, h func(r *http.Request, body []byte) (any, *apiError)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		out, e := s.locked(r, body, h)
		if e != nil {
			writeJSON(w, e.status, e.body)
			return
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// locked runs a handler under the server's lock, released even if the
// handler panics, so one broken request cannot hang every later one.
func (s *Server) locked(r *http.Request, body []byte, h func(r *http.Request, body []byte) (any, *apiError)) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return h(r, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("hightouchtest: " + err.Error()) // a bug in the fake
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// serve records the request, applies a pending fault, checks the key and
// hands the request to its route.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, BasePath)
	if !ok {
		http.NotFound(w, r)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = path, ""
	_, route := s.mux.Handler(r2)

	s.mu.Lock()
	f := s.takeFault(route)
	s.mu.Unlock()
	var body []byte
	if f.Drop != DropBeforeBody {
		body, _ = io.ReadAll(r.Body)
	}
	header := r.Header.Clone()
	header.Del("Authorization")
	now := time.Now()
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, Route: route,
		Query: r.URL.Query(), Header: header, Body: string(body), Time: now})
	if f.Status == 0 && s.overLimit(now) {
		f.Status = http.StatusTooManyRequests
	}
	latency := s.latency + f.Latency
	s.mu.Unlock()
	if latency > 0 {
		select {
		case <-time.After(latency):
		case <-r.Context().Done(): // the client gave up; Hightouch would carry on
		}
	}

	switch {
	case f.Drop == DropBeforeBody:
		dropConnection(w)
		return
	case f.Status != 0:
		writeFault(w, f)
		return
	}
	rec := httptest.NewRecorder()
	if r.Header.Get("Authorization") != "Bearer "+s.APIKey {
		details := "Invalid API key"
		if r.Header.Get("Authorization") == "" {
			details = "Missing API key"
		}
		writeJSON(rec, http.StatusUnauthorized, map[string]any{"message": "Authentication error", "details": details})
	} else {
		r2.Body = io.NopCloser(bytes.NewReader(body))
		s.mux.ServeHTTP(rec, r2)
	}
	answer := rec.Body.Bytes()
	switch {
	case f.Drop == DropAfterBody:
		dropConnection(w)
		return
	case f.Truncate:
		answer = answer[:len(answer)/2]
		rec.Header().Set("Content-Length", strconv.Itoa(len(answer)))
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(answer)
}

func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic("hightouchtest: cannot hijack: " + err.Error())
	}
	conn.Close()
}

// writeFault answers a scripted status with the body Hightouch (or the load
// balancer in front of it) sends with it.
func writeFault(w http.ResponseWriter, f Fault) {
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	switch f.Status {
	case http.StatusInternalServerError:
		writeJSON(w, f.Status, "Internal Server Error")
	case http.StatusTooManyRequests:
		writeJSON(w, f.Status, map[string]any{"message": "Too many requests"})
	default:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>", f.Status, http.StatusText(f.Status))
	}
}

// id renders an id as Hightouch does: a number, or a string in string-id mode.
func (s *Server) id(id string) any {
	if s.stringIDs || id == "" {
		return id
	}
	return json.Number(id)
}

func (s *Server) ids(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = s.id(id)
	}
	return out
}

func (s *Server) newID() string {
	id := s.nextID
	s.nextID++
	return strconv.FormatInt(id, 10)
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// decodeBody decodes a JSON body keeping numbers exact.
func decodeBody(body []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("data after the JSON value")
	}
	return v, nil
}

// idParam reads a path id as Hightouch does (a number); anything else is unknown.
func idParam(raw string) (string, bool) {
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f != float64(int64(f)) || f < 1 {
		return "", false
	}
	return strconv.FormatInt(int64(f), 10), true
}

// idValue reads an id out of a request body: a JSON number or a digit string.
func idValue(v any) (string, bool) {
	switch v := v.(type) {
	case json.Number:
		return idParam(v.String())
	case string:
		return idParam(v)
	}
	return "", false
}
