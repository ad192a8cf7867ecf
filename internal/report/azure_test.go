package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/finding"
)

func TestAzure(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Input
		opt  GitHubOptions
	}{
		{"azure", fixture(), GitHubOptions{}},
		{"azure_changed", fixture(), GitHubOptions{Changed: func(p string) bool { return p == "syncs/orders.yml" }}},
		{"azure_clean", clean0(), GitHubOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Azure(&b, tc.in, tc.opt); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
		})
	}
}

// TestAzureEscaping: a path or message cannot end the properties early,
// start a line, or issue a command of its own.
func TestAzureEscaping(t *testing.T) {
	in := Input{BaseDir: base, Findings: []finding.Finding{{Path: abs("a;b]c%.yml"), Start: finding.Pos{Line: 2, Col: 3},
		Rule: "r", Severity: finding.Error, Message: "100% bad]\r\nnext ##vso[task.complete result=Failed]"}}}
	var b bytes.Buffer
	if err := Azure(&b, in, GitHubOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	want := "##vso[task.logissue type=error;sourcepath=a%3Bb%5Dc%AZP25.yml;linenumber=2;columnnumber=3;code=r;]100%AZP25 bad]%0D%0Anext ##vso[task.complete result=Failed]"
	if lines[0] != want {
		t.Errorf("command\n%s\nwant\n%s", lines[0], want)
	}
	for _, l := range lines[1:] {
		if strings.Contains(l, "##vso[") {
			t.Errorf("log line holds a command: %q", l)
		}
	}
}
