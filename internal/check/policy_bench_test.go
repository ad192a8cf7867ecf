//go:build unix

package check

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/htgit/htgit/internal/finding"
	"github.com/htgit/htgit/internal/policy"
	"github.com/htgit/htgit/internal/workspace"
)

// benchPolicies are five policies of the README's cookbook shape, over
// every model and sync.
var benchPolicies = []policy.Def{
	{ID: "model-described", Kinds: []string{"model"}, Expression: `has(file.description) && file.description != ""`},
	{ID: "no-crm-mirror", Kinds: []string{"sync"}, Expression: `!(destination.type in ["salesforce", "hubspot"]) || file.?config.?mode.orValue("") != "mirror"`},
	{ID: "new-syncs-paused", Kinds: []string{"sync"}, Expression: `change != "added" || file.?schedulePaused.orValue(false) == true`},
	{ID: "kebab-slugs", Kinds: []string{"model", "sync"}, Expression: `slug.matches("^[a-z0-9]+(-[a-z0-9]+)*$")`},
	{ID: "every-15-minutes", Kinds: []string{"sync"}, Expression: `file.?schedule.?schedule.?interval.?unit.orValue("") != "minute" || file.schedule.schedule.interval.quantity >= 15`},
}

// BenchmarkPolicies20k validates 10,000 models and 10,000 syncs with the
// five policies and without, in the same iteration, and reports the ratio.
// Target: under 1.3.
func BenchmarkPolicies20k(b *testing.B) {
	dir := b.TempDir()
	writeBenchWorkspace(b, dir, 10_000)
	var ps []*policy.Policy
	for _, d := range benchPolicies {
		d.Level = finding.Warning
		p, err := policy.Compile(d)
		if err != nil {
			b.Fatal(err.Msg)
		}
		ps = append(ps, p)
	}
	ws, disc, err := workspace.Discover(workspace.Options{Root: dir})
	if err != nil {
		b.Fatal(err)
	}
	run := func(visitors ...Visitor) *Result {
		runtime.GC()
		res, err := Run(context.Background(), ws, disc, Options{Visitors: visitors})
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	// The generated models have descriptions only every third: the policy
	// findings are real work, not a pass on every file.
	if res := run(policy.NewEvaluator(ps, ws, nil)); len(res.Findings) == 0 {
		b.Fatal("the policies found nothing")
	}
	// CPU time is what the policies add; on a shared machine the wall
	// clock mostly measures the other processes, so both are reported.
	var with, without, withCPU, withoutCPU time.Duration
	for i := 0; b.Loop(); i++ {
		// Alternate the order so neither always runs on a warmer cache.
		timeIt := func(wall, cpu *time.Duration, visitors ...Visitor) {
			start, startCPU := time.Now(), cpuTime(b)
			run(visitors...)
			*wall += time.Since(start)
			*cpu += cpuTime(b) - startCPU
		}
		if i%2 == 0 {
			timeIt(&without, &withoutCPU)
		}
		timeIt(&with, &withCPU, policy.NewEvaluator(ps, ws, nil))
		if i%2 == 1 {
			timeIt(&without, &withoutCPU)
		}
	}
	b.ReportMetric(float64(with.Nanoseconds())/float64(b.N), "with-policies-ns/op")
	b.ReportMetric(float64(without.Nanoseconds())/float64(b.N), "without-ns/op")
	b.ReportMetric(float64(with)/float64(without), "with/without")
	b.ReportMetric(float64(withCPU)/float64(withoutCPU), "cpu-with/without")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
