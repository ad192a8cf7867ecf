package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/htgit/htgit/internal/report/reporttest"
)

func TestSARIF(t *testing.T) {
	sch := reporttest.SARIF(t)
	for _, tc := range []struct {
		name string
		in   Input
	}{
		{"sarif", fixture()},
		{"sarif_clean", clean0()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := SARIF(&b, tc.in); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
			if err := reporttest.Validate(t, sch, b.Bytes()); err != nil {
				t.Fatalf("not valid SARIF 2.1.0: %v", err)
			}

			var log struct {
				Version string
				Runs    []struct {
					Tool struct {
						Driver struct{ Rules []struct{ ID string } }
					}
					Results []struct {
						RuleID    string
						RuleIndex *int
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct{ URI string }
								Region           *map[string]int
							}
						}
					}
				}
			}
			if err := json.Unmarshal(b.Bytes(), &log); err != nil {
				t.Fatal(err)
			}
			if log.Version != "2.1.0" || len(log.Runs) != 1 {
				t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
			}
			run := log.Runs[0]
			if len(run.Tool.Driver.Rules) != len(tc.in.Rules) {
				t.Errorf("%d rules, want %d (a configuration's policies beside the built-in ones)", len(run.Tool.Driver.Rules), len(tc.in.Rules))
			}
			if len(run.Results) != len(tc.in.Findings) {
				t.Fatalf("%d results, want %d", len(run.Results), len(tc.in.Findings))
			}
			for i, r := range run.Results {
				f := tc.in.Findings[i]
				if r.RuleIndex != nil && run.Tool.Driver.Rules[*r.RuleIndex].ID != r.RuleID {
					t.Errorf("result %d: ruleIndex %d is not %s", i, *r.RuleIndex, r.RuleID)
				}
				if r.RuleIndex == nil && f.Rule != "no-such-rule" {
					t.Errorf("result %d: no ruleIndex for %s", i, f.Rule)
				}
				region := r.Locations[0].PhysicalLocation.Region
				wantLine := max(f.Start.Line, 1) // a whole-file finding points at line 1
				if region == nil || (*region)["startLine"] != wantLine {
					t.Errorf("result %d: region %v for start %v, want startLine %d", i, region, f.Start, wantLine)
				}
				if region != nil {
					for k, v := range *region {
						if v <= 0 {
							t.Errorf("result %d: %s = %d", i, k, v)
						}
					}
				}
			}
		})
	}
}

// The schema check is not vacuous: a region at line 0 is rejected.
func TestSARIFSchemaRejects(t *testing.T) {
	var b bytes.Buffer
	if err := SARIF(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(b.Bytes(), []byte(`"startLine": 3`), []byte(`"startLine": 0`), 1)
	if reporttest.Validate(t, reporttest.SARIF(t), bad) == nil {
		t.Error("startLine 0 validated")
	}
}

func TestSARIFURI(t *testing.T) {
	in := Input{BaseDir: base}
	for path, want := range map[string]string{
		abs("models/a.yml"): "models/a.yml",
		abs(weird):          "syncs/a%20b,c:d%25e%23f.yml",
		abs("c:x.yml"):      "./c:x.yml", // not the scheme "c"
		"/elsewhere/x.yml":  "../elsewhere/x.yml",
	} {
		if got := in.sarifLocation(path, span{}).PhysicalLocation.ArtifactLocation.URI; got != want {
			t.Errorf("uri for %q = %q, want %q", path, got, want)
		}
	}
	loc := Input{}.sarifLocation("/abs/a b.yml", span{})
	if a := loc.PhysicalLocation.ArtifactLocation; a.URI != "file:///abs/a%20b.yml" || a.URIBaseID != "" {
		t.Errorf("absolute path: %+v", a)
	}
}

// TestSARIFVersions: tool.driver.version is numeric dotted whatever the
// build (SARIF2005), semanticVersion keeps the rest.
func TestSARIFVersions(t *testing.T) {
	for _, tc := range []struct{ in, version, semantic string }{
		{"v1.2.3", "1.2.3", "1.2.3"},
		{"1.2.3", "1.2.3", "1.2.3"},
		{"v1.0.0-rc.1+dirty", "1.0.0", "1.0.0-rc.1+dirty"},
		{"v0.0.0-20261206011645-5b8cd5f0a1b2", "0.0.0", "0.0.0-20261206011645-5b8cd5f0a1b2"},
		{"devel", "0.0.0", "0.0.0-devel"},
		{"", "0.0.0", "0.0.0-devel"},
	} {
		var b strings.Builder
		if err := SARIF(&b, Input{Version: tc.in}); err != nil {
			t.Fatal(err)
		}
		var log struct {
			Runs []struct {
				Tool struct {
					Driver struct{ Version, SemanticVersion, InformationURI string }
				}
			}
		}
		if err := json.Unmarshal([]byte(b.String()), &log); err != nil {
			t.Fatal(err)
		}
		d := log.Runs[0].Tool.Driver
		if d.Version != tc.version || d.SemanticVersion != tc.semantic || d.InformationURI != "https://github.com/htgit/htgit" {
			t.Errorf("%q: version %q, semanticVersion %q, informationUri %q; want %q, %q", tc.in, d.Version, d.SemanticVersion, d.InformationURI, tc.version, tc.semantic)
		}
		if !regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`).MatchString(d.Version) {
			t.Errorf("%q: version %q is not numeric dotted", tc.in, d.Version)
		}
		// JSON's tool.version is SARIF's semanticVersion: the formats agree.
		var j strings.Builder
		if err := JSON(&j, Input{Version: tc.in}); err != nil {
			t.Fatal(err)
		}
		var doc JSONReport
		if err := json.Unmarshal([]byte(j.String()), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Tool.Version != d.SemanticVersion {
			t.Errorf("%q: JSON tool.version %q, SARIF semanticVersion %q", tc.in, doc.Tool.Version, d.SemanticVersion)
		}
	}
}
