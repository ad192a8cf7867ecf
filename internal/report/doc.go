// Package report renders findings for people and tools: a terminal (Text),
// scripts (JSON), code scanning (SARIF), GitHub Actions annotations and log
// (GitHub) and the job summary (Markdown). It only renders: every decision
// about what is a problem was made before. Paths are shown relative to
// Input.BaseDir with forward slashes on every OS.
//
// # JSON output
//
// JSON writes one object (a JSONReport), indented by two spaces, keys always
// in this order, followed by a newline:
//
//	{
//	  "version": 1,
//	  "tool": {"name": "htgit", "version": "1.2.3"},
//	  "findings": [
//	    {
//	      "path": "models/orders.yml",
//	      "line": 3,
//	      "column": 5,
//	      "endLine": 3,
//	      "endColumn": 9,
//	      "rule": "model-missing-sql",
//	      "severity": "error",
//	      "message": "model \"orders\" has no sql",
//	      "related": []
//	    }
//	  ],
//	  "counts": {"errors": 1, "warnings": 0, "files": 20, "models": 12, "syncs": 8},
//	  "files": [
//	    {"path": "models/orders.yml", "errors": 1, "warnings": 0}
//	  ]
//	}
//
// Fields:
//
//   - version: the document's format version, an integer. It is raised only
//     when a field is removed or changes meaning; new fields may appear
//     without a change, so readers should ignore keys they do not know.
//   - tool.name is always "htgit"; tool.version is the htgit version.
//   - findings: every finding, sorted by path, line, column, severity, rule and
//     message; [] when there are none, never null.
//   - findings[].path: the file, relative to the repository root, with "/"
//     separators ("../" when it lies outside).
//   - findings[].line, column: 1-based start; columns count Unicode code
//     points. 0 means not known: line 0 is about the file as a whole.
//   - findings[].endLine, endColumn: the end of the range, endColumn one past
//     the last character; 0 when not known.
//   - findings[].rule: the rule id.
//   - findings[].severity: "error" or "warning" (after --strict).
//   - findings[].message: the human-readable text; it may contain newlines.
//   - findings[].related: other files (same form as path) whose change can
//     cause the finding, then the places its message names as path:line
//     (the first of two mappings writing one field); [] when none.
//   - counts: errors and warnings among findings; files, models and syncs the
//     run checked.
//   - files: each file with at least one finding, in findings order, with its
//     error and warning counts; [] when clean.
//   - rulesOff: the rule ids the configuration switched off; [] when none.
//   - policies: the configuration's own rules (.htgit.yaml policies), each
//     {id, severity, summary, help} at its configured level; [] when none.
package report
