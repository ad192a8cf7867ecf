package rules

import "github.com/htgit/htgit/internal/finding"

// Rules of YAML itself, whatever the file describes.
var (
	YAMLSyntax = register(finding.Rule{ID: "yaml-syntax", Severity: finding.Error,
		Summary: "The file is not valid YAML.",
		Help:    "Fix the YAML at the position shown; an editor with the htgit schema (htgit schema) shows such errors as you type."})
	YAMLTab = register(finding.Rule{ID: "yaml-tab", Severity: finding.Error,
		Summary: "A tab is used for indentation.",
		Help:    "YAML indents with spaces only: replace the tab with spaces."})
	YAMLDuplicateKey = register(finding.Rule{ID: "yaml-duplicate-key", Severity: finding.Error,
		Summary: "A mapping has the same key twice.",
		Help:    "Keep one of the two keys: tools disagree on which value wins."})
	YAMLMultipleDocuments = register(finding.Rule{ID: "yaml-multiple-documents", Severity: finding.Error,
		Summary: "The file holds more than one YAML document.",
		Help:    "Git Sync reads one document per file: remove the `---` and what follows, or move it to a file of its own."})
	YAMLRootNotMapping = register(finding.Rule{ID: "yaml-root-not-mapping", Severity: finding.Error,
		Summary: "The file is empty or its top level is not a mapping.",
		Help:    "A Git Sync file is a mapping of keys such as `name:` and `source:` at the top level."})
	YAMLTag = register(finding.Rule{ID: "yaml-tag", Severity: finding.Warning,
		Summary: "A value carries an explicit YAML tag (!!binary, !custom, !<...>).",
		Help:    "Remove the tag: Git Sync writes plain YAML, and some YAML readers reject tags; quote a value to keep it text."})
	YAMLInvalidUTF8 = register(finding.Rule{ID: "yaml-invalid-utf8", Severity: finding.Error,
		Summary: "The file is not valid UTF-8.",
		Help:    "Save the file as UTF-8 (a byte order mark and CRLF line ends are fine)."})
)
