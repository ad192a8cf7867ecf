package rules

import "github.com/htgit/htgit/internal/finding"

// Rules of a change between two commits (plan, deploy, the pull request).
var (
	ChangeDeleted = register(finding.Rule{ID: "change-deleted", Severity: finding.Warning,
		Summary: "A model or sync file is deleted; Hightouch keeps the resource.",
		Help:    "Deleting a file does not delete the model or sync in Hightouch, and a deleted sync keeps running on its schedule. To retire a sync: set schedulePaused: true, merge, then delete it in Hightouch."})
	ChangeRenamed = register(finding.Rule{ID: "change-renamed", Severity: finding.Warning,
		Summary: "A model or sync file is renamed: a new slug, so a new resource.",
		Help:    "Hightouch will create a resource with the new slug and keep the old one (a sync keeps running). Retire the old one in Hightouch, or keep the old file name."})
)
