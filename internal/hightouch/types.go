package hightouch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ID is a Hightouch resource or run id. Current responses carry ids as JSON
// numbers, older ones (and the trigger answer) as strings, so it decodes from
// either and keeps the decimal text.
type ID string

// UnmarshalJSON accepts a number, a string or null.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*id = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = ID(s)
	default:
		// The OpenAPI document types ids as doubles: accept 12, 12.0 and 1.2e1.
		s := string(b)
		if strings.ContainsAny(s, ".eE") {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || f != float64(int64(f)) {
				return fmt.Errorf("hightouch: id %s is not an integer", s)
			}
			s = strconv.FormatInt(int64(f), 10)
		} else if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return fmt.Errorf("hightouch: id %s is not an integer", s)
		}
		*id = ID(s)
	}
	return nil
}

// MarshalJSON writes a canonical decimal id as a JSON number, because create
// and update bodies declare modelId, sourceId and destinationId as numbers;
// anything else is written as a string and the empty id as null.
func (id ID) MarshalJSON() ([]byte, error) {
	if id == "" {
		return []byte("null"), nil
	}
	if id.numeric() {
		return []byte(id), nil
	}
	return json.Marshal(string(id))
}

func (id ID) numeric() bool {
	s := string(id)
	if s == "" || len(s) > 18 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (id ID) String() string { return string(id) }

// Source is a warehouse or database that models read from.
type Source struct {
	ID            ID             `json:"id"`
	Slug          string         `json:"slug"`
	Name          string         `json:"name"`
	Type          string         `json:"type"`
	WorkspaceID   ID             `json:"workspaceId"`
	CreatedAt     time.Time      `json:"createdAt"`
	UpdatedAt     time.Time      `json:"updatedAt"`
	Configuration map[string]any `json:"configuration"`
}

// Destination is the service a sync writes to.
type Destination struct {
	ID            ID             `json:"id"`
	Slug          string         `json:"slug"`
	Name          string         `json:"name"`
	Type          string         `json:"type"`
	WorkspaceID   ID             `json:"workspaceId"`
	CreatedAt     time.Time      `json:"createdAt"`
	UpdatedAt     time.Time      `json:"updatedAt"`
	Configuration map[string]any `json:"configuration"`
	Syncs         []ID           `json:"syncs"`
}

// Model is the query a sync reads. Exactly one of Raw, Table, DBT, DBTCloud,
// Custom or Visual is set, according to QueryType.
type Model struct {
	ID          ID                `json:"id"`
	Slug        string            `json:"slug"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	WorkspaceID ID                `json:"workspaceId"`
	SourceID    ID                `json:"sourceId"`
	QueryType   string            `json:"queryType"`
	PrimaryKey  string            `json:"primaryKey"`
	IsSchema    bool              `json:"isSchema"`
	Tags        map[string]string `json:"tags"`
	Syncs       []ID              `json:"syncs"`
	CreatedAt   time.Time         `json:"createdAt"`
	UpdatedAt   time.Time         `json:"updatedAt"`
	FolderID    string            `json:"folderId,omitempty"`
	LastRunSize *float64          `json:"lastRunSize"`
	Raw         *RawQuery         `json:"raw,omitempty"`
	Table       *TableQuery       `json:"table,omitempty"`
	DBT         *DBTQuery         `json:"dbt,omitempty"`
	DBTCloud    *DBTQuery         `json:"dbt_cloud,omitempty"`
	Custom      json.RawMessage   `json:"custom,omitempty"`
	Visual      json.RawMessage   `json:"visual,omitempty"`
}

// RawQuery is a raw_sql model's query.
type RawQuery struct {
	SQL string `json:"sql"`
}

// TableQuery is a table model's table.
type TableQuery struct {
	Name string `json:"name"`
}

// DBTQuery is a dbt or dbt Cloud model as Hightouch returns it.
type DBTQuery struct {
	ModelID     ID     `json:"modelId"`
	DBTUniqueID string `json:"dbtUniqueId,omitempty"`
	CompiledSQL string `json:"compiledSql,omitempty"`
	RawSQL      string `json:"rawSql,omitempty"`
	Database    string `json:"database,omitempty"`
	Schema      string `json:"schema,omitempty"`
	Name        string `json:"name,omitempty"`
}

// DBTRef points a model being created or updated at a dbt model.
type DBTRef struct {
	ModelID ID `json:"modelId"`
}

// Schedule is a sync's schedule: Type names the kind (interval, cron,
// visual, dbt-cloud, ...) and Schedule holds its kind-specific body, kept
// generic because the kinds' shapes differ and Hightouch adds new ones.
type Schedule struct {
	Type     string         `json:"type"`
	Schedule map[string]any `json:"schedule"`
}

// Sync moves a model's rows to a destination. Syncs have no name.
type Sync struct {
	ID                ID                `json:"id"`
	Slug              string            `json:"slug"`
	WorkspaceID       ID                `json:"workspaceId"`
	ModelID           ID                `json:"modelId"`
	DestinationID     ID                `json:"destinationId"`
	Configuration     map[string]any    `json:"configuration"`
	Schedule          *Schedule         `json:"schedule"` // nil: manual
	Disabled          bool              `json:"disabled"`
	Status            string            `json:"status"`
	LastRunAt         *time.Time        `json:"lastRunAt"`
	CreatedAt         time.Time         `json:"createdAt"`
	UpdatedAt         time.Time         `json:"updatedAt"`
	PrimaryKey        string            `json:"primaryKey"`
	ReferencedColumns []string          `json:"referencedColumns"`
	ExternalSegment   map[string]any    `json:"externalSegment"`
	Tags              map[string]string `json:"tags"`
}

// RowCounts counts rows of a run by change kind.
type RowCounts struct {
	Added   int64 `json:"addedCount"`
	Changed int64 `json:"changedCount"`
	Removed int64 `json:"removedCount"`
}

// UnmarshalJSON accepts the counts as doubles, as the OpenAPI document types them.
func (r *RowCounts) UnmarshalJSON(b []byte) error {
	var w struct{ AddedCount, ChangedCount, RemovedCount float64 }
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = RowCounts{int64(w.AddedCount), int64(w.ChangedCount), int64(w.RemovedCount)}
	return nil
}

// Total is the sum of the three counts.
func (r RowCounts) Total() int64 { return r.Added + r.Changed + r.Removed }

// SyncRun is one run of a sync.
type SyncRun struct {
	ID              ID         `json:"id"`
	CreatedAt       time.Time  `json:"createdAt"`
	StartedAt       time.Time  `json:"startedAt"`
	FinishedAt      *time.Time `json:"finishedAt"` // nil while running
	Status          RunStatus  `json:"status"`
	CompletionRatio float64    `json:"completionRatio"`
	QuerySize       int64      `json:"querySize"`
	PlannedRows     RowCounts  `json:"plannedRows"`
	SuccessfulRows  RowCounts  `json:"successfulRows"`
	FailedRows      RowCounts  `json:"failedRows"`
	Error           string     `json:"error,omitempty"`
}

// UnmarshalJSON decodes leniently: in the wild error is null, a string or an
// object, and querySize a double.
func (r *SyncRun) UnmarshalJSON(b []byte) error {
	type plain SyncRun
	var w struct {
		plain
		QuerySize float64         `json:"querySize"`
		Error     json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = SyncRun(w.plain)
	r.QuerySize = int64(w.QuerySize)
	r.Error = lenientText(w.Error)
	return nil
}

// lenientText renders a JSON value as text: a string as itself, an object's
// "message" if it has one, anything else as compact JSON, null as "".
func lenientText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var m struct{ Message string }
	if json.Unmarshal(raw, &m) == nil && m.Message != "" {
		return m.Message
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return buf.String()
	}
	return string(raw)
}

// RunStatus is a sync run's status as Hightouch reports it. Hightouch may
// add statuses; an unknown one is kept as it came.
type RunStatus string

// The run statuses htgit knows: the documented ones, and two seen in the
// wild after a run ended (completed, completed_with_errors).
const (
	RunQueued     RunStatus = "queued"
	RunQuerying   RunStatus = "querying"
	RunProcessing RunStatus = "processing"
	RunReporting  RunStatus = "reporting"
	RunPending    RunStatus = "pending"

	RunSuccess             RunStatus = "success"
	RunWarning             RunStatus = "warning"
	RunFailed              RunStatus = "failed"
	RunCancelled           RunStatus = "cancelled"
	RunInterrupted         RunStatus = "interrupted"
	RunCompleted           RunStatus = "completed"
	RunCompletedWithErrors RunStatus = "completed_with_errors"
)

// RunStatuses are the statuses htgit knows, running ones first.
var RunStatuses = []RunStatus{RunQueued, RunQuerying, RunProcessing, RunReporting, RunPending,
	RunSuccess, RunWarning, RunFailed, RunCancelled, RunInterrupted, RunCompleted, RunCompletedWithErrors}

// IsTerminal reports whether a run in this status will not change again.
// Any status htgit does not know, including ones Hightouch may add later, is
// treated as still running, so a caller keeps polling (bounded by its own
// timeout) instead of misreporting.
func (s RunStatus) IsTerminal() bool {
	switch s {
	case RunSuccess, RunWarning, RunFailed, RunCancelled, RunInterrupted, RunCompleted, RunCompletedWithErrors:
		return true
	case RunQueued, RunQuerying, RunProcessing, RunReporting, RunPending:
		return false
	default: // unknown: still running
		return false
	}
}

// IsKnown reports whether htgit knows the status.
func (s RunStatus) IsKnown() bool { return slices.Contains(RunStatuses, s) }

// Object is a JSON object in a create body, where Hightouch requires the
// field: nil is sent as {}.
type Object map[string]any

// MarshalJSON writes nil as {}.
func (o Object) MarshalJSON() ([]byte, error) {
	if o == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(map[string]any(o))
}

// ModelCreate is the body of POST /models. Set the query field that matches QueryType.
type ModelCreate struct {
	Name       string      `json:"name"`
	Slug       string      `json:"slug"`
	QueryType  string      `json:"queryType"`
	SourceID   ID          `json:"sourceId"`
	IsSchema   bool        `json:"isSchema"`
	PrimaryKey string      `json:"primaryKey"`
	FolderID   string      `json:"folderId,omitempty"`
	Raw        *RawQuery   `json:"raw,omitempty"`
	Table      *TableQuery `json:"table,omitempty"`
	DBT        *DBTRef     `json:"dbt,omitempty"`
	DBTCloud   *DBTRef     `json:"dbt_cloud,omitempty"`
}

// ModelUpdate is the body of PATCH /models/{id}; nil and empty fields are left alone.
type ModelUpdate struct {
	Name       string      `json:"name,omitempty"`
	IsSchema   *bool       `json:"isSchema,omitempty"`
	PrimaryKey string      `json:"primaryKey,omitempty"`
	FolderID   string      `json:"folderId,omitempty"`
	Raw        *RawQuery   `json:"raw,omitempty"`
	Table      *TableQuery `json:"table,omitempty"`
	DBT        *DBTRef     `json:"dbt,omitempty"`
}

// SyncCreate is the body of POST /syncs. A nil Schedule makes a manual sync.
type SyncCreate struct {
	Slug          string    `json:"slug"`
	ModelID       ID        `json:"modelId"`
	DestinationID ID        `json:"destinationId"`
	Configuration Object    `json:"configuration"`
	Schedule      *Schedule `json:"schedule"`
	Disabled      bool      `json:"disabled"`
}

// SyncUpdate is the body of PATCH /syncs/{id}; nil fields are left alone.
// Schedule null means manual, so clearing it takes ManualSchedule.
type SyncUpdate struct {
	Configuration  map[string]any `json:"configuration,omitempty"`
	Schedule       *Schedule      `json:"schedule,omitempty"`
	ManualSchedule bool           `json:"-"` // send "schedule": null
	Disabled       *bool          `json:"disabled,omitempty"`
}

// MarshalJSON adds "schedule": null when ManualSchedule is set.
func (s SyncUpdate) MarshalJSON() ([]byte, error) {
	type plain SyncUpdate
	b, err := json.Marshal(plain(s))
	if err != nil || !s.ManualSchedule || s.Schedule != nil {
		return b, err
	}
	if len(b) == 2 { // "{}"
		return []byte(`{"schedule":null}`), nil
	}
	return append([]byte(`{"schedule":null,`), b[1:]...), nil
}

// TriggerOptions are the body of a trigger request.
type TriggerOptions struct {
	FullResync bool `json:"fullResync"`
	ResetCDC   bool `json:"resetCDC"`
}
