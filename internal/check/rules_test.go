package check

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/schema"
)

// model replaces lines of the base model: each pair is old line, new text
// ("" deletes the line).
func model(pairs ...string) string { return edit(baseModel, pairs...) }

func syncEdit(pairs ...string) string { return edit(baseSync, pairs...) }

func edit(src string, pairs ...string) string {
	lines := strings.SplitAfter(src, "\n")
	for i := 0; i+1 < len(pairs); i += 2 {
		found := false
		for j, l := range lines {
			if strings.TrimRight(l, "\n") == pairs[i] {
				lines[j] = pairs[i+1]
				if pairs[i+1] != "" && !strings.HasSuffix(pairs[i+1], "\n") {
					lines[j] += "\n"
				}
				found = true
				break
			}
		}
		if !found {
			panic("edit: no line " + pairs[i])
		}
	}
	return strings.Join(lines, "")
}

// withSchedule replaces the base sync's schedule.
func withSchedule(schedule string) string {
	i := strings.Index(baseSync, "schedule:")
	return baseSync[:i] + schedule
}

func TestSchemaRules(t *testing.T) {
	runFileCases(t, "models/users.yaml", nil, []fileCase{
		{"missing key points at the mapping", model("source: snowflake", ""),
			[]want{{"schema-required", "1:1-7:20", "missing required key `source`; add it"}}},
		{"two missing keys", model("name: Users", "", "source: snowflake", ""),
			[]want{
				{"schema-required", "1:1-6:20", "`name`"},
				{"schema-required", "1:1-6:20", "`source`"},
			}},
		{"wrong type", model("isSchema: false", "isSchema: \"false\""),
			[]want{{"schema-type", "7:11-7:18", "`isSchema` must be a boolean, not a string"}}},
		{"null where a string is required", model("source: snowflake", "source:"),
			[]want{{"schema-type", "2:1-2:7", "`source` must be a string, not null"}}},
		{"a model without a primary key is valid (Customer Studio; the API allows null)", model("primaryKey: user_id", "primaryKey: null"), nil},
		{"so is one with no primaryKey key", model("primaryKey: user_id", ""), nil},
		{"unknown key with a suggestion", model("primaryKey: user_id", "primaryKey: user_id\nprimarykey: id"),
			[]want{{"schema-unknown-key", "9:1-9:11", "unknown key `primarykey`; did you mean `primaryKey`?"}}},
		{"unknown key far from any", model("isSchema: false", "isSchema: false\nowner: data-team"),
			[]want{{"schema-unknown-key", "8:1-8:6", "Hightouch ignores it: remove it"}}},
		// Fields of the API's Model: whether Git Sync writes them is not
		// public, so no "Hightouch ignores it" and no advice.
		{"tags, folder: unknown whether Git Sync writes them", model("isSchema: false", "isSchema: false\ntags: {team: growth}\nfolder: Marketing"),
			[]want{
				{"schema-unknown-key", "8:1-8:5", "unknown key `tags`; Hightouch's API has `tags` on a model, but whether Git Sync writes or reads it in a file is not public"},
				{"schema-unknown-key", "9:1-9:7", "unknown key `folder`; Hightouch's API has `folder` on a model, but whether Git Sync writes or reads it in a file is not public"},
			}},
		{"an alias is reported where it is used, not at its anchor", model("tableName: public.users", "tableName: &t public.users", "isSchema: false", "isSchema: *t"),
			[]want{{"schema-type", "7:11-7:13", "`isSchema` must be a boolean, not a string"}}},
		{"empty name", model("name: Users", `name: ""`),
			[]want{{"schema-invalid", "1:7-1:9", "`name` must not be empty"}}},
	})
	runFileCases(t, "syncs/users-to-braze.yaml", nil, []fileCase{
		{"nested missing key points at its key", syncEdit("      quantity: 1", ""),
			[]want{{"schema-required", "12:5-12:13", "missing required key `quantity` in `schedule.schedule.interval`"}}},
		{"an unknown key inside a schedule is no finding (Git Sync's keys there are not public)", syncEdit("      unit: hour", "      units: hour"),
			[]want{{"schema-required", "12:5-12:13", "`unit`"}}},
		{"an unknown top-level key is a warning", syncEdit("schedulePaused: false", "schedulePaused: false\nschedulepaused: true"),
			[]want{{"schema-unknown-key", "16:1-16:15", "unknown key `schedulepaused`; did you mean `schedulePaused`?"}}},
		{"disabled, tags: unknown whether Git Sync writes them", syncEdit("schedulePaused: false", "schedulePaused: false\ndisabled: true\ntags: {}"),
			[]want{
				{"schema-unknown-key", "16:1-16:9", "unknown key `disabled`; Hightouch's API has `disabled` on a sync, but whether Git Sync writes or reads it in a file is not public"},
				{"schema-unknown-key", "17:1-17:5", "unknown key `tags`; Hightouch's API has `tags` on a sync, but whether Git Sync writes or reads it in a file is not public"},
			}},
		{"nested enum", syncEdit("      unit: hour", "      unit: hours"),
			[]want{{"schema-enum", "13:13-13:18", "`schedule.schedule.interval.unit` must be one of minute, hour, day, week, not \"hours\""}}},
		{"schedulePaused must be a boolean", syncEdit("schedulePaused: false", "schedulePaused: \"no\""),
			[]want{{"schema-type", "15:17-15:21", "`schedulePaused` must be a boolean, not a string"}}},
		{"quantity must be an integer", syncEdit("      quantity: 1", "      quantity: 1.5"),
			[]want{{"schema-type", "14:17-14:20", "must be an integer, not a number"}}},
		{"mappings must be a list", syncEdit("  mappings:", "  mappings: {}", "    - from: email", "", "      to: email", "", "      type: standard", ""),
			[]want{{"schema-type", "5:13-5:15", "`config.mappings` must be a list, not a mapping"}}},
		{"day value must be a boolean", withSchedule("schedule:\n  type: visual\n  schedule:\n    expressions:\n      - days: {monday: yes}\n        time: \"09:00\"\n"),
			[]want{
				{"sync-schedule-visual", "13:9-13:13", "no day is true"},
				{"schema-type", "13:24-13:27", "`schedule.schedule.expressions.0.days.monday` must be a boolean, not a string"},
			}},
	})
	runFileCases(t, "manifest.yaml", nil, []fileCase{
		{"manifest unknown key", "sources: {}\ndestination: {}\n",
			[]want{{"schema-unknown-key", "2:1-2:12", "did you mean `destinations`?"}}},
		{"manifest entry must be a mapping", "destinations:\n  braze: Braze\n",
			[]want{{"schema-type", "2:10-2:15", "`destinations.braze` must be a mapping, not a string"}}},
		{"aliases past the limit are one finding naming it", aliasBomb(),
			[]want{{"schema-invalid", "21:20-21:24", "more than 4000000 values (each use of an alias counts as a copy), htgit's limit"}}},
	})
}

