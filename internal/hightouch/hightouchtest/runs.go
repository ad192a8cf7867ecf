package hightouchtest

import (
	"net/http"
	"slices"
	"time"
)

// DefaultSteps are the statuses a run shows before its final one.
var DefaultSteps = []string{"queued", "querying", "processing", "reporting"}

// Rows counts rows of a run by change kind.
type Rows struct{ Added, Changed, Removed int }

// RunScript says how the runs of a sync behave. The zero RunScript is the
// default: DefaultSteps, then success with 10 rows added.
//
// Runs advance by polls, not by time, so tests are deterministic: every
// GET /syncs/{syncId}/runs moves the sync's active run one status further
// (after answering). A run triggered while another is active shows "queued"
// until the earlier one has finished.
type RunScript struct {
	Steps       []string // statuses before the final one; nil means DefaultSteps
	Final       string   // success (default), warning, failed, cancelled, or any string such as completed_with_errors
	Planned     *Rows    // nil means 10 added
	Successful  *Rows    // nil means Planned when Final is success or warning, else none
	Failed      *Rows    // nil means none
	Error       string   // the run's error message
	HiddenPolls int      // the run is missing from the runs list for this many polls after its trigger
}

// ScriptRuns sets how the next runs of syncID behave; syncID "" sets the
// default for syncs without a script of their own.
func (s *Server) ScriptRuns(syncID string, script RunScript) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[syncID] = script
}

// Run is a run as tests read it.
type Run struct {
	ID, SyncID, Status   string
	FullResync, ResetCDC bool
}

// Runs returns the runs of a sync, oldest first.
func (s *Server) Runs(syncID string) []Run {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Run
	for _, r := range s.runs[syncID] {
		out = append(out, Run{ID: r.id, SyncID: syncID, Status: r.status(), FullResync: r.fullResync, ResetCDC: r.resetCDC})
	}
	return out
}

type run struct {
	id                   string
	created              time.Time
	started, finished    *time.Time
	steps                []string // statuses, the final one last
	step                 int
	hidden               int
	script               RunScript
	fullResync, resetCDC bool
}

func (r *run) status() string   { return r.steps[r.step] }
func (r *run) terminal() bool   { return r.step == len(r.steps)-1 }
func (r *run) queued() bool     { return r.step == 0 }
func (r *run) ratio() float64   { return float64(r.step) / float64(max(len(r.steps)-1, 1)) }
func (r *run) planned() Rows    { return *orDefault(r.script.Planned, &Rows{Added: 10}) }
func (r *run) failedRows() Rows { return *orDefault(r.script.Failed, &Rows{}) }

func (r *run) successfulRows() Rows {
	switch {
	case r.script.Successful != nil:
		return *r.script.Successful
	case r.script.Final == "success" || r.script.Final == "warning":
		return r.planned()
	}
	return Rows{}
}

func orDefault[T any](v, def *T) *T {
	if v == nil {
		return def
	}
	return v
}

// startRun queues a new run of a sync, as a trigger does.
func (s *Server) startRun(syncID string, fullResync, resetCDC bool) *run {
	script, ok := s.scripts[syncID]
	if !ok {
		script = s.scripts[""]
	}
	if script.Final == "" {
		script.Final = "success"
	}
	steps := slices.Clone(script.Steps)
	if script.Steps == nil {
		steps = slices.Clone(DefaultSteps)
	}
	r := &run{id: s.newID(), created: time.Now(), steps: append(steps, script.Final),
		hidden: script.HiddenPolls, script: script, fullResync: fullResync, resetCDC: resetCDC}
	if r.terminal() {
		// No steps before the final status: the run ends as it starts.
		r.started, r.finished = &r.created, &r.created
	}
	s.runs[syncID] = append(s.runs[syncID], r)
	return r
}

// advance moves the sync's active run (the oldest unfinished one) one step.
func (s *Server) advance(syncID string) {
	for _, r := range s.runs[syncID] {
		if r.terminal() {
			continue
		}
		if r.hidden > 0 {
			return
		}
		now := time.Now()
		if r.queued() {
			r.started = &now
		}
		r.step++
		if r.terminal() {
			r.finished = &now
		}
		return
	}
}

func (s *Server) renderRun(r *run) map[string]any {
	rows := func(v Rows) map[string]any {
		return map[string]any{"addedCount": v.Added, "changedCount": v.Changed, "removedCount": v.Removed}
	}
	planned := r.planned()
	out := map[string]any{
		"id":              s.id(r.id),
		"createdAt":       timestamp(r.created),
		"startedAt":       timestamp(r.created),
		"finishedAt":      nil,
		"querySize":       planned.Added + planned.Changed + planned.Removed,
		"status":          r.status(),
		"completionRatio": r.ratio(),
		"plannedRows":     rows(planned),
		"successfulRows":  rows(Rows{}),
		"failedRows":      rows(Rows{}),
		"error":           nil,
	}
	if r.started != nil {
		out["startedAt"] = timestamp(*r.started)
	}
	if r.terminal() {
		out["finishedAt"] = timestamp(*r.finished)
		out["successfulRows"], out["failedRows"] = rows(r.successfulRows()), rows(r.failedRows())
		if r.script.Error != "" {
			out["error"] = r.script.Error
		}
	}
	return out
}

// trigger is POST /syncs/{syncId}/trigger; the body is optional.
func (s *Server) trigger(r *http.Request, body []byte) (any, *apiError) {
	e, err := s.syncs.fromPath(r)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if len(body) > 0 {
		if m, err = object("TriggerRunInput", body); err != nil {
			return nil, err
		}
	}
	return s.triggerRun(e.id, m), nil
}

// triggerCustom is POST /syncs/trigger, naming the sync by syncId or syncSlug.
func (s *Server) triggerCustom(_ *http.Request, body []byte) (any, *apiError) {
	m, err := object("TriggerRunCustomInput", body)
	if err != nil {
		return nil, err
	}
	var e *entry
	switch id, slug := m["syncId"], m["syncSlug"]; {
	case id != nil:
		sid, _ := idValue(id)
		e = s.syncs.byID(sid)
	case slug != nil:
		e = s.syncs.bySlug(slug.(string))
	default:
		return nil, fieldError("syncId", "syncId or syncSlug is required")
	}
	if e == nil {
		return nil, notFound("sync")
	}
	return s.triggerRun(e.id, m), nil
}

func (s *Server) triggerRun(syncID string, m map[string]any) map[string]any {
	var full, reset bool
	boolean(m, "fullResync", &full)
	boolean(m, "resetCDC", &reset)
	r := s.startRun(syncID, full, reset)
	return map[string]any{"id": r.id} // a string, as the document says
}

// listRuns is GET /syncs/{syncId}/runs. Each poll advances the active run
// after answering and counts down hidden runs.
func (s *Server) listRuns(r *http.Request, _ []byte) (any, *apiError) {
	e, err := s.syncs.fromPath(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	want := ""
	if v := q.Get("runId"); v != "" {
		want, _ = idParam(v)
	}
	var out []map[string]any
	for _, run := range s.runs[e.id] {
		if run.hidden > 0 || (q.Get("runId") != "" && run.id != want) {
			continue
		}
		out = append(out, s.renderRun(run))
	}
	answer, aerr := page(q, out)
	if aerr != nil {
		return nil, aerr
	}
	s.advance(e.id)
	for _, run := range s.runs[e.id] {
		if run.hidden > 0 {
			run.hidden--
		}
	}
	return answer, nil
}
