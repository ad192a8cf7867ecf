package deploy

import (
	"testing"
	"time"
)

// HTGIT_POLL_INTERVAL sets the first poll wait when the option does not,
// so that tests of the built binary need not sleep through 2s polls.
func TestPollIntervalFromTheEnvironment(t *testing.T) {
	for _, tc := range []struct {
		env    string
		option time.Duration
		want   time.Duration
	}{
		{"", 0, 2 * time.Second},
		{"7ms", 0, 7 * time.Millisecond},
		{"7ms", time.Second, time.Second},
		{"soon", 0, 2 * time.Second},
		{"-1s", 0, 2 * time.Second},
	} {
		t.Setenv(PollIntervalEnv, tc.env)
		o := Options{PollMin: tc.option}
		o.defaults()
		if o.PollMin != tc.want || o.PollMax < o.PollMin {
			t.Errorf("%s=%q, PollMin %v: polls from %v to %v, want from %v", PollIntervalEnv, tc.env, tc.option, o.PollMin, o.PollMax, tc.want)
		}
	}
}
