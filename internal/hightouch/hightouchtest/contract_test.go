package hightouchtest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// call sends one raw request to the fake and returns the status and body.
func call(t *testing.T, s *Server, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.APIKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// conforms fails the test unless body is valid against the named schema
// copied from Hightouch's OpenAPI document.
func conforms(t *testing.T, schema string, body []byte) {
	t.Helper()
	sch, err := Schema(schema)
	if err != nil {
		t.Fatalf("schema %s: %v", schema, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, body)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("answer does not match %s: %v\n%s", schema, err, body)
	}
}

// seed fills a fake with one resource of each kind and query type.
func seed(s *Server) (syncID string) {
	src := s.AddSource(Source{Slug: "snowflake", Name: "Snowflake", Type: "snowflake"})
	dst := s.AddDestination(Destination{Slug: "braze", Name: "Braze", Type: "braze", Configuration: map[string]any{"region": "eu"}})
	m := s.AddModel(Model{Slug: "users", Name: "Users", SourceID: src, SQL: "select * from users", PrimaryKey: "id", Tags: map[string]string{"team": "growth"}})
	s.AddModel(Model{Slug: "accounts", Name: "Accounts", SourceID: src, QueryType: "table", Table: "accounts", PrimaryKey: "id"})
	s.AddModel(Model{Slug: "orders", Name: "Orders", SourceID: src, QueryType: "dbt", DBTModelID: "77", PrimaryKey: "id"})
	s.AddModel(Model{Slug: "events", Name: "Events", SourceID: src, QueryType: "dbt_cloud", DBTModelID: "78", PrimaryKey: "id"})
	s.AddSync(Sync{Slug: "manual", ModelID: m, DestinationID: dst})
	return s.AddSync(Sync{Slug: "users-to-braze", ModelID: m, DestinationID: dst,
		Configuration: map[string]any{"mode": "upsert", "mappings": []any{map[string]any{"from": "email", "to": "email", "type": "standard"}}},
		Schedule:      map[string]any{"type": "interval", "schedule": map[string]any{"interval": map[string]any{"unit": "day", "quantity": 1}}}})
}

func TestAnswersMatchTheOpenAPIDocument(t *testing.T) {
	s := New()
	defer s.Close()
	syncID := seed(s)
	src, _ := s.Source("snowflake")
	dst, _ := s.Destination("braze")
	model, _ := s.Model("users")

	cases := []struct {
		method, path, body string
		status             int
		schema             string
	}{
		{"GET", "/sources", "", 200, "ListSources"},
		{"GET", "/sources/" + src.ID, "", 200, "Source"},
		{"POST", "/sources", `{"name":"PG","slug":"pg","type":"postgres","configuration":{}}`, 200, "Source"},
		{"PATCH", "/sources/" + src.ID, `{"name":"Snowflake prod"}`, 200, "Source"},
		{"GET", "/destinations", "", 200, "ListDestinations"},
		{"GET", "/destinations/" + dst.ID, "", 200, "Destination"},
		{"POST", "/destinations", `{"name":"SF","slug":"sf","type":"salesforce","configuration":{}}`, 200, "Destination"},
		{"PATCH", "/destinations/" + dst.ID, `{"configuration":{"region":"us"}}`, 200, "Destination"},
		{"GET", "/models", "", 200, "ListModels"},
		{"GET", "/models?slug=orders", "", 200, "ListModels"},
		{"GET", "/models/" + model.ID, "", 200, "Model"},
		{"POST", "/models", fmt.Sprintf(`{"name":"N","slug":"n","queryType":"raw_sql","sourceId":%s,"isSchema":false,"primaryKey":"id","raw":{"sql":"select 1"}}`, src.ID), 200, "Model"},
		{"PATCH", "/models/" + model.ID, `{"raw":{"sql":"select 2"}}`, 200, "Model"},
		{"GET", "/syncs", "", 200, "ListSyncs"},
		{"GET", "/syncs?slug=users-to-braze&limit=1", "", 200, "ListSyncs"},
		{"GET", "/syncs/" + syncID, "", 200, "Sync"},
		{"POST", "/syncs", fmt.Sprintf(`{"slug":"s2","modelId":%s,"destinationId":%s,"configuration":{},"schedule":null,"disabled":false}`, model.ID, dst.ID), 200, "Sync"},
		{"PATCH", "/syncs/" + syncID, `{"schedule":{"type":"cron","schedule":{"expression":"0 6 * * *"}},"disabled":true}`, 200, "Sync"},
		{"POST", "/syncs/" + syncID + "/trigger", `{"fullResync":true}`, 200, "TriggerRunOutput"},
		{"POST", "/syncs/" + syncID + "/trigger", ``, 200, "TriggerRunOutput"},
		{"POST", "/syncs/trigger", `{"syncSlug":"users-to-braze"}`, 200, "TriggerRunOutput"},
		{"POST", "/syncs/trigger", fmt.Sprintf(`{"syncId":"%s","resetCDC":true}`, syncID), 200, "TriggerRunOutput"},
		{"GET", "/syncs/" + syncID + "/runs", "", 200, "ListSyncRuns"},
		{"POST", "/syncs", `{"slug":"s3"}`, 422, "ValidateErrorJSON"},
		{"POST", "/syncs/" + syncID + "/trigger", `{"fullResync":"true"}`, 422, "ValidateErrorJSON"},
		{"POST", "/sources", `{"name":"PG","slug":"pg","type":"postgres","configuration":{}}`, 409, "ValidateErrorJSON"},
		{"POST", "/models", `{"name":"N","slug":"m2","queryType":"raw_sql","sourceId":999,"isSchema":false,"primaryKey":"id"}`, 422, "ValidateErrorJSON"},
		{"PATCH", "/models/" + model.ID, `{"slug":"renamed"}`, 422, "ValidateErrorJSON"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			status, body := call(t, s, c.method, c.path, c.body)
			if status != c.status {
				t.Fatalf("status %d, want %d: %s", status, c.status, body)
			}
			conforms(t, c.schema, body)
		})
	}
}