// aliasBomb is a manifest whose aliases double the values at each level.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("sources:\n  a0: &a0 {name: x, type: y}\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "  a%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	return b.String()
}

// TestSchemaRuleTags: every x-htgit-rule in the schemas names a rule htgit
// lists, and one whose violations check phrases.
func TestSchemaRuleTags(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range rules.All() {
		ids[r.ID] = true
	}
	tagged := 0
	for _, name := range schema.Names {
		src, _ := schema.Source(name)
		for _, m := range regexp.MustCompile(`"`+schema.RuleKeyword+`": "([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
			tagged++
			if !ids[m[1]] || schemaRuleMessages[m[1]] == nil {
				t.Errorf("%s schema: %s %q is not a rule with a message handler", name, schema.RuleKeyword, m[1])
			}
		}
	}
	if tagged < 5 {
		t.Errorf("only %d tagged subschemas found", tagged)
	}
}

func TestModelRules(t *testing.T) {
	rawSQL := func(sql, pk string) string {
		return model("type: table", "type: raw_sql", "rawSql: null", "rawSql: "+sql, "tableName: public.users", "tableName: null", "primaryKey: user_id", "primaryKey: "+pk)
	}
	runFileCases(t, "models/users.yaml", nil, []fileCase{
		{"table with rawSql set", model("rawSql: null", "rawSql: select 1"),
			[]want{{"model-query-field", "4:1-4:7", "rawSql must be null when type is table"}}},
		{"table without tableName key", model("tableName: public.users", ""),
			[]want{{"model-query-field", "3:1-3:5", "type is table but tableName is not set"}}},
		{"table with tableName null", model("tableName: public.users", "tableName: ~"),
			[]want{{"model-query-field", "5:12-5:13", "type is table but tableName is not set"}}},
		{"table with empty tableName", model("tableName: public.users", "tableName: ''"),
			[]want{{"model-query-field", "5:12-5:14", "tableName is empty"}}},
		{"raw_sql with two query fields", model("type: table", "type: raw_sql", "rawSql: null", "rawSql: select user_id from u"),
			[]want{{"model-query-field", "5:1-5:10", "tableName must be null when type is raw_sql"}}},
		{"dbt model id", model("type: table", "type: dbt_model", "tableName: public.users", "tableName: null", "dbtModel: null", "dbtModel: model.analytics"),
			[]want{{"model-dbt-model", "6:11-6:26", `dbtModel "model.analytics" is not of the form model.<package>.<model>`}}},
		{"dbt model id with a trailing dot", model("type: table", "type: dbt_model", "tableName: public.users", "tableName: null", "dbtModel: null", "dbtModel: model.analytics.users."),
			[]want{{"model-dbt-model", "6:11-6:33", "not of the form"}}},
		{"dbt model id with a version", model("type: table", "type: dbt_model", "tableName: public.users", "tableName: null", "dbtModel: null", "dbtModel: model.analytics.users.v2"),
			nil},
		{"isSchema true is a Customer Studio parent model, not an error", model("isSchema: false", "isSchema: true", "primaryKey: user_id", "primaryKey: null"), nil},
		{"a type htgit does not know is a warning naming the known ones", model("type: table", "type: visual", "tableName: public.users", "tableName: null"),
			[]want{{"model-type", "3:7-3:13", `model type "visual" is not one htgit knows (raw_sql, table, dbt_model); Hightouch's API also has custom, visual and dbt_cloud models`}}},
		{"a near miss gets a suggestion", model("type: table", "type: TABLE"),
			[]want{{"model-type", "3:7-3:12", `did you mean "table"?`}}},
		{"empty primary key", model("primaryKey: user_id", "primaryKey: ''"),
			[]want{{"model-primary-key", "8:13-8:15", "primaryKey is empty"}}},
		{"blank primary key", model("primaryKey: user_id", "primaryKey: '  '"),
			[]want{{"model-primary-key", "8:13-8:17", "primaryKey is empty"}}},
		{"raw_sql not mentioning the key", rawSQL("select id, email from users", "user_id"),
			[]want{{"model-primary-key-unused", "8:13-8:20", `never mentions the primary key column "user_id"`}}},
		{"a longer column is not the key", rawSQL("select user_id_2 from users", "user_id"),
			[]want{{"model-primary-key-unused", "8:13-8:20", "never mentions"}}},
		{"key mentioned in another case and quoted", rawSQL(`select "USER_ID" from users`, "user_id"), nil},
		{"select star", rawSQL("SELECT * FROM users", "user_id"), nil},
		{"select distinct alias star", rawSQL("select distinct u.* from users u", "user_id"), nil},
		{"raw_sql without rawSql", rawSQL("null", "user_id"),
			[]want{{"model-query-field", "4:9-4:13", "type is raw_sql but rawSql is not set; add the SQL query"}}},
		{"raw_sql with a blank rawSql", rawSQL("'  '", "user_id"),
			[]want{{"model-query-field", "4:9-4:13", "rawSql is empty; add the SQL query"}}},
		// A public guide writes a dbt model's query as modelId (the API's
		// spelling): one warning pointing to dbtModel.
		{"modelId instead of dbtModel is one warning", model("type: table", "type: dbt_model", "tableName: public.users", "tableName: null", "dbtModel: null", "modelId: 12345"),
			[]want{{"model-query-field", "6:1-6:8", "with dbtModel: model.<package>.<model> in Git Sync's files; `modelId` is the API's spelling, and whether Git Sync reads it is not public: write dbtModel"}}},
		{"modelId and a null dbtModel is one warning", model("type: table", "type: dbt_model", "tableName: public.users", "tableName: null", "dbtModel: null", "dbtModel: null\nmodelId: 12345"),
			[]want{{"model-query-field", "7:1-7:8", "`modelId` is the API's spelling"}}},
		{"dbt_model with an empty dbtModel is one finding", model("type: table", "type: dbt_model", "tableName: public.users", "tableName: null", "dbtModel: null", "dbtModel: ''"),
			[]want{{"model-query-field", "6:11-6:13", "dbtModel is empty; add the dbt model id"}}},
		{"a query field of another type is the schema's alone", model("tableName: public.users", "tableName: 5"),
			[]want{{"schema-type", "5:12-5:13", "`tableName` must be a string or null, not an integer"}}},
		{"an unknown type asks for no query field", model("type: table", "type: dbt_cloud", "tableName: public.users", "tableName: null"),
			[]want{{"model-type", "3:7-3:16", `model type "dbt_cloud" is not one htgit knows`}}},
	})
}

