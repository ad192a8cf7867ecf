package check

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/rules"
	"github.com/htgit/htgit/internal/workspace"
)

// scheduleBodies maps each schedule type to the key its body needs.
var scheduleBodies = map[string]string{
	"interval": "interval", "cron": "expression", "visual": "expressions",
	"dbt-cloud": "job", "dbt_cloud": "job", "dbt": "job", "manual": "",
}

// missingBody says what to report when a schedule of a type lacks its body.
var missingBody = map[string]struct {
	rule finding.Rule
	msg  string
}{
	"interval": {rules.SyncScheduleInterval, "interval schedule has no schedule.interval; add interval: {unit: hour, quantity: 1}"},
	"cron":     {rules.SyncScheduleCron, "cron schedule has no schedule.expression; add expression: \"0 6 * * *\" (UTC)"},
	"visual":   {rules.SyncScheduleVisual, "visual schedule has no schedule.expressions; add expressions: [{days: {monday: true}, time: \"09:00\"}]"},
}

func (fc *fileCheck) schedule(schedule field) {
	if workspace.IsNull(schedule.value) {
		return // no schedule: a manual sync
	}
	typ := fc.field(schedule.value, "type")
	kind, isString := typ.str()
	body := fc.field(schedule.value, "schedule")
	want, known := scheduleBodies[kind]
	if isString && !known {
		fc.at(rules.SyncScheduleType, typ.where(), fmt.Sprintf("unknown schedule type %q; use one of interval, cron, visual, dbt-cloud, manual", kind))
	}
	// A known type without its body never runs; the dbt Cloud shapes are
	// not confirmed, so only the documented ones are required.
	bodyIsMapping := body.value == nil || workspace.IsNull(body.value) || body.value.Kind == yaml.MappingNode
	if missing, ok := missingBody[kind]; ok && bodyIsMapping && !fc.field(body.value, want).present() {
		where := body.key
		if where == nil {
			where = typ.key
		}
		fc.at(missing.rule, where, missing.msg)
	}
	// Check whatever shapes the body has, whatever the type says: a cron
	// expression is wrong or right on its own.
	if interval := fc.field(body.value, "interval"); interval.present() {
		if q := fc.field(interval.value, "quantity"); q.present() {
			if n, ok := workspace.Value(q.value).(int64); ok && n < 1 {
				fc.at(rules.SyncScheduleInterval, q.value, fmt.Sprintf("interval quantity is %d; it must be 1 or more", n))
			}
		}
	}
	if expr := fc.field(body.value, "expression"); expr.present() {
		if text, ok := expr.str(); ok {
			if err := parseCron(text); err != nil {
				fc.at(rules.SyncScheduleCron, expr.value, fmt.Sprintf("cron expression %q: %v", text, err))
			}
		}
	}
	if exprs := fc.field(body.value, "expressions"); exprs.present() {
		fc.visual(exprs)
	}
}

var (
	weekdays  = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
	clockTime = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

func (fc *fileCheck) visual(exprs field) {
	list := workspace.Resolve(exprs.value)
	if list != nil && list.Kind != yaml.SequenceNode && !workspace.IsNull(list) {
		return // not a list: the schema reports it
	}
	if list == nil || len(list.Content) == 0 {
		fc.at(rules.SyncScheduleVisual, exprs.key, "visual schedule has no expressions; add at least one {days: {...}, time: \"HH:MM\"}")
		return
	}
	for _, e := range list.Content {
		if e = workspace.Resolve(e); e.Kind != yaml.MappingNode {
			continue // the schema reports an entry that is not a mapping
		}
		days := fc.field(e, "days")
		names, values := workspace.Fields(days.value)
		if len(names) > 0 {
			anyDay := false
			for i, k := range names {
				if !slices.Contains(weekdays, k.Value) {
					msg := fmt.Sprintf("%q is not a day; use lowercase English weekday names", k.Value)
					if s := closest(k.Value, weekdays); s != "" {
						msg += fmt.Sprintf(" (did you mean %q?)", s)
					}
					fc.at(rules.SyncScheduleVisual, k, msg)
				}
				anyDay = anyDay || workspace.Value(values[i]) == true
			}
			if !anyDay {
				fc.at(rules.SyncScheduleVisual, days.key, "no day is true; the schedule would never run")
			}
		} else {
			fc.at(rules.SyncScheduleVisual, whereOr(days, field{key: e}), "visual schedule entry has no days; add days: {monday: true, ...}")
		}
		t := fc.field(e, "time")
		switch text, ok := t.str(); {
		case !t.present():
			fc.at(rules.SyncScheduleVisual, e, "visual schedule entry has no time; add time: \"HH:MM\" (24-hour, UTC)")
		case !ok || !clockTime.MatchString(text):
			fc.at(rules.SyncScheduleVisual, t.where(), fmt.Sprintf("time %q is not HH:MM (24-hour, e.g. \"09:30\")", t.value.Value))
		}
	}
}

// cronFields describes the five fields of a standard cron expression.
var cronFields = []struct {
	name     string
	min, max int
	names    []string // names for values starting at min
}{
	{"minute", 0, 59, nil},
	{"hour", 0, 23, nil},
	{"day-of-month", 1, 31, nil},
	{"month", 1, 12, []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{"day-of-week", 0, 7, []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

// parseCron checks a five-field cron expression: lists, ranges, steps and
// month and weekday names.
func parseCron(expr string) error {
	fields := strings.Fields(expr)
	if len(fields) != 5 {
		return fmt.Errorf("has %d fields; write 5: minute hour day-of-month month day-of-week", len(fields))
	}
	for i, text := range fields {
		spec := cronFields[i]
		for item := range strings.SplitSeq(text, ",") {
			if err := parseCronItem(item, spec.min, spec.max, spec.names); err != nil {
				return fmt.Errorf("%s field %q: %v", spec.name, text, err)
			}
		}
	}
	return nil
}

func parseCronItem(item string, lo, hi int, names []string) error {
	rangePart, step, hasStep := strings.Cut(item, "/")
	if hasStep {
		n, err := strconv.Atoi(step)
		if err != nil || n < 1 {
			return fmt.Errorf("step %q must be a number of 1 or more", step)
		}
	}
	if rangePart == "*" {
		return nil
	}
	from, to, isRange := strings.Cut(rangePart, "-")
	a, err := cronValue(from, lo, hi, names)
	if err != nil {
		return err
	}
	if !isRange {
		return nil
	}
	b, err := cronValue(to, lo, hi, names)
	if err != nil {
		return err
	}
	if a > b {
		return fmt.Errorf("range %s runs backwards", rangePart)
	}
	return nil
}

func cronValue(s string, lo, hi int, names []string) (int, error) {
	if i := slices.Index(names, strings.ToLower(s)); i >= 0 {
		return lo + i, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%d is out of range %d-%d", n, lo, hi)
	}
	return n, nil
}
