package report

import (
	"cmp"
	"encoding/xml"
	"io"
	"slices"
	"strings"

	"github.com/htgit/htgit/internal/finding"
)

// The JUnit XML elements htgit writes, in the shape of the JUnit schema
// that Jenkins, GitLab (https://docs.gitlab.com/ci/testing/unit_test_reports/),
// Azure's PublishTestResults (testResultsFormat JUnit) and Bitbucket's test
// reporting read: testsuites > testsuite > testcase > failure.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string         `xml:"name,attr"`
	Classname string         `xml:"classname,attr"`
	File      string         `xml:"file,attr"`
	Failures  []junitFailure `xml:"failure"`
	SystemOut string         `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnit writes the run as JUnit XML for the test tabs of Azure, Bitbucket
// and GitLab: one test case per checked file (Input.Checked, and any other
// file a finding names), failed by each of its errors, one failure
// element per error (with its rule as the type). Warnings and notices do
// not fail a test; they are in the case's system-out.
func JUnit(w io.Writer, in Input) error {
	byPath := map[string][]finding.Finding{}
	for _, f := range in.Findings {
		byPath[f.Path] = append(byPath[f.Path], f)
	}
	paths := slices.Clone(in.Checked)
	for p := range byPath {
		paths = append(paths, p)
	}
	rels := make([]string, 0, len(paths))
	relOf := map[string]string{}
	for _, p := range paths {
		r := in.rel(p)
		if _, ok := relOf[r]; !ok {
			rels = append(rels, r)
		}
		relOf[r] = p
	}
	slices.SortFunc(rels, cmp.Compare)
	suite := junitSuite{Name: "htgit validate"}
	for _, r := range rels {
		c := junitCase{Name: r, Classname: "htgit", File: r}
		var out []string
		for _, f := range byPath[relOf[r]] {
			if f.Severity != finding.Error {
				out = append(out, in.line(f, false))
				continue
			}
			c.Failures = append(c.Failures, junitFailure{Message: f.Message, Type: f.Rule, Text: in.line(f, false)})
		}
		c.SystemOut = strings.Join(out, "\n")
		if len(c.Failures) > 0 {
			suite.Failures++
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Name: "htgit", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