func TestScheduleRules(t *testing.T) {
	sched := func(s string) string { return withSchedule("schedule:\n" + s) }
	runFileCases(t, "syncs/users-to-braze.yaml", nil, []fileCase{
		{"no schedule", withSchedule(""), nil},
		{"null schedule", withSchedule("schedule: null\n"), nil},
		{"manual", sched("  type: manual\n"), nil},
		{"unknown type", sched("  type: hourly\n"),
			[]want{{"sync-schedule-type", "10:9-10:15", `unknown schedule type "hourly"`}}},
		{"quantity zero", syncEdit("      quantity: 1", "      quantity: 0"),
			[]want{{"sync-schedule-interval", "14:17-14:18", "interval quantity is 0; it must be 1 or more"}}},
		{"quantity negative", syncEdit("      quantity: 1", "      quantity: -3"),
			[]want{{"sync-schedule-interval", "14:17-14:19", "interval quantity is -3"}}},
		{"interval without body", sched("  type: interval\n"),
			[]want{{"sync-schedule-interval", "10:3-10:7", "interval schedule has no schedule.interval"}}},
		{"interval with a body that is not a mapping: the schema's", sched("  type: interval\n  schedule: hourly\n"),
			[]want{{"schema-type", "11:13-11:19", "`schedule.schedule` must be a mapping or null, not a string"}}},
		{"interval with empty body", sched("  type: interval\n  schedule: {}\n"),
			[]want{{"sync-schedule-interval", "11:3-11:11", "has no schedule.interval"}}},
		{"cron", sched("  type: cron\n  schedule:\n    expression: '0 6 * * 1-5'\n"), nil},
		{"cron with names and steps", sched("  type: cron\n  schedule:\n    expression: '*/5 0-23/2 1,15 jan-DEC sun'\n"), nil},
		{"cron four fields", sched("  type: cron\n  schedule:\n    expression: '0 6 * *'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:26", "has 4 fields"}}},
		{"Quartz: 0 0 12 1 * ?", sched("  type: cron\n  schedule:\n    expression: '0 0 12 1 * ?'\n"), nil},
		{"Quartz: 0 0 12 LW * ?", sched("  type: cron\n  schedule:\n    expression: '0 0 12 LW * ?'\n"), nil},
		{"Quartz: 0 0 12 ? * 5#3", sched("  type: cron\n  schedule:\n    expression: '0 0 12 ? * 5#3'\n"), nil},
		{"Quartz: 0 0 12 ? DEC *", sched("  type: cron\n  schedule:\n    expression: '0 0 12 ? DEC *'\n"), nil},
		{"Quartz: 0 15 10 L-2 * ?", sched("  type: cron\n  schedule:\n    expression: '0 15 10 L-2 * ?'\n"), nil},
		{"Quartz: 0 15 10 15W * ?", sched("  type: cron\n  schedule:\n    expression: '0 15 10 15W * ?'\n"), nil},
		{"Quartz: 0 15 10 ? * 6L", sched("  type: cron\n  schedule:\n    expression: '0 15 10 ? * 6L'\n"), nil},
		{"Quartz: 0 15 10 ? * MON-FRI 2027", sched("  type: cron\n  schedule:\n    expression: '0 15 10 ? * MON-FRI 2027'\n"), nil},
		{"Quartz: 0/30 * * ? * SUN,SAT", sched("  type: cron\n  schedule:\n    expression: '0/30 * * ? * SUN,SAT'\n"), nil},
		{"Quartz: 0 15 10 ? * L", sched("  type: cron\n  schedule:\n    expression: '0 15 10 ? * L'\n"), nil},
		{"Quartz nonsense: 0 0 25 ? * *", sched("  type: cron\n  schedule:\n    expression: '0 0 25 ? * *'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:31", "hour field \"25\": 25 is out of range 0-23"}}},
		{"Quartz nonsense: 0 0 12 ? * 5#6", sched("  type: cron\n  schedule:\n    expression: '0 0 12 ? * 5#6'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:33", "the n in day#n must be 1 to 5"}}},
		{"Quartz nonsense: 0 0 12 32W * ?", sched("  type: cron\n  schedule:\n    expression: '0 0 12 32W * ?'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:33", "day-of-month field \"32W\": 32 is out of range 1-31"}}},
		{"Quartz nonsense: 0 0 12 L-31 * ?", sched("  type: cron\n  schedule:\n    expression: '0 0 12 L-31 * ?'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:34", "L-n needs n from 1 to 30"}}},
		{"Quartz nonsense: 0 0 12 ? * * 1800", sched("  type: cron\n  schedule:\n    expression: '0 0 12 ? * * 1800'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:36", "year field \"1800\": 1800 is out of range 1970-2099"}}},
		{"Quartz nonsense: 0 0 12 ? * 8L", sched("  type: cron\n  schedule:\n    expression: '0 0 12 ? * 8L'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:32", "day-of-week field \"8L\": 8 is out of range 0-7"}}},
		{"Quartz nonsense: 0 6 * ? * 1W", sched("  type: cron\n  schedule:\n    expression: '0 6 * ? * 1W'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:31", "day-of-week field \"1W\": \"1W\" is not a number"}}},
		{"Quartz nonsense: 0 0 12 1,,2 * ?", sched("  type: cron\n  schedule:\n    expression: '0 0 12 1,,2 * ?'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:34", "an empty list entry"}}},
		{"Quartz nonsense: ? 0 12 1 * *", sched("  type: cron\n  schedule:\n    expression: '? 0 12 1 * *'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:31", "second field \"?\": \"?\" is not a number"}}},
		{"Quartz nonsense: 0 0 0 0 12 1 * ?", sched("  type: cron\n  schedule:\n    expression: '0 0 0 0 12 1 * ?'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:35", "has 8 fields; write 5"}}},
		{"fivetran is a known type", sched("  type: fivetran\n"), nil},
		{"unknown keys in a schedule are no finding", sched("  type: interval\n  endDate: '2027-01-01'\n  schedule:\n    interval: {unit: day, quantity: 1}\n    until: '2027-01-01'\n"), nil},
		{"a visual time is in the workspace's time zone", sched("  type: visual\n  schedule:\n    expressions:\n      - days: {monday: true}\n"),
			[]want{{"sync-schedule-visual", "13:9-13:29", "(24-hour, in the workspace's time zone)"}}},
		{"cron minute out of range", sched("  type: cron\n  schedule:\n    expression: '60 6 * * *'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:29", "minute field \"60\": 60 is out of range 0-59"}}},
		{"cron backwards range", sched("  type: cron\n  schedule:\n    expression: '0 6 * * 5-1'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:30", "range 5-1 runs backwards"}}},
		{"cron bad step", sched("  type: cron\n  schedule:\n    expression: '*/0 6 * * *'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:30", `step "0" must be a number of 1 or more`}}},
		{"cron bad name", sched("  type: cron\n  schedule:\n    expression: '0 6 * foo *'\n"),
			[]want{{"sync-schedule-cron", "12:17-12:30", `month field "foo": "foo" is not a number`}}},
		{"cron without expression", sched("  type: cron\n  schedule: {}\n"),
			[]want{{"sync-schedule-cron", "11:3-11:11", "cron schedule has no schedule.expression"}}},
		{"visual", sched("  type: visual\n  schedule:\n    expressions:\n      - days: {monday: true}\n        time: '09:30'\n"), nil},
		{"visual without expressions", sched("  type: visual\n  schedule: {}\n"),
			[]want{{"sync-schedule-visual", "11:3-11:11", "visual schedule has no schedule.expressions"}}},
		{"visual with no entries", sched("  type: visual\n  schedule:\n    expressions: []\n"),
			[]want{{"sync-schedule-visual", "12:5-12:16", "visual schedule has no expressions"}}},
		{"visual day typo", sched("  type: visual\n  schedule:\n    expressions:\n      - days: {Monday: true}\n        time: '09:30'\n"),
			[]want{{"sync-schedule-visual", "13:16-13:22", `"Monday" is not a day; use lowercase English weekday names (did you mean "monday"?)`}}},
		{"visual no day true", sched("  type: visual\n  schedule:\n    expressions:\n      - days: {monday: false}\n        time: '09:30'\n"),
			[]want{{"sync-schedule-visual", "13:9-13:13", "no day is true"}}},
		{"visual no days", sched("  type: visual\n  schedule:\n    expressions:\n      - time: '09:30'\n"),
			[]want{{"sync-schedule-visual", "13:9-13:22", "entry has no days"}}},
		{"visual no time", sched("  type: visual\n  schedule:\n    expressions:\n      - days: {monday: true}\n"),
			[]want{{"sync-schedule-visual", "13:9-13:29", "entry has no time"}}},
		{"visual time not HH:MM", sched("  type: visual\n  schedule:\n    expressions:\n      - days: {monday: true}\n        time: '24:00'\n"),
			[]want{{"sync-schedule-visual", "14:15-14:22", `time "24:00" is not HH:MM`}}},
		{"visual time as a number", sched("  type: visual\n  schedule:\n    expressions:\n      - days: {monday: true}\n        time: 930\n"),
			[]want{
				{"schema-type", "14:15-14:18", "must be a string, not an integer"},
				{"sync-schedule-visual", "14:15-14:18", `time "930" is not HH:MM`},
			}},
		{"type not a string is the schema's", sched("  type: [interval]\n"),
			[]want{{"schema-type", "10:9-10:19", "`schedule.type` must be a string, not a list"}}},
		{"visual days merged from an anchor", withSchedule("x-weekdays: &weekdays {monday: true, friday: true}\nschedule:\n  type: visual\n  schedule:\n    expressions:\n      - days: {<<: *weekdays, sunday: false}\n        time: '09:30'\n"),
			[]want{{"schema-unknown-key", "9:1-9:11", "unknown key `x-weekdays`"}}},
		{"dbt cloud", sched("  type: dbt-cloud\n  schedule:\n    account: {id: 1}\n    job: {id: 2}\n"), nil},
	})
}

