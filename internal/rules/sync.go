package rules

import "github.com/htgit/htgit/internal/finding"

// Rules of a sync file: its references, schedule and mappings.
var (
	SyncModelRef = register(finding.Rule{ID: "sync-model-ref", Severity: finding.Error,
		Summary: "A sync's model is not a model slug of the workspace.",
		Help:    "Set model to the file name (without .yaml) of a file in models/; the message lists the closest slugs."})
	SyncModelPrimaryKey = register(finding.Rule{ID: "sync-model-primary-key", Severity: finding.Error,
		Summary: "A sync uses a model that has no primary key.",
		Help:    "Hightouch tracks a synced model's rows by its primary key; the API leaves primaryKey null only for models that are not synced directly. Set primaryKey in the model, or sync another model."})
	SyncDestinationRef = register(finding.Rule{ID: "sync-destination-ref", Severity: finding.Error,
		Summary: "A sync's destination is not listed in the manifest.",
		Help:    "Use a key of the manifest's destinations (the message lists the closest); the destination must exist in Hightouch."})
	SyncScheduleType = register(finding.Rule{ID: "sync-schedule-type", Severity: finding.Warning,
		Summary: "The schedule type is not one htgit knows.",
		Help:    "Use interval, cron, visual, dbt-cloud, fivetran or manual; Hightouch may not run a schedule it does not know (fivetran's spelling in YAML is not confirmed)."})
	SyncScheduleInterval = register(finding.Rule{ID: "sync-schedule-interval", Severity: finding.Error,
		Summary: "An interval schedule lacks its interval or has a quantity below 1.",
		Help:    "Write schedule: {interval: {unit: minute|hour|day|week, quantity: N}} with N >= 1."})
	SyncScheduleCron = register(finding.Rule{ID: "sync-schedule-cron", Severity: finding.Error,
		Summary: "A cron expression does not parse.",
		Help:    "Write minute hour day-of-month month day-of-week, e.g. \"0 6 * * 1-5\", or Quartz's form with seconds first (\"0 0 12 ? * MON-FRI\"); Hightouch evaluates cron in UTC."})
	SyncScheduleVisual = register(finding.Rule{ID: "sync-schedule-visual", Severity: finding.Error,
		Summary: "A visual schedule has no expressions, unknown or no days, or a time that is not HH:MM.",
		Help:    "Write expressions: [{days: {monday: true}, time: \"09:00\"}] with 24-hour times in the workspace's time zone."})
	SyncMappingTo = register(finding.Rule{ID: "sync-mapping-to", Severity: finding.Error,
		Summary: "A mapping entry has no `to`.",
		Help:    "Every mapping names the destination field it writes with `to`."})
	SyncMappingType = register(finding.Rule{ID: "sync-mapping-type", Severity: finding.Error,
		Summary: "A mapping entry has no valid `type`, or lacks the field its type needs.",
		Help:    "Use type standard with `from`, template with `template`, variable with `variable`, or reference with `lookup`. Static and inline mappings (Hightouch's field mapping docs) are accepted with only their `to` checked: how Git Sync spells their values is not public."})
	SyncMappingDuplicateTo = register(finding.Rule{ID: "sync-mapping-duplicate-to", Severity: finding.Warning,
		Summary: "Two mappings write the same destination field.",
		Help:    "Keep one mapping per `to`: only one value can reach the field."})
)
