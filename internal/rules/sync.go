package rules

import "github.com/htgit/htgit/internal/finding"

// Rules of a sync file: its references, schedule and mappings.
var (
	SyncModelRef = register(finding.Rule{ID: "sync-model-ref", Severity: finding.Error,
		Summary: "A sync's model is not a model slug of the workspace.",
		Help:    "Set model to the file name (without .yaml) of a file in models/; the message lists the closest slugs."})
	SyncDestinationRef = register(finding.Rule{ID: "sync-destination-ref", Severity: finding.Error,
		Summary: "A sync's destination is not listed in the manifest.",
		Help:    "Use a key of the manifest's destinations; the destination must exist in Hightouch."})
	SyncScheduleType = register(finding.Rule{ID: "sync-schedule-type", Severity: finding.Warning,
		Summary: "The schedule type is not one htgit knows.",
		Help:    "Use interval, cron, visual, dbt-cloud or manual; Hightouch may not run a schedule it does not know."})
	SyncScheduleInterval = register(finding.Rule{ID: "sync-schedule-interval", Severity: finding.Error,
		Summary: "An interval schedule lacks its interval or has a quantity below 1.",
		Help:    "Write schedule: {interval: {unit: minute|hour|day|week, quantity: N}} with N >= 1."})
	SyncScheduleCron = register(finding.Rule{ID: "sync-schedule-cron", Severity: finding.Error,
		Summary: "A cron expression does not parse as five fields.",
		Help:    "Write minute hour day-of-month month day-of-week, e.g. \"0 6 * * 1-5\" (evaluated in UTC)."})
	SyncScheduleVisual = register(finding.Rule{ID: "sync-schedule-visual", Severity: finding.Error,
		Summary: "A visual schedule has no expressions, unknown or no days, or a time that is not HH:MM.",
		Help:    "Write expressions: [{days: {monday: true}, time: \"09:00\"}] with 24-hour times."})
	SyncMappingTo = register(finding.Rule{ID: "sync-mapping-to", Severity: finding.Error,
		Summary: "A mapping entry has no `to`.",
		Help:    "Every mapping names the destination field it writes with `to`."})
	SyncMappingType = register(finding.Rule{ID: "sync-mapping-type", Severity: finding.Error,
		Summary: "A mapping entry has no valid `type`, or lacks the field its type needs.",
		Help:    "Use type standard with `from`, template with `template`, variable with `variable`, or reference with `lookup`."})
	SyncMappingDuplicateTo = register(finding.Rule{ID: "sync-mapping-duplicate-to", Severity: finding.Warning,
		Summary: "Two mappings write the same destination field.",
		Help:    "Keep one mapping per `to`: only one value can reach the field."})
)
