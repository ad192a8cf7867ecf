package rules

import "github.com/htgit/htgit/internal/finding"

// Rules of the manifests that list a workspace's sources and destinations.
var (
	ManifestMissing = register(finding.Rule{ID: "manifest-missing", Severity: finding.Notice,
		Summary: "No manifest*.yaml lists the sources and destinations, so models' sources and syncs' destinations were not checked.",
		Help:    "Git Sync writes manifest-<workspace>.yaml beside models/ and syncs/; keep it in the repository so references can be checked."})
)
