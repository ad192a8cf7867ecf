package deploy

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
	"github.com/htgit/htgit/internal/plan"
)

// TestTimeoutWhileWaitingOnTheRateLimit: a deploy whose timeout runs out
// while a request waits on the client's own rate limit stops at the
// timeout with the caller's deadline (which the cli reports as "did not
// finish within --timeout", exit 1), not as a client refusal or an
// unavailable Hightouch.
func TestTimeoutWhileWaitingOnTheRateLimit(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, nil, true, hightouchtest.InProcess())
		to := e.commit(map[string]string{"syncs/users-to-braze.yaml": strings.Replace(usersSync, "quantity: 1", "quantity: 3", 1)})
		e.ingest()
		p := e.plan(e.first, to, plan.Options{})
		var err error
		// Two requests now, the next one in 100s: the deploy lists four collections.
		e.client, err = hightouch.New(hightouch.Config{BaseURL: e.fake.URL, APIKey: e.fake.APIKey, HTTPClient: e.fake.HTTPClient(), RateLimit: 0.01, RateBurst: 2})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()
		_, err = Run(ctx, Options{RepoDir: e.dir, Plan: p, Client: e.client, Ingest: IngestNone, Trigger: true})
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("stopped after %v, want at the 5s timeout or before", took)
		}
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, hightouch.ErrUnavailable) {
			t.Errorf("err = %v, want the deadline, not ErrUnavailable", err)
		}
	})
}
