package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   Input
	}{
		{"json", fixture()},
		{"json_clean", clean0()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JSON(&b, tc.in); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name, b.Bytes())
			if !strings.HasSuffix(b.String(), "}\n") {
				t.Error("no trailing newline")
			}
			var doc JSONReport
			dec := json.NewDecoder(&b)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			if doc.Version != JSONVersion || doc.Tool != (JSONTool{"htgit", "1.2.3"}) {
				t.Errorf("version %d, tool %+v", doc.Version, doc.Tool)
			}
			if len(doc.Findings) != len(tc.in.Findings) {
				t.Fatalf("%d findings, want %d", len(doc.Findings), len(tc.in.Findings))
			}
			for i, f := range tc.in.Findings {
				s := spanOf(f)
				want := JSONFinding{
					Path: tc.in.rel(f.Path), Line: s.Line, Column: s.Col, EndLine: s.EndLine, EndColumn: s.EndCol,
					Rule: f.Rule, Severity: f.Severity.String(), Message: f.Message, Related: []string{},
				}
				for _, r := range f.Related {
					want.Related = append(want.Related, tc.in.rel(r))
				}
				for _, a := range f.Also {
					want.Related = append(want.Related, tc.in.rel(a.Path)+":"+strconv.Itoa(a.Line))
				}
				if !reflect.DeepEqual(doc.Findings[i], want) {
					t.Errorf("finding %d:\n got %+v\nwant %+v", i, doc.Findings[i], want)
				}
			}
		})
	}
}

// The empty lists are [] so readers need no null check.
func TestJSONCleanHasEmptyLists(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, clean0()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"findings": []`, `"files": []`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %s in\n%s", want, b.String())
		}
	}
}
