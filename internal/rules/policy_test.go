package rules

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/htgit/htgit/internal/finding"
)

func TestPolicyApply(t *testing.T) {
	in := []finding.Finding{
		{Path: "/r/models/a.yaml", Rule: ModelPrimaryKeyUnused.ID, Severity: finding.Warning},
		{Path: "/r/syncs/old-x.yaml", Rule: SyncScheduleType.ID, Severity: finding.Warning},
		{Path: "/r/syncs/new.yaml", Rule: SyncScheduleType.ID, Severity: finding.Warning},
		{Path: "/r/syncs/new.yaml", Rule: SchemaUnknownKey.ID, Severity: finding.Warning},
		{Path: "/r/syncs/new.yaml", Rule: SyncModelRef.ID, Severity: finding.Error},
	}
	paths := func(abs string) []string { return []string{abs[len("/r/"):]} }
	type got struct {
		rule string
		sev  finding.Severity
	}
	tests := []struct {
		name   string
		policy Policy
		want   []got
	}{
		{"zero policy keeps everything", Policy{}, []got{
			{ModelPrimaryKeyUnused.ID, finding.Warning}, {SyncScheduleType.ID, finding.Warning},
			{SyncScheduleType.ID, finding.Warning}, {SchemaUnknownKey.ID, finding.Warning}, {SyncModelRef.ID, finding.Error}}},
		{"off, raised, lowered, ignored", Policy{
			Levels: map[string]Level{ModelPrimaryKeyUnused.ID: Off, SchemaUnknownKey.ID: AsError, SyncModelRef.ID: AsWarning},
			Ignore: []Ignore{{Rule: SyncScheduleType.ID, Paths: []string{"syncs/old-*.yaml"}}},
		}, []got{{SyncScheduleType.ID, finding.Warning}, {SchemaUnknownKey.ID, finding.Error}, {SyncModelRef.ID, finding.Warning}}},
		{"strict after the configuration", Policy{Levels: map[string]Level{ModelPrimaryKeyUnused.ID: Off, SyncModelRef.ID: AsWarning}, Strict: true},
			[]got{{SyncScheduleType.ID, finding.Error}, {SyncScheduleType.ID, finding.Error}, {SchemaUnknownKey.ID, finding.Error}, {SyncModelRef.ID, finding.Error}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out []got
			for _, f := range tt.policy.Apply(slices.Clone(in), paths) {
				out = append(out, got{f.Rule, f.Severity})
			}
			if !slices.Equal(out, tt.want) {
				t.Errorf("got %v, want %v", out, tt.want)
			}
		})
	}
}

func TestPolicyOffAndRules(t *testing.T) {
	p := Policy{Levels: map[string]Level{ModelPrimaryKeyUnused.ID: Off, SchemaUnknownKey.ID: AsError}}
	if got := p.Off(); !slices.Equal(got, []string{ModelPrimaryKeyUnused.ID}) {
		t.Errorf("Off() = %v", got)
	}
	on := p.Rules()
	if len(on) != len(All()) {
		t.Errorf("Rules() lists %d rules, want all %d", len(on), len(All()))
	}
	i := slices.IndexFunc(on, func(r finding.Rule) bool { return r.ID == SchemaUnknownKey.ID })
	if i < 0 || on[i].Severity != finding.Error {
		t.Errorf("schema-unknown-key configured as error is listed as %v", on[i])
	}
}

// manyIgnores is 10,000 ignores, one a file, half literal paths and half
// globs, all in one folder, and 10,000 findings, one in each file: the
// ignores of issue 22.
func manyIgnores() (Policy, []finding.Finding) {
	const n = 10_000
	var p Policy
	var fs []finding.Finding
	for i := range n {
		path := fmt.Sprintf("models/m-%d.yaml", i)
		glob := path
		if i%2 == 1 {
			glob = fmt.Sprintf("models/m-%d.y*ml", i)
		}
		p.Ignore = append(p.Ignore, Ignore{Rule: SchemaUnknownKey.ID, Paths: []string{glob}})
		fs = append(fs, finding.Finding{Path: "/r/" + path, Rule: SchemaUnknownKey.ID, Severity: finding.Warning})
	}
	// One finding no ignore matches, and one of another rule.
	fs = append(fs, finding.Finding{Path: "/r/models/other.yaml", Rule: SchemaUnknownKey.ID, Severity: finding.Warning},
		finding.Finding{Path: "/r/models/m-0.yaml", Rule: SyncModelRef.ID, Severity: finding.Error})
	return p, fs
}

func relToR(abs string) []string { return []string{abs[len("/r/"):]} }

// TestManyIgnoresLinear: 10,000 ignores against 10,000 findings took 23 s
// in a run (every finding tried every glob); through the index they take
// milliseconds, and match what the globs say.
func TestManyIgnoresLinear(t *testing.T) {
	p, fs := manyIgnores()
	start := time.Now()
	out := p.Apply(fs, relToR)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if len(out) != 2 || out[0].Path != "/r/models/other.yaml" || out[1].Rule != SyncModelRef.ID {
		t.Errorf("kept %v, want the two findings no ignore matches", out)
	}
}

func BenchmarkManyIgnores(b *testing.B) {
	p, fs := manyIgnores()
	for b.Loop() {
		p.Apply(slices.Clone(fs), relToR)
	}
}

// TestIgnoreIndexAgreesWithGlobs: the index finds exactly what trying each
// glob finds, for globs whose literal part is a folder, a file, or nothing.
func TestIgnoreIndexAgreesWithGlobs(t *testing.T) {
	globs := []string{"models/a.yaml", "**/b.yaml", "{models,syncs}/c.yaml", "syncs/**", "models/sub*/d.yaml",
		`models/e\*.yaml`, "[ms]odels/f.yaml", "models/x/?.yaml", "*.yaml"}
	rels := []string{"models/a.yaml", "a.yaml", "x/y/b.yaml", "b.yaml", "models/c.yaml", "syncs/c.yaml", "other/c.yaml",
		"syncs/z/z.yaml", "models/sub1/d.yaml", "models/d.yaml", "models/e*.yaml", "models/ex.yaml", "models/f.yaml",
		"sodels/f.yaml", "models/x/1.yaml", "models/x/12.yaml", "top.yaml", "models/top.yaml"}
	for _, g := range globs {
		ix := Policy{Ignore: []Ignore{{Rule: "r", Paths: []string{g}}}}.ignoreIndex()
		for _, rel := range rels {
			if got, want := ix.match("r", []string{rel}), doublestar.MatchUnvalidated(g, rel); got != want {
				t.Errorf("glob %q, path %q: index says %v, the glob %v", g, rel, got, want)
			}
			if ix.match("other-rule", []string{rel}) {
				t.Errorf("glob %q matches %q for another rule", g, rel)
			}
		}
	}
}
