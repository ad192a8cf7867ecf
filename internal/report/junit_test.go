package report

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/htgit/htgit/internal/finding"
)

// TestJUnit: a test case per checked file (clean ones too), a failure per
// error, warnings out of the failures; golden files hold the exact XML,
// and decoding it into the schema's shape checks the counts agree.
func TestJUnit(t *testing.T) {
	withChecked := fixture()
	withChecked.Checked = []string{abs("models/orders.yml"), abs("models/clean.yml"), abs("syncs/orders.yml")}
	for _, tc := range []struct {
		name                  string
		in                    Input
		tests, failed, errors int
	}{
		{"junit", withChecked, 6, 2, 2},
		{"junit_clean", Input{Checked: []string{abs("models/a.yml")}, BaseDir: base}, 1, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JUnit(&b, tc.in); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
			var doc junitSuites
			if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatalf("not XML: %v", err)
			}
			if len(doc.Suites) != 1 {
				t.Fatalf("%d test suites, want 1", len(doc.Suites))
			}
			s := doc.Suites[0]
			failures, failed := 0, 0
			for _, c := range s.Cases {
				if c.Name == "" || c.Classname == "" {
					t.Errorf("test case %+v lacks a name or classname", c)
				}
				failures += len(c.Failures)
				if len(c.Failures) > 0 {
					failed++
				}
			}
			if len(s.Cases) != tc.tests || s.Tests != tc.tests || doc.Tests != tc.tests {
				t.Errorf("%d cases (tests=%d, %d), want %d", len(s.Cases), s.Tests, doc.Tests, tc.tests)
			}
			if failed != tc.failed || s.Failures != tc.failed || doc.Failures != tc.failed || failures != tc.errors {
				t.Errorf("%d failed cases (failures=%d, %d), %d failure elements; want %d and %d", failed, s.Failures, doc.Failures, failures, tc.failed, tc.errors)
			}
		})
	}
}

func TestJUnitEscapes(t *testing.T) {
	in := Input{BaseDir: base, Findings: []finding.Finding{{Path: abs("a.yml"), Rule: "r", Severity: finding.Error,
		Message: "<x a=\"1\"> & \x01 ]]>"}}}
	var b bytes.Buffer
	if err := JUnit(&b, in); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("a message broke the XML: %v\n%s", err, b.Bytes())
	}
	if got := doc.Suites[0].Cases[0].Failures[0].Message; got != "<x a=\"1\"> & \uFFFD ]]>" {
		t.Errorf("message read back as %q", got)
	}
}