func TestMappingRules(t *testing.T) {
	mappings := func(entries string) string {
		return "model: users\ndestination: braze\nconfig:\n  mappings:\n" + entries
	}
	runFileCases(t, "syncs/users-to-braze.yaml", nil, []fileCase{
		{"every type", mappings("    - {from: a, to: a, type: standard}\n    - {to: b, type: template, template: x}\n    - {to: c, type: variable, variable: sync-id}\n    - {to: d, type: reference, lookup: {object: User}}\n"), nil},
		// Hightouch's mapping docs: static values and inline mappings
		// (nested objects and arrays); their other keys are not public.
		{"static and inline", mappings("    - {to: region, type: static, value: EMEA}\n    - to: address\n      type: inline\n      from: {street: street, city: city}\n"), nil},
		{"static still needs to", mappings("    - {type: static, value: EMEA}\n"),
			[]want{{"sync-mapping-to", "5:7-5:34", "mappings entry has no `to`"}}},
		{"no to", mappings("    - from: a\n      type: standard\n"),
			[]want{{"sync-mapping-to", "5:7-6:21", "mappings entry has no `to`"}}},
		{"null to", mappings("    - from: a\n      to:\n      type: standard\n"),
			[]want{{"sync-mapping-to", "6:7-6:9", "has no `to`"}}},
		{"empty to", mappings("    - {from: a, to: '', type: standard}\n"),
			[]want{{"sync-mapping-to", "5:21-5:23", "has an empty `to`"}}},
		{"no type", mappings("    - from: a\n      to: a\n"),
			[]want{{"sync-mapping-type", "5:7-6:12", "entry has no `type`"}}},
		{"unknown type", mappings("    - {from: a, to: a, type: Standard}\n"),
			[]want{{"sync-mapping-type", "5:30-5:38", `mapping type "Standard" is not standard, template, variable, reference, static or inline; did you mean "standard"?`}}},
		{"standard without from", mappings("    - {to: a, type: standard}\n"),
			[]want{{"sync-mapping-type", "5:21-5:29", "mapping of type standard needs `from`"}}},
		{"template without template", mappings("    - {to: a, type: template}\n"),
			[]want{{"sync-mapping-type", "5:21-5:29", "needs `template`"}}},
		{"variable without variable", mappings("    - {to: a, type: variable, variable: null}\n"),
			[]want{{"sync-mapping-type", "5:21-5:29", "needs `variable`"}}},
		{"reference without lookup", mappings("    - {to: a, type: reference}\n"),
			[]want{{"sync-mapping-type", "5:21-5:30", "needs `lookup`"}}},
		{"duplicate to", mappings("    - {from: a, to: email, type: standard}\n    - {from: b, to: email, type: standard}\n"),
			[]want{{"sync-mapping-duplicate-to", "6:21-6:26", "`email` is already mapped on line 5"}}},
		{"customMappings are checked too", "model: users\ndestination: braze\nconfig:\n  customMappings:\n    - {from: a}\n",
			[]want{
				{"sync-mapping-to", "5:7-5:16", "customMappings entry has no `to`"},
				{"sync-mapping-type", "5:7-5:16", "customMappings entry has no `type`"},
			}},
		{"the same to in two lists is fine", "model: users\ndestination: braze\nconfig:\n  mappings:\n    - {from: a, to: x, type: standard}\n  customMappings:\n    - {from: a, to: x, type: standard}\n", nil},
	})
}

