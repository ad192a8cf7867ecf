package deploy

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/plan"
)

// TestTimeoutWhileWaitingOnTheRateLimit: a deploy whose timeout runs out
// while a request waits on the client's own rate limit stops at the
// timeout with the caller's deadline (which the cli reports as "did not
// finish within --timeout", exit 1), not as a client refusal or an
// unavailable Hightouch.
func TestTimeoutWhileWaitingOnTheRateLimit(t *testing.T) {
	e := newEnv(t, nil, true)
	to := e.commit(map[string]string{"syncs/users-to-braze.yaml": strings.Replace(usersSync, "quantity: 1", "quantity: 3", 1)})
	e.ingest()
	var err error
	// Two requests now, the next one in 100s: the deploy lists four collections.
	e.client, err = hightouch.New(hightouch.Config{BaseURL: e.fake.URL, APIKey: e.fake.APIKey, RateLimit: 0.01, RateBurst: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Run(ctx, Options{RepoDir: e.dir, Plan: e.plan(e.first, to, plan.Options{}), Client: e.client, Ingest: IngestNone, Trigger: true})
	if took := time.Since(start); took < 400*time.Millisecond || took > 3*time.Second {
		t.Errorf("stopped after %v, want at the 500ms timeout", took)
	}
	if ctx.Err() == nil || !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, hightouch.ErrUnavailable) {
		t.Errorf("err = %v (ctx %v), want the deadline, not ErrUnavailable", err, ctx.Err())
	}
}
