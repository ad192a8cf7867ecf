//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/hightouch/hightouchtest"
)

// TestDeployCancelled: a runner cancels a job with SIGTERM. The deploy stops
// following its runs, still prints the runs it triggered, says so and exits
// 1; the triggered runs are not triggered again or forgotten.
func TestDeployCancelled(t *testing.T) {
	t.Parallel()
	dir, before, after, fake := dpChanged(t)
	fake.ScriptRuns("", hightouchtest.RunScript{Steps: slices.Repeat([]string{"queued"}, 1000)}) // never ends

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "deploy", "--path", "hightouch", "--from", before, "--to", after, "--wait")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GIT_CONFIG_NOSYSTEM=1"}
	for k, v := range dpEnv(fake) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Cancel once both runs are triggered and being followed.
	var stdout strings.Builder
	sc := bufio.NewScanner(out)
	for triggered := 0; triggered < 2 && sc.Scan(); {
		stdout.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), "triggered run") {
			triggered++
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		stdout.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 1 {
		t.Fatalf("exit %d (%v), want 1\nstdout:\n%s\nstderr:\n%s", code, err, stdout.String(), stderr.String())
	}
	dpContains(t, "stdout", stdout.String(), "SYNC", "RUN", "STATUS")
	for _, sync := range []string{"accounts-to-braze", "active-users-to-braze"} {
		runs := fake.Runs(dpSyncID(t, fake, sync))
		// The table's row: the sync, its run id, the status it was left in
		// (triggered or queued, as far as the polls got), failed.
		row := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sync) + `\s+(\S+)\s+\S+ \(failed\)\s`).FindStringSubmatch(stdout.String())
		if row == nil || len(runs) != 1 || row[1] != runs[0].ID {
			t.Errorf("%s: row %q, runs in the fake %+v\n%s", sync, row, runs, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "htgit: cancelled") || !strings.Contains(stderr.String(), "runs already triggered go on in Hightouch") {
		t.Errorf("stderr does not say the deploy was cancelled after triggering:\n%s", stderr.String())
	}
	if n := fake.Count(hightouchtest.RouteTrigger); n != 2 {
		t.Errorf("%d triggers, want 2", n)
	}
}
