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
	"github.com/htgit/htgit/internal/suggest"
	"github.com/htgit/htgit/internal/workspace"
)

// scheduleBodies maps each schedule type to the key its body needs.
var scheduleBodies = map[string]string{
	"interval": "interval", "cron": "expression", "visual": "expressions",
	"dbt-cloud": "job", "dbt_cloud": "job", "dbt": "job", "manual": "",
	// Hightouch documents a Fivetran schedule (run after a Fivetran sync);
	// the type's YAML spelling and its body's keys are not public.
	"fivetran": "",
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
		fc.at(rules.SyncScheduleType, typ.where(), fmt.Sprintf("unknown schedule type %q; use one of interval, cron, visual, dbt-cloud, fivetran, manual (htgit knows these; Hightouch may not run a schedule of another type)", kind))
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
					if s := suggest.Closest(k.Value, weekdays); s != "" {
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
			fc.at(rules.SyncScheduleVisual, e, "visual schedule entry has no time; add time: \"HH:MM\" (24-hour, in the workspace's time zone)")
		case !ok || !clockTime.MatchString(text):
			fc.at(rules.SyncScheduleVisual, t.where(), fmt.Sprintf("time %q is not HH:MM (24-hour, e.g. \"09:30\")", t.value.Value))
		}
	}
}

// cronField describes one field of a cron expression.
type cronField struct {
	name     string
	min, max int
	names    []string // names for values starting at namesFrom
	from     int
	special  byte // 'd' day-of-month (?, L, L-n, nW, LW), 'w' day-of-week (?, L, nL, n#k)
}

var (
	months    = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
	weekdays3 = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

	cronMinute     = cronField{name: "minute", min: 0, max: 59}
	cronHour       = cronField{name: "hour", min: 0, max: 23}
	cronDayOfMonth = cronField{name: "day-of-month", min: 1, max: 31, special: 'd'}
	cronMonth      = cronField{name: "month", min: 1, max: 12, names: months, from: 1}
	// 0-7 covers both readings: Unix (0 and 7 are Sunday) and Quartz (1-7,
	// Sunday first). Which one Hightouch evaluates is not public.
	cronDayOfWeek = cronField{name: "day-of-week", min: 0, max: 7, names: weekdays3, from: 0, special: 'w'}

	// cronForms are the shapes Hightouch's docs show: Unix's five fields,
	// and Quartz's six or seven (seconds first, an optional year last).
	cronForms = map[int][]cronField{
		5: {cronMinute, cronHour, cronDayOfMonth, cronMonth, cronDayOfWeek},
		6: {{name: "second", max: 59}, cronMinute, cronHour, cronDayOfMonth, cronMonth, cronDayOfWeek},
		7: {{name: "second", max: 59}, cronMinute, cronHour, cronDayOfMonth, cronMonth, cronDayOfWeek, {name: "year", min: 1970, max: 2099}},
	}
)

// parseCron checks a cron expression in either form: lists, ranges, steps,
// month and weekday names, and Quartz's ?, L, W and #, each field within
// its own range.
func parseCron(expr string) error {
	fields := strings.Fields(expr)
	form, ok := cronForms[len(fields)]
	if !ok {
		return fmt.Errorf("has %d fields; write 5 (minute hour day-of-month month day-of-week) or Quartz's 6 or 7 (second first, an optional year last)", len(fields))
	}
	for i, text := range fields {
		spec := form[i]
		for item := range strings.SplitSeq(text, ",") {
			if err := spec.item(item); err != nil {
				return fmt.Errorf("%s field %q: %v", spec.name, text, err)
			}
		}
	}
	return nil
}

// item checks one comma-separated item of a field.
func (f cronField) item(item string) error {
	if item == "" {
		return fmt.Errorf("an empty list entry")
	}
	if ok, err := f.specialItem(item); ok || err != nil {
		return err
	}
	rangePart, step, hasStep := strings.Cut(item, "/")
	if hasStep {
		n, err := strconv.Atoi(step)
		if err != nil || n < 1 {
			return fmt.Errorf("step %q must be a number of 1 or more", step)
		}
	}
	if rangePart == "*" || rangePart == "?" && f.special != 0 {
		return nil
	}
	from, to, isRange := strings.Cut(rangePart, "-")
	a, err := f.value(from)
	if err != nil {
		return err
	}
	if !isRange {
		return nil
	}
	b, err := f.value(to)
	if err != nil {
		return err
	}
	if a > b {
		return fmt.Errorf("range %s runs backwards", rangePart)
	}
	return nil
}

// specialItem checks Quartz's day forms: L, L-n, nW and LW in
// day-of-month; L, nL and n#k in day-of-week. ok is false for an item that
// is none of them.
func (f cronField) specialItem(item string) (ok bool, err error) {
	up := strings.ToUpper(item)
	switch f.special {
	case 'd':
		switch {
		case up == "L" || up == "LW":
			return true, nil
		case strings.HasPrefix(up, "L-"):
			n, err := strconv.Atoi(up[2:])
			if err != nil || n < 1 || n > 30 {
				return true, fmt.Errorf("%q: L-n needs n from 1 to 30 (days before the last)", item)
			}
			return true, nil
		case strings.HasSuffix(up, "W"):
			_, err := f.value(up[:len(up)-1])
			return true, err
		}
	case 'w':
		if day, nth, found := strings.Cut(up, "#"); found {
			if _, err := f.value(day); err != nil {
				return true, err
			}
			if n, err := strconv.Atoi(nth); err != nil || n < 1 || n > 5 {
				return true, fmt.Errorf("%q: the n in day#n must be 1 to 5", item)
			}
			return true, nil
		}
		if up == "L" {
			return true, nil
		}
		if day, found := strings.CutSuffix(up, "L"); found {
			_, err := f.value(day)
			return true, err
		}
	}
	return false, nil
}

func (f cronField) value(s string) (int, error) {
	if i := slices.Index(f.names, strings.ToLower(s)); i >= 0 {
		return f.from + i, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if n < f.min || n > f.max {
		return 0, fmt.Errorf("%d is out of range %d-%d", n, f.min, f.max)
	}
	return n, nil
}
