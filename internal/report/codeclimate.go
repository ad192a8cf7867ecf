package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strconv"

	"github.com/htgit/htgit/internal/finding"
)

// CodeClimateIssue is one entry of a GitLab Code Quality report, the subset
// of the Code Climate issue format GitLab reads:
// https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
type CodeClimateIssue struct {
	Description string              `json:"description"`
	CheckName   string              `json:"check_name"`
	Fingerprint string              `json:"fingerprint"`
	Severity    string              `json:"severity"`
	Location    CodeClimateLocation `json:"location"`
}

// CodeClimateLocation is where an issue is: a repository-relative path and
// the first line (GitLab requires a line; a finding about the whole file
// is placed on line 1).
type CodeClimateLocation struct {
	Path  string           `json:"path"`
	Lines CodeClimateLines `json:"lines"`
}

// CodeClimateLines is the location's line range.
type CodeClimateLines struct {
	Begin int `json:"begin"`
}

// codeClimateSeverity maps htgit's severities onto GitLab's scale (info,
// minor, major, critical, blocker): an error is what fails the job, so
// major; a warning minor; a notice info.
var codeClimateSeverity = map[finding.Severity]string{finding.Error: "major", finding.Warning: "minor", finding.Notice: "info"}

// CodeClimate writes the findings as a GitLab Code Quality report: a JSON
// array, [] when clean. GitLab compares the fingerprints of the merge
// request's report with the target branch's to tell new issues from fixed
// ones, so a fingerprint leaves the line out (an edit above a finding does
// not make it new) and counts repeats of the same rule and message in a
// file instead (each stays unique).
func CodeClimate(w io.Writer, in Input) error {
	issues := make([]CodeClimateIssue, 0, len(in.Findings))
	seen := map[string]int{}
	for _, f := range in.Findings {
		path := in.rel(f.Path)
		key := path + "\x00" + f.Rule + "\x00" + f.Message
		n := seen[key]
		seen[key]++
		sum := sha256.Sum256([]byte(key + "\x00" + strconv.Itoa(n)))
		issues = append(issues, CodeClimateIssue{
			Description: f.Message,
			CheckName:   f.Rule,
			Fingerprint: hex.EncodeToString(sum[:16]),
			Severity:    codeClimateSeverity[f.Severity],
			Location:    CodeClimateLocation{Path: path, Lines: CodeClimateLines{Begin: max(spanOf(f).Line, 1)}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(issues)
}
