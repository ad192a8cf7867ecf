package rules

import "github.com/htgit/htgit/internal/finding"

// Rules of event contract files.
var (
	ContractEventSchema = register(finding.Rule{ID: "contract-event-schema", Severity: finding.Error,
		Summary: "An event's JSON Schema in a contract does not compile as JSON Schema (draft 7).",
		Help:    "Fix the schema at the position shown; Hightouch validates events with JSON Schema draft 7 and cannot use a schema that does not compile."})
)
