package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/report/reporttest"
)

// TestCodeClimate checks the report against the schema of what GitLab reads
// (reporttest.CodeClimate).
func TestCodeClimate(t *testing.T) {
	sch := reporttest.CodeClimate(t)
	for _, tc := range []struct {
		name string
		in   Input
	}{{"codeclimate", fixture()}, {"codeclimate_clean", clean0()}} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := CodeClimate(&b, tc.in); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
			if err := reporttest.Validate(t, sch, b.Bytes()); err != nil {
				t.Fatalf("not a Code Quality report GitLab reads: %v", err)
			}
			var issues []CodeClimateIssue
			if err := json.Unmarshal(b.Bytes(), &issues); err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, i := range issues {
				if seen[i.Fingerprint] {
					t.Errorf("fingerprint %s twice", i.Fingerprint)
				}
				seen[i.Fingerprint] = true
			}
		})
	}
}

// TestCodeClimateFingerprints: unique within a report, and the same when
// the findings move to other lines (GitLab would otherwise show every
// finding below an edit as new, and its old self as fixed).
func TestCodeClimateFingerprints(t *testing.T) {
	at := func(line int) finding.Finding {
		return finding.Finding{Path: abs("syncs/a.yml"), Start: finding.Pos{Line: line}, Rule: "r", Severity: finding.Error, Message: "same"}
	}
	prints := func(fs ...finding.Finding) []string {
		var b bytes.Buffer
		if err := CodeClimate(&b, Input{Findings: fs, BaseDir: base}); err != nil {
			t.Fatal(err)
		}
		var issues []CodeClimateIssue
		if err := json.Unmarshal(b.Bytes(), &issues); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, i := range issues {
			out = append(out, i.Fingerprint)
		}
		return out
	}
	before, after := prints(at(3), at(9)), prints(at(5), at(11))
	if before[0] == before[1] {
		t.Errorf("two findings share fingerprint %s", before[0])
	}
	if before[0] != after[0] || before[1] != after[1] {
		t.Errorf("fingerprints changed when the lines moved: %v, then %v", before, after)
	}
	other := at(3)
	other.Message = "other"
	if p := prints(other); p[0] == before[0] {
		t.Error("another message has the same fingerprint")
	}
}