func TestSlugRules(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		rel   string
		want  []want
	}{
		{"duplicate across subfolders", map[string]string{"models/a/users.yaml": model("name: Users", "name: A")},
			"models/users.yaml", []want{{"slug-duplicate", "1:1-1:1", `model slug "users" is also given by models/a/users.yaml`}}},
		{"duplicate across extensions", map[string]string{"syncs/users-to-braze.yml": baseSync},
			"syncs/users-to-braze.yml", []want{{"slug-duplicate", "1:1-1:1", `sync slug "users-to-braze" is also given by syncs/users-to-braze.yaml`}}},
		{"a model and a sync may share a slug", map[string]string{"syncs/users.yaml": baseSync}, "syncs/users.yaml", nil},
		{"dot in the name", map[string]string{"syncs/users.v2.yaml": baseSync},
			"syncs/users.v2.yaml", []want{{"slug-invalid", "1:1-1:1", `file name "users.v2" has characters a slug cannot have; use only A-Z a-z 0-9 - _ (e.g. "users-v2")`}}},
		{"non-ASCII name", map[string]string{"syncs/café.yaml": baseSync},
			"syncs/café.yaml", []want{{"slug-invalid", "1:1-1:1", `(e.g. "caf")`}}},
		{"camelCase and underscores are fine", map[string]string{"syncs/usersTo_braze-2.yaml": baseSync}, "syncs/usersTo_braze-2.yaml", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, res := runFiles(t, tt.files, Options{})
			expect(t, dir, res, tt.rel, tt.want)
		})
	}
}

