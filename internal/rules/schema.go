package rules

import "github.com/htgit/htgit/internal/finding"

// Rules of the files' JSON Schemas (htgit schema KIND prints them).
var (
	SchemaRequired = register(finding.Rule{ID: "schema-required", Severity: finding.Error,
		Summary: "A required key is missing.",
		Help:    "Add the key to the mapping shown; `htgit schema model|sync|manifest` prints every key and its meaning."})
	SchemaType = register(finding.Rule{ID: "schema-type", Severity: finding.Error,
		Summary: "A value has the wrong type.",
		Help:    "Write the value as the type shown: quote text, write true/false for booleans without quotes."})
	SchemaEnum = register(finding.Rule{ID: "schema-enum", Severity: finding.Error,
		Summary: "A value is not one of the allowed values.",
		Help:    "Use one of the values the message lists."})
	SchemaUnknownKey = register(finding.Rule{ID: "schema-unknown-key", Severity: finding.Warning,
		Summary: "A key is not part of the Git Sync format.",
		Help:    "Check the spelling (keys are case-sensitive); Hightouch ignores keys it does not know."})
	SchemaInvalid = register(finding.Rule{ID: "schema-invalid", Severity: finding.Error,
		Summary: "A value breaks a constraint of the Git Sync schema.",
		Help:    "Fix the value as the message says."})
)
