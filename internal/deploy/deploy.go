// Package deploy gets a merged change into Hightouch and runs the syncs it
// touched: it waits for Git Sync to ingest the change (or applies it through
// the API), triggers each affected sync once, and follows the runs to their
// end, logging every state change. It acts on a plan.Plan through a
// hightouch.Client.
package deploy

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/htgit/htgit/internal/compare"
	"github.com/htgit/htgit/internal/fielddiff"
	"github.com/htgit/htgit/internal/hightouch"
	"github.com/htgit/htgit/internal/plan"
	"github.com/htgit/htgit/internal/workspace"
)

// Ingestion modes.
const (
	IngestWait  = "wait"
	IngestApply = "apply"
	IngestNone  = "none"
)

// Options configure a deploy.
type Options struct {
	RepoDir       string // where the plan's paths are, when the plan has no Dir
	Plan          *plan.Plan
	Client        *hightouch.Client
	Ingest        string        // wait (default), apply or none
	IngestTimeout time.Duration // default 5m
	Trigger       bool          // trigger the affected syncs
	Wait          bool          // follow the runs to their end
	FailOnWarning bool
	WorkspaceSlug string        // for links to run pages
	Log           io.Writer     // progress lines
	PollMin       time.Duration // first wait between polls; default $HTGIT_POLL_INTERVAL, else 2s
	PollMax       time.Duration // longest wait between polls; default 15s
	Parallel      int           // triggers and run polls in flight; default 10
	// OnDelete is OnDeleteWarn (default: Hightouch keeps deleted syncs
	// running) or OnDeletePause (pause them once the deploy succeeded).
	OnDelete string
	// Exists reports whether the workspace has a file of this kind and
	// slug; such a slug is never paused. nil: none has.
	Exists func(workspace.Kind, string) bool
}

// PollIntervalEnv names the environment variable that, when PollMin is not
// set, sets the first wait between polls (a Go duration). It is not a flag:
// it exists so that end-to-end tests of the built binary need not sleep
// through real polling.
const PollIntervalEnv = "HTGIT_POLL_INTERVAL"