// TestModelIDIsAWarning: htgit cannot know Hightouch rejects a dbt model
// written with modelId, so the one finding is a warning.
func TestModelIDIsAWarning(t *testing.T) {
	t.Parallel()
	_, res := runFiles(t, map[string]string{"models/users.yaml": model("type: table", "type: dbt_model", "tableName: public.users", "tableName: null", "dbtModel: null", "modelId: 12345")}, Options{})
	var got []finding.Finding
	for _, f := range res.Findings {
		if f.Rule == "model-query-field" || f.Rule == "schema-unknown-key" {
			got = append(got, f)
		}
	}
	if len(got) != 1 || got[0].Severity != finding.Warning {
		t.Errorf("findings %v, want one model-query-field warning", got)
	}
}

// TestDuplicateToAlso: the line a duplicate-to message names is a place of
// the finding, so JSON's related and SARIF's relatedLocations carry it.
func TestDuplicateToAlso(t *testing.T) {
	t.Parallel()
	dir, res := runFiles(t, map[string]string{"syncs/users-to-braze.yaml": "model: users\ndestination: braze\nconfig:\n  mappings:\n    - {from: a, to: email, type: standard}\n    - {from: b, to: email, type: standard}\n"}, Options{})
	path := filepath.Join(dir, "syncs", "users-to-braze.yaml")
	var got [][]finding.Place
	for _, f := range res.Findings {
		if f.Rule == "sync-mapping-duplicate-to" {
			got = append(got, f.Also)
		}
	}
	if len(got) != 1 || len(got[0]) != 1 || got[0][0] != (finding.Place{Path: path, Line: 5}) {
		t.Errorf("duplicate-to places %v, want [[{%s 5}]]", got, path)
	}
}
