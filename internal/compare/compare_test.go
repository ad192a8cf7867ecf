package compare

import (
	"encoding/json"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/fielddiff"

	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/workspace"
)

func parse(t *testing.T, kind workspace.Kind, src string) *yaml.Node {
	t.Helper()
	doc, findings := workspace.Parse(workspace.File{Path: "x.yaml", Kind: kind}, []byte(src))
	if doc.Root == nil {
		t.Fatalf("parse: %v", findings)
	}
	return doc.Root
}

// api decodes an API object as the client would.
func api[T any](t *testing.T, js string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestModelDiff(t *testing.T) {
	sources := map[hightouch.ID]string{"1": "pg", "2": "snow"}
	tests := []struct {
		name, file, api string
		want            []string
	}{
		{
			name: "raw SQL equal, final newline and name aside",
			file: "name: Users\nsource: pg\ntype: raw_sql\nrawSql: |\n  select 1\ntableName: null\nprimaryKey: id\n",
			api:  `{"name":"Users (renamed in the UI)","sourceId":1,"queryType":"raw_sql","raw":{"sql":"select 1"},"primaryKey":"id"}`,
		},
		{
			name: "every compared field differs",
			file: "source: pg\ntype: raw_sql\nrawSql: select 2\nprimaryKey: id\n",
			api:  `{"sourceId":2,"queryType":"table","table":{"name":"t"},"primaryKey":"user_id"}`,
			want: []string{`source: "snow" → "pg"`, `type: "table" → "raw_sql"`,
				`rawSql: "t" → "select 2"`, `primaryKey: "user_id" → "id"`},
		},
		{
			name: "table",
			file: "source: snow\ntype: table\ntableName: public.a\nprimaryKey: id\n",
			api:  `{"sourceId":"2","queryType":"table","table":{"name":"public.a"},"primaryKey":"id"}`,
		},
		{
			name: "dbt model",
			file: "source: snow\ntype: dbt_model\ndbtModel: model.analytics.customers\nprimaryKey: id\n",
			api:  `{"sourceId":2,"queryType":"dbt","dbt":{"modelId":5,"dbtUniqueId":"model.analytics.customers"},"primaryKey":"id"}`,
		},
		{
			name: "dbt Cloud model",
			file: "source: snow\ntype: dbt_model\ndbtModel: model.analytics.customers\nprimaryKey: id\n",
			api:  `{"sourceId":2,"queryType":"dbt_cloud","dbt_cloud":{"modelId":5,"dbtUniqueId":"model.analytics.customers"},"primaryKey":"id"}`,
		},
		{
			name: "unknown source id",
			file: "source: snow\ntype: table\ntableName: a\nprimaryKey: id\n",
			api:  `{"sourceId":99,"queryType":"table","table":{"name":"a"},"primaryKey":"id"}`,
			want: []string{`source: "" → "snow"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fielddiff.Lines(ModelFromFile(parse(t, workspace.Model, tt.file)).Diff(ModelFromAPI(api[hightouch.Model](t, tt.api), sources), false))
			if !slices.Equal(got, tt.want) {
				t.Errorf("diff\n got  %q\n want %q", got, tt.want)
			}
		})
	}
}

func TestSyncDiff(t *testing.T) {
	models := map[hightouch.ID]string{"10": "users"}
	dests := map[hightouch.ID]string{"20": "braze"}
	const head = "model: users\ndestination: braze\n"
	tests := []struct {
		name, file, api string
		want            []string
	}{
		{
			name: "equal: numbers, key order, nulls, manual schedule",
			file: head + "config:\n  mode: upsert\n  batch: 100\n  ratio: 0.5\n  extra: null\n  mappings:\n    - {from: a, to: b, type: standard, lookup: null}\nschedule:\n  type: manual\nschedulePaused: false\n",
			api:  `{"modelId":10,"destinationId":20,"configuration":{"mappings":[{"type":"standard","to":"b","from":"a"}],"ratio":0.5,"batch":100.0,"mode":"upsert"},"schedule":null,"disabled":false}`,
		},
		{
			name: "no schedule is manual; no config is empty",
			file: head,
			api:  `{"modelId":10,"destinationId":20,"configuration":{},"schedule":null,"disabled":false}`,
		},
		{
			name: "interval with startDate: not compared",
			file: head + "schedule:\n  type: interval\n  startDate: 2026-01-01T00:00:00Z\n  schedule:\n    startDate: null\n    interval: {unit: hour, quantity: 1}\n",
			api:  `{"modelId":10,"destinationId":20,"configuration":{},"schedule":{"type":"interval","schedule":{"interval":{"unit":"hour","quantity":1}}}}`,
		},
		{
			name: "paused is disabled",
			file: head + "schedulePaused: TRUE\n",
			api:  `{"modelId":10,"destinationId":20,"configuration":{},"schedule":null,"disabled":false}`,
			want: []string{`schedulePaused: false → true`},
		},
		{
			name: "everything differs",
			file: "model: users\ndestination: braze\nconfig: {mode: upsert}\nschedule:\n  type: cron\n  schedule: {expression: \"0 6 * * *\"}\n",
			api:  `{"modelId":11,"destinationId":21,"configuration":{"mode":"update"},"schedule":{"type":"cron","schedule":{"expression":"0 7 * * *"}}}`,
			want: []string{`model: "" → "users"`, `destination: "" → "braze"`,
				`config.mode: "update" → "upsert"`, `schedule.schedule.expression: "0 7 * * *" → "0 6 * * *"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fielddiff.Lines(SyncFromFile(parse(t, workspace.Sync, tt.file)).Diff(SyncFromAPI(api[hightouch.Sync](t, tt.api), models, dests)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("diff\n got  %q\n want %q", got, tt.want)
			}
		})
	}
}