func (o *Options) defaults() {
	if o.Ingest == "" {
		o.Ingest = IngestWait
	}
	if o.IngestTimeout <= 0 {
		o.IngestTimeout = 5 * time.Minute
	}
	if o.PollMin <= 0 {
		o.PollMin = 2 * time.Second
		if d, err := time.ParseDuration(os.Getenv(PollIntervalEnv)); err == nil && d > 0 {
			o.PollMin = d
		}
	}
	if o.PollMax < o.PollMin {
		o.PollMax = max(15*time.Second, o.PollMin)
	}
	if o.Parallel <= 0 {
		o.Parallel = 10 // as measured in internal/hightouch's trigger benchmark
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

// ResourceResult is what became of one changed model or sync.
type ResourceResult struct {
	Resource plan.Resource
	Result   string   // arrived, created, updated, unchanged, not ingested, ...
	Diff     []string // what differs between the file and Hightouch, one line each (Changes as text)
	Changes  []fielddiff.Change
	OK       bool
}

func (r *ResourceResult) setChanges(c []fielddiff.Change) {
	r.Changes, r.Diff = c, fielddiff.Lines(c)
}

// Phase is how far htgit got with a run. Until Hightouch reports the run
// the phase is all there is to say; after, the run's own Status is.
type Phase int

const (
	NotInHightouch Phase = iota // no such sync in Hightouch: not triggered
	TriggerFailed               // the trigger failed, and may have started a run
	Triggered                   // triggered; the run not looked at yet
	NotVisible                  // triggered; Hightouch does not list the run yet
	Reported                    // Hightouch reported the run: see Status
)

func (p Phase) String() string {
	switch p {
	case NotInHightouch:
		return "not in Hightouch"
	case TriggerFailed:
		return "trigger failed"
	case Triggered:
		return "triggered"
	case NotVisible:
		return "not visible yet"
	case Reported:
		return "reported"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// RunResult is one triggered sync.
type RunResult struct {
	Sync       string
	SyncID     hightouch.ID
	RunID      hightouch.ID
	FullResync bool
	Phase      Phase
	Status     hightouch.RunStatus // Hightouch's last status of the run, once Phase is Reported
	Rows       hightouch.RowCounts
	FailedRows int64
	Duration   time.Duration
	URL        string
	Error      string
	Failed     bool
}

// Outcome is what a deploy did.
type Outcome struct {
	Resources    []ResourceResult
	Runs         []RunResult
	Skipped      []plan.Run // affected syncs not triggered (paused)
	IngestFailed bool
	Retired      []Retirement // with OnDeletePause: what became of deleted syncs and models
}

// Failed counts the runs that failed (or could not be triggered).
func (o *Outcome) Failed() int {
	n := 0
	for _, r := range o.Runs {
		if r.Failed {
			n++
		}
	}
	return n
}

// OK reports whether everything succeeded.
func (o *Outcome) OK() bool {
	return !o.IngestFailed && o.Failed() == 0 && !slices.ContainsFunc(o.Retired, func(r Retirement) bool { return r.Failed })
}

// Why says in one line why a deploy that is not OK failed: the first
// resource not in Hightouch as merged, with its reason (an --ingest apply
// refusal, say), the runs that failed, the deleted syncs not paused.
func (o *Outcome) Why() string {
	var parts []string
	if o.IngestFailed {
		var bad []ResourceResult
		for _, r := range o.Resources {
			if !r.OK {
				bad = append(bad, r)
			}
		}
		what := "ingestion did not finish"
		if len(bad) > 0 {
			what = fmt.Sprintf("%s %s is not in Hightouch as merged (%s)", bad[0].Resource.Kind, bad[0].Resource.Slug, bad[0].Result)
			if len(bad) > 1 {
				what += fmt.Sprintf(", nor %d more resource(s)", len(bad)-1)
			}
		}
		parts = append(parts, what+", so nothing was triggered")
	}
	if n := o.Failed(); n > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d run(s) failed", n, len(o.Runs)))
	}
	if n := len(slices.DeleteFunc(slices.Clone(o.Retired), func(r Retirement) bool { return !r.Failed })); n > 0 {
		parts = append(parts, fmt.Sprintf("%d deleted resource(s) could not be retired", n))
	}
	return strings.Join(parts, "; ")
}

// deployer carries one deploy's state.
type deployer struct {
	Options
	start time.Time
	snap  *compare.Snapshot
	logMu sync.Mutex // runs are followed concurrently; Log need not be safe
}

// Run deploys opts.Plan. It returns an error only when it cannot go on at
// all; failed ingestion and failed runs are in the Outcome.
func Run(ctx context.Context, opts Options) (*Outcome, error) {
	d, err := start(ctx, opts)
	if err != nil {
		return nil, err
	}
	out := &Outcome{}
	switch d.Ingest {
	case IngestWait:
		out.Resources, out.IngestFailed = d.waitForIngestion(ctx)
	case IngestApply:
		out.Resources, err = d.apply(ctx)
		if err != nil {
			return out, err
		}
		out.IngestFailed = slices.ContainsFunc(out.Resources, func(r ResourceResult) bool { return !r.OK })
	case IngestNone:
	default:
		return nil, fmt.Errorf("ingest mode %q: use wait, apply or none", d.Ingest)
	}
	if !out.IngestFailed && d.Trigger {
		for _, r := range d.Plan.Runs {
			if r.Skip != "" {
				out.Skipped = append(out.Skipped, r)
			}
		}
		out.Runs = d.triggerAll(ctx)
		if d.Wait {
			d.waitForRuns(ctx, out.Runs)
		}
		d.logf("done: %d run(s), %d failed", len(out.Runs), out.Failed())
	}
	// Deleted syncs are paused last, and only after everything else
	// succeeded: a failed deploy leaves Hightouch as it was.
	if out.OK() && ctx.Err() == nil {
		out.Retired = d.retire(ctx, false)
	} else {
		out.Retired = d.skipRetire()
	}
	return out, nil
}

// start reads what Hightouch has and settles the plan's full resyncs with it.
func start(ctx context.Context, opts Options) (*deployer, error) {
	opts.defaults()
	d := &deployer{Options: opts, start: time.Now()}
	snap, err := compare.Fetch(ctx, d.Client)
	if err != nil {
		return nil, err
	}
	d.snap = snap
	d.refinePlan()
	return d, nil
}

// Preview says, without writing anything, what a deploy would do to each
// changed resource (create, update and what differs, or nothing) and to
// each deleted one (with OnDeletePause), and settles which runs are full
// resyncs with what Hightouch has.
func Preview(ctx context.Context, opts Options) ([]ResourceResult, []Retirement, error) {
	d, err := start(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	var out []ResourceResult
	for _, r := range d.Plan.Changed {
		res := ResourceResult{Resource: r, OK: true}
		exists, diff, err := d.compare(r)
		switch {
		case err != nil:
			res.Result, res.OK = "unreadable: "+err.Error(), false
		case !exists:
			res.Result = "create"
		case len(diff) > 0:
			res.Result = "update"
			res.setChanges(diff)
		default:
			res.Result = "unchanged (Hightouch already has it)"
		}
		out = append(out, res)
	}
	return out, d.retire(ctx, true), nil
}

// refinePlan uses what Hightouch has to decide which syncs are new to it:
// auto full resyncs go to syncs it did not have before this deploy, and to
// syncs the change added that Hightouch has but never ran (Git Sync can
// ingest a merge before the deploy job looks).
func (d *deployer) refinePlan() {
	if d.Plan.FullRules != plan.ResyncAuto {
		return
	}
	for i := range d.Plan.Runs {
		r := &d.Plan.Runs[i]
		s, exists := d.snap.Syncs[r.Sync]
		r.New = !exists || r.New && s.LastRunAt == nil
		if r.New {
			r.Resync = plan.Resync{Kind: plan.ResyncNewSync}
		} else if r.Resync.Kind == plan.ResyncNewSync {
			r.Resync = plan.Resync{}
			d.logf("%s: Hightouch already has this sync and has run it: no full resync", r.Sync)
		}
	}
	d.Plan.SettleKeys(func(model string) (string, bool) {
		m, ok := d.snap.Models[model]
		return m.PrimaryKey, ok
	})
}

// dir is the directory the plan's paths are relative to.
func (d *deployer) dir() string {
	if d.Plan.Dir != "" {
		return d.Plan.Dir
	}
	return d.RepoDir
}

func (d *deployer) logf(format string, args ...any) {
	d.logMu.Lock()
	defer d.logMu.Unlock()
	fmt.Fprintf(d.Log, "[%6s] %s\n", time.Since(d.start).Round(time.Second), fmt.Sprintf(format, args...))
}

// compare tells whether Hightouch has a changed resource as its file says.
func (d *deployer) compare(r plan.Resource) (exists bool, diff []fielddiff.Change, err error) {
	root, err := compare.ReadDoc(d.dir(), r.Path, r.Kind)
	if err != nil {
		return false, nil, err
	}
	// Apply writes a model's display name too, so renaming a model in its
	// file renames it in Hightouch; waiting compares only the query.
	exists, diff, _ = d.snap.FileDiff(r.Kind.Resource(), root, r.Slug, d.Ingest == IngestApply)
	return exists, diff, nil
}

// waitForIngestion polls until Hightouch shows every changed resource as its
// file says, with growing pauses, up to IngestTimeout.
func (d *deployer) waitForIngestion(ctx context.Context) ([]ResourceResult, bool) {
	if len(d.Plan.Changed) == 0 {
		return nil, false
	}
	d.logf("waiting up to %s for Hightouch Git Sync to ingest %d changed resource(s)", d.IngestTimeout, len(d.Plan.Changed))
	deadline := time.Now().Add(d.IngestTimeout)
	pause := d.PollMin
	for {
		results, pending := d.ingestionState()
		if pending == 0 {
			d.logf("Hightouch has every change")
			return results, false
		}
		left := time.Until(deadline)
		if left <= 0 || ctx.Err() != nil {
			why := fmt.Sprintf("gave up waiting for ingestion after %s", time.Since(deadline.Add(-d.IngestTimeout)).Round(time.Millisecond))
			if ctx.Err() != nil {
				why = "the deploy's --timeout ran out while waiting for ingestion"
			}
			d.logf("%s; %d resource(s) not in Hightouch as merged:", why, pending)
			for _, r := range results {
				if !r.OK {
					d.logf("  %s %s: %s%s", r.Resource.Kind, r.Resource.Slug, r.Result, detail(r.Diff))
				}
			}
			return results, true
		}
		// The last pause ends at the deadline, for one more look then.
		sleep(ctx, min(pause, left))
		pause = min(pause*3/2, d.PollMax)
		if err := d.snap.Refresh(ctx, d.Client); err != nil && ctx.Err() == nil {
			d.logf("polling Hightouch: %v (retrying)", err)
		}
	}
}

func (d *deployer) ingestionState() ([]ResourceResult, int) {
	results := make([]ResourceResult, 0, len(d.Plan.Changed))
	pending := 0
	for _, r := range d.Plan.Changed {
		res := ResourceResult{Resource: r}
		exists, diff, err := d.compare(r)
		switch {
		case err != nil:
			res.Result = "unreadable: " + err.Error()
		case !exists:
			res.Result = "not in Hightouch yet"
		case len(diff) > 0:
			res.Result = "differs"
			res.setChanges(diff)
		default:
			res.Result, res.OK = "arrived", true
		}
		if !res.OK {
			pending++
		}
		results = append(results, res)
	}
	return results, pending
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// triggerAll triggers every affected, not skipped sync once, in parallel
// under the client's rate limit.
func (d *deployer) triggerAll(ctx context.Context) []RunResult {
	var runs []RunResult
	var triggers []hightouch.Trigger
	var sent []int // for each trigger, its index in runs
	var planned []plan.Run
	for _, r := range d.Plan.Runs {
		if r.Skip != "" {
			d.logf("%s: not triggered: %s", r.Sync, r.Skip)
			continue
		}
		res := RunResult{Sync: r.Sync, FullResync: r.Resync.Full()}
		s, ok := d.snap.Syncs[r.Sync]
		if !ok {
			res.Failed, res.Phase = true, NotInHightouch
			res.Error = "Hightouch has no sync with this slug; with --ingest none the change must already be in Hightouch"
			d.logf("%s: %s", r.Sync, res.Error)
		} else {
			res.SyncID = s.ID
			sent, planned = append(sent, len(runs)), append(planned, r)
			triggers = append(triggers, hightouch.Trigger{SyncID: s.ID, Options: hightouch.TriggerOptions{FullResync: r.Resync.Full()}})
		}
		runs = append(runs, res)
	}
	for k, t := range d.Client.TriggerSyncs(ctx, triggers, d.Parallel) {
		res := &runs[sent[k]]
		if t.Err != nil {
			res.Failed, res.Phase = true, TriggerFailed
			// An uncertain trigger's error says to check the runs before
			// triggering again (hightouch.ErrTriggerUncertain).
			res.Error = t.Err.Error()
			d.logf("%s: trigger failed: %s", res.Sync, res.Error)
			continue
		}
		res.RunID, res.Phase, res.URL = t.RunID, Triggered, d.runURL(res.SyncID, t.RunID)
		how := "incremental"
		if res.FullResync {
			how = "full resync: " + planned[k].Resync.String()
		}
		d.logf("%s: triggered run %s (%s)", res.Sync, t.RunID, how)
	}
	return runs
}

func (d *deployer) runURL(syncID, runID hightouch.ID) string {
	if d.WorkspaceSlug == "" {
		return ""
	}
	return fmt.Sprintf("https://app.hightouch.com/%s/syncs/%s/runs/%s", d.WorkspaceSlug, syncID, runID)
}

// waitForRuns polls every triggered run until it ends or ctx is done,
// logging each status change.
func (d *deployer) waitForRuns(ctx context.Context, runs []RunResult) {
	sem := make(chan struct{}, d.Parallel)
	var wg sync.WaitGroup
	for i := range runs {
		if runs[i].RunID == "" {
			continue
		}
		wg.Go(func() {
			d.follow(ctx, &runs[i], sem)
		})
	}
	wg.Wait()
}

// follow polls one run. The semaphore is held only during a request, so
// many runs can be followed with few requests in flight.
func (d *deployer) follow(ctx context.Context, r *RunResult, sem chan struct{}) {
	started := time.Now()
	pause := d.PollMin
	lastErr := ""
	for {
		sem <- struct{}{}
		run, visible, err := d.Client.GetRun(ctx, r.SyncID, r.RunID)
		<-sem
		switch {
		case ctx.Err() != nil:
			r.Failed = true
			r.Error = fmt.Sprintf("gave up waiting (timeout) while the run was %s; it may still finish in Hightouch", r.State())
			d.logf("%s: %s", r.Sync, r.Error)
			return
		case err != nil:
			if msg := err.Error(); msg != lastErr {
				d.logf("%s: reading run %s: %v (will retry)", r.Sync, r.RunID, err)
				lastErr = msg
			}
		case !visible:
			if r.Phase == Triggered {
				r.Phase = NotVisible
				d.logf("%s: run %s not visible yet", r.Sync, r.RunID)
			}
		default:
			lastErr = ""
			if r.Phase != Reported || run.Status != r.Status {
				r.Phase, r.Status = Reported, run.Status
				note := ""
				if !run.Status.IsKnown() {
					note = " (unknown status; still polling)"
				}
				d.logf("%s: %s%s after %s", r.Sync, run.Status, note, time.Since(started).Round(time.Second))
			}
			if run.Status.IsTerminal() {
				r.Rows = run.SuccessfulRows
				r.FailedRows = run.FailedRows.Total()
				r.Duration = runDuration(run, time.Since(started))
				r.Failed = d.failed(run.Status)
				if run.Error != "" {
					r.Error = run.Error
				}
				return
			}
		}
		if !sleep(ctx, pause) {
			continue // the next turn reports the timeout
		}
		pause = min(pause*3/2, d.PollMax)
	}
}

// failed reports whether a run that ended in status counts as failed.
func (d *deployer) failed(status hightouch.RunStatus) bool {
	switch status {
	case hightouch.RunSuccess, hightouch.RunCompleted:
		return false
	case hightouch.RunWarning:
		return d.FailOnWarning
	case hightouch.RunFailed, hightouch.RunCancelled, hightouch.RunInterrupted, hightouch.RunCompletedWithErrors:
		return true
	case hightouch.RunQueued, hightouch.RunQuerying, hightouch.RunProcessing, hightouch.RunReporting, hightouch.RunPending:
		panic(fmt.Sprintf("deploy: a run still %s counted as ended", status))
	default: // a final status htgit does not know
		return true
	}
}

func runDuration(run *hightouch.SyncRun, observed time.Duration) time.Duration {
	if run.FinishedAt != nil && !run.StartedAt.IsZero() {
		return run.FinishedAt.Sub(run.StartedAt)
	}
	return observed
}
