package rules

import "github.com/htgit/htgit/internal/finding"

// Rules of finding and reading the workspace's files.
var (
	FileTooLarge = register(finding.Rule{ID: "file-too-large", Severity: finding.Error,
		Summary: "A workspace file is larger than the size limit.",
		Help:    "Git Sync files are small; check that the file is what you meant, or raise --max-size."})
	FileSymlink = register(finding.Rule{ID: "file-symlink-outside-root", Severity: finding.Warning,
		Summary: "A symlink in the workspace points outside the repository and is not followed.",
		Help:    "Replace the symlink with the file itself, or point it inside the repository."})
	FileUnreadable = register(finding.Rule{ID: "file-unreadable", Severity: finding.Error,
		Summary: "A workspace file or folder cannot be read, so what it holds is not checked.",
		Help:    "Check its permissions, and that its path is no longer than the system allows."})
	FileUnclaimed = register(finding.Rule{ID: "file-unclaimed", Severity: finding.Notice,
		Summary: "YAML files in the Git Sync folder that no kind of Git Sync file claims were not checked.",
		Help:    "Nothing is wrong if the files are not Git Sync's; if they are, move them where Git Sync writes that kind, or exclude them to silence this notice."})
)
