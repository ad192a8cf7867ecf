package rules

import (
	"slices"
	"testing"

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
