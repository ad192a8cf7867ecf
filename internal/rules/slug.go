package rules

import "github.com/htgit/htgit/internal/finding"

// Rules of file names, which are the resources' slugs.
var (
	SlugDuplicate = register(finding.Rule{ID: "slug-duplicate", Severity: finding.Error,
		Summary: "Two files give one resource slug.",
		Help:    "A slug is the file name without extension and is unique per kind: rename one of the files."})
	SlugInvalid = register(finding.Rule{ID: "slug-invalid", Severity: finding.Error,
		Summary: "A file name has characters a Hightouch slug cannot have.",
		Help:    "Use only letters, digits, `-` and `_` in file names."})
)
