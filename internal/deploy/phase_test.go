package deploy

import "testing"

// TestRunState: htgit's own words until Hightouch reports the run, then
// Hightouch's status; failures say so when the word does not.
func TestRunState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    RunResult
		want string
	}{
		{RunResult{Phase: NotInHightouch, Failed: true}, "not in Hightouch"},
		{RunResult{Phase: TriggerFailed, Failed: true}, "trigger failed"},
		{RunResult{Phase: Triggered}, "triggered"},
		{RunResult{Phase: NotVisible, Failed: true}, "not visible yet (failed)"},
		{RunResult{Phase: Reported, Status: "success"}, "success"},
		{RunResult{Phase: Reported, Status: "failed", Failed: true}, "failed"},
		{RunResult{Phase: Reported, Status: "warning", Failed: true}, "warning (failed)"},
		{RunResult{Phase: Reported, Status: "triggered", Failed: true}, "triggered (failed)"}, // Hightouch's word, not htgit's phase
	}
	for _, tt := range tests {
		if got := tt.r.statusText(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.r, got, tt.want)
		}
	}
}