// Every status a run passes through, for each final outcome, matches SyncRun.
func TestRunProgressionMatchesTheDocument(t *testing.T) {
	for _, sc := range []RunScript{
		{},
		{Final: "warning", Failed: &Rows{Changed: 2}, Error: "2 rows rejected"},
		{Final: "failed", Error: "query failed", HiddenPolls: 2},
		{Final: "cancelled", Steps: []string{"queued", "querying"}},
		{Final: "interrupted", Steps: []string{}}, // ends as it starts
	} {
		t.Run(sc.Final, func(t *testing.T) {
			s := New()
			defer s.Close()
			id := seed(s)
			s.ScriptRuns(id, sc)
			call(t, s, "POST", "/syncs/"+id+"/trigger", "")
			call(t, s, "POST", "/syncs/"+id+"/trigger", "") // queued behind the first
			for range 14 {
				_, body := call(t, s, "GET", "/syncs/"+id+"/runs", "")
				conforms(t, "ListSyncRuns", body)
				_, body = call(t, s, "GET", "/syncs/"+id, "")
				conforms(t, "Sync", body)
			}
			for _, r := range s.Runs(id) {
				if want := sc.Final; r.Status != want && !(want == "" && r.Status == "success") {
					t.Errorf("run %s ended %s, want %s", r.ID, r.Status, want)
				}
			}
		})
	}
}

func TestInternalServerErrorIsTheBareString(t *testing.T) {
	s := New()
	defer s.Close()
	s.Fault(RouteListSyncs, Fault{Status: 500})
	status, body := call(t, s, "GET", "/syncs", "")
	if status != 500 {
		t.Fatalf("status %d", status)
	}
	conforms(t, "InternalServerError", body)
}

// The check bites: string ids (the older answers) are not what the document
// declares, so the same answers fail it.
func TestStringIDsModeAndTheCheckBites(t *testing.T) {
	s := New(WithStringIDs())
	defer s.Close()
	id := seed(s)
	_, body := call(t, s, "GET", "/syncs/"+id, "")
	if !bytes.Contains(body, []byte(`"id":"`+id+`"`)) {
		t.Fatalf("id not a string: %s", body)
	}
	sch, err := Schema("Sync")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if sch.Validate(v) == nil {
		t.Fatal("a string id passed the schema check")
	}
}
